// JobIpcDir and SweepAbandonedIpcDirs: a live owner's directory (in this or another process) is
// never swept; one whose owner was SIGKILLed is; lock-less ones only when old and not listened
// on; symlinks and planted files are left alone.
#include "shared/transport/job_ipc_dir.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "tests/harness/fifo_guard.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::transport {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A child process that makes a JobIpcDir in `base`, reports its path on a pipe and waits to be
// killed (it never runs a destructor).
struct OwnerProcess {
  pid_t pid = -1;
  std::string dir;
};
OwnerProcess StartOwner(const std::string& base) {
  int p[2];
  EXPECT_EQ(::pipe(p), 0);
  OwnerProcess o;
  o.pid = ::fork();
  if (o.pid == 0) {
    ::close(p[0]);
    Result<JobIpcDir> d = JobIpcDir::Create(base);
    const std::string path = d.ok() ? d->path() : "";
    (void)!::write(p[1], path.data(), path.size());
    ::close(p[1]);
    for (;;) ::pause();
  }
  ::close(p[1]);
  char buf[512];
  ssize_t n = 0, got = 0;
  while ((n = ::read(p[0], buf + got, sizeof(buf) - static_cast<size_t>(got))) > 0) got += n;
  ::close(p[0]);
  o.dir.assign(buf, static_cast<size_t>(got));
  return o;
}

TEST(JobIpcDirTest, PrivateDirectoryWithItsOwnerLockRemovedOnDestruction) {
  vdibk::testing::TempDir base;
  std::string path;
  {
    Result<JobIpcDir> d = JobIpcDir::Create(base.path());
    ASSERT_OK(d);
    path = d->path();
    EXPECT_EQ(fs::path(path).parent_path().string(), base.path());
    EXPECT_EQ(fs::path(path).filename().string().rfind(
                  std::string(kJobIpcDirPrefix) + std::to_string(::getpid()) + "-", 0),
              0u)
        << path;
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(fs::is_regular_file(path + "/" + kJobIpcOwnerLock));
    // Its owner (this process) lives: never swept, not even with no age limit.
    EXPECT_TRUE(SweepAbandonedIpcDirs(base.path(), 0s).empty());
    EXPECT_TRUE(fs::is_directory(path));
    JobIpcDir moved = std::move(d).value();
    EXPECT_EQ(moved.path(), path);
  }
  EXPECT_FALSE(fs::exists(path));
}

// The owner is SIGKILLed: its directory stays behind until a sweep, which removes it at once.
TEST(JobIpcDirTest, DirectoryOfAKilledOwnerIsSweptAndALiveOnesIsNot) {
  vdibk::testing::TempDir base;
  OwnerProcess live = StartOwner(base.path());
  OwnerProcess killed = StartOwner(base.path());
  ASSERT_FALSE(live.dir.empty());
  ASSERT_FALSE(killed.dir.empty());
  ASSERT_EQ(::kill(killed.pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(killed.pid, nullptr, 0), killed.pid);
  EXPECT_TRUE(fs::is_directory(killed.dir));  // nothing of the dead owner ran

  const std::vector<std::string> removed = SweepAbandonedIpcDirs(base.path());
  EXPECT_EQ(removed, std::vector<std::string>{killed.dir});
  EXPECT_FALSE(fs::exists(killed.dir));
  EXPECT_TRUE(fs::is_directory(live.dir));  // its owner holds the lock

  ASSERT_EQ(::kill(live.pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(live.pid, nullptr, 0), live.pid);
  EXPECT_TRUE(Contains(SweepAbandonedIpcDirs(base.path()), live.dir));
  EXPECT_FALSE(fs::exists(live.dir));
}

// Without an owner lock (an older vdibackup's directory): only when older than the age limit
// and nobody listens on its hub socket.
TEST(JobIpcDirTest, LocklessDirectoryGoesOnlyWhenOldAndNotListenedOn) {
  vdibk::testing::TempDir base;
  const std::string quiet = base.Join(std::string(kJobIpcDirPrefix) + "quiet");
  const std::string busy = base.Join(std::string(kJobIpcDirPrefix) + "busy");
  ASSERT_EQ(::mkdir(quiet.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(busy.c_str(), 0700), 0);
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string hub = busy + "/hub";
  ASSERT_LT(hub.size(), sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, hub.c_str(), hub.size() + 1);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(s, 4), 0);

  EXPECT_TRUE(SweepAbandonedIpcDirs(base.path(), 3600s).empty());  // too young
  const std::vector<std::string> removed = SweepAbandonedIpcDirs(base.path(), 0s);
  ::close(s);
  EXPECT_EQ(removed, std::vector<std::string>{quiet});
  EXPECT_FALSE(fs::exists(quiet));
  EXPECT_TRUE(fs::is_directory(busy));
  EXPECT_EQ(SweepAbandonedIpcDirs(base.path(), 0s), std::vector<std::string>{busy});  // closed
}

// A symlink with the prefix, another name, or a FIFO planted as the owner lock: left alone, and
// the sweep does not block on the FIFO.
TEST(JobIpcDirTest, SymlinksOtherNamesAndPlantedFilesAreLeftAlone) {
  vdibk::testing::TempDir base;
  vdibk::testing::TempDir elsewhere;
  const std::string precious = elsewhere.Join("precious");
  ASSERT_EQ(::mkdir(precious.c_str(), 0700), 0);
  const std::string link = base.Join(std::string(kJobIpcDirPrefix) + "link");
  ASSERT_EQ(::symlink(precious.c_str(), link.c_str()), 0);
  const std::string other = base.Join("other-dir");
  ASSERT_EQ(::mkdir(other.c_str(), 0700), 0);
  const std::string planted = base.Join(std::string(kJobIpcDirPrefix) + "fifo");
  ASSERT_EQ(::mkdir(planted.c_str(), 0700), 0);
  const std::string fifo = planted + "/" + kJobIpcOwnerLock;
  ASSERT_TRUE(vdibk::testing::MakeFifo(fifo));

  std::vector<std::string> removed;
  EXPECT_TRUE(vdibk::testing::ReturnsWithin(
      [&] { removed = SweepAbandonedIpcDirs(base.path(), 0s); }, 5s, {fifo}));
  EXPECT_TRUE(removed.empty());
  EXPECT_TRUE(fs::is_directory(precious));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(fs::is_directory(other));
  EXPECT_TRUE(fs::exists(fifo));
}

}  // namespace
}  // namespace vdibk::transport
