#pragma once

#include <memory>
#include <string>

#include "sqlite_cdc/engine.h"
#include "support/app_db.h"
#include "support/captured_db.h"

namespace sqlite_cdc::testing {

// A test of the engine itself, in process, beside the application's database (CapturedDbTest)
// and a connection of the application's own (`app_`).
class EngineDbTest : public CapturedDbTest {
 protected:
  explicit EngineDbTest(const std::string& schema = kItemsTable);

  // Options for this database with a short poll interval and a retry backoff of a few
  // milliseconds, so that failures cost the test no time.
  EngineOptions Options() const;
  // An engine opened with `options`; null (and a test failure) when it does not open.
  std::unique_ptr<Engine> OpenEngine(const EngineOptions& options);
  // `count` rows into items in one commit: ids first .. first+count-1, log ids one per row.
  void InsertItems(int first, int count);

  AppDb app_;
};

}  // namespace sqlite_cdc::testing
