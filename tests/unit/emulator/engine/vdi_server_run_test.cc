// The emulator as a VDI server: BACKUP and RESTORE through a small VDI client of our own for 1, 2
// and 8 devices (files byte-identical, new name + MOVE), VDC_Complete negotiation, log kept on a
// failed backup, and each fault option as the client sees it.
#include "emulator/engine/vdi_server_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "emulator/base/sql_error.h"
#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/workload.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

class VdiRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 3 << 20;
    o.ndf_files = 1;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
  }
  // Backs `db` up through a MemoryVdiClient; returns the SQL status, the client's streams in *out.
  Status Backup(const std::string& db, MemoryClientOptions copt, BackupOptions bopt,
                std::vector<std::string>* out, FaultPlan faults = {},
                MemoryVdiClient** keep = nullptr) {
    bopt.devices = copt.devices;
    auto job = BackupSession::Begin(*catalog_, db, bopt);
    if (!job.ok()) return job.status();
    client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("emu"), copt);
    EXPECT_EQ(client_->Start(), NOERROR);
    VdiRunOptions ropt;
    ropt.devices = client_->DeviceNames();
    ropt.block_size = 65536;
    ropt.max_transfer = 256 * 1024;
    ropt.faults = faults;
    Status st = RunVdiBackup(**job, ropt, &stats_);
    client_->Join();
    if (st.ok()) st = (*job)->Commit();
    if (out) *out = client_->streams();
    if (keep) *keep = client_.get();
    return st;
  }
  Result<RestoreResult> Restore(const std::vector<std::string>& streams, RestoreRequest ropts) {
    MemoryClientOptions copt;
    copt.devices = static_cast<uint32_t>(streams.size());
    client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("emur"), copt);
    client_->SetStreams(streams);
    EXPECT_EQ(client_->Start(), NOERROR);
    ropts.device_count = copt.devices;
    auto session = RestoreSession::Begin(*catalog_, ropts);
    if (!session.ok()) return session.status();
    VdiRunOptions vopt;
    vopt.devices = client_->DeviceNames();
    vopt.block_size = 65536;
    vopt.max_transfer = 128 * 1024;  // reads differ from the 256 KiB writes
    Status st = RunVdiRestore(**session, vopt, &stats_);
    client_->Join();
    if (!st.ok()) return st;
    return (*session)->Finish();
  }
  void ExpectSameFiles(const std::string& a, const std::string& b) {
    auto da = catalog_->Open(a);
    auto db = catalog_->Open(b);
    ASSERT_TRUE(da.ok() && db.ok());
    ASSERT_EQ(da->files().size(), db->files().size());
    for (size_t i = 0; i < da->files().size(); ++i) {
      EXPECT_EQ(ReadAll(da->files()[i].full_path), ReadAll(db->files()[i].full_path))
          << da->files()[i].logical_name;
    }
  }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<MemoryVdiClient> client_;
  VdiRunStats stats_;
};

TEST_F(VdiRunTest, BackupAndRestoreRoundTripOn1_2_8Devices) {
  for (uint32_t devices : {1u, 2u, 8u}) {
    SCOPED_TRACE(devices);
    MemoryClientOptions copt;
    copt.devices = devices;
    std::vector<std::string> streams;
    ASSERT_TRUE(Backup("sales", copt, {}, &streams).ok());
    EXPECT_TRUE(stats_.complete_sent);
    EXPECT_EQ(client_->count(VDC_Complete), static_cast<int>(devices));
    EXPECT_EQ(client_->count(VDC_Flush), static_cast<int>(devices));
    for (const auto& s : streams) EXPECT_EQ(s.size() % 65536, 0u);
    std::string target = "copy" + std::to_string(devices);
    RestoreRequest r;
    r.target_name = target;
    r.moves = {{"sales", target + "_data.mdf"}};
    auto result = Restore(streams, r);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->database, target);
    auto restored = catalog_->Open(target);
    ASSERT_TRUE(restored.ok());
    EXPECT_NE(restored->FindLogical("sales"), nullptr);
    EXPECT_EQ(restored->FindLogical("sales")->path, target + "_data.mdf");
    ExpectSameFiles("sales", target);
  }
}

TEST_F(VdiRunTest, CompleteIsSentOnlyWhenTheClientAsked) {
  MemoryClientOptions copt;
  copt.request_complete = false;
  ASSERT_TRUE(Backup("sales", copt, {}, nullptr).ok());
  EXPECT_FALSE(stats_.complete_sent);
  EXPECT_EQ(client_->count(VDC_Complete), 0);
  EXPECT_EQ(client_->count(VDC_Flush), 1);
  EXPECT_FALSE(client_->features() & VDF_CompleteEnabled);
}

TEST_F(VdiRunTest, FailedCompleteFailsTheBackupAndKeepsTheLog) {
  BackupOptions full;
  ASSERT_TRUE(Backup("sales", {}, full, nullptr).ok());
  auto db = catalog_->Open("sales");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(RunWorkload(*db, {40, 7}).ok());
  const std::string log_path = catalog_->Open("sales")->log_file()->full_path;
  const std::string log_before = ReadAll(log_path);
  MemoryClientOptions failing;
  failing.fail_command = VDC_Complete;
  BackupOptions log;
  log.kind = BackupKind::kLog;
  Status st = Backup("sales", failing, log, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(SqlErrorNumber(st), 3202) << st.ToString();
  EXPECT_EQ(ReadAll(log_path), log_before);  // not truncated
  // The next log backup still covers everything: restore full + that log reproduces the db.
  std::vector<std::string> log_streams;
  ASSERT_TRUE(Backup("sales", {}, log, &log_streams).ok());
  EXPECT_NE(ReadAll(log_path), log_before);  // truncated after the successful one
}

TEST_F(VdiRunTest, ClientAbortFailsTheStatementWith18210) {
  MemoryClientOptions copt;
  copt.devices = 2;
  copt.fail_command = VDC_Flush;
  copt.abort_instead = true;
  Status st = Backup("sales", copt, {}, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(SqlErrorNumber(st), 18210) << st.ToString();
  EXPECT_NE(st.message().find("995"), std::string::npos);
}

TEST_F(VdiRunTest, ExtraFlushesReachTheClient) {
  FaultPlan faults;
  faults.extra_flushes = 2;
  ASSERT_TRUE(Backup("sales", {}, {}, nullptr, faults).ok());
  EXPECT_EQ(client_->count(VDC_Flush), 3);  // two mid-stream + the final one
}

TEST_F(VdiRunTest, ServerAbortAfterBytes) {
  FaultPlan faults;
  faults.abort_after_bytes = 300 * 1024;
  Status st = Backup("sales", {}, {}, nullptr, faults);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(client_->last_result(0), VD_E_ABORT);
}

TEST_F(VdiRunTest, UnexpectedCommandIsAnsweredNotSupported) {
  FaultPlan faults;
  faults.unexpected_command = VDC_Rewind;
  ASSERT_TRUE(Backup("sales", {}, {}, nullptr, faults).ok());
  EXPECT_EQ(client_->count(VDC_Rewind), 1);
}

TEST_F(VdiRunTest, SequentialClientDeadlocksAndTheTimeoutEndsIt) {
  MemoryClientOptions copt;
  copt.devices = 2;
  copt.sequential = true;
  FaultPlan faults;
  faults.timeout_ms = 500;
  Status st = Backup("sales", copt, {}, nullptr, faults);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(SqlErrorNumber(st), 18210) << st.ToString();
}

TEST_F(VdiRunTest, StalledDeviceIsSeenAsATimeoutByTheClient) {
  MemoryClientOptions copt;
  copt.devices = 2;
  copt.get_timeout_ms = 300;  // the client gives up on a silent device and aborts
  FaultPlan faults;
  faults.stall_device = 1;
  Status st = Backup("sales", copt, {}, nullptr, faults);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(SqlErrorNumber(st), 18210) << st.ToString();
  // The stalled device times out; under load the other device, held at the server's
  // synchronisation point by it, may time out first and abort the set (device 1 then sees the
  // abort): either way a client GetCommand timed out.
  const int r0 = client_->last_result(0), r1 = client_->last_result(1);
  EXPECT_TRUE(r1 == VD_E_TIMEOUT || (r0 == VD_E_TIMEOUT && r1 == VD_E_ABORT))
      << "device 0: " << r0 << ", device 1: " << r1;
}

TEST_F(VdiRunTest, SlowDeviceStillCompletes) {
  MemoryClientOptions copt;
  copt.devices = 2;
  FaultPlan faults;
  faults.slow_device = 0;
  faults.slow_ms = 2;
  std::vector<std::string> streams;
  ASSERT_TRUE(Backup("sales", copt, {}, &streams, faults).ok());
  EXPECT_FALSE(streams[0].empty());
}

TEST_F(VdiRunTest, WrongDeviceCountIsRefused) {
  auto job = BackupSession::Begin(*catalog_, "sales", {});
  ASSERT_TRUE(job.ok());
  VdiRunOptions ropt;
  ropt.devices = {"a", "b"};
  Status st = RunVdiBackup(**job, ropt, nullptr);
  EXPECT_EQ(SqlErrorNumber(st), 3201);
}

TEST(FaultPlanTest, ParsesEverySpec) {
  auto p = FaultPlan::Parse(
      "extra-flushes=2,abort-after=100,stall-device=1,slow-device=0:5,"
      "timeout-ms=40,unexpected-command=4,abort-configuring=1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->extra_flushes, 2u);
  EXPECT_EQ(*p->abort_after_bytes, 100u);
  EXPECT_EQ(*p->stall_device, 1u);
  EXPECT_EQ(*p->slow_device, 0u);
  EXPECT_EQ(p->slow_ms, 5u);
  EXPECT_EQ(p->timeout_ms, 40u);
  EXPECT_EQ(*p->unexpected_command, 4u);
  EXPECT_TRUE(p->abort_configuring);
  EXPECT_FALSE(p->empty());
  EXPECT_TRUE(FaultPlan::Parse("abort-configuring=0")->empty());
  EXPECT_EQ(FaultPlan::Parse(p->ToString())->ToString(), p->ToString());
  EXPECT_FALSE(FaultPlan::Parse("bogus=1").ok());
  EXPECT_FALSE(FaultPlan::Parse("extra-flushes").ok());
  EXPECT_FALSE(FaultPlan::Parse("slow-device=3").ok());
}

}  // namespace
}  // namespace vdibk::emulator
