#pragma once

#include <memory>

#include "sqlite_cdc/changes_handler.h"
#include "sqlite_cdc/options.h"
#include "sqlite_cdc/status.h"

namespace sqlite_cdc {

class EngineImpl;

// Drains one database's change log into a handler. One Engine per log: opening a second one on the
// same log, in this or another process, fails with kInvalidArgument until the first is destroyed.
//
// Thread safety: Stop() may be called from any thread; every other call from one thread at a time.
//
// Every call returns a Status (see status.h): kInvalidArgument or kNotFound for what the caller must
// fix, kCorruption for a damaged log row (it and what follows stay in the log), kUnavailable when
// the database stayed busy or locked, kDatabaseError when SQLite failed, kHandlerFailed when the
// handler said kFatal or kept failing past options.retry, kCancelled when Stop() cut a call short.
// Whatever the failure, no change leaves the log before the handler accepted it.
class Engine {
 public:
  // Checks the options, the database and its setup, and takes the log's lock. On success stores an
  // engine in *engine and returns Ok. On failure *engine is left as it was (not reset), no lock is
  // held and the log holds every change it held. Option errors name the option as EngineOptions
  // spells it ("batch_size must be at least 1").
  static Status Open(const EngineOptions& options, std::unique_ptr<Engine>* engine);
  // Releases the log's lock. Loses nothing: what was delivered but could not be removed from the log
  // yet is delivered again by the next engine.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Delivers every row of every watched table as bootstrap INSERT events, then returns Ok. The log
  // is not changed. kCancelled when Stop() came first or during it: the rows not yet
  // delivered are not, and a bootstrap run again starts from the first row.
  Status Bootstrap(ChangesHandler& handler);
  // Delivers what the log holds until it is empty, removes it from the log, then returns Ok.
  // kCancelled when Stop() came first or during it: the undelivered rest stays in the log.
  Status DrainOnce(ChangesHandler& handler);
  // Delivers the log and keeps waiting for changes until Stop(); a stop is its normal end, so it
  // returns Ok after one (at once when Stop() came first). Returns earlier only on a failure.
  Status RunCdc(ChangesHandler& handler);
  // Bootstrap, then CDC from exactly where the snapshot was taken: changes the snapshot already
  // holds are not delivered again. kCancelled when Stop() came before the bootstrap ended; Ok for a
  // stop after it, as RunCdc.
  Status BootstrapThenCdc(ChangesHandler& handler);
  // Bootstrap, then what the log holds past the snapshot until it is empty, then returns: like
  // BootstrapThenCdc, each change is delivered once, in the snapshot or after it. kCancelled when
  // Stop() came before both were done.
  Status BootstrapThenDrain(ChangesHandler& handler);

  // Asks the engine to stop after the batch in flight; never interrupts a handler call. Final: a
  // stopped engine stays stopped, and every later call returns at once (RunCdc Ok, the others
  // kCancelled). A batch the handler accepted before the stop still leaves the log.
  void Stop();

 private:
  explicit Engine(std::unique_ptr<EngineImpl> impl);
  std::unique_ptr<EngineImpl> impl_;
};

}  // namespace sqlite_cdc
