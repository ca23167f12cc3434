#include "output_flags.h"

#include "duration.h"

namespace sqlite_cdc::cli {
namespace {

// A duration flag written like 250ms or 2s, stored as milliseconds.
void AddDurationOption(CLI::App& app, const std::string& name, std::chrono::milliseconds& target,
                       const std::string& help) {
  app.add_option_function<std::string>(
         name,
         [&target, name](const std::string& text) {
           const auto parsed = ParseDuration(text);
           if (!parsed || parsed->count() <= 0) {
             throw CLI::ValidationError(name, "invalid duration '" + text + "' (expected e.g. 250ms, 2s, 1m)");
           }
           target = *parsed;
         },
         help)
      ->default_str(WriteDuration(target))
      ->type_name("DURATION");
}

void AddHttpFlags(CLI::App& app, sinks::HttpSinkOptions& http) {
  const std::string group = "HTTP output (http://, https://)";
  app.add_option("--http-header", http.headers, "extra header 'Name: value' (repeatable; never logged)")
      ->type_name("HEADER")
      ->group(group);
  app.add_option("--http-header-file", http.headers_file, "file of 'Name: value' lines, for secret headers")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--webhook-secret-env", http.secret_env, "environment variable holding the signing secret")
      ->type_name("VAR")
      ->group(group);
  app.add_option("--webhook-secret-file", http.secret_file, "file holding the signing secret")
      ->type_name("FILE")
      ->group(group);
  AddDurationOption(app, "--http-timeout", http.timeout, "timeout of each connect, write and read");
  app.get_option("--http-timeout")->group(group);
  app.add_option("--http-ca-file", http.ca_file, "PEM file of CAs to trust instead of the system's")
      ->type_name("FILE")
      ->group(group);
  app.add_flag("--http-insecure-skip-verify", http.insecure_skip_verify, "accept any server certificate (unsafe)")
      ->group(group);
}

void AddKafkaFlags(CLI::App& app, sinks::KafkaSinkOptions& kafka) {
  const std::string group = "Kafka output (kafka://)";
  app.add_option("--format", kafka.format, "record value: event (the change event JSON) or debezium")
      ->capture_default_str()
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"event", "debezium"}))
      ->group(group);
  app.add_flag_callback(
         "--kafka-no-tombstones", [&kafka] { kafka.tombstones = false; },
         "debezium: no null-valued record after each delete")
      ->group(group);
  app.add_option("--kafka-property", kafka.properties,
                 "librdkafka property name=value (repeatable; values never logged)")
      ->type_name("NAME=VALUE")
      ->group(group);
  app.add_option("--kafka-property-file", kafka.properties_file, "file of name=value lines, for secrets")
      ->type_name("FILE")
      ->group(group);
  AddDurationOption(app, "--kafka-timeout", kafka.timeout, "bound on each batch's delivery (message.timeout.ms)");
  app.get_option("--kafka-timeout")->group(group);
  app.add_option("--kafka-transactional-id", kafka.transactional_id,
                 "--exactly-once: the producer's transactional.id (default: sqlite-cdc-<hash of the database's "
                 "canonical path and the log table>); a second instance with it fences the first")
      ->type_name("ID")
      ->group(group);
  app.add_option("--kafka-position-topic", kafka.position_topic,
                 "--exactly-once: the compacted topic the log position is kept in, keyed by the transactional id")
      ->capture_default_str()
      ->type_name("TOPIC")
      ->group(group);
}

void AddS3Flags(CLI::App& app, sinks::S3SinkOptions& s3) {
  const std::string group = "S3 output (s3://)";
  AddDurationOption(app, "--s3-flush-interval", s3.flush_interval,
                    "longest time a change waits in the open object before it is cut and stored");
  app.get_option("--s3-flush-interval")->group(group);
  app.add_option("--s3-max-object-changes", s3.max_object_changes, "cut an object at this many changes")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{100000000}))
      ->group(group);
  app.add_option("--s3-max-object-bytes", s3.max_object_bytes,
                 "cut an object at this size of its JSON lines before gzip (e.g. 16MiB, 500kB)")
      ->default_str("16MiB")
      ->type_name("SIZE")
      ->transform(CLI::AsSizeValue(true))
      ->check(CLI::Range(size_t{1}, size_t{5} << 30))
      ->group(group);
  app.add_option("--s3-puts-in-flight", s3.puts_in_flight, "objects stored at once, each on its own connection")
      ->capture_default_str()
      ->type_name("N")
      ->check(CLI::Range(1, 64))
      ->group(group);
  AddDurationOption(app, "--s3-snapshot-interval", s3.snapshot_interval,
                    "with --cdc: take a snapshot in the background this long after the newest one (e.g. 1h)");
  app.get_option("--s3-snapshot-interval")->default_str("off")->group(group);
  AddDurationOption(app, "--s3-retention", s3.retention,
                    "keep the archive restorable this far back (e.g. 720h) and delete what is older");
  app.get_option("--s3-retention")->default_str("off")->group(group);
}

void AddPostgresFlags(CLI::App& app, sinks::PostgresSinkOptions& postgres) {
  app.add_option("--pg-password-file", postgres.password_file,
                 "file holding the password (first line); otherwise PGPASSWORD or ~/.pgpass")
      ->type_name("FILE")
      ->group("PostgreSQL replica (postgres://)");
}

}  // namespace

void AddOutputFlags(CLI::App& app, sinks::OutputOptions& options) {
  app.add_option("--output", options.output,
                 "where the changes go: -, json, http(s)://..., kafka://..., s3://..., sqlite://..., postgres://... "
                 "(see Outputs below)")
      ->capture_default_str()
      ->type_name("OUTPUT");
  app.add_flag("--exactly-once", options.exactly_once,
               "deliver each change once, across crashes: the output keeps the log position with the data "
               "(kafka:// transactions; sqlite:// and postgres:// always do)");
  AddHttpFlags(app, options.http);
  AddKafkaFlags(app, options.kafka);
  AddS3Flags(app, options.s3);
  AddPostgresFlags(app, options.postgres);
}

}  // namespace sqlite_cdc::cli
