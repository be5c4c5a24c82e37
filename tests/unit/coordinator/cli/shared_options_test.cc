// The options several commands share mean the same in each: --server/--sqlcmd (with one help
// text, an empty value refused), --json, --log-format, --no-progress (backup, restore, verify).
#include <gtest/gtest.h>

#include <functional>
#include <sstream>

#include "coordinator/cli/backup_options.h"
#include "coordinator/cli/doctor_command.h"
#include "coordinator/cli/list_options.h"
#include "coordinator/cli/prune_options.h"
#include "coordinator/cli/reconcile_command.h"
#include "coordinator/cli/restore_options.h"
#include "coordinator/cli/verify_options.h"

namespace vdibk::coordinator {
namespace {

using Args = std::vector<std::string>;

struct CommandCase {
  const char* name;
  std::function<std::string()> help;
  std::function<Status(const Args&)> parse;  // with the command's required options added
  bool talks_to_server;
  bool has_json;
};

std::vector<CommandCase> Cases() {
  auto with = [](Args base) {
    return [base](const Args& extra) {
      Args a = base;
      a.insert(a.end(), extra.begin(), extra.end());
      return a;
    };
  };
  auto backup = with({"--database", "d", "--repo", "/r"});
  auto restore = with({"--database", "d", "--repo", "/r", "--as", "c"});
  auto verify = with({"--repo", "/r", "--sql"});
  auto list = with({"--repo", "/r"});
  auto prune = with({"--repo", "/r", "--keep-full", "1"});
  auto reconcile = with({"--repo", "/r"});
  return {
      {"backup", BackupUsage,
       [=](const Args& a) { return ParseBackupOptions(backup(a), "/b").status(); }, true, true},
      {"restore", RestoreUsage,
       [=](const Args& a) { return ParseRestoreOptions(restore(a), "/b").status(); }, true, true},
      {"verify", VerifyUsage,
       [=](const Args& a) { return ParseVerifyOptions(verify(a), "/b").status(); }, true, true},
      {"list", ListUsage, [=](const Args& a) { return ParseListOptions(list(a)).status(); }, false,
       true},
      {"prune", PruneUsage,
       [=](const Args& a) { return ParsePruneOptions(prune(a), "/b").status(); }, true, false},
      {"reconcile", ReconcileUsage,
       [=](const Args& a) { return ParseReconcileOptions(reconcile(a), "/b").status(); }, true,
       true},
      {"doctor", DoctorUsage, [](const Args& a) { return ParseDoctorOptions(a, "/b").status(); },
       true, true},
  };
}

// The help row of `option` (its line, from the option name on).
std::string Row(const std::string& help, const std::string& option) {
  std::istringstream in(help);
  std::string line;
  while (std::getline(in, line)) {
    const size_t at = line.find("  " + option + " ");
    if (at == 0) return line.substr(2 + option.size());
  }
  return "";
}

TEST(SharedOptionsTest, ServerAndSqlcmdMeanTheSameAndRefuseAnEmptyValue) {
  const std::string server_row = Row(BackupUsage(), "--server");
  ASSERT_NE(server_row.find("default: $VDI_EMULATOR_ENDPOINT"), std::string::npos) << server_row;
  for (const CommandCase& c : Cases()) {
    if (!c.talks_to_server) {
      EXPECT_EQ(Row(c.help(), "--server"), "") << c.name;
      continue;
    }
    // The same text, but for a condition in parentheses (verify: "with --sql").
    EXPECT_NE(Row(c.help(), "--server").find("The SQL Server to talk to"), std::string::npos)
        << c.name;
    EXPECT_NE(Row(c.help(), "--sqlcmd").find("The sqlcmd program that runs the T-SQL"),
              std::string::npos)
        << c.name;
    for (const char* option : {"--server", "--sqlcmd"}) {
      Status st = c.parse({option, ""});
      EXPECT_EQ(st.code(), ErrorCode::kUsage) << c.name << " " << option;
      EXPECT_EQ(st.message(), std::string(option) + " must not be empty") << c.name;
      EXPECT_TRUE(c.parse({option, "x"}).ok()) << c.name << " " << option;
    }
  }
}

TEST(SharedOptionsTest, JsonAndLogFormatEverywhere) {
  for (const CommandCase& c : Cases()) {
    EXPECT_NE(Row(c.help(), "--log-format").find("Format of the log lines"), std::string::npos)
        << c.name;
    Status bad = c.parse({"--log-format", "xml"});
    EXPECT_EQ(bad.code(), ErrorCode::kUsage) << c.name;
    EXPECT_NE(bad.message().find("--log-format"), std::string::npos) << c.name;
    if (c.has_json) {
      EXPECT_NE(Row(c.help(), "--json").find("as one JSON object on stdout"), std::string::npos)
          << c.name;
      EXPECT_TRUE(c.parse({"--json"}).ok()) << c.name;
    }
  }
}

TEST(SharedOptionsTest, NoProgressOnBackupRestoreAndVerify) {
  EXPECT_FALSE(
      ParseBackupOptions({"--database", "d", "--repo", "/r", "--no-progress"}, "/b")->progress);
  EXPECT_TRUE(ParseBackupOptions({"--database", "d", "--repo", "/r"}, "/b")->progress);
  EXPECT_FALSE(
      ParseRestoreOptions({"--database", "d", "--repo", "/r", "--as", "c", "--no-progress"}, "/b")
          ->progress);
  EXPECT_TRUE(
      ParseRestoreOptions({"--database", "d", "--repo", "/r", "--as", "c"}, "/b")->progress);
  EXPECT_FALSE(ParseVerifyOptions({"--repo", "/r", "--sql", "--no-progress"})->progress);
  EXPECT_TRUE(ParseVerifyOptions({"--repo", "/r", "--sql"})->progress);
  for (const std::string& help : {BackupUsage(), RestoreUsage(), VerifyUsage()}) {
    EXPECT_NE(Row(help, "--no-progress").find("No live progress line on a terminal"),
              std::string::npos)
        << help;
  }
}

}  // namespace
}  // namespace vdibk::coordinator
