// vdibackup restore end to end: `vdi-emulator serve` plays SQL Server; a set written by
// `vdibackup backup` is streamed back by `vdibackup restore` through workers and compared
// byte for byte; a flipped stripe byte fails with exit 3, a deleted stripe with exit 4.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::BinDir;
using vdibk::testing::Subprocess;
using vdibk::testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Outcome {
  int exit_code = -1;
  std::string out;
};

Outcome RunProgram(const std::vector<std::string>& argv) {
  std::string cmd = "exec";
  for (const std::string& a : argv) cmd += " '" + a + "'";
  Subprocess p({"/bin/sh", "-c", cmd + " 2>&1"});
  Outcome r;
  while (auto line = p.ReadLine(120s)) r.out += *line + "\n";
  auto st = p.Wait(60s);
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  return r;
}

std::string Bin(const std::string& name) { return BinDir() + "/" + name; }

class RestoreE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Join("data");
    repo_ = dir_.Join("repo");
    fs::create_directories(repo_);
    endpoint_ = "ipc://" + dir_.Join("sql.sock");
    Outcome c = RunProgram(
        {Bin("vdi-emulator"), "create-database", "sales", "--data-dir", data_, "--size", "16M"});
    ASSERT_EQ(c.exit_code, 0) << c.out;
    server_ = std::make_unique<Subprocess>(std::vector<std::string>{
        Bin("vdi-emulator"), "serve", "--data-dir", data_, "--listen", endpoint_});
    ASSERT_TRUE(server_->WaitForLine("vdi-emulator: listening on", 20s));
  }
  void TearDown() override {
    if (server_) {
      server_->Kill(SIGTERM);
      EXPECT_TRUE(server_->Wait(20s));
    }
  }
  // Backs up `sales` and returns the set directory.
  fs::path Backup(int devices, int workers) {
    Outcome b = RunProgram({Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_,
                            "--devices", std::to_string(devices), "--workers",
                            std::to_string(workers), "--server", endpoint_, "--json"});
    EXPECT_EQ(b.exit_code, 0) << b.out;
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(repo_ + "/sales")) sets.push_back(e.path());
    EXPECT_EQ(sets.size(), 1u);
    return sets.empty() ? fs::path() : sets[0];
  }
  Outcome Restore(int workers) {
    return RunProgram({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--as",
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

  TempDir dir_;
  std::string data_, repo_, endpoint_;
  std::unique_ptr<Subprocess> server_;
};

TEST_F(RestoreE2eTest, OneDeviceOneWorkerRoundTripIsByteIdentical) { RoundTrip(1, 1); }

TEST_F(RestoreE2eTest, FourDevicesTwoWorkersRoundTripIsByteIdentical) { RoundTrip(4, 2); }

TEST_F(RestoreE2eTest, FlippedStripeByteFailsWithIntegrityAndNoDatabase) {
  fs::path set = Backup(1, 1);
  ASSERT_FALSE(set.empty());
  const fs::path stripe = set / "stripe-01-of-01.lz4";
  std::string bytes = ReadAll(stripe);
  ASSERT_GT(bytes.size(), 4096u);
  bytes[bytes.size() / 2] ^= 0x5A;  // inside the LZ4 frames, far from header and trailer
  std::ofstream(stripe, std::ios::binary | std::ios::trunc) << bytes;
  Outcome r = Restore(1);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_FALSE(CopyExists()) << r.out;
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
