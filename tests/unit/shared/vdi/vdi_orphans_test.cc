// SweepOrphanedSets on real /dev/shm objects: sets of SIGKILLed creators (vdi_test_peer), 0-byte
// control objects, stray buffer segments, a live creator, names that only look like ours, and a
// Create of the same name racing the sweep. Every sweep is limited to this test's set prefix.
#include "vdi_orphans.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "tests/harness/subprocess.h"
#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

using vdibk::testing::BinDir;
using vdibk::testing::Subprocess;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string Peer() { return BinDir() + "/vdi_test_peer"; }
std::string Ctl(const std::string& set) { return "/dev/shm/vdibackup." + set + ".ctl"; }
std::string Buf(const std::string& set, int k = 0) {
  return "/dev/shm/vdibackup." + set + ".0000abcd.buf" + std::to_string(k);
}

// A real shm object of `bytes` bytes (shm_open, as libsqlvdi makes them).
void MakeShm(const std::string& path, off_t bytes = 0) {
  const std::string name = path.substr(std::string("/dev/shm").size());
  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  if (bytes > 0) {
    ASSERT_EQ(ftruncate(fd, bytes), 0);
  }
  close(fd);
}

// The tests' age guard, and how old Age() makes objects: older than it, but younger than the
// default guard of every vdibackup running meanwhile (whose sweep must not take them first).
constexpr std::chrono::seconds kGuard = 20s;
static_assert(kGuard < kOrphanMinAge - 30s);

// Sets the object's modification time `age` into the past.
void Age(const std::string& path, std::chrono::seconds age = kGuard + 10s) {
  struct timespec times[2] = {};
  clock_gettime(CLOCK_REALTIME, &times[1]);
  times[1].tv_sec -= age.count();
  times[0] = times[1];
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// The set a creator left when it was SIGKILLed after Create (nobody holds its lock).
void KilledCreator(const std::string& set) {
  Subprocess peer({Peer(), "client", set, "1"});
  ASSERT_TRUE(peer.WaitForLine("CREATED 0", 10s));
  peer.Kill(SIGKILL);
  ASSERT_TRUE(peer.Wait(10s));
  ASSERT_TRUE(fs::exists(Ctl(set)));
}

std::vector<std::string> RemovedSets(const SweepReport& r) {
  std::vector<std::string> out;
  for (const SweptSet& s : r.removed) out.push_back(s.set_name);
  return out;
}

class VdiOrphansTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev/shm", ec)) {
      if (e.path().filename().string().find(prefix_) != std::string::npos) fs::remove(e, ec);
    }
  }
  SweepReport Sweep(std::chrono::seconds min_age = kGuard) {
    return SweepOrphanedSets(prefix_, min_age);
  }
  const std::string prefix_ = SetName("orph");
};

TEST_F(VdiOrphansTest, AnOrphanOlderThanTheGuardGoesWithItsBufferSegments) {
  const std::string set = prefix_ + "-old";
  ASSERT_NO_FATAL_FAILURE(KilledCreator(set));
  ASSERT_NO_FATAL_FAILURE(MakeShm(Buf(set, 0), 65536));
  ASSERT_NO_FATAL_FAILURE(MakeShm(Buf(set, 1), 65536));
  ASSERT_NO_FATAL_FAILURE(Age(Ctl(set)));
  const SweepReport r = Sweep();
  ASSERT_EQ(RemovedSets(r), std::vector<std::string>{set});
  // Buffer segments first, the control object last.
  EXPECT_EQ(r.removed[0].paths.size(), 3u);
  EXPECT_EQ(r.removed[0].paths.back(), Ctl(set));
  EXPECT_TRUE(r.unremovable.empty());
  EXPECT_TRUE(r.unchecked.empty());
  EXPECT_EQ(ShmLeftoversFor(set), "");
}

TEST_F(VdiOrphansTest, AYoungOrphanIsKeptUntilItIsOldEnough) {
  const std::string set = prefix_ + "-young";
  ASSERT_NO_FATAL_FAILURE(KilledCreator(set));
  EXPECT_TRUE(Sweep(kOrphanMinAge).removed.empty());  // its creator might be about to lock it
  EXPECT_TRUE(Sweep().removed.empty());
  EXPECT_TRUE(fs::exists(Ctl(set)));
  ASSERT_NO_FATAL_FAILURE(Age(Ctl(set)));
  EXPECT_EQ(RemovedSets(Sweep()), std::vector<std::string>{set});
  EXPECT_FALSE(fs::exists(Ctl(set)));
}

TEST_F(VdiOrphansTest, ASetWithALiveParticipantIsKeptAtAnyAge) {
  const std::string set = prefix_ + "-live";
  Subprocess peer({Peer(), "client", set, "1"});  // waits for a server for ever
  ASSERT_TRUE(peer.WaitForLine("CREATED 0", 10s));
  ASSERT_NO_FATAL_FAILURE(Age(Ctl(set)));
  EXPECT_TRUE(Sweep(0s).removed.empty());
  EXPECT_TRUE(fs::exists(Ctl(set)));
  peer.Kill(SIGKILL);  // now it is an orphan
  ASSERT_TRUE(peer.Wait(10s));
  EXPECT_EQ(RemovedSets(Sweep()), std::vector<std::string>{set});
}

TEST_F(VdiOrphansTest, AZeroByteControlObjectIsAnOrphanToo) {
  // Its creator died between shm_open and sizing it.
  const std::string set = prefix_ + "-empty";
  ASSERT_NO_FATAL_FAILURE(MakeShm(Ctl(set)));
  EXPECT_TRUE(Sweep().removed.empty());
  ASSERT_NO_FATAL_FAILURE(Age(Ctl(set)));
  EXPECT_EQ(RemovedSets(Sweep()), std::vector<std::string>{set});
  EXPECT_FALSE(fs::exists(Ctl(set)));
}

TEST_F(VdiOrphansTest, BufferSegmentsWithoutAControlObjectGoWhenOld) {
  const std::string set = prefix_ + "-bufs";
  ASSERT_NO_FATAL_FAILURE(MakeShm(Buf(set), 4096));
  EXPECT_TRUE(Sweep().removed.empty());
  ASSERT_NO_FATAL_FAILURE(Age(Buf(set)));
  const SweepReport r = Sweep();
  ASSERT_EQ(RemovedSets(r), std::vector<std::string>{set});
  EXPECT_EQ(r.removed[0].paths, std::vector<std::string>{Buf(set)});
}

TEST_F(VdiOrphansTest, NamesThatAreNotASetsObjectsAreUntouched) {
  const std::string set = prefix_ + "-names";
  const std::vector<std::string> strangers = {
      "/dev/shm/vdibackup." + set + ".ctl.bak",        "/dev/shm/x-vdibackup." + set + ".ctl",
      "/dev/shm/vdibackup." + set + ".0000ABCD.buf0",  "/dev/shm/vdibackup." + set + ".abcd.buf0",
      "/dev/shm/vdibackup." + set + ".0000abcd.bufx",  "/dev/shm/vdibackup." + set,
      "/dev/shm/vdibackup." + set + ".0000abcd.buf0x", "/dev/shm/vdibackup_" + set + ".ctl"};
  for (const std::string& path : strangers) {
    ASSERT_NO_FATAL_FAILURE(MakeShm(path));
    ASSERT_NO_FATAL_FAILURE(Age(path));
  }
  const std::string other = SetName("orph-other");  // not below this sweep's prefix
  ASSERT_NO_FATAL_FAILURE(MakeShm(Ctl(other)));
  ASSERT_NO_FATAL_FAILURE(Age(Ctl(other)));
  EXPECT_TRUE(Sweep(0s).removed.empty());
  for (const std::string& path : strangers) EXPECT_TRUE(fs::exists(path)) << path;
  EXPECT_TRUE(fs::exists(Ctl(other)));
  fs::remove(Ctl(other));
}

TEST_F(VdiOrphansTest, SetNamesAreReportedDecoded) {
  const std::string set = prefix_ + " db.1";  // stored as %20 and %2E
  ClientVirtualDeviceSet vds;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(vds.Create(const_cast<char*>(set.c_str()), &cfg), NOERROR);
  const std::string ctl = "/dev/shm/vdibackup." + prefix_ + "%20db%2E1.ctl";
  ASSERT_TRUE(fs::exists(ctl));
  EXPECT_TRUE(Sweep(0s).removed.empty());  // we hold it
  vds.Close();
  ASSERT_NO_FATAL_FAILURE(MakeShm(ctl));  // as a killed creator would have left it
  ASSERT_NO_FATAL_FAILURE(Age(ctl));
  EXPECT_EQ(RemovedSets(Sweep()), std::vector<std::string>{set});
}

// A creator replacing a stale set of its name while a sweep judges that stale set: whatever the
// interleaving, the creator's new set survives (both take the cleaner lock and re-check).
TEST_F(VdiOrphansTest, ACreateRacingTheSweepKeepsItsNewSet) {
  for (int i = 0; i < 100; ++i) {
    const std::string set = prefix_ + "-race" + std::to_string(i);
    ASSERT_NO_FATAL_FAILURE(MakeShm(Ctl(set), 4096));
    ASSERT_NO_FATAL_FAILURE(Age(Ctl(set)));
    std::atomic<bool> go{false};
    std::thread sweeper([&] {
      while (!go.load()) std::this_thread::yield();
      Sweep();
    });
    ClientVirtualDeviceSet vds;
    VDConfig cfg = ClientConfig(1);
    go.store(true);
    ASSERT_EQ(vds.Create(const_cast<char*>(set.c_str()), &cfg), NOERROR) << i;
    sweeper.join();
    EXPECT_TRUE(fs::exists(Ctl(set))) << "the sweep removed the new set " << i;
    EXPECT_TRUE(Sweep(0s).removed.empty()) << i;  // it is live
    vds.Close();
    EXPECT_EQ(ShmLeftoversFor(set), "") << i;
  }
}

}  // namespace
}  // namespace vdibk::vdi::testing
