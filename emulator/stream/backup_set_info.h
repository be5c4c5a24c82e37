// BackupSetInfo: what a backup set says about itself (carried in every device's MQCI stream after
// SSET): database, kind, LSNs, media family, options and the file list. Also the structured rows
// of RESTORE HEADERONLY / FILELISTONLY.
#ifndef VDIBK_EMULATOR_STREAM_BACKUP_SET_INFO_H_
#define VDIBK_EMULATOR_STREAM_BACKUP_SET_INFO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/db/database.h"
#include "emulator/db/db_meta.h"
#include "emulator/db/guid.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// One file of the backed-up database (a FILELISTONLY row).
struct BackupFileInfo {
  uint32_t file_id = 0;
  FileType type = FileType::kData;  // FILELISTONLY Type: 'D' or 'L'
  std::string logical_name;
  std::string physical_name;  // path relative to the database dir, or absolute if external
  bool external = false;
  uint64_t size = 0;          // file size at backup time
  uint64_t backup_bytes = 0;  // bytes of this file carried by the backup set (all devices)
};

// A HEADERONLY row (plus the media family of the device it was read from).
struct BackupSetInfo {
  std::string database_name;
  std::string server_name = "vdi-emulator";
  BackupKind kind = BackupKind::kFull;
  bool copy_only = false;
  bool has_checksums = false;
  bool metadata_only = false;    // snapshot / METADATA_ONLY: headers + file list, no pages
  bool simple_recovery = false;  // RecoveryModel SIMPLE (no log file) vs FULL
  Guid set_guid;                 // BackupSetGUID, same on every device of the set
  uint32_t media_family_id = 0;  // this device's media family id
  uint32_t family_count = 1;
  uint32_t family_index = 0;  // 0-based; SQL Server's FamilySequenceNumber is index + 1
  uint32_t block_size = 65536;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  uint64_t checkpoint_lsn = 0;
  uint64_t database_backup_lsn = 0;    // LSN of the differential base full backup
  uint64_t differential_base_lsn = 0;  // differential: base's LSN
  Guid differential_base_guid;         // differential: base's set GUID
  int64_t start_time = 0;              // unix seconds
  int64_t finish_time = 0;
  uint64_t backup_size = 0;  // data + log bytes in the set (all devices)
  std::vector<BackupFileInfo> files;

  // SQL Server's HEADERONLY BackupType: 1 database, 2 log, 5 differential database.
  int HeaderOnlyBackupType() const;

  std::vector<uint8_t> Serialize() const;  // ends with a Checksum64
  static Result<BackupSetInfo> Parse(const uint8_t* p, size_t len);
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_BACKUP_SET_INFO_H_
