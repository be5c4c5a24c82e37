// Failpoint: spec parsing and the self-kill.
#include "workers/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

namespace vdibk::workers {
namespace {

constexpr std::array<const char*, 8> kKinds = {"assign", "write",  "flush", "complete",
                                               "read",   "encode", "place", "adopt"};

}  // namespace

Result<Failpoint> Failpoint::Parse(const std::string& spec, const std::string& worker_id) {
  Failpoint f;
  if (spec.empty()) return f;
  const Status bad = Status::Usage(std::string(kEnvironmentVariable) + "='" + spec +
                                   "': expected KIND[:N][@WORKER], KIND one of assign, write, "
                                   "flush, complete, read, encode, place, adopt");
  std::string rest = spec;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    const std::string who = rest.substr(at + 1);
    if (who.empty()) return bad;
    rest.resize(at);
    if (who != worker_id) return Failpoint();  // meant for another worker
  }
  if (size_t colon = rest.find(':'); colon != std::string::npos) {
    const std::string n = rest.substr(colon + 1);
    char* end = nullptr;
    unsigned long long v = std::strtoull(n.c_str(), &end, 10);
    if (n.empty() || *end != '\0' || v == 0) return bad;
    f.nth_ = v;
    rest.resize(colon);
  }
  bool known = false;
  for (const char* k : kKinds) known = known || rest == k;
  if (!known) return bad;
  f.kind_ = rest;
  return f;
}

Result<Failpoint> Failpoint::FromEnvironment(const std::string& worker_id) {
  const char* v = std::getenv(kEnvironmentVariable);
  return Parse(v ? v : "", worker_id);
}

bool Failpoint::Hit(const std::string& kind) {
  if (!kind_ || kind != *kind_) return false;
  return ++seen_ == nth_;
}

void Failpoint::MaybeDie(const std::string& kind) {
  if (Hit(kind)) ::kill(::getpid(), SIGKILL);
}

Result<std::optional<stripe::FaultSpec>> ParseTargetFault(const std::string& spec) {
  if (spec.empty()) return std::optional<stripe::FaultSpec>();
  const Status bad = Status::Usage(std::string(kTargetFaultVariable) + "='" + spec +
                                   "': expected sync-eio[:N], commit-eio or enospc-after:BYTES");
  std::string kind = spec, arg;
  if (size_t colon = spec.find(':'); colon != std::string::npos) {
    kind = spec.substr(0, colon);
    arg = spec.substr(colon + 1);
    if (arg.empty()) return bad;
  }
  uint64_t n = 1;
  if (!arg.empty()) {
    char* end = nullptr;
    n = std::strtoull(arg.c_str(), &end, 10);
    if (*end != '\0') return bad;
  }
  stripe::FaultSpec f;
  if (kind == "sync-eio" && n > 0 && n < 1000000) {
    f.fail_sync_at = static_cast<int>(n);
  } else if (kind == "commit-eio" && arg.empty()) {
    f.fail_commit = true;
  } else if (kind == "enospc-after" && !arg.empty()) {
    f.enospc_after_bytes = n;
  } else {
    return bad;
  }
  return std::optional<stripe::FaultSpec>(f);
}

namespace {

class OwningFaultTarget final : public stripe::Target {
 public:
  OwningFaultTarget(std::unique_ptr<stripe::Target> inner, const stripe::FaultSpec& spec)
      : inner_(std::move(inner)), faults_(inner_.get(), spec) {}
  Result<std::unique_ptr<stripe::WritableFile>> Create(
      const std::string& name, const stripe::CreateOptions& options) override {
    return faults_.Create(name, options);
  }
  using Target::Create;
  Result<std::unique_ptr<stripe::ReadableFile>> Open(const std::string& name) override {
    return faults_.Open(name);
  }
  Result<std::unique_ptr<stripe::PlacementFile>> OpenForPlacement(
      const std::string& name) override {
    return faults_.OpenForPlacement(name);
  }
  std::string Describe() const override { return faults_.Describe(); }

 private:
  std::unique_ptr<stripe::Target> inner_;
  stripe::FaultTarget faults_;
};

}  // namespace

std::unique_ptr<stripe::Target> WithFaults(std::unique_ptr<stripe::Target> inner,
                                           const stripe::FaultSpec& spec) {
  return std::make_unique<OwningFaultTarget>(std::move(inner), spec);
}

}  // namespace vdibk::workers
