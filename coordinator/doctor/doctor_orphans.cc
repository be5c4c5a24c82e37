// CheckOrphanedSets / SweepOrphanedSetsAtStart over vdi::SweepOrphanedSets.
#include "coordinator/doctor/doctor_orphans.h"

#include <cstdlib>
#include <string>

#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

std::string Describe(const vdi::SweptSet& s) {
  std::string out = "'" + s.set_name + "' (";
  for (size_t i = 0; i < s.paths.size(); ++i) out += (i ? " " : "") + s.paths[i];
  return out + ")";
}

std::string Describe(const vdi::SweepProblem& p) { return p.path + " (" + p.reason + ")"; }

}  // namespace

CheckResult OrphanedSetsResult(const vdi::SweepReport& report) {
  CheckResult r{"orphan-sets", CheckStatus::kPass, "", ""};
  if (report.removed.empty()) {
    r.detail = "no orphaned VDI sets in /dev/shm";
  } else {
    r.detail = "removed " + std::to_string(report.removed.size()) +
               " orphaned VDI set(s) of ended vdibackup runs:";
    for (const vdi::SweptSet& s : report.removed) r.detail += " " + Describe(s);
  }
  if (!report.unchecked.empty()) {
    r.detail += "; not checked (no access, may be live):";
    for (const vdi::SweepProblem& p : report.unchecked) r.detail += " " + Describe(p);
  }
  if (!report.unremovable.empty()) {
    r.status = CheckStatus::kWarn;
    r.detail += "; orphaned but not removable:";
    std::string paths;
    for (const vdi::SweepProblem& p : report.unremovable) {
      r.detail += " " + Describe(p);
      paths += " " + p.path;
    }
    r.fix = "no process uses them: remove them as their owner or root (rm -f" + paths + ")";
  }
  return r;
}

std::chrono::seconds OrphanMinAge() {
  const char* env = std::getenv("VDIBACKUP_ORPHAN_MIN_AGE");
  if (env && *env) {
    char* end = nullptr;
    const long long v = std::strtoll(env, &end, 10);
    if (end && *end == '\0' && v >= 0) return std::chrono::seconds(v);
  }
  return vdi::kOrphanMinAge;
}

CheckResult CheckOrphanedSets(std::string_view set_prefix, std::chrono::seconds min_age) {
  return OrphanedSetsResult(vdi::SweepOrphanedSets(set_prefix, min_age));
}

void SweepOrphanedSetsAtStart() {
  const vdi::SweepReport report = vdi::SweepOrphanedSets("", OrphanMinAge());
  for (const vdi::SweptSet& s : report.removed) {
    log::Info("removed the orphaned VDI set of an ended vdibackup: " + Describe(s));
  }
  for (const vdi::SweepProblem& p : report.unremovable) {
    log::Warn("cannot remove an orphaned VDI object: " + Describe(p));
  }
}

}  // namespace vdibk::coordinator
