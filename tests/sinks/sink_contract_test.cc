// The contract every output keeps with the engine (sqlite_cdc/changes_handler.h), checked once for
// all of them: each sink is built by the one factory, as the CLI builds it, and delivers to the real
// thing on loopback; its harness (sink_harness.h) reads back what arrived.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>

#include "sinks/output_factory.h"
#include "sinks/sink_harness.h"
#include "sqlite_cdc/pipelined_handler.h"

namespace sqlite_cdc {

namespace {

using testing::DeliveredChange;
using testing::Destination;
using testing::SinkHarness;

// A change with a timestamp no other change of the test has, so that a consumer of an output
// without log ids (`-`) still tells every change apart.
Change MakeChange(int64_t id, const std::string& table, Operation operation, int serial) {
  Change change;
  change.id = id;
  change.table = table;
  char timestamp[40];
  std::snprintf(timestamp, sizeof timestamp, "2026-11-22T10:%02d:%02d.%03dZ", serial / 3600 % 60, serial / 60 % 60,
                serial % 1000);
  change.timestamp = timestamp;
  change.operation = operation;
  change.key = "{\"id\":" + std::to_string(serial % 4) + "}";
  if (operation != Operation::kInsert) change.before = "{\"id\":" + std::to_string(serial % 4) + ",\"n\":1}";
  if (operation != Operation::kDelete) change.after = "{\"id\":" + std::to_string(serial % 4) + ",\"n\":2}";
  return change;
}

// `count` changes with log ids from `first_id`, over two tables and every operation.
Changes LogBatch(int64_t first_id, int count) {
  static constexpr Operation kOperations[] = {Operation::kInsert, Operation::kUpdate, Operation::kDelete};
  Changes batch;
  for (int64_t id = first_id; id < first_id + count; ++id) {
    batch.push_back(MakeChange(id, id % 2 ? "items" : "orders", kOperations[id % 3], static_cast<int>(id)));
  }
  return batch;
}

// Bootstrap rows: inserts with id 0, the bootstrap flag, and serials after the log's.
Changes SnapshotBatch(int first_serial, int count) {
  Changes batch;
  for (int serial = first_serial; serial < first_serial + count; ++serial) {
    Change change = MakeChange(0, "items", Operation::kInsert, serial);
    change.bootstrap = true;
    batch.push_back(std::move(change));
  }
  return batch;
}

WatchedSchema Schema(int64_t log_position) {
  WatchedSchema schema;
  schema.log_position = log_position;
  schema.tables.push_back({"items", "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER)", {"id", "n"}, {"id"}});
  schema.tables.push_back({"orders", "CREATE TABLE orders (id INTEGER PRIMARY KEY, n INTEGER)", {"id", "n"}, {"id"}});
  return schema;
}

std::string Describe(const std::optional<int64_t>& id, const std::string& timestamp, const std::string& table,
                     const std::string& operation) {
  return (id ? "#" + std::to_string(*id) + " " : "") + timestamp + " " + table + " " + operation;
}

// What a consumer of an output without ids compares: the rest of each change.
std::vector<std::string> Described(const std::vector<DeliveredChange>& delivered) {
  std::vector<std::string> out;
  for (const DeliveredChange& change : delivered) {
    out.push_back(Describe(change.id, change.timestamp, change.table, change.operation));
  }
  return out;
}

std::vector<std::string> Described(const std::vector<Changes>& batches, bool with_ids) {
  std::vector<std::string> out;
  for (const Changes& batch : batches) {
    for (const Change& change : batch) {
      out.push_back(Describe(with_ids ? std::optional<int64_t>(change.id) : std::nullopt, change.timestamp,
                             change.table, std::string(OperationName(change.operation))));
    }
  }
  return out;
}

// `delivered` without the repeats: the first copy of each change kept, or the last.
std::vector<std::string> WithoutRepeats(const std::vector<std::string>& delivered, bool keep_last) {
  std::vector<std::string> kept;
  for (const std::string& change : delivered) {
    const auto seen = std::find(kept.begin(), kept.end(), change);
    if (seen != kept.end() && !keep_last) continue;
    if (seen != kept.end()) kept.erase(seen);
    kept.push_back(change);
  }
  return kept;
}

class SinkContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  SinkContractTest() : harness_(testing::MakeSinkHarness(GetParam())) {}

  // Puts the destination in `state` and builds the sink through the factory; skips when this
  // output cannot be in that state.
  void Build(Destination state = Destination::kHealthy) {
    if (const auto why = harness_->Prepare(state)) GTEST_SKIP() << *why;
    const Status status = sinks::MakeHandler(harness_->Options(), &sink_);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  // Each call as the sink answered it: "Success", "Retry" or "Fatal", then its message if any.
  std::string Handle(const Changes& batch) {
    return Answer([&] { return sink_->Handle(batch); });
  }
  std::string Announce(const WatchedSchema& schema) {
    return Answer([&] { return sink_->OnSchema(schema); });
  }
  std::string SnapshotComplete(int64_t position) {
    return Answer([&] { return sink_->OnSnapshotComplete(position); });
  }
  std::string Answer(const std::function<HandlerResult()>& call) {
    const HandlerResult result = harness_->Call(call);
    static constexpr const char* kNames[] = {"Success", "Retry", "Fatal"};
    return kNames[static_cast<int>(result.kind)] + (result.message.empty() ? "" : ": " + result.message);
  }
  // The kind of an answer.
  static std::string Kind(const std::string& answer) { return answer.substr(0, answer.find(':')); }

  // The sink goes first: its destructor may still flush to the destination the harness owns.
  std::vector<std::string> Delivered() {
    sink_.reset();
    return Described(harness_->Delivered());
  }
  // What the output should hold of `batches`, in order.
  std::vector<std::string> Expected(const std::vector<Changes>& batches) {
    return Described(batches, harness_->CarriesIds());
  }

  std::unique_ptr<SinkHarness> harness_;
  std::unique_ptr<ChangesHandler> sink_;
};

constexpr char kSuccess[] = "Success";

TEST_P(SinkContractTest, DeliversEveryChangeOnceAndInOrder) {
  ASSERT_NO_FATAL_FAILURE(Build());
  const std::vector<Changes> batches{LogBatch(1, 5), LogBatch(6, 1), LogBatch(7, 4)};
  for (const Changes& batch : batches) ASSERT_EQ(Handle(batch), kSuccess);
  const auto delivered = Delivered();
  EXPECT_EQ(delivered, Expected(batches));
}

TEST_P(SinkContractTest, ToleratesABatchDeliveredAgainAfterACrash) {
  ASSERT_NO_FATAL_FAILURE(Build());
  const std::vector<Changes> batches{LogBatch(1, 4), LogBatch(5, 4), LogBatch(9, 2)};
  ASSERT_EQ(Handle(batches[0]), kSuccess);
  ASSERT_EQ(Handle(batches[1]), kSuccess);
  // The engine crashed before it deleted the second batch: the next run sends it again, same ids.
  ASSERT_EQ(Handle(batches[1]), kSuccess);
  ASSERT_EQ(Handle(batches[2]), kSuccess);
  const auto delivered = Delivered();
  const auto expected = Expected(batches);
  EXPECT_EQ(WithoutRepeats(delivered, false), expected) << "every change, first copies in log order";
  EXPECT_EQ(WithoutRepeats(delivered, true), expected) << "the last copies in log order too";
  EXPECT_LE(delivered.size(), expected.size() + batches[1].size()) << "only the batch sent again repeats";
}

TEST_P(SinkContractTest, TakesSchemaAndSnapshotAnnouncementsAroundTheBatches) {
  ASSERT_NO_FATAL_FAILURE(Build());
  // As the engine calls a sink for --bootstrap --cdc: the schema, the snapshot, its end at log id
  // 4, the log after it; then a schema change and more of the log.
  const std::vector<Changes> batches{SnapshotBatch(100, 3), SnapshotBatch(103, 2), LogBatch(5, 3), LogBatch(8, 2)};
  ASSERT_EQ(Announce(Schema(0)), kSuccess);
  ASSERT_EQ(Handle(batches[0]), kSuccess);
  ASSERT_EQ(Handle(batches[1]), kSuccess);
  ASSERT_EQ(SnapshotComplete(4), kSuccess);
  ASSERT_EQ(Handle(batches[2]), kSuccess);
  ASSERT_EQ(Announce(Schema(7)), kSuccess);
  ASSERT_EQ(Handle(batches[3]), kSuccess);
  const auto delivered = Delivered();
  EXPECT_EQ(delivered, Expected(batches));
}

TEST_P(SinkContractTest, AnUnreachableDestinationIsRetryAndTheRetryLands) {
  ASSERT_NO_FATAL_FAILURE(Build(Destination::kUnreachable));
  if (IsSkipped()) return;
  const Changes batch = LogBatch(1, 3);
  const std::string first = Handle(batch);
  EXPECT_EQ(Kind(first), "Retry") << first;
  harness_->Recover();
  // The engine sends the same batch again until it is accepted (a client may need a moment to
  // reconnect); an earlier attempt's copies may land too.
  std::string answer = "Retry";
  for (int attempt = 0; attempt < 5 && Kind(answer) == "Retry"; ++attempt) answer = Handle(batch);
  ASSERT_EQ(answer, kSuccess);
  const auto delivered = Delivered();
  EXPECT_EQ(WithoutRepeats(delivered, false), Expected({batch}));
}

TEST_P(SinkContractTest, ARefusingDestinationIsFatal) {
  ASSERT_NO_FATAL_FAILURE(Build(Destination::kRefusing));
  if (IsSkipped()) return;
  const std::string answer = Handle(LogBatch(1, 3));
  EXPECT_EQ(Kind(answer), "Fatal") << answer;
}

// What a pipelined output was sent and answered, driven as the engine drives one.
struct PipelineRun {
  std::vector<std::string> failures;  // each failure's answer, in order
  size_t confirmed = 0;
};

class PipelinedSinkContractTest : public SinkContractTest {
 protected:
  // Builds the sink, which must be pipelined.
  void BuildPipelined(Destination state = Destination::kHealthy) {
    ASSERT_NO_FATAL_FAILURE(Build(state));
    if (IsSkipped()) return;
    pipelined_ = dynamic_cast<PipelinedHandler*>(sink_.get());
    ASSERT_NE(pipelined_, nullptr) << GetParam() << " is not a PipelinedHandler";
  }

  // Sends every batch ahead of its confirmation, then polls as the engine does when it has nothing
  // more to send (flush); after a failure sends again from the first unconfirmed batch, calling
  // `on_failure` first. Gives up after 10 failures or 60 s.
  PipelineRun SendThrough(
      const std::vector<Changes>& batches, const std::function<void()>& on_failure = [] {}) {
    PipelineRun run;
    size_t next = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const auto failed = [&](const HandlerResult& result) {
      run.failures.push_back(Answer([&] { return result; }));
      next = run.confirmed;
      on_failure();
    };
    while (run.confirmed < batches.size() && run.failures.size() < 10 && std::chrono::steady_clock::now() < deadline) {
      bool refused = false;
      for (; next < batches.size(); ++next) {
        const HandlerResult sent = pipelined_->Send(batches[next]);
        if (sent.kind != HandlerResult::Kind::kSuccess) {
          failed(sent);
          refused = true;
          break;
        }
      }
      if (refused) continue;
      const Confirmations confirmations = pipelined_->Poll(std::chrono::milliseconds(50), /*flush=*/true);
      run.confirmed += confirmations.batches;
      if (confirmations.failure.kind != HandlerResult::Kind::kSuccess) failed(confirmations.failure);
    }
    return run;
  }

  PipelinedHandler* pipelined_ = nullptr;
};

TEST_P(PipelinedSinkContractTest, BatchesSentAheadOfTheirConfirmationsAreConfirmedInOrder) {
  ASSERT_NO_FATAL_FAILURE(BuildPipelined());
  if (IsSkipped()) return;
  const std::vector<Changes> batches{LogBatch(1, 5), LogBatch(6, 1), LogBatch(7, 40), LogBatch(47, 3), LogBatch(50, 7)};
  const PipelineRun run = SendThrough(batches);
  EXPECT_TRUE(run.failures.empty()) << run.failures.front();
  EXPECT_EQ(run.confirmed, batches.size());
  const auto delivered = Delivered();
  EXPECT_EQ(delivered, Expected(batches));
}

TEST_P(PipelinedSinkContractTest, AFailureInTheMiddleOfAWindowIsSentAgainFromTheFirstUnconfirmedBatch) {
  ASSERT_NO_FATAL_FAILURE(BuildPipelined(Destination::kGoingDown));
  if (IsSkipped()) return;
  const std::vector<Changes> before{LogBatch(1, 4), LogBatch(5, 4)};
  ASSERT_EQ(SendThrough(before).confirmed, before.size());
  harness_->GoDown();
  const std::vector<Changes> window{LogBatch(9, 5), LogBatch(14, 2), LogBatch(16, 6), LogBatch(22, 3)};
  bool down = true;
  const PipelineRun run = SendThrough(window, [&] {
    if (down) harness_->Recover();
    down = false;
  });
  ASSERT_FALSE(run.failures.empty()) << "the destination was down";
  EXPECT_EQ(Kind(run.failures.front()), "Retry") << run.failures.front();
  EXPECT_EQ(run.confirmed, window.size());
  const auto delivered = Delivered();
  std::vector<Changes> all = before;
  all.insert(all.end(), window.begin(), window.end());
  const auto expected = Expected(all);
  EXPECT_EQ(WithoutRepeats(delivered, false), expected) << "every change, first copies in log order";
  EXPECT_EQ(WithoutRepeats(delivered, true), expected) << "the last copies in log order: per key the newest last";
}

// The contract of an output that keeps the log position with the data (exactly once): what it
// reports to the engine at start, checked across a restart of the sink (built again by the factory).
class PositionKeepingSinkContractTest : public SinkContractTest {
 protected:
  SinkPosition PositionAfterRestart() {
    sink_.reset();
    EXPECT_TRUE(sinks::MakeHandler(harness_->Options(), &sink_).ok());
    SinkPosition position;
    const std::string answer = Answer([&] { return sink_->ReadPosition(&position); });
    EXPECT_EQ(answer, kSuccess);
    return position;
  }
};

TEST_P(PositionKeepingSinkContractTest, ANewDestinationKeepsAPositionAndHoldsNothingYet) {
  ASSERT_NO_FATAL_FAILURE(Build());
  const SinkPosition position = PositionAfterRestart();
  EXPECT_TRUE(position.kept);
  EXPECT_EQ(position.log_id, std::nullopt);
  EXPECT_EQ(position.snapshot, SinkPosition::Snapshot::kNone);
}

TEST_P(PositionKeepingSinkContractTest, EachAcceptedBatchMovesThePositionToItsLastChange) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_EQ(Announce(Schema(0)), kSuccess);
  ASSERT_EQ(Handle(LogBatch(1, 5)), kSuccess);
  EXPECT_EQ(PositionAfterRestart().log_id, 5);
  ASSERT_EQ(Announce(Schema(5)), kSuccess);
  ASSERT_EQ(Handle(LogBatch(6, 3)), kSuccess);
  ASSERT_EQ(Handle(LogBatch(9, 1)), kSuccess);
  EXPECT_EQ(PositionAfterRestart().log_id, 9);
}

TEST_P(PositionKeepingSinkContractTest, ThePositionNamesTheLogItBelongsTo) {
  ASSERT_NO_FATAL_FAILURE(Build());
  WatchedSchema schema = Schema(0);
  schema.log_epoch = "5f3c9a0e1b2d4c6f8a7e9d0c1b2a3f4e";
  ASSERT_EQ(Announce(schema), kSuccess);
  ASSERT_EQ(Handle(LogBatch(1, 3)), kSuccess);
  const SinkPosition position = PositionAfterRestart();
  EXPECT_EQ(position.log_id, 3);
  EXPECT_EQ(position.log_epoch, schema.log_epoch) << "the engine refuses a position of another log by it";
}

TEST_P(PositionKeepingSinkContractTest, TheEndOfASnapshotStoresItsPositionAndTheLogGoesOnFromThere) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_EQ(Announce(Schema(0)), kSuccess);
  ASSERT_EQ(Handle(SnapshotBatch(100, 3)), kSuccess);
  ASSERT_EQ(Handle(SnapshotBatch(103, 2)), kSuccess);
  ASSERT_EQ(SnapshotComplete(4), kSuccess);
  const SinkPosition after_snapshot = PositionAfterRestart();
  EXPECT_EQ(after_snapshot.log_id, 4);
  EXPECT_EQ(after_snapshot.snapshot, SinkPosition::Snapshot::kComplete);
  ASSERT_EQ(Announce(Schema(4)), kSuccess);
  ASSERT_EQ(Handle(LogBatch(5, 3)), kSuccess);
  const SinkPosition after_changes = PositionAfterRestart();
  EXPECT_EQ(after_changes.log_id, 7);
  EXPECT_EQ(after_changes.snapshot, SinkPosition::Snapshot::kComplete);
}

TEST_P(PositionKeepingSinkContractTest, ASnapshotThatNeverEndedIsNotClaimedComplete) {
  ASSERT_NO_FATAL_FAILURE(Build());
  ASSERT_EQ(Announce(Schema(0)), kSuccess);
  ASSERT_EQ(Handle(SnapshotBatch(100, 3)), kSuccess);
  const SinkPosition position = PositionAfterRestart();
  EXPECT_NE(position.snapshot, SinkPosition::Snapshot::kComplete);
  EXPECT_EQ(position.log_id, std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(PositionKeepingOutputs, PositionKeepingSinkContractTest,
                         ::testing::Values("sqlite", "postgres", "kafka-exactly-once"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param == "kafka-exactly-once" ? std::string("kafka_exactly_once") : info.param;
                         });

// The outputs that confirm later; the others confirm each batch when its call returns.
INSTANTIATE_TEST_SUITE_P(PipelinedOutputs, PipelinedSinkContractTest, ::testing::Values("kafka", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(EveryOutput, SinkContractTest, ::testing::Values("-", "json", "http", "kafka", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param == "-" ? std::string("stdout") : info.param;
                         });

}  // namespace
}  // namespace sqlite_cdc
