// DeviceParser: the restore-side consumer of one device's stream. Takes the bytes in pieces of any
// size, validates every header, checksum and pad, and hands the backup set info and the data runs
// to a sink; page data is passed on as pointers into the caller's span (no copy).
#ifndef VDIBK_EMULATOR_STREAM_DEVICE_PARSER_H_
#define VDIBK_EMULATOR_STREAM_DEVICE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "emulator/db/checksum.h"
#include "emulator/stream/backup_set_info.h"
#include "emulator/stream/mtf_format.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// Receives what a DeviceParser finds. Called on the thread that feeds that parser.
class ParserSink {
 public:
  virtual ~ParserSink() = default;
  virtual Status OnSetInfo(uint32_t device, const BackupSetInfo& info) = 0;
  // `len` bytes of run `run` starting `offset_in_run` bytes into it; `data` is only valid
  // during the call. Page checksums are verified later (at the CSUM stream), so a sink must
  // write into disposable (staging) storage.
  virtual Status OnRunData(uint32_t device, const RunHeader& run, bool log, uint64_t offset_in_run,
                           const uint8_t* data, size_t len) = 0;
};

// Errors are SQL-style: 3241 (media family incorrectly formed), 3183 (page checksum). After an
// error every further call returns it. Not thread-safe.
class DeviceParser {
 public:
  DeviceParser(uint32_t device, std::string device_name, ParserSink* sink);

  Status Consume(const uint8_t* data, size_t len);
  // The stream ended properly (EOTM and its pad to the block size were consumed).
  bool complete() const { return state_ == State::kEnd; }
  bool has_info() const { return has_info_; }
  const BackupSetInfo& info() const { return info_; }
  uint64_t pages() const { return pages_; }
  uint64_t position() const { return pos_; }
  // OK if complete(), else error 3203 (read past the end: the stream is truncated).
  Status CheckComplete() const;

 private:
  enum class State { kDblkHead, kDblkBody, kStreamHead, kCollect, kRunHead, kRunData, kPad, kEnd };
  Status Step(const uint8_t*& p, size_t& len);
  bool Need(const uint8_t*& p, size_t& len, size_t n);
  Status Corrupt(const std::string& detail) const;
  Status OnDescriptor();
  Status OnStreamHeader(const StreamHeader& h);
  Status OnCollected();
  void HashItem(const uint8_t* p, size_t n) {
    if (!seen_eset_) hash_.Update(p, n);
  }
  void FinishPage(uint64_t sum);

  uint32_t device_;
  std::string device_name_;
  ParserSink* sink_;
  Status error_;
  State state_ = State::kDblkHead;
  std::vector<uint8_t> acc_;
  size_t need_ = 0;
  uint64_t pos_ = 0;
  uint32_t last_dblk_ = 0;
  uint32_t collect_id_ = 0;
  uint64_t pad_left_ = 0;
  bool seen_eset_ = false;
  Checksum64 hash_;
  // TAPE/SSET facts, cross-checked against the info stream.
  Guid tape_guid_;
  uint32_t tape_family_index_ = 0, tape_family_count_ = 0, tape_block_size_ = 0;
  bool has_info_ = false;
  BackupSetInfo info_;
  // Current run.
  RunHeader run_;
  bool run_log_ = false;
  uint64_t run_done_ = 0;
  uint64_t page_len_ = 0, page_filled_ = 0;
  Checksum64 page_hash_;
  std::vector<uint64_t> page_sums_;
  bool expect_csum_ = false;
  uint64_t pages_ = 0;
  uint64_t data_bytes_ = 0;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_DEVICE_PARSER_H_
