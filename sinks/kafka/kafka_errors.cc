#include "sinks/kafka/kafka_errors.h"

#include <algorithm>
#include <iterator>

namespace sqlite_cdc::sinks {

HandlerResult::Kind ClassifyKafkaError(rd_kafka_resp_err_t error) {
  static constexpr rd_kafka_resp_err_t kPermanent[] = {
      // The record or its request, refused as it is.
      RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
      RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
      RD_KAFKA_RESP_ERR_INVALID_RECORD,
      RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS,
      RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
      RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION,
      RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
      RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE,
      RD_KAFKA_RESP_ERR__INVALID_ARG,
      RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE,
      // The client, not let in.
      RD_KAFKA_RESP_ERR__AUTHENTICATION,
      RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
      RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM,
      RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE,
      RD_KAFKA_RESP_ERR__SSL,
      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
      RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
      RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      // The topic: not there, or not a valid name.
      RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
      RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
      RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
  };
  const bool permanent = std::find(std::begin(kPermanent), std::end(kPermanent), error) != std::end(kPermanent);
  return permanent ? HandlerResult::Kind::kFatal : HandlerResult::Kind::kRetry;
}

}  // namespace sqlite_cdc::sinks
