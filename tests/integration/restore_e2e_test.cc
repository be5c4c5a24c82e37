// vdibackup restore end to end: `vdi-emulator serve` plays SQL Server; a set written by
// `vdibackup backup` is streamed back by `vdibackup restore` through workers and compared
// byte for byte (1, 4 and 16 devices, to a new name with --as/--move and over the same name
// with --replace). Bad inputs each fail with their exit code: a flipped stripe byte (3, in the
// workers); found before any RESTORE is sent: a deleted (4), truncated (3) or foreign (4)
// stripe, a corrupt manifest (3), a manifest listing fewer devices (4), an extra stripe (4).
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "proto/manifest.pb.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::Outcome;
using vdibk::testing::ReadAll;
using vdibk::testing::RunMerged;

class RestoreE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    StartServer(ExtraServeArgs());
  }
  virtual std::vector<std::string> ExtraServeArgs() const { return {}; }
  // Backs up `sales` and returns the set directory.
  fs::path Backup(int devices, int workers) {
    std::vector<fs::path> sets = BackupSets(devices, workers);
    EXPECT_EQ(sets.size(), 1u);
    return sets.empty() ? fs::path() : sets[0];
  }
  // Backs up `sales` and returns every set directory, oldest first.
  std::vector<fs::path> BackupSets(int devices, int workers) {
    Outcome b = RunMerged({Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_,
                           "--devices", std::to_string(devices), "--workers",
                           std::to_string(workers), "--server", endpoint_, "--json"});
    EXPECT_EQ(b.exit_code, 0) << b.out;
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(repo_ + "/sales")) sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    return sets;
  }
  Outcome Restore(int workers) {
    return RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--as",
                      "copy", "--move", "sales=copy.mdf", "--move", "sales_log=copy_log.ldf",
                      "--workers", std::to_string(workers), "--server", endpoint_, "--json"});
  }
  void RoundTrip(int devices, int workers) {
    ASSERT_FALSE(Backup(devices, workers).empty());
    Outcome r = Restore(workers);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"status\":\"ok\""), std::string::npos) << r.out;
    EXPECT_GT(ReadAll(data_ + "/copy/copy.mdf").size(), 0u);
    EXPECT_EQ(ReadAll(data_ + "/sales/sales.mdf"), ReadAll(data_ + "/copy/copy.mdf"));
    EXPECT_EQ(ReadAll(data_ + "/sales/sales_log.ldf"), ReadAll(data_ + "/copy/copy_log.ldf"));
  }
  bool CopyExists() { return fs::exists(data_ + "/copy/copy.mdf"); }
  // A bad input found before anything reached the server: its exit code, the file named, no
  // RESTORE statement run, no target database.
  void ExpectRefusedUpFront(const Outcome& r, int exit_code, const std::string& names) {
    EXPECT_EQ(r.exit_code, exit_code) << r.out;
    EXPECT_NE(r.out.find(names), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(data_ + "/copy")) << r.out;
    EXPECT_FALSE(fs::exists(data_ + "/.vdi-emulator/copy.meta")) << r.out;
  }
  static proto::Manifest ReadManifestOf(const fs::path& set) {
    stripe::DirectoryTarget t(set.string());
    Result<proto::Manifest> m = stripe::ReadManifest(t, stripe::kManifestFileName);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : proto::Manifest();
  }
  static void ReplaceManifest(const fs::path& set, const proto::Manifest& m) {
    stripe::DirectoryTarget t(set.string());
    stripe::CreateOptions replace;
    replace.replace = true;
    ASSERT_TRUE(stripe::WriteManifest(t, stripe::kManifestFileName, m, replace).ok());
  }
};

// Against a server that reads and writes its data files with O_DIRECT (serve --direct-io), as
// SQL Server does: the pipeline's round trip is unchanged.
class RestoreE2eDirectIoTest : public RestoreE2eTest {
 protected:
  std::vector<std::string> ExtraServeArgs() const override { return {"--direct-io"}; }
};

TEST_F(RestoreE2eDirectIoTest, FourDevicesTwoWorkersRoundTripIsByteIdentical) {
  EXPECT_NE(server_ready_line_.find("direct I/O"), std::string::npos) << server_ready_line_;
  RoundTrip(4, 2);
}

TEST_F(RestoreE2eTest, OneDeviceOneWorkerRoundTripIsByteIdentical) { RoundTrip(1, 1); }

TEST_F(RestoreE2eTest, FourDevicesTwoWorkersRoundTripIsByteIdentical) { RoundTrip(4, 2); }

TEST_F(RestoreE2eTest, SixteenDevicesFourWorkersRoundTripIsByteIdentical) { RoundTrip(16, 4); }

// Over the database itself (--replace) after it changed: back to the bytes of backup time.
TEST_F(RestoreE2eTest, SameNameWithReplaceRestoresTheBackupTimeBytes) {
  ASSERT_FALSE(Backup(2, 2).empty());
  const std::string mdf = ReadAll(data_ + "/sales/sales.mdf");
  const std::string ldf = ReadAll(data_ + "/sales/sales_log.ldf");
  Outcome w = RunMerged({Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_, "--changes",
                         "40", "--seed", "7"});
  ASSERT_EQ(w.exit_code, 0) << w.out;
  ASSERT_TRUE(ReadAll(data_ + "/sales/sales.mdf") != mdf);  // the workload changed it
  Outcome r = RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_,
                         "--replace", "--workers", "2", "--server", endpoint_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"target\":\"sales\""), std::string::npos) << r.out;
  EXPECT_TRUE(ReadAll(data_ + "/sales/sales.mdf") == mdf);
  EXPECT_TRUE(ReadAll(data_ + "/sales/sales_log.ldf") == ldf);
}

TEST_F(RestoreE2eTest, TruncatedStripeFailsWithIntegrityBeforeAnyRestore) {
  fs::path set = Backup(2, 2);
  ASSERT_FALSE(set.empty());
  const fs::path stripe = set / "stripe-02-of-02.lz4";
  const auto size = fs::file_size(stripe);
  fs::resize_file(stripe, size / 2);
  ExpectRefusedUpFront(Restore(2), 3, "stripe-02-of-02.lz4");
}

TEST_F(RestoreE2eTest, StripeFromAnotherSetFailsWithMissingBeforeAnyRestore) {
  ASSERT_EQ(BackupSets(2, 2).size(), 1u);
  std::vector<fs::path> sets = BackupSets(2, 2);
  ASSERT_EQ(sets.size(), 2u);
  // The newest set (restored by default) gets stripe 1 of the older one: same name, same
  // device index and count, another set id.
  fs::copy_file(sets[0] / "stripe-01-of-02.lz4", sets[1] / "stripe-01-of-02.lz4",
                fs::copy_options::overwrite_existing);
  Outcome r =
      RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--set",
                 sets[1].filename().string(), "--as", "copy", "--move", "sales=copy.mdf", "--move",
                 "sales_log=copy_log.ldf", "--server", endpoint_, "--json"});
  ExpectRefusedUpFront(r, 4, "stripe-01-of-02.lz4");
}

TEST_F(RestoreE2eTest, CorruptManifestFailsWithIntegrityBeforeAnyRestore) {
  fs::path set = Backup(2, 2);
  ASSERT_FALSE(set.empty());
  const fs::path manifest = set / stripe::kManifestFileName;
  std::string bytes = ReadAll(manifest);
  ASSERT_GT(bytes.size(), 64u);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(manifest, std::ios::binary | std::ios::trunc) << bytes;
  Outcome r =
      RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--set",
                 set.filename().string(), "--as", "copy", "--move", "sales=copy.mdf", "--move",
                 "sales_log=copy_log.ldf", "--server", endpoint_, "--json"});
  ExpectRefusedUpFront(r, 3, stripe::kManifestFileName);
}

// A (validly checksummed) manifest that lists 3 of the 4 stripes present.
TEST_F(RestoreE2eTest, ManifestListingFewerDevicesFailsWithMissingBeforeAnyRestore) {
  fs::path set = Backup(4, 2);
  ASSERT_FALSE(set.empty());
  proto::Manifest m = ReadManifestOf(set);
  ASSERT_EQ(m.stripes_size(), 4);
  m.set_device_count(3);
  m.mutable_stripes()->RemoveLast();
  ReplaceManifest(set, m);
  ExpectRefusedUpFront(Restore(2), 4, "is from a set of 4 devices, expected 3");
}

// An extra stripe file in the set directory that the manifest does not list.
TEST_F(RestoreE2eTest, ExtraStripeFailsWithMissingBeforeAnyRestore) {
  fs::path set = Backup(2, 2);
  ASSERT_FALSE(set.empty());
  fs::copy_file(set / "stripe-02-of-02.lz4", set / "stripe-03-of-03.lz4");
  Outcome r = Restore(2);
  ExpectRefusedUpFront(r, 4, "stripe-03-of-03.lz4");
  EXPECT_NE(r.out.find("not listed in the manifest"), std::string::npos) << r.out;
}

TEST_F(RestoreE2eTest, FlippedStripeByteFailsWithIntegrityAndNoDatabase) {
  fs::path set = Backup(1, 1);
  ASSERT_FALSE(set.empty());
  const fs::path stripe = set / "stripe-01-of-01.lz4";
  std::string bytes = ReadAll(stripe);
  ASSERT_GT(bytes.size(), 4096u);
  bytes[bytes.size() / 2] ^= 0x5A;  // inside the LZ4 frames, far from header and trailer
  std::ofstream(stripe, std::ios::binary | std::ios::trunc) << bytes;
  Outcome r = Restore(1);
  // Found in the stream, by the worker's checks or by the server's page checks (Msg 3183), after
  // the RESTORE started: either way exit 3 and no database.
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("\"error\":\"integrity\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("running: RESTORE"), std::string::npos) << r.out;
  EXPECT_FALSE(CopyExists()) << r.out;
  EXPECT_FALSE(fs::exists(data_ + "/.vdi-emulator/copy.meta")) << r.out;
}

TEST_F(RestoreE2eTest, DeletedStripeFailsWithMissingBeforeAnyRestore) {
  fs::path set = Backup(4, 2);
  ASSERT_FALSE(set.empty());
  fs::remove(set / "stripe-03-of-04.lz4");
  Outcome r = Restore(2);
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("stripe-03-of-04.lz4"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
  EXPECT_FALSE(CopyExists());
}

}  // namespace
}  // namespace vdibk::coordinator
