// The agent's heartbeat and readiness probes (reusing the doctor checks).
#include "agent/health.h"

#include "coordinator/doctor/doctor_checks.h"
#include "coordinator/doctor/doctor_system.h"
#include "coordinator/sql/sql_runner.h"

namespace vdibk::coordinator {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ReadyCheck FromDoctor(const std::string& name, const CheckResult& r) {
  return {name, r.status != CheckStatus::kFail, r.detail};
}

}  // namespace

void Heartbeat::Beat() { last_ms_.store(SteadyMs()); }

int64_t Heartbeat::AgeMs() const {
  const int64_t last = last_ms_.load();
  return last < 0 ? -1 : SteadyMs() - last;
}

bool Heartbeat::Fresh(std::chrono::milliseconds max_age) const {
  const int64_t age = AgeMs();
  return age >= 0 && age <= max_age.count();
}

std::vector<ReadyCheck> RunReadinessChecks(const std::string& program, const std::string& server,
                                           const std::string& repo,
                                           std::chrono::milliseconds sql_timeout) {
  OsDoctorSystem sys;
  SqlcmdRunner sql(program, server);
  std::vector<ReadyCheck> out;
  out.push_back(FromDoctor("sql", CheckSqlcmd(sys, sql, program, server, sql_timeout)));
  // The probe object must be usable by this process (the agent's jobs create their own).
  SqlIdentity self;
  self.creds.uid = sys.EffectiveUid();
  self.creds.gids = {sys.EffectiveGid()};
  self.groups_known = true;
  self.source = "the agent";
  out.push_back(FromDoctor("shm", CheckShmProbe(sys, self, /*microsoft_library=*/false)));
  out.push_back(FromDoctor("repo", CheckRepoWritable(sys, repo)));
  return out;
}

}  // namespace vdibk::coordinator
