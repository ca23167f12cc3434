#pragma once

#include <string>

#include "sqlite_cdc/status.h"

namespace sqlite_cdc::sinks {

// Where a PostgreSQL replica goes, from `--output postgres://user@host:port/db?schema=S&...`.
struct PostgresTarget {
  std::string conninfo;           // the libpq connection URI, without sqlite-cdc's own parameters
  std::string schema = "public";  // the PostgreSQL schema the replica's tables are in
  std::string display;            // the URL fit for messages (RedactUrl): no user info, no query values
};

// Parses a `postgres://` or `postgresql://` URI (any libpq URI: hosts, ports, database, and
// parameters such as sslmode, passed through). `schema` is ours and taken out. kInvalidArgument for
// another scheme, an empty schema name, or a password in the URL (user:password@ or password=): a
// password comes from PGPASSWORD, ~/.pgpass or --pg-password-file, never from a flag.
Status ParsePostgresUrl(const std::string& url, PostgresTarget* target);

// Reads a --pg-password-file: its first line. kInvalidArgument, naming the file, when unreadable.
Status ReadPasswordFile(const std::string& path, std::string* password);

}  // namespace sqlite_cdc::sinks
