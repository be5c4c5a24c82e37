// ServerVerifier: verify --sql through RestoreJob in verify-only mode, after the preflight.
#include "coordinator/cli/verify_sql.h"

#include <chrono>

#include "coordinator/cli/cli_progress.h"
#include "coordinator/doctor/doctor_runner.h"
#include "coordinator/doctor/doctor_system.h"
#include "coordinator/pipeline/restore_job.h"
#include "coordinator/progress/progress_display.h"
#include "coordinator/repo/restore_plan.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

void Failed(SetVerification* v, const Status& st) {
  v->sql = "failed";
  v->problems.push_back({"", "", std::nullopt, st.code(), "RESTORE VERIFYONLY: " + st.message()});
}

}  // namespace

ServerVerifier::ServerVerifier(const VerifyOptions& options, const std::atomic<bool>* stop)
    : options_(options), stop_(stop), sql_(options.sqlcmd, options.server) {}

void ServerVerifier::Verify(const RepoStore& store, SetVerification* v) {
  if (v->skipped || v->code() != ErrorCode::kOk) {
    v->sql = "not run";
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto done = [&] {
    v->sql_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  Result<RestorePlan> plan = LoadRestoreSet(store, v->database, v->set);
  if (!plan.ok()) {  // changed since VerifySet read it
    Failed(v, plan.status());
    return done();
  }
  if (!preflight_) {
    OsDoctorSystem system;
    DoctorPlan preflight;
    preflight.buffer_count = 4ull * plan->stripe_files.size();  // the server's default per device
    preflight.max_transfer_size = plan->max_transfer_size;
    preflight.sqlcmd = options_.sqlcmd;
    preflight.server = options_.server;
    preflight_ = RunPreflight(preflight, system, sql_);
  }
  if (!preflight_->ok()) {
    Failed(v, *preflight_);
    return done();
  }
  RestoreSpec ro;
  ro.database = v->database;
  ro.target = v->database;  // unused by VERIFYONLY
  ro.workers = options_.workers;
  ro.worker_program = options_.worker_program;
  ro.sqlcmd = options_.sqlcmd;
  ro.server = options_.server;
  ro.set_name = options_.set_name;
  ro.json = options_.json;
  ro.progress = options_.progress;
  ro.verify_only = true;
  log::Info("RESTORE VERIFYONLY of " + v->set_dir + " (" +
            std::to_string(plan->stripe_files.size()) + " stripes)");
  // The live line on a terminal, as restore draws it (unless --json or --no-progress).
  CliProgressOptions live;
  live.terminal = options_.progress && !options_.json && ProgressDisplay::StderrIsTerminal();
  CliProgress progress(live);
  RestoreJob job(std::move(ro), std::move(plan).value(), sql_, stop_,
                 live.terminal ? &progress : nullptr);
  Result<RestoreReport> r = job.Run();
  done();
  if (!r.ok()) {
    Failed(v, ExplainDeviceOpenFailure(r.status()));
    return;
  }
  v->sql = "valid";
  v->sql_raw_bytes = r->raw_bytes;
}

}  // namespace vdibk::coordinator
