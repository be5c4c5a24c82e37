// The commit faults as a client sees them over the SQL connection: a commit stall delays Done
// without a link failure (no keepalives, a liveness period far below the stall); a connection
// dropped after the commit is a lost link while msdb.dbo.backupset has the row; a server killed
// during a commit stall ends sqlcmd within seconds, and the backup was never recorded.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "emulator/db/backup_history.h"
#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/engine/executor.h"
#include "emulator/frontend/sql_client.h"
#include "emulator/frontend/sql_listener.h"
#include "tests/harness/programs.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using frontend::ClientFailure;
using frontend::EventType;
using frontend::SqlEvent;
using testing::MemoryVdiClient;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class CommitFaultConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Catalog catalog(dir_.Join("data"));
    ASSERT_TRUE(catalog.Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 2 << 20;
    ASSERT_TRUE(CreateDatabase(catalog, "sales", o).ok());
  }
  // An in-process server without keepalives: only the liveness rule keeps clients waiting.
  void StartListener() {
    ExecutorOptions eo;
    eo.data_dir = dir_.Join("data");
    executor_ = std::make_unique<EmulatorExecutor>(eo);
    frontend::SqlListenerOptions lo;
    lo.endpoint = "ipc://" + dir_.Join("sql.sock");
    lo.keepalive = std::chrono::hours(1);
    auto l = frontend::SqlListener::Start(lo, executor_.get());
    ASSERT_OK(l);
    listener_ = std::move(l).value();
  }
  std::unique_ptr<frontend::SqlClient> Client() {
    frontend::SqlClientOptions o;
    o.endpoint = listener_->endpoint();
    o.liveness_interval = milliseconds(100);  // the old silence limit, made small
    auto c = frontend::SqlClient::Connect(o);
    EXPECT_TRUE(c.ok());
    return c.ok() ? std::move(c).value() : nullptr;
  }
  // `sql` with `client` serving its VIRTUAL_DEVICE; the events go to `events`.
  Result<frontend::ExecuteOutcome> RunWith(MemoryVdiClient& client, const std::string& sql,
                                           std::vector<SqlEvent>* events) {
    EXPECT_EQ(client.Start(), NOERROR);
    auto r = Client()->Execute(sql, [&](const SqlEvent& e) { events->push_back(e); });
    client.Join();
    return r;
  }
  std::string Device(MemoryVdiClient& client) {
    return "VIRTUAL_DEVICE='" + client.DeviceNames()[0] + "'";
  }
  std::vector<std::string> HistoryNames() {
    auto rows = BackupHistory(dir_.Join("data")).ForDatabase("sales");
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back(r.name);
    }
    return out;
  }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<EmulatorExecutor> executor_;
  std::unique_ptr<frontend::SqlListener> listener_;
};

TEST_F(CommitFaultConnectionTest, CommitStallDelaysDoneWithoutLinkFailure) {
  StartListener();
  MemoryVdiClient c(vdibk::testing::UniqueName("stall"), {});
  std::vector<SqlEvent> events;
  const auto start = Clock::now();
  auto r = RunWith(c,
                   "BACKUP DATABASE sales TO " + Device(c) +
                       " WITH NAME='stalled', VDIBK_FAULT = 'commit-stall-ms=1500'",
                   &events);
  ASSERT_OK(r);
  EXPECT_EQ(r->failure, ClientFailure::kNone) << r->detail;
  EXPECT_TRUE(r->success);
  EXPECT_GE(Clock::now() - start, milliseconds(1500));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, EventType::kDone);
  EXPECT_EQ(HistoryNames(), std::vector<std::string>{"stalled"});
}

TEST_F(CommitFaultConnectionTest, DropAfterCommitIsALostLinkWhileMsdbHasTheRow) {
  StartListener();
  MemoryVdiClient c(vdibk::testing::UniqueName("drop"), {});
  std::vector<SqlEvent> events;
  auto r = RunWith(c,
                   "BACKUP DATABASE sales TO " + Device(c) +
                       " WITH NAME='vdibk-dropped', VDIBK_FAULT = 'drop-after-commit=1'",
                   &events);
  ASSERT_OK(r);
  EXPECT_EQ(r->failure, ClientFailure::kLinkFailure);
  EXPECT_FALSE(r->server_ended);
  EXPECT_EQ(r->detail.rfind("The connection was lost: the server closed it", 0), 0u) << r->detail;
  for (const SqlEvent& e : events) {
    EXPECT_NE(e.type, EventType::kDone);
    EXPECT_NE(e.message.number, 3014);
  }
  // What the coordinator does next: look the backup up by its NAME on a new connection.
  std::vector<std::string> names;
  auto q = Client()->Execute(
      "SELECT TOP (1) name FROM msdb.dbo.backupset WHERE database_name = N'sales' "
      "ORDER BY backup_set_id DESC",
      [&](const SqlEvent& e) {
        if (e.type == EventType::kRow && !e.row.empty() && e.row[0]) names.push_back(*e.row[0]);
      });
  ASSERT_OK(q);
  EXPECT_EQ(q->failure, ClientFailure::kNone);
  EXPECT_EQ(names, std::vector<std::string>{"vdibk-dropped"});
}

// The case with real processes: vdi-emulator serve stalls in the commit, is killed -9;
// sqlcmd ends within seconds, saying the server process ended; no history row was written.
TEST_F(CommitFaultConnectionTest, ServerKilledDuringCommitStallEndsSqlcmdAtOnce) {
  const std::string endpoint = "ipc://" + dir_.Join("serve/sql.sock");
  auto serve = vdibk::testing::ServeEmulator(dir_.Join("data"), endpoint);
  ASSERT_TRUE(serve);
  MemoryVdiClient c(vdibk::testing::UniqueName("kill"), {});
  ASSERT_EQ(c.Start(), NOERROR);
  // sqlcmd prints its errors on stdout (no -r): the pipe the harness reads.
  auto sqlcmd = std::make_unique<vdibk::testing::Subprocess>(
      std::vector<std::string>{vdibk::testing::Bin("sqlcmd"), "-S", endpoint, "-b", "-Q",
                               "BACKUP DATABASE sales TO " + Device(c) +
                                   " WITH STATS = 10, VDIBK_FAULT = 'commit-stall-ms=60000'"});
  // sqlcmd printed progress: it has the server's Accepted (and pid).
  ASSERT_TRUE(sqlcmd->WaitForLine("10 percent processed.", milliseconds(20000)));
  c.Join();  // every device closed: the server is in its commit stall
  const auto killed = Clock::now();
  ASSERT_EQ(kill(serve->pid(), SIGKILL), 0);
  vdibk::testing::Outcome out = vdibk::testing::Finish(*sqlcmd, killed);
  EXPECT_EQ(out.exit_code, 1);
  const std::string tail =
      "Sqlcmd: Error: vdi-emulator : The connection was lost: the server process (pid " +
      std::to_string(serve->pid()) +
      ") ended.\nSqlcmd: Error: vdi-emulator : Communication link failure.\n";
  ASSERT_GE(out.out.size(), tail.size()) << out.out;
  EXPECT_EQ(out.out.substr(out.out.size() - tail.size()), tail) << out.out;
  EXPECT_EQ(out.out.find("100 percent processed."), std::string::npos) << out.out;
  EXPECT_LT(out.seconds, 3.0);
  EXPECT_TRUE(HistoryNames().empty());
}

}  // namespace
}  // namespace vdibk::emulator
