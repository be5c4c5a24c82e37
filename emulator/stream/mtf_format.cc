// MTF building blocks implementation.
#include "emulator/stream/mtf_format.h"

#include <ctime>

#include "emulator/db/checksum.h"
#include "emulator/db/database.h"
#include "shared/base/little_endian.h"

namespace vdibk::emulator {
namespace {

uint16_t XorWords(const uint8_t* p, size_t words) {
  uint16_t x = 0;
  for (size_t i = 0; i < words; ++i) {
    x ^= LoadLe<uint16_t>(p + 2 * i);
  }
  return x;
}

}  // namespace

std::string TagName(uint32_t tag) {
  std::string s(4, '?');
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>((tag >> (8 * i)) & 0xFF);
    if (c >= 0x20 && c < 0x7F) s[i] = c;
  }
  return s;
}

void ByteWriter::Raw(const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  b_.insert(b_.end(), b, b + n);
}

void ByteWriter::Str(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  Raw(s.data(), s.size());
}

bool ByteReader::Raw(void* out, size_t n) {
  if (!ok_ || n_ - pos_ < n) {
    ok_ = false;
    std::memset(out, 0, n);
    return false;
  }
  std::memcpy(out, p_ + pos_, n);
  pos_ += n;
  return true;
}
uint8_t ByteReader::U8() {
  uint8_t v;
  Raw(&v, 1);
  return v;
}
uint16_t ByteReader::U16() {
  uint16_t v;
  Raw(&v, 2);
  return v;
}
uint32_t ByteReader::U32() {
  uint32_t v;
  Raw(&v, 4);
  return v;
}
uint64_t ByteReader::U64() {
  uint64_t v;
  Raw(&v, 8);
  return v;
}
std::string ByteReader::Str() {
  uint32_t n = U32();
  if (!ok_ || n_ - pos_ < n) {
    ok_ = false;
    return {};
  }
  std::string s(reinterpret_cast<const char*>(p_ + pos_), n);
  pos_ += n;
  return s;
}
void ByteReader::Skip(size_t n) {
  if (!ok_ || n_ - pos_ < n) {
    ok_ = false;
    return;
  }
  pos_ += n;
}

std::vector<uint8_t> BuildDescriptor(const DblkHeader& h, const std::vector<uint8_t>& body) {
  ByteWriter w;
  w.U32(h.type);
  w.U32(h.attributes);
  w.U16(static_cast<uint16_t>(kDblkHeaderSize + body.size() + 8));
  w.U8(0x0E);  // OS id: Windows NT, as SQL Server writes
  w.U8(1);     // OS version
  w.U64(h.displayable_size);
  w.U64(h.format_logical_address);
  w.Zeros(8);  // reserved for MBC + reserved
  w.U32(h.control_block_id);
  w.Zeros(4);  // reserved
  w.U32(0);    // OS-specific data (size, offset)
  w.U8(1);     // string type: ANSI
  w.U8(0);
  w.U16(0);
  w.PutU16At(50, XorWords(w.bytes().data(), 25));
  w.Raw(body.data(), body.size());
  w.U64(ComputeChecksum64(w.bytes().data(), w.size()));
  return std::move(w.bytes());
}

Status DecodeDblkHeader(const uint8_t* p, DblkHeader* out) {
  if (XorWords(p, 25) != LoadLe<uint16_t>(p + 50)) return Status::Integrity("DBLK header checksum");
  out->type = LoadLe<uint32_t>(p);
  out->attributes = LoadLe<uint32_t>(p + 4);
  out->first_event_offset = LoadLe<uint16_t>(p + 8);
  out->displayable_size = LoadLe<uint64_t>(p + 12);
  out->format_logical_address = LoadLe<uint64_t>(p + 20);
  out->control_block_id = LoadLe<uint32_t>(p + 36);
  if (out->first_event_offset < kDblkHeaderSize + 8 ||
      out->first_event_offset > kMaxDescriptorSize) {
    return Status::Integrity("DBLK size out of range");
  }
  return Status::Ok();
}

Status CheckDescriptor(const uint8_t* p, size_t len, const uint8_t** body, size_t* body_len) {
  if (len < kDblkHeaderSize + 8) return Status::Integrity("DBLK too short");
  if (LoadLe<uint64_t>(p + len - 8) != ComputeChecksum64(p, len - 8)) {
    return Status::Integrity("DBLK checksum");
  }
  *body = p + kDblkHeaderSize;
  *body_len = len - kDblkHeaderSize - 8;
  return Status::Ok();
}

void AppendStreamHeader(ByteWriter& w, const StreamHeader& h) {
  size_t start = w.size();
  w.U32(h.id);
  w.U16(h.fs_attributes);
  w.U16(h.media_attributes);
  w.U64(h.length);
  w.U16(h.encryption);
  w.U16(h.compression);
  w.U16(XorWords(w.bytes().data() + start, 10));
}

Status DecodeStreamHeader(const uint8_t* p, StreamHeader* out) {
  if (XorWords(p, 10) != LoadLe<uint16_t>(p + 20))
    return Status::Integrity("stream header checksum");
  out->id = LoadLe<uint32_t>(p);
  out->fs_attributes = LoadLe<uint16_t>(p + 4);
  out->media_attributes = LoadLe<uint16_t>(p + 6);
  out->length = LoadLe<uint64_t>(p + 8);
  out->encryption = LoadLe<uint16_t>(p + 16);
  out->compression = LoadLe<uint16_t>(p + 18);
  return Status::Ok();
}

void AppendSpad(ByteWriter& w, uint64_t stream_pos, uint64_t align) {
  uint64_t end = stream_pos + w.size() + kStreamHeaderSize;
  uint64_t pad = (align - end % align) % align;
  StreamHeader h;
  h.id = kStreamSpad;
  h.length = pad;
  AppendStreamHeader(w, h);
  w.Zeros(pad);
}

void EncodeMtfDate(int64_t unix_seconds, uint8_t out[5]) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  uint64_t v = uint64_t(tm.tm_year + 1900) << 26 | uint64_t(tm.tm_mon + 1) << 22 |
               uint64_t(tm.tm_mday) << 17 | uint64_t(tm.tm_hour) << 12 | uint64_t(tm.tm_min) << 6 |
               uint64_t(tm.tm_sec);
  for (int i = 0; i < 5; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (4 - i)));
}

void AppendRunHeader(ByteWriter& w, const RunHeader& h) {
  size_t start = w.size();
  w.U32(h.file_id);
  w.U32(h.flags);
  w.U64(h.file_offset);
  w.U64(h.length);
  w.U32(h.page_count);
  w.U32(static_cast<uint32_t>(ComputeChecksum64(w.bytes().data() + start, 28)));
}

Status DecodeRunHeader(const uint8_t* p, RunHeader* out) {
  if (LoadLe<uint32_t>(p + 28) != static_cast<uint32_t>(ComputeChecksum64(p, 28))) {
    return Status::Integrity("run header checksum");
  }
  out->file_id = LoadLe<uint32_t>(p);
  out->flags = LoadLe<uint32_t>(p + 4);
  out->file_offset = LoadLe<uint64_t>(p + 8);
  out->length = LoadLe<uint64_t>(p + 16);
  out->page_count = LoadLe<uint32_t>(p + 24);
  if (out->page_count != RunPageCount(out->length)) return Status::Integrity("run page count");
  return Status::Ok();
}

uint32_t RunPageCount(uint64_t length) {
  return static_cast<uint32_t>((length + kPageSize - 1) / kPageSize);
}

}  // namespace vdibk::emulator
