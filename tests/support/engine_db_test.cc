#include "support/engine_db_test.h"

#include <gtest/gtest.h>

namespace sqlite_cdc::testing {

EngineDbTest::EngineDbTest(const std::string& schema) : CapturedDbTest(schema), app_(path_) {}

EngineOptions EngineDbTest::Options() const {
  EngineOptions options;
  options.capture.db_path = path_;
  options.poll_interval = std::chrono::milliseconds(50);
  options.retry.initial_backoff = std::chrono::milliseconds(1);
  options.retry.max_backoff = std::chrono::milliseconds(4);
  return options;
}

std::unique_ptr<Engine> EngineDbTest::OpenEngine(const EngineOptions& options) {
  std::unique_ptr<Engine> engine;
  const Status status = Engine::Open(options, &engine);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return engine;
}

void EngineDbTest::InsertItems(int first, int count) {
  app_.Exec("BEGIN");
  for (int i = first; i < first + count; ++i) {
    app_.Exec("INSERT INTO items VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ", 'x')");
  }
  app_.Exec("COMMIT");
}

}  // namespace sqlite_cdc::testing
