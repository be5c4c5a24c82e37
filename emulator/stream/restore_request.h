// RestoreRequest: what one RESTORE (DATABASE | LOG | HEADERONLY | FILELISTONLY | VERIFYONLY) asks
// of the emulator's restore (RestoreSession, RestoreStaging, the snapshot restore).
#ifndef VDIBK_EMULATOR_STREAM_RESTORE_REQUEST_H_
#define VDIBK_EMULATOR_STREAM_RESTORE_REQUEST_H_

#include <cstdint>
#include <string>
#include <vector>

namespace vdibk::emulator {

enum class RestoreMode { kDatabase, kLog, kHeaderOnly, kFileListOnly, kVerifyOnly };

// MOVE 'logical_name' TO 'path'. A relative path (or an absolute one inside DIR/<target>/) places
// the file inside the database directory; any other absolute path makes it an external file.
struct RestoreMove {
  std::string logical_name;
  std::string path;
};

struct RestoreRequest {
  RestoreMode mode = RestoreMode::kDatabase;
  std::string target_name;  // database to restore into; Default (empty): the name in the backup
  std::vector<RestoreMove> moves;
  bool replace = false;       // WITH REPLACE
  bool recovery = true;       // RECOVERY (ONLINE) vs NORECOVERY (RESTORING)
  uint32_t device_count = 1;  // devices the restore reads (one DeviceParser each), 1..64
  std::vector<std::string> device_names;  // for messages; Default: "device0", "device1", ...
  // Write the data files with O_DIRECT, as SQL Server does (serve --direct-io): the restored
  // pages go to the disk, not the page cache. A file whose filesystem refuses O_DIRECT, and every
  // piece not aligned to 4 KiB, is written through the page cache.
  bool direct_io = false;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_RESTORE_REQUEST_H_
