// The local doctor checks through the DoctorSystem seam: /dev/shm space, the shm probe (mode,
// umask, uid 10001's access), the loaded libsqlvdi, repository and tape checks.
#include "coordinator/doctor/doctor_checks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/doctor/doctor_fake_system.h"

namespace vdibk::coordinator {
namespace {

SqlIdentity Mssql(std::vector<uint32_t> gids, bool known = true) {
  SqlIdentity who;
  who.creds.uid = kDefaultSqlUid;
  who.creds.gids = std::move(gids);
  who.groups_known = known;
  who.source = "test user";
  return who;
}

TEST(DoctorShmSpaceTest, FullShmFailsWithTheSizeAndTheFix) {
  FakeDoctorSystem sys;
  sys.space = FsSpace{10 * kMiB, 64 * kMiB};
  CheckResult r = CheckShmSpace(sys, 16, 4 * kMiB);
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_EQ(r.name, "shm-space");
  EXPECT_TRUE(Has(r.detail, "need 64.0 MiB")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "16 buffers x 4194304 bytes")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "--shm-size")) << r.fix;
  EXPECT_TRUE(Has(r.fix, "sizeLimit")) << r.fix;
}

TEST(DoctorShmSpaceTest, EnoughSpacePasses) {
  FakeDoctorSystem sys;
  sys.space = FsSpace{64 * kMiB, 64 * kMiB};
  EXPECT_EQ(CheckShmSpace(sys, 16, 4 * kMiB).status, CheckStatus::kPass);
  sys.space = FsSpace{64 * kMiB - 1, 64 * kMiB};
  EXPECT_EQ(CheckShmSpace(sys, 16, 4 * kMiB).status, CheckStatus::kFail);
}

TEST(DoctorShmSpaceTest, ABufferCountTheServerRejectsIsOnlyAWarning) {
  FakeDoctorSystem sys;
  sys.space = FsSpace{kMiB, kMiB};
  CheckResult r = CheckShmSpace(sys, 4000000000ull, 4 * kMiB);
  EXPECT_EQ(r.status, CheckStatus::kWarn) << r.detail;
}

TEST(DoctorShmModeTest, EnvironmentOverridesTheDefaultMode) {
  FakeDoctorSystem sys;
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  EXPECT_EQ(EffectiveShmMode(sys), 0660u);
  sys.env["VDIBACKUP_SHM_MODE"] = "0600";
  EXPECT_EQ(EffectiveShmMode(sys), 0600u);
  sys.env["VDIBACKUP_SHM_MODE"] = "rw";  // not octal: libsqlvdi ignores it too
  EXPECT_EQ(EffectiveShmMode(sys), 0660u);
}

TEST(DoctorAccessTest, OwnerGroupOtherAndRoot) {
  std::string via;
  ObjectStat obj{0660, 500, 10001};
  EXPECT_TRUE(SqlUserHasAccess(Mssql({10001}), obj, &via));
  EXPECT_EQ(via, "group");
  EXPECT_FALSE(SqlUserHasAccess(Mssql({0}), obj, &via));
  EXPECT_EQ(via, "other");
  EXPECT_FALSE(SqlUserHasAccess(Mssql({}, false), obj, &via));
  EXPECT_EQ(via, "unknown");
  EXPECT_TRUE(SqlUserHasAccess(Mssql({}), ObjectStat{0600, kDefaultSqlUid, 1}, &via));
  EXPECT_EQ(via, "owner");
  EXPECT_FALSE(SqlUserHasAccess(Mssql({}), ObjectStat{0460, kDefaultSqlUid, 1}, &via));
  EXPECT_TRUE(SqlUserHasAccess(Mssql({}), ObjectStat{0666, 1, 1}, &via));
  EXPECT_EQ(via, "other");
  SqlIdentity root = Mssql({});
  root.creds.uid = 0;
  EXPECT_TRUE(SqlUserHasAccess(root, ObjectStat{0600, 1, 1}, &via));
  EXPECT_EQ(via, "root");
}

class DoctorShmProbeTest : public ::testing::Test {
 protected:
  // This process's probes only: other test processes may be probing at the same moment.
  void TearDown() override {
    EXPECT_EQ(vdibk::testing::ShmLeftovers("doctor-probe." + std::to_string(getpid()) + "-"), "");
  }
  FakeDoctorSystem sys;
};

TEST_F(DoctorShmProbeTest, GroupMemberOfTheOwnersGroupPasses) {
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  CheckResult r = CheckShmProbe(sys, Mssql({getegid()}), false);
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  EXPECT_TRUE(Has(r.detail, "mode 0660")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "umask")) << r.detail;
}

TEST_F(DoctorShmProbeTest, Uid10001OutsideTheGroupFails) {
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  CheckResult r = CheckShmProbe(sys, Mssql({getegid() + 4242}), false);
  EXPECT_EQ(r.status, CheckStatus::kFail) << r.detail;
  EXPECT_TRUE(Has(r.detail, "uid 10001")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "other bits")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "Group=mssql")) << r.fix;
}

TEST_F(DoctorShmProbeTest, WrongModeFromTheEnvironmentFailsForTheGroup) {
  sys.env["VDIBACKUP_SHM_MODE"] = "0600";
  CheckResult r = CheckShmProbe(sys, Mssql({getegid()}), false);
  EXPECT_EQ(r.status, CheckStatus::kFail) << r.detail;
  EXPECT_TRUE(Has(r.detail, "mode 0600")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "VDIBACKUP_SHM_MODE")) << r.fix;
}

TEST_F(DoctorShmProbeTest, ActualModeOfTheObjectIsWhatCounts) {
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  sys.object_stat = ObjectStat{0600, 4242, getegid()};  // e.g. a umask or ACL took group rw away
  CheckResult r = CheckShmProbe(sys, Mssql({getegid()}), false);
  EXPECT_EQ(r.status, CheckStatus::kFail) << r.detail;
  EXPECT_TRUE(Has(r.detail, "owner 4242:")) << r.detail;
}

TEST_F(DoctorShmProbeTest, OurLibraryIgnoresTheUmask) {
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  const mode_t old = umask(0077);
  CheckResult r = CheckShmProbe(sys, Mssql({getegid()}), false);
  umask(old);
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  EXPECT_TRUE(Has(r.detail, "umask 0077")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "mode 0660;")) << r.detail;  // the probe's actual mode
}

TEST_F(DoctorShmProbeTest, WrongUmaskWarnsWithMicrosoftsLibrary) {
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  sys.umask = 0077;
  CheckResult r = CheckShmProbe(sys, Mssql({getegid()}), true);
  EXPECT_EQ(r.status, CheckStatus::kWarn) << r.detail;
  EXPECT_TRUE(Has(r.fix, "UMask=0007")) << r.fix;
}

TEST_F(DoctorShmProbeTest, UnknownGroupsWarn) {
  sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
  CheckResult r = CheckShmProbe(sys, Mssql({}, false), false);
  EXPECT_EQ(r.status, CheckStatus::kWarn) << r.detail;
  EXPECT_TRUE(Has(r.fix, "--sql-gid")) << r.fix;
}

TEST(DoctorLibraryTest, ReportsOurLibraryWithItsPath) {
  OsDoctorSystem sys;
  CheckResult r = CheckVdiLibrary(sys);
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  EXPECT_TRUE(Has(r.detail, "libsqlvdi.so")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "vdibackup's")) << r.detail;
}

TEST(DoctorRepoTest, WritableRepoPassesAndLeavesNothing) {
  vdibk::testing::TempDir dir;
  FakeDoctorSystem sys;
  CheckResult r = CheckRepoWritable(sys, dir.path());
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(DoctorRepoTest, MissingRepoFails) {
  vdibk::testing::TempDir dir;
  FakeDoctorSystem sys;
  CheckResult r = CheckRepoWritable(sys, dir.Join("nope"));
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.detail, "No such file")) << r.detail;
}

TEST(DoctorRepoTest, UnwritableRepoFailsWithThePermissionFix) {
  vdibk::testing::TempDir dir;
  FakeDoctorSystem sys;
  sys.open_hook = [](const std::string& path, int flags) -> std::optional<Status> {
    if ((flags & O_CREAT) == 0) return std::nullopt;
    return Status::FromErrno(ErrorCode::kConfiguration, "open " + path, EACCES);
  };
  CheckResult r = CheckRepoWritable(sys, dir.path());
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.detail, "Permission denied")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "ReadWritePaths=" + dir.path())) << r.fix;
}

TEST(DoctorRepoTest, FailingFsyncFailsAndTheProbeIsRemoved) {
  vdibk::testing::TempDir dir;
  FakeDoctorSystem sys;
  sys.fsync_error = Status::FromErrno(ErrorCode::kConfiguration, "fsync", EIO);
  CheckResult r = CheckRepoWritable(sys, dir.path());
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.detail, "fsync")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "fsync")) << r.fix;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(DoctorTapeTest, ReadableDevicePassesMissingFails) {
  FakeDoctorSystem sys;
  EXPECT_EQ(CheckTapeReadable(sys, "/dev/null").status, CheckStatus::kPass);
  CheckResult r = CheckTapeReadable(sys, "/dev/nonexistent-nst9");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.fix, "PrivateDevices")) << r.fix;
}

TEST(DoctorProcStatusTest, ParsesEffectiveIdsAndGroups) {
  std::optional<Credentials> c = ParseProcStatusCredentials(
      "Name:\tsqlservr\nUid:\t10001\t10002\t10001\t10001\nGid:\t0\t10001\t0\t0\n"
      "Groups:\t0 10001 5 \n");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->uid, 10002u);
  EXPECT_EQ(c->gids, (std::vector<uint32_t>{10001, 0, 5}));
  EXPECT_FALSE(ParseProcStatusCredentials("Name:\tx\n").has_value());
}

}  // namespace
}  // namespace vdibk::coordinator
