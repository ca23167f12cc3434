#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc::testing {

// The table the test writer (cdc_test_writer) writes to.
inline constexpr char kItemsTable[] = "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)";

// A test beside an application's database: app.db in a fresh temporary folder, its tables made by
// `schema` (any SQL), and setup run over them when the test says so.
class CapturedDbTest : public ::testing::Test {
 protected:
  explicit CapturedDbTest(const std::string& schema = kItemsTable);

  // Setup over every table, as `sqlite-cdc-setup --setup` without --table runs it.
  void SetUpCapture(bool blobs = false);
  // Changes the log holds that no output has accepted yet, read on a connection of its own.
  long long Backlog() const;
  // `sqlite-cdc --db app.db args... extra...` in the background, its stdout in out_, its stderr in err_.
  std::unique_ptr<BackgroundProcess> StartCdcProcess(std::vector<std::string> args,
                                                     const std::vector<std::string>& extra = {}) const;
  // Starts `sqlite-cdc --db app.db args...` `kills` times and kills each with SIGKILL after a pause
  // drawn from [min_ms, max_ms] by a generator seeded with `seed`, so a failure reproduces. Returns
  // how many kills came while the log held changes no output had accepted.
  int KillAtRandomMoments(const std::vector<std::string>& args, int kills, unsigned seed, int min_ms, int max_ms) const;
  // A replica's torture: while cdc_test_mixed_writer commits `changes` to the mixed tables at 1,500
  // a second, `sqlite-cdc --bootstrap --cdc --output url` is killed `kills` times at random (from
  // `min_ms` to 400 ms after its start), then one last run drains the log and stops on SIGTERM with
  // exit 0. A failure is reported to the test; true when the log ended drained.
  bool TortureReplica(const std::string& url, int changes, int kills, int min_ms) const;

  TempDir dir_;
  std::string path_;
  std::string out_, err_;  // out.txt and err.txt beside the database
};

// The separate writer process (tests/support/writer_main.cc).
std::string WriterPath();

}  // namespace sqlite_cdc::testing
