// CommandLine: values and flags, each option once unless repeatable ("given twice"), numbers
// checked with the option named, required options, unknown arguments, subcommands, --help text.
#include "shared/base/command_line.h"

#include <gtest/gtest.h>

#include "tests/harness/status_matchers.h"

namespace vdibk {
namespace {

struct Parsed {
  std::string name;
  bool json = false;
  bool progress = true;
  uint32_t count = 7;
  uint64_t big = 0;
  std::vector<std::string> targets;
  std::vector<uint32_t> gids;
};

CommandLine Make(Parsed& p) {
  CommandLine cl("prog cmd", "A test command");
  cl.Text("--name", &p.name, "NAME", "The name (default: none)");
  cl.Require("--name");
  cl.Flag("--json", &p.json, "JSON output");
  cl.Flag("--no-progress", &p.progress, "No progress line", false);
  cl.U32("--count", &p.count, "N", "How many (default: 7)");
  cl.U64("--big", &p.big, "N", "A large number");
  cl.Repeated("--target", &p.targets, "DIR", "A target");
  cl.RepeatedU32("--gid", &p.gids, "GID", "A group");
  return cl;
}

Status Parse(Parsed& p, const std::vector<std::string>& args) {
  CommandLine cl = Make(p);
  return cl.Parse(args);
}

std::string Message(const std::vector<std::string>& args) {
  Parsed p;
  Status st = Parse(p, args);
  EXPECT_EQ(st.code(), ErrorCode::kUsage) << st.ToString();
  return st.message();
}

TEST(CommandLineTest, ValuesFlagsAndDefaults) {
  Parsed p;
  ASSERT_OK(
      Parse(p, {"--name", "-x", "--json", "--no-progress", "--count=3", "--big", "99999999999",
                "--target", "a", "--target", "b", "--gid", "5", "--gid", "6"}));
  EXPECT_EQ(p.name, "-x");  // a value may look like an option
  EXPECT_TRUE(p.json);
  EXPECT_FALSE(p.progress);
  EXPECT_EQ(p.count, 3u);
  EXPECT_EQ(p.big, 99999999999u);
  EXPECT_EQ(p.targets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.gids, (std::vector<uint32_t>{5, 6}));
  Parsed d;
  ASSERT_OK(Parse(d, {"--name", "n"}));
  EXPECT_EQ(d.count, 7u);  // untouched when not given
  EXPECT_TRUE(d.progress);
}

TEST(CommandLineTest, SecondOfAnOptionIsUsageNamingItRepeatablesRepeat) {
  EXPECT_EQ(Message({"--name", "a", "--name", "b"}), "--name given twice");
  EXPECT_EQ(Message({"--name", "a", "--json", "--json"}), "--json given twice");
  EXPECT_EQ(Message({"--name", "a", "--count", "1", "--count=2"}), "--count given twice");
  // Reported before a missing required option: every argument was read.
  EXPECT_EQ(Message({"--json", "--json"}), "--json given twice");
}

TEST(CommandLineTest, BadNumbersNameTheOption) {
  for (const std::string v : {"abc", "-1", "1.5", "", "4294967296", "99999999999"}) {
    const std::string m = Message({"--name", "a", "--count", v});
    EXPECT_EQ(m.rfind("--count needs a non-negative integer", 0), 0u) << m;
    EXPECT_NE(m.find("'" + v + "'"), std::string::npos) << m;
  }
  EXPECT_NE(Message({"--name", "a", "--big", "18446744073709551616"}).find("--big"),
            std::string::npos);
  EXPECT_NE(Message({"--name", "a", "--gid", "x"}).find("--gid"), std::string::npos);
}

TEST(CommandLineTest, MissingValueUnknownArgumentAndRequired) {
  EXPECT_EQ(Message({"--name"}), "--name needs a value");
  EXPECT_EQ(Message({"--name", "a", "--count"}), "--count needs a value");
  EXPECT_EQ(Message({"--name", "a", "--bogus", "1"}), "unknown argument '--bogus'");
  EXPECT_EQ(Message({"--name", "a", "stray"}), "unknown argument 'stray'");
  EXPECT_EQ(Message({}), "--name is required");
  EXPECT_EQ(Message({"--bogus"}), "unknown argument '--bogus'");  // before the missing --name
}

TEST(CommandLineTest, LogFormatIsCheckedAndNamed) {
  CommandLine cl("prog", "p");
  cl.LogFormat();
  Status st = cl.Parse({"--log-format", "xml"});
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_NE(st.message().find("--log-format"), std::string::npos) << st.ToString();
}

TEST(CommandLineTest, SubcommandsHandOverTheirArguments) {
  CommandLine cl("prog", "p");
  cl.LogFormat();
  cl.Subcommand("run", "Run it");
  ASSERT_OK(cl.Parse({"--log-format", "text", "run", "--x", "1", "--help"}));
  EXPECT_EQ(cl.Command(), "run");
  EXPECT_EQ(cl.CommandArgs(), (std::vector<std::string>{"--x", "1", "--help"}));
  CommandLine other("prog", "p");
  other.Subcommand("run", "Run it");
  ASSERT_OK(other.Parse({"walk"}));
  EXPECT_EQ(other.Command(), "");
  EXPECT_EQ(other.Unparsed(), std::vector<std::string>{"walk"});
}

TEST(CommandLineTest, HelpListsEveryOptionWithItsDescription) {
  Parsed p;
  const std::string help = Make(p).Help();
  for (const char* s : {"prog cmd", "A test command", "--name NAME", "The name (default: none)",
                        "REQUIRED", "--count N", "How many (default: 7)", "--no-progress",
                        "--target DIR", "(repeatable)", "--help"}) {
    EXPECT_NE(help.find(s), std::string::npos) << s << " in:\n" << help;
  }
  EXPECT_TRUE(WantsHelp({"--name", "a", "-h"}));
  EXPECT_TRUE(WantsHelp({"--help"}));
  EXPECT_FALSE(WantsHelp({"--name", "a", "--", "--help"}));
  EXPECT_FALSE(WantsHelp({"--name", "help"}));
}

}  // namespace
}  // namespace vdibk
