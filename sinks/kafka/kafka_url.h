#pragma once

#include <string>
#include <string_view>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// `kafka://host:port[,host:port...]/topic`, where the topic may hold `{table}` (replaced by each
// change's table name). A host may be a name, an IPv4 address or a bracketed IPv6 address.
struct KafkaUrl {
  std::string bootstrap_servers;  // "host:port,host:port", as librdkafka's bootstrap.servers takes it
  std::string topic;              // the template, `{table}` still in it
};

// Fails with kInvalidArgument and one line naming the URL and what is wrong with it.
Status ParseKafkaUrl(const std::string& url, KafkaUrl* parsed);

// The topic a change of `table` goes to. Kafka topic names allow only [A-Za-z0-9._-]: any other
// byte of the table name becomes `_` (as Debezium does), so `order items` goes to `cdc.order_items`.
// Two tables may therefore share a topic; the `table` header tells them apart.
std::string TopicForTable(std::string_view topic_template, std::string_view table);

// Kafka's limit on a topic name's length.
inline constexpr size_t kMaxTopicLength = 249;

}  // namespace sqlite_cdc::sinks
