#pragma once

namespace sqlite_cdc::sinks {

// Settings of the http:// and https:// outputs beyond the URL itself.
struct HttpSinkOptions {};

}  // namespace sqlite_cdc::sinks
