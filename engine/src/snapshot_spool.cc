#include "snapshot_spool.h"

#include "schema/bootstrap_sql.h"
#include "schema/identifier.h"
#include "schema/trigger_sql.h"
#include "utf8.h"

namespace sqlite_cdc::internal {
namespace {

// While it lives, the connection's statements are interrupted (SQLITE_INTERRUPT) once `stop` says so.
class InterruptWhen {
 public:
  InterruptWhen(Database& db, const std::function<bool()>& stop) : db_(db), stop_(stop) {
    if (stop_) sqlite3_progress_handler(db_.handle(), kInstructions, &Ask, this);
  }
  InterruptWhen(const InterruptWhen&) = delete;
  InterruptWhen& operator=(const InterruptWhen&) = delete;
  ~InterruptWhen() {
    if (stop_) sqlite3_progress_handler(db_.handle(), 0, nullptr, nullptr);
  }

 private:
  static constexpr int kInstructions = 10000;  // a few hundred rows' worth: well under a millisecond
  static int Ask(void* self) { return static_cast<InterruptWhen*>(self)->stop_() ? 1 : 0; }

  Database& db_;
  const std::function<bool()>& stop_;
};

}  // namespace

SnapshotSpool::SnapshotSpool(Database& db, const std::vector<schema::TableSchema>& tables,
                             const schema::LogTableNames& log, bool blobs, bool subsecond,
                             const BootstrapProgressCallback& progress, const std::string& file,
                             const std::function<bool()>& stop)
    : db_(db) {
  // An empty file name attaches a private on-disk temporary database, deleted when detached.
  Statement attach(db_, "ATTACH DATABASE ?1 AS cdc_snapshot");
  attach.Bind(1, file).Step();
  try {
    db_.Execute(
        "PRAGMA cdc_snapshot.journal_mode=OFF; PRAGMA cdc_snapshot.synchronous=OFF;"
        "CREATE TABLE cdc_snapshot.rows (seq INTEGER PRIMARY KEY, tablename TEXT, key TEXT, image TEXT)");
    ReadTransaction snapshot(db_);
    {
      // Inside the transaction's scope: disarmed before the transaction ends, also on a throw.
      InterruptWhen interrupt(db_, stop);
      schema_version_ = db_.QueryInt("PRAGMA schema_version");
      for (const schema::TableSchema& table : tables) {
        TableRows rows{table.name, db_.QueryInt("SELECT count(*) FROM " + schema::QuoteIdentifier(table.name))};
        SnapshotRowCounter counter(db_, progress, rows);
        Statement copy(db_, "INSERT INTO cdc_snapshot.rows (tablename, key, image) SELECT ?1, * FROM (" +
                                schema::SnapshotSelectSql(table, blobs) + ") WHERE " + SnapshotRowCounter::kCall);
        copy.Bind(1, table.name).Step();
        counter.Finish();
        tables_.push_back(std::move(rows));
      }
      // The id of the newest change ever logged, whether still in the log or delivered and removed:
      // the triggers number the next change one above it.
      log_position_ = db_.QueryInt(schema::LastLoggedIdSql(log, "main."));
      timestamp_ = db_.QueryText("SELECT " + schema::TimestampExpression(subsecond));
    }
    snapshot.End();
    rows_ = db_.QueryInt("SELECT count(*) FROM cdc_snapshot.rows");
  } catch (...) {
    sqlite3_exec(db_.handle(), "DETACH DATABASE cdc_snapshot", nullptr, nullptr, nullptr);
    if (stop && stop()) throw SnapshotStopped();
    throw;
  }
}

SnapshotSpool::~SnapshotSpool() {
  sqlite3_exec(db_.handle(), "DETACH DATABASE cdc_snapshot", nullptr, nullptr, nullptr);
}

void SnapshotSpool::Next(size_t limit, Changes& batch) {
  ReadRows(db_, "cdc_snapshot.rows", timestamp_, limit, &cursor_, batch);
}

void SnapshotSpool::ReadRows(Database& db, const std::string& rows_table, const std::string& timestamp, size_t limit,
                             int64_t* cursor, Changes& batch) {
  batch.clear();
  Statement read(db, "SELECT seq, tablename, key, image FROM " + rows_table + " WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  read.Bind(1, *cursor).Bind(2, static_cast<int64_t>(limit));
  while (read.Step()) {
    *cursor = read.Int(0);
    Change change;
    change.table = std::string(read.Text(1));
    change.key = std::string(read.Text(2));
    change.after = std::string(read.Text(3));
    RepairUtf8(change.table);
    RepairUtf8(change.key);
    RepairUtf8(*change.after);
    change.timestamp = timestamp;
    change.bootstrap = true;
    batch.push_back(std::move(change));
  }
}

}  // namespace sqlite_cdc::internal
