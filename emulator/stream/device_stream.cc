// DeviceStream implementation: the phase machine that lays out one device's MTF stream.
#include "emulator/stream/device_stream.h"

#include "emulator/stream/page_hasher.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace vdibk::emulator {
namespace {

// O_DIRECT reads go through a 1 MiB bounce buffer per device stream.
constexpr size_t kDirectBounceSize = 1 << 20;

uint32_t SsetAttributes(const BackupSetInfo& i) {
  uint32_t a = i.kind == BackupKind::kFull ? 0x4 : i.kind == BackupKind::kDifferential ? 0x8 : 0x10;
  if (i.copy_only) a |= 0x2;
  return a;
}

// Appends (size, offset) string pointers and remembers the strings to place after the fixed part.
struct Strings {
  std::vector<std::pair<size_t, std::string>> refs;  // body offset of the pair, text
  void Ref(ByteWriter& w, std::string s) {
    refs.emplace_back(w.size(), std::move(s));
    w.U32(0);
  }
  void Place(ByteWriter& w) {
    for (auto& [at, s] : refs) {
      w.PutU16At(at, static_cast<uint16_t>(s.size()));
      w.PutU16At(at + 2, static_cast<uint16_t>(kDblkHeaderSize + w.size()));
      w.Raw(s.data(), s.size());
    }
  }
};

}  // namespace

DeviceStream::DeviceStream(BackupSource* source, uint32_t index, std::vector<BackupRun> runs)
    : src_(source), index_(index), runs_(std::move(runs)), info_(source->info) {
  info_.family_index = index;
  info_.media_family_id = source->info.media_family_id + index;
}

void DeviceStream::SetPending(std::vector<uint8_t> bytes, bool hashed) {
  if (hashed && info_.has_checksums) device_hash_.Update(bytes.data(), bytes.size());
  pend_ = std::move(bytes);
  pend_pos_ = 0;
}

Status DeviceStream::Advance() {
  ByteWriter w;
  DblkHeader h;
  h.format_logical_address = Fla();
  h.control_block_id = block_id_++;
  switch (phase_) {
    case Phase::kTape: {
      h.type = kTagTape;
      ByteWriter b;
      Strings s;
      b.U32(info_.media_family_id);
      b.U32(0);  // TAPE attributes
      b.U16(1);  // media sequence number
      b.U16(0);  // password encryption algorithm
      b.U16(0);  // soft filemark block size
      b.U16(0);  // media-based catalog type
      s.Ref(b, "vdi-emulator media family " + std::to_string(info_.family_index + 1));
      s.Ref(b, "");
      s.Ref(b, "");
      s.Ref(b, "vdi-emulator (SQL Server stand-in)");
      b.U16(kFormatLogicalBlock);
      b.U16(0x1200);  // vendor id
      uint8_t date[5];
      EncodeMtfDate(info_.start_time, date);
      b.Raw(date, 5);
      b.U8(1);  // MTF major version
      b.Raw(info_.set_guid.bytes.data(), 16);
      b.U32(info_.family_index);
      b.U32(info_.family_count);
      b.U32(info_.block_size);
      s.Place(b);
      w.bytes() = BuildDescriptor(h, b.bytes());
      AppendSpad(w, pos_, kFormatLogicalBlock);
      SetPending(std::move(w.bytes()), true);
      phase_ = Phase::kSset;
      return Status::Ok();
    }
    case Phase::kSset: {
      h.type = kTagSset;
      h.attributes = SsetAttributes(info_);
      h.displayable_size = info_.backup_size;
      ByteWriter b;
      Strings s;
      b.U32(h.attributes);
      b.U16(0);  // password algorithm
      b.U16(0);  // software compression
      b.U16(0x1200);
      b.U16(1);  // data set number
      s.Ref(b, info_.database_name + "-" + std::string(BackupKindName(info_.kind)) + " backup");
      s.Ref(b, "");
      s.Ref(b, "");
      s.Ref(b, "vdi-emulator");
      b.U64(Fla());  // physical block address
      uint8_t date[5];
      EncodeMtfDate(info_.start_time, date);
      b.Raw(date, 5);
      b.U8(16);  // software major (SQL Server 2022-like)
      b.U8(0);
      b.U8(0);  // time zone
      b.U8(0);  // MTF minor
      b.U8(0);  // catalog version
      b.Raw(info_.set_guid.bytes.data(), 16);
      b.U32(info_.family_index);
      b.U32(info_.family_count);
      s.Place(b);
      w.bytes() = BuildDescriptor(h, b.bytes());
      std::vector<uint8_t> payload = info_.Serialize();
      StreamHeader sh;
      sh.id = kStreamInfo;
      sh.length = payload.size();
      AppendStreamHeader(w, sh);
      w.Raw(payload.data(), payload.size());
      w.Zeros(Pad4(payload.size()));
      AppendSpad(w, pos_, kFormatLogicalBlock);
      SetPending(std::move(w.bytes()), true);
      phase_ = Phase::kVolb;
      return Status::Ok();
    }
    case Phase::kVolb:
    case Phase::kMsda: {
      bool volb = phase_ == Phase::kVolb;
      h.type = volb ? kTagVolb : kTagMsda;
      ByteWriter b;
      b.U32(0);
      b.U32(static_cast<uint32_t>(runs_.size()));
      w.bytes() = BuildDescriptor(h, b.bytes());
      if (volb) AppendSpad(w, pos_, kFormatLogicalBlock);
      SetPending(std::move(w.bytes()), true);
      phase_ = volb ? Phase::kMsda : Phase::kRunStart;
      return Status::Ok();
    }
    case Phase::kRunStart: {
      --block_id_;
      if (run_idx_ == runs_.size()) {
        phase_ = Phase::kDataEnd;
        return Status::Ok();
      }
      const BackupRun& r = runs_[run_idx_];
      StreamHeader sh;
      sh.id = r.log ? kStreamLog : kStreamData;
      sh.length = kRunHeaderSize + r.length;
      AppendStreamHeader(w, sh);
      RunHeader rh;
      rh.file_id = info_.files[r.file_index].file_id;
      rh.file_offset = r.offset;
      rh.length = r.length;
      rh.page_count = RunPageCount(r.length);
      AppendRunHeader(w, rh);
      SetPending(std::move(w.bytes()), true);
      run_done_ = 0;
      page_start_ = r.offset;
      page_len_ = std::min<uint64_t>(kPageSize, r.length);
      page_filled_ = 0;
      page_sums_.clear();
      phase_ = r.length == 0 ? Phase::kRunEnd : Phase::kRunData;
      return Status::Ok();
    }
    case Phase::kRunEnd: {
      --block_id_;
      const BackupRun& r = runs_[run_idx_];
      if (!info_.has_checksums) pages_ += RunPageCount(r.length);  // not counted page by page
      w.Zeros(Pad4(r.length));
      if (info_.has_checksums) {
        StreamHeader sh;
        sh.id = kStreamCsum;
        sh.length = page_sums_.size() * 8;
        AppendStreamHeader(w, sh);
        for (uint64_t c : page_sums_) w.U64(c);
      }
      SetPending(std::move(w.bytes()), true);
      ++run_idx_;
      phase_ = Phase::kRunStart;
      return Status::Ok();
    }
    case Phase::kDataEnd:
      --block_id_;
      AppendSpad(w, pos_, kFormatLogicalBlock);
      SetPending(std::move(w.bytes()), true);
      phase_ = Phase::kEset;
      return Status::Ok();
    case Phase::kEset: {
      h.type = kTagEset;
      h.attributes = SsetAttributes(info_);
      ByteWriter b;
      b.U32(h.attributes);
      b.U64(pages_);
      b.U64(data_bytes_);
      b.U64(info_.has_checksums ? device_hash_.Digest() : 0);
      b.U32(info_.has_checksums ? 1 : 0);
      w.bytes() = BuildDescriptor(h, b.bytes());
      AppendSpad(w, pos_, kFormatLogicalBlock);
      SetPending(std::move(w.bytes()), false);
      phase_ = Phase::kEotm;
      return Status::Ok();
    }
    case Phase::kEotm: {
      h.type = kTagEotm;
      ByteWriter b;
      b.U64(0);
      w.bytes() = BuildDescriptor(h, b.bytes());
      AppendSpad(w, pos_, std::max<uint64_t>(info_.block_size, kFormatLogicalBlock));
      SetPending(std::move(w.bytes()), false);
      phase_ = Phase::kDone;
      return Status::Ok();
    }
    case Phase::kRunData:
    case Phase::kDone:
      break;
  }
  return Status::Ok();
}

void DeviceStream::FinishPage(uint64_t sum) {
  page_sums_.push_back(sum);
  device_hash_.UpdateU64(sum);
  ++pages_;
  const BackupRun& r = runs_[run_idx_];
  uint64_t end = page_start_ + page_len_;
  uint64_t run_end = r.offset + r.length;
  page_start_ = end;
  page_len_ = std::min<uint64_t>(kPageSize, run_end - end);
  page_filled_ = 0;
}

void DeviceStream::ConsumeData(const uint8_t* p, size_t len) {
  if (page_filled_ == 0 && len >= kParallelHashMinPages * kPageSize) {
    // Many whole pages at once: checksum them in parallel, then account for them in order.
    const uint64_t run_end = runs_[run_idx_].offset + runs_[run_idx_].length;
    const uint64_t avail = std::min<uint64_t>(len, run_end - page_start_);
    size_t count = static_cast<size_t>(avail / kPageSize);
    size_t last_len = kPageSize;
    if (page_start_ + avail == run_end && avail % kPageSize != 0) {
      ++count;
      last_len = static_cast<size_t>(avail % kPageSize);
    }
    sums_scratch_.resize(count);
    HashPages(p, count, kPageSize, last_len, kPageChecksumSeed, sums_scratch_.data());
    const size_t consumed = (count - 1) * kPageSize + last_len;
    for (uint64_t sum : sums_scratch_) FinishPage(sum);
    p += consumed;
    len -= consumed;
  }
  while (len > 0) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(len, page_len_ - page_filled_));
    if (page_filled_ == 0 && take == page_len_) {  // a whole page at once: one-shot hash
      p += take;
      len -= take;
      FinishPage(ComputeChecksum64(p - take, take, kPageChecksumSeed));
      continue;
    }
    if (page_filled_ == 0) page_hash_.Reset(kPageChecksumSeed);
    page_hash_.Update(p, take);
    page_filled_ += take;
    p += take;
    len -= take;
    if (page_filled_ == page_len_) FinishPage(page_hash_.Digest());
  }
}

Result<size_t> DeviceStream::ReadDirect(uint32_t file, uint64_t offset, uint8_t* dst, size_t want) {
  const std::string& f = info_.files[file].physical_name;
  const bool hit = bounce_ && bounce_file_ == file && offset >= bounce_off_ &&
                   offset < bounce_off_ + bounce_len_;
  if (!hit) {
    if (!bounce_) {
      bounce_ = std::make_unique<AlignedBuffer>(kDirectBounceSize, kDirectIoAlignment);
      if (!bounce_->data) return Status::Failed("backup read " + f + ": out of memory");
    }
    const uint64_t start = offset / kDirectIoAlignment * kDirectIoAlignment;
    bounce_len_ = 0;
    for (;;) {
      ssize_t got = ::pread(src_->direct_fds[file].get(), bounce_->data, bounce_->size,
                            static_cast<off_t>(start));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status::FromErrno(ErrorCode::kFailed, "backup read " + f, errno);
      bounce_file_ = file;
      bounce_off_ = start;
      bounce_len_ = static_cast<size_t>(got);
      break;
    }
    if (offset >= bounce_off_ + bounce_len_) return size_t{0};  // end of file
  }
  const size_t take =
      static_cast<size_t>(std::min<uint64_t>(want, bounce_off_ + bounce_len_ - offset));
  std::memcpy(dst, bounce_->data + (offset - bounce_off_), take);
  return take;
}

Result<size_t> DeviceStream::Fill(uint8_t* buf, size_t capacity) {
  if (!error_.ok()) return error_;
  size_t n = 0;
  while (n < capacity) {
    if (pend_pos_ < pend_.size()) {
      size_t take = std::min(capacity - n, pend_.size() - pend_pos_);
      std::memcpy(buf + n, pend_.data() + pend_pos_, take);
      pend_pos_ += take;
      n += take;
      pos_ += take;
      continue;
    }
    if (phase_ == Phase::kRunData) {
      const BackupRun& r = runs_[run_idx_];
      size_t want = static_cast<size_t>(std::min<uint64_t>(capacity - n, r.length - run_done_));
      const bool direct =
          r.file_index < src_->direct_fds.size() && src_->direct_fds[r.file_index].get() >= 0;
      ssize_t got;
      if (direct) {
        Result<size_t> d = ReadDirect(r.file_index, r.offset + run_done_, buf + n, want);
        if (!d.ok()) {
          error_ = d.status();
          return error_;
        }
        got = static_cast<ssize_t>(*d);
      } else {
        got = ::pread(src_->fds[r.file_index].get(), buf + n, want,
                      static_cast<off_t>(r.offset + run_done_));
      }
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        const std::string& f = info_.files[r.file_index].physical_name;
        error_ = got < 0 ? Status::FromErrno(ErrorCode::kFailed, "backup read " + f, errno)
                         : Status::Failed("backup read " + f + ": file shrank during backup");
        return error_;
      }
      if (info_.has_checksums) ConsumeData(buf + n, static_cast<size_t>(got));
      run_done_ += static_cast<uint64_t>(got);
      data_bytes_ += static_cast<uint64_t>(got);
      n += static_cast<size_t>(got);
      pos_ += static_cast<uint64_t>(got);
      if (run_done_ == r.length) phase_ = Phase::kRunEnd;
      continue;
    }
    if (phase_ == Phase::kDone) break;
    Status s = Advance();
    if (!s.ok()) {
      error_ = s;
      return s;
    }
  }
  return n;
}

}  // namespace vdibk::emulator
