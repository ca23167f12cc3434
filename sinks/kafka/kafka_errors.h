#pragma once

#include <librdkafka/rdkafka.h>

#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::sinks {

// Whether re-sending a batch can get past a Kafka error (kRetry) or not (kFatal).
//
// Fatal: what only an operator can fix. The record or request is refused as it is (message or
// record batch too large, invalid record, policy violation, unsupported version or compression,
// invalid argument), the client is not let in (SASL authentication, TLS handshake, topic or
// cluster authorization), or the topic does not exist and the cluster does not create topics.
// Retry: everything else, above all the passing ones: timeouts (message.timeout.ms ran out),
// brokers down or unreachable, leader elections, not enough in-sync replicas, throttling, and a
// fatal state of the idempotent producer (the sink then starts a fresh producer).
HandlerResult::Kind ClassifyKafkaError(rd_kafka_resp_err_t error);

}  // namespace sqlite_cdc::sinks
