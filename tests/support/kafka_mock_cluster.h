#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"

namespace sqlite_cdc::testing {

// The kafka_mock_cluster helper (tests/support/kafka_mock_cluster_main.cc) as a child process: a
// Kafka cluster on loopback that the test starts, injects faults into and stops.
class KafkaMockCluster {
 public:
  // `topics` as "name:partitions"; the cluster has `brokers` brokers, ids 1..brokers.
  explicit KafkaMockCluster(const std::vector<std::string>& topics, int brokers = 3);
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;
  ~KafkaMockCluster();  // closes the helper's stdin, which stops it

  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  std::string Url(const std::string& topic) const { return "kafka://" + bootstrap_servers_ + "/" + topic; }

  // Sends one command (see the helper) and returns once the helper acknowledged it; throws if it
  // answered with an error or did not answer within 10 s.
  void Command(const std::string& line);

 private:
  std::unique_ptr<InteractiveProcess> helper_;
  std::string bootstrap_servers_;
};

// One record as an independent consumer (kcat) read it.
struct KafkaRecord {
  std::string topic;
  int partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a tombstone
  std::map<std::string, std::string> headers;
};

// Every record of `topic`, read from the beginning with kcat (given `extra` arguments, e.g.
// {"-X", "isolation.level=read_committed"}); by partition, then offset.
std::vector<KafkaRecord> ConsumeWithKcat(const std::string& bootstrap_servers, const std::string& topic,
                                         const std::vector<std::string>& extra = {});

// The partition Kafka's Java client (DefaultPartitioner, murmur2) chooses for `key`.
int JavaClientPartition(const std::string& key, int partitions);

}  // namespace sqlite_cdc::testing
