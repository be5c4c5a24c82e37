// Test helpers for running the project's programs (see programs.h).
#include "tests/harness/programs.h"

#include <sys/wait.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

namespace vdibk::testing {

using namespace std::chrono_literals;

std::string Bin(const std::string& name) { return BinDir() + "/" + name; }

Outcome Finish(Subprocess& p, std::chrono::steady_clock::time_point started) {
  Outcome r;
  while (auto line = p.ReadLine(120s)) r.out += *line + "\n";
  auto st = p.Wait(60s);
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

Outcome RunProgram(const std::vector<std::string>& argv) {
  Subprocess p(argv);
  return Finish(p);
}

std::unique_ptr<Subprocess> StartMerged(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& environment) {
  std::string cmd;
  for (const std::string& e : environment) cmd += "export '" + e + "'; ";
  cmd += "exec";
  for (const std::string& a : argv) cmd += " '" + a + "'";
  return std::make_unique<Subprocess>(std::vector<std::string>{"/bin/sh", "-c", cmd + " 2>&1"});
}

Outcome RunMerged(const std::vector<std::string>& argv) { return Finish(*StartMerged(argv)); }

std::unique_ptr<Subprocess> ServeEmulator(const std::string& data, const std::string& endpoint,
                                          const std::vector<std::string>& extra,
                                          std::string* ready_line) {
  std::vector<std::string> argv{Bin("vdi-emulator"), "serve", "--data-dir", data,
                                "--listen",          endpoint};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto server = std::make_unique<Subprocess>(argv);
  std::optional<std::string> ready =
      server->WaitForLine("vdi-emulator: listening on", std::chrono::seconds(20));
  if (!ready) return nullptr;
  if (ready_line) *ready_line = *ready;
  return server;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::vector<pid_t> Children(pid_t pid) {
  std::vector<pid_t> out;
  std::ifstream f("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t c;
  while (f >> c) out.push_back(c);
  return out;
}

std::string Cmdline(pid_t pid) {
  std::string raw = ReadAll("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : raw) {
    if (c == '\0') c = ' ';
  }
  return raw;
}

bool Alive(pid_t pid) {
  std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  if (stat.empty() || paren == std::string::npos || paren + 2 >= stat.size()) return false;
  return stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

std::vector<WorkerProcess> Workers(pid_t coordinator) {
  std::vector<WorkerProcess> out;
  for (pid_t c : Children(coordinator)) {
    std::string cmd = Cmdline(c);
    if (cmd.find("vdibackup-worker") != std::string::npos) out.push_back({c, cmd});
  }
  return out;
}

std::string FlagValue(const std::string& cmdline, const std::string& flag) {
  std::istringstream in(cmdline);
  std::string a, prev;
  while (in >> a) {
    if (prev == flag) return a;
    prev = a;
  }
  return "";
}

std::string WorkerId(const std::string& cmdline) { return FlagValue(cmdline, "--id"); }

bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  for (auto deadline = std::chrono::steady_clock::now() + timeout;
       std::chrono::steady_clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

std::vector<std::filesystem::path> SetDirs(const std::string& repo, const std::string& database) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(repo + "/" + database, ec)) {
    out.push_back(e.path());
  }
  return out;
}

}  // namespace vdibk::testing
