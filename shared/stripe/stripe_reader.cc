// StripeReader: header/trailer validation, then our own pull decoder of the LZ4 frames (liblz4
// decodes each block, libxxhash checks it) with index cross-checks; every length read from the
// file is bounds-checked before use.
#include "shared/stripe/stripe_reader.h"

#include <lz4.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "shared/base/little_endian.h"
#include "shared/stripe/digest.h"

namespace vdibk::stripe {
namespace {

constexpr size_t kInputBuffer = 256u << 10;  // grows to a whole block plus its words
constexpr size_t kLz4FrameHeaderMax = 19;    // magic, FLG, BD, content size, dict id, HC

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
  // The current frame (docs/format.md §4): its flags, block size and, where it has one, its
  // content checksum (computed here by libxxhash).
  uint32_t block_max = 0;
  bool block_sums = false;
  bool content_sum = false;       // the frame ends with a content checksum
  bool check_content = false;     // ... and this reader checks it
  bool content_checks_on = true;  // set_content_checksums
  bool has_content_size = false;
  uint64_t content_size = 0;
  uint64_t frame_raw_start = 0;
  XXH32_state_t* frame_sum = nullptr;
  Digest64 digest;
  std::vector<uint8_t> in;
  size_t in_pos = 0, in_len = 0;
  uint64_t next_read = 0;  // file offset of in[in_len]
  // A decoded block that did not fit the caller's buffer: served from here first.
  std::vector<uint8_t> spill;
  size_t spill_pos = 0, spill_len = 0;
  bool in_frame = false;
  size_t frame_no = 0;       // index entry of the next frame to start
  uint64_t frame_start = 0;  // file offset of the current (or last) LZ4 frame
  uint64_t raw_pos = 0;      // raw offset of the next byte handed out
  uint64_t decoded = 0;      // raw offset of the next byte decoded (>= raw_pos by the spill)
  bool sequential = true;    // read from 0 without Seek: the stream digest can be checked
  bool done = false;         // end-of-stream checks passed
  Status error;

  ~State() {
    if (frame_sum) XXH32_freeState(frame_sum);
  }

  uint64_t consumed() const { return next_read - (in_len - in_pos); }
  size_t avail() const { return in_len - in_pos; }
  size_t spilled() const { return spill_len - spill_pos; }

  Status Fail(Status s) {
    if (error.ok()) error = s.WithContext("stripe " + file->name());
    return error;
  }
  Status Corrupt(const std::string& what) {
    return Status::Integrity(what + " at file offset " + std::to_string(consumed()));
  }
  // Damage inside the current frame: names the frame and where it starts, so that damage the
  // decoder only notices later is still located to one frame.
  Status FrameCorrupt(const std::string& what) {
    return Corrupt("lz4 frame " + std::to_string(frame_no - 1) + " (starting at file offset " +
                   std::to_string(frame_start) + "): " + what);
  }

  // Ensures min(want, bytes left in the frame region) bytes are buffered; `in` holds >= want.
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

  // The frame descriptor at in[in_pos] (magic already checked): FLG, BD, optional content size,
  // header checksum, and the checksums the stripe's format version and compression require.
  Status ParseFrameHeader() {
    VDIBK_RETURN_IF_ERROR(Fill(kLz4FrameHeaderMax));
    if (avail() < 7) return Corrupt("truncated lz4 frame header");
    const uint8_t* d = &in[in_pos + 4];
    const uint8_t flg = d[0], bd = d[1];
    if ((flg >> 6) != (kLz4FlgVersion >> 6)) {
      return Corrupt("lz4 frame version " + std::to_string(flg >> 6));
    }
    if ((flg & 0x02) || (bd & 0x8F)) return Corrupt("lz4 frame header: reserved bits set");
    if (flg & kLz4FlgDictionaryId) return Corrupt("lz4 frame with a dictionary id (never written)");
    if (!(flg & kLz4FlgIndependentBlocks)) {
      return Corrupt("lz4 frame with linked blocks (never written)");
    }
    const int id = (bd >> 4) & 0x07;
    if (id < 4) return Corrupt("lz4 frame: bad block size id " + std::to_string(id));
    has_content_size = (flg & kLz4FlgContentSize) != 0;
    const size_t desc = 2 + (has_content_size ? 8 : 0);
    if (avail() < 4 + desc + 1) return Corrupt("truncated lz4 frame header");
    if (Lz4HeaderChecksum(std::span<const uint8_t>(d, desc)) != d[desc]) {
      return Corrupt("lz4 frame header checksum mismatch");
    }
    content_size = has_content_size ? LoadLe<uint64_t>(d + 2) : 0;
    block_max = 1u << (8 + 2 * id);
    block_sums = (flg & kLz4FlgBlockChecksum) != 0;
    content_sum = (flg & kLz4FlgContentChecksum) != 0;
    // Format 3 lz4 stripes have block checksums; every other stripe a content checksum.
    if (header.format_version >= 3 && header.compression == Compression::kLz4) {
      if (!block_sums) return Corrupt("lz4 frame without block checksums");
    } else if (!content_sum) {
      return Corrupt("lz4 frame without a content checksum");
    }
    in_pos += 4 + desc + 1;
    return Status::Ok();
  }

  // At a frame boundary: skips skippable frames, or starts the next LZ4 frame.
  Status StartFrame() {
    VDIBK_RETURN_IF_ERROR(Fill(8));
    if (avail() < 4) return Corrupt("stray bytes after the last frame");
    uint32_t magic = LoadLe<uint32_t>(&in[in_pos]);
    if ((magic & kSkippableMagicMask) == kSkippableMagicBase) {
      if (avail() < 8) return Corrupt("truncated skippable frame");
      uint64_t size = LoadLe<uint32_t>(&in[in_pos + 4]);
      if (consumed() + 8 + size > region_end)
        return Corrupt("skippable frame overruns the trailer");
      SkipBytes(8 + size);
      return Status::Ok();
    }
    if (magic != kLz4FrameMagic) return Corrupt("bad frame magic");
    if (frame_no >= trailer.frames.size() ||
        !(trailer.frames[frame_no] == FrameIndexEntry{decoded, consumed()})) {
      return Corrupt("frame " + std::to_string(frame_no) + " (raw offset " +
                     std::to_string(decoded) + ") not in the trailer index");
    }
    frame_start = consumed();
    VDIBK_RETURN_IF_ERROR(ParseFrameHeader());
    if (in.size() < block_max + 8) in.resize(block_max + 8);  // a whole block fits
    frame_raw_start = decoded;
    in_frame = true;
    // A sequential reader's stream digest covers the decoded bytes and the block checksums the
    // stored ones: then the content checksum is only checked when asked to.
    check_content = content_sum && (content_checks_on || !block_sums || !sequential);
    if (check_content) XXH32_reset(frame_sum, 0);
    ++frame_no;
    return Status::Ok();
  }

  // After the end mark: the content checksum (if any) and the content size (if any).
  Status EndFrame() {
    if (content_sum) {
      VDIBK_RETURN_IF_ERROR(Fill(4));
      if (avail() < 4) return FrameCorrupt("truncated content checksum");
      if (check_content && LoadLe<uint32_t>(&in[in_pos]) != XXH32_digest(frame_sum)) {
        return FrameCorrupt("content checksum mismatch");
      }
      in_pos += 4;
    }
    if (has_content_size && decoded - frame_raw_start != content_size) {
      return FrameCorrupt("content size mismatch");
    }
    in_frame = false;
    return Status::Ok();
  }

  // Decodes the next block of the current frame into `out` (room for >= block_max bytes), or
  // ends the frame at its end mark (returns 0). Checks the block checksum before decoding.
  Result<size_t> DecodeBlock(uint8_t* out) {
    VDIBK_RETURN_IF_ERROR(Fill(4));
    if (avail() < 4) return FrameCorrupt("truncated lz4 frame");
    const uint32_t word = LoadLe<uint32_t>(&in[in_pos]);
    if (word == 0) {
      in_pos += 4;
      VDIBK_RETURN_IF_ERROR(EndFrame());
      return size_t{0};
    }
    const bool stored = (word & kLz4StoredBlockBit) != 0;
    const size_t size = word & ~kLz4StoredBlockBit;
    if (size > block_max) {
      return FrameCorrupt("block of " + std::to_string(size) + " bytes, more than the frame's " +
                          std::to_string(block_max));
    }
    const size_t need = 4 + size + (block_sums ? 4 : 0);
    VDIBK_RETURN_IF_ERROR(Fill(need));
    if (avail() < need) return FrameCorrupt("truncated lz4 block");
    const uint8_t* src = &in[in_pos + 4];
    if (block_sums && XXH32(src, size, 0) != LoadLe<uint32_t>(src + size)) {
      return FrameCorrupt("block checksum mismatch");
    }
    size_t n = size;
    if (stored) {
      std::memcpy(out, src, size);
    } else {
      const int r =
          LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(out),
                              static_cast<int>(size), static_cast<int>(block_max));
      if (r < 0) return FrameCorrupt("lz4 block does not decode");
      n = static_cast<size_t>(r);
    }
    in_pos += need;
    if (check_content) XXH32_update(frame_sum, out, n);
    if (sequential) digest.Update(out, n);
    decoded += n;
    if (decoded > trailer.raw_bytes) return Corrupt("more data than the trailer records");
    return n;
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

  // Blocks decode straight into `dst` while a whole block fits there, else into the spill.
  Result<size_t> Read(uint8_t* dst, size_t size) {
    size_t filled = 0;
    while (filled < size) {
      if (spilled() > 0) {
        const size_t n = std::min(spilled(), size - filled);
        std::memcpy(dst + filled, &spill[spill_pos], n);
        spill_pos += n;
        filled += n;
        raw_pos += n;
        continue;
      }
      if (!in_frame) {
        if (consumed() == region_end) break;
        VDIBK_RETURN_IF_ERROR(StartFrame());
        continue;
      }
      const bool direct = size - filled >= block_max;
      if (!direct && spill.size() < block_max) spill.resize(block_max);
      VDIBK_ASSIGN_OR_RETURN(size_t n, DecodeBlock(direct ? dst + filled : spill.data()));
      if (direct) {
        filled += n;
        raw_pos += n;
      } else {
        spill_pos = 0;
        spill_len = n;
      }
    }
    if (!in_frame && spilled() == 0 && consumed() == region_end) {
      VDIBK_RETURN_IF_ERROR(FinishChecks());
    }
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

  if (s->trailer.format_version != s->header.format_version) {
    return fail(Status::Integrity("header and trailer disagree on the format version"));
  }
  s->frame_sum = XXH32_createState();
  if (!s->frame_sum) return fail(Status::Failed("out of memory (xxh32 state)"));
  s->in.resize(kInputBuffer);
  s->next_read = s->header_end;
  return StripeReader(std::move(s));
}

const StripeHeader& StripeReader::header() const { return s_->header; }
const StripeTrailer& StripeReader::trailer() const { return s_->trailer; }
uint64_t StripeReader::position() const { return s_->raw_pos; }
void StripeReader::set_content_checksums(bool check) { s_->content_checks_on = check; }

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
  s_->in_pos = s_->in_len = 0;
  s_->spill_pos = s_->spill_len = 0;
  s_->in_frame = false;
  s_->sequential = false;
  s_->done = false;
  if (frames.empty()) {
    s_->next_read = s_->region_end;
    s_->raw_pos = s_->decoded = 0;
    s_->frame_no = 0;
    return Status::Ok();
  }
  auto it = std::upper_bound(frames.begin(), frames.end(), raw,
                             [](uint64_t v, const FrameIndexEntry& e) { return v < e.raw_offset; });
  size_t i = static_cast<size_t>(it - frames.begin()) - 1;
  s_->frame_no = i;
  s_->raw_pos = s_->decoded = frames[i].raw_offset;
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
