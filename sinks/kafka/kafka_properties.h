#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// librdkafka configuration properties, in the order given (a later one wins, as in librdkafka).
// Values may be secrets (sasl.password, ssl.key.password): messages name properties, never values.
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// Parses one `name=value` (from --kafka-property, or a line of a property file; `where` names the
// source in messages). Whitespace around the name and the value is dropped. Refuses the
// properties sqlite-cdc sets itself:
// - enable.idempotence, acks / request.required.acks, partitioner: the delivery guarantees
//   (restating the value sqlite-cdc sets anyway, e.g. acks=all, is accepted)
//   (no duplicates from internal retries, every in-sync replica has it, Java-compatible partitions);
// - bootstrap.servers / metadata.broker.list: the URL names the brokers;
// - message.timeout.ms / delivery.timeout.ms: set from --kafka-timeout, which also bounds each batch;
// - callbacks and opaque pointers, which cannot be given as text.
Status ParseKafkaProperty(const std::string& text, const std::string& where, KafkaProperties* properties);

// Reads a file of `name=value` lines; blank lines and lines starting with `#` are skipped.
Status ReadKafkaPropertyFile(const std::string& path, KafkaProperties* properties);

// Replaces every value of `properties` that occurs in `text` with "***", so that a message that
// came from librdkafka can be logged even if it quotes a setting. Values shorter than 4 characters
// are left (they are not secrets, and would garble the text).
std::string RedactValues(std::string text, const KafkaProperties& properties);

}  // namespace sqlite_cdc::sinks
