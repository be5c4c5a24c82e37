// JobTable: validation and argv of agent jobs, their state machine, and the child's --json summary.
#include "agent/job_table.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <sstream>

#include "agent/agent_metrics.h"
#include "shared/base/json_check.h"
#include "proto/agent.pb.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

constexpr size_t kMaxArgs = 64;
constexpr size_t kMaxArgLen = 4096;
constexpr size_t kKeepEndedJobs = 200;
constexpr size_t kTailLines = 20;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Tail(const std::string& output, size_t lines) {
  size_t pos = output.size();
  if (pos > 0 && output[pos - 1] == '\n') --pos;
  for (size_t n = 0; n < lines && pos > 0; ++n) {
    const size_t nl = output.rfind('\n', pos - 1);
    if (nl == std::string::npos) return output.substr(0, 8192);
    pos = nl;
  }
  std::string tail = output.substr(pos == 0 ? 0 : pos + 1);
  return tail.size() > 8192 ? tail.substr(tail.size() - 8192) : tail;
}

bool IsEnded(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled;
}

bool HasOption(const std::vector<std::string>& args, const std::string& name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

}  // namespace

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

bool IsConfigOwnedOption(const std::string& arg) {
  static const char* const kOwned[] = {"--server",     "--sqlcmd",      "--database",      "--json",
                                       "--log-format", "--progress-fd", "--worker-program"};
  for (const char* o : kOwned) {
    const std::string opt(o);
    if (arg == opt || arg.rfind(opt + "=", 0) == 0) return true;
  }
  return false;
}

bool IsSafeDatabaseName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.' || name[0] == '-') return false;
  return name.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
         std::string::npos;
}

std::optional<JobSummary> ParseJobSummary(const std::string& kind, const std::string& output) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  std::istringstream in(output);
  std::string line;
  std::optional<JobSummary> found;
  while (std::getline(in, line)) {
    // Only strict JSON: the line is embedded in the agent's responses as it is.
    if (line.rfind("{\"status\":", 0) != 0 || !IsJsonText(line)) continue;
    JobSummary s;
    s.json = line;
    if (kind == "backup") {
      agent::BackupSummary m;
      if (!google::protobuf::util::JsonStringToMessage(line, &m, opts).ok()) continue;
      s.status = m.status();
      s.raw_bytes = m.raw_bytes();
      s.compressed_bytes = m.compressed_bytes();
      s.seconds = m.seconds();
      for (const agent::DeviceSummary& d : m.devices()) {
        s.devices.push_back({d.index(), d.raw_bytes(), d.compressed_bytes()});
      }
      s.error = m.error();
      s.message = m.message();
    } else {
      agent::RestoreSummary m;
      if (!google::protobuf::util::JsonStringToMessage(line, &m, opts).ok()) continue;
      s.status = m.status();
      s.raw_bytes = m.raw_bytes();
      s.seconds = m.seconds();
      s.error = m.error();
      s.message = m.message();
    }
    found = std::move(s);
  }
  return found;
}

JobTable::JobTable(AgentConfig config, std::string vdibackup, JobLauncher& launcher,
                   AgentMetrics* metrics)
    : config_(std::move(config)),
      vdibackup_(std::move(vdibackup)),
      launcher_(launcher),
      metrics_(metrics) {}

JobTable::~JobTable() {
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.clear();  // JobProcess destructors kill and reap
}

std::vector<std::string> JobTable::BuildArgv(const std::string& kind, const std::string& database,
                                             const std::vector<std::string>& args) const {
  std::vector<std::string> argv{vdibackup_, kind, "--database", database, "--repo", config_.repo};
  if (!config_.server.empty()) argv.insert(argv.end(), {"--server", config_.server});
  if (!config_.sqlcmd.empty()) argv.insert(argv.end(), {"--sqlcmd", config_.sqlcmd});
  if (kind == "backup" && config_.default_devices > 0 && !HasOption(args, "--devices")) {
    argv.insert(argv.end(), {"--devices", std::to_string(config_.default_devices)});
  }
  if (kind == "backup" && config_.default_buffer_count > 0 && !HasOption(args, "--buffer-count")) {
    argv.insert(argv.end(), {"--buffer-count", std::to_string(config_.default_buffer_count)});
  }
  if (kind == "backup" && config_.default_max_transfer_size > 0 &&
      !HasOption(args, "--max-transfer-size")) {
    argv.insert(argv.end(),
                {"--max-transfer-size", std::to_string(config_.default_max_transfer_size)});
  }
  if (config_.default_workers > 0 && !HasOption(args, "--workers")) {
    argv.insert(argv.end(), {"--workers", std::to_string(config_.default_workers)});
  }
  if (!config_.default_worker_endpoint.empty() && !HasOption(args, "--worker-endpoint")) {
    argv.insert(argv.end(), {"--worker-endpoint", config_.default_worker_endpoint});
  }
  if (kind == "backup" && !HasOption(args, "--no-progress")) argv.push_back("--no-progress");
  argv.insert(argv.end(), {"--progress-fd", std::to_string(kJobProgressFd)});
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json");
  return argv;
}

std::variant<JobInfo, SubmitFailure> JobTable::Submit(const std::string& kind,
                                                      const std::string& database,
                                                      const std::vector<std::string>& args,
                                                      const std::string& owner) {
  if (kind != "backup" && kind != "restore") {
    return SubmitFailure{SubmitError::kBadRequest, "kind must be \"backup\" or \"restore\""};
  }
  if (!IsSafeDatabaseName(database)) {
    return SubmitFailure{SubmitError::kBadRequest,
                         "database must be 1-128 characters of A-Z a-z 0-9 _ . - "
                         "(not starting with . or -)"};
  }
  if (args.size() > kMaxArgs) {
    return SubmitFailure{SubmitError::kBadRequest, "at most 64 args"};
  }
  for (const std::string& a : args) {
    if (a.size() > kMaxArgLen || a.find('\0') != std::string::npos) {
      return SubmitFailure{SubmitError::kBadRequest, "an arg is too long or holds a NUL"};
    }
    if (IsConfigOwnedOption(a)) {
      return SubmitFailure{SubmitError::kBadRequest,
                           "option " + a + " is set by the agent's config and may not be given"};
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_)
    return SubmitFailure{SubmitError::kShuttingDown, "the agent is shutting down"};
  for (const auto& [id, job] : jobs_) {
    if (job.info.database == database &&
        (job.info.state == JobState::kQueued || job.info.state == JobState::kRunning)) {
      return SubmitFailure{SubmitError::kConflict, "job " + std::to_string(id) + " of database " +
                                                       database + " is still " +
                                                       JobStateName(job.info.state)};
    }
  }
  // Forget the oldest ended jobs beyond the history bound.
  size_t ended = 0;
  for (const auto& [id, job] : jobs_) ended += IsEnded(job.info.state) ? 1 : 0;
  for (auto it = jobs_.begin(); ended >= kKeepEndedJobs && it != jobs_.end();) {
    if (IsEnded(it->second.info.state)) {
      it = jobs_.erase(it);
      --ended;
    } else {
      ++it;
    }
  }
  Job job;
  job.info.id = next_id_++;
  job.info.kind = kind;
  job.info.database = database;
  job.info.args = args;
  job.info.owner = owner;
  job.info.argv = BuildArgv(kind, database, args);
  job.info.created_unix_ms = NowUnixMs();
  const uint64_t id = job.info.id;
  auto [it, inserted] = jobs_.emplace(id, std::move(job));
  (void)inserted;
  return Snapshot(it->second);
}

JobInfo JobTable::Snapshot(const Job& job) const {
  JobInfo info = job.info;
  if (job.process) {
    info.output_tail = Tail(job.process->Output(), kTailLines);
    info.progress = job.process->Progress();
    info.elapsed_seconds = static_cast<double>(NowUnixMs() - info.started_unix_ms) / 1000.0;
  }
  return info;
}

std::vector<JobInfo> JobTable::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobInfo> out;
  for (const auto& [id, job] : jobs_) out.push_back(Snapshot(job));
  return out;
}

std::optional<JobInfo> JobTable::Get(uint64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return Snapshot(it->second);
}

std::optional<JobInfo> JobTable::Cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  Job& job = it->second;
  if (job.info.state == JobState::kQueued) {
    job.info.cancel_requested = true;
    job.info.state = JobState::kCancelled;
    job.info.finished_unix_ms = NowUnixMs();
    if (metrics_) metrics_->RecordJob(job.info);
  } else if (job.info.state == JobState::kRunning && !job.info.cancel_requested) {
    job.info.cancel_requested = true;
    job.process->Terminate();
    log::Info("agent: cancelling job " + std::to_string(id));
  }
  return Snapshot(job);
}

void JobTable::Finish(Job& job, const ExitInfo& exit) {
  JobInfo& info = job.info;
  info.exit_code = exit.signal != 0 ? 128 + exit.signal : exit.exit_code;
  info.finished_unix_ms = NowUnixMs();
  info.elapsed_seconds = static_cast<double>(info.finished_unix_ms - info.started_unix_ms) / 1000.0;
  const std::string output = job.process->Output();
  info.summary = ParseJobSummary(info.kind, output);
  info.output_tail = Tail(output, kTailLines);
  info.progress = job.process->Progress();
  // Exit 1: the backup or restore is good but something deserves a look (e.g. a backup confirmed
  // from the server's history after the connection was lost); its summary says "warning".
  if (*info.exit_code == 0 || *info.exit_code == ExitCodeFor(ErrorCode::kWarning)) {
    info.state = JobState::kSucceeded;
  } else if (info.cancel_requested) {
    info.state = JobState::kCancelled;
  } else {
    info.state = JobState::kFailed;
  }
  job.process.reset();
  log::Info("agent: job " + std::to_string(info.id) + " (" + info.kind + " " + info.database +
            ") " + JobStateName(info.state) + ", exit " + std::to_string(*info.exit_code));
  if (metrics_) metrics_->RecordJob(info);
}

void JobTable::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, job] : jobs_) {
    if (job.info.state == JobState::kQueued) {
      job.info.started_unix_ms = NowUnixMs();
      Result<std::unique_ptr<JobProcess>> p = launcher_.Launch(job.info.argv);
      if (!p.ok()) {
        job.info.state = JobState::kFailed;
        job.info.exit_code = static_cast<int>(p.status().code());
        job.info.finished_unix_ms = job.info.started_unix_ms;
        job.info.output_tail = p.status().message();
        log::Error("agent: job " + std::to_string(id) + ": " + p.status().message());
        if (metrics_) metrics_->RecordJob(job.info);
        continue;
      }
      job.process = std::move(*p);
      job.info.state = JobState::kRunning;
      log::Info("agent: job " + std::to_string(id) + " started: " + job.info.kind + " " +
                job.info.database);
    } else if (job.info.state == JobState::kRunning) {
      if (std::optional<ExitInfo> e = job.process->Poll()) {
        Finish(job, *e);
      } else if (metrics_) {
        if (std::optional<JobProgress> p = job.process->Progress()) {
          metrics_->UpdateLive(job.info, *p);
        }
      }
    }
  }
}

void JobTable::CancelAll() {
  std::vector<uint64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    for (const auto& [id, job] : jobs_) ids.push_back(id);
  }
  for (uint64_t id : ids) (void)Cancel(id);
}

void JobTable::KillAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, job] : jobs_) {
    if (job.process) job.process->Kill();
  }
}

size_t JobTable::Running() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [id, job] : jobs_) {
    n += job.info.state == JobState::kQueued || job.info.state == JobState::kRunning ? 1 : 0;
  }
  return n;
}

}  // namespace vdibk::coordinator
