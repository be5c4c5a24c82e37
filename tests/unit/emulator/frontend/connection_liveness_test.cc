// The liveness rule of a statement's connection, against a server in its own process
// (sql_test_server): silence is never a link failure while the server lives (a frozen server, a
// listener without keepalives), a killed server is noticed within the bound, a frozen server
// before login is a login timeout, and /proc tells stopped from ended.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "emulator/frontend/server_process.h"
#include "emulator/frontend/sql_client.h"
#include "emulator/frontend/sql_listener.h"
#include "emulator/frontend/test_executor.h"
#include "tests/harness/programs.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator::frontend {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The liveness check period of these tests: far below the old 30 s silence limit, so each
// silence below would have been a "Communication link failure" under the old rule.
constexpr milliseconds kLiveness{100};

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class ConnectionLivenessTest : public ::testing::Test {
 protected:
  // Starts sql_test_server on an ipc:// endpoint and waits for its readiness line.
  void StartServer(std::vector<std::string> extra = {}) {
    endpoint_ = "ipc://" + dir_.Join("run/sql.sock");
    std::vector<std::string> argv = {vdibk::testing::Bin("sql_test_server"), "--listen", endpoint_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<vdibk::testing::Subprocess>(argv);
    ASSERT_TRUE(server_->WaitForLine("sql_test_server: listening on", milliseconds(20000)));
  }
  std::unique_ptr<SqlClient> Client(SqlClientOptions o = {}) {
    o.endpoint = endpoint_;
    o.liveness_interval = kLiveness;
    auto c = SqlClient::Connect(std::move(o));
    EXPECT_TRUE(c.ok());
    return c.ok() ? std::move(c).value() : nullptr;
  }
  bool ServerIs(ProcessState state, const ProcessIdentity& id) {
    return vdibk::testing::PollUntil([&] { return CheckProcess(id) == state; },
                                     milliseconds(10000));
  }

  vdibk::testing::TempDir dir_;
  std::string endpoint_;
  std::unique_ptr<vdibk::testing::Subprocess> server_;
};

TEST_F(ConnectionLivenessTest, FrozenServerIsWaitedForNotALinkFailure) {
  StartServer({"--keepalive-ms", "3600000", "--silent-ms", "200"});
  auto client = Client();
  std::thread thaw;
  ProcessIdentity server;
  const auto start = Clock::now();
  auto r = client->Execute("BACKUP DATABASE silent TO VIRTUAL_DEVICE='s'", [&](const SqlEvent& e) {
    if (e.type != EventType::kAccepted) return;
    server = e.server;
    ASSERT_EQ(kill(server_->pid(), SIGSTOP), 0);
    thaw = std::thread([this] {  // frozen 15 liveness periods, then let it go on
      std::this_thread::sleep_for(15 * kLiveness);
      kill(server_->pid(), SIGCONT);
    });
  });
  if (thaw.joinable()) thaw.join();
  ASSERT_OK(r);
  EXPECT_EQ(r->failure, ClientFailure::kNone) << r->detail;
  EXPECT_TRUE(r->success);
  EXPECT_GE(SecondsSince(start), 1.5);
  EXPECT_EQ(server.pid, static_cast<uint32_t>(server_->pid()));
}

TEST_F(ConnectionLivenessTest, KilledServerIsNoticedWithinTheBound) {
  StartServer({"--silent-ms", "0"});  // silent until cancelled: nothing but its death ends it
  auto client = Client();
  Clock::time_point killed;
  auto r = client->Execute("BACKUP DATABASE silent TO VIRTUAL_DEVICE='s'", [&](const SqlEvent& e) {
    if (e.type != EventType::kAccepted) return;
    killed = Clock::now();
    ASSERT_EQ(kill(server_->pid(), SIGKILL), 0);
  });
  const double seconds = SecondsSince(killed);
  ASSERT_OK(r);
  EXPECT_EQ(r->failure, ClientFailure::kLinkFailure);
  EXPECT_EQ(r->message, "Communication link failure");
  EXPECT_TRUE(r->server_ended);
  EXPECT_EQ(r->detail, "The connection was lost: the server process (pid " +
                           std::to_string(server_->pid()) + ") ended");
  EXPECT_LT(seconds, 3.0);
}

TEST_F(ConnectionLivenessTest, SqlcmdExitsWithinSecondsOfTheServersDeath) {
  StartServer({"--silent-ms", "0"});
  auto sqlcmd = std::make_unique<vdibk::testing::Subprocess>(
      std::vector<std::string>{vdibk::testing::Bin("sqlcmd"), "-S", endpoint_, "-b", "-Q",
                               "PRINT 'started'\nBACKUP DATABASE silent TO VIRTUAL_DEVICE='s'"});
  // sqlcmd (errors on stdout, no -r) printed the batch's first message: it has the server's
  // Accepted (and pid).
  ASSERT_TRUE(sqlcmd->WaitForLine("started", milliseconds(20000)));
  const auto killed = Clock::now();
  ASSERT_EQ(kill(server_->pid(), SIGKILL), 0);
  vdibk::testing::Outcome out = vdibk::testing::Finish(*sqlcmd, killed);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.out,
            "Sqlcmd: Error: vdi-emulator : The connection was lost: the server process (pid " +
                std::to_string(server_->pid()) +
                ") ended.\nSqlcmd: Error: vdi-emulator : Communication link failure.\n");
  EXPECT_LT(out.seconds, 3.0);
}

TEST_F(ConnectionLivenessTest, FrozenServerBeforeLoginIsALoginTimeout) {
  StartServer();
  ProcessIdentity server{static_cast<uint32_t>(server_->pid()), 0, 0};
  {  // its identity as the listener announces it
    auto r = Client()->Execute("SELECT 1", [&](const SqlEvent& e) {
      if (e.type == EventType::kAccepted) server = e.server;
    });
    ASSERT_OK(r);
  }
  ASSERT_EQ(kill(server_->pid(), SIGSTOP), 0);
  ASSERT_TRUE(ServerIs(ProcessState::kStopped, server));
  SqlClientOptions o;
  o.login_timeout = milliseconds(300);
  const auto start = Clock::now();
  auto r = Client(o)->Execute("SELECT 1", [](const SqlEvent&) {});
  ASSERT_OK(r);
  EXPECT_EQ(r->failure, ClientFailure::kLoginTimeout);
  EXPECT_LT(SecondsSince(start), 2.5);

  const auto sqlcmd_start = Clock::now();
  vdibk::testing::Outcome out = vdibk::testing::RunMerged(
      {vdibk::testing::Bin("sqlcmd"), "-S", endpoint_, "-l", "1", "-Q", "SELECT 1"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.out.rfind("Sqlcmd: Error: vdi-emulator : Login timeout expired.\n", 0), 0u)
      << out.out;
  EXPECT_LT(SecondsSince(sqlcmd_start), 3.5);
  ASSERT_EQ(kill(server_->pid(), SIGCONT), 0);
  ASSERT_TRUE(ServerIs(ProcessState::kRunning, server));
  auto again = Client()->Execute("SELECT 1", [](const SqlEvent&) {});
  ASSERT_OK(again);
  EXPECT_EQ(again->failure, ClientFailure::kNone);
}

TEST_F(ConnectionLivenessTest, ProcStatusTellsStoppedFromEnded) {
  StartServer();
  ProcessIdentity server;
  auto r = Client()->Execute("SELECT 1", [&](const SqlEvent& e) {
    if (e.type == EventType::kAccepted) server = e.server;
  });
  ASSERT_OK(r);
  ASSERT_EQ(server.pid, static_cast<uint32_t>(server_->pid()));
  EXPECT_EQ(server.pid_ns, SelfIdentity().pid_ns);
  EXPECT_EQ(CheckProcess(server), ProcessState::kRunning);
  ASSERT_EQ(kill(server_->pid(), SIGSTOP), 0);
  EXPECT_TRUE(ServerIs(ProcessState::kStopped, server));
  ASSERT_EQ(kill(server_->pid(), SIGKILL), 0);
  EXPECT_TRUE(ServerIs(ProcessState::kEnded, server));  // a zombie until reaped
  server_->Wait(milliseconds(10000));
  EXPECT_EQ(CheckProcess(server), ProcessState::kEnded);
  ProcessIdentity reused = SelfIdentity();  // a live pid with another start time: not the server
  reused.start_ticks += 1;
  EXPECT_EQ(CheckProcess(reused), ProcessState::kEnded);
  ProcessIdentity elsewhere = SelfIdentity();  // another pid namespace: nothing to say
  elsewhere.pid_ns += 1;
  EXPECT_EQ(CheckProcess(elsewhere), ProcessState::kUnknown);
}

// In process: the listener's I/O thread sends no keepalives and the statement's thread nothing
// for 15 liveness periods; the server lives, so the client waits.
TEST(SilentListenerTest, SilenceWithoutKeepalivesIsNoLinkFailure) {
  vdibk::testing::TempDir dir;
  TestStatementExecutor::Options eo;
  eo.silent_for = 15 * kLiveness;
  TestStatementExecutor executor(eo);
  SqlListenerOptions lo;
  lo.endpoint = "ipc://" + dir.Join("sql.sock");
  lo.keepalive = std::chrono::hours(1);
  auto listener = SqlListener::Start(lo, &executor);
  ASSERT_OK(listener);
  SqlClientOptions co;
  co.endpoint = (*listener)->endpoint();
  co.liveness_interval = kLiveness;
  auto client = SqlClient::Connect(co);
  ASSERT_OK(client);
  int events = 0;
  const auto start = Clock::now();
  auto r = (*client)->Execute("BACKUP DATABASE silent TO VIRTUAL_DEVICE='s'",
                              [&](const SqlEvent&) { ++events; });
  ASSERT_OK(r);
  EXPECT_EQ(r->failure, ClientFailure::kNone) << r->detail;
  EXPECT_TRUE(r->success);
  EXPECT_GE(SecondsSince(start), 1.5);
  EXPECT_EQ(events, 5);  // Accepted, three messages, Done: nothing in between
}

}  // namespace
}  // namespace vdibk::emulator::frontend
