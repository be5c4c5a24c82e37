// vdibackup doctor against a real `vdi-emulator serve`: every check printed and passing (exit 0),
// --json is one parseable object, SERVERPROPERTY('ProcessID') is the emulator's pid, and
// `--log-format json` makes every log line of doctor and backup a JSON object.
#include <signal.h>
#include <sys/wait.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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
using vdibk::testing::Subprocess;

// Runs argv with stdout and stderr merged (through sh, exec'd).
// `s` as one sh word.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Outcome RunMerged(const std::vector<std::string>& argv) {
  std::string cmd = "exec";
  for (const std::string& a : argv) cmd += " " + ShellQuote(a);
  Subprocess p({"/bin/sh", "-c", cmd + " 2>&1"});
  Outcome r;
  while (auto line = p.ReadLine(120s)) r.out += *line + "\n";
  auto st = p.Wait(60s);
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  return r;
}

std::optional<google::protobuf::Struct> ParseJson(const std::string& line) {
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(line, &s).ok()) return std::nullopt;
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

class DoctorE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "8M"));
    StartServer();
  }
  void TearDown() override {
    EmulatorFixture::TearDown();
    EXPECT_EQ(ProbesOfEndedProcesses(), "");
    EXPECT_TRUE(fs::is_empty(repo_) || fs::exists(repo_ + "/sales"));
  }
  // Doctor probes (/dev/shm/vdibackup.doctor-probe.<pid>-<n>) whose process has ended: what a
  // doctor left behind. A live process's probe may be another test's, in flight.
  static std::string ProbesOfEndedProcesses() {
    std::string out;
    std::istringstream names(vdibk::testing::ShmLeftovers("doctor-probe."));
    for (std::string name; names >> name;) {
      const size_t at = name.find("doctor-probe.") + std::string("doctor-probe.").size();
      const pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + at));
      if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) out += name + " ";
    }
    return out;
  }
  std::vector<std::string> DoctorArgv() {
    return {Bin("vdibackup"), "doctor",    "--repo", repo_,    "--server",
            endpoint_,        "--devices", "2",      "--tape", "/dev/null"};
  }
};

TEST_F(DoctorE2eTest, EveryCheckPassesAndIsPrinted) {
  Outcome d = RunMerged(DoctorArgv());
  EXPECT_EQ(d.exit_code, 0) << d.out;
  for (const char* name : {"shm-space", "sqlcmd", "shm-probe", "libsqlvdi", "namespace", "repo",
                           "tape /dev/null", "ipc-dirs", "orphan-sets"}) {
    EXPECT_NE(d.out.find(std::string("PASS  ") + name), std::string::npos) << name << "\n" << d.out;
  }
  EXPECT_NE(d.out.find("SQL Server pid " + std::to_string(server_->pid())), std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("9 checks: 0 failed"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("FAIL"), std::string::npos) << d.out;
  EXPECT_TRUE(fs::is_empty(repo_)) << "the repo probe was left behind";
}

TEST_F(DoctorE2eTest, ConfigFileChecksWhatTheAgentUsesAndOptionsOverrideIt) {
  const std::string config = dir_.Join("agent.yaml");
  std::ofstream(config) << "listen: 127.0.0.1:0\nrepo: " << repo_ << "\nserver: " << endpoint_
                        << "\nsqlcmd: " << Bin("sqlcmd")
                        << "\ndefaults:\n  devices: 2\n  buffer_count: 6\ntapes: [/dev/null]\n";
  Outcome d = RunMerged({Bin("vdibackup"), "doctor", "--config", config});
  EXPECT_EQ(d.exit_code, 0) << d.out;
  for (const char* name : {"shm-space", "sqlcmd", "shm-probe", "libsqlvdi", "namespace", "repo",
                           "tape /dev/null", "listen", "ipc-dirs", "orphan-sets"}) {
    EXPECT_NE(d.out.find(std::string("PASS  ") + name), std::string::npos) << name << "\n" << d.out;
  }
  EXPECT_NE(d.out.find("10 checks: 0 failed"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find(repo_), std::string::npos) << d.out;  // the config's repo was checked
  // An option overrides the file: a repo that does not exist fails, exit 78.
  d = RunMerged({Bin("vdibackup"), "doctor", "--config", config, "--repo", dir_.Join("nope")});
  EXPECT_EQ(d.exit_code, 78) << d.out;
  EXPECT_NE(d.out.find("FAIL  repo"), std::string::npos) << d.out;
  // A listen address that is not this host's fails with the fix.
  std::ofstream(config) << "listen: 192.0.2.1:8080\nrepo: " << repo_ << "\nserver: " << endpoint_
                        << "\nsqlcmd: " << Bin("sqlcmd") << "\n";
  d = RunMerged({Bin("vdibackup"), "doctor", "--config", config});
  EXPECT_EQ(d.exit_code, 78) << d.out;
  EXPECT_NE(d.out.find("FAIL  listen"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("fix: listen:"), std::string::npos) << d.out;
  // A bad file: exit 78 naming the line, no checks run.
  std::ofstream(config) << "repo: " << repo_ << "\ncolour: blue\n";
  d = RunMerged({Bin("vdibackup"), "doctor", "--config", config});
  EXPECT_EQ(d.exit_code, 78) << d.out;
  EXPECT_NE(d.out.find("line 2: colour: unknown field"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("checks:"), std::string::npos) << d.out;
}

TEST_F(DoctorE2eTest, JsonReportIsOneObjectWithEveryCheck) {
  std::vector<std::string> argv = DoctorArgv();
  argv.push_back("--json");
  Outcome d = RunMerged(argv);
  EXPECT_EQ(d.exit_code, 0) << d.out;
  bool found = false;
  for (const std::string& line : Lines(d.out)) {
    std::optional<google::protobuf::Struct> s = ParseJson(line);
    if (!s || !s->fields().count("checks")) continue;
    found = true;
    EXPECT_EQ(s->fields().at("status").string_value(), "ok");
    const auto& checks = s->fields().at("checks").list_value().values();
    ASSERT_EQ(checks.size(), 9) << line;
    for (const auto& c : checks) {
      EXPECT_EQ(c.struct_value().fields().at("status").string_value(), "pass") << line;
    }
  }
  EXPECT_TRUE(found) << d.out;
}

TEST_F(DoctorE2eTest, ServerPropertyProcessIdIsTheEmulatorsPid) {
  Outcome q =
      RunMerged({Bin("sqlcmd"), "-S", endpoint_, "-b", "-Q", "SELECT SERVERPROPERTY('ProcessID')"});
  ASSERT_EQ(q.exit_code, 0) << q.out;
  bool found = false;
  for (std::string line : Lines(q.out)) {
    line.erase(line.find_last_not_of(' ') + 1);
    found |= line == std::to_string(server_->pid());
  }
  EXPECT_TRUE(found) << q.out;
}

TEST_F(DoctorE2eTest, JsonLogLinesParseForDoctorAndBackup) {
  const std::vector<std::vector<std::string>> runs = {
      {Bin("vdibackup"), "--log-format", "json", "doctor", "--repo", repo_, "--server", endpoint_},
      {Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_, "--server", endpoint_,
       "--devices", "1", "--no-progress", "--log-format", "json"}};
  for (const std::vector<std::string>& argv : runs) {
    Outcome r = RunMerged(argv);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    int log_lines = 0;
    for (const std::string& line : Lines(r.out)) {
      if (line.empty() || line[0] != '{') continue;
      std::optional<google::protobuf::Struct> s = ParseJson(line);
      ASSERT_TRUE(s.has_value()) << "not JSON: " << line;
      if (!s->fields().count("level")) continue;  // the --json report of backup, if any
      ++log_lines;
      EXPECT_FALSE(s->fields().at("msg").string_value().empty()) << line;
      EXPECT_FALSE(s->fields().at("ts").string_value().empty()) << line;
      const std::string component = s->fields().at("component").string_value();
      EXPECT_EQ(component.rfind("vdibackup", 0), 0u) << line;
    }
    EXPECT_GT(log_lines, 0) << r.out;
    // No text log lines ("<ts> info  vdibackup[pid] ..."), the workers' included.
    for (const std::string& line : Lines(r.out)) {
      const bool text_log = line.size() > 24 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                            line[4] == '-' && line[10] == 'T';
      EXPECT_FALSE(text_log) << line;
    }
  }
}

}  // namespace
}  // namespace vdibk::coordinator
