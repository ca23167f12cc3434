// The SQLite replica under the engine: a snapshot is all or nothing for its readers, and the
// position it reports is what it holds.
#include "sqlite_cdc/sqlite_replica.h"

#include <gtest/gtest.h>

#include <functional>

#include "sqlite_cdc/engine.h"
#include "support/app_db.h"
#include "support/captured_db.h"

namespace sqlite_cdc {
namespace {

using std::chrono::milliseconds;
using testing::AppDb;

// Hands every call on to the replica; `before_batch` sees each batch first and may refuse it.
class Interposed : public ChangesHandler {
 public:
  explicit Interposed(ChangesHandler& inner) : inner_(inner) {}
  HandlerResult Handle(const Changes& batch) override {
    if (before_batch) {
      HandlerResult result = before_batch(batch);
      if (result.kind != HandlerResult::Kind::kSuccess) return result;
    }
    return inner_.Handle(batch);
  }
  HandlerResult OnSchema(const WatchedSchema& schema) override { return inner_.OnSchema(schema); }
  HandlerResult OnSnapshotComplete(int64_t position) override { return inner_.OnSnapshotComplete(position); }
  HandlerResult ReadPosition(SinkPosition* position) override { return inner_.ReadPosition(position); }

  std::function<HandlerResult(const Changes&)> before_batch;

 private:
  ChangesHandler& inner_;
};

class SqliteReplicaTest : public testing::CapturedDbTest {
 protected:
  SqliteReplicaTest() : app_(path_), replica_path_(dir_.File("replica.db")) {
    app_.Exec("BEGIN");
    for (int i = 1; i <= 100; ++i) app_.Exec("INSERT INTO items VALUES (" + std::to_string(i) + ", 1, 'first')");
    app_.Exec("COMMIT");
    SetUpCapture();
  }

  std::unique_ptr<Engine> OpenEngine(bool force_bootstrap = false) {
    EngineOptions options;
    options.capture.db_path = path_;
    options.batch_size = 10;
    options.retry.max_attempts = 1;
    options.force_bootstrap = force_bootstrap;
    std::unique_ptr<Engine> engine;
    EXPECT_TRUE(Engine::Open(options, &engine).ok());
    return engine;
  }

  std::unique_ptr<SqliteReplica> OpenReplica() {
    std::unique_ptr<SqliteReplica> replica;
    const Status status = SqliteReplica::Open(replica_path_, &replica);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return replica;
  }

  std::string Dump(const std::string& path) {
    return AppDb(path).Text(
        "SELECT group_concat(id || ':' || n || ':' || note, ',') FROM (SELECT * FROM items ORDER BY id)");
  }

  AppDb app_;
  std::string replica_path_;
};

TEST_F(SqliteReplicaTest, ReadersSeeTheReplicaAsItWasUntilANewSnapshotIsComplete) {
  auto replica = OpenReplica();
  ASSERT_TRUE(OpenEngine()->BootstrapThenDrain(*replica).ok());
  const std::string before = Dump(replica_path_);
  app_.Exec("UPDATE items SET n = 2, note = 'second'");
  app_.Exec("DELETE FROM items WHERE id > 50");

  Interposed interposed(*replica);
  std::vector<std::string> seen_by_a_reader;
  interposed.before_batch = [&](const Changes& batch) {
    if (batch.front().bootstrap) seen_by_a_reader.push_back(Dump(replica_path_));
    return HandlerResult::Success();
  };
  ASSERT_TRUE(OpenEngine(/*force_bootstrap=*/true)->Bootstrap(interposed).ok());
  ASSERT_EQ(seen_by_a_reader.size(), 5u) << "50 rows in batches of 10";
  for (const std::string& seen : seen_by_a_reader) EXPECT_EQ(seen, before) << "a reader saw part of a snapshot";
  EXPECT_EQ(Dump(replica_path_), Dump(path_));
}

TEST_F(SqliteReplicaTest, ASnapshotCutShortLeavesTheReplicaAndItsPositionAsTheyWere) {
  auto replica = OpenReplica();
  ASSERT_TRUE(OpenEngine()->BootstrapThenDrain(*replica).ok());
  app_.Exec("UPDATE items SET n = 2");
  ASSERT_TRUE(OpenEngine()->DrainOnce(*replica).ok());
  const std::string before = Dump(replica_path_);
  SinkPosition position_before;
  ASSERT_EQ(replica->ReadPosition(&position_before).kind, HandlerResult::Kind::kSuccess);
  ASSERT_EQ(position_before.log_id, 100);

  app_.Exec("DELETE FROM items WHERE id % 2 = 0");
  Interposed interposed(*replica);
  int bootstrap_batches = 0;
  interposed.before_batch = [&](const Changes& batch) {
    if (batch.front().bootstrap && ++bootstrap_batches == 3) return HandlerResult::Fatal("cut short");
    return HandlerResult::Success();
  };
  EXPECT_EQ(OpenEngine(/*force_bootstrap=*/true)->Bootstrap(interposed).code(), Status::Code::kHandlerFailed);
  EXPECT_EQ(Dump(replica_path_), before);
  SinkPosition position_after;
  ASSERT_EQ(replica->ReadPosition(&position_after).kind, HandlerResult::Kind::kSuccess);
  EXPECT_EQ(position_after.log_id, 100);
  EXPECT_EQ(position_after.snapshot, SinkPosition::Snapshot::kComplete);

  ASSERT_TRUE(OpenEngine()->DrainOnce(*replica).ok()) << "the next call goes on from the old position";
  EXPECT_EQ(Dump(replica_path_), Dump(path_));
}

TEST_F(SqliteReplicaTest, AFileThatIsNotOursIsRefused) {
  AppDb(dir_.File("other.db")).Exec("CREATE TABLE __cdc_replica (a, b)");
  std::unique_ptr<SqliteReplica> replica;
  const Status status = SqliteReplica::Open(dir_.File("other.db"), &replica);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("not sqlite-cdc's position table"), std::string::npos) << status.message();
  EXPECT_EQ(replica, nullptr);
}

}  // namespace
}  // namespace sqlite_cdc
