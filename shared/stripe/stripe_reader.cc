// StripeReader: header/trailer validation, then a pull decoder (LZ4F) over the frame region with
// index cross-checks; every length read from the file is bounds-checked before use.
#include "shared/stripe/stripe_reader.h"

#include <lz4frame.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "shared/stripe/digest.h"

namespace vdibk::stripe {
namespace {

constexpr size_t kInputBuffer = 256u << 10;
constexpr size_t kDecodeSlice = 256u << 10;

uint32_t LoadLe32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

Status ReadExactly(ReadableFile& f, uint64_t off, std::vector<uint8_t>* out, size_t n) {
  out->resize(n);
  VDIBK_ASSIGN_OR_RETURN(size_t got, f.ReadAt(off, out->data(), n));
  if (got != n) return Status::Integrity("short read at offset " + std::to_string(off));
  return Status::Ok();
}

Status CheckIndex(const StripeTrailer& t, uint64_t header_end, uint64_t trailer_start) {
  if (t.compressed_bytes != trailer_start - header_end) {
    return Status::Integrity("trailer: compressed byte count " +
                             std::to_string(t.compressed_bytes) + " does not match the file (" +
                             std::to_string(trailer_start - header_end) + ")");
  }
  if ((t.raw_bytes == 0) != t.frames.empty())
    return Status::Integrity("trailer: index/size disagree");
  for (size_t i = 0; i < t.frames.size(); ++i) {
    const auto& f = t.frames[i];
    bool ok = f.raw_offset < t.raw_bytes && f.file_offset < trailer_start;
    if (i == 0) {
      ok = ok && f.raw_offset == 0 && f.file_offset == header_end;
    } else {
      ok = ok && f.raw_offset > t.frames[i - 1].raw_offset &&
           f.file_offset > t.frames[i - 1].file_offset;
    }
    if (!ok)
      return Status::Integrity("trailer: frame index entry " + std::to_string(i) + " invalid");
  }
  for (const auto& m : t.marks) {
    if (m.raw_offset > t.raw_bytes) return Status::Integrity("trailer: mark beyond end of data");
  }
  return Status::Ok();
}

}  // namespace

struct StripeReader::State {
  std::unique_ptr<ReadableFile> file;
  StripeHeader header;
  StripeTrailer trailer;
  uint64_t header_end = 0;
  uint64_t region_end = 0;  // = trailer start
  LZ4F_dctx* dctx = nullptr;
  // The current frame's content checksum, computed here (libxxhash's XXH32 is ~7x faster than
  // the copy inside Debian's liblz4 1.9.4, which is told to skip it).
  XXH32_state_t* frame_sum = nullptr;
  bool own_sum = true;  // this frame's content checksum is ours to check (not LZ4F's)
  Digest64 digest;
  std::vector<uint8_t> in;
  size_t in_pos = 0, in_len = 0;
  uint64_t next_read = 0;  // file offset of in[in_len]
  bool in_frame = false;
  size_t frame_no = 0;       // index entry of the next frame to start
  uint64_t frame_start = 0;  // file offset of the current (or last) LZ4 frame
  uint64_t raw_pos = 0;
  bool sequential = true;  // read from 0 without Seek: the stream digest can be checked
  bool done = false;       // end-of-stream checks passed
  Status error;

  ~State() {
    if (dctx) LZ4F_freeDecompressionContext(dctx);
    if (frame_sum) XXH32_freeState(frame_sum);
  }

  // At the end of a frame (its last 4 bytes, just consumed, are the content checksum).
  Status CheckFrameSum() {
    uint8_t stored[4];
    VDIBK_ASSIGN_OR_RETURN(size_t got, file->ReadAt(consumed() - 4, stored, sizeof stored));
    if (got != sizeof stored) return Corrupt("file shrank while reading");
    const uint32_t want = LoadLe32(stored), have = XXH32_digest(frame_sum);
    if (want != have) {
      return Corrupt("lz4 frame " + std::to_string(frame_no - 1) + " (starting at file offset " +
                     std::to_string(frame_start) + "): content checksum mismatch");
    }
    return Status::Ok();
  }

  uint64_t consumed() const { return next_read - (in_len - in_pos); }
  size_t avail() const { return in_len - in_pos; }

  Status Fail(Status s) {
    if (error.ok()) error = s.WithContext("stripe " + file->name());
    return error;
  }
  Status Corrupt(const std::string& what) {
    return Status::Integrity(what + " at file offset " + std::to_string(consumed()));
  }

  // Ensures min(want, bytes left in the frame region) bytes are buffered.
  Status Fill(size_t want) {
    want = static_cast<size_t>(std::min<uint64_t>(want, region_end - consumed()));
    if (avail() >= want) return Status::Ok();
    std::memmove(in.data(), in.data() + in_pos, avail());
    in_len = avail();
    in_pos = 0;
    size_t n = static_cast<size_t>(std::min<uint64_t>(in.size() - in_len, region_end - next_read));
    VDIBK_ASSIGN_OR_RETURN(size_t got, file->ReadAt(next_read, in.data() + in_len, n));
    if (got != n) return Corrupt("file shrank while reading");
    in_len += got;
    next_read += got;
    return Status::Ok();
  }

  void SkipBytes(uint64_t n) {
    if (n <= avail()) {
      in_pos += static_cast<size_t>(n);
    } else {
      next_read = consumed() + n;
      in_pos = in_len = 0;
    }
  }

  // At a frame boundary: skips skippable frames, or starts the next LZ4 frame.
  Status StartFrame() {
    VDIBK_RETURN_IF_ERROR(Fill(8));
    if (avail() < 4) return Corrupt("stray bytes after the last frame");
    uint32_t magic = LoadLe32(&in[in_pos]);
    if ((magic & kSkippableMagicMask) == kSkippableMagicBase) {
      if (avail() < 8) return Corrupt("truncated skippable frame");
      uint64_t size = LoadLe32(&in[in_pos + 4]);
      if (consumed() + 8 + size > region_end)
        return Corrupt("skippable frame overruns the trailer");
      SkipBytes(8 + size);
      return Status::Ok();
    }
    if (magic != kLz4FrameMagic) return Corrupt("bad frame magic");
    if (frame_no >= trailer.frames.size() ||
        !(trailer.frames[frame_no] == FrameIndexEntry{raw_pos, consumed()})) {
      return Corrupt("frame " + std::to_string(frame_no) + " (raw offset " +
                     std::to_string(raw_pos) + ") not in the trailer index");
    }
    VDIBK_RETURN_IF_ERROR(Fill(LZ4F_HEADER_SIZE_MAX));
    LZ4F_frameInfo_t info{};
    size_t src = avail();
    size_t rc = LZ4F_getFrameInfo(dctx, &info, &in[in_pos], &src);
    if (LZ4F_isError(rc))
      return Corrupt(std::string("bad lz4 frame header: ") + LZ4F_getErrorName(rc));
    // Format 2 writers set no block checksums; LZ4F checks them if a frame has them anyway.
    if (info.contentChecksumFlag != LZ4F_contentChecksumEnabled) {
      return Corrupt("lz4 frame without a content checksum");
    }
    frame_start = consumed();
    in_pos += src;
    in_frame = true;
    // Frames with block checksums (not written by format 2, accepted) are checked by LZ4F.
    own_sum = info.blockChecksumFlag == LZ4F_noBlockChecksum;
    XXH32_reset(frame_sum, 0);
    ++frame_no;
    return Status::Ok();
  }

  Status FinishChecks() {
    if (done) return Status::Ok();
    if (frame_no != trailer.frames.size()) return Corrupt("fewer frames than the trailer index");
    if (raw_pos != trailer.raw_bytes) {
      return Corrupt("raw size " + std::to_string(raw_pos) + " != trailer " +
                     std::to_string(trailer.raw_bytes));
    }
    if (sequential && digest.Value() != trailer.raw_xxh64) {
      return Status::Integrity("raw stream digest mismatch (trailer " +
                               DigestHex(trailer.raw_xxh64) + ", data " +
                               DigestHex(digest.Value()) + ")");
    }
    done = true;
    return Status::Ok();
  }

  Result<size_t> Read(uint8_t* dst, size_t size) {
    size_t filled = 0;
    while (filled < size) {
      if (!in_frame) {
        if (consumed() == region_end) break;
        VDIBK_RETURN_IF_ERROR(StartFrame());
        continue;
      }
      if (avail() == 0) {
        VDIBK_RETURN_IF_ERROR(Fill(in.size()));
        if (avail() == 0) return Corrupt("truncated lz4 frame");
      }
      // At most a slice per call: the content checksum and the digest then read the decoded
      // bytes while they are still in L2.
      size_t dst_size = std::min(size - filled, kDecodeSlice), src_size = avail();
      LZ4F_decompressOptions_t opts{};
      opts.skipChecksums = own_sum ? 1 : 0;  // then the content checksum is CheckFrameSum's
      size_t rc = LZ4F_decompress(dctx, dst + filled, &dst_size, &in[in_pos], &src_size, &opts);
      if (LZ4F_isError(rc)) {
        // Without block checksums damage may only show at the frame's content checksum: name
        // the frame's start too, so the damage is located to one frame at worst.
        return Corrupt("lz4 frame " + std::to_string(frame_no - 1) + " (starting at file offset " +
                       std::to_string(frame_start) + "): " + LZ4F_getErrorName(rc));
      }
      in_pos += src_size;
      if (own_sum) XXH32_update(frame_sum, dst + filled, dst_size);
      if (sequential) digest.Update(dst + filled, dst_size);
      filled += dst_size;
      raw_pos += dst_size;
      if (raw_pos > trailer.raw_bytes) return Corrupt("more data than the trailer records");
      if (rc == 0) {
        in_frame = false;
        if (own_sum) VDIBK_RETURN_IF_ERROR(CheckFrameSum());
      }
    }
    if (!in_frame && consumed() == region_end) VDIBK_RETURN_IF_ERROR(FinishChecks());
    return filled;
  }
};

StripeReader::StripeReader(std::unique_ptr<State> state) : s_(std::move(state)) {}
StripeReader::StripeReader(StripeReader&&) noexcept = default;
StripeReader& StripeReader::operator=(StripeReader&&) noexcept = default;
StripeReader::~StripeReader() = default;

Result<StripeReader> StripeReader::Open(Target& target, const std::string& name,
                                        const StripeExpectation& expect) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, target.Open(name));
  return Open(std::move(file), expect);
}

Result<StripeReader> StripeReader::Open(std::unique_ptr<ReadableFile> file,
                                        const StripeExpectation& expect) {
  auto s = std::make_unique<State>();
  s->file = std::move(file);
  const std::string ctx = "stripe " + s->file->name();
  auto fail = [&](const Status& st) { return st.WithContext(ctx); };

  VDIBK_ASSIGN_OR_RETURN(uint64_t size, s->file->Size());
  std::vector<uint8_t> buf;
  if (size < kSkippableHeaderBytes) return fail(Status::Integrity("file too short to be a stripe"));
  if (Status st = ReadExactly(*s->file, 0, &buf, kSkippableHeaderBytes); !st.ok()) return fail(st);
  Result<size_t> hsize = PeekHeaderFrameSize(buf);
  if (!hsize.ok()) return fail(hsize.status());
  if (*hsize > size) return fail(Status::Integrity("file truncated inside the header"));
  if (Status st = ReadExactly(*s->file, 0, &buf, *hsize); !st.ok()) return fail(st);
  Result<StripeHeader> header = DecodeHeaderFrame(buf, nullptr);
  if (!header.ok()) return fail(header.status());
  s->header = std::move(header).value();
  s->header_end = *hsize;

  const StripeHeader& h = s->header;
  if (expect.set_id && *expect.set_id != h.set_id) {
    return fail(Status::Missing("belongs to another backup set (set id mismatch)"));
  }
  if (expect.device_index && *expect.device_index != h.device_index) {
    return fail(Status::Missing("is device " + std::to_string(h.device_index) + ", expected " +
                                std::to_string(*expect.device_index)));
  }
  if (expect.device_count && *expect.device_count != h.device_count) {
    return fail(Status::Missing("is from a set of " + std::to_string(h.device_count) +
                                " devices, expected " + std::to_string(*expect.device_count)));
  }

  if (size < s->header_end + kSkippableHeaderBytes + kTrailerFooterBytes) {
    return fail(Status::Integrity("stripe has no trailer (truncated or never finalized)"));
  }
  if (Status st = ReadExactly(*s->file, size - kTrailerFooterBytes, &buf, kTrailerFooterBytes);
      !st.ok()) {
    return fail(st);
  }
  Result<size_t> tsize = PeekTrailerFrameSize(buf);
  if (!tsize.ok()) return fail(tsize.status());
  if (*tsize > size - s->header_end) return fail(Status::Integrity("trailer larger than the file"));
  s->region_end = size - *tsize;
  if (Status st = ReadExactly(*s->file, s->region_end, &buf, *tsize); !st.ok()) return fail(st);
  Result<StripeTrailer> trailer = DecodeTrailerFrame(buf);
  if (!trailer.ok()) return fail(trailer.status());
  s->trailer = std::move(trailer).value();
  if (Status st = CheckIndex(s->trailer, s->header_end, s->region_end); !st.ok()) return fail(st);

  s->frame_sum = XXH32_createState();
  if (!s->frame_sum) return fail(Status::Failed("out of memory (xxh32 state)"));
  size_t rc = LZ4F_createDecompressionContext(&s->dctx, LZ4F_VERSION);
  if (LZ4F_isError(rc)) return fail(Status::Failed("lz4 decompression context"));
  s->in.resize(kInputBuffer);
  s->next_read = s->header_end;
  return StripeReader(std::move(s));
}

const StripeHeader& StripeReader::header() const { return s_->header; }
const StripeTrailer& StripeReader::trailer() const { return s_->trailer; }
uint64_t StripeReader::position() const { return s_->raw_pos; }

Result<size_t> StripeReader::Read(void* dst, size_t size) {
  if (!s_->error.ok()) return s_->error;
  Result<size_t> r = s_->Read(static_cast<uint8_t*>(dst), size);
  if (!r.ok()) return s_->Fail(r.status());
  return r;
}

Status StripeReader::Seek(uint64_t raw) {
  if (!s_->error.ok()) return s_->error;
  const auto& frames = s_->trailer.frames;
  if (raw > s_->trailer.raw_bytes) {
    return Status::Usage("seek to " + std::to_string(raw) + " beyond end " +
                         std::to_string(s_->trailer.raw_bytes));
  }
  LZ4F_resetDecompressionContext(s_->dctx);
  s_->in_pos = s_->in_len = 0;
  s_->in_frame = false;
  s_->sequential = false;
  s_->done = false;
  if (frames.empty()) {
    s_->next_read = s_->region_end;
    s_->raw_pos = 0;
    s_->frame_no = 0;
    return Status::Ok();
  }
  auto it = std::upper_bound(frames.begin(), frames.end(), raw,
                             [](uint64_t v, const FrameIndexEntry& e) { return v < e.raw_offset; });
  size_t i = static_cast<size_t>(it - frames.begin()) - 1;
  s_->frame_no = i;
  s_->raw_pos = frames[i].raw_offset;
  s_->next_read = frames[i].file_offset;
  std::vector<uint8_t> scratch(64u << 10);
  uint64_t skip = raw - s_->raw_pos;
  while (skip > 0) {
    VDIBK_ASSIGN_OR_RETURN(size_t n,
                           Read(scratch.data(), std::min<uint64_t>(skip, scratch.size())));
    if (n == 0) return s_->Fail(Status::Integrity("stream ended before the seek target"));
    skip -= n;
  }
  return Status::Ok();
}

Status StripeReader::VerifyRest() {
  std::vector<uint8_t> scratch(1u << 20);
  while (true) {
    VDIBK_ASSIGN_OR_RETURN(size_t n, Read(scratch.data(), scratch.size()));
    if (n == 0) return Status::Ok();
  }
}

}  // namespace vdibk::stripe
