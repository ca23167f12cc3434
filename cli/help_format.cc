#include "help_format.h"

#include <memory>

namespace sqlite_cdc::cli {
namespace {

class ReadableFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* option) const override {
    std::string opts = CLI::Formatter::make_option_opts(option);
    // The type name is followed by each check's description, after a ':'; keep only the type.
    const std::string noisy = option->get_type_name();
    const size_t colon = noisy.find(':');
    if (colon == std::string::npos) return opts;
    if (const size_t at = opts.find(noisy); at != std::string::npos)
      opts.replace(at, noisy.size(), noisy.substr(0, colon));
    return opts;
  }
};

}  // namespace

void UseReadableHelp(CLI::App& app) { app.formatter(std::make_shared<ReadableFormatter>()); }

std::string OutputsHelp() {
  return "Outputs (--output):\n"
         "  -                        one line per change: <timestamp>: <table> <operation> <key>\n"
         "                           (control characters escaped as \\xNN)\n"
         "  json                     one JSON change event per line on stdout\n"
         "  http://..., https://...  POST each batch as {\"changes\":[...]} (Standard Webhooks headers)\n"
         "  kafka://host:port[,host:port]/topic\n"
         "                           one record per change, keyed by the row's key\n"
         "  s3://bucket/prefix[?endpoint=URL&region=R&force_path_style=true]\n"
         "                           gzip'd NDJSON objects per batch, snapshots, schemas (see sqlite-cdc-restore)\n"
         "  sqlite://PATH            a live SQLite replica of the watched tables, exactly once\n"
         "  postgres://user@host:port/db[?schema=S&sslmode=...]\n"
         "                           a live PostgreSQL replica, exactly once; the password from PGPASSWORD,\n"
         "                           ~/.pgpass or --pg-password-file, never from the URL\n"
         "\n" +
         AwsEnvironmentHelp();
}

std::string AwsEnvironmentHelp() {
  return "Environment (s3://):\n"
         "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  credentials (required; never logged)\n"
         "  AWS_SESSION_TOKEN                         the token of temporary credentials\n"
         "  AWS_REGION, AWS_DEFAULT_REGION            region when the URL names none (default us-east-1)\n";
}

}  // namespace sqlite_cdc::cli
