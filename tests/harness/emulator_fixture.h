// EmulatorFixture: the gtest fixture of the integration tests that run against a real
// vdi-emulator: a temporary directory per test with the emulator's data directory, a backup
// repository and the server's ipc:// endpoint, the server started and stopped, and cleanup.
#ifndef VDIBK_TESTS_HARNESS_EMULATOR_FIXTURE_H_
#define VDIBK_TESTS_HARNESS_EMULATOR_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::testing {

// Derive a test class from it (TEST_F). Nothing runs before the test asks: CreateDatabase, then
// StartServer; the helpers report failures as fatal gtest failures, so wrap them in
// ASSERT_NO_FATAL_FAILURE where the test must stop. A derived TearDown must call this one.
class EmulatorFixture : public ::testing::Test {
 protected:
  EmulatorFixture();         // sets dir_, data_, repo_ (created, empty) and endpoint_
  void TearDown() override;  // StopServer(), then the shared-memory objects of TestSetName()s

  // `vdi-emulator create-database NAME --data-dir data_ --size SIZE`.
  void CreateDatabase(const std::string& name, const std::string& size);
  // `vdi-emulator serve --data-dir data_ --listen endpoint_ EXTRA...`; returns once the server
  // printed its readiness line (kept in server_ready_line_), within 20 s. Replaces server_ (a
  // server still running there is killed).
  void StartServer(const std::vector<std::string>& extra = {});
  // {"--fault", SPEC} for StartServer, or nothing for "" (engine/fault_plan.h).
  static std::vector<std::string> FaultArgs(const std::string& fault);
  // SIGTERM to the server and its exit within 20 s (a test failure if not); nothing without one.
  void StopServer();

  // `sqlcmd -S endpoint_ -b -Q QUERY` (stdout only).
  Outcome Sql(const std::string& query) const;
  // The emulator's server-wide backup history, one line per row (data_/.vdi-emulator/backupset,
  // emulator/db/backup_history.h).
  std::string HistoryPath() const;
  // Rows of `database` in a copy of that file's text (ReadAll(HistoryPath())).
  static int HistoryEntries(const std::string& history, const std::string& database = "sales");
  // The environment that points the emulator's clients at this server (VDI_EMULATOR_ENDPOINT),
  // for StartMerged.
  std::vector<std::string> Environment() const;
  // A VDI set name for this test, "<prefix><pid>_<n>", unique across the tests running at once;
  // TearDown removes the /dev/shm objects named after it that are left (a failed test's).
  std::string TestSetName(const std::string& prefix);

  TempDir dir_;
  std::string data_, repo_, endpoint_;
  std::string server_ready_line_;  // the server's readiness line ("vdi-emulator: listening on ...")
  std::unique_ptr<Subprocess> server_;

 private:
  std::vector<std::string> set_names_;
};

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_HARNESS_EMULATOR_FIXTURE_H_
