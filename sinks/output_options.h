#pragma once

#include <string>

#include "sinks/http/http_sink_options.h"
#include "sinks/kafka/kafka_sink_options.h"
#include "sinks/postgres/postgres_sink_options.h"
#include "sinks/s3/s3_sink_options.h"

namespace sqlite_cdc::sinks {

// Everything the factory needs to build the handler an --output value names. Each sink reads only
// its own part; the CLI fills all of them from flags.
struct OutputOptions {
  std::string output = "-";
  std::string source_db;                // the database file's path, for sinks that name their source
  std::string log_table = "__cdc_log";  // the log drained, for sinks that derive a stable id from it
  // Each change delivered exactly once: only outputs that store the log position with the data
  // (kafka:// with transactions, sqlite:// and postgres://, which always are) accept it; the others refuse it.
  bool exactly_once = false;
  HttpSinkOptions http;
  KafkaSinkOptions kafka;
  S3SinkOptions s3;
  PostgresSinkOptions postgres;
};

}  // namespace sqlite_cdc::sinks
