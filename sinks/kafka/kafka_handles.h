#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace sqlite_cdc::sinks {

// Owners of librdkafka's handles. A topic handle must be released before its rd_kafka_t; a conf
// is consumed by rd_kafka_new on success (release it then), and must be destroyed otherwise.
struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using KafkaTopic = std::unique_ptr<rd_kafka_topic_t, KafkaDeleter>;
using KafkaError = std::unique_ptr<rd_kafka_error_t, KafkaDeleter>;
// A record's headers: the producer owns them once it took the record, the caller until then.
using KafkaHeaders = std::unique_ptr<rd_kafka_headers_t, KafkaDeleter>;

}  // namespace sqlite_cdc::sinks
