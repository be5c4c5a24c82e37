// DeviceStream: the producer of one device's backup stream (one media family). Fill() writes the
// next bytes into a caller buffer: descriptor/stream headers are small copies, data file bytes are
// pread straight into the buffer (no intermediate copy); pages are checksummed there only WITH
// CHECKSUM (a plain backup is read + write).
#ifndef VDIBK_EMULATOR_STREAM_DEVICE_STREAM_H_
#define VDIBK_EMULATOR_STREAM_DEVICE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "emulator/db/checksum.h"
#include "emulator/db/file_io.h"
#include "emulator/stream/backup_set_info.h"
#include "emulator/stream/mtf_format.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// One contiguous byte range of one file carried by a device (at most BackupOptions::chunk_size).
struct BackupRun {
  uint32_t file_index = 0;  // index into BackupSource::info.files / fds
  uint64_t offset = 0;      // page aligned (extent aligned for data files)
  uint64_t length = 0;
  bool log = false;  // MQLG (log records of a log backup) instead of MQDA
};

// State shared by the device streams of one backup; owned by BackupSession. Read-only during
// Fill().
struct BackupSource {
  BackupSetInfo info;         // family_index / media_family_id are per device (set by the stream)
  std::vector<UniqueFd> fds;  // one per info.files entry (invalid when not read)
  // BackupOptions::direct_io: the same files opened with O_DIRECT (empty, or invalid entries
  // where O_DIRECT is refused: those are read through `fds`).
  std::vector<UniqueFd> direct_fds;
};

// Layout of a device stream (every DBLK on a 1 KiB boundary, SPAD streams in between):
//   TAPE | SSET + MQCI(BackupSetInfo) | VOLB | MSDA + {MQDA|MQLG run [+ CSUM]}* | ESET | EOTM,
// the final SPAD making the length a multiple of the block size. WITH CHECKSUM the ESET carries
// the device checksum: Checksum64 over every byte before the ESET except page data, with each
// page's checksum (Checksum64, seed kPageChecksumSeed) fed in where the page ends; without it
// the field is 0 and no page is hashed.
// Not thread-safe; different DeviceStreams of a job may be filled concurrently. Data files with
// a direct fd are read in aligned pieces into a 1 MiB bounce buffer and copied from there.
class DeviceStream {
 public:
  DeviceStream(BackupSource* source, uint32_t index, std::vector<BackupRun> runs);
  DeviceStream(const DeviceStream&) = delete;
  DeviceStream& operator=(const DeviceStream&) = delete;

  // Writes up to `capacity` bytes to `buf`; returns the count, 0 only at the end of the stream.
  // When `capacity` is a multiple of the block size so is every return value. An I/O error (or
  // a data file that shrank since the job began) is sticky.
  Result<size_t> Fill(uint8_t* buf, size_t capacity);

  bool done() const { return phase_ == Phase::kDone && pend_pos_ == pend_.size(); }
  uint32_t index() const { return index_; }
  uint64_t position() const { return pos_; }  // bytes produced so far
  uint64_t pages() const {
    return pages_;
  }  // pages of the data produced so far (per run
     // without CHECKSUM)

 private:
  enum class Phase {
    kTape,
    kSset,
    kVolb,
    kMsda,
    kRunStart,
    kRunData,
    kRunEnd,
    kDataEnd,
    kEset,
    kEotm,
    kDone
  };
  Status Advance();
  // Reads up to `want` bytes of the current run at `offset` of file `file` through the bounce
  // buffer into `dst`; returns the count (0: end of file).
  Result<size_t> ReadDirect(uint32_t file, uint64_t offset, uint8_t* dst, size_t want);
  void SetPending(std::vector<uint8_t> bytes, bool hashed);
  void ConsumeData(const uint8_t* p, size_t len);
  void FinishPage(uint64_t sum);
  uint64_t Fla() const { return pos_ / kFormatLogicalBlock; }

  BackupSource* src_;
  uint32_t index_;
  std::vector<BackupRun> runs_;
  BackupSetInfo info_;  // src_->info with this device's family fields
  Phase phase_ = Phase::kTape;
  Status error_;
  std::vector<uint8_t> pend_;
  size_t pend_pos_ = 0;
  uint64_t pos_ = 0;
  uint32_t block_id_ = 0;
  uint64_t pages_ = 0;
  uint64_t data_bytes_ = 0;
  Checksum64 device_hash_;
  // Current run.
  size_t run_idx_ = 0;
  uint64_t run_done_ = 0;
  uint64_t page_start_ = 0;
  uint64_t page_len_ = 0;
  uint64_t page_filled_ = 0;
  Checksum64 page_hash_;
  std::vector<uint64_t> page_sums_;
  std::vector<uint64_t> sums_scratch_;  // page checksums computed in parallel by ConsumeData
  // Direct reads: the bounce buffer holds bytes [bounce_off_, bounce_off_ + bounce_len_) of file
  // bounce_file_.
  std::unique_ptr<AlignedBuffer> bounce_;
  uint32_t bounce_file_ = 0;
  uint64_t bounce_off_ = 0;
  size_t bounce_len_ = 0;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_DEVICE_STREAM_H_
