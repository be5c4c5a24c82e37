// The command line of every program, as real processes: each single-valued option given twice is
// a usage error (exit 64) naming it, in backup, restore, verify, list, prune, doctor and
// vdibackup-worker; an explicit 0 where only 1..N is valid is one too; repeatable options still
// repeat. No server is needed: the parse fails before anything starts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/harness/programs.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using vdibk::testing::Bin;
using vdibk::testing::Outcome;
using vdibk::testing::RunMerged;

struct Command {
  std::vector<std::string> argv;  // program and the options it needs, all valid
  // Single-valued options with a valid value ("" for a flag without one).
  std::vector<std::pair<std::string, std::string>> options;
};

std::vector<Command> Commands() {
  const std::string vdibackup = Bin("vdibackup");
  const std::vector<std::pair<std::string, std::string>> workers = {
      {"--worker-endpoint", "ipc:///tmp/x/hub"}, {"--worker-wait", "5"}};
  Command backup{{vdibackup, "backup", "--database", "db", "--repo", "/nonexistent"},
                 {{"--database", "db"},
                  {"--repo", "/r"},
                  {"--devices", "2"},
                  {"--workers", "2"},
                  {"--buffer-count", "8"},
                  {"--max-transfer-size", "65536"},
                  {"--block-size", "512"},
                  {"--lz4-level", "1"},
                  {"--compression", "lz4"},
                  {"--sqlcmd", "/bin/true"},
                  {"--server", "s"},
                  {"--set-name", "n"},
                  {"--worker-program", "/bin/true"},
                  {"--type", "full"},
                  {"--json", ""},
                  {"--copy-only", ""},
                  {"--no-progress", ""},
                  {"--checksum", ""}}};
  Command restore{{vdibackup, "restore", "--database", "db", "--repo", "/nonexistent", "--as", "c"},
                  {{"--database", "db"},
                   {"--repo", "/r"},
                   {"--set", "latest"},
                   {"--until", "20240101T000000Z"},
                   {"--as", "c"},
                   {"--workers", "2"},
                   {"--max-transfer-size", "65536"},
                   {"--sqlcmd", "/bin/true"},
                   {"--server", "s"},
                   {"--set-name", "n"},
                   {"--worker-program", "/bin/true"},
                   {"--replace", ""},
                   {"--norecovery", ""},
                   {"--json", ""}}};
  for (const auto& w : workers) {
    backup.options.push_back(w);
    restore.options.push_back(w);
  }
  Command verify{{vdibackup, "verify", "--repo", "/nonexistent", "--sql"},
                 {{"--repo", "/r"},
                  {"--database", "db"},
                  {"--set", "latest"},
                  {"--workers", "2"},
                  {"--sqlcmd", "/bin/true"},
                  {"--server", "s"},
                  {"--worker-program", "/bin/true"},
                  {"--set-name", "n"},
                  {"--json", ""},
                  {"--all", ""},
                  {"--sql", ""}}};
  Command list{{vdibackup, "list", "--repo", "/nonexistent"},
               {{"--repo", "/r"}, {"--database", "db"}, {"--json", ""}}};
  Command prune{{vdibackup, "prune", "--repo", "/nonexistent", "--keep-full", "1"},
                {{"--repo", "/r"},
                 {"--database", "db"},
                 {"--keep-full", "1"},
                 {"--keep-days", "3"},
                 {"--grace-minutes", "5"},
                 {"--dry-run", ""}}};
  Command doctor{{vdibackup, "doctor"},
                 {{"--repo", "/r"},
                  {"--devices", "2"},
                  {"--buffer-count", "8"},
                  {"--max-transfer-size", "65536"},
                  {"--sqlcmd", "/bin/true"},
                  {"--server", "s"},
                  {"--sql-uid", "1"},
                  {"--config", "/nonexistent.yaml"},
                  {"--json", ""}}};
  Command worker{{Bin("vdibackup-worker"), "--connect", "ipc:///tmp/x/hub", "--id", "w0"},
                 {{"--connect", "ipc:///tmp/y/hub"},
                  {"--id", "w1"},
                  {"--heartbeat-ms", "100"},
                  {"--liveness", "3"},
                  {"--connect-timeout", "5"}}};
  return {backup, restore, verify, list, prune, doctor, worker};
}

Outcome RunWith(std::vector<std::string> argv, const std::vector<std::string>& extra) {
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunMerged(argv);
}

std::vector<std::string> Twice(const std::pair<std::string, std::string>& o) {
  std::vector<std::string> v{o.first};
  if (!o.second.empty()) v.push_back(o.second);
  std::vector<std::string> twice = v;
  twice.insert(twice.end(), v.begin(), v.end());
  return twice;
}

TEST(CliOptionsE2eTest, EverySingleValuedOptionGivenTwiceIsAUsageErrorNamingIt) {
  for (const Command& c : Commands()) {
    for (const auto& option : c.options) {
      Outcome r = RunWith(c.argv, Twice(option));
      EXPECT_EQ(r.exit_code, 64) << c.argv[1] << " " << option.first << ":\n" << r.out;
      EXPECT_NE(r.out.find(option.first + " given twice"), std::string::npos)
          << c.argv[1] << " " << option.first << ":\n"
          << r.out;
    }
  }
}

TEST(CliOptionsE2eTest, ExplicitZeroIsAUsageErrorNamingTheOption) {
  const std::string vdibackup = Bin("vdibackup");
  struct Case {
    std::vector<std::string> argv;
    std::string says;
  };
  const std::vector<std::string> backup{vdibackup, "backup", "--database", "db", "--repo", "/r"};
  const std::vector<std::string> restore{vdibackup, "restore", "--database", "db",
                                         "--repo",  "/r",      "--as",       "c"};
  const std::vector<Case> cases = {
      {{"--devices", "0"}, "--devices must be 1..64"},
      {{"--workers", "0"}, "--workers must be 1..64"},
      {{"--buffer-count", "0"}, "--buffer-count must be at least --devices"},
  };
  for (const Case& c : cases) {
    Outcome r = RunWith(backup, c.argv);
    EXPECT_EQ(r.exit_code, 64) << c.argv[0] << ":\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << r.out;
  }
  Outcome r = RunWith(restore, {"--workers", "0"});
  EXPECT_EQ(r.exit_code, 64) << r.out;
  EXPECT_NE(r.out.find("--workers must be 1..64"), std::string::npos) << r.out;
  for (const Case& c : std::vector<Case>{{{"--devices", "0"}, "--devices must be 1..64"},
                                         {{"--buffer-count", "0"}, "--buffer-count must be at"}}) {
    Outcome d = RunWith({vdibackup, "doctor"}, c.argv);
    EXPECT_EQ(d.exit_code, 64) << d.out;
    EXPECT_NE(d.out.find(c.says), std::string::npos) << d.out;
  }
}

TEST(CliOptionsE2eTest, ContradictingChecksumFlagsAreAUsageError) {
  Outcome r = RunWith({Bin("vdibackup"), "backup", "--database", "db", "--repo", "/r"},
                      {"--checksum", "--no-checksum"});
  EXPECT_EQ(r.exit_code, 64) << r.out;
  EXPECT_NE(r.out.find("--checksum and --no-checksum exclude each other"), std::string::npos)
      << r.out;
}

// Repeatable options repeat: the parse gets past them (and fails later, on the missing repo).
TEST(CliOptionsE2eTest, RepeatableOptionsStillRepeat) {
  vdibk::testing::TempDir dir;
  Outcome b = RunMerged({Bin("vdibackup"), "backup", "--database", "db", "--repo", dir.Join("none"),
                         "--target", dir.Join("a"), "--target", dir.Join("b"), "--devices", "2",
                         "--server", "s"});
  EXPECT_NE(b.exit_code, 64) << b.out;
  Outcome r = RunMerged({Bin("vdibackup"), "restore", "--database", "db", "--repo",
                         dir.Join("none"), "--as", "c", "--move", "a=x", "--move", "b=y"});
  EXPECT_NE(r.exit_code, 64) << r.out;
  Outcome d = RunMerged({Bin("vdibackup"), "doctor", "--devices", "1", "--tape", "/dev/null",
                         "--tape", "/dev/null", "--sql-gid", "1", "--sql-gid", "2", "--json",
                         "--sqlcmd", "/bin/false", "--server", "s"});
  EXPECT_NE(d.exit_code, 64) << d.out;
}

}  // namespace
}  // namespace vdibk::coordinator
