// Test helpers for running the project's programs as real processes: build-tree paths, a run's
// exit code and merged output, the processes a program spawned, and files it left.
#ifndef VDIBK_TESTS_HARNESS_PROGRAMS_H_
#define VDIBK_TESTS_HARNESS_PROGRAMS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/harness/subprocess.h"

namespace vdibk::testing {

// What a finished program did.
struct Outcome {
  int exit_code = -1;  // -1: killed by a signal or did not exit in time
  std::string out;     // every line it printed (stdout, and stderr where merged)
  double seconds = 0;  // from `started` to its exit
};

// "<build>/bin/<name>".
std::string Bin(const std::string& name);

// Starts `vdi-emulator serve --data-dir DATA --listen ENDPOINT EXTRA...` and returns it once it
// printed its readiness line (within 20 s), which goes to `*ready_line` if given; nullptr (the
// process killed and reaped) if it did not.
std::unique_ptr<Subprocess> ServeEmulator(const std::string& data, const std::string& endpoint,
                                          const std::vector<std::string>& extra = {},
                                          std::string* ready_line = nullptr);

// Reads p's output to the end (each line within 120 s) and reaps it (within 60 s).
Outcome Finish(Subprocess& p,
               std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now());
// Runs argv to the end (stdout only; stderr goes to the test's stderr).
Outcome RunProgram(const std::vector<std::string>& argv);
// Runs argv to the end with stderr merged into stdout.
Outcome RunMerged(const std::vector<std::string>& argv);
// Starts argv through /bin/sh with stderr merged into stdout; its pid is the program's (exec).
// `environment` entries ("VAR=value") are exported to it and its children.
std::unique_ptr<Subprocess> StartMerged(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& environment = {});

// The whole file ("" if missing).
std::string ReadAll(const std::string& path);
// Direct children of `pid`, and a live process's argv joined with spaces ("" if gone).
std::vector<pid_t> Children(pid_t pid);
std::string Cmdline(pid_t pid);
// Running (not gone, not a zombie waiting for an unrelated reaper).
bool Alive(pid_t pid);
// A vdibackup-worker child of a coordinator: its pid and argv joined with spaces.
struct WorkerProcess {
  pid_t pid = 0;
  std::string cmdline;
};
std::vector<WorkerProcess> Workers(pid_t coordinator);
// The word after `flag` in a command line ("" if none), e.g. FlagValue(c, "--connect").
std::string FlagValue(const std::string& cmdline, const std::string& flag);
// "--id ID" of a worker's command line ("" if none).
std::string WorkerId(const std::string& cmdline);
// Polls `done` every 5 ms until it holds or `timeout` passes: only for conditions no process
// announces (a file appearing in a directory), never instead of a readiness line.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// The set directories of `database` in `repo` (REPO/<database>/*).
std::vector<std::filesystem::path> SetDirs(const std::string& repo, const std::string& database);

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_HARNESS_PROGRAMS_H_
