// VerifySet: reads every stripe of one backup set in full and checks it against its manifest
// (LZ4 block and content checksums, header/trailer, sizes, raw and file digests), stripes in
// parallel. Reads nothing outside the set. Used by `vdibackup verify`.
#ifndef VDIBK_COORDINATOR_REPO_SET_VERIFICATION_H_
#define VDIBK_COORDINATOR_REPO_SET_VERIFICATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/repo/repo_store.h"
#include "shared/base/error_code.h"

namespace vdibk::coordinator {

struct VerifyProblem {
  std::string stripe;                      // stripe file name; empty for set-level problems
  std::string path;                        // where the stripe is (directory + file), if known
  std::optional<uint64_t> offset;          // file offset of the problem, when it has one
  ErrorCode code = ErrorCode::kIntegrity;  // kIntegrity, kMissing, kTargetIo, ...
  std::string cause;
};

struct SetVerification {
  std::string database;
  std::string set;          // set name
  std::string set_dir;      // RepoStore::SetLocation
  uint32_t stripes = 0;     // stripes checked
  uint64_t raw_bytes = 0;   // raw bytes decoded and checked
  uint64_t file_bytes = 0;  // stripe bytes read
  double seconds = 0;
  std::vector<VerifyProblem> problems;  // by stripe index; set-level problems first
  bool skipped = false;                 // not verified (a running backup owns it); `note` says why
  std::string note;
  // verify --sql: "valid" (RESTORE VERIFYONLY succeeded), "failed" (the last problem says why) or
  // "not run" (the stripes did not verify); empty without --sql.
  std::string sql;
  double sql_seconds = 0;
  uint64_t sql_raw_bytes = 0;  // raw bytes the server read through VDI

  // kOk, or the most serious class among the problems: kIntegrity, then kMissing, then others.
  ErrorCode code() const;
};

// The most serious of two verdicts (same order as SetVerification::code()).
ErrorCode WorseOf(ErrorCode a, ErrorCode b);

// Verifies set `set` of `database` in `store`: LoadRestoreSet (manifest, stripe identities,
// extra stripes), then every stripe read in full on up to `workers` threads (>= 1), each where
// the plan says it is (OpenStripeTarget). Blocking; never throws; problems are reported, not
// returned as errors.
SetVerification VerifySet(const RepoStore& store, const std::string& database,
                          const std::string& set, uint32_t workers);
// VerifySet of the local set directory `set_dir` (LoadRestoreSet's path form).
SetVerification VerifySet(const std::string& set_dir, const std::string& database,
                          uint32_t workers);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_SET_VERIFICATION_H_
