#include "sinks/postgres/postgres_replica.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "schema/identifier.h"
#include "sinks/postgres/pg_connection.h"
#include "sinks/postgres/pg_value.h"
#include "sqlite_cdc/table_columns.h"

namespace sqlite_cdc::sinks {
namespace {

using json = nlohmann::json;

constexpr char kRowidColumn[] = "_rowid";
// PostgreSQL truncates longer identifiers (NAMEDATALEN 64): two long names could become one.
constexpr size_t kMaxIdentifierBytes = 63;
// PostgreSQL takes at most 65535 parameters in one statement.
constexpr size_t kMaxParameters = 65535;

// A failure that needs a person: the message says what and what to do.
class Refusal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string Quote(const std::string& name) { return schema::QuoteIdentifier(name); }

struct ReplicaColumn {
  std::string name;
  std::string declared_type;  // on the source
  PgType type;
  std::optional<std::string> added_value;  // JSON: what the source's rows that predate the column hold
};

struct ReplicaTable {
  std::string name;
  std::string qualified;                       // "schema"."table"
  std::vector<ReplicaColumn> columns;          // the source's, in table order (the rowid column is apart)
  std::vector<std::string> key;                // key columns in key order; empty: keyed by _rowid
  std::map<std::string, std::string> renames;  // image member names of older changes -> current name

  // A current column's name wins over an old name of another column (a column added under a
  // renamed one's old name is its own column).
  std::optional<size_t> ColumnIndex(const std::string& image_name) const {
    if (std::optional<size_t> index = CurrentIndex(image_name)) return index;
    const auto renamed = renames.find(image_name);
    if (renamed == renames.end()) return std::nullopt;
    return CurrentIndex(renamed->second);
  }

  std::optional<size_t> CurrentIndex(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].name == name) return i;
    }
    return std::nullopt;
  }
};

// A column of the replica's table as PostgreSQL has it.
struct CatalogColumn {
  std::string name;
  std::string type;  // format_type()
};

// What a change's row becomes: its values by column, in the order of `columns`.
struct Row {
  std::vector<size_t> columns;  // indexes into ReplicaTable::columns
  std::vector<PgParam> values;  // the rowid first for a rowid table, then one per column
};

}  // namespace

class PostgresReplicaImpl {
 public:
  PostgresReplicaImpl(PostgresTarget target, std::string password)
      : target_(std::move(target)), password_(std::move(password)) {}

  // Runs `body`; after a failure, what it leaves open is rolled back and forgotten (Forget).
  HandlerResult Outcome(const std::function<void()>& body) {
    std::string message;
    bool transient = false;
    bool reconnect = false;
    try {
      body();
      return HandlerResult::Success();
    } catch (const PgError& error) {
      message = error.what();
      transient = error.transient();
      // A server that became read-only (a failover): the next attempt connects again, so that a
      // URL naming several hosts (target_session_attrs=read-write) finds the new primary.
      reconnect = error.sqlstate() == "25006";
    } catch (const std::exception& error) {
      message = error.what();
    }
    message = "postgres " + target_.display + ": " + message;
    // A snapshot part rolled back alone: the snapshot goes on when the engine sends the part again.
    if (std::exchange(part_rolled_back_, false) && snapshot_ && transient) return HandlerResult::Retry(message);
    // Otherwise a snapshot's earlier parts are gone with its transaction, and the engine would send
    // only the next ones.
    const bool snapshot_lost = snapshot_ && transient;
    Forget();
    if (reconnect) conn_.reset();
    if (snapshot_lost) return HandlerResult::Fatal(message + "; the bootstrap's transaction is lost: run it again");
    return transient ? HandlerResult::Retry(message) : HandlerResult::Fatal(message);
  }

  // The announced tables, followed; and the replica's other tables (dropped on the source, or no
  // longer watched), which still get the changes logged before, also after a restart.
  void FollowSchema(const WatchedSchema& schema) {
    if (group_) CommitGroup();
    PgConnection& conn = Connection();
    std::map<std::string, ReplicaTable> followed;
    conn.Execute(snapshot_ ? "SAVEPOINT cdc_schema" : "BEGIN");
    for (const TableDefinition& definition : schema.tables) {
      followed[definition.name] = FollowTable(conn, definition);
    }
    for (const std::string& name : ReplicaTableNames(conn)) {
      if (followed.count(name)) continue;
      if (std::optional<ReplicaTable> table = CatalogTable(conn, name)) followed[name] = std::move(*table);
    }
    if (snapshot_) {
      conn.Execute("RELEASE SAVEPOINT cdc_schema");
    } else {
      conn.Commit();
    }
    tables_ = std::move(followed);
    schema_followed_ = true;
    announced_.clear();
    for (const TableDefinition& definition : schema.tables) announced_.push_back(definition.name);
    log_epoch_ = schema.log_epoch;
  }

  void Take(const Changes& batch) {
    if (!schema_followed_ && !batch.empty()) throw Refusal("a batch came before the schema of its tables");
    if (!batch.empty() && batch.front().bootstrap) {
      ApplySnapshotPart(batch);
      ++snapshot_batches_;  // only the snapshot's end commits it
      return;
    }
    ReportLostGroup();
    if (commit_in_doubt_) ResolveCommitInDoubt();
    if (committed_through_ && !batch.empty() && batch.back().id <= *committed_through_) {
      ++committed_batches_;  // the group whose COMMIT answer was lost holds it: confirmed, not applied again
      return;
    }
    PgConnection& conn = Connection();
    if (!group_) {
      conn.Execute("BEGIN");
      group_ = true;
    }
    ApplyChanges(conn, batch);
    ++group_batches_;
    if (!batch.empty()) last_ = batch.back();
    caught_up_ = false;
  }

  void CaughtUp() { caught_up_ = true; }

  size_t Confirm(bool flush) {
    // Groups committed before the lost one are confirmed first, then the loss is reported.
    const size_t ready = committed_batches_ + snapshot_batches_;
    if (ready == 0) ReportLostGroup();
    // What is confirmed already is reported before the open group is committed: a failed commit
    // would leave it counted while the engine sends it again, to be counted twice (and a batch
    // never committed taken for confirmed). The next call commits.
    if (group_ && (flush || caught_up_) && ready == 0) {
      caught_up_ = false;
      CommitGroup();
    }
    return std::exchange(committed_batches_, 0) + std::exchange(snapshot_batches_, 0);
  }

  void CompleteSnapshot(int64_t log_position) {
    PgConnection& conn = Connection();
    if (!snapshot_) BeginSnapshot(conn);
    StorePosition(conn, log_position, std::nullopt, /*snapshot_complete=*/true);
    conn.Commit();
    snapshot_ = false;
  }

  // The engine asks at the start of each call: a snapshot still open was abandoned by an earlier call
  // (a failure or a stop) and is rolled back, so the replica is again what it was before it.
  SinkPosition Position() {
    Forget();
    group_lost_ = false;
    commit_in_doubt_.reset();  // the position read here is where the engine resumes
    committed_through_.reset();
    committed_batches_ = 0;
    PgConnection& conn = Connection();
    PgResult result = conn.Query("SELECT log_id, snapshot, log_epoch FROM " + PositionTable());
    SinkPosition position;
    position.kept = true;
    if (PQntuples(result.get()) == 1) {
      if (!PQgetisnull(result.get(), 0, 0)) position.log_id = std::stoll(PQgetvalue(result.get(), 0, 0));
      if (std::string(PQgetvalue(result.get(), 0, 1)) == "complete") {
        position.snapshot = SinkPosition::Snapshot::kComplete;
      }
      if (!PQgetisnull(result.get(), 0, 2)) position.log_epoch = PQgetvalue(result.get(), 0, 2);
    }
    return position;
  }

  // A group's COMMIT whose answer was lost: the stored position says whether it committed. If it
  // holds exactly that group's last id, the engine's batches up to it (sent again, in log order) are
  // confirmed without being applied again; applying only their first part would take the replica
  // back in time. Anything else is what it was before: the group is applied again, and a position
  // that is further still is refused as another writer's when it is stored.
  void ResolveCommitInDoubt() {
    // FOR UPDATE: a COMMIT the server is still carrying out holds the row until it ends.
    PgResult result = Connection().Query("SELECT log_id FROM " + PositionTable() + " FOR UPDATE");
    if (PQntuples(result.get()) == 1 && !PQgetisnull(result.get(), 0, 0) &&
        std::stoll(PQgetvalue(result.get(), 0, 0)) == *commit_in_doubt_) {
      committed_through_ = commit_in_doubt_;
    }
    commit_in_doubt_.reset();
  }

  // A failure of Send or Poll told the engine that every unconfirmed batch is forgotten.
  void LossReported() { group_lost_ = false; }

 private:
  std::string PositionTable() const { return Quote(target_.schema) + ".__cdc_replica"; }
  std::string RenamesTable() const { return Quote(target_.schema) + ".__cdc_replica_renamed"; }

  // The open connection, connecting (and making the position tables) when there is none. A
  // transaction never spans two connections: a lost one was forgotten (Forget) before.
  PgConnection& Connection() {
    if (conn_ && conn_->Usable()) return *conn_;
    if (group_ || snapshot_) throw PgError("the connection was lost", true);
    conn_.reset();
    std::unique_ptr<PgConnection> conn = PgConnection::Connect(target_.conninfo, password_);
    PgResult schema = conn->Query("SELECT 1 FROM pg_namespace WHERE nspname = $1", {target_.schema});
    if (PQntuples(schema.get()) == 0) {
      throw Refusal("schema " + Quote(target_.schema) + " does not exist: create it (CREATE SCHEMA " +
                    Quote(target_.schema) + ") or name another with ?schema=");
    }
    conn->Execute("CREATE TABLE IF NOT EXISTS " + PositionTable() +
                  " (singleton integer PRIMARY KEY CHECK (singleton = 1), log_id bigint, "
                  "snapshot text NOT NULL CHECK (snapshot IN ('none', 'complete')), source_timestamp text, "
                  "applied_at timestamptz NOT NULL, log_epoch text); "
                  "INSERT INTO " +
                  PositionTable() +
                  " VALUES (1, NULL, 'none', NULL, now(), NULL) ON CONFLICT DO NOTHING; "
                  "CREATE TABLE IF NOT EXISTS " +
                  RenamesTable() +
                  " (tablename text NOT NULL, old_name text NOT NULL, new_name text NOT NULL, "
                  "PRIMARY KEY (tablename, old_name))");
    conn_ = std::move(conn);
    return *conn_;
  }

  // Rolls back whatever transaction is open (a group, a snapshot, a schema step cut short) and
  // forgets it: a group's batches are sent again. Groups committed before stay confirmed: only
  // Position (a new start) forgets them. Closes a broken connection. A snapshot whose failed part
  // was rolled back alone stays open (Outcome). Batches of a group rolled back outside Send and Poll
  // (a schema step) are still in flight for the engine: the next Send or Poll reports the loss
  // (ReportLostGroup), so that they are sent again.
  void Forget() {
    if (group_batches_ > 0) group_lost_ = true;
    if (conn_ && conn_->Usable() && conn_->InTransaction()) {
      try {
        conn_->Execute("ROLLBACK");
      } catch (const PgError&) {
        conn_.reset();
      }
    }
    if (conn_ && !conn_->Usable()) conn_.reset();
    group_ = false;
    snapshot_ = false;
    group_batches_ = 0;
    snapshot_batches_ = 0;
    last_.reset();
  }

  void ReportLostGroup() {
    if (group_lost_) throw PgError("the batches sent since the last commit were rolled back; sending them again", true);
  }

  void CommitGroup() {
    PgConnection& conn = Connection();
    if (last_) StorePosition(conn, last_->id, last_->timestamp, /*snapshot_complete=*/false);
    try {
      conn.Commit();
    } catch (const PgError&) {
      // The connection broke with the COMMIT sent: the server may have committed it. Read back at the
      // next batch (ResolveCommitInDoubt), not taken for another writer when the group comes again.
      if (last_ && !conn.Usable()) commit_in_doubt_ = last_->id;
      throw;
    }
    group_ = false;
    committed_batches_ += std::exchange(group_batches_, 0);
    last_.reset();
  }

  // A group's position only moves forward within its log: a group at or before the stored position
  // would apply changes the replica holds again (another process writing into the same schema), and
  // is refused with nothing of it committed. A snapshot's end stores its position as it is.
  void StorePosition(PgConnection& conn, int64_t log_id, const std::optional<std::string>& timestamp,
                     bool snapshot_complete) {
    const std::string forward =
        snapshot_complete ? "" : " WHERE log_id IS NULL OR log_id < $1 OR log_epoch IS DISTINCT FROM $4";
    PgResult stored =
        conn.Query("UPDATE " + PositionTable() +
                       " SET log_id = $1, source_timestamp = coalesce($2, source_timestamp), "
                       "snapshot = coalesce($3, snapshot), log_epoch = $4, applied_at = now()" +
                       forward,
                   {std::to_string(log_id), timestamp, snapshot_complete ? PgParam("complete") : std::nullopt,
                    log_epoch_.empty() ? std::nullopt : PgParam(log_epoch_)});
    if (std::string(PQcmdTuples(stored.get())) != "1") {
      throw Refusal("the replica already holds the log up to log id " + std::to_string(log_id) +
                    " or further: is another sqlite-cdc writing into schema " + Quote(target_.schema) +
                    "? nothing of these changes was applied");
    }
  }

  // ---- schema -------------------------------------------------------------------------------

  static void CheckIdentifier(const std::string& name) {
    if (name.size() > kMaxIdentifierBytes) {
      throw Refusal("the name " + name + " is longer than PostgreSQL's 63 bytes: rename it on the source");
    }
  }

  std::vector<CatalogColumn> CatalogColumns(PgConnection& conn, const std::string& qualified) {
    PgResult result = conn.Query(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        {qualified});
    std::vector<CatalogColumn> columns;
    for (int i = 0; i < PQntuples(result.get()); ++i) {
      columns.push_back({PQgetvalue(result.get(), i, 0), PQgetvalue(result.get(), i, 1)});
    }
    return columns;
  }

  std::vector<std::string> CatalogKey(PgConnection& conn, const std::string& qualified) {
    PgResult result = conn.Query(
        "SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.n",
        {qualified});
    std::vector<std::string> key;
    for (int i = 0; i < PQntuples(result.get()); ++i) key.push_back(PQgetvalue(result.get(), i, 0));
    return key;
  }

  // The tables in the target schema but the position tables.
  std::vector<std::string> ReplicaTableNames(PgConnection& conn) {
    PgResult result = conn.Query(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND "
        "c.relkind IN ('r', 'p') AND c.relname NOT IN ('__cdc_replica', '__cdc_replica_renamed') ORDER BY 1",
        {target_.schema});
    std::vector<std::string> names;
    for (int i = 0; i < PQntuples(result.get()); ++i) names.push_back(PQgetvalue(result.get(), i, 0));
    return names;
  }

  // A table of the replica as its catalog has it (a leading _rowid key: keyed by rowid); nullopt for
  // one the replica did not make (no primary key, a type it does not map): it gets no changes.
  std::optional<ReplicaTable> CatalogTable(PgConnection& conn, const std::string& name) {
    ReplicaTable table;
    table.name = name;
    table.qualified = Quote(target_.schema) + "." + Quote(name);
    const std::vector<std::string> key = CatalogKey(conn, table.qualified);
    if (key.empty()) return std::nullopt;
    const bool by_rowid = key == std::vector<std::string>{kRowidColumn};
    std::vector<CatalogColumn> columns = CatalogColumns(conn, table.qualified);
    if (by_rowid && (columns.empty() || columns.front().name != kRowidColumn)) return std::nullopt;
    for (size_t i = by_rowid ? 1 : 0; i < columns.size(); ++i) {
      const std::optional<PgType> type = PgTypeFromCatalog(columns[i].type);
      if (!type) return std::nullopt;
      table.columns.push_back({columns[i].name, columns[i].type, *type, std::nullopt});
    }
    if (!by_rowid) table.key = key;
    LoadRenames(conn, table);
    return table;
  }

  // Creates the table, or brings the replica's table up to the source's with ALTER TABLE.
  ReplicaTable FollowTable(PgConnection& conn, const TableDefinition& definition) {
    ReplicaTable table;
    table.name = definition.name;
    table.qualified = Quote(target_.schema) + "." + Quote(definition.name);
    table.key = definition.key;
    CheckIdentifier(definition.name);
    std::vector<ColumnDefinition> source;
    if (Status status = ReadColumns(definition, &source); !status.ok()) throw Refusal(status.message());
    for (const ColumnDefinition& column : source) {
      CheckIdentifier(column.name);
      if (table.key.empty() && column.name == kRowidColumn) {
        throw Refusal("table " + definition.name + " has no primary key and a column named _rowid, the name its " +
                      "replica's rowid key takes: declare a primary key on the source");
      }
      table.columns.push_back({column.name, column.declared_type, PgTypeOf(column.declared_type), column.added_value});
    }

    std::vector<CatalogColumn> have = CatalogColumns(conn, table.qualified);
    if (have.empty()) {
      std::string sql = "CREATE TABLE " + table.qualified + " (";
      if (table.key.empty()) sql += Quote(kRowidColumn) + " bigint, ";
      for (const ReplicaColumn& column : table.columns) {
        sql += Quote(column.name) + " " + PgTypeName(column.type) + ", ";
      }
      sql += "PRIMARY KEY (" + KeyList(table) + "))";
      spdlog::info("postgres {}: {}", target_.display, sql);
      conn.Execute(sql);
    } else {
      FollowColumns(conn, table, have);
    }
    LoadRenames(conn, table);
    return table;
  }

  static std::string KeyList(const ReplicaTable& table) {
    if (table.key.empty()) return Quote(kRowidColumn);
    std::string list;
    for (const std::string& column : table.key) list += (list.empty() ? "" : ", ") + Quote(column);
    return list;
  }

  // The source's rows that predate an added column read its default: so do the replica's.
  static std::string AddedDefault(PgConnection& conn, const ReplicaTable& table, const ReplicaColumn& column) {
    if (!column.added_value) return "";
    std::optional<std::string> text;
    try {
      text = PgText(json::parse(*column.added_value), column.type);
    } catch (const ValueMismatch& mismatch) {
      throw Refusal("the default of column " + column.name + " added to table " + table.name + " is " +
                    mismatch.what() + ", which its PostgreSQL type " + PgTypeName(column.type) +
                    " cannot hold: declare the column on the source with a type that fits it");
    }
    if (!text) return "";
    return std::string(" DEFAULT ") + conn.Literal(*text) + "::" + PgTypeName(column.type);
  }

  // SQLite's ALTER TABLE appends added columns, renames in place and drops: with no column dropped,
  // each of the replica's columns keeps its name and type or is renamed (to a name it does not have,
  // from one the source no longer has), and the source's further columns are added; with columns
  // dropped and none added or renamed, they are dropped. Anything else is refused.
  void FollowColumns(PgConnection& conn, const ReplicaTable& table, std::vector<CatalogColumn> have) {
    if (table.key.empty() && !have.empty() && have.front().name == kRowidColumn) have.erase(have.begin());
    const std::vector<ReplicaColumn>& want = table.columns;
    auto has = [](const auto& columns, const std::string& name) {
      return std::any_of(columns.begin(), columns.end(), [&](const auto& column) { return column.name == name; });
    };
    auto same_type = [](const CatalogColumn& column, const ReplicaColumn& wanted) {
      return column.type == PgTypeName(wanted.type);
    };
    std::vector<std::string> steps;
    std::vector<std::pair<std::string, std::string>> renamed;
    std::vector<std::string> added;
    std::vector<std::string> have_key_after = CatalogKey(conn, table.qualified);
    bool followable = true;
    if (have.size() <= want.size()) {
      for (size_t i = 0; i < have.size() && followable; ++i) {
        followable = same_type(have[i], want[i]);
        if (!followable || have[i].name == want[i].name) continue;
        followable = !has(have, want[i].name) && !has(want, have[i].name);
        renamed.emplace_back(have[i].name, want[i].name);
        steps.push_back("ALTER TABLE " + table.qualified + " RENAME COLUMN " + Quote(have[i].name) + " TO " +
                        Quote(want[i].name));
        std::replace(have_key_after.begin(), have_key_after.end(), have[i].name, want[i].name);
      }
      for (size_t i = have.size(); i < want.size() && followable; ++i) {
        steps.push_back("ALTER TABLE " + table.qualified + " ADD COLUMN " + Quote(want[i].name) + " " +
                        PgTypeName(want[i].type) + AddedDefault(conn, table, want[i]));
        added.push_back(want[i].name);
      }
    } else {
      size_t next = 0;  // want's columns must be have's, in order, less the dropped ones
      for (const CatalogColumn& column : have) {
        if (next < want.size() && column.name == want[next].name) {
          followable = followable && same_type(column, want[next]);
          ++next;
        } else {
          steps.push_back("ALTER TABLE " + table.qualified + " DROP COLUMN " + Quote(column.name));
        }
      }
      followable = followable && next == want.size();
    }
    const std::vector<std::string> want_key = table.key.empty() ? std::vector<std::string>{kRowidColumn} : table.key;
    if (!followable || have_key_after != want_key) {
      std::string from, to;
      for (const CatalogColumn& column : have) from += (from.empty() ? "" : ", ") + column.name + " " + column.type;
      for (const ReplicaColumn& column : want) {
        to += (to.empty() ? "" : ", ") + column.name + " " + PgTypeName(column.type);
      }
      throw Refusal("cannot follow table " + table.name + " from (" + from + ") to (" + to +
                    ") with ALTER TABLE (a column's type or the key changed): drop the replica's table " +
                    table.qualified + " and take a new replica with --bootstrap");
    }
    for (const std::string& step : steps) {
      spdlog::info("postgres {}: {}", target_.display, step);
      conn.Execute(step);
    }
    for (const std::string& name : added) {
      // A column added under an old name is its own: that name no longer leads to the renamed one.
      conn.Query("DELETE FROM " + RenamesTable() + " WHERE tablename = $1 AND old_name = $2", {table.name, name});
    }
    for (const auto& [old_name, new_name] : renamed) {
      // A chain of renames (a to b, then b to c) leads every old name to the current one.
      conn.Query("UPDATE " + RenamesTable() + " SET new_name = $3 WHERE tablename = $1 AND new_name = $2",
                 {table.name, old_name, new_name});
      conn.Query("INSERT INTO " + RenamesTable() +
                     " VALUES ($1, $2, $3) ON CONFLICT (tablename, old_name) DO UPDATE SET new_name = $3",
                 {table.name, old_name, new_name});
    }
  }

  void LoadRenames(PgConnection& conn, ReplicaTable& table) {
    PgResult result =
        conn.Query("SELECT old_name, new_name FROM " + RenamesTable() + " WHERE tablename = $1", {table.name});
    for (int i = 0; i < PQntuples(result.get()); ++i) {
      table.renames[PQgetvalue(result.get(), i, 0)] = PQgetvalue(result.get(), i, 1);
    }
  }

  // ---- rows ---------------------------------------------------------------------------------

  // A change of a table neither announced nor in the replica (dropped on the source before the
  // replica had it, or dropped from the replica) has nowhere to go: rather than confirm it unapplied,
  // delivery stops with the change in the log.
  ReplicaTable& TableOf(const Change& change) {
    const auto found = tables_.find(change.table);
    if (found != tables_.end()) return found->second;
    throw Refusal("a change of table " + change.table + " (log id " + std::to_string(change.id) + "): table " +
                  change.table +
                  " is neither on the source nor in the replica, so it cannot be applied; nothing of its batch was "
                  "applied and it stays in the log: take a new replica with --bootstrap --force-bootstrap");
  }

  static std::string Where(const ReplicaTable& table, const Change& change) {
    return "table " + table.name + " (key " + change.key +
           (change.bootstrap ? ", bootstrap" : ", log id " + std::to_string(change.id)) + ")";
  }

  // The value of `column` in PostgreSQL's text form; a mismatch stops the replica, naming it.
  static PgParam Convert(const ReplicaTable& table, const ReplicaColumn& column, const json& value,
                         const Change& change) {
    try {
      return PgText(value, column.type);
    } catch (const ValueMismatch& mismatch) {
      throw Refusal(std::string("column ") + column.name + " of " + Where(table, change) + " holds " + mismatch.what() +
                    ", which its PostgreSQL type " + PgTypeName(column.type) + " (declared " +
                    (column.declared_type.empty() ? "without a type" : column.declared_type) +
                    ") cannot hold; nothing was applied and the change stays in the log: declare the column on "
                    "the source with a type that fits its values (no type or NUMERIC is replicated as jsonb, "
                    "which holds any value) and take a new replica with --bootstrap");
    }
  }

  static PgParam RowidOf(const ReplicaTable& table, const Change& change) {
    const json key = json::parse(change.key);
    if (!key.is_object() || key.size() != 1 || !key.begin()->is_number_integer()) {
      throw Refusal("the key of a change of " + Where(table, change) + " is not a rowid");
    }
    return key.begin()->dump();
  }

  // The after-image's columns that the table has (a dropped column's are left out), rowid first;
  // key columns the image leaves out (a BLOB key without --blobs) from the change's key.
  static Row ImageRow(const ReplicaTable& table, const Change& change) {
    Row row;
    if (table.key.empty()) row.values.push_back(RowidOf(table, change));
    const auto take = [&](const json& members) {
      for (const auto& [name, value] : members.items()) {
        const std::optional<size_t> index = table.ColumnIndex(name);
        if (!index || std::find(row.columns.begin(), row.columns.end(), *index) != row.columns.end()) continue;
        row.columns.push_back(*index);
        row.values.push_back(Convert(table, table.columns[*index], value, change));
      }
    };
    take(json::parse(change.after.value_or("{}")));
    if (!table.key.empty()) take(json::parse(change.key));
    return row;
  }

  // The key's values in key order.
  static Row KeyRow(const ReplicaTable& table, const Change& change) {
    Row row;
    if (table.key.empty()) {
      row.values.push_back(RowidOf(table, change));
      return row;
    }
    const json key = json::parse(change.key);
    for (const std::string& name : table.key) {
      const ReplicaColumn* column = nullptr;
      const json* value = nullptr;
      for (const auto& [member, member_value] : key.items()) {
        const std::optional<size_t> index = table.ColumnIndex(member);
        if (index && table.columns[*index].name == name) {
          column = &table.columns[*index];
          value = &member_value;
        }
      }
      if (!column) throw Refusal("the key of a change of " + Where(table, change) + " lacks column " + name);
      row.values.push_back(Convert(table, *column, *value, change));
    }
    return row;
  }

  // Consecutive changes of one table and kind (upsert or delete, the same columns): one statement.
  struct Run {
    ReplicaTable* table = nullptr;
    bool deletes = false;
    std::vector<size_t> columns;
    std::vector<Row> rows;
    std::set<std::string> keys;  // an upsert statement may not touch a row twice: KeyText of its rows
  };

  // The key's converted values, one text: the same row under a key column's old and new name (around
  // a RENAME COLUMN) gives the same text.
  static std::string KeyText(const Row& key) {
    std::string text;
    for (const PgParam& value : key.values) text += value ? std::to_string(value->size()) + ":" + *value : "-";
    return text;
  }

  // Table by table (in the order tables first appear), each table's changes in log order: the
  // replica's tables do not refer to each other and the batch commits as a whole, so only the
  // order within a table matters, and a batch interleaving tables still goes in multi-row statements.
  void ApplyChanges(PgConnection& conn, const Changes& batch) {
    std::vector<std::pair<ReplicaTable*, std::vector<const Change*>>> by_table;
    for (const Change& change : batch) {
      ReplicaTable* table = &TableOf(change);
      auto found =
          std::find_if(by_table.begin(), by_table.end(), [&](const auto& entry) { return entry.first == table; });
      if (found == by_table.end()) found = by_table.insert(by_table.end(), {table, {}});
      found->second.push_back(&change);
    }
    for (const auto& [table, changes] : by_table) {
      Run run;
      for (const Change* change : changes) {
        const bool deletes = change->operation == Operation::kDelete;
        Row row = deletes ? KeyRow(*table, *change) : ImageRow(*table, *change);
        const std::string key = deletes ? std::string() : KeyText(KeyRow(*table, *change));
        const bool joins = run.table == table && run.deletes == deletes && run.columns == row.columns &&
                           (deletes || !run.keys.count(key));
        if (!joins) {
          Flush(conn, run);
          run = Run{table, deletes, row.columns, {}, {}};
        }
        if (!deletes) run.keys.insert(key);
        run.rows.push_back(std::move(row));
      }
      Flush(conn, run);
    }
  }

  void Flush(PgConnection& conn, const Run& run) {
    if (run.rows.empty()) return;
    const ReplicaTable& table = *run.table;
    const size_t width = run.rows.front().values.size();
    const size_t per_statement = std::max<size_t>(1, kMaxParameters / std::max<size_t>(1, width));
    for (size_t start = 0; start < run.rows.size(); start += per_statement) {
      const size_t end = std::min(run.rows.size(), start + per_statement);
      std::vector<PgParam> params;
      std::string tuples;
      for (size_t r = start; r < end; ++r) {
        tuples += r == start ? "(" : ", (";
        for (size_t v = 0; v < width; ++v) {
          params.push_back(run.rows[r].values[v]);
          tuples += (v ? ", $" : "$") + std::to_string(params.size()) + "::" + ValueType(table, run, v);
        }
        tuples += ")";
      }
      conn.Query(run.deletes ? DeleteSql(table, tuples) : UpsertSql(table, run, tuples), params);
    }
  }

  // The type of the `v`-th value of the run's rows.
  static std::string ValueType(const ReplicaTable& table, const Run& run, size_t v) {
    const bool rowid = table.key.empty();
    if (rowid && v == 0) return "bigint";
    const size_t i = v - (rowid ? 1 : 0);
    if (run.deletes) {
      for (const ReplicaColumn& column : table.columns) {
        if (column.name == table.key[i]) return PgTypeName(column.type);
      }
    }
    return PgTypeName(table.columns[run.columns[i]].type);
  }

  static std::string DeleteSql(const ReplicaTable& table, const std::string& tuples) {
    return "DELETE FROM " + table.qualified + " WHERE (" + KeyList(table) + ") IN (" + tuples + ")";
  }

  static std::string ColumnList(const ReplicaTable& table, const std::vector<size_t>& columns) {
    std::string list = table.key.empty() ? Quote(kRowidColumn) : "";
    for (size_t index : columns) list += (list.empty() ? "" : ", ") + Quote(table.columns[index].name);
    return list;
  }

  static std::string UpsertSql(const ReplicaTable& table, const Run& run, const std::string& tuples) {
    std::string updates;
    for (size_t index : run.columns) {
      const std::string& name = table.columns[index].name;
      if (std::find(table.key.begin(), table.key.end(), name) != table.key.end()) continue;
      updates += (updates.empty() ? "" : ", ") + Quote(name) + " = EXCLUDED." + Quote(name);
    }
    return "INSERT INTO " + table.qualified + " (" + ColumnList(table, run.columns) + ") VALUES " + tuples +
           " ON CONFLICT (" + KeyList(table) + ") " + (updates.empty() ? "DO NOTHING" : "DO UPDATE SET " + updates);
  }

  // ---- snapshot -----------------------------------------------------------------------------

  // The whole snapshot is one transaction: readers see the replica as it was until it completes.
  void BeginSnapshot(PgConnection& conn) {
    conn.Execute("BEGIN");
    snapshot_ = true;
    for (const std::string& name : announced_) conn.Execute("DELETE FROM " + tables_.at(name).qualified);
  }

  void ApplySnapshotPart(const Changes& batch) {
    PgConnection& conn = Connection();
    if (!snapshot_) BeginSnapshot(conn);
    // Rows by table and columns, each group one COPY.
    std::map<std::pair<ReplicaTable*, std::vector<size_t>>, std::string> copies;
    for (const Change& change : batch) {
      ReplicaTable* table = &TableOf(change);
      const Row row = ImageRow(*table, change);
      std::string& data = copies[{table, row.columns}];
      for (size_t v = 0; v < row.values.size(); ++v) {
        if (v) data += '\t';
        AppendCopyField(data, row.values[v]);
      }
      data += '\n';
    }
    // A part that fails is rolled back alone, and the snapshot goes on when the engine sends it again.
    conn.Execute("SAVEPOINT cdc_part");
    try {
      try {
        for (const auto& [target, data] : copies) {
          conn.CopyIn(
              "COPY " + target.first->qualified + " (" + ColumnList(*target.first, target.second) + ") FROM STDIN",
              data);
        }
      } catch (const PgError& error) {
        // A key twice in one snapshot (never from the engine's paging; a caller's own snapshot may):
        // the part again as upserts, the later row winning as a change would.
        if (error.sqlstate() != "23505") throw;
        conn.Execute("ROLLBACK TO SAVEPOINT cdc_part");
        ApplyChanges(conn, batch);
      }
      conn.Execute("RELEASE SAVEPOINT cdc_part");
    } catch (const PgError&) {
      if (conn.Usable()) {
        try {
          conn.Execute("ROLLBACK TO SAVEPOINT cdc_part");
          part_rolled_back_ = true;
        } catch (const PgError&) {
        }
      }
      throw;
    }
  }

  PostgresTarget target_;
  std::string password_;
  std::unique_ptr<PgConnection> conn_;
  std::map<std::string, ReplicaTable> tables_;  // as last announced, and the replica's other tables
  bool schema_followed_ = false;
  std::vector<std::string> announced_;  // as last announced
  std::string log_epoch_;
  bool snapshot_ = false;          // a bootstrap's transaction is open
  bool part_rolled_back_ = false;  // the failed snapshot part was rolled back alone: the snapshot goes on
  size_t snapshot_batches_ = 0;    // snapshot batches taken since the last Poll (gone with a lost snapshot)
  size_t committed_batches_ = 0;   // group batches committed since the last Poll (kept through failures)
  bool group_ = false;             // a transaction of change batches is open
  size_t group_batches_ = 0;
  bool group_lost_ = false;                   // a group was rolled back and the engine was not told yet
  std::optional<int64_t> commit_in_doubt_;    // the last id of a group whose COMMIT's answer was lost
  std::optional<int64_t> committed_through_;  // that id, once read back as committed
  bool caught_up_ = false;
  std::optional<Change> last_;
};

PostgresReplica::PostgresReplica(PostgresTarget target, std::string password)
    : impl_(std::make_unique<PostgresReplicaImpl>(std::move(target), std::move(password))) {}
PostgresReplica::~PostgresReplica() = default;

HandlerResult PostgresReplica::Send(const Changes& batch) {
  const HandlerResult result = impl_->Outcome([&] { impl_->Take(batch); });
  if (result.kind != HandlerResult::Kind::kSuccess) impl_->LossReported();
  return result;
}

void PostgresReplica::OnCaughtUp() { impl_->CaughtUp(); }

Confirmations PostgresReplica::Poll(std::chrono::milliseconds wait, bool flush) {
  Confirmations confirmations;
  confirmations.failure = impl_->Outcome([&] { confirmations.batches = impl_->Confirm(flush); });
  if (confirmations.failure.kind != HandlerResult::Kind::kSuccess) impl_->LossReported();
  if (confirmations.batches == 0 && confirmations.failure.kind == HandlerResult::Kind::kSuccess) {
    std::this_thread::sleep_for(wait);
  }
  return confirmations;
}

HandlerResult PostgresReplica::OnSchema(const WatchedSchema& schema) {
  return impl_->Outcome([&] { impl_->FollowSchema(schema); });
}

HandlerResult PostgresReplica::OnSnapshotComplete(int64_t log_position) {
  return impl_->Outcome([&] { impl_->CompleteSnapshot(log_position); });
}

HandlerResult PostgresReplica::ReadPosition(SinkPosition* position) {
  return impl_->Outcome([&] { *position = impl_->Position(); });
}

}  // namespace sqlite_cdc::sinks
