// Workers launched by an outside supervisor (`vdibackup backup --worker-endpoint`): started
// before the job they register and serve it (fan-out too) and exit 0; too few workers, a
// directory that is not private and an endpoint in use are clear errors that leave nothing.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

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
using vdibk::testing::ShmLeftovers;
using vdibk::testing::StartMerged;
using vdibk::testing::Subprocess;

class ExternalWorkersTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    run_ = dir_.Join("run");
    ASSERT_EQ(::mkdir(run_.c_str(), 0700), 0);
    hub_ = "ipc://" + run_ + "/hub";
    set_name_ = TestSetName("vdbkext_");
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    StartServer();
  }
  void TearDown() override {
    for (auto& w : workers_) w->Kill(SIGKILL);
    EmulatorFixture::TearDown();
  }
  Subprocess& StartWorker(const std::string& id) {
    workers_.push_back(StartMerged(
        {Bin("vdibackup-worker"), "--connect", hub_, "--id", id, "--connect-timeout", "120"}));
    return *workers_.back();
  }
  Outcome Backup(int devices, int workers, std::vector<std::string> extra = {}) {
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
                                  "--worker-endpoint",
                                  hub_,
                                  "--server",
                                  endpoint_,
                                  "--set-name",
                                  set_name_,
                                  "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Finish(*StartMerged(argv));
  }
  bool RepoEmpty() {
    std::error_code ec;
    return fs::is_empty(repo_ + "/sales", ec) || !fs::exists(repo_ + "/sales");
  }

  std::string run_, hub_, set_name_;
  std::vector<std::unique_ptr<Subprocess>> workers_;
};

TEST_F(ExternalWorkersTest, WorkersStartedFirstServeTheBackupAndExitZero) {
  // Three workers for one device: w0 owns it, w1 and w2 encode (fan-out).
  for (const char* id : {"w0", "w1", "w2"}) StartWorker(id);
  Outcome b = Backup(1, 3);
  ASSERT_EQ(b.exit_code, 0) << b.out;
  EXPECT_NE(b.out.find("waiting for 3 external workers"), std::string::npos) << b.out;
  for (auto& w : workers_) {
    Outcome o = Finish(*w);
    EXPECT_EQ(o.exit_code, 0) << o.out;
  }
  workers_.clear();
  EXPECT_FALSE(fs::exists(run_ + "/hub")) << "socket left behind";
  Outcome v = Finish(*StartMerged({Bin("vdibackup"), "verify", "--repo", repo_, "--all"}));
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_EQ(ShmLeftovers(set_name_), "");
}

TEST_F(ExternalWorkersTest, MissingWorkerIsNamedAndNothingIsLeft) {
  Subprocess& w0 = StartWorker("w0");
  Outcome b = Backup(2, 2, {"--worker-wait", "2"});
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_NE(b.out.find("did not connect in time: w1"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("--id wK"), std::string::npos) << b.out;  // how to fix it
  Outcome o = Finish(w0);                                        // told to abort
  EXPECT_NE(o.exit_code, 0) << o.out;
  workers_.clear();
  EXPECT_TRUE(RepoEmpty());
  EXPECT_EQ(ShmLeftovers(set_name_), "");
}

TEST_F(ExternalWorkersTest, NonPrivateDirectoryAndBusyEndpointAreConfigurationErrors) {
  ASSERT_EQ(::chmod(run_.c_str(), 0755), 0);
  Outcome open = Backup(1, 1);
  EXPECT_EQ(open.exit_code, 78) << open.out;
  EXPECT_NE(open.out.find("group/other"), std::string::npos) << open.out;
  ASSERT_EQ(::chmod(run_.c_str(), 0700), 0);

  // Another job holds the endpoint.
  int fd = ::open((run_ + "/hub.lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  Outcome busy = Backup(1, 1);
  ::close(fd);
  EXPECT_EQ(busy.exit_code, 78) << busy.out;
  EXPECT_NE(busy.out.find("in use by another vdibackup job"), std::string::npos) << busy.out;

  Outcome missing = Finish(*StartMerged(
      {Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_, "--worker-endpoint",
       "ipc://" + run_ + "/nodir/hub", "--server", endpoint_, "--json"}));
  EXPECT_EQ(missing.exit_code, 78) << missing.out;
  EXPECT_NE(missing.out.find("does not exist"), std::string::npos) << missing.out;
  EXPECT_TRUE(RepoEmpty());
}

}  // namespace
}  // namespace vdibk::coordinator
