#include "bootstrap_progress.h"

#include <algorithm>
#include <exception>
#include <string>

namespace sqlite_cdc::internal {
namespace {

constexpr int64_t kSnapshotReportEvery = 1024;

}  // namespace

SnapshotRowCounter::SnapshotRowCounter(Database& db, const BootstrapProgressCallback& report, TableRows table)
    : db_(db), report_(report), table_(std::move(table)) {
  // DIRECTONLY: no trigger or view of the database can call it.
  if (sqlite3_create_function_v2(db_.handle(), "cdc_snapshot_row", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, this,
                                 &SnapshotRowCounter::CountRow, nullptr, nullptr, nullptr) != SQLITE_OK) {
    db_.Fail("register cdc_snapshot_row");
  }
  Report();
}

SnapshotRowCounter::~SnapshotRowCounter() {
  sqlite3_create_function_v2(db_.handle(), "cdc_snapshot_row", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, nullptr,
                             nullptr, nullptr, nullptr);
}

void SnapshotRowCounter::Finish() {
  done_ = table_.rows;
  Report();
}

void SnapshotRowCounter::CountRow(sqlite3_context* context, int /*argc*/, sqlite3_value** /*argv*/) {
  auto* self = static_cast<SnapshotRowCounter*>(sqlite3_user_data(context));
  // An exception must not cross SQLite's C frames: it fails the copy instead.
  try {
    if (++self->done_ % kSnapshotReportEvery == 0 && self->done_ < self->table_.rows) self->Report();
    sqlite3_result_int(context, 1);
  } catch (const std::exception& error) {
    sqlite3_result_error(context, (std::string("bootstrap progress report failed: ") + error.what()).c_str(), -1);
  } catch (...) {
    sqlite3_result_error(context, "bootstrap progress report failed", -1);
  }
}

void SnapshotRowCounter::Report() {
  if (report_) report_({BootstrapProgress::Phase::kSnapshot, table_.table, done_, table_.rows});
}

DeliveryProgress::DeliveryProgress(const BootstrapProgressCallback& report, std::vector<TableRows> tables)
    : report_(report), tables_(std::move(tables)) {
  EnterTable();
}

void DeliveryProgress::Delivered(int64_t rows) {
  while (rows > 0 && index_ < tables_.size()) {
    const int64_t taken = std::min(rows, tables_[index_].rows - done_);
    done_ += taken;
    rows -= taken;
    Report();
    if (done_ == tables_[index_].rows) {
      ++index_;
      EnterTable();
    }
  }
}

void DeliveryProgress::EnterTable() {
  for (done_ = 0; index_ < tables_.size(); ++index_) {
    Report();
    if (tables_[index_].rows > 0) return;
  }
}

void DeliveryProgress::Report() {
  if (report_) report_({BootstrapProgress::Phase::kDelivery, tables_[index_].table, done_, tables_[index_].rows});
}

}  // namespace sqlite_cdc::internal
