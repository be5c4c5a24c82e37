// ProcessJobLauncher with real children (/bin/sh): output capture, the progress pipe on fd 3,
// the exit, SIGTERM, and a child that never writes progress.
#include "agent/job_launcher.h"

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;

// Polls until the job ended (the reader has drained both pipes by then).
ExitInfo WaitExit(JobProcess& p) {
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(2ms)) {
    if (std::optional<ExitInfo> e = p.Poll()) return *e;
  }
  ADD_FAILURE() << "the child did not end";
  return {};
}

TEST(AgentJobProcessTest, OutputProgressOnFd3AndTheExit) {
  ProcessJobLauncher launcher;
  const std::string script =
      "echo log line; echo err line >&2; "
      "echo '{\"type\":\"progress\",\"state\":\"writing\",\"bytes\":10,\"devices\":"
      "[{\"index\":0,\"bytes\":10,\"state\":\"W\"}]}' >&3; "
      "echo 'not progress' >&3; "
      "printf '{\"type\":\"progress\",\"state\":\"ended\",\"bytes\":25}\\n' >&3; exit 3";
  Result<std::unique_ptr<JobProcess>> p = launcher.Launch({"/bin/sh", "-c", script});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const ExitInfo e = WaitExit(**p);
  EXPECT_EQ(e.exit_code, 3);
  const std::string out = (*p)->Output();
  EXPECT_NE(out.find("log line\n"), std::string::npos) << out;
  EXPECT_NE(out.find("err line\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("progress"), std::string::npos) << out;  // fd 3 is not the output
  std::optional<JobProgress> progress = (*p)->Progress();
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->state, "ended");  // the last valid line wins, others are skipped
  EXPECT_EQ(progress->bytes, 25u);
}

TEST(AgentJobProcessTest, OutputKeepsItsTailWithinABound) {
  ProcessJobLauncher launcher;
  // ~6 MiB of log lines, then the summary line the agent parses.
  Result<std::unique_ptr<JobProcess>> p = launcher.Launch(
      {"/bin/sh", "-c",
       "i=0; while [ $i -lt 100000 ]; do echo \"log line $i padded to sixty-odd bytes ......\"; "
       "i=$((i+1)); done; echo '{\"status\":\"ok\"}'"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(WaitExit(**p).exit_code, 0);
  const std::string out = (*p)->Output();
  EXPECT_LE(out.size(), 2u << 20);
  EXPECT_GE(out.size(), 1u << 20);
  EXPECT_EQ(out.rfind("{\"status\":\"ok\"}\n"), out.size() - 16);
  EXPECT_EQ(out.rfind("log line 99999 "), out.find("log line 99999 "));
  EXPECT_EQ(out.find("log line 0 "), std::string::npos);  // the head went
  EXPECT_EQ(out.rfind("log line", 0), 0u);                // cut at a line start
}

TEST(AgentJobProcessTest, NoProgressAndTerminate) {
  ProcessJobLauncher launcher;
  // The child says it is ready on stdout, then waits for SIGTERM.
  Result<std::unique_ptr<JobProcess>> p = launcher.Launch(
      {"/bin/sh", "-c", "trap 'exit 5' TERM; echo ready; while :; do sleep 0.05; done"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       (*p)->Output().find("ready") == std::string::npos &&
       std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_NE((*p)->Output().find("ready"), std::string::npos);
  EXPECT_FALSE((*p)->Poll());
  EXPECT_FALSE((*p)->Progress());
  (*p)->Terminate();
  EXPECT_EQ(WaitExit(**p).exit_code, 5);
}

TEST(AgentJobProcessTest, AProgramThatCannotStartIsAConfigurationError) {
  ProcessJobLauncher launcher;
  Result<std::unique_ptr<JobProcess>> p = launcher.Launch({"/nonexistent/vdibackup", "backup"});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), ErrorCode::kConfiguration);
}

}  // namespace
}  // namespace vdibk::coordinator
