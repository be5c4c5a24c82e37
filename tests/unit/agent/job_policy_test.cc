// JobPolicy over a real directory tree: roles per kind, the option allow-list, the database
// allow-list, and paths that leave their roots by "..", by a symlink (to a directory or a file,
// dangling included) or by being elsewhere.
#include "agent/job_policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

const Principal kRead{"token:r", AgentRole::kRead};
const Principal kBackup{"token:b", AgentRole::kBackup};
const Principal kAdmin{"token:a", AgentRole::kAdmin};

class AgentPolicyTest : public ::testing::Test {
 protected:
  AgentPolicyTest() {
    data_ = dir_.Join("data");
    targets_ = dir_.Join("targets");
    outside_ = dir_.Join("outside");
    for (const std::string& d : {data_, targets_, outside_, dir_.Join("repos/r1")}) {
      fs::create_directories(d);
    }
    fs::create_directory_symlink(outside_, data_ + "/escape");          // a directory elsewhere
    fs::create_symlink(outside_ + "/victim.mdf", data_ + "/dangling");  // a file to be
    fs::create_directory_symlink(data_ + "/sub", data_ + "/inner");     // within, dangling
    fs::create_directories(data_ + "/sub");
    config_.move_roots = {data_};
    config_.target_roots = {targets_};
    config_.repo_roots = {dir_.Join("repos")};
  }
  std::optional<Refusal> Check(const Principal& who, const std::string& kind,
                               const std::vector<std::string>& args,
                               const std::string& db = "sales") {
    return JobPolicy(config_).CheckSubmit(who, kind, db, args);
  }
  std::string Reason(const Principal& who, const std::string& kind,
                     const std::vector<std::string>& args, const std::string& db = "sales") {
    auto r = Check(who, kind, args, db);
    return r ? r->reason : "allowed";
  }

  vdibk::testing::TempDir dir_;
  std::string data_, targets_, outside_;
  AgentPolicyConfig config_;
};

TEST_F(AgentPolicyTest, RolesPerKind) {
  EXPECT_EQ(Reason(kRead, "backup", {}), "role");
  EXPECT_EQ(Reason(kBackup, "backup", {}), "allowed");
  EXPECT_EQ(Reason(kAdmin, "backup", {}), "allowed");
  auto r = Check(kBackup, "restore", {"--as", "copy"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "role");
  EXPECT_EQ(r->message, "role backup may not start restores");
  EXPECT_EQ(Reason(kRead, "restore", {"--as", "copy"}), "role");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--replace"}), "allowed");  // in place, over sales
}

TEST_F(AgentPolicyTest, BackupMayRestoreCopiesButNeverInPlaceOrReplace) {
  config_.backup_may_restore_copies = true;
  EXPECT_EQ(Reason(kBackup, "restore", {"--as", "sales_copy"}), "allowed");
  EXPECT_EQ(Reason(kBackup, "restore", {}), "in_place");
  EXPECT_EQ(Reason(kBackup, "restore", {"--as", "SALES"}), "in_place");
  EXPECT_EQ(Reason(kBackup, "restore", {"--as", "sales_copy", "--replace"}), "replace");
  EXPECT_EQ(Reason(kRead, "restore", {"--as", "sales_copy"}), "role");
}

TEST_F(AgentPolicyTest, OnlyAllowListedOptionsWithWellFormedValues) {
  EXPECT_EQ(Reason(kBackup, "backup",
                   {"--devices", "4", "--workers", "2", "--compression", "none", "--type", "diff",
                    "--copy-only", "--set-name", "nightly_1", "--max-transfer-size", "65536"}),
            "allowed");
  EXPECT_EQ(Reason(kAdmin, "restore",
                   {"--set", "latest", "--until", "2024-01-31T23:59:59Z", "--norecovery"}),
            "allowed");
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--sqlcmd", "/bin/sh"},
                                             {"--worker-program", "/bin/sh"},
                                             {"--worker-endpoint", "ipc:///tmp/x"},
                                             {"--server", "evil"},
                                             {"--devices=4"},
                                             {"--devices", "four"},
                                             {"--devices"},
                                             {"--compression", "zstd"},
                                             {"--set-name", "../x"},
                                             {"--norecovery"},
                                             {"--as", "x"},
                                             {"--target", "null"},
                                             {"positional"}}) {
    auto r = Check(kBackup, "backup", bad);
    ASSERT_TRUE(r) << bad[0];
    EXPECT_EQ(r->reason, "option") << bad[0] << ": " << r->message;
  }
  EXPECT_EQ(Check(kBackup, "backup", {"--sqlcmd", "x"})->message,
            "option --sqlcmd is set by the agent's config");
  EXPECT_EQ(Reason(kAdmin, "backup", {"--target", "null"}), "allowed");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--until", "$(reboot)"}), "option");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--set", "a/../../b"}), "option");
}

TEST_F(AgentPolicyTest, DatabasesFromTheAllowList) {
  config_.databases = {"sales", "Inventory"};
  EXPECT_EQ(Reason(kBackup, "backup", {}, "sales"), "allowed");
  EXPECT_EQ(Reason(kBackup, "backup", {}, "inventory"), "allowed");  // case-insensitive
  EXPECT_EQ(Reason(kBackup, "backup", {}, "prod"), "database");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--as", "prod"}), "database");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--as", "inventory"}), "allowed");
}

TEST_F(AgentPolicyTest, MovePathsStayInsideTheirRoots) {
  auto move = [&](const std::string& path) {
    return Reason(kAdmin, "restore", {"--as", "c", "--move", "c=" + path});
  };
  EXPECT_EQ(move(data_ + "/c.mdf"), "allowed");
  EXPECT_EQ(move(data_ + "/new/dir/c.mdf"), "allowed");  // created below the root
  EXPECT_EQ(move(data_ + "/inner/c.mdf"), "allowed");    // a symlink that stays inside
  EXPECT_EQ(move(outside_ + "/c.mdf"), "path");
  EXPECT_EQ(move("/tmp/x/pwn.mdf"), "path");
  EXPECT_EQ(move(data_), "path");  // the root itself is no file
  EXPECT_EQ(move("relative/c.mdf"), "path");
  auto r = Check(kAdmin, "restore", {"--as", "c", "--move", "c=" + data_ + "/../outside/c.mdf"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "path");
  EXPECT_NE(r->message.find("'..' is not allowed"), std::string::npos) << r->message;
  r = Check(kAdmin, "restore", {"--as", "c", "--move", "c=" + data_ + "/escape/c.mdf"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "path");
  EXPECT_NE(r->message.find("resolves to " + fs::canonical(outside_).string() + "/c.mdf"),
            std::string::npos)
      << r->message;
  r = Check(kAdmin, "restore", {"--as", "c", "--move", "c=" + data_ + "/dangling"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "path");
  EXPECT_NE(r->message.find("dangling symbolic link"), std::string::npos) << r->message;
  EXPECT_EQ(Reason(kAdmin, "restore", {"--as", "c", "--move", "nopath"}), "option");
  config_.move_roots.clear();
  r = Check(kAdmin, "restore", {"--as", "c", "--move", "c=" + data_ + "/c.mdf"});
  ASSERT_TRUE(r);
  EXPECT_NE(r->message.find("no roots are configured"), std::string::npos) << r->message;
}

TEST_F(AgentPolicyTest, TargetAndRepoPathsStayInsideTheirRoots) {
  EXPECT_EQ(Reason(kBackup, "backup", {"--target", targets_}), "allowed");
  EXPECT_EQ(Reason(kBackup, "backup", {"--target", targets_ + "/t1"}), "allowed");
  EXPECT_EQ(Reason(kBackup, "backup", {"--target", "/anywhere"}), "path");
  EXPECT_EQ(Reason(kBackup, "backup", {"--target", targets_ + "/../outside"}), "path");
  fs::create_directory_symlink("/etc", targets_ + "/etc");
  EXPECT_EQ(Reason(kBackup, "backup", {"--target", targets_ + "/etc"}), "path");
  EXPECT_EQ(Reason(kBackup, "backup", {"--repo", dir_.Join("repos/r1")}), "allowed");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--repo", dir_.Join("repos/r1")}), "allowed");
  EXPECT_EQ(Reason(kBackup, "backup", {"--repo", data_}), "path");
  EXPECT_EQ(Reason(kAdmin, "restore", {"--repo", "/"}), "path");
}

TEST_F(AgentPolicyTest, CancelOwnJobsOrAnyAsAdmin) {
  EXPECT_FALSE(JobPolicy::CheckCancel(kBackup, "token:b"));
  EXPECT_EQ(JobPolicy::CheckCancel(kBackup, "token:other")->reason, "not_owner");
  EXPECT_EQ(JobPolicy::CheckCancel(kRead, "token:r")->reason, "role");
  EXPECT_FALSE(JobPolicy::CheckCancel(kAdmin, "token:other"));
}

}  // namespace
}  // namespace vdibk::coordinator
