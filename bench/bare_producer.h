#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <string>

namespace sqlite_cdc::bench {

using BareProducer = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

// The Kafka benchmarks' floor: a producer with the sink's guarantees (idempotent, acks=all,
// murmur2_random) and librdkafka's other defaults. Each successful delivery report, served by
// rd_kafka_poll, adds one to *confirmed, which must outlive the producer.
BareProducer MakeBareProducer(const std::string& bootstrap_servers, int64_t* confirmed);

}  // namespace sqlite_cdc::bench
