// Repository layout: REPO/<database>/<UTC YYYYmmddTHHMMSSZ>_<type>/stripe-NN-of-MM.lz4 + manifest,
// VDI set and device names, and the 16-byte backup set id.
#ifndef VDIBK_COORDINATOR_REPO_LAYOUT_H_
#define VDIBK_COORDINATOR_REPO_LAYOUT_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "shared/base/result.h"

namespace vdibk::coordinator {

// "20240131T235959Z" for `t` in UTC.
std::string UtcStamp(std::chrono::system_clock::time_point t);
// "<stamp>_<type>", e.g. "20240131T235959Z_full".
std::string SetDirName(std::chrono::system_clock::time_point t, const std::string& type);
// "stripe-01-of-04.lz4" for index 0 of 4 (1-based, two digits at least).
std::string StripeFileName(uint32_t index, uint32_t count);
// VDI device names: index 0 is the set name itself, then "<set>_1", "<set>_2", ...
std::string DeviceName(const std::string& set_name, uint32_t index);
// A fresh set name: "vdibackup_<pid>_<16 random hex>" (unique, VDI- and shm-safe).
std::string NewSetName();
// 16 random bytes (getrandom).
std::array<uint8_t, 16> NewSetId();

// Creates REPO/<database>/<dir_name> (parents as needed; the leaf must not exist) with mode 0750
// and returns its path. The database name must be a safe path component. Errors: kUsage (bad
// database name), kTargetIo (mkdir failed), kConfiguration (repo missing).
Result<std::string> CreateSetDir(const std::string& repo, const std::string& database,
                                 const std::string& dir_name);
// Removes a set directory and everything in it (best effort; used on failure).
void RemoveSetDir(const std::string& path);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_LAYOUT_H_
