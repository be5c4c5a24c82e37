// AgeDecryptor: header accumulation, then chunk-at-a-time opening with one chunk held back.
#include "shared/age/age_decryptor.h"

#include <algorithm>

#include "shared/age/age_header.h"
#include "shared/age/age_stream.h"
#include "shared/age/age_unlock.h"

namespace vdibk::age {
namespace {}  // namespace

AgeDecryptor::AgeDecryptor(std::span<const Identity* const> identities, Sink sink)
    : identities_(identities.begin(), identities.end()), sink_(std::move(sink)) {
  held_.reserve(kSealedChunkSize);
}

AgeDecryptor::~AgeDecryptor() { Wipe(plain_.data(), plain_.capacity()); }

Status AgeDecryptor::Fail(Status s) {
  failed_ = s;
  stage_ = Stage::kDone;
  return s;
}

Status AgeDecryptor::ParseHeaderIfComplete() {
  auto header = ParseHeader(header_);
  if (!header.ok()) {
    if (header.status().code() != ErrorCode::kMissing) return Fail(header.status());
    if (header_.size() > kMaxHeaderSize)
      return Fail(Status::Integrity("age: header larger than 1 MiB"));
    return Status::Ok();  // wait for more
  }
  auto key = UnlockFileKey(*header, identities_);
  if (!key.ok()) return Fail(key.status());
  const size_t rest_at = header->encoded_size;
  if (header_.size() - rest_at < kPayloadNonceSize) {
    // Keep the file key until the nonce is complete: remember it in payload_key_ for now.
    payload_key_ = std::move(key).value();
    header_.erase(0, rest_at);
    stage_ = Stage::kNonce;
    return Status::Ok();
  }
  auto payload_key = DerivePayloadKey(
      *key, {reinterpret_cast<const uint8_t*>(header_.data()) + rest_at, kPayloadNonceSize});
  if (!payload_key.ok()) return Fail(payload_key.status());
  payload_key_ = std::move(payload_key).value();
  const std::string rest = header_.substr(rest_at + kPayloadNonceSize);
  header_.clear();
  stage_ = Stage::kPayload;
  return Feed(rest.data(), rest.size());
}

Status AgeDecryptor::Feed(const void* data, size_t size) {
  VDIBK_RETURN_IF_ERROR(failed_);
  const auto* p = static_cast<const uint8_t*>(data);
  if (stage_ == Stage::kDone) return Status::Failed("age: Feed after Finish");
  if (stage_ == Stage::kHeader) {
    header_.append(reinterpret_cast<const char*>(p), size);
    return ParseHeaderIfComplete();
  }
  if (stage_ == Stage::kNonce) {
    header_.append(reinterpret_cast<const char*>(p), size);
    if (header_.size() < kPayloadNonceSize) return Status::Ok();
    auto payload_key = DerivePayloadKey(
        payload_key_, {reinterpret_cast<const uint8_t*>(header_.data()), kPayloadNonceSize});
    if (!payload_key.ok()) return Fail(payload_key.status());
    payload_key_ = std::move(payload_key).value();
    const std::string rest = header_.substr(kPayloadNonceSize);
    header_.clear();
    stage_ = Stage::kPayload;
    return Feed(rest.data(), rest.size());
  }
  while (size > 0) {
    // A full held chunk with a byte after it is not the last one.
    if (held_.size() == kSealedChunkSize) VDIBK_RETURN_IF_ERROR(OpenHeld(false));
    const size_t n = std::min(size, kSealedChunkSize - held_.size());
    held_.insert(held_.end(), p, p + n);
    p += n;
    size -= n;
  }
  return Status::Ok();
}

Status AgeDecryptor::OpenHeld(bool final_position) {
  Status st =
      OpenPositionedChunk(payload_key_, chunk_index_, final_position, UINT64_MAX, held_, &plain_);
  if (!st.ok()) return Fail(st);
  held_.clear();
  ++chunk_index_;
  if (!plain_.empty() || final_position) {
    st = sink_(plain_.data(), plain_.size());
    if (!st.ok()) return Fail(st);
  }
  plaintext_size_ += plain_.size();
  return Status::Ok();
}

Status AgeDecryptor::Finish() {
  VDIBK_RETURN_IF_ERROR(failed_);
  switch (stage_) {
    case Stage::kHeader:
      return Fail(header_.empty() ? Status::Integrity("age: empty input, not an age file")
                                  : Status::Integrity("age: file ends inside the header"));
    case Stage::kNonce:
      return Fail(
          Status::Integrity("age: truncated: the file ends before the first payload chunk"));
    case Stage::kDone:
      return Status::Failed("age: Finish called twice");
    case Stage::kPayload:
      break;
  }
  if (held_.empty())  // only before the first chunk: later, a held chunk always has bytes
    return Fail(Status::Integrity("age: truncated: the file ends before the first payload chunk"));
  Status st = OpenHeld(true);
  stage_ = Stage::kDone;
  return st;
}

}  // namespace vdibk::age
