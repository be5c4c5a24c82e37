// The command line of every program, as real processes: each single-valued option given twice is
// a usage error (exit 64) naming it, in backup, restore, verify, list, prune, doctor and
// vdibackup-worker; an explicit 0 where only 1..N is valid is one too; repeatable options still
// repeat; every command's --help describes each of its options (exit 0); a bad value for any
// numeric option is exit 64 naming it. No server is needed: the parse fails before anything
// starts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
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

// The options a --help text describes: option name -> its description (the text after the name
// and value name, or the next line when the name is too long for the column).
std::map<std::string, std::string> DescribedOptions(const std::string& help) {
  std::map<std::string, std::string> out;
  std::istringstream in(help);
  std::string line, pending;
  while (std::getline(in, line)) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    if (start == 2 && line[2] == '-') {
      const size_t gap = line.find("  ", start);
      std::string names = line.substr(start, line.find(' ', start) - start);
      std::string text = gap == std::string::npos ? "" : line.substr(gap);
      text.erase(0, std::min(text.size(), text.find_first_not_of(' ')));
      std::stringstream split(names);
      std::string name;
      pending.clear();
      while (std::getline(split, name, ',')) {
        out[name] = text;
        if (text.empty()) pending = name;
      }
    } else if (!pending.empty() && start > 2) {
      out[pending] = line.substr(start);
      pending.clear();
    }
  }
  return out;
}

struct HelpCase {
  std::vector<std::string> argv;  // the program and command, without --help
  std::vector<std::string> options;
};

std::vector<HelpCase> HelpCases() {
  const std::string b = Bin("vdibackup");
  const std::string e = Bin("vdi-emulator");
  return {
      {{b}, {"--log-format"}},
      {{b, "backup"}, {"--database",        "--repo",
                       "--devices",         "--workers",
                       "--buffer-count",    "--max-transfer-size",
                       "--block-size",      "--compression",
                       "--lz4-level",       "--checksum",
                       "--no-checksum",     "--type",
                       "--copy-only",       "--target",
                       "--confirm-timeout", "--set-name",
                       "--sqlcmd",          "--server",
                       "--worker-program",  "--worker-endpoint",
                       "--worker-wait",     "--json",
                       "--no-progress",     "--progress-fd",
                       "--log-format"}},
      {{b, "restore"},
       {"--database",
        "--repo",
        "--set",
        "--until",
        "--as",
        "--move",
        "--norecovery",
        "--replace",
        "--allow-partial-chain",
        "--workers",
        "--max-transfer-size",
        "--set-name",
        "--sqlcmd",
        "--server",
        "--worker-program",
        "--worker-endpoint",
        "--worker-wait",
        "--json",
        "--no-progress",
        "--progress-fd",
        "--log-format"}},
      {{b, "verify"},
       {"--repo", "--database", "--set", "--all", "--workers", "--json", "--sql", "--sqlcmd",
        "--server", "--worker-program", "--set-name", "--no-progress", "--log-format"}},
      {{b, "list"}, {"--repo", "--database", "--json", "--log-format"}},
      {{b, "prune"},
       {"--repo", "--database", "--keep-full", "--keep-days", "--grace-minutes", "--dry-run",
        "--sqlcmd", "--server", "--log-format"}},
      {{b, "reconcile"},
       {"--repo", "--database", "--set", "--sqlcmd", "--server", "--timeout", "--dry-run", "--json",
        "--log-format"}},
      {{b, "doctor"},
       {"--config", "--repo", "--devices", "--buffer-count", "--max-transfer-size", "--sqlcmd",
        "--server", "--tape", "--sql-uid", "--sql-gid", "--json", "--log-format"}},
      {{b, "agent"}, {"--config", "--log-format"}},
      {{Bin("vdibackup-worker")},
       {"--connect", "--id", "--heartbeat-ms", "--liveness", "--connect-timeout", "--log-format"}},
      {{e}, {}},
      {{e, "serve"}, {"--data-dir", "--listen", "--fault", "--password", "--direct-io"}},
      {{e, "create-database"},
       {"--data-dir", "--size", "--profile", "--seed", "--ndf", "--no-log"}},
      {{e, "workload"}, {"--data-dir", "--changes", "--seed", "--freeze-wait-ms"}},
      {{e, "list"}, {"--data-dir"}},
  };
}

TEST(CliOptionsE2eTest, EveryCommandsHelpDescribesEachOptionAndExitsZero) {
  for (const HelpCase& c : HelpCases()) {
    for (const char* flag : {"--help", "-h"}) {
      std::vector<std::string> argv = c.argv;
      argv.push_back(flag);
      const Outcome r = RunMerged(argv);
      std::string name;
      for (size_t i = 0; i < c.argv.size(); ++i) name += (i ? " " : "") + c.argv[i];
      EXPECT_EQ(r.exit_code, 0) << name << " " << flag << ":\n" << r.out;
      EXPECT_NE(r.out.find("Usage:"), std::string::npos) << name << ":\n" << r.out;
      const std::map<std::string, std::string> described = DescribedOptions(r.out);
      for (const std::string& option : c.options) {
        auto it = described.find(option);
        ASSERT_NE(it, described.end()) << name << " --help lacks " << option << ":\n" << r.out;
        EXPECT_GE(it->second.size(), 10u) << name << " " << option << " has no description:\n"
                                          << r.out;
      }
      EXPECT_EQ(described.count("--help"), 1u) << name << ":\n" << r.out;
      EXPECT_EQ(described.size(), c.options.size() + 2)  // -h and --help
          << name << ": an option without a row in this table:\n"
          << r.out;
    }
  }
}

// One row per numeric option of every program: its valid command line without the option.
struct NumericOption {
  std::vector<std::string> argv;
  std::string option;
  bool is_u64 = false;  // 99999999999 is a valid value
};

std::vector<NumericOption> NumericOptions() {
  const std::string b = Bin("vdibackup");
  const std::vector<std::string> backup{b, "backup", "--database", "db", "--repo", "/nonexistent"};
  const std::vector<std::string> restore{b,      "restore", "--database", "db",
                                         "--as", "c",       "--repo",     "/nonexistent"};
  const std::vector<std::string> verify{b, "verify", "--repo", "/nonexistent"};
  const std::vector<std::string> prune{b, "prune", "--repo", "/nonexistent", "--keep-full", "1"};
  const std::vector<std::string> reconcile{b, "reconcile", "--repo", "/nonexistent"};
  const std::vector<std::string> doctor{b, "doctor"};
  const std::vector<std::string> worker{Bin("vdibackup-worker"), "--connect", "ipc:///tmp/x/hub",
                                        "--id", "w0"};
  const std::vector<std::string> create{Bin("vdi-emulator"), "create-database", "x", "--data-dir",
                                        "/nonexistent"};
  const std::vector<std::string> workload{Bin("vdi-emulator"), "workload", "x", "--data-dir",
                                          "/nonexistent"};
  std::vector<NumericOption> rows;
  for (const char* o :
       {"--devices", "--workers", "--buffer-count", "--max-transfer-size", "--block-size",
        "--lz4-level", "--confirm-timeout", "--worker-wait", "--progress-fd"}) {
    rows.push_back({backup, o});
  }
  for (const char* o : {"--workers", "--max-transfer-size", "--worker-wait", "--progress-fd"}) {
    rows.push_back({restore, o});
  }
  rows.push_back({verify, "--workers"});
  for (const char* o : {"--keep-full", "--keep-days", "--grace-minutes"})
    rows.push_back({prune, o});
  rows.push_back({reconcile, "--timeout"});
  for (const char* o :
       {"--devices", "--buffer-count", "--max-transfer-size", "--sql-uid", "--sql-gid"}) {
    rows.push_back({doctor, o});
  }
  for (const char* o : {"--heartbeat-ms", "--liveness", "--connect-timeout"}) {
    rows.push_back({worker, o});
  }
  rows.push_back({create, "--seed", true});
  rows.push_back({create, "--ndf"});
  rows.push_back({workload, "--changes", true});
  rows.push_back({workload, "--seed", true});
  rows.push_back({workload, "--freeze-wait-ms"});
  return rows;
}

TEST(CliOptionsE2eTest, ABadValueOfEveryNumericOptionIsAUsageErrorNamingIt) {
  for (const NumericOption& row : NumericOptions()) {
    std::vector<std::string> bad = {"abc", "-1", "1.5", "", "99999999999999999999"};
    if (!row.is_u64) bad.push_back("99999999999");
    for (const std::string& value : bad) {
      const Outcome r = RunWith(row.argv, {row.option, value});
      const std::string what =
          row.argv[0] + " " + row.argv[1] + " " + row.option + " '" + value + "'";
      EXPECT_EQ(r.exit_code, 64) << what << ":\n" << r.out;
      EXPECT_NE(r.out.find(row.option), std::string::npos) << what << ":\n" << r.out;
    }
  }
}

}  // namespace
}  // namespace vdibk::coordinator
