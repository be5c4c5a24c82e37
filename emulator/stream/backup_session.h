// BackupSession: one BACKUP DATABASE / BACKUP LOG of the emulator. Begin() checks the SQL Server
// rules, plans which file ranges go to which device and creates one DeviceStream per device;
// Commit() records the outcome (history, differential base, log truncation) only once the caller
// knows the backup succeeded, so a failed or aborted backup changes nothing.
#ifndef VDIBK_EMULATOR_STREAM_BACKUP_SESSION_H_
#define VDIBK_EMULATOR_STREAM_BACKUP_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/db/catalog.h"
#include "emulator/stream/backup_set_info.h"
#include "emulator/stream/device_stream.h"

namespace vdibk::emulator {

struct BackupOptions {
  BackupKind kind = BackupKind::kFull;  // kDifferential = WITH DIFFERENTIAL; kLog = BACKUP LOG
  bool copy_only = false;       // full: does not reset the differential base; log: no truncation
  bool checksum = false;        // WITH CHECKSUM: CSUM streams + device checksum in ESET
  bool metadata_only = false;   // WITH SNAPSHOT / METADATA_ONLY: headers + file list, no pages
  uint32_t devices = 1;         // media families, 1..64
  uint32_t block_size = 65536;  // BLOCKSIZE: power of two 512..65536; stream lengths are multiples
  uint64_t chunk_size = 1 << 20;  // bytes per run (multiple of 64 KiB); runs go round robin
  std::string name;               // WITH NAME = '...': kept in the backup history
  // Read data files with O_DIRECT, as SQL Server does (its backup reads bypass the OS cache):
  // the data comes from the disk, not the page cache. A file whose filesystem refuses O_DIRECT
  // is read through the page cache.
  bool direct_io = false;
  // Injectable header fields (tests pin them to compare bytes). Defaults: random GUID, now,
  // media family ids derived from the GUID.
  std::optional<Guid> set_guid;
  std::optional<int64_t> time;
  std::optional<uint32_t> media_family_id;
};

// Owns the database snapshot, open files and the device streams. Not movable (the streams point
// into it); device streams may be filled from different threads, Commit() after all are done.
class BackupSession {
 public:
  // Errors in SQL Server's words: 911 no database, 927 restoring, 4208 BACKUP LOG under SIMPLE,
  // 4214 no full backup yet, 3035 differential without base; bad options are kUsage.
  static Result<std::unique_ptr<BackupSession>> Begin(const Catalog& catalog,
                                                      const std::string& database,
                                                      const BackupOptions& options);
  BackupSession(const BackupSession&) = delete;
  BackupSession& operator=(const BackupSession&) = delete;

  const BackupSetInfo& info() const { return source_.info; }  // family fields of device 0
  uint32_t device_count() const { return static_cast<uint32_t>(devices_.size()); }
  DeviceStream& device(uint32_t index) { return *devices_[index]; }
  bool all_done() const;
  // Data files read with O_DIRECT (BackupOptions::direct_io and a filesystem that allows it).
  size_t direct_files() const;

  // Call only after the backup as a whole succeeded (every device stream fully consumed and made
  // durable by the caller). Adds the server-wide history row (BackupHistory); full, unless
  // COPY_ONLY: the new differential base (changed-extent maps reset, file stamps of Begin());
  // log: truncates the log up to info().last_lsn (unless COPY_ONLY) and moves the chain.
  // Differential planning (Begin) reads only the extents the maps mark, or a whole file whose
  // stamp changed behind the emulator's back.
  // Error if a device stream is not finished. Idempotent: a second call does nothing.
  Status Commit();
  // Same as Commit(); the name the log-backup callers look for.
  Status CommitLogBackup() { return Commit(); }

 private:
  BackupSession() = default;
  Status Plan(const BackupOptions& options);
  Catalog catalog_{""};
  std::optional<Database> db_;
  BackupOptions options_;
  BackupSource source_;
  std::vector<FileStamp> stamps_;  // per info().files entry, when Begin() opened it
  std::vector<std::unique_ptr<DeviceStream>> devices_;
  bool committed_ = false;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_BACKUP_SESSION_H_
