// Encoding of the stripe header/trailer skippable frames (little-endian, see docs/format.md).
#include "shared/stripe/stripe_format.h"

#include <cstdio>
#include <cstring>

#include <xxhash.h>

#include "shared/base/little_endian.h"
#include "shared/stripe/digest.h"

namespace vdibk::stripe {
namespace {

constexpr size_t kHeaderFixed = 50;   // payload bytes before the database name
constexpr size_t kTrailerFixed = 40;  // payload bytes before the index
constexpr size_t kEntryBytes = 16;
constexpr size_t kMaxTrailerPayload = 1u << 30;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { Le(v); }
  void U32(uint32_t v) { Le(v); }
  void U64(uint64_t v) { Le(v); }
  void Bytes(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<uint8_t>& out() { return out_; }

 private:
  template <typename T>
  void Le(T v) {
    uint8_t b[sizeof(T)];
    StoreLe(b, v);
    out_.insert(out_.end(), b, b + sizeof(T));
  }
  std::vector<uint8_t> out_;
};

// Bounds-checked little-endian reader; every getter returns false past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  bool U8(uint8_t* v) { return Le(v); }
  bool U16(uint16_t* v) { return Le(v); }
  bool U32(uint32_t* v) { return Le(v); }
  bool U64(uint64_t* v) { return Le(v); }
  bool Bytes(void* p, size_t n) {
    if (b_.size() - pos_ < n) return false;
    std::memcpy(p, b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  template <typename T>
  bool Le(T* v) {
    if (b_.size() - pos_ < sizeof(T)) return false;
    *v = LoadLe<T>(b_.data() + pos_);
    pos_ += sizeof(T);
    return true;
  }
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

Status Corrupt(const std::string& what) { return Status::Integrity(what); }

bool ReadableVersion(uint16_t v) { return v >= kOldestReadableVersion && v <= kFormatVersion; }

std::string VersionNotSupported(uint16_t v) {
  return "stripe format version " + std::to_string(v) + " not supported (this build reads " +
         std::to_string(kOldestReadableVersion) + " and " + std::to_string(kFormatVersion) + ")";
}

bool ValidBlockSize(uint32_t b) {
  return b == 64u << 10 || b == 256u << 10 || b == 1u << 20 || b == 4u << 20;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeHeaderFrame(const StripeHeader& h) {
  if (h.database.size() > kMaxDatabaseName) return Status::Usage("database name too long");
  if (h.device_count == 0 || h.device_index >= h.device_count) {
    return Status::Usage("device index " + std::to_string(h.device_index) + " not below count " +
                         std::to_string(h.device_count));
  }
  if (!ValidBlockSize(h.block_size)) return Status::Usage("block size must be 64K/256K/1M/4M");
  Writer w;
  w.U32(kHeaderFrameMagic);
  w.U32(static_cast<uint32_t>(kHeaderFixed + h.database.size() + 8));
  w.U32(kHeaderTag);
  w.U16(h.format_version);
  w.U16(0);  // flags
  w.Bytes(h.set_id.data(), h.set_id.size());
  w.U32(h.device_index);
  w.U32(h.device_count);
  w.U64(static_cast<uint64_t>(h.created_unix_ms));
  w.U8(static_cast<uint8_t>(h.backup_type));
  w.U8(static_cast<uint8_t>(h.compression));
  w.U8(static_cast<uint8_t>(h.level));
  w.U8(0);
  w.U32(h.block_size);
  w.U16(static_cast<uint16_t>(h.database.size()));
  w.Bytes(h.database.data(), h.database.size());
  w.U64(Digest64Of(w.out().data(), w.out().size()));
  return std::move(w.out());
}

Result<size_t> PeekHeaderFrameSize(std::span<const uint8_t> first8) {
  if (first8.size() < kSkippableHeaderBytes) return Corrupt("file too short for a stripe header");
  uint32_t magic = LoadLe<uint32_t>(first8.data());
  if (magic == kLz4FrameMagic) {
    return Corrupt("plain lz4 file without a vdibackup header (not a stripe)");
  }
  if (magic != kHeaderFrameMagic) return Corrupt("not a stripe: bad magic " + Hex32(magic));
  uint32_t size = LoadLe<uint32_t>(first8.data() + 4);
  if (size < kHeaderFixed + 8 || size > kMaxHeaderPayload) {
    return Corrupt("stripe header size " + std::to_string(size) + " out of range");
  }
  return kSkippableHeaderBytes + size;
}

Result<StripeHeader> DecodeHeaderFrame(std::span<const uint8_t> bytes, size_t* frame_bytes) {
  VDIBK_ASSIGN_OR_RETURN(size_t total, PeekHeaderFrameSize(bytes));
  if (bytes.size() < total) return Corrupt("stripe header truncated");
  Reader r(bytes.subspan(kSkippableHeaderBytes, total - kSkippableHeaderBytes));
  StripeHeader h;
  uint32_t tag = 0;
  uint16_t flags = 0, db_len = 0;
  uint64_t created = 0;
  uint8_t type = 0, comp = 0, level = 0, reserved = 0;
  bool ok = r.U32(&tag) && r.U16(&h.format_version) && r.U16(&flags) &&
            r.Bytes(h.set_id.data(), h.set_id.size()) && r.U32(&h.device_index) &&
            r.U32(&h.device_count) && r.U64(&created) && r.U8(&type) && r.U8(&comp) &&
            r.U8(&level) && r.U8(&reserved) && r.U32(&h.block_size) && r.U16(&db_len);
  if (!ok || tag != kHeaderTag) return Corrupt("stripe header: bad tag");
  if (!ReadableVersion(h.format_version)) return Corrupt(VersionNotSupported(h.format_version));
  if (kHeaderFixed + db_len + 8 != total - kSkippableHeaderBytes) {
    return Corrupt("stripe header: length fields disagree");
  }
  h.database.resize(db_len);
  uint64_t stored = 0;
  if (!r.Bytes(h.database.data(), db_len) || !r.U64(&stored)) return Corrupt("stripe header short");
  if (Digest64Of(bytes.data(), total - 8) != stored)
    return Corrupt("stripe header checksum mismatch");
  if (type > static_cast<uint8_t>(BackupType::kLog) ||
      comp > static_cast<uint8_t>(Compression::kLz4) || !ValidBlockSize(h.block_size) ||
      h.device_count == 0 || h.device_index >= h.device_count) {
    return Corrupt("stripe header: field out of range");
  }
  h.created_unix_ms = static_cast<int64_t>(created);
  h.backup_type = static_cast<BackupType>(type);
  h.compression = static_cast<Compression>(comp);
  h.level = static_cast<int8_t>(level);
  if (frame_bytes) *frame_bytes = total;
  return h;
}

uint8_t Lz4HeaderChecksum(std::span<const uint8_t> descriptor) {
  return static_cast<uint8_t>((XXH32(descriptor.data(), descriptor.size(), 0) >> 8) & 0xFF);
}

std::vector<uint8_t> EncodeTrailerFrame(const StripeTrailer& t) {
  size_t payload = kTrailerFixed + kEntryBytes * (t.frames.size() + t.marks.size()) + 16;
  Writer w;
  w.U32(kTrailerFrameMagic);
  w.U32(static_cast<uint32_t>(payload));
  w.U32(kTrailerTag);
  w.U16(t.format_version);
  w.U16(0);
  w.U64(t.raw_bytes);
  w.U64(t.compressed_bytes);
  w.U64(t.raw_xxh64);
  w.U32(static_cast<uint32_t>(t.frames.size()));
  w.U32(static_cast<uint32_t>(t.marks.size()));
  for (const auto& f : t.frames) {
    w.U64(f.raw_offset);
    w.U64(f.file_offset);
  }
  for (const auto& m : t.marks) {
    w.U64(m.raw_offset);
    w.U32(static_cast<uint32_t>(m.kind));
    w.U32(0);
  }
  w.U64(Digest64Of(w.out().data(), w.out().size()));
  w.U32(static_cast<uint32_t>(payload));
  w.U32(kTrailerEndTag);
  return std::move(w.out());
}

Result<size_t> PeekTrailerFrameSize(std::span<const uint8_t> last8) {
  if (last8.size() != kTrailerFooterBytes) return Corrupt("stripe trailer footer short");
  uint32_t payload = LoadLe<uint32_t>(last8.data());
  if (LoadLe<uint32_t>(last8.data() + 4) != kTrailerEndTag) {
    return Corrupt("stripe has no trailer (truncated or never finalized)");
  }
  if (payload < kTrailerFixed + 16 || payload > kMaxTrailerPayload) {
    return Corrupt("stripe trailer size " + std::to_string(payload) + " out of range");
  }
  return kSkippableHeaderBytes + payload;
}

Result<StripeTrailer> DecodeTrailerFrame(std::span<const uint8_t> bytes) {
  if (bytes.size() < kSkippableHeaderBytes + kTrailerFixed + 16)
    return Corrupt("trailer too short");
  uint32_t magic = LoadLe<uint32_t>(bytes.data());
  uint32_t payload = LoadLe<uint32_t>(bytes.data() + 4);
  if (magic != kTrailerFrameMagic) return Corrupt("trailer: bad frame magic " + Hex32(magic));
  if (payload != bytes.size() - kSkippableHeaderBytes) return Corrupt("trailer: size mismatch");
  size_t sum_at = bytes.size() - 16;
  uint64_t stored = 0;
  Reader tail(bytes.subspan(sum_at, 8));
  (void)tail.U64(&stored);
  if (Digest64Of(bytes.data(), sum_at) != stored) return Corrupt("trailer checksum mismatch");

  Reader r(bytes.subspan(kSkippableHeaderBytes, sum_at - kSkippableHeaderBytes));
  StripeTrailer t;
  uint32_t tag = 0, nframes = 0, nmarks = 0;
  uint16_t version = 0, flags = 0;
  if (!r.U32(&tag) || !r.U16(&version) || !r.U16(&flags) || !r.U64(&t.raw_bytes) ||
      !r.U64(&t.compressed_bytes) || !r.U64(&t.raw_xxh64) || !r.U32(&nframes) || !r.U32(&nmarks) ||
      tag != kTrailerTag) {
    return Corrupt("trailer: bad tag");
  }
  if (!ReadableVersion(version)) return Corrupt("trailer: " + VersionNotSupported(version));
  t.format_version = version;
  if (kTrailerFixed + kEntryBytes * (uint64_t{nframes} + nmarks) + 16 != payload) {
    return Corrupt("trailer: entry counts disagree with its size");
  }
  t.frames.resize(nframes);
  for (auto& f : t.frames) {
    if (!r.U64(&f.raw_offset) || !r.U64(&f.file_offset)) return Corrupt("trailer: index short");
  }
  t.marks.resize(nmarks);
  for (auto& m : t.marks) {
    uint32_t kind = 0, reserved = 0;
    if (!r.U64(&m.raw_offset) || !r.U32(&kind) || !r.U32(&reserved))
      return Corrupt("trailer: marks");
    if (kind != static_cast<uint32_t>(MarkKind::kFlush))
      return Corrupt("trailer: unknown mark kind");
    m.kind = static_cast<MarkKind>(kind);
  }
  return t;
}

std::string DigestBytes(uint64_t digest) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(digest >> (8 * (7 - i)));
  return out;
}

std::string DigestHex(uint64_t digest) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(digest));
  return buf;
}

}  // namespace vdibk::stripe
