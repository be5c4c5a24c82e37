// The on-disk layout of a stripe file (normative text: docs/format.md): header and trailer
// skippable frames around a stream of standard LZ4 frames. Pure encode/decode, no I/O.
#ifndef VDIBK_SHARED_STRIPE_STRIPE_FORMAT_H_
#define VDIBK_SHARED_STRIPE_STRIPE_FORMAT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::stripe {

// LZ4 frame magics (LZ4 frame format spec). Skippable frames: 0x184D2A50..0x184D2A5F.
inline constexpr uint32_t kLz4FrameMagic = 0x184D2204;
inline constexpr uint32_t kSkippableMagicMask = 0xFFFFFFF0;
inline constexpr uint32_t kSkippableMagicBase = 0x184D2A50;
// LZ4 frame descriptor: FLG bits (version 01 in bits 7-6; bit 1 reserved) and the block size
// word's high bit, set for a stored (uncompressed) block. The writer and the reader share them.
inline constexpr uint8_t kLz4FlgVersion = 0x40;
inline constexpr uint8_t kLz4FlgIndependentBlocks = 0x20;
inline constexpr uint8_t kLz4FlgBlockChecksum = 0x10;
inline constexpr uint8_t kLz4FlgContentSize = 0x08;
inline constexpr uint8_t kLz4FlgContentChecksum = 0x04;
inline constexpr uint8_t kLz4FlgDictionaryId = 0x01;
inline constexpr uint32_t kLz4StoredBlockBit = 0x80000000u;
// Our two skippable frames. Other skippable frames between LZ4 frames are ignored by readers.
inline constexpr uint32_t kHeaderFrameMagic = 0x184D2A5A;
inline constexpr uint32_t kTrailerFrameMagic = 0x184D2A5B;
// Payload tags (ASCII, read as little-endian u32) and the trailer's end tag.
inline constexpr uint32_t kHeaderTag = 0x4B424456;      // "VDBK"
inline constexpr uint32_t kTrailerTag = 0x54424456;     // "VDBT"
inline constexpr uint32_t kTrailerEndTag = 0x45424456;  // "VDBE"
// Version 3 (written): XXH3-64 digests, LZ4 frames with block checksums and a content checksum.
// Version 2 (still read): the same layout, frames with a content checksum and no block checksums
// (docs/format.md §9). Readers accept these two and name any other version in their error.
inline constexpr uint16_t kFormatVersion = 3;
inline constexpr uint16_t kOldestReadableVersion = 2;
inline constexpr size_t kSkippableHeaderBytes = 8;  // magic + u32 size
inline constexpr size_t kMaxHeaderPayload = 4096;
inline constexpr size_t kMaxDatabaseName = 1024;
inline constexpr size_t kTrailerFooterBytes = 8;  // payload size + end tag, the last 8 file bytes

enum class Compression : uint8_t { kNone = 0, kLz4 = 1 };
enum class BackupType : uint8_t { kUnknown = 0, kFull = 1, kDiff = 2, kLog = 3 };

using SetId = std::array<uint8_t, 16>;

// Identity of a stripe; written once at the start of the file.
struct StripeHeader {
  uint16_t format_version = kFormatVersion;
  SetId set_id{};
  std::string database;  // UTF-8, <= kMaxDatabaseName bytes
  BackupType backup_type = BackupType::kUnknown;
  uint32_t device_index = 0;
  uint32_t device_count = 1;
  int64_t created_unix_ms = 0;  // UTC
  Compression compression = Compression::kLz4;
  int8_t level = 1;
  uint32_t block_size = 64 * 1024;  // LZ4 max block size used: 64K, 256K, 1M or 4M
};

// One LZ4 frame: where its raw data starts and where the frame starts in the file.
struct FrameIndexEntry {
  uint64_t raw_offset = 0;
  uint64_t file_offset = 0;
  bool operator==(const FrameIndexEntry&) const = default;
};

enum class MarkKind : uint32_t { kFlush = 1 };
struct Mark {
  uint64_t raw_offset = 0;
  MarkKind kind = MarkKind::kFlush;
  bool operator==(const Mark&) const = default;
};

// Totals and seek index; written once at the end of the file.
struct StripeTrailer {
  uint16_t format_version = kFormatVersion;  // as the header's
  uint64_t raw_bytes = 0;
  uint64_t compressed_bytes = 0;  // bytes of the LZ4 frames (file minus header and trailer)
  // XXH3-64 (seed 0) of the raw device stream (the name is from format 1, which used XXH64).
  uint64_t raw_xxh64 = 0;
  std::vector<FrameIndexEntry> frames;
  std::vector<Mark> marks;
};

// The complete skippable frame (magic, size, payload) for `h`. Fails if fields are out of range.
Result<std::vector<uint8_t>> EncodeHeaderFrame(const StripeHeader& h);
// Parses a header frame from the start of `bytes` (which may hold more). On success
// `*frame_bytes` is the header frame's total length. Errors: kIntegrity with the cause.
Result<StripeHeader> DecodeHeaderFrame(std::span<const uint8_t> bytes, size_t* frame_bytes);
// Header frame length announced by the first 8 bytes (for reading exactly that much).
Result<size_t> PeekHeaderFrameSize(std::span<const uint8_t> first8);

// The LZ4 frame header checksum (HC) of a descriptor from FLG to its last optional field: the
// second byte of its XXH32.
uint8_t Lz4HeaderChecksum(std::span<const uint8_t> descriptor);

std::vector<uint8_t> EncodeTrailerFrame(const StripeTrailer& t);
// Total trailer frame length announced by the last kTrailerFooterBytes of the file.
Result<size_t> PeekTrailerFrameSize(std::span<const uint8_t> last8);
// Parses exactly one trailer frame (`bytes` is the whole frame) and checks its checksum.
Result<StripeTrailer> DecodeTrailerFrame(std::span<const uint8_t> bytes);

// A 64-bit digest as stored in manifests and replies: 8 bytes, big-endian (xxhsum's canonical
// form), and as 16 lowercase hex digits.
std::string DigestBytes(uint64_t digest);
std::string DigestHex(uint64_t digest);

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_STRIPE_FORMAT_H_
