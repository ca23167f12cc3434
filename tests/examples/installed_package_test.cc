// The installed package as someone who embeds the engine uses it: `cmake --install` into a fresh
// prefix, then a build that knows nothing of this source tree but that prefix, through CMake's
// find_package and through pkg-config.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/app_db.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace sqlite_cdc {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream words(text);
  std::vector<std::string> out;
  for (std::string word; words >> word;) out.push_back(word);
  return out;
}

class InstalledPackageTest : public ::testing::Test {
 protected:
  InstalledPackageTest() : prefix_(dir_.File("prefix")), db_(dir_.File("app.db")) {}

  // Installs the current build; every test starts from a prefix holding exactly that.
  void SetUp() override {
    const ProcessResult install = RunProcess(CDC_CMAKE_COMMAND, {"--install", CDC_BUILD_DIR, "--prefix", prefix_});
    ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  }

  // A captured database holding two inserts, an update of both rows and a delete, made with the
  // installed setup program.
  void MakeCapturedDatabase() {
    testing::AppDb(db_).Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)");
    const ProcessResult setup = RunProcess(prefix_ + "/bin/sqlite-cdc-setup", {"--db", db_, "--setup"});
    ASSERT_EQ(setup.exit_code, 0) << setup.err;
    testing::AppDb(db_).Exec(
        "INSERT INTO items VALUES (1, 1, 'a'), (2, 2, 'b'); UPDATE items SET n = 3; DELETE FROM items WHERE id = 1");
  }

  testing::TempDir dir_;
  std::string prefix_;
  std::string db_;
};

TEST_F(InstalledPackageTest, InstallsThePublicHeadersTheLibraryTheProgramsAndBothPackageFiles) {
  for (const char* file :
       {"include/sqlite_cdc/engine.h", "include/sqlite_cdc/version.h", "lib/libsqlite_cdc.a", "bin/sqlite-cdc",
        "bin/sqlite-cdc-setup", "bin/sqlite-cdc-restore", "lib/cmake/SqliteCdc/SqliteCdcConfig.cmake",
        "lib/cmake/SqliteCdc/SqliteCdcConfigVersion.cmake", "lib/pkgconfig/sqlite-cdc.pc"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(prefix_ + "/" + file)) << file;
  }
  // The implementation's headers are not API.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(prefix_ + "/include")) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(entry.path().parent_path().filename(), "sqlite_cdc") << entry.path();
    }
  }
  const ProcessResult version = RunProcess(prefix_ + "/bin/sqlite-cdc", {"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
}

TEST_F(InstalledPackageTest, TheCustomHandlerExampleBuildsAgainstItWithFindPackageAndReceivesTheChanges) {
  const std::string build = dir_.File("example-build");
  const ProcessResult configure = RunProcess(
      CDC_CMAKE_COMMAND, {"-S", std::string(CDC_SOURCE_DIR) + "/examples/custom_handler", "-B", build, "-G", "Ninja",
                          "-DCMAKE_MAKE_PROGRAM=" CDC_MAKE_PROGRAM, "-DCMAKE_CXX_COMPILER=" CDC_CXX_COMPILER,
                          "-DCMAKE_PREFIX_PATH=" + prefix_, "-DCMAKE_CXX_FLAGS=" CDC_CONSUMER_CXX_FLAGS,
                          "-DCMAKE_EXE_LINKER_FLAGS=" CDC_CONSUMER_LINK_FLAGS});
  ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
  const ProcessResult compile = RunProcess(CDC_CMAKE_COMMAND, {"--build", build});
  ASSERT_EQ(compile.exit_code, 0) << compile.out << compile.err;

  MakeCapturedDatabase();
  const ProcessResult run = RunProcess(build + "/custom_handler", {db_});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "items DELETE 1\nitems INSERT 2\nitems UPDATE 2\n");
  EXPECT_EQ(
      [&] {
        testing::AppDb app(db_);
        return testing::Backlog(app);
      }(),
      0)
      << "the example drained the log";
}

TEST_F(InstalledPackageTest, PkgConfigGivesFlagsThatCompileAndLinkAProgram) {
  const ProcessResult flags = RunProcess("/usr/bin/env", {"PKG_CONFIG_PATH=" + prefix_ + "/lib/pkgconfig", "pkg-config",
                                                          "--static", "--cflags", "--libs", "sqlite-cdc"});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;

  const std::string source = dir_.File("tiny.cc");
  std::ofstream(source) << R"(#include <iostream>
#include "sqlite_cdc/setup.h"
#include "sqlite_cdc/version.h"
int main(int, char** argv) {
  sqlite_cdc::CaptureOptions options;
  options.db_path = argv[1];
  const sqlite_cdc::Status status = sqlite_cdc::Setup(options);
  std::cout << sqlite_cdc::kVersion << " " << (status.ok() ? "set up" : status.message()) << "\n";
  return status.ok() ? 0 : 1;
}
)";
  const std::string program = dir_.File("tiny");
  std::vector<std::string> args{"-std=c++17", source, "-o", program};
  for (const std::string& flag : SplitWords(CDC_CONSUMER_CXX_FLAGS " " CDC_CONSUMER_LINK_FLAGS)) args.push_back(flag);
  for (const std::string& flag : SplitWords(flags.out)) args.push_back(flag);
  const ProcessResult compile = RunProcess(CDC_CXX_COMPILER, args);
  ASSERT_EQ(compile.exit_code, 0) << flags.out << "\n" << compile.err;

  testing::AppDb(db_).Exec("CREATE TABLE items (id INTEGER PRIMARY KEY)");
  const ProcessResult run = RunProcess(program, {db_});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, std::string(CDC_VERSION) + " set up\n");
  EXPECT_EQ(testing::AppDb(db_).Int("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"),
            7);  // insert, update, delete, rekey, evict, update_stash, update_evicted
}

}  // namespace
}  // namespace sqlite_cdc
