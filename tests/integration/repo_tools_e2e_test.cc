// vdibackup verify, list and prune end to end: a set written by a real `vdibackup backup` against
// `vdi-emulator serve` verifies (exit 0) and is listed as a good full; after one flipped stripe
// byte, verify exits 3 naming the stripe and the offset. verify --sql streams the set to the
// server as RESTORE VERIFYONLY through workers (the server reads every byte and writes nothing);
// a corrupt set is exit 3 and never reaches it. Prune of a backup over two --target directories
// removes the set's directories on both, and nothing else there.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

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
using vdibk::testing::RunMerged;
using vdibk::testing::ShmLeftovers;

class RepoToolsE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    StartServer();
  }
  Outcome Vdibackup(std::vector<std::string> args) {
    args.insert(args.begin(), Bin("vdibackup"));
    return RunMerged(args);
  }
  std::vector<fs::path> Sets() const {
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(repo_ + "/sales")) sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    return sets;
  }
  // Every file and directory below `root`, as paths relative to it.
  static std::set<std::string> Tree(const std::string& root) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      out.insert(fs::relative(e.path(), root).string());
    }
    return out;
  }
  // What the server holds: its databases' folders and metadata files.
  std::set<std::string> ServerState() const {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(data_)) {
      out.insert(fs::relative(e.path(), data_).string() + " " +
                 (e.is_regular_file() ? std::to_string(fs::file_size(e.path())) : ""));
    }
    return out;
  }
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

TEST_F(RepoToolsE2eTest, VerifySqlStreamsTheSetAsRestoreVerifyOnly) {
  Outcome b = Vdibackup({"backup", "--database", "sales", "--repo", repo_, "--devices", "2",
                         "--workers", "2", "--server", endpoint_});
  ASSERT_EQ(b.exit_code, 0) << b.out;
  const std::set<std::string> server_before = ServerState();
  const std::string set_name = "vdbkverify_" + std::to_string(getpid());
  Outcome v = Vdibackup({"verify", "--repo", repo_, "--database", "sales", "--workers", "2",
                         "--sql", "--server", endpoint_, "--set-name", set_name, "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("running: RESTORE VERIFYONLY FROM VIRTUAL_DEVICE=N'" + set_name +
                       "', "
                       "VIRTUAL_DEVICE=N'" +
                       set_name + "_1' WITH"),
            std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("\"sql\":\"valid\""), std::string::npos) << v.out;
  // The server read the whole stream: as many raw bytes as the stripes hold.
  const size_t raw = v.out.find("\"raw_bytes\":");
  const size_t sql_raw = v.out.find("\"sql_raw_bytes\":");
  ASSERT_NE(raw, std::string::npos) << v.out;
  ASSERT_NE(sql_raw, std::string::npos) << v.out;
  const uint64_t raw_bytes = std::stoull(v.out.substr(raw + 12));
  EXPECT_GT(raw_bytes, 16u << 20) << v.out;
  EXPECT_EQ(std::stoull(v.out.substr(sql_raw + 16)), raw_bytes) << v.out;
  EXPECT_EQ(ServerState(), server_before) << "VERIFYONLY changed the server's files";
  EXPECT_EQ(ShmLeftovers(set_name), "");

  // One flipped byte: exit 3 from the stripe checks, and the server never hears of it.
  const fs::path stripe = Sets().at(0) / "stripe-01-of-02.lz4";
  std::string bytes;
  {
    std::ifstream f(stripe, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  bytes[bytes.size() / 2] ^= 0x5A;
  std::ofstream(stripe, std::ios::binary | std::ios::trunc) << bytes;
  Outcome bad = Vdibackup({"verify", "--repo", repo_, "--database", "sales", "--sql", "--server",
                           endpoint_, "--set-name", set_name});
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_NE(bad.out.find("RESTORE VERIFYONLY: not run"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("running: RESTORE"), std::string::npos) << bad.out;
  EXPECT_EQ(ServerState(), server_before);
  EXPECT_EQ(ShmLeftovers(set_name), "");
}

TEST_F(RepoToolsE2eTest, PruneRemovesTheSetOnEveryTargetAndNothingElse) {
  const std::string t1 = dir_.Join("t1"), t2 = dir_.Join("t2");
  fs::create_directories(t1);
  fs::create_directories(t2);
  for (int i = 0; i < 2; ++i) {
    Outcome b =
        Vdibackup({"backup", "--database", "sales", "--repo", repo_, "--devices", "2", "--workers",
                   "2", "--target", t1, "--target", t2, "--server", endpoint_});
    ASSERT_EQ(b.exit_code, 0) << b.out;
  }
  const std::vector<fs::path> sets = Sets();
  ASSERT_EQ(sets.size(), 2u);
  const std::string old_set = sets[0].filename().string();
  const std::string new_set = sets[1].filename().string();
  ASSERT_TRUE(fs::exists(t1 + "/sales/" + old_set + "/stripe-01-of-02.lz4"));
  ASSERT_TRUE(fs::exists(t2 + "/sales/" + old_set + "/stripe-02-of-02.lz4"));
  // Files of others on the targets, next to and above the set directories.
  std::ofstream(t1 + "/sales/README") << "someone else's";
  std::ofstream(t2 + "/other.bin") << "someone else's";
  const std::set<std::string> t1_before = Tree(t1), t2_before = Tree(t2);

  Outcome dry = Vdibackup({"prune", "--repo", repo_, "--keep-full", "1", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_NE(dry.out.find("would remove the stripes in " + t1 + "/sales/" + old_set),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(Tree(t1), t1_before);

  Outcome p = Vdibackup({"prune", "--repo", repo_, "--keep-full", "1"});
  ASSERT_EQ(p.exit_code, 0) << p.out;
  EXPECT_NE(p.out.find("removed sales/" + old_set), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("  removed " + t1 + "/sales/" + old_set + " (1 stripe file(s))"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("  removed " + t2 + "/sales/" + old_set + " (1 stripe file(s))"),
            std::string::npos)
      << p.out;
  // Exactly the old set's directories (and their stripes) are gone from the targets.
  std::set<std::string> t1_expected, t2_expected;
  // (Two backups in one second are "<stamp>_full" and "<stamp>_full-02": match whole names.)
  auto in_old_set = [&](const std::string& e) {
    return e == "sales/" + old_set || e.rfind("sales/" + old_set + "/", 0) == 0;
  };
  for (const std::string& e : t1_before) {
    if (!in_old_set(e)) t1_expected.insert(e);
  }
  for (const std::string& e : t2_before) {
    if (!in_old_set(e)) t2_expected.insert(e);
  }
  EXPECT_EQ(Tree(t1), t1_expected);
  EXPECT_EQ(Tree(t2), t2_expected);
  EXPECT_FALSE(fs::exists(sets[0]));
  // The kept set is whole and still verifies from both targets.
  Outcome v = Vdibackup({"verify", "--repo", repo_, "--database", "sales", "--set", new_set});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

}  // namespace
}  // namespace vdibk::coordinator
