// vdibackup against the emulator's VDI fidelity paths (issue 18), real processes throughout:
// mid-stream flushes (`--fault extra-flushes=5`) with fan-out, backed up and restored
// byte-identical; a backup the server abandons gets VDC_Discard and the set is removed before the
// statement fails; a server abort while configuring wakes vdibackup's GetConfiguration; a
// SignalAbort in Initializing (workers missing) fails the statement and nothing else.
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/stripe_reader.h"
#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::Finish;
using vdibk::testing::Outcome;
using vdibk::testing::ReadAll;
using vdibk::testing::RunMerged;
using vdibk::testing::SetDirs;
using vdibk::testing::ShmLeftovers;
using vdibk::testing::StartMerged;

constexpr int kExtraFlushes = 5;

class VdiFidelityE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void StartEmulator(const std::string& fault) {
    set_name_ = TestSetName("vdbkfid_");
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    ASSERT_NO_FATAL_FAILURE(StartServer(FaultArgs(fault)));
    history_before_ = ReadAll(HistoryPath());
  }
  Outcome Backup(int devices, int workers, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{Bin("vdibackup"),
                                  "backup",
                                  "--database",
                                  "sales",
                                  "--repo",
                                  repo_,
                                  "--devices",
                                  std::to_string(devices),
                                  "--workers",
                                  std::to_string(workers),
                                  "--max-transfer-size",
                                  "65536",
                                  "--server",
                                  endpoint_,
                                  "--set-name",
                                  set_name_,
                                  "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Finish(*StartMerged(argv));
  }
  // Backs up with fan-out under extra flushes: every stripe carries the 5 mid-stream flush
  // points and the final one; the restore (same server, same faults) is byte-identical.
  void FlushedRoundTrip(int devices, int workers) {
    StartEmulator("extra-flushes=" + std::to_string(kExtraFlushes));
    Outcome b = Backup(devices, workers);
    ASSERT_EQ(b.exit_code, 0) << b.out;
    const std::vector<fs::path> sets = SetDirs(repo_, "sales");
    ASSERT_EQ(sets.size(), 1u);
    stripe::DirectoryTarget target(sets[0].string());
    for (int i = 1; i <= devices; ++i) {
      char name[64];
      std::snprintf(name, sizeof(name), "stripe-%02d-of-%02d.lz4", i, devices);
      Result<stripe::StripeReader> r = stripe::StripeReader::Open(target, name);
      ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
      const std::vector<stripe::Mark>& marks = r->trailer().marks;
      EXPECT_EQ(marks.size(), static_cast<size_t>(kExtraFlushes + 1)) << name;
      for (size_t m = 1; m < marks.size(); ++m) {
        EXPECT_LT(marks[m - 1].raw_offset, marks[m].raw_offset) << name << " mark " << m;
      }
      if (!marks.empty()) {
        EXPECT_EQ(marks.back().raw_offset, r->trailer().raw_bytes) << name;   // the final Flush
        EXPECT_LT(marks.front().raw_offset, r->trailer().raw_bytes) << name;  // mid-stream
      }
    }
    Outcome r =
        RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--as",
                   "copy", "--move", "sales=copy.mdf", "--move", "sales_log=copy_log.ldf",
                   "--workers", std::to_string(workers), "--server", endpoint_, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_GT(ReadAll(data_ + "/copy/copy.mdf").size(), 0u);
    EXPECT_TRUE(ReadAll(data_ + "/sales/sales.mdf") == ReadAll(data_ + "/copy/copy.mdf"));
    EXPECT_TRUE(ReadAll(data_ + "/sales/sales_log.ldf") == ReadAll(data_ + "/copy/copy_log.ldf"));
  }
  // The failed backup left nothing: no set directory, no history row, no shared memory.
  void ExpectNothingLeft() {
    EXPECT_TRUE(SetDirs(repo_, "sales").empty());
    EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), HistoryEntries(history_before_));
    EXPECT_EQ(ShmLeftovers(set_name_), "");
  }

  std::string set_name_, history_before_;
};

TEST_F(VdiFidelityE2eTest, ExtraFlushesTwoDevicesTwoWorkersRestoreByteIdentical) {
  FlushedRoundTrip(2, 2);
}

TEST_F(VdiFidelityE2eTest, ExtraFlushesOneDeviceThreeWorkersFanOutRestoresByteIdentical) {
  FlushedRoundTrip(1, 3);
}

// The server gives the backup up (a fault after 4 MiB): vdibackup offered VDF_Discard, so every
// device gets VDC_Discard instead of an abort; vdibackup removes the set and reports the
// statement's failure (exit 7, SQL Server reported an error), not a VDI abort (5).
TEST_F(VdiFidelityE2eTest, AbandonedBackupIsDiscardedAndFailsWithTheStatementsError) {
  StartEmulator("abort-after=4194304");
  Outcome b = Backup(2, 2);
  EXPECT_EQ(b.exit_code, 7) << b.out;
  EXPECT_NE(b.out.find("VDC_Discard on all 2 devices"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("fault injection: server abort after 4194304 bytes"), std::string::npos)
      << b.out;
  EXPECT_EQ(b.out.find("GetCommand failed"), std::string::npos) << b.out;  // no VDI abort
  ExpectNothingLeft();
}

// The server aborts the set while configuring it: vdibackup, waiting in GetConfiguration, sees
// VD_E_ABORT at once (exit 5, a VDI abort) and reports the statement's error with it.
TEST_F(VdiFidelityE2eTest, ServerAbortWhileConfiguringEndsTheWaitForConfiguration) {
  StartEmulator("abort-configuring=1");
  Outcome b = Backup(2, 2);
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_LT(b.seconds, 20.0) << b.out;
  EXPECT_NE(b.out.find("GetConfiguration failed"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 18210"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("aborted the set while configuring it"), std::string::npos) << b.out;
  ExpectNothingLeft();
}

// vdibackup fails after GetConfiguration, before it opened a device (its external workers never
// connect): it calls SignalAbort in Initializing, then Close. The statement fails with the
// client's abort, promptly, and the server is left healthy: the next backup works.
TEST_F(VdiFidelityE2eTest, SignalAbortInInitializingFailsTheStatementAndNothingElse) {
  StartEmulator("");
  const std::string run = dir_.Join("run");
  ASSERT_EQ(::mkdir(run.c_str(), 0700), 0);
  Outcome b = Backup(2, 2, {"--worker-endpoint", "ipc://" + run + "/hub", "--worker-wait", "1"});
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_LT(b.seconds, 30.0) << b.out;
  EXPECT_NE(b.out.find("did not connect in time"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 18210"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Operating system error 995"), std::string::npos) << b.out;
  ExpectNothingLeft();
  set_name_ += "b";
  Outcome again = Backup(2, 2);
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(SetDirs(repo_, "sales").size(), 1u);
}

}  // namespace
}  // namespace vdibk::coordinator
