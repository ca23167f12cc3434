#pragma once

#include <string>

namespace sqlite_cdc::sinks {

// The PostgreSQL replica's flags; the connection itself is the --output URL.
struct PostgresSinkOptions {
  // A file holding the password (one line); otherwise libpq's own sources: PGPASSWORD, ~/.pgpass.
  std::string password_file;
};

}  // namespace sqlite_cdc::sinks
