// AgeWriter: encrypts a stream into an age v1 file (header, nonce, 64 KiB STREAM chunks) and
// hands the bytes to a sink in order.
#ifndef VDIBK_SHARED_AGE_AGE_WRITER_H_
#define VDIBK_SHARED_AGE_AGE_WRITER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "shared/age/age_recipient.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"

namespace vdibk::age {

// Not thread-safe; one owner. Every error is final (after one, Write/Finish fail again).
// Buffers at most one chunk (64 KiB): a chunk is sealed once it is full and more data follows,
// so the last chunk (flagged last) is sealed by Finish.
class AgeWriter {
 public:
  // Receives the encrypted bytes in order; an error stops the writer.
  using Sink = std::function<Status(const uint8_t* data, size_t size)>;

  // Generates a file key, wraps it for every recipient and writes the header and payload nonce
  // to `sink`. Errors: kUsage (no recipients; a scrypt recipient with others), the sink's.
  static Result<std::unique_ptr<AgeWriter>> Create(std::span<const Recipient* const> recipients,
                                                   Sink sink);
  ~AgeWriter();

  Status Write(const void* data, size_t size);
  // Seals the last chunk. Once; Write after Finish is an error.
  Status Finish();

  uint64_t plaintext_size() const { return plaintext_size_; }
  uint64_t encrypted_size() const { return encrypted_size_; }  // bytes given to the sink

 private:
  AgeWriter(SecretBytes payload_key, Sink sink);
  Status Emit(const uint8_t* data, size_t size);
  Status SealBuffered(bool last);

  SecretBytes payload_key_;
  Sink sink_;
  std::vector<uint8_t> buffer_;  // plaintext of the chunk being filled
  std::vector<uint8_t> sealed_;
  uint64_t chunk_index_ = 0;
  uint64_t plaintext_size_ = 0;
  uint64_t encrypted_size_ = 0;
  Status failed_;
  bool finished_ = false;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_WRITER_H_
