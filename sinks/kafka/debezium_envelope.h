#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sqlite_cdc/change.h"

namespace sqlite_cdc::sinks {

// Debezium's change event envelope (the value of a Debezium record with schemas disabled), so that
// Kafka Connect sinks and other Debezium consumers read our topics as they read Debezium's:
//   {"before":{...}|null,"after":{...}|null,
//    "source":{"version":"0.1.0","connector":"sqlite","name":"sqlite-cdc","ts_ms":1795341600123,
//              "snapshot":"false","db":"app.db","table":"users","id":42},
//    "op":"u","ts_ms":1795860000456}
// `op` is c (insert), u (update), d (delete) or r (a bootstrap read); `source.ts_ms` is when the
// change was logged (the change's timestamp), the outer `ts_ms` when the sink wrote the record
// (`now_ms`). `snapshot` is a string, "true" for bootstrap reads, as Debezium writes it.
// `db` names the database file, `id` is the log id (0 for bootstrap reads).
void AppendDebeziumEnvelope(std::string& out, const Change& change, std::string_view db, int64_t now_ms);

// Milliseconds since the Unix epoch of an RFC 3339 UTC timestamp as the triggers write it
// ("2026-11-22T10:00:00.123Z" or, with --disable-subsec, "2026-11-22T10:00:00Z"). nullopt when
// the text has another form.
std::optional<int64_t> TimestampMillis(std::string_view timestamp);

}  // namespace sqlite_cdc::sinks
