#include "support/kafka_mock_cluster.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "support/process.h"

namespace sqlite_cdc::testing {

KafkaMockCluster::KafkaMockCluster(const std::vector<std::string>& topics, int brokers) {
  std::vector<std::string> args{"--brokers", std::to_string(brokers)};
  args.insert(args.end(), topics.begin(), topics.end());
  helper_ = std::make_unique<InteractiveProcess>(std::string(CDC_TEST_BIN_DIR) + "/kafka_mock_cluster", args);
  bootstrap_servers_ = helper_->ReadLine(10);
}

// The helper stops when its stdin closes (InteractiveProcess's destructor).
KafkaMockCluster::~KafkaMockCluster() = default;

void KafkaMockCluster::Command(const std::string& line) {
  helper_->Send(line);
  const std::string answer = helper_->ReadLine(10);
  if (answer != "ok " + line) throw std::runtime_error("kafka_mock_cluster: " + answer);
}

std::vector<KafkaRecord> ConsumeWithKcat(const std::string& bootstrap_servers, const std::string& topic,
                                         const std::vector<std::string>& extra) {
  // -J: one JSON object per record, null for a null key or value; -e: exit at the end of every partition.
  std::vector<std::string> args{"-C", "-b", bootstrap_servers, "-t", topic, "-o", "beginning", "-e", "-q", "-J"};
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult kcat = RunProcess("/usr/bin/kcat", args);
  if (kcat.exit_code != 0) throw std::runtime_error("kcat failed: " + kcat.err);
  std::vector<KafkaRecord> records;
  std::istringstream lines(kcat.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const auto json = nlohmann::json::parse(line);
    KafkaRecord record;
    record.topic = json.at("topic");
    record.partition = json.at("partition");
    record.offset = json.at("offset");
    if (!json.at("key").is_null()) record.key = json.at("key").get<std::string>();
    if (!json.at("payload").is_null()) record.value = json.at("payload").get<std::string>();
    if (json.contains("headers")) {
      const auto& headers = json.at("headers");
      for (size_t i = 0; i + 1 < headers.size(); i += 2) record.headers[headers[i]] = headers[i + 1];
    }
    records.push_back(std::move(record));
  }
  std::sort(records.begin(), records.end(), [](const KafkaRecord& a, const KafkaRecord& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  return records;
}

int JavaClientPartition(const std::string& key, int partitions) {
  // Kafka's Utils.murmur2, then toPositive (& 0x7fffffff) modulo the partition count.
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t length = key.size();
  uint32_t h = 0x9747b28c ^ static_cast<uint32_t>(length);
  size_t i = 0;
  for (; i + 4 <= length; i += 4) {
    uint32_t k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (static_cast<uint32_t>(data[i + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length - i) {
    case 3:
      h ^= data[i + 2] << 16;
      [[fallthrough]];
    case 2:
      h ^= data[i + 1] << 8;
      [[fallthrough]];
    case 1:
      h ^= data[i];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int>((h & 0x7fffffff) % static_cast<uint32_t>(partitions));
}

}  // namespace sqlite_cdc::testing
