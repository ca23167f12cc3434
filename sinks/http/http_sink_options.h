#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sqlite_cdc::sinks {

// Settings of the http:// and https:// outputs beyond the URL, as the user gave them. Secrets are
// named by where to read them, so that they never stand on a command line.
struct HttpSinkOptions {
  std::vector<std::string> headers;          // "Name: value", sent with every request, never logged
  std::string headers_file;                  // more "Name: value" lines, for values that are secrets
  std::string secret_env;                    // environment variable holding the webhook signing secret
  std::string secret_file;                   // or a file holding it (surrounding whitespace ignored)
  std::chrono::milliseconds timeout{10000};  // per connect, write and read
  std::string ca_file;                       // empty: the system's CAs
  bool insecure_skip_verify = false;
};

}  // namespace sqlite_cdc::sinks
