#pragma once

#include <memory>

#include "sqlite_cdc/changes_handler.h"
#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

class EngineImpl;

// Drains one database's change log into a handler. One Engine per log: opening a second one on the
// same log, in this or another process, fails with kInvalidInput until the first is destroyed.
//
// Thread safety: Stop() may be called from any thread; every other call from one thread at a time.
class Engine {
 public:
  // Checks the database, its setup and the options, and takes the log's lock.
  static Status Open(const EngineOptions& options, std::unique_ptr<Engine>* engine);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Delivers every row of every watched table as bootstrap INSERT events, then returns.
  Status Bootstrap(ChangesHandler& handler);
  // Delivers what the log holds until it is empty, then returns.
  Status DrainOnce(ChangesHandler& handler);
  // Delivers the log and keeps waiting for changes until Stop(); returns Ok after a stop.
  Status RunCdc(ChangesHandler& handler);
  // Bootstrap, then CDC from exactly where the snapshot was taken: changes the snapshot already
  // holds are not delivered again.
  Status BootstrapThenCdc(ChangesHandler& handler);
  // Bootstrap, then what the log holds past the snapshot until it is empty, then returns: like
  // BootstrapThenCdc, each change is delivered once, in the snapshot or after it.
  Status BootstrapThenDrain(ChangesHandler& handler);

  // Asks the engine to stop after the batch in flight; never interrupts a handler call.
  void Stop();

 private:
  explicit Engine(std::unique_ptr<EngineImpl> impl);
  std::unique_ptr<EngineImpl> impl_;
};

}  // namespace sqlite_cdc
