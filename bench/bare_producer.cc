#include "bare_producer.h"

#include <utility>

namespace sqlite_cdc::bench {

BareProducer MakeBareProducer(const std::string& bootstrap_servers, int64_t* confirmed) {
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : {std::pair{"bootstrap.servers", bootstrap_servers.c_str()},
                                    {"enable.idempotence", "true"},
                                    {"acks", "all"},
                                    {"partitioner", "murmur2_random"}}) {
    rd_kafka_conf_set(conf, name, value, error, sizeof error);
  }
  rd_kafka_conf_set_opaque(conf, confirmed);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++*static_cast<int64_t*>(opaque);
  });
  return BareProducer(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error), &rd_kafka_destroy);
}

}  // namespace sqlite_cdc::bench
