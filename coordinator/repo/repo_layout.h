// Repository layout: REPO/<database>/<UTC YYYYmmddTHHMMSSZ>_<type>[-NN]/stripe-NN-of-MM.lz4 +
// manifest, VDI set and device names, and the 16-byte backup set id.
#ifndef VDIBK_COORDINATOR_REPO_REPO_LAYOUT_H_
#define VDIBK_COORDINATOR_REPO_REPO_LAYOUT_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "shared/base/result.h"

namespace vdibk::coordinator {

// "20240131T235959Z" for `t` in UTC.
std::string UtcStamp(std::chrono::system_clock::time_point t);
// "<stamp>_<type>", e.g. "20240131T235959Z_full".
std::string SetDirName(std::chrono::system_clock::time_point t, const std::string& type);
// How many names a backup tries for its set directory: SetDirCandidate(base, 0..N-1).
inline constexpr uint32_t kMaxSetDirAttempts = 99;
// The name a backup tries on its `attempt`-th try (0-based) when the earlier ones are taken:
// `base` itself, then "<base>-02" ... "<base>-99" (two digits: names of one second still sort in
// the order they were claimed, after `base`).
std::string SetDirCandidate(const std::string& base, uint32_t attempt);
// "stripe-01-of-04.lz4" for index 0 of 4 (1-based, two digits at least).
std::string StripeFileName(uint32_t index, uint32_t count);
// VDI device names: index 0 is the set name itself, then "<set>_1", "<set>_2", ...
std::string DeviceName(const std::string& set_name, uint32_t index);
// A fresh set name: "vdibackup_<pid>_<16 random hex>" (unique, VDI- and shm-safe).
std::string NewSetName();
// 16 random bytes (getrandom).
std::array<uint8_t, 16> NewSetId();

// Creates REPO/<database>/<dir_name> with mode 0750 (the database folder as needed) by one
// mkdir, and returns its path; nullopt (nothing created) when `dir_name` exists already. The
// database name must be a safe path component, and an existing database folder a real directory
// (repo_dirs.h). Errors: kUsage (bad database name), kTargetIo (mkdir failed), kConfiguration
// (repo missing, the database folder a symlink or not a directory).
Result<std::optional<std::string>> TryCreateSetDir(const std::string& repo,
                                                   const std::string& database,
                                                   const std::string& dir_name);
// TryCreateSetDir, an existing `dir_name` being kTargetIo.
Result<std::string> CreateSetDir(const std::string& repo, const std::string& database,
                                 const std::string& dir_name);
// Removes a set directory and everything in it (best effort; used on failure).
void RemoveSetDir(const std::string& path);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_REPO_LAYOUT_H_
