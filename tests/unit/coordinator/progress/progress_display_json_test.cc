// ProgressJsonStream and `--progress-fd`: JSON lines on a real pipe, the final "ended" line, a
// reader that never reads (the stream drops lines, never blocks), a reader that went away, and
// the option's checks.
#include "coordinator/progress/progress_display_json.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>

#include "coordinator/cli/backup_options.h"
#include "shared/transport/clock.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  // Reads until the stream's "ended" line (or EOF).
  std::string ReadUntilEnded() {
    std::string out;
    char buf[4096];
    while (out.find("\"state\":\"ended\"") == std::string::npos) {
      const ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
};

TEST(ProgressJsonTest, StateFromTheDeviceLetters) {
  ProgressSnapshot s;
  s.states = "..";
  EXPECT_STREQ(ProgressState(s), "starting");
  s.states = "oW";
  EXPECT_STREQ(ProgressState(s), "writing");
  s.states = "FD";
  EXPECT_STREQ(ProgressState(s), "finalizing");
  s.states = "DD";
  EXPECT_STREQ(ProgressState(s), "done");
}

TEST(ProgressJsonTest, FormatsOneLineWithEveryDevice) {
  ProgressSnapshot s;
  s.bytes = 3000000;
  s.device_bytes = {1000000, 2000000};
  s.states = "WD";
  s.seconds = 1.5;
  s.bytes_per_second = 2e6;
  s.total = 6000000;
  s.eta_seconds = 1.5;
  EXPECT_EQ(FormatProgressJson(s),
            "{\"type\":\"progress\",\"state\":\"writing\",\"seconds\":1.500,\"bytes\":3000000,"
            "\"bytes_per_second\":2000000.000,\"mb_per_second\":2.000,\"total_bytes\":6000000,"
            "\"eta_seconds\":1.500,\"devices\":[{\"index\":0,\"bytes\":1000000,\"state\":\"W\"},"
            "{\"index\":1,\"bytes\":2000000,\"state\":\"D\"}]}");
  s.total.reset();
  s.eta_seconds.reset();
  const std::string line = FormatProgressJson(s, "ended");
  EXPECT_NE(line.find("\"state\":\"ended\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"total_bytes\":0,\"eta_seconds\":-1,"), std::string::npos) << line;
}

TEST(ProgressJsonTest, StreamsLinesAndEndsWithAnEndedLine) {
  transport::FakeClock clock;
  ProgressTracker tracker(clock, 2);
  Pipe p;
  tracker.AddBytes(1, 4096);
  tracker.SetState(1, DeviceState::kWriting);
  std::string out;
  {
    ProgressJsonStream stream(tracker, p.fds[1], 5ms);
    char c = 0;
    while (c != '\n' && ::read(p.fds[0], &c, 1) == 1) out += c;  // the first periodic line
    stream.Stop();
  }
  out += p.ReadUntilEnded();
  EXPECT_EQ(out.rfind("{\"type\":\"progress\",\"state\":\"writing\"", 0), 0u) << out;
  EXPECT_NE(out.find("{\"index\":1,\"bytes\":4096,\"state\":\"W\"}]}\n"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
  EXPECT_NE(out.find("\"state\":\"ended\""), std::string::npos) << out;
  EXPECT_EQ(::fcntl(p.fds[1], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);  // children do not inherit it
}

TEST(ProgressJsonTest, AReaderThatNeverReadsDoesNotBlockTheStream) {
  transport::FakeClock clock;
  ProgressTracker tracker(clock, 1);
  Pipe p;
  ASSERT_GE(::fcntl(p.fds[1], F_SETPIPE_SZ, 4096), 0);
  ASSERT_EQ(::fcntl(p.fds[1], F_SETFL, O_NONBLOCK), 0);
  const std::string fill(512, 'x');
  while (::write(p.fds[1], fill.data(), fill.size()) > 0) {
  }
  ASSERT_EQ(errno, EAGAIN);
  ASSERT_EQ(::fcntl(p.fds[1], F_SETFL, 0), 0);  // blocking again: the stream must change that
  ProgressJsonStream stream(tracker, p.fds[1], 1ms);
  stream.Stop();  // returns although no line could be written
  EXPECT_NE(::fcntl(p.fds[1], F_GETFL) & O_NONBLOCK, 0);
}

TEST(ProgressJsonTest, AReaderThatWentAwayEndsTheStream) {
  signal(SIGPIPE, SIG_IGN);  // as vdibackup backup does
  transport::FakeClock clock;
  ProgressTracker tracker(clock, 1);
  Pipe p;
  ::close(p.fds[0]);
  p.fds[0] = -1;
  ProgressJsonStream stream(tracker, p.fds[1], 1ms);
  stream.Stop();
}

TEST(ProgressJsonTest, ProgressFdMustBeAnOpenDescriptorAboveStderr) {
  Pipe p;
  Result<BackupSpec> o = ParseBackupOptions(
      {"--database", "d", "--repo", "/tmp", "--progress-fd", std::to_string(p.fds[1])}, "/bin");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->progress_fd, p.fds[1]);
  EXPECT_EQ(ParseBackupOptions({"--database", "d", "--repo", "/tmp"}, "/bin")->progress_fd, -1);
  for (const char* bad : {"1", "2", "1000", "x"}) {
    Result<BackupSpec> b =
        ParseBackupOptions({"--database", "d", "--repo", "/tmp", "--progress-fd", bad}, "/bin");
    EXPECT_EQ(b.status().code(), ErrorCode::kUsage) << bad;
  }
  const int closed = ::dup(p.fds[1]);
  ::close(closed);
  Result<BackupSpec> b = ParseBackupOptions(
      {"--database", "d", "--repo", "/tmp", "--progress-fd", std::to_string(closed)}, "/bin");
  EXPECT_EQ(b.status().code(), ErrorCode::kUsage);
  EXPECT_NE(b.status().message().find("not an open file descriptor"), std::string::npos);
}

}  // namespace
}  // namespace vdibk::coordinator
