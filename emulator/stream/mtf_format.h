// MTF building blocks of the emulator's backup stream (vdi-protocol.md §10): the 52-byte common
// descriptor block (DBLK) header, the 22-byte stream header, 5-byte MTF dates, byte writer/reader.
#ifndef VDIBK_EMULATOR_STREAM_MTF_FORMAT_H_
#define VDIBK_EMULATOR_STREAM_MTF_FORMAT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::emulator {

constexpr size_t kDblkHeaderSize = 52;
constexpr size_t kStreamHeaderSize = 22;
constexpr uint32_t kFormatLogicalBlock = 1024;  // every DBLK starts on such a boundary
constexpr size_t kMaxDescriptorSize = 4096;     // our DBLKs are far smaller
constexpr size_t kRunHeaderSize = 32;           // at the start of MQDA / MQLG stream data
constexpr uint64_t kPageChecksumSeed = 0x5644424B50414745ULL;  // "VDBKPAGE"

constexpr uint32_t Tag(const char (&s)[5]) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
         uint32_t(uint8_t(s[3])) << 24;
}
std::string TagName(uint32_t tag);

// Descriptor blocks, in stream order: TAPE SSET VOLB MSDA ESET EOTM.
constexpr uint32_t kTagTape = Tag("TAPE");
constexpr uint32_t kTagSset = Tag("SSET");
constexpr uint32_t kTagVolb = Tag("VOLB");
constexpr uint32_t kTagMsda = Tag("MSDA");  // our data block; its streams are runs
constexpr uint32_t kTagEset = Tag("ESET");
constexpr uint32_t kTagEotm = Tag("EOTM");
// Streams. SPAD ends every DBLK's stream list and pads to the next boundary (zeros).
constexpr uint32_t kStreamSpad = Tag("SPAD");
constexpr uint32_t kStreamInfo = Tag("MQCI");  // BackupSetInfo (after SSET)
constexpr uint32_t kStreamData = Tag("MQDA");  // run header + data file bytes
constexpr uint32_t kStreamLog = Tag("MQLG");   // run header + log file bytes
constexpr uint32_t kStreamCsum = Tag("CSUM");  // one u64 page checksum per page of the run

// Little-endian append-only writer.
class ByteWriter {
 public:
  std::vector<uint8_t>& bytes() { return b_; }
  size_t size() const { return b_.size(); }
  void U8(uint8_t v) { b_.push_back(v); }
  void U16(uint16_t v) { Raw(&v, 2); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void Raw(const void* p, size_t n);
  void Str(std::string_view s);  // u32 length + bytes
  void Zeros(size_t n) { b_.insert(b_.end(), n, 0); }
  void PutU16At(size_t off, uint16_t v) { std::memcpy(b_.data() + off, &v, 2); }

 private:
  std::vector<uint8_t> b_;
};

// Bounds-checked little-endian reader; after any overrun ok() is false and reads return 0.
class ByteReader {
 public:
  ByteReader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  uint8_t U8();
  uint16_t U16();
  uint32_t U32();
  uint64_t U64();
  bool Raw(void* out, size_t n);
  std::string Str();
  void Skip(size_t n);
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok_ ? n_ - pos_ : 0; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct DblkHeader {
  uint32_t type = 0;
  uint32_t attributes = 0;
  uint16_t first_event_offset = 0;  // = descriptor size (header + body + checksum)
  uint64_t displayable_size = 0;
  uint64_t format_logical_address = 0;  // offset / kFormatLogicalBlock
  uint32_t control_block_id = 0;
};

// A whole descriptor: common header + `body` + Checksum64 of both (8 bytes, our addition).
// The header's own 16-bit checksum is the XOR of its first 25 little-endian words.
std::vector<uint8_t> BuildDescriptor(const DblkHeader& h, const std::vector<uint8_t>& body);
// Validates and splits the header part of a descriptor (needs kDblkHeaderSize bytes).
Status DecodeDblkHeader(const uint8_t* p, DblkHeader* out);
// Validates a complete descriptor (both checksums); on success `body` points into `p`.
Status CheckDescriptor(const uint8_t* p, size_t len, const uint8_t** body, size_t* body_len);

struct StreamHeader {
  uint32_t id = 0;
  uint16_t fs_attributes = 0;
  uint16_t media_attributes = 0;
  uint64_t length = 0;  // data bytes after the header (excluding the pad to 4 bytes)
  uint16_t encryption = 0;
  uint16_t compression = 0;
};
void AppendStreamHeader(ByteWriter& w, const StreamHeader& h);  // computes the 16-bit checksum
Status DecodeStreamHeader(const uint8_t* p, StreamHeader* out);
inline uint64_t Pad4(uint64_t n) { return (4 - n % 4) % 4; }

// Appends an SPAD stream to `w` so that `stream_pos + w.size()` becomes a multiple of `align`.
void AppendSpad(ByteWriter& w, uint64_t stream_pos, uint64_t align);

// MTF date: 5 bytes, big-endian bit packing of year(14) month(4) day(5) hour(5) minute(6)
// second(6), from unix seconds (UTC).
void EncodeMtfDate(int64_t unix_seconds, uint8_t out[5]);

// Run header (start of MQDA/MQLG data): file id u32 | flags u32 | file offset u64 | length u64 |
// page count u32 | checksum u32 (low half of Checksum64 of the first 28 bytes).
struct RunHeader {
  uint32_t file_id = 0;
  uint32_t flags = 0;
  uint64_t file_offset = 0;
  uint64_t length = 0;
  uint32_t page_count = 0;
};
void AppendRunHeader(ByteWriter& w, const RunHeader& h);
Status DecodeRunHeader(const uint8_t* p, RunHeader* out);
// Pages of a run: 8 KiB pages counted from `file_offset` (the last may be short).
uint32_t RunPageCount(uint64_t length);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_MTF_FORMAT_H_
