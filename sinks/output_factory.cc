#include "sinks/output_factory.h"

#include <spdlog/spdlog.h>

#include "sinks/http/http_sink.h"
#include "sinks/json/json_lines_sink.h"
#include "sinks/kafka/kafka_sink.h"
#include "sinks/net/url_redaction.h"
#include "sinks/postgres/postgres_replica.h"
#include "sinks/s3/s3_archive_sink.h"
#include "sinks/sqlite/replica_url.h"
#include "sinks/stdout/stdout_sink.h"
#include "sqlite_cdc/sqlite_replica.h"

namespace sqlite_cdc::sinks {

Status MakeHandler(const OutputOptions& options, std::unique_ptr<ChangesHandler>* handler) {
  const std::string& output = options.output;
  const bool kafka = output.rfind("kafka://", 0) == 0;
  const bool replica = output.rfind("sqlite://", 0) == 0;
  const bool postgres = output.rfind("postgres://", 0) == 0 || output.rfind("postgresql://", 0) == 0;
  if (!kafka && options.kafka.format != "event") {
    return Status::InvalidArgument("--format " + options.kafka.format + " applies to kafka:// outputs only");
  }
  if (options.exactly_once && !kafka && !replica && !postgres) {
    return Status::InvalidArgument(
        "--exactly-once needs an output that keeps the log position with the data (kafka://..., sqlite://..., "
        "postgres://...); " +
        RedactUrl(output) + " is at least once: every change carries its log id, which a consumer can deduplicate on");
  }
  if (output == "-") {
    *handler = std::make_unique<StdoutSink>();
  } else if (output == "json") {
    *handler = std::make_unique<JsonLinesSink>();
  } else if (output.rfind("http://", 0) == 0 || output.rfind("https://", 0) == 0) {
    HttpSinkConfig config;
    if (Status status = ResolveHttpSinkConfig(output, options.http, &config); !status.ok()) return status;
    if (!config.tls.verify) spdlog::warn("TLS certificate verification is off (--http-insecure-skip-verify)");
    *handler = std::make_unique<HttpSink>(std::move(config));
  } else if (output.rfind("s3://", 0) == 0) {
    S3Location location;
    if (Status status = ParseS3Url(output, &location); !status.ok()) return status;
    AwsCredentials credentials;
    if (Status status = CredentialsFromEnvironment(&credentials); !status.ok()) return status;
    const std::chrono::milliseconds timeout = options.http.timeout;
    *handler = std::make_unique<S3ArchiveSink>(
        [&] { return std::make_unique<S3Client>(location, credentials, timeout); }, options.s3);
  } else if (replica) {
    std::string path;
    if (Status status = ParseReplicaUrl(output, options.source_db, &path); !status.ok()) return status;
    std::unique_ptr<SqliteReplica> sink;
    if (Status status = SqliteReplica::Open(path, &sink); !status.ok()) return status;
    *handler = std::move(sink);
  } else if (postgres) {
    PostgresTarget target;
    if (Status status = ParsePostgresUrl(output, &target); !status.ok()) return status;
    std::string password;
    if (!options.postgres.password_file.empty()) {
      if (Status status = ReadPasswordFile(options.postgres.password_file, &password); !status.ok()) return status;
    }
    *handler = std::make_unique<PostgresReplica>(std::move(target), std::move(password));
  } else if (kafka) {
    KafkaSinkConfig config;
    if (Status status = ResolveKafkaSinkConfig(output, options.kafka, options.source_db, &config, options.exactly_once,
                                               options.log_table);
        !status.ok()) {
      return status;
    }
    std::unique_ptr<KafkaSink> sink;
    if (Status status = KafkaSink::Create(std::move(config), &sink); !status.ok()) return status;
    *handler = std::move(sink);
  } else {
    return Status::InvalidArgument(
        "unsupported --output '" + RedactUrl(output) +
        "' (expected -, json, http://..., https://..., kafka://..., s3://..., sqlite://... or postgres://...)");
  }
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
