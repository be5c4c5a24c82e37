// LogFile: the emulator's transaction log (.ldf): an 8 KiB header page followed by log records,
// each the after-image of one changed data page. LSNs are contiguous integers starting at base_lsn.
#ifndef VDIBK_EMULATOR_DB_LOG_FILE_H_
#define VDIBK_EMULATOR_DB_LOG_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/db/file_io.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// Header page (little-endian): "VDBKLDF1" | version u32 | header size u32 | base_lsn u64 |
// next_lsn u64 | end_offset u64 | Checksum64 of the preceding 40 bytes | zeros to 8192.
// Record: "LREC" u32 | total length u32 | lsn u64 | file id u32 | image length u32 |
// page offset u64 | reserved u64 | image | zero pad to 8 | Checksum64 of everything before.
constexpr uint64_t kLogHeaderSize = 8192;
constexpr uint64_t kLogRecordHeaderSize = 40;

struct LogHeader {
  uint64_t base_lsn = 1;  // LSN of the first record kept in the file (the truncation point)
  uint64_t next_lsn = 1;  // LSN the next appended record gets
  uint64_t end_offset = kLogHeaderSize;  // where the next record goes (= file size)
};

struct LogRecord {
  uint64_t lsn = 0;
  uint32_t file_id = 0;
  uint64_t page_offset = 0;
  std::vector<uint8_t> image;
};

// Size of a record holding an image of `image_len` bytes.
uint64_t LogRecordSize(uint64_t image_len);

// Parses and verifies records in `data` (a byte range of a log file starting at a record
// boundary). Records must have contiguous LSNs starting at `first_lsn`. Corruption is kIntegrity.
Result<std::vector<LogRecord>> ParseLogRecords(const uint8_t* data, size_t len, uint64_t first_lsn);

// An open log file. Not thread-safe; one writer at a time (the emulator is single-writer).
class LogFile {
 public:
  // Creates (or overwrites) `path` with an empty log whose next LSN is `base_lsn`.
  static Status Create(const std::string& path, uint64_t base_lsn);
  static Result<LogFile> Open(const std::string& path);
  // Reads only the header of `path`.
  static Result<LogHeader> ReadHeader(const std::string& path);

  const LogHeader& header() const { return header_; }

  // Appends one record with LSN header().next_lsn; returns that LSN.
  Result<uint64_t> Append(uint32_t file_id, uint64_t page_offset, const uint8_t* image, size_t len);
  // Drops every record with LSN < `lsn` (log truncation after a committed log backup) and sets
  // base_lsn = lsn, next_lsn = max(next_lsn, lsn). Rewrites the file atomically.
  Status TruncateBefore(uint64_t lsn);
  // All records of the file, verified.
  Result<std::vector<LogRecord>> ReadAll() const;

 private:
  LogFile(std::string path, UniqueFd fd, LogHeader h)
      : path_(std::move(path)), fd_(std::move(fd)), header_(h) {}
  Status WriteHeader();
  std::string path_;
  UniqueFd fd_;
  LogHeader header_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_LOG_FILE_H_
