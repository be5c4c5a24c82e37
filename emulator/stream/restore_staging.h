// RestoreStaging: where a RESTORE writes before it is known to be good. Checks the SQL Server rules
// (REPLACE, MOVE, restoring state, differential base, LSN chain), builds the files in temp
// locations, and on Commit() applies log records and renames everything into place atomically.
// Destroying an uncommitted staging removes every temp file: the target is left untouched.
#ifndef VDIBK_EMULATOR_STREAM_RESTORE_STAGING_H_
#define VDIBK_EMULATOR_STREAM_RESTORE_STAGING_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/db/catalog.h"
#include "emulator/db/file_io.h"
#include "emulator/stream/backup_set_info.h"
#include "emulator/stream/mtf_format.h"
#include "emulator/stream/restore_request.h"

namespace vdibk::emulator {

class RestoreStaging {
 public:
  // Errors: 3154/3159 (exists, no REPLACE), 1834/3142 (file collisions), 3234 (unknown MOVE
  // name), 3117 (no restoring database for a differential/log), 3136 (wrong differential base),
  // 4305/4326 (log does not follow on), 3135 (backup kind does not fit the statement).
  static Result<std::unique_ptr<RestoreStaging>> Prepare(const Catalog& catalog,
                                                         const RestoreRequest& options,
                                                         const BackupSetInfo& info);
  ~RestoreStaging();
  RestoreStaging(const RestoreStaging&) = delete;
  RestoreStaging& operator=(const RestoreStaging&) = delete;

  // Writes run bytes read from `device` to the staged file (or the staged log bytes). Thread-safe
  // for different devices (one buffered writer per file at a time); a device's runs arrive in
  // order. With direct_io, data file bytes gather in the device's aligned buffer and go out with
  // O_DIRECT when it is full and at the end of each run.
  Status WriteRun(uint32_t device, const RunHeader& run, bool log, uint64_t offset_in_run,
                  const uint8_t* data, size_t len);
  // Makes the restore visible (see class comment). `recovery`: ONLINE, else RESTORING.
  Status Commit(bool recovery);
  const std::string& target() const { return target_; }
  uint64_t direct_bytes() const { return direct_bytes_.load(); }

 private:
  struct StagedFile {
    FileIdentity id;
    FileType type = FileType::kData;
    uint64_t size = 0;
    std::string final_path;
    std::string temp_path;
    UniqueFd fd;
    // Device threads write one file in turns: the kernel serializes buffered writes to a file
    // anyway (i_rwsem), and a waiter spinning on that lock burns a core the clients need.
    std::unique_ptr<std::mutex> write_mu = std::make_unique<std::mutex>();
    UniqueFd direct_fd;  // direct_io: the temp file opened with O_DIRECT (invalid: refused)
  };
  // direct_io: one device's pending bytes of one staged file, [start, start + len).
  struct DirectBuffer {
    explicit DirectBuffer(size_t n) : mem(n, kDirectIoAlignment) {}
    AlignedBuffer mem;
    StagedFile* file = nullptr;
    uint64_t start = 0;
    size_t len = 0;
  };
  Status WriteBuffered(StagedFile* f, const uint8_t* data, size_t len, uint64_t offset);
  Status WriteDirect(uint32_t device, StagedFile* f, const uint8_t* data, size_t len,
                     uint64_t offset, bool run_end);
  // Writes out the aligned part of `b` with O_DIRECT and the rest buffered; empties it.
  Status FlushDirect(DirectBuffer& b);
  RestoreStaging() : catalog_("") {}
  Status PlaceFiles(const RestoreRequest& options);
  Status ApplyLog();
  StagedFile* Find(uint32_t file_id);
  void Discard();

  Catalog catalog_;
  BackupSetInfo info_;
  std::string target_;
  std::optional<Database> current_;  // the existing target database, if any
  std::string root_;                 // work dir: root_/db is the new database directory
  std::vector<StagedFile> files_;
  UniqueFd log_bytes_;
  std::mutex log_write_mu_;
  // Per device (sized before any write; each slot is used by its device's thread only).
  std::vector<std::unique_ptr<DirectBuffer>> direct_;
  std::atomic<uint64_t> direct_bytes_{0};
  bool committed_ = false;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_RESTORE_STAGING_H_
