// RestoreSession: one RESTORE in the emulator. Feed each device's stream bytes (any piece sizes,
// any interleaving of devices, concurrently from one thread per device) and call Finish(); the
// database appears only if every family was complete and valid. Also HEADERONLY / FILELISTONLY /
// VERIFYONLY, which return structured rows instead of restoring.
#ifndef VDIBK_EMULATOR_STREAM_RESTORE_SESSION_H_
#define VDIBK_EMULATOR_STREAM_RESTORE_SESSION_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/db/catalog.h"
#include "emulator/stream/backup_set_info.h"
#include "emulator/stream/device_parser.h"
#include "emulator/stream/restore_request.h"
#include "emulator/stream/restore_staging.h"

namespace vdibk::emulator {

struct RestoreResult {
  BackupSetInfo header;                   // HEADERONLY row (family fields of the first device read)
  std::vector<BackupFileInfo> file_list;  // FILELISTONLY rows
  std::string database;                   // database restored into (kDatabase / kLog)
  DbState state = DbState::kOnline;
  uint64_t pages = 0;         // pages read from all devices
  uint64_t bytes = 0;         // stream bytes read from all devices
  uint64_t direct_bytes = 0;  // data file bytes written with O_DIRECT (RestoreRequest::direct_io)
};

class RestoreSession : private ParserSink {
 public:
  static Result<std::unique_ptr<RestoreSession>> Begin(const Catalog& catalog,
                                                       RestoreRequest options);
  ~RestoreSession() override;
  RestoreSession(const RestoreSession&) = delete;
  RestoreSession& operator=(const RestoreSession&) = delete;

  // Bytes of device `device` (0-based), in stream order for that device. Calls for different
  // devices may run concurrently; calls for one device must be serialized. Errors are sticky for
  // the session: 3132 (fewer families than the media set has), 3231 (more), 3241 (malformed or
  // not of this media set), 3183 (page checksum), plus the staging errors of RestoreStaging.
  Status Consume(uint32_t device, const uint8_t* data, size_t len);
  // False when nothing more is needed from `device` (its stream is complete, or for
  // HEADERONLY/FILELISTONLY once a header was read).
  bool WantsMore(uint32_t device) const;
  // Data + log bytes of the backup set (BackupSetInfo::backup_size) once a device's header was
  // read, else 0. For progress reports (WITH STATS). Thread-safe.
  uint64_t expected_bytes() const;
  // Validates completeness (3203 for a truncated family) and commits. On any error the staged
  // files are removed and the target is unchanged. Call once, after the feeding threads stopped.
  Result<RestoreResult> Finish();

 private:
  RestoreSession(const Catalog& catalog, RestoreRequest options);
  Status OnSetInfo(uint32_t device, const BackupSetInfo& info) override;
  Status OnRunData(uint32_t device, const RunHeader& run, bool log, uint64_t offset_in_run,
                   const uint8_t* data, size_t len) override;
  Status Fail(Status s);
  bool header_mode() const {
    return options_.mode == RestoreMode::kHeaderOnly || options_.mode == RestoreMode::kFileListOnly;
  }

  Catalog catalog_;
  RestoreRequest options_;
  std::vector<std::unique_ptr<DeviceParser>> parsers_;
  mutable std::mutex mu_;
  Status error_;  // guarded by mu_
  std::atomic<bool> failed_{false};
  std::atomic<bool> have_info_{false};
  bool first_info_seen_ = false;             // guarded by mu_
  BackupSetInfo first_info_;                 // guarded by mu_
  std::vector<bool> family_seen_;            // guarded by mu_
  std::unique_ptr<RestoreStaging> staging_;  // set once under mu_, then used lock-free
};

// RESTORE DATABASE name WITH RECOVERY (no devices): brings a RESTORING database ONLINE.
Status RecoverDatabase(const Catalog& catalog, const std::string& name);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_RESTORE_SESSION_H_
