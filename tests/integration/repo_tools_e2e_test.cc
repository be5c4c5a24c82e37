// vdibackup verify and list end to end: a set written by a real `vdibackup backup` against
// `vdi-emulator serve` verifies (exit 0) and is listed as a good full; after one flipped stripe
// byte, verify exits 3 naming the stripe and the offset.
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

class RepoToolsE2eTest : public ::testing::Test {
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
  Outcome Vdibackup(std::vector<std::string> args) {
    args.insert(args.begin(), Bin("vdibackup"));
    return RunProgram(args);
  }

  TempDir dir_;
  std::string data_, repo_, endpoint_;
  std::unique_ptr<Subprocess> server_;
};

TEST_F(RepoToolsE2eTest, BackupVerifiesListsAndAFlippedByteFailsVerify) {
  Outcome b = Vdibackup({"backup", "--database", "sales", "--repo", repo_, "--devices", "2",
                         "--workers", "2", "--server", endpoint_, "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out;
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(repo_ + "/sales")) sets.push_back(e.path());
  ASSERT_EQ(sets.size(), 1u);
  const std::string set = sets[0].filename().string();
  // The backup's lock is gone once it finished.
  EXPECT_FALSE(fs::exists(sets[0] / ".vdibackup.lock"));

  Outcome v = Vdibackup(
      {"verify", "--repo", repo_, "--database", "sales", "--set", set, "--workers", "2", "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("\"status\":\"ok\""), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("\"stripes\":2"), std::string::npos) << v.out;

  Outcome l = Vdibackup({"list", "--repo", repo_, "--json"});
  EXPECT_EQ(l.exit_code, 0) << l.out;
  EXPECT_NE(l.out.find("\"set\":\"" + set + "\""), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("\"state\":\"good\""), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("\"type\":\"full\""), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("\"devices\":2"), std::string::npos) << l.out;

  const fs::path stripe = sets[0] / "stripe-02-of-02.lz4";
  std::string bytes;
  {
    std::ifstream f(stripe, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 4096u);
  bytes[bytes.size() / 2] ^= 0x5A;  // inside the LZ4 frames
  std::ofstream(stripe, std::ios::binary | std::ios::trunc) << bytes;

  Outcome bad = Vdibackup({"verify", "--repo", repo_, "--database", "sales", "--set", set});
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_NE(bad.out.find("stripe-02-of-02.lz4 at offset "), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("CORRUPT"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace vdibk::coordinator
