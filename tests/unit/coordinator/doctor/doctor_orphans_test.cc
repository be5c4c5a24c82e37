// The orphan-sets check: its report for what a sweep removed, could not remove or could not
// check, and one real sweep of an old 0-byte control object below this test's own set prefix.
#include "coordinator/doctor/doctor_orphans.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DoctorOrphansTest, NothingOrphanedPasses) {
  CheckResult r = OrphanedSetsResult({});
  EXPECT_EQ(r.name, "orphan-sets");
  EXPECT_EQ(r.status, CheckStatus::kPass);
  EXPECT_TRUE(Has(r.detail, "no orphaned VDI sets")) << r.detail;
}

TEST(DoctorOrphansTest, RemovedSetsAreNamedWithTheirFiles) {
  vdi::SweepReport report;
  report.removed.push_back({"db1", {"/dev/shm/vdibackup.db1.0000abcd.buf0",
                                    "/dev/shm/vdibackup.db1.ctl"}});
  report.removed.push_back({"db2", {"/dev/shm/vdibackup.db2.ctl"}});
  CheckResult r = OrphanedSetsResult(report);
  EXPECT_EQ(r.status, CheckStatus::kPass);
  EXPECT_TRUE(Has(r.detail, "removed 2 orphaned VDI set(s)")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "'db1' (/dev/shm/vdibackup.db1.0000abcd.buf0 "
                            "/dev/shm/vdibackup.db1.ctl)"))
      << r.detail;
  EXPECT_TRUE(Has(r.detail, "/dev/shm/vdibackup.db2.ctl")) << r.detail;
}

TEST(DoctorOrphansTest, AnOrphanThatCannotBeRemovedWarnsWithTheCommand) {
  vdi::SweepReport report;
  report.unremovable.push_back({"/dev/shm/vdibackup.x.ctl", "unlink: Operation not permitted"});
  CheckResult r = OrphanedSetsResult(report);
  EXPECT_EQ(r.status, CheckStatus::kWarn);
  EXPECT_TRUE(Has(r.detail, "Operation not permitted")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "rm -f /dev/shm/vdibackup.x.ctl")) << r.fix;
}

TEST(DoctorOrphansTest, SetsThatCannotBeCheckedAreOnlyMentioned) {
  vdi::SweepReport report;
  report.unchecked.push_back({"/dev/shm/vdibackup.y.ctl", "open: Permission denied"});
  CheckResult r = OrphanedSetsResult(report);
  EXPECT_EQ(r.status, CheckStatus::kPass);  // another user's, maybe live
  EXPECT_TRUE(Has(r.detail, "not checked")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "/dev/shm/vdibackup.y.ctl")) << r.detail;
}

TEST(DoctorOrphansTest, AnOldOrphanIsRemovedAndReported) {
  const std::string set = vdibk::testing::UniqueName("doctor-orphan");
  const std::string path = "/dev/shm/vdibackup." + set + ".ctl";
  int fd = shm_open(("/vdibackup." + set + ".ctl").c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  struct timespec times[2] = {};
  clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 30;  // younger than the default guard of a vdibackup running meanwhile
  times[1] = times[0];
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  CheckResult r = CheckOrphanedSets(set, std::chrono::seconds(20));
  EXPECT_EQ(r.status, CheckStatus::kPass);
  EXPECT_TRUE(Has(r.detail, "'" + set + "'")) << r.detail;
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace vdibk::coordinator
