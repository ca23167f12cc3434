#include "sinks/kafka/kafka_properties.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace sqlite_cdc::sinks {
namespace {

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Why a property may not be given this value, or nullptr when it may. The guarantees may be
// restated with the value they have anyway, so that existing property files keep working.
const char* WhyReserved(const std::string& name, const std::string& value) {
  struct Reserved {
    const char* name;
    const char* why;
    const char* allowed_values[2];  // values that repeat what sqlite-cdc sets
  };
  static constexpr Reserved kReserved[] = {
      {"enable.idempotence", "is always true: retries inside librdkafka must not duplicate or reorder", {"true"}},
      {"acks", "is always all: a change leaves the log only once every in-sync replica has it", {"all", "-1"}},
      {"request.required.acks",
       "is always all: a change leaves the log only once every in-sync replica has it",
       {"all", "-1"}},
      {"partitioner", "is always murmur2_random: keys go to the partitions Java clients choose", {"murmur2_random"}},
      {"bootstrap.servers", "comes from the kafka:// URL", {}},
      {"metadata.broker.list", "comes from the kafka:// URL", {}},
      {"message.timeout.ms", "is set by --kafka-timeout", {}},
      {"delivery.timeout.ms", "is set by --kafka-timeout", {}},
      {"transactional.id", "is set by --kafka-transactional-id (with --exactly-once)", {}},
      {"transaction.timeout.ms", "is set by --kafka-timeout", {}},
      {"isolation.level", "is always read_committed where sqlite-cdc reads its position", {}},
      {"dr_cb", "is set by sqlite-cdc", {}},
      {"dr_msg_cb", "is set by sqlite-cdc", {}},
      {"error_cb", "is set by sqlite-cdc", {}},
      {"log_cb", "is set by sqlite-cdc", {}},
      {"opaque", "is set by sqlite-cdc", {}},
      {"default_topic_conf", "cannot be given as text", {}},
  };
  for (const Reserved& reserved : kReserved) {
    if (name != reserved.name) continue;
    for (const char* allowed : reserved.allowed_values) {
      if (allowed != nullptr && Lower(value) == allowed) return nullptr;
    }
    return reserved.why;
  }
  return nullptr;
}

}  // namespace

Status ParseKafkaProperty(const std::string& text, const std::string& where, KafkaProperties* properties) {
  const size_t equals = text.find('=');
  const std::string name = Trim(text.substr(0, equals));
  if (equals == std::string::npos || name.empty() ||
      !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_'; })) {
    return Status::InvalidArgument("invalid Kafka property in " + where + ": expected name=value");
  }
  std::string value = Trim(text.substr(equals + 1));
  if (const char* why = WhyReserved(name, value)) {
    return Status::InvalidArgument("Kafka property '" + name + "' in " + where + " cannot be changed: it " + why);
  }
  properties->emplace_back(name, std::move(value));
  return Status::Ok();
}

Status ReadKafkaPropertyFile(const std::string& path, KafkaProperties* properties) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read Kafka property file '" + path + "'");
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = "'" + path + "' line " + std::to_string(number);
    if (Status status = ParseKafkaProperty(trimmed, where, properties); !status.ok()) return status;
  }
  return Status::Ok();
}

std::string RedactValues(std::string text, const KafkaProperties& properties) {
  for (const auto& [name, value] : properties) {
    if (value.size() < 4) continue;
    for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + 3)) {
      text.replace(at, value.size(), "***");
    }
  }
  return text;
}

}  // namespace sqlite_cdc::sinks
