// Per-statement fault injection (WITH VDIBK_FAULT = 'spec', the emulator's extension): every fault
// kind changes what a real VDI client (MemoryVdiClient on libsqlvdi) sees for that statement only;
// the next statement without the option is unaffected; an empty spec switches the server's
// --fault plan off for one statement; DISK devices and bad specs get clear errors; a full backup
// failed by an injected abort does not reset the differential base.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/workload.h"
#include "emulator/engine/executor.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;
using testing::RecordingSink;

class StatementFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 2 << 20;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
    Reset({});
  }
  void Reset(FaultPlan server_faults) {
    ExecutorOptions eo;
    eo.data_dir = dir_.path();
    eo.faults = server_faults;
    executor_ = std::make_unique<EmulatorExecutor>(eo);
  }
  // Runs `sql_head` + " TO/FROM VIRTUAL_DEVICE=<the client's devices>" + `tail` with `client`.
  void RunWith(MemoryVdiClient& client, const std::string& head, const std::string& tail,
               RecordingSink& sink) {
    ASSERT_EQ(client.Start(), NOERROR);
    std::string devices;
    for (const std::string& n : client.DeviceNames()) {
      devices += (devices.empty() ? "" : ", ") + std::string("VIRTUAL_DEVICE='") + n + "'";
    }
    testing::Run(*executor_, head + " " + devices + " " + tail, sink);
    client.Join();
  }
  // A plain backup of sales with a fresh one-device client: the baseline every fault must leave.
  void ExpectPlainBackupUnaffected() {
    MemoryVdiClient c(vdibk::testing::UniqueName("plain"), {});
    RecordingSink sink;
    RunWith(c, "BACKUP DATABASE sales TO", "WITH COPY_ONLY", sink);
    EXPECT_FALSE(sink.HasError()) << sink.Text();
    EXPECT_EQ(c.count(VDC_Flush), 1);
    EXPECT_EQ(c.count(VDC_Rewind), 0);
    EXPECT_EQ(c.last_result(0), VD_E_CLOSE);
  }
  static int Seconds(RecordingSink& sink, double* seconds) {
    for (const auto& m : sink.all()) {
      std::smatch sm;
      if (std::regex_search(m.text, sm, std::regex(R"(in ([0-9.]+) seconds)"))) {
        *seconds = std::stod(sm[1]);
        return 1;
      }
    }
    return 0;
  }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<EmulatorExecutor> executor_;
};

TEST_F(StatementFaultTest, ExtraFlushesForOneStatement) {
  MemoryVdiClient c(vdibk::testing::UniqueName("xf"), {});
  RecordingSink sink;
  RunWith(c, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'extra-flushes=2'", sink);
  ASSERT_FALSE(sink.HasError()) << sink.Text();
  EXPECT_EQ(c.count(VDC_Flush), 3);  // two mid-stream + the final one
  ExpectPlainBackupUnaffected();
}

TEST_F(StatementFaultTest, AbortAfterBytesForOneStatement) {
  MemoryVdiClient c(vdibk::testing::UniqueName("ab"), {});
  RecordingSink sink;
  RunWith(c, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'abort-after=307200'", sink);
  EXPECT_TRUE(sink.HasError());
  EXPECT_GE(sink.Find("fault injection: server abort after 307200 bytes"), 0) << sink.Text();
  EXPECT_EQ(c.last_result(0), VD_E_ABORT);
  ExpectPlainBackupUnaffected();
}

TEST_F(StatementFaultTest, UnexpectedCommandForOneStatement) {
  MemoryVdiClient c(vdibk::testing::UniqueName("uc"), {});
  RecordingSink sink;
  RunWith(c, "BACKUP DATABASE sales TO",
          "WITH VDIBK_FAULT = 'unexpected-command=" + std::to_string(VDC_Rewind) + "'", sink);
  ASSERT_FALSE(sink.HasError()) << sink.Text();
  EXPECT_EQ(c.count(VDC_Rewind), 1);  // answered ERROR_NOT_SUPPORTED, cleared, backup went on
  ExpectPlainBackupUnaffected();
}

TEST_F(StatementFaultTest, StallDeviceForOneStatement) {
  MemoryClientOptions two;
  two.devices = 2;
  two.get_timeout_ms = 300;  // the client gives up on a silent device and aborts
  MemoryVdiClient c(vdibk::testing::UniqueName("st"), two);
  RecordingSink sink;
  RunWith(c, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'stall-device=1'", sink);
  EXPECT_TRUE(sink.HasError());
  EXPECT_EQ(sink.numbers().front(), 18210) << sink.Text();
  // The stalled device times out; under load the other device, held at the server's barrier by
  // it, may time out first and abort the set (as in VdiRunTest.StalledDeviceIsSeenAsATimeout...).
  const int r0 = c.last_result(0), r1 = c.last_result(1);
  EXPECT_TRUE(r1 == VD_E_TIMEOUT || (r0 == VD_E_TIMEOUT && r1 == VD_E_ABORT))
      << "device 0: " << r0 << ", device 1: " << r1;
  // The same two-device client shape without the option completes.
  two.get_timeout_ms = 20000;
  MemoryVdiClient ok(vdibk::testing::UniqueName("st2"), two);
  RecordingSink fine;
  RunWith(ok, "BACKUP DATABASE sales TO", "WITH COPY_ONLY", fine);
  EXPECT_FALSE(fine.HasError()) << fine.Text();
  EXPECT_EQ(ok.last_result(1), VD_E_CLOSE);
}

TEST_F(StatementFaultTest, TimeoutForOneStatementEndsADeadlock) {
  MemoryClientOptions seq;
  seq.devices = 2;
  seq.sequential = true;  // serves device 0 to the end first: deadlocks with the emulator
  MemoryVdiClient c(vdibk::testing::UniqueName("to"), seq);
  RecordingSink sink;
  RunWith(c, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'timeout-ms=300'", sink);
  EXPECT_TRUE(sink.HasError());
  EXPECT_EQ(sink.numbers().front(), 18210) << sink.Text();
  ExpectPlainBackupUnaffected();
}

TEST_F(StatementFaultTest, SlowDeviceForOneStatement) {
  MemoryVdiClient c(vdibk::testing::UniqueName("sl"), {});
  RecordingSink sink;
  RunWith(c, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'slow-device=0:15'", sink);
  ASSERT_FALSE(sink.HasError()) << sink.Text();
  double seconds = 0;
  ASSERT_EQ(Seconds(sink, &seconds), 1) << sink.Text();
  // Every command of device 0 waited 15 ms first: a lower bound that sleeping guarantees.
  const size_t commands = c.commands(0).size();
  EXPECT_GE(commands, 30u);
  EXPECT_GE(seconds + 0.001, static_cast<double>(commands - 1) * 0.015);
  ExpectPlainBackupUnaffected();
}

TEST_F(StatementFaultTest, RestoreTakesTheOptionToo) {
  MemoryVdiClient b(vdibk::testing::UniqueName("rb"), {});
  RecordingSink bs;
  RunWith(b, "BACKUP DATABASE sales TO", "", bs);
  ASSERT_FALSE(bs.HasError()) << bs.Text();

  MemoryVdiClient r(vdibk::testing::UniqueName("rr"), {});
  r.SetStreams(b.streams());
  RecordingSink rs;
  RunWith(r, "RESTORE VERIFYONLY FROM", "WITH VDIBK_FAULT = 'abort-after=65536'", rs);
  EXPECT_TRUE(rs.HasError());
  EXPECT_GE(rs.Find("fault injection"), 0) << rs.Text();

  MemoryVdiClient r2(vdibk::testing::UniqueName("rr2"), {});
  r2.SetStreams(b.streams());
  RecordingSink rs2;
  RunWith(r2, "RESTORE DATABASE copy FROM",
          "WITH VDIBK_FAULT = 'unexpected-command=" + std::to_string(VDC_Rewind) + "'", rs2);
  EXPECT_FALSE(rs2.HasError()) << rs2.Text();
  EXPECT_EQ(r2.count(VDC_Rewind), 1);
  EXPECT_TRUE(catalog_->Exists("copy"));
}

TEST_F(StatementFaultTest, EmptySpecTurnsTheServerPlanOffForOneStatement) {
  FaultPlan server;
  server.extra_flushes = 2;
  Reset(server);
  MemoryVdiClient off(vdibk::testing::UniqueName("off"), {});
  RecordingSink s1;
  RunWith(off, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = ''", s1);
  ASSERT_FALSE(s1.HasError()) << s1.Text();
  EXPECT_EQ(off.count(VDC_Flush), 1);
  MemoryVdiClient on(vdibk::testing::UniqueName("on"), {});
  RecordingSink s2;
  RunWith(on, "BACKUP DATABASE sales TO", "", s2);
  ASSERT_FALSE(s2.HasError()) << s2.Text();
  EXPECT_EQ(on.count(VDC_Flush), 3);  // the server's plan again
}

TEST_F(StatementFaultTest, DiskDevicesAndBadSpecsAreRefused) {
  RecordingSink disk;
  testing::Run(*executor_,
               "BACKUP DATABASE sales TO DISK='" + dir_.Join("x.bak") +
                   "' WITH VDIBK_FAULT = 'extra-flushes=1'",
               disk);
  EXPECT_EQ(disk.numbers(), (std::vector<int>{3032, 3013})) << disk.Text();
  EXPECT_GE(disk.Find("applies only to VIRTUAL_DEVICE"), 0) << disk.Text();
  RecordingSink recover;
  testing::Run(*executor_, "RESTORE DATABASE sales WITH RECOVERY, VDIBK_FAULT = 'timeout-ms=1'",
               recover);
  EXPECT_EQ(recover.numbers().front(), 3032) << recover.Text();

  RecordingSink bad;  // refused before any device is opened: no client needed
  testing::Run(*executor_,
               "BACKUP DATABASE sales TO VIRTUAL_DEVICE='" + vdibk::testing::UniqueName("nobody") +
                   "' WITH VDIBK_FAULT = 'explode=1'",
               bad);
  EXPECT_EQ(bad.numbers(), (std::vector<int>{3250, 3013})) << bad.Text();
  EXPECT_GE(bad.Find("unknown fault 'explode'"), 0) << bad.Text();
}

TEST_F(StatementFaultTest, FullBackupAbortedByAFaultKeepsTheDifferentialBase) {
  MemoryVdiClient f(vdibk::testing::UniqueName("f1"), {});
  RecordingSink s1;
  RunWith(f, "BACKUP DATABASE sales TO", "", s1);
  ASSERT_FALSE(s1.HasError()) << s1.Text();
  Database db = catalog_->Open("sales").value();
  ASSERT_TRUE(RunWorkload(db, {20, 1}).ok());
  MemoryVdiClient f2(vdibk::testing::UniqueName("f2"), {});
  RecordingSink s2;
  RunWith(f2, "BACKUP DATABASE sales TO", "WITH VDIBK_FAULT = 'abort-after=100000'", s2);
  ASSERT_TRUE(s2.HasError());
  MemoryVdiClient d(vdibk::testing::UniqueName("d"), {});
  RecordingSink s3;
  RunWith(d, "BACKUP DATABASE sales TO", "WITH DIFFERENTIAL", s3);
  ASSERT_FALSE(s3.HasError()) << s3.Text();
  // The workload's pages are still in the differential: the failed full reset nothing.
  const int data = s3.Find("Processed ");
  ASSERT_GE(data, 0) << s3.Text();
  EXPECT_EQ(s3.all()[data].text.find("Processed 0 pages"), std::string::npos) << s3.Text();
}

}  // namespace
}  // namespace vdibk::emulator
