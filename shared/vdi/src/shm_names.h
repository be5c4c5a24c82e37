// Names of the POSIX shared-memory objects of a set: "vdibackup.<encoded set name>.ctl" for the
// control segment and "vdibackup.<encoded set name>.<tag>.buf<k>" for buffer segments.
#ifndef VDIBK_SHARED_VDI_SRC_SHM_NAMES_H_
#define VDIBK_SHARED_VDI_SRC_SHM_NAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vdibk::vdi {

constexpr const char* kShmPrefix = "vdibackup.";
constexpr const char* kShmDir = "/dev/shm";

// Set name -> a string safe in a shm name: [A-Za-z0-9_-] kept, everything else as %XX.
std::string EncodeSetName(std::string_view set_name);

// "/vdibackup.<enc>.ctl" (with the leading slash shm_open wants).
std::string ControlShmName(std::string_view set_name);
// "/vdibackup.<enc>.<tag hex>.buf<k>".
std::string BufferShmName(std::string_view set_name, uint32_t set_tag, uint32_t segment);
// The /dev/shm path of a shm name ("/x" -> "/dev/shm/x").
std::string ShmPath(const std::string& shm_name);
// Every object in /dev/shm belonging to `set_name` (any tag), as shm names with leading slash.
std::vector<std::string> ListSetObjects(std::string_view set_name);
// The same for an already encoded set name.
std::vector<std::string> ListEncodedSetObjects(std::string_view encoded);

// A /dev/shm file name (no slash) of ours, taken apart: "vdibackup.<enc>.ctl" or
// "vdibackup.<enc>.<8 hex>.buf<k>". nullopt for every other name.
struct ShmObjectName {
  std::string encoded;  // the encoded set name
  bool control = false;  // the .ctl object (else a buffer segment)
};
std::optional<ShmObjectName> ParseShmObjectName(std::string_view file_name);
// EncodeSetName's inverse (a malformed %XX is kept as it is).
std::string DecodeSetName(std::string_view encoded);

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_SHM_NAMES_H_
