#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sinks/output_options.h"
#include "sqlite_cdc/changes_handler.h"

namespace sqlite_cdc::testing {

// One change as the destination holds it, read back by the harness; `id` is nullopt for an output
// that does not carry log ids (`-`).
struct DeliveredChange {
  std::optional<int64_t> id;
  std::string timestamp;
  std::string table;
  std::string operation;
};

// The state the destination is in when the sink is built.
enum class Destination {
  kHealthy,
  kUnreachable,  // down for now (a transient failure)
  kRefusing,     // answers, and refuses for good what it is sent (a permanent failure)
  kGoingDown,    // healthy, and goes down during the test (GoDown): the sink gets short timeouts
};

// What one output needs to be tested through the factory: the real server (or stream) it
// delivers to, the options that name it, and a reader of what it received.
class SinkHarness {
 public:
  virtual ~SinkHarness() = default;

  // Puts the destination in `state`; called before the sink is built. Returns why this output
  // cannot be put in that state (the test is then skipped), or nullopt.
  virtual std::optional<std::string> Prepare(Destination state) = 0;
  // Makes a destination prepared kGoingDown unreachable, as kUnreachable would have.
  virtual void GoDown() {}
  // Brings an unreachable destination back.
  virtual void Recover() {}
  // What the factory gets: the --output value and the sink's options.
  virtual sinks::OutputOptions Options() = 0;
  // Runs one call of the sink (the stream outputs redirect stdout around it).
  virtual HandlerResult Call(const std::function<HandlerResult()>& call) { return call(); }
  // Every change the destination holds, in the order a consumer reads them.
  virtual std::vector<DeliveredChange> Delivered() = 0;
  // Whether Delivered() gives log ids.
  virtual bool CarriesIds() const { return true; }
};

// The harness of each output, by its name in the suite's parameter list.
std::unique_ptr<SinkHarness> MakeSinkHarness(const std::string& output);

}  // namespace sqlite_cdc::testing
