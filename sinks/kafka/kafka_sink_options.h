#pragma once

namespace sqlite_cdc::sinks {

// Settings of the kafka:// output beyond the URL itself.
struct KafkaSinkOptions {};

}  // namespace sqlite_cdc::sinks
