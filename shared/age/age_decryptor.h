// AgeDecryptor: push-style decryption of an age v1 stream that cannot seek (a pipe, a download):
// bytes are fed in any pieces, plaintext goes to a sink chunk by chunk once authenticated.
#ifndef VDIBK_SHARED_AGE_AGE_DECRYPTOR_H_
#define VDIBK_SHARED_AGE_AGE_DECRYPTOR_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "shared/age/age_recipient.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/status.h"

namespace vdibk::age {

// Not thread-safe; one owner. The identities must outlive the decryptor. Holds back at most one
// sealed chunk (64 KiB + 16): a chunk is known not to be the last only when a byte follows it.
// Every error is final. Errors are AgeReader's (the header's at the first Feed that completes
// it; "age: chunk N: ..." for the payload), "more bytes follow" without a count.
class AgeDecryptor {
 public:
  using Sink = std::function<Status(const uint8_t* data, size_t size)>;
  AgeDecryptor(std::span<const Identity* const> identities, Sink sink);
  ~AgeDecryptor();
  AgeDecryptor(const AgeDecryptor&) = delete;
  AgeDecryptor& operator=(const AgeDecryptor&) = delete;

  Status Feed(const void* data, size_t size);
  // End of input: opens the held chunk as the last one. Once.
  Status Finish();

  uint64_t plaintext_size() const { return plaintext_size_; }  // bytes given to the sink

 private:
  Status Fail(Status s);
  Status ParseHeaderIfComplete();
  Status OpenHeld(bool final_position);

  std::vector<const Identity*> identities_;
  Sink sink_;
  enum class Stage { kHeader, kNonce, kPayload, kDone } stage_ = Stage::kHeader;
  std::string header_;  // header bytes (and the nonce/payload bytes fed with them)
  SecretBytes payload_key_;
  std::vector<uint8_t> held_;   // sealed bytes of the current chunk
  std::vector<uint8_t> plain_;  // its plaintext
  uint64_t chunk_index_ = 0;
  uint64_t plaintext_size_ = 0;
  Status failed_;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_DECRYPTOR_H_
