// AgentMetrics: the Prometheus text after succeeded, failed and cancelled jobs.
#include "agent/agent_metrics.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

JobInfo Backup(const std::string& db, JobState state, int exit_code) {
  JobInfo j;
  j.kind = "backup";
  j.database = db;
  j.state = state;
  j.exit_code = exit_code;
  j.started_unix_ms = 1'700'000'000'000;
  j.finished_unix_ms = 1'700'000'002'500;
  return j;
}

TEST(AgentMetricsTest, EmptyRenderHasHelpTypeAndConstants) {
  AgentMetrics m;
  const std::string t = m.Render(0);
  for (const char* name :
       {"vdibackup_jobs_total", "vdibackup_job_duration_seconds", "vdibackup_bytes_in_total",
        "vdibackup_bytes_out_total", "vdibackup_compression_ratio",
        "vdibackup_last_success_timestamp_seconds", "vdibackup_aborts_total",
        "vdibackup_worker_failures_total", "vdibackup_jobs_running"}) {
    EXPECT_NE(t.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
    EXPECT_NE(t.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
  EXPECT_EQ(t.find("restarts"), std::string::npos) << t;  // no restarts: no such metric
  EXPECT_TRUE(Has(t, "vdibackup_jobs_running 0"));
  EXPECT_TRUE(Has(m.Render(3), "vdibackup_jobs_running 3"));
}

TEST(AgentMetricsTest, SucceededBackupCountsBytesRatioAndLastSuccess) {
  AgentMetrics m;
  JobInfo j = Backup("sales", JobState::kSucceeded, 0);
  JobSummary s;
  s.raw_bytes = 3000;
  s.compressed_bytes = 1000;
  s.seconds = 2;
  s.devices = {{0, 1000, 400}, {1, 2000, 600}};
  j.summary = s;
  m.RecordJob(j);
  m.RecordJob(j);
  const std::string t = m.Render(0);
  EXPECT_TRUE(Has(t, "vdibackup_jobs_total{kind=\"backup\",outcome=\"succeeded\"} 2")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 2000")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"1\"} 4000")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_bytes_out_total{database=\"sales\",device=\"1\"} 1200")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_compression_ratio{database=\"sales\"} 3")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_throughput_bytes_per_second{database=\"sales\"} 1500")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_last_success_timestamp_seconds{database=\"sales\"} 1700000002.5"))
      << t;
  EXPECT_TRUE(Has(t, "vdibackup_job_duration_seconds_bucket{kind=\"backup\",le=\"1\"} 0")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_job_duration_seconds_bucket{kind=\"backup\",le=\"5\"} 2")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_job_duration_seconds_bucket{kind=\"backup\",le=\"+Inf\"} 2")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_job_duration_seconds_sum{kind=\"backup\"} 5")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_job_duration_seconds_count{kind=\"backup\"} 2")) << t;
  EXPECT_EQ(t.find("vdibackup_aborts_total{"), std::string::npos) << t;
}

TEST(AgentMetricsTest, FailuresCountAbortsByCause) {
  AgentMetrics m;
  m.RecordJob(Backup("a", JobState::kCancelled, 5));
  m.RecordJob(Backup("a", JobState::kFailed, 7));
  m.RecordJob(Backup("a", JobState::kFailed, 6));
  m.RecordJob(Backup("a", JobState::kFailed, 137));
  const std::string t = m.Render(0);
  EXPECT_TRUE(Has(t, "vdibackup_jobs_total{kind=\"backup\",outcome=\"cancelled\"} 1")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_jobs_total{kind=\"backup\",outcome=\"failed\"} 3")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_aborts_total{cause=\"aborted\"} 1")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_aborts_total{cause=\"sql\"} 1")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_aborts_total{cause=\"target\"} 1")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_aborts_total{cause=\"signal\"} 1")) << t;
  EXPECT_EQ(t.find("vdibackup_last_success_timestamp_seconds{"), std::string::npos) << t;
}

TEST(AgentMetricsTest, LabelValuesAreEscaped) {
  AgentMetrics m;
  JobInfo j = Backup("x", JobState::kSucceeded, 0);
  j.kind = "we\"ird\\";
  m.RecordJob(j);
  EXPECT_NE(m.Render(0).find("kind=\"we\\\"ird\\\\\""), std::string::npos) << m.Render(0);
}

TEST(AgentMetricsTest, AbortCauseTable) {
  EXPECT_EQ(AbortCause(3), "integrity");
  EXPECT_EQ(AbortCause(4), "missing");
  EXPECT_EQ(AbortCause(5), "aborted");
  EXPECT_EQ(AbortCause(78), "config");
  EXPECT_EQ(AbortCause(2), "internal");
}

TEST(AgentMetricsTest, WorkerFailureCausesFromTheHubsMessages) {
  EXPECT_EQ(WorkerFailureCause("worker w1 (pid 42) exited unexpectedly: killed by signal 9 "
                               "(Killed)"),
            "exited");
  EXPECT_EQ(WorkerFailureCause("worker w0 missed 3 heartbeats (silent for 3000 ms)"), "silent");
  EXPECT_EQ(WorkerFailureCause("worker w0 violated the protocol: seq 5 after 3"), "protocol");
  EXPECT_EQ(WorkerFailureCause("worker w0 sent a malformed message: bad envelope"), "protocol");
  EXPECT_EQ(WorkerFailureCause("worker w0 unreachable: host unreachable"), "unreachable");
  EXPECT_EQ(WorkerFailureCause("workers did not connect in time: w1"), "start");
  EXPECT_EQ(WorkerFailureCause("worker w1 aborted: write stripe: No space left"), "aborted");
  EXPECT_EQ(WorkerFailureCause("interrupted by a signal"), std::nullopt);
  EXPECT_EQ(WorkerFailureCause("Msg 3013, Level 16: BACKUP DATABASE is terminating"), std::nullopt);
}

TEST(AgentMetricsTest, FailedJobsByWorkerCountWorkerFailuresOnly) {
  AgentMetrics m;
  JobInfo killed = Backup("a", JobState::kFailed, 5);
  killed.summary = JobSummary{};
  killed.summary->message = "worker w1 (pid 42) exited unexpectedly: killed by signal 9 (Killed)";
  m.RecordJob(killed);
  JobInfo cancelled = Backup("a", JobState::kCancelled, 5);
  cancelled.summary = JobSummary{};
  cancelled.summary->message = "interrupted by a signal";
  m.RecordJob(cancelled);
  JobInfo ok = Backup("a", JobState::kSucceeded, 0);
  ok.summary = JobSummary{};
  m.RecordJob(ok);
  const std::string t = m.Render(0);
  EXPECT_TRUE(Has(t, "vdibackup_worker_failures_total{cause=\"exited\"} 1")) << t;
  EXPECT_EQ(t.find("vdibackup_worker_failures_total{cause=\"aborted\"}"), std::string::npos);
  EXPECT_TRUE(Has(t, "vdibackup_aborts_total{cause=\"aborted\"} 2")) << t;
}

TEST(AgentMetricsTest, LiveBytesRiseWhileRunningAndAreKeptWhenTheJobEnds) {
  AgentMetrics m;
  JobInfo j = Backup("sales", JobState::kRunning, 0);
  j.id = 7;
  JobProgress p;
  p.devices = {{0, 100, "W"}, {1, 50, "W"}};
  m.UpdateLive(j, p);
  std::string t = m.Render(1);
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 100")) << t;
  p.devices = {{0, 300, "W"}, {1, 80, "W"}};
  m.UpdateLive(j, p);
  t = m.Render(1);
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 300")) << t;
  // It fails after reading 300 + 90 bytes: they stay counted, once.
  j.state = JobState::kFailed;
  j.exit_code = 6;
  p.devices = {{0, 300, "W"}, {1, 90, "W"}};
  j.progress = p;
  m.RecordJob(j);
  t = m.Render(0);
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 300")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"1\"} 90")) << t;
  // The next one succeeds: its summary's bytes (larger than its last progress line) are added.
  JobInfo k = Backup("sales", JobState::kRunning, 0);
  k.id = 8;
  p.devices = {{0, 10, "W"}};
  m.UpdateLive(k, p);
  EXPECT_TRUE(Has(m.Render(1), "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 310"));
  k.state = JobState::kSucceeded;
  k.summary = JobSummary{};
  k.summary->devices = {{0, 1000, 10}};
  m.RecordJob(k);
  t = m.Render(0);
  EXPECT_TRUE(Has(t, "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 1300")) << t;
  EXPECT_TRUE(Has(t, "vdibackup_bytes_out_total{database=\"sales\",device=\"0\"} 10")) << t;
}

}  // namespace
}  // namespace vdibk::coordinator
