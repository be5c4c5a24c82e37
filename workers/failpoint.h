// Failpoint: test-only death of a worker at a chosen protocol point, so fault tests can kill a
// real worker process exactly before its first write, during a Flush or during a Complete.
#ifndef VDIBK_WORKERS_FAILPOINT_H_
#define VDIBK_WORKERS_FAILPOINT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "shared/base/result.h"
#include "shared/stripe/fault_target.h"

namespace vdibk::workers {

// Spec (environment variable VDIBK_WORKER_FAILPOINT): "KIND[:N][@WORKER]". The worker with id
// WORKER (any worker without "@") SIGKILLs itself when it receives its Nth (default 1st) request
// of KIND, before handling it. KIND: assign, write, flush, complete, read, encode, place, adopt.
class Failpoint {
 public:
  static constexpr const char* kEnvironmentVariable = "VDIBK_WORKER_FAILPOINT";

  // Unset or empty: a failpoint that never fires. Errors: kUsage for a malformed spec.
  static Result<Failpoint> Parse(const std::string& spec, const std::string& worker_id);
  static Result<Failpoint> FromEnvironment(const std::string& worker_id);

  // Counts a request of `kind`; true when this one must kill the worker.
  bool Hit(const std::string& kind);
  // Hit(kind), then SIGKILL of this process when it fires (never returns then).
  void MaybeDie(const std::string& kind);

  bool armed() const { return kind_.has_value(); }

 private:
  std::optional<std::string> kind_;
  uint64_t nth_ = 1;
  uint64_t seen_ = 0;
};

// VDIBK_WORKER_TARGET_FAULT (tests only): faults of real disks injected into every stripe
// target the worker opens: "sync-eio[:N]" (the Nth fsync/fdatasync of a file and later ones fail
// with EIO, default the 1st), "commit-eio", "enospc-after:BYTES". "" = none.
inline constexpr const char* kTargetFaultVariable = "VDIBK_WORKER_TARGET_FAULT";
Result<std::optional<stripe::FaultSpec>> ParseTargetFault(const std::string& spec);
// `inner` behind a FaultTarget that owns it.
std::unique_ptr<stripe::Target> WithFaults(std::unique_ptr<stripe::Target> inner,
                                           const stripe::FaultSpec& spec);

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_FAILPOINT_H_
