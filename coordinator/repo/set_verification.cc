// VerifySet: pre-flight with LoadRestoreSet, then one VerifyStripe per stripe on a small pool of
// threads that take stripe indexes from a shared counter; results are compared to the manifest.
#include "coordinator/repo/set_verification.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "coordinator/repo/local_repo_store.h"
#include "coordinator/repo/restore_plan.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/stripe_verifier.h"

namespace vdibk::coordinator {
namespace {

int Severity(ErrorCode c) {
  if (c == ErrorCode::kOk) return 0;
  if (c == ErrorCode::kIntegrity) return 3;
  if (c == ErrorCode::kMissing) return 2;
  return 1;
}

struct StripeOutcome {
  std::vector<VerifyProblem> problems;
  uint64_t raw_bytes = 0;
  uint64_t file_bytes = 0;
};

StripeOutcome CheckStripe(const RepoStore& store, const RestorePlan& plan, size_t i) {
  StripeOutcome out;
  const proto::StripeEntry& e = plan.manifest.stripes(static_cast<int>(i));
  const std::string& name = plan.stripe_files[i];
  const std::string path = plan.stripe_dirs[i] + "/" + name;
  auto problem = [&](ErrorCode code, std::optional<uint64_t> offset, std::string cause) {
    out.problems.push_back({name, path, offset, code, std::move(cause)});
  };

  stripe::StripeExpectation expect;
  stripe::SetId id{};
  std::copy(plan.manifest.set_id().begin(), plan.manifest.set_id().end(), id.begin());
  expect.set_id = id;
  expect.device_index = e.index();
  expect.device_count = plan.manifest.device_count();
  Result<std::unique_ptr<stripe::Target>> target = OpenStripeTarget(store, plan, i);
  if (!target.ok()) {
    problem(target.status().code(), std::nullopt, target.status().message());
    return out;
  }
  stripe::StripeVerification v = stripe::VerifyStripe(**target, name, expect);
  out.raw_bytes = v.raw_checked;
  out.file_bytes = v.file_bytes;

  if (e.compressed_bytes() != 0 && v.file_bytes != 0 && v.file_bytes != e.compressed_bytes()) {
    problem(ErrorCode::kIntegrity, std::min(v.file_bytes, e.compressed_bytes()),
            "file is " + std::to_string(v.file_bytes) + " bytes, the manifest records " +
                std::to_string(e.compressed_bytes()));
  }
  if (!v.status.ok()) {
    problem(v.status.code(), v.file_offset, v.status.message());
    return out;
  }
  if (!e.file_digest().empty() && stripe::DigestBytes(v.file_xxh64) != e.file_digest()) {
    problem(ErrorCode::kIntegrity, std::nullopt,
            "file digest " + stripe::DigestHex(v.file_xxh64) + " differs from the manifest's");
  }
  if (v.trailer.raw_bytes != e.raw_bytes()) {
    problem(ErrorCode::kIntegrity, std::nullopt,
            "raw size " + std::to_string(v.trailer.raw_bytes) + " differs from the manifest's " +
                std::to_string(e.raw_bytes()));
  }
  if (!e.raw_digest().empty() && stripe::DigestBytes(v.raw_xxh64) != e.raw_digest()) {
    problem(ErrorCode::kIntegrity, std::nullopt,
            "raw digest " + stripe::DigestHex(v.raw_xxh64) + " differs from the manifest's");
  }
  return out;
}

}  // namespace

ErrorCode WorseOf(ErrorCode a, ErrorCode b) { return Severity(b) > Severity(a) ? b : a; }

ErrorCode SetVerification::code() const {
  ErrorCode c = ErrorCode::kOk;
  for (const VerifyProblem& p : problems) c = WorseOf(c, p.code);
  return c;
}

namespace {

SetVerification Verify(const RepoStore& store, Result<RestorePlan> plan, SetVerification r,
                       uint32_t workers, std::chrono::steady_clock::time_point t0) {
  auto finish = [&]() -> SetVerification {
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::move(r);
  };
  if (!plan.ok()) {
    r.problems.push_back({"", "", std::nullopt, plan.status().code(), plan.status().message()});
    return finish();
  }
  const size_t n = plan->stripe_files.size();
  std::vector<StripeOutcome> outcomes(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      outcomes[i] = CheckStripe(store, *plan, i);
    }
  };
  const size_t threads = std::clamp<size_t>(workers, 1, std::max<size_t>(n, 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  r.stripes = static_cast<uint32_t>(n);
  for (StripeOutcome& o : outcomes) {
    r.raw_bytes += o.raw_bytes;
    r.file_bytes += o.file_bytes;
    for (VerifyProblem& p : o.problems) r.problems.push_back(std::move(p));
  }
  return finish();
}

}  // namespace

SetVerification VerifySet(const RepoStore& store, const std::string& database,
                          const std::string& set, uint32_t workers) {
  const auto t0 = std::chrono::steady_clock::now();
  SetVerification r;
  r.database = database;
  r.set = set;
  r.set_dir = store.SetLocation(database, set);
  return Verify(store, LoadRestoreSet(store, database, set), std::move(r), workers, t0);
}

SetVerification VerifySet(const std::string& set_dir, const std::string& database,
                          uint32_t workers) {
  const auto t0 = std::chrono::steady_clock::now();
  SetVerification r;
  r.database = database;
  r.set_dir = set_dir;
  const std::filesystem::path p = std::filesystem::path(set_dir).lexically_normal();
  r.set = p.filename().string();
  LocalRepoStore store(p.parent_path().parent_path().string());
  return Verify(store, LoadRestoreSet(set_dir, database), std::move(r), workers, t0);
}

}  // namespace vdibk::coordinator
