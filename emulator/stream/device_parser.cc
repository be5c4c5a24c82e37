// DeviceParser implementation: a byte-driven state machine mirroring DeviceStream's layout.
#include "emulator/stream/device_parser.h"

#include <algorithm>
#include <cstring>

#include "emulator/base/sql_error.h"
#include "shared/base/little_endian.h"

namespace vdibk::emulator {

DeviceParser::DeviceParser(uint32_t device, std::string device_name, ParserSink* sink)
    : device_(device), device_name_(std::move(device_name)), sink_(sink) {
  need_ = kDblkHeaderSize;
}

Status DeviceParser::Corrupt(const std::string& detail) const {
  return SqlErrorStatus(3241,
                        "The media family on device '" + device_name_ +
                            "' is incorrectly formed. SQL Server cannot process this media family.",
                        ErrorCode::kIntegrity)
      .WithContext(device_name_ + " at byte " + std::to_string(pos_) + ": " + detail);
}

Status DeviceParser::CheckComplete() const {
  if (!error_.ok()) return error_;
  if (complete()) return Status::Ok();
  return SqlErrorStatus(3203,
                        "Read on \"" + device_name_ + "\" failed: 38(Reached the end of the file.)",
                        ErrorCode::kIntegrity)
      .WithContext(device_name_ + ": stream ends at byte " + std::to_string(pos_));
}

bool DeviceParser::Need(const uint8_t*& p, size_t& len, size_t n) {
  if (acc_.size() < n) {
    size_t take = std::min(len, n - acc_.size());
    acc_.insert(acc_.end(), p, p + take);
    p += take;
    len -= take;
    pos_ += take;
  }
  return acc_.size() == n;
}

Status DeviceParser::Consume(const uint8_t* data, size_t len) {
  if (!error_.ok()) return error_;
  while (len > 0) {
    Status s = Step(data, len);
    if (!s.ok()) {
      error_ = s;
      return s;
    }
  }
  return Status::Ok();
}

Status DeviceParser::Step(const uint8_t*& p, size_t& len) {
  switch (state_) {
    case State::kEnd:
      return Corrupt("data after the end of the media family");
    case State::kDblkHead: {
      if (!Need(p, len, kDblkHeaderSize)) return Status::Ok();
      if ((pos_ - kDblkHeaderSize) % kFormatLogicalBlock != 0) return Corrupt("DBLK misaligned");
      DblkHeader h;
      Status s = DecodeDblkHeader(acc_.data(), &h);
      if (!s.ok()) return Corrupt(s.message());
      need_ = h.first_event_offset;
      state_ = State::kDblkBody;
      return Status::Ok();
    }
    case State::kDblkBody: {
      if (!Need(p, len, need_)) return Status::Ok();
      Status s = OnDescriptor();
      acc_.clear();
      return s;
    }
    case State::kStreamHead: {
      if (!Need(p, len, kStreamHeaderSize)) return Status::Ok();
      StreamHeader h;
      Status s = DecodeStreamHeader(acc_.data(), &h);
      if (!s.ok()) return Corrupt(s.message());
      HashItem(acc_.data(), acc_.size());
      acc_.clear();
      return OnStreamHeader(h);
    }
    case State::kCollect: {
      if (!Need(p, len, need_)) return Status::Ok();
      HashItem(acc_.data(), acc_.size());
      Status s = OnCollected();
      acc_.clear();
      return s;
    }
    case State::kRunHead: {
      if (!Need(p, len, kRunHeaderSize)) return Status::Ok();
      HashItem(acc_.data(), acc_.size());
      Status s = DecodeRunHeader(acc_.data(), &run_);
      acc_.clear();
      if (!s.ok()) return Corrupt(s.message());
      if (run_.file_offset % kPageSize != 0) return Corrupt("run not page aligned");
      run_done_ = 0;
      page_len_ = std::min<uint64_t>(kPageSize, run_.length);
      page_filled_ = 0;
      page_sums_.clear();
      state_ = State::kRunData;
      if (run_.length == 0) {
        need_ = 0;
        collect_id_ = 0;
        state_ = State::kCollect;  // zero-length: go straight to the pad/CSUM handling
        return OnCollected();
      }
      return Status::Ok();
    }
    case State::kRunData: {
      size_t take = static_cast<size_t>(std::min<uint64_t>(len, run_.length - run_done_));
      VDIBK_RETURN_IF_ERROR(sink_->OnRunData(device_, run_, run_log_, run_done_, p, take));
      // Pages are hashed only when the backup has checksums to compare them with.
      for (size_t off = 0; info_.has_checksums && off < take;) {
        size_t t = static_cast<size_t>(std::min<uint64_t>(take - off, page_len_ - page_filled_));
        if (page_filled_ == 0 && t == page_len_) {  // a whole page at once: one-shot hash
          off += t;
          FinishPage(ComputeChecksum64(p + off - t, t, kPageChecksumSeed));
          continue;
        }
        if (page_filled_ == 0) page_hash_.Reset(kPageChecksumSeed);
        page_hash_.Update(p + off, t);
        page_filled_ += t;
        off += t;
        if (page_filled_ == page_len_) FinishPage(page_hash_.Digest());
      }
      p += take;
      len -= take;
      pos_ += take;
      run_done_ += take;
      data_bytes_ += take;
      if (run_done_ == run_.length) {
        need_ = Pad4(run_.length);
        collect_id_ = 0;  // run pad
        state_ = State::kCollect;
        if (need_ == 0) return OnCollected();
      }
      return Status::Ok();
    }
    case State::kPad: {
      size_t take = static_cast<size_t>(std::min<uint64_t>(len, pad_left_));
      for (size_t i = 0; i < take; ++i) {
        if (p[i] != 0) return Corrupt("non-zero padding");
      }
      HashItem(p, take);
      p += take;
      len -= take;
      pos_ += take;
      pad_left_ -= take;
      if (pad_left_ == 0) {
        if (last_dblk_ == kTagEotm) {
          if (tape_block_size_ == 0 || pos_ % tape_block_size_ != 0) {
            return Corrupt("stream length is not a multiple of the block size");
          }
          state_ = State::kEnd;
        } else {
          need_ = kDblkHeaderSize;
          state_ = State::kDblkHead;
        }
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void DeviceParser::FinishPage(uint64_t sum) {
  page_sums_.push_back(sum);
  hash_.UpdateU64(sum);
  ++pages_;
  uint64_t done = (page_sums_.size()) * kPageSize;
  page_len_ = done >= run_.length ? 0 : std::min<uint64_t>(kPageSize, run_.length - done);
  page_filled_ = 0;
}

Status DeviceParser::OnDescriptor() {
  DblkHeader h;
  VDIBK_RETURN_IF_ERROR(DecodeDblkHeader(acc_.data(), &h));
  const uint8_t* body;
  size_t body_len;
  Status s = CheckDescriptor(acc_.data(), acc_.size(), &body, &body_len);
  if (!s.ok()) return Corrupt(s.message());
  // Expected order: TAPE SSET VOLB MSDA ESET EOTM.
  static constexpr uint32_t kOrder[] = {kTagTape, kTagSset, kTagVolb, kTagMsda, kTagEset, kTagEotm};
  size_t at = 0;
  if (last_dblk_ != 0) {
    while (at < 6 && kOrder[at] != last_dblk_) ++at;
    ++at;
  }
  if (at >= 6 || h.type != kOrder[at]) return Corrupt("unexpected block " + TagName(h.type));
  if (h.format_logical_address != (pos_ - acc_.size()) / kFormatLogicalBlock) {
    return Corrupt("wrong format logical address");
  }
  if (h.type == kTagEset) {
    seen_eset_ = true;
    ByteReader r(body, body_len);
    r.U32();
    uint64_t pages = r.U64(), bytes = r.U64(), sum = r.U64();
    uint32_t flags = r.U32();
    if (!r.ok() || pages != pages_ || bytes != data_bytes_) return Corrupt("ESET counts");
    if ((flags & 1) != (info_.has_checksums ? 1u : 0u)) return Corrupt("ESET flags");
    if (info_.has_checksums && sum != hash_.Digest()) {
      return Corrupt("backup checksum mismatch");
    }
  }
  HashItem(acc_.data(), acc_.size());
  if (h.type == kTagTape) {
    if (body_len < 70) return Corrupt("TAPE too short");
    std::memcpy(tape_guid_.bytes.data(), body + 42, 16);
    tape_family_index_ = LoadLe<uint32_t>(body + 58);
    tape_family_count_ = LoadLe<uint32_t>(body + 62);
    tape_block_size_ = LoadLe<uint32_t>(body + 66);
    if (tape_block_size_ < 512 || tape_block_size_ > 65536 ||
        (tape_block_size_ & (tape_block_size_ - 1)) != 0) {
      return Corrupt("bad block size");
    }
  }
  if (h.type == kTagSset) {
    if (body_len < 70) return Corrupt("SSET too short");
    Guid g;
    std::memcpy(g.bytes.data(), body + 46, 16);
    if (!(g == tape_guid_) || LoadLe<uint32_t>(body + 62) != tape_family_index_ ||
        LoadLe<uint32_t>(body + 66) != tape_family_count_) {
      return Corrupt("SSET does not match TAPE");
    }
  }
  if (h.type == kTagEset && !has_info_) return Corrupt("no backup set info");
  last_dblk_ = h.type;
  state_ = State::kStreamHead;
  return Status::Ok();
}

Status DeviceParser::OnStreamHeader(const StreamHeader& h) {
  if (expect_csum_ && h.id != kStreamCsum) return Corrupt("missing page checksums");
  if (h.id == kStreamSpad) {
    if (h.length >= (uint64_t{1} << 20)) return Corrupt("SPAD too long");
    pad_left_ = h.length;
    state_ = State::kPad;
    if (pad_left_ == 0) {
      const uint8_t* none = nullptr;
      size_t zero = 0;
      return Step(none, zero);
    }
    return Status::Ok();
  }
  if (h.id == kStreamInfo && last_dblk_ == kTagSset && !has_info_) {
    if (h.length > (uint64_t{64} << 20)) return Corrupt("info stream too long");
    need_ = h.length + Pad4(h.length);
    collect_id_ = kStreamInfo;
    info_.files.clear();
    acc_.reserve(need_);
    pad_left_ = h.length;  // remembered: the payload length inside acc_
    state_ = State::kCollect;
    return Status::Ok();
  }
  if ((h.id == kStreamData || h.id == kStreamLog) && last_dblk_ == kTagMsda) {
    if (h.length < kRunHeaderSize) return Corrupt("run stream too short");
    run_log_ = h.id == kStreamLog;
    need_ = kRunHeaderSize;
    state_ = State::kRunHead;
    pad_left_ = h.length - kRunHeaderSize;  // checked against the run header
    return Status::Ok();
  }
  if (h.id == kStreamCsum && expect_csum_) {
    if (h.length != page_sums_.size() * 8) return Corrupt("CSUM length");
    expect_csum_ = false;
    need_ = h.length;
    collect_id_ = kStreamCsum;
    state_ = State::kCollect;
    if (need_ == 0) {
      state_ = State::kStreamHead;
    }
    return Status::Ok();
  }
  return Corrupt("unexpected stream " + TagName(h.id));
}

Status DeviceParser::OnCollected() {
  if (collect_id_ == kStreamInfo) {
    uint64_t payload = pad_left_;
    for (size_t i = payload; i < acc_.size(); ++i) {
      if (acc_[i] != 0) return Corrupt("non-zero stream pad");
    }
    Result<BackupSetInfo> info = BackupSetInfo::Parse(acc_.data(), payload);
    if (!info.ok()) return Corrupt(info.status().message());
    info_ = std::move(info).value();
    if (!(info_.set_guid == tape_guid_) || info_.family_index != tape_family_index_ ||
        info_.family_count != tape_family_count_ || info_.block_size != tape_block_size_) {
      return Corrupt("backup set info does not match TAPE");
    }
    has_info_ = true;
    state_ = State::kStreamHead;
    return sink_->OnSetInfo(device_, info_);
  }
  if (collect_id_ == kStreamCsum) {
    for (size_t i = 0; i < page_sums_.size(); ++i) {
      if (LoadLe<uint64_t>(acc_.data() + 8 * i) != page_sums_[i]) {
        uint64_t page = run_.file_offset / kPageSize + i;
        return SqlErrorStatus(3183,
                              "RESTORE detected an error on page (" + std::to_string(run_.file_id) +
                                  ":" + std::to_string(page) + ") in database \"" +
                                  info_.database_name + "\" as read from the backup set.",
                              ErrorCode::kIntegrity);
      }
    }
    state_ = State::kStreamHead;
    return Status::Ok();
  }
  // End of a run's data (+ its pad).
  if (pad_left_ != run_.length) return Corrupt("run length mismatch");
  for (uint8_t b : acc_) {
    if (b != 0) return Corrupt("non-zero stream pad");
  }
  if (!info_.has_checksums) pages_ += RunPageCount(run_.length);
  const uint64_t counted = info_.has_checksums ? page_sums_.size() : RunPageCount(run_.length);
  if (counted != run_.page_count) return Corrupt("run page count");
  expect_csum_ = info_.has_checksums;
  state_ = State::kStreamHead;
  return Status::Ok();
}

}  // namespace vdibk::emulator
