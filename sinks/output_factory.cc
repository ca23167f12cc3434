#include "sinks/output_factory.h"

#include "sinks/json/json_lines_sink.h"
#include "sinks/stdout/stdout_sink.h"

namespace sqlite_cdc::sinks {

Status MakeHandler(const OutputOptions& options, std::unique_ptr<ChangesHandler>* handler) {
  const std::string& output = options.output;
  if (output == "-") {
    *handler = std::make_unique<StdoutSink>();
  } else if (output == "json") {
    *handler = std::make_unique<JsonLinesSink>();
  } else {
    return Status::InvalidInput("unsupported --output '" + output + "' (expected - or json)");
  }
  return Status::Ok();
}

}  // namespace sqlite_cdc::sinks
