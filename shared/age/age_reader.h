// AgeReader: opens an age v1 file held by a stripe::ReadableFile, finds the file key with the
// given identities, checks the header MAC, and decrypts chunks by index (ranged reads) or all in
// order. Errors name the chunk.
#ifndef VDIBK_SHARED_AGE_AGE_READER_H_
#define VDIBK_SHARED_AGE_AGE_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "shared/age/age_recipient.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"
#include "shared/stripe/target.h"

namespace vdibk::age {

// Not thread-safe (one cached chunk); `file` must outlive the reader. The file size is read once
// at Open: the chunk layout follows from it.
class AgeReader {
 public:
  // Errors: kIntegrity (not an age file, malformed header, header MAC mismatch, no payload),
  // kConfiguration (no identity matches: the message names the file's stanza types and the
  // identities' types), the file's (kTargetIo).
  static Result<std::unique_ptr<AgeReader>> Open(stripe::ReadableFile& file,
                                                 std::span<const Identity* const> identities);

  uint64_t chunk_count() const { return chunk_count_; }
  // The plaintext size the file's length implies; authenticated once the last chunk is read.
  uint64_t plaintext_size() const { return plaintext_size_; }
  uint64_t header_size() const { return payload_offset_ - 16; }

  // Decrypts chunk `index` (< chunk_count()) into `out`. Errors: kIntegrity "chunk N: ..." for a
  // bad tag (corruption, reordering, mid-chunk truncation), a chunk marked last that is followed
  // by more data (trailing data), a final chunk not marked last (truncation at a chunk
  // boundary), an empty last chunk after data; kUsage for an index past the end.
  Status ReadChunk(uint64_t index, std::vector<uint8_t>* out);

  // Reads plaintext [offset, offset + size); fewer bytes only at the end. Decrypts only the
  // chunks the range touches.
  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size);

  // Decrypts every chunk in order into `sink`; stops at the first error (the sink has then
  // received only authenticated chunks before it).
  using Sink = std::function<Status(const uint8_t* data, size_t size)>;
  Status DecryptAll(const Sink& sink);

 private:
  AgeReader(stripe::ReadableFile& file, SecretBytes payload_key, uint64_t payload_offset,
            uint64_t file_size);

  stripe::ReadableFile& file_;
  SecretBytes payload_key_;
  uint64_t payload_offset_;
  uint64_t payload_size_;
  uint64_t chunk_count_;
  uint64_t plaintext_size_;
  std::vector<uint8_t> sealed_;
  std::vector<uint8_t> cached_;  // plaintext of chunk cached_index_
  uint64_t cached_index_ = UINT64_MAX;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_READER_H_
