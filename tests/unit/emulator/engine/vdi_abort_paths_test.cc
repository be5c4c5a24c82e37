// The emulator's side of the abort paths a VDI client meets when its statement fails partway
// (issue 18): a server abort while configuring wakes a GetConfiguration waiting without limit;
// a client error completion is answered by closing the device instead of ClearError (§4.4 rule
// 5); and the snapshot rules of vdi-protocol.md §8: one device only, VDC_MountSnapshot refused
// with ERROR_OPERATION_ABORTED, the warning after a long freeze.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/engine/vdi_server_run.h"
#include "tests/unit/emulator/engine/vdi_statement_fixture.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;
using testing::RecordingSink;
using AbortPathsTest = testing::VdiStatementTest;

TEST_F(AbortPathsTest, AbortWhileConfiguringWakesAGetConfigurationWithoutLimit) {
  MemoryClientOptions o;
  o.config_timeout_ms = -1;  // waits for the server as long as it takes
  auto c = Client("cfgabort", o);
  RecordingSink sink;
  const auto t0 = std::chrono::steady_clock::now();
  RunWith(*c, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'abort-configuring=1'", sink);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(c->config_result(), VD_E_ABORT);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{18210, 3013})) << sink.Text();
  EXPECT_GE(sink.Find("aborted the set while configuring it"), 0) << sink.Text();
  EXPECT_EQ(c->count(VDC_Write), 0);
}

// §4.4 rule 5: without VDF_Discard the server answers an error completion by closing the device,
// never with ClearError; the client sees VD_E_CLOSE, and the commands queued behind the error
// never reach it.
TEST_F(AbortPathsTest, ErrorCompletionIsAnsweredByCloseNotClearError) {
  MemoryClientOptions o;
  o.fail_command = VDC_Write;
  auto c = Client("rule5", o);
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", "", sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3202, 3013})) << sink.Text();
  EXPECT_EQ(c->last_result(0), VD_E_CLOSE);
  EXPECT_EQ(c->commands(0), std::vector<int>{VDC_Write});  // the failed Write, then the close
  EXPECT_EQ(c->count(VDC_ClearError), 0);
}

TEST_F(AbortPathsTest, SnapshotNeedsExactlyOneDevice) {
  for (const char* head : {"BACKUP DATABASE sales TO", "RESTORE DATABASE x FROM"}) {
    RecordingSink sink;  // refused before any device is opened: no client needed
    testing::Run(*executor_,
                 std::string(head) + " VIRTUAL_DEVICE='a', VIRTUAL_DEVICE='b' WITH SNAPSHOT", sink);
    EXPECT_EQ(sink.numbers(), (std::vector<int>{3277, 3013})) << head << "\n" << sink.Text();
  }
  // The engine refuses it too, whoever calls it.
  BackupOptions two_families;
  two_families.devices = 2;
  auto job = BackupSession::Begin(*catalog_, "sales", two_families);
  ASSERT_TRUE(job.ok());
  VdiRunOptions two;
  two.devices = {"a", "b"};
  two.snapshot = true;
  EXPECT_EQ(SqlErrorNumber(RunVdiBackup(**job, two, nullptr)), 3215);
}

TEST_F(AbortPathsTest, MountSnapshotAnsweredWithAbortedFailsTheRestore) {
  auto backup = Client("msnap");
  RecordingSink bs;
  RunWith(*backup, "BACKUP DATABASE sales TO", "WITH SNAPSHOT", bs);
  ASSERT_FALSE(bs.HasError()) << bs.Text();
  MemoryClientOptions refuse;
  refuse.snapshot_code = ERROR_OPERATION_ABORTED;
  auto restore = Client("msnapr", refuse);
  restore->SetStreams(backup->streams());
  RecordingSink rs;
  RunWith(*restore, "RESTORE DATABASE snapcopy FROM", "WITH SNAPSHOT, NORECOVERY", rs);
  EXPECT_EQ(rs.numbers(), (std::vector<int>{18210, 3013})) << rs.Text();
  EXPECT_GE(rs.Find("MountSnapshot"), 0) << rs.Text();
  EXPECT_GE(rs.Find("995"), 0) << rs.Text();
  EXPECT_EQ(restore->commands(0).back(), VDC_MountSnapshot);
  EXPECT_FALSE(catalog_->Exists("snapcopy"));
}

// The level-10 warning comes after a freeze longer than the threshold (10 s by default; this
// test shortens it so that a freeze held 0.5 s by the client crosses it) and not before.
TEST_F(AbortPathsTest, LongFreezeGetsAWarningShortOneDoesNot) {
  EXPECT_EQ(ExecutorOptions{}.freeze_warning_seconds, 10.0);
  ExecutorOptions eo;
  eo.data_dir = dir_.path();
  eo.freeze_warning_seconds = 0.25;
  executor_ = std::make_unique<EmulatorExecutor>(eo);
  MemoryClientOptions slow;
  slow.on_snapshot = [] { std::this_thread::sleep_for(std::chrono::milliseconds(500)); };
  auto held = Client("freeze", slow);
  RecordingSink long_freeze;
  RunWith(*held, "BACKUP DATABASE sales TO", "WITH SNAPSHOT", long_freeze);
  ASSERT_FALSE(long_freeze.HasError()) << long_freeze.Text();
  const int warning = long_freeze.Find("Warning: I/O on database sales was frozen for");
  ASSERT_GE(warning, 0) << long_freeze.Text();
  EXPECT_EQ(long_freeze.all()[warning].level, 10);
  EXPECT_GE(long_freeze.Find("keep snapshot freezes to 0.25 seconds or less"), 0);

  auto quick = Client("freezeq");
  RecordingSink short_freeze;
  RunWith(*quick, "BACKUP DATABASE sales TO", "WITH SNAPSHOT", short_freeze);
  ASSERT_FALSE(short_freeze.HasError()) << short_freeze.Text();
  EXPECT_GE(short_freeze.Find("was frozen for"), 0) << short_freeze.Text();
  EXPECT_LT(short_freeze.Find("Warning: I/O"), 0) << short_freeze.Text();
}

}  // namespace
}  // namespace vdibk::emulator
