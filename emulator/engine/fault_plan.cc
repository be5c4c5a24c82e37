// Parsing and printing of FaultPlan specs.
#include "emulator/engine/fault_plan.h"

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace vdibk::emulator {
namespace {

constexpr uint64_t kMaxCommitStallMs = 3600 * 1000;

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (!end || *end != '\0') return false;
  *out = v;
  return true;
}

}  // namespace

bool FaultPlan::empty() const {
  return extra_flushes == 0 && !abort_after_bytes && !stall_device && !slow_device &&
         timeout_ms == 0 && !unexpected_command && commit_stall_ms == 0 && !drop_after_commit &&
         !abort_configuring;
}

void FaultPlan::StallCommit() const {
  if (commit_stall_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(commit_stall_ms));
}

std::string FaultPlan::ToString() const {
  std::ostringstream out;
  const char* sep = "";
  auto item = [&](const std::string& s) {
    out << sep << s;
    sep = ",";
  };
  if (extra_flushes) item("extra-flushes=" + std::to_string(extra_flushes));
  if (abort_after_bytes) item("abort-after=" + std::to_string(*abort_after_bytes));
  if (stall_device) item("stall-device=" + std::to_string(*stall_device));
  if (slow_device)
    item("slow-device=" + std::to_string(*slow_device) + ":" + std::to_string(slow_ms));
  if (timeout_ms) item("timeout-ms=" + std::to_string(timeout_ms));
  if (unexpected_command) item("unexpected-command=" + std::to_string(*unexpected_command));
  if (commit_stall_ms) item("commit-stall-ms=" + std::to_string(commit_stall_ms));
  if (drop_after_commit) item("drop-after-commit=1");
  if (abort_configuring) item("abort-configuring=1");
  return out.str();
}

Result<FaultPlan> FaultPlan::Parse(const std::string& spec) {
  FaultPlan plan;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) return Status::Usage("fault '" + item + "': expected NAME=VALUE");
    std::string name = item.substr(0, eq), value = item.substr(eq + 1);
    uint64_t v = 0;
    if (name == "slow-device") {
      auto colon = value.find(':');
      uint64_t dev = 0, ms = 0;
      if (colon == std::string::npos || !ParseU64(value.substr(0, colon), &dev) ||
          !ParseU64(value.substr(colon + 1), &ms)) {
        return Status::Usage("fault slow-device: expected DEVICE:MS");
      }
      plan.slow_device = static_cast<uint32_t>(dev);
      plan.slow_ms = static_cast<uint32_t>(ms);
      continue;
    }
    if (!ParseU64(value, &v)) return Status::Usage("fault " + name + ": not a number: " + value);
    if (name == "extra-flushes") {
      plan.extra_flushes = static_cast<uint32_t>(v);
    } else if (name == "abort-after") {
      plan.abort_after_bytes = v;
    } else if (name == "stall-device") {
      plan.stall_device = static_cast<uint32_t>(v);
    } else if (name == "timeout-ms") {
      plan.timeout_ms = static_cast<uint32_t>(v);
    } else if (name == "unexpected-command") {
      plan.unexpected_command = static_cast<uint32_t>(v);
    } else if (name == "commit-stall-ms") {
      if (v > kMaxCommitStallMs) {
        return Status::Usage("fault commit-stall-ms: at most " + std::to_string(kMaxCommitStallMs) +
                             " (one hour)");
      }
      plan.commit_stall_ms = static_cast<uint32_t>(v);
    } else if (name == "drop-after-commit") {
      if (v > 1) return Status::Usage("fault drop-after-commit: expected 0 or 1");
      plan.drop_after_commit = v == 1;
    } else if (name == "abort-configuring") {
      plan.abort_configuring = v != 0;
    } else {
      return Status::Usage("unknown fault '" + name + "'");
    }
  }
  return plan;
}

}  // namespace vdibk::emulator
