// Prometheus text rendering of the agent's metrics.
#include "agent/agent_metrics.h"

#include <algorithm>
#include <cstdio>

namespace vdibk::coordinator {
namespace {

constexpr double kDurationBuckets[] = {1, 5, 15, 60, 300, 900, 3600, 14400};

// Label value escaping of the exposition format: backslash, double quote, newline.
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string AbortCause(int exit_code) {
  switch (exit_code) {
    case 3:
      return "integrity";
    case 4:
      return "missing";
    case 5:
      return "aborted";
    case 6:
      return "target";
    case 7:
      return "sql";
    case 64:
      return "usage";
    case 78:
      return "config";
    default:
      return exit_code >= 128 ? "signal" : "internal";
  }
}

std::optional<std::string> WorkerFailureCause(const std::string& m) {
  if (m.find("worker") == std::string::npos) return std::nullopt;
  const auto has = [&m](const char* s) { return m.find(s) != std::string::npos; };
  if (has(") exited unexpectedly")) return "exited";
  if (has(" heartbeats (silent for")) return "silent";
  if (has(" violated the protocol") || has(" sent a malformed message")) return "protocol";
  if (has(" unreachable: ")) return "unreachable";
  if (has("workers did not connect in time") || has("workers did not become Ready")) {
    return "start";
  }
  if (has(" aborted: ")) return "aborted";
  return std::nullopt;
}

void AgentMetrics::UpdateLive(const JobInfo& job, const JobProgress& progress) {
  if (job.kind != "backup") return;
  std::lock_guard<std::mutex> lock(mu_);
  Live& l = live_[job.id];
  l.database = job.database;
  for (const JobProgress::Device& d : progress.devices) {
    uint64_t& b = l.device_bytes[d.index];
    if (d.bytes > b) b = d.bytes;
  }
}

void AgentMetrics::RecordJob(const JobInfo& job) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string outcome = JobStateName(job.state);
  ++jobs_total_[{job.kind, outcome}];
  if (job.state != JobState::kSucceeded) {
    ++aborts_[AbortCause(job.exit_code.value_or(5))];
    if (job.summary) {
      if (std::optional<std::string> cause = WorkerFailureCause(job.summary->message)) {
        ++worker_failures_[*cause];
      }
    }
  }
  if (job.kind == "backup") {
    // Bytes read from the server: the larger of the summary's and the last progress line's.
    Live seen;
    if (auto it = live_.find(job.id); it != live_.end()) {
      seen = std::move(it->second);
      live_.erase(it);
    }
    if (job.progress) {
      for (const JobProgress::Device& d : job.progress->devices) {
        seen.device_bytes[d.index] = std::max(seen.device_bytes[d.index], d.bytes);
      }
    }
    if (job.summary) {
      for (const DeviceBytes& d : job.summary->devices) {
        seen.device_bytes[d.index] = std::max(seen.device_bytes[d.index], d.raw_bytes);
      }
    }
    for (const auto& [device, bytes] : seen.device_bytes) {
      bytes_in_[{job.database, std::to_string(device)}] += bytes;
    }
  }
  if (job.started_unix_ms > 0 && job.finished_unix_ms >= job.started_unix_ms) {
    const double secs = static_cast<double>(job.finished_unix_ms - job.started_unix_ms) / 1000.0;
    Duration& d = durations_[job.kind];
    d.sum += secs;
    ++d.count;
    for (double b : kDurationBuckets) d.buckets[b] += secs <= b ? 1 : 0;
  }
  if (job.state != JobState::kSucceeded || !job.summary) return;
  const JobSummary& s = *job.summary;
  last_success_[job.database] = static_cast<double>(job.finished_unix_ms) / 1000.0;
  if (job.kind != "backup") return;
  for (const DeviceBytes& d : s.devices) {
    bytes_out_[{job.database, std::to_string(d.index)}] += d.compressed_bytes;
  }
  if (s.compressed_bytes > 0) {
    ratio_[job.database] =
        static_cast<double>(s.raw_bytes) / static_cast<double>(s.compressed_bytes);
  }
  if (s.seconds > 0) throughput_[job.database] = static_cast<double>(s.raw_bytes) / s.seconds;
}

void AgentMetrics::RecordRefused(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++refused_[reason];
}

void AgentMetrics::RecordAuthFailure(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++auth_failures_[reason];
}

std::string AgentMetrics::Render(size_t jobs_running) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  Header(out, "vdibackup_jobs_total", "counter", "Ended agent jobs by kind and outcome.");
  for (const auto& [k, v] : jobs_total_) {
    out += "vdibackup_jobs_total{kind=\"" + Escape(k.first) + "\",outcome=\"" + Escape(k.second) +
           "\"} " + std::to_string(v) + "\n";
  }
  Header(out, "vdibackup_job_duration_seconds", "histogram",
         "Wall time of ended agent jobs (start of the child to its exit).");
  for (const auto& [kind, d] : durations_) {
    const std::string k = "kind=\"" + Escape(kind) + "\"";
    for (const auto& [le, n] : d.buckets) {
      out += "vdibackup_job_duration_seconds_bucket{" + k + ",le=\"" + Num(le) + "\"} " +
             std::to_string(n) + "\n";
    }
    out += "vdibackup_job_duration_seconds_bucket{" + k + ",le=\"+Inf\"} " +
           std::to_string(d.count) + "\n";
    out += "vdibackup_job_duration_seconds_sum{" + k + "} " + Num(d.sum) + "\n";
    out += "vdibackup_job_duration_seconds_count{" + k + "} " + std::to_string(d.count) + "\n";
  }
  Header(out, "vdibackup_bytes_in_total", "counter",
         "Raw bytes read from SQL Server by backups, per database and device; rises while a "
         "backup runs.");
  std::map<Key, uint64_t> bytes_in = bytes_in_;
  for (const auto& [id, l] : live_) {
    for (const auto& [device, bytes] : l.device_bytes) {
      bytes_in[{l.database, std::to_string(device)}] += bytes;
    }
  }
  for (const auto& [k, v] : bytes_in) {
    out += "vdibackup_bytes_in_total{database=\"" + Escape(k.first) + "\",device=\"" +
           Escape(k.second) + "\"} " + std::to_string(v) + "\n";
  }
  Header(out, "vdibackup_bytes_out_total", "counter",
         "Compressed bytes written by successful backups, per database and device.");
  for (const auto& [k, v] : bytes_out_) {
    out += "vdibackup_bytes_out_total{database=\"" + Escape(k.first) + "\",device=\"" +
           Escape(k.second) + "\"} " + std::to_string(v) + "\n";
  }
  Header(out, "vdibackup_compression_ratio", "gauge",
         "Raw / compressed bytes of the last successful backup per database.");
  for (const auto& [db, v] : ratio_) {
    out += "vdibackup_compression_ratio{database=\"" + Escape(db) + "\"} " + Num(v) + "\n";
  }
  Header(out, "vdibackup_throughput_bytes_per_second", "gauge",
         "Raw bytes per second of the last successful backup per database.");
  for (const auto& [db, v] : throughput_) {
    out +=
        "vdibackup_throughput_bytes_per_second{database=\"" + Escape(db) + "\"} " + Num(v) + "\n";
  }
  Header(out, "vdibackup_last_success_timestamp_seconds", "gauge",
         "Unix time of the last successful job (backup or restore) per database.");
  for (const auto& [db, v] : last_success_) {
    out += "vdibackup_last_success_timestamp_seconds{database=\"" + Escape(db) + "\"} " + Num(v) +
           "\n";
  }
  Header(out, "vdibackup_aborts_total", "counter",
         "Failed or cancelled jobs by cause (from the child's exit code).");
  for (const auto& [cause, v] : aborts_) {
    out += "vdibackup_aborts_total{cause=\"" + Escape(cause) + "\"} " + std::to_string(v) + "\n";
  }
  Header(out, "vdibackup_worker_failures_total", "counter",
         "Jobs failed by a worker (workers are never restarted: the job aborts), by cause.");
  for (const auto& [cause, v] : worker_failures_) {
    out += "vdibackup_worker_failures_total{cause=\"" + Escape(cause) + "\"} " + std::to_string(v) +
           "\n";
  }
  Header(out, "vdibackup_http_requests_refused_total", "counter",
         "HTTP requests refused (401, 403, 4xx of malformed requests, 503 over the connection "
         "limits), by reason.");
  for (const auto& [reason, v] : refused_) {
    out += "vdibackup_http_requests_refused_total{reason=\"" + Escape(reason) + "\"} " +
           std::to_string(v) + "\n";
  }
  Header(out, "vdibackup_auth_failures_total", "counter",
         "Requests whose credentials were missing, invalid or without a role, by reason.");
  for (const auto& [reason, v] : auth_failures_) {
    out += "vdibackup_auth_failures_total{reason=\"" + Escape(reason) + "\"} " + std::to_string(v) +
           "\n";
  }
  Header(out, "vdibackup_jobs_running", "gauge", "Queued and running agent jobs.");
  out += "vdibackup_jobs_running " + std::to_string(jobs_running) + "\n";
  return out;
}

}  // namespace vdibk::coordinator
