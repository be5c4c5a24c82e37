// BACKUP/RESTORE WITH SNAPSHOT through the executor and a small VDI client: the command sequence,
// the freeze (other writers wait or are refused, 3197/3198 messages), client aborts, and the
// restore that registers the files the client mounted.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "emulator/base/sql_error.h"
#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/engine/database_freeze.h"
#include "emulator/engine/executor.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;
using testing::RecordingSink;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 2 << 20;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
    ExecutorOptions eo;
    eo.data_dir = dir_.path();
    eo.freeze_wait_ms = 2000;
    executor_ = std::make_unique<EmulatorExecutor>(eo);
  }
  // Runs `sql_format` (with %s = the set name) against a fresh client.
  void RunWithClient(MemoryClientOptions copt, const std::string& sql_before,
                     const std::string& sql_after, RecordingSink& sink) {
    client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("snap"), copt);
    ASSERT_EQ(client_->Start(), NOERROR);
    testing::Run(*executor_, sql_before + "'" + client_->DeviceNames()[0] + "'" + sql_after, sink);
    client_->Join();
  }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<EmulatorExecutor> executor_;
  std::unique_ptr<MemoryVdiClient> client_;
};

TEST_F(SnapshotTest, BackupFreezesBetweenPrepareAndSnapshotAndReportsIt) {
  MemoryClientOptions copt;
  copt.features = VDF_SnapshotPrepare;
  bool frozen_during = false;
  Status workload_during, drop_during;
  RecordingSink drop_sink;
  copt.on_snapshot = [&] {
    frozen_during = IsFrozen(*catalog_, "sales");
    workload_during = RunWorkloadRespectingFreeze(*catalog_, "sales", {5, 1}, 0).status();
    testing::Run(*executor_, "DROP DATABASE sales", drop_sink);
  };
  RecordingSink sink;
  RunWithClient(copt, "BACKUP DATABASE sales TO VIRTUAL_DEVICE=", " WITH SNAPSHOT", sink);
  EXPECT_FALSE(sink.HasError()) << sink.Text();
  EXPECT_TRUE(frozen_during);
  EXPECT_EQ(SqlErrorNumber(workload_during), 1222) << workload_during.ToString();
  EXPECT_EQ(drop_sink.numbers(), std::vector<int>{3702}) << drop_sink.Text();
  EXPECT_FALSE(IsFrozen(*catalog_, "sales"));
  const std::vector<int>& cmds = client_->commands(0);
  ASSERT_GE(cmds.size(), 4u);
  EXPECT_EQ(cmds.back(), VDC_Snapshot);  // nothing after it but the close
  auto prepare = std::find(cmds.begin(), cmds.end(), VDC_PrepareToFreeze);
  ASSERT_NE(prepare, cmds.end());
  EXPECT_EQ(cmds.front(), VDC_Write);
  EXPECT_EQ(*(prepare + 1), VDC_Write);  // metadata of the frozen state
  EXPECT_EQ(client_->count(VDC_Flush), 0);
  const int frozen = sink.Find("I/O is frozen on database sales");
  const int resumed = sink.Find("I/O was resumed on database sales");
  ASSERT_GE(frozen, 0) << sink.Text();
  EXPECT_GT(resumed, frozen);
  EXPECT_GE(sink.Find("was frozen for"), 0);
  EXPECT_GE(sink.Find("BACKUP DATABASE successfully processed"), 0);
  // After the thaw writers go on.
  EXPECT_TRUE(RunWorkloadRespectingFreeze(*catalog_, "sales", {5, 1}, 0).ok());
}

TEST_F(SnapshotTest, NoPrepareToFreezeUnlessTheClientAsked) {
  RecordingSink sink;
  RunWithClient({}, "BACKUP DATABASE sales TO VIRTUAL_DEVICE=", " WITH METADATA_ONLY", sink);
  EXPECT_FALSE(sink.HasError()) << sink.Text();
  EXPECT_EQ(client_->count(VDC_PrepareToFreeze), 0);
  EXPECT_EQ(client_->count(VDC_Snapshot), 1);
}

TEST_F(SnapshotTest, ClientAbortingTheSnapshotFailsTheBackupAndThaws) {
  MemoryClientOptions copt;
  copt.snapshot_code = ERROR_OPERATION_ABORTED;
  RecordingSink sink;
  RunWithClient(copt, "BACKUP DATABASE sales TO VIRTUAL_DEVICE=", " WITH SNAPSHOT", sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3197, 3198, 0, 18210, 3013})) << sink.Text();
  EXPECT_FALSE(IsFrozen(*catalog_, "sales"));
}

TEST_F(SnapshotTest, RestoreRegistersTheMountedFilesNoRecovery) {
  RecordingSink backup_sink;
  RunWithClient({}, "BACKUP DATABASE sales TO VIRTUAL_DEVICE=", " WITH SNAPSHOT", backup_sink);
  ASSERT_FALSE(backup_sink.HasError()) << backup_sink.Text();
  std::vector<std::string> metadata = client_->streams();
  auto src = catalog_->Open("sales");
  ASSERT_TRUE(src.ok());

  // Without the mount the files are missing: 5120, nothing registered.
  MemoryClientOptions no_mount;
  client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("snapr"), no_mount);
  client_->SetStreams(metadata);
  ASSERT_EQ(client_->Start(), NOERROR);
  RecordingSink failed;
  testing::Run(*executor_,
               "RESTORE DATABASE snapcopy FROM VIRTUAL_DEVICE='" + client_->DeviceNames()[0] +
                   "' WITH SNAPSHOT, NORECOVERY",
               failed);
  client_->Join();
  EXPECT_EQ(failed.numbers(), (std::vector<int>{5120, 3013})) << failed.Text();
  EXPECT_FALSE(catalog_->Exists("snapcopy"));

  // The client "mounts" the snapshot: copies the files into the target directory.
  MemoryClientOptions mount;
  const std::string target_dir = catalog_->DatabaseDir("snapcopy");
  mount.on_mount = [&] {
    for (const DbFile& f : src->files()) {
      const std::string to = target_dir + "/moved_" + f.path;
      std::filesystem::create_directories(std::filesystem::path(to).parent_path());
      std::filesystem::copy_file(f.full_path, to);
    }
  };
  client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("snapr"), mount);
  client_->SetStreams(metadata);
  ASSERT_EQ(client_->Start(), NOERROR);
  std::string moves;
  for (const DbFile& f : src->files()) {
    moves += ", MOVE '" + f.logical_name + "' TO 'moved_" + f.path + "'";
  }
  RecordingSink sink;
  testing::Run(*executor_,
               "RESTORE DATABASE snapcopy FROM VIRTUAL_DEVICE='" + client_->DeviceNames()[0] +
                   "' WITH SNAPSHOT, NORECOVERY" + moves,
               sink);
  client_->Join();
  EXPECT_FALSE(sink.HasError()) << sink.Text();
  EXPECT_EQ(client_->count(VDC_MountSnapshot), 1);
  EXPECT_EQ(client_->commands(0).back(), VDC_MountSnapshot);
  auto restored = catalog_->Open("snapcopy");
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->state(), DbState::kRestoring);
  ASSERT_EQ(restored->files().size(), src->files().size());
  for (size_t i = 0; i < src->files().size(); ++i) {
    EXPECT_EQ(testing::ReadAll(restored->files()[i].full_path),
              testing::ReadAll(src->files()[i].full_path));
  }
  RecordingSink recover;
  testing::Run(*executor_, "RESTORE DATABASE snapcopy WITH RECOVERY", recover);
  EXPECT_FALSE(recover.HasError()) << recover.Text();
  EXPECT_EQ(catalog_->Open("snapcopy")->state(), DbState::kOnline);
}

TEST_F(SnapshotTest, RestoreWithSnapshotOfAnOrdinaryBackupIsRefused) {
  RecordingSink backup_sink;
  RunWithClient({}, "BACKUP DATABASE sales TO VIRTUAL_DEVICE=", "", backup_sink);
  ASSERT_FALSE(backup_sink.HasError()) << backup_sink.Text();
  auto streams = client_->streams();
  client_ =
      std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("snapr"), MemoryClientOptions{});
  client_->SetStreams(streams);
  ASSERT_EQ(client_->Start(), NOERROR);
  RecordingSink sink;
  testing::Run(*executor_,
               "RESTORE DATABASE other FROM VIRTUAL_DEVICE='" + client_->DeviceNames()[0] +
                   "' WITH SNAPSHOT",
               sink);
  client_->Join();
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3135, 3013})) << sink.Text();
  EXPECT_EQ(client_->count(VDC_MountSnapshot), 0);
}

}  // namespace
}  // namespace vdibk::emulator
