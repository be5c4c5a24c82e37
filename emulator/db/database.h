// Database: one database of the emulator = a directory DIR/<name> of files (data files and at most
// one *.ldf log) plus its DbMeta. Any directory of regular files (nested too) is a database.
#ifndef VDIBK_EMULATOR_DB_DATABASE_H_
#define VDIBK_EMULATOR_DB_DATABASE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/db/db_meta.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

constexpr uint64_t kPageSize = 8192;
constexpr uint64_t kExtentSize = 65536;
constexpr uint32_t kPrimaryFileId = 1;
constexpr uint32_t kLogFileId = 2;

enum class FileType : uint8_t { kData = 0, kLog = 1 };

struct DbFile {
  uint32_t file_id = 0;
  FileType type = FileType::kData;
  std::string logical_name;  // e.g. "sales", "sales_log", "base_1_1259"
  std::string path;          // relative to the database directory, or absolute if external
  bool external = false;
  std::string full_path;  // absolute/openable path
  uint64_t size = 0;
};

// Derived logical name of a relative path: extension dropped, '/' -> '_'.
std::string DeriveLogicalName(std::string_view rel_path);

// A snapshot of one database's files and metadata. Cheap to move; not thread-safe.
// File ids are stable: kept in the metadata; on first sight the primary data file (first *.mdf,
// else first data file) gets 1, the log 2, the others 3.. in path order; later new files get
// max+1. Nothing is written by Open(); SaveMeta() persists the id map with the rest.
class Database {
 public:
  // Opens DIR/<name>; error 911 if the directory does not exist.
  static Result<Database> Open(const std::string& data_dir, const std::string& name);

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  const std::string& meta_path() const { return meta_path_; }
  const std::vector<DbFile>& files() const { return files_; }  // sorted by file id
  const DbFile* FindFile(uint32_t file_id) const;
  const DbFile* FindLogical(std::string_view logical_name) const;  // case-insensitive
  const DbFile* log_file() const;                                  // nullptr: SIMPLE recovery model
  bool simple_recovery() const { return log_file() == nullptr; }
  DbState state() const { return meta_.state; }
  uint64_t total_size() const;

  const DbMeta& meta() const { return meta_; }
  DbMeta& mutable_meta() { return meta_; }
  // Persists the metadata (with the current file id map) atomically. A read-modify-write of the
  // metadata holds its MetaLock (meta_lock.h) and calls Reload() first.
  Status SaveMeta();
  // Re-reads the metadata and rescans the files (as Open()).
  Status Reload();

  // The LSN the next change gets: the log header's next_lsn, or the metadata counter (SIMPLE).
  Result<uint64_t> NextLsn() const;
  // Error 927 unless ONLINE.
  Status CheckOnline() const;

 private:
  Status Scan();
  std::string name_;
  std::string dir_;
  std::string meta_path_;
  DbMeta meta_;
  std::vector<DbFile> files_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_DATABASE_H_
