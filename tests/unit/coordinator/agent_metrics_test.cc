// AgentMetrics: the Prometheus text after succeeded, failed and cancelled jobs.
#include "coordinator/agent_metrics.h"

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
        "vdibackup_worker_restarts_total", "vdibackup_jobs_running"}) {
    EXPECT_NE(t.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
    EXPECT_NE(t.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
  EXPECT_TRUE(Has(t, "vdibackup_worker_restarts_total 0"));
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

}  // namespace
}  // namespace vdibk::coordinator
