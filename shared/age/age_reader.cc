// AgeReader: header reading and identity matching, then chunk decryption with the errors that
// tell truncation, trailing data and reordering apart.
#include "shared/age/age_reader.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "shared/age/age_header.h"
#include "shared/age/age_stream.h"
#include "shared/age/age_unlock.h"

namespace vdibk::age {
namespace {

Status ReadFull(stripe::ReadableFile& file, uint64_t offset, void* dst, size_t size, size_t* got) {
  *got = 0;
  while (*got < size) {
    VDIBK_ASSIGN_OR_RETURN(
        size_t n, file.ReadAt(offset + *got, static_cast<uint8_t*>(dst) + *got, size - *got));
    if (n == 0) break;
    *got += n;
  }
  return Status::Ok();
}

Result<Header> ReadHeader(stripe::ReadableFile& file, uint64_t file_size) {
  std::string text;
  size_t want = 4096;
  for (;;) {
    const size_t target = static_cast<size_t>(std::min<uint64_t>(want, file_size));
    const size_t have = text.size();
    text.resize(target);
    size_t got = 0;
    VDIBK_RETURN_IF_ERROR(ReadFull(file, have, text.data() + have, target - have, &got));
    text.resize(have + got);
    auto h = ParseHeader(text);
    if (h.ok() || h.status().code() != ErrorCode::kMissing) return h;
    if (text.size() >= file_size) return Status::Integrity("age: file ends inside the header");
    if (text.size() >= kMaxHeaderSize) return Status::Integrity("age: header larger than 1 MiB");
    want *= 2;
  }
}

}  // namespace

Result<std::unique_ptr<AgeReader>> AgeReader::Open(stripe::ReadableFile& file,
                                                   std::span<const Identity* const> identities) {
  if (identities.empty()) return Status::Usage("age: no identities to decrypt with");
  VDIBK_ASSIGN_OR_RETURN(uint64_t file_size, file.Size());
  VDIBK_ASSIGN_OR_RETURN(Header header, ReadHeader(file, file_size));
  VDIBK_ASSIGN_OR_RETURN(SecretBytes file_key, UnlockFileKey(header, identities));
  uint8_t nonce[kPayloadNonceSize];
  size_t got = 0;
  VDIBK_RETURN_IF_ERROR(ReadFull(file, header.encoded_size, nonce, sizeof(nonce), &got));
  if (got != sizeof(nonce) || header.encoded_size + sizeof(nonce) == file_size)
    return Status::Integrity("age: truncated: the file ends before the first payload chunk");
  VDIBK_ASSIGN_OR_RETURN(SecretBytes key, DerivePayloadKey(file_key, nonce));
  return std::unique_ptr<AgeReader>(
      new AgeReader(file, std::move(key), header.encoded_size + sizeof(nonce), file_size));
}

AgeReader::AgeReader(stripe::ReadableFile& file, SecretBytes payload_key, uint64_t payload_offset,
                     uint64_t file_size)
    : file_(file),
      payload_key_(std::move(payload_key)),
      payload_offset_(payload_offset),
      payload_size_(file_size - payload_offset),
      chunk_count_((payload_size_ + kSealedChunkSize - 1) / kSealedChunkSize) {
  const uint64_t last = payload_size_ - (chunk_count_ - 1) * kSealedChunkSize;
  plaintext_size_ =
      (chunk_count_ - 1) * kChunkSize + (last > kAeadTagSize ? last - kAeadTagSize : 0);
  sealed_.resize(kSealedChunkSize);
}

Status AgeReader::ReadChunk(uint64_t index, std::vector<uint8_t>* out) {
  const std::string where = "age: chunk " + std::to_string(index) + ": ";
  if (index >= chunk_count_)
    return Status::Usage(where + "past the end (" + std::to_string(chunk_count_) + " chunks)");
  const bool final_position = index + 1 == chunk_count_;
  const uint64_t offset = index * kSealedChunkSize;
  const size_t len =
      static_cast<size_t>(std::min<uint64_t>(kSealedChunkSize, payload_size_ - offset));
  size_t got = 0;
  VDIBK_RETURN_IF_ERROR(ReadFull(file_, payload_offset_ + offset, sealed_.data(), len, &got));
  if (got != len) return Status::Integrity(where + "the file shrank while being read");
  return OpenPositionedChunk(payload_key_, index, final_position, payload_size_ - offset - len,
                             {sealed_.data(), len}, out);
}

Result<size_t> AgeReader::ReadAt(uint64_t offset, void* dst, size_t size) {
  size_t done = 0;
  auto* p = static_cast<uint8_t*>(dst);
  while (done < size && offset + done < plaintext_size_) {
    const uint64_t pos = offset + done;
    const uint64_t index = pos / kChunkSize;
    if (index != cached_index_) {
      cached_index_ = UINT64_MAX;
      VDIBK_RETURN_IF_ERROR(ReadChunk(index, &cached_));
      cached_index_ = index;
    }
    const size_t in_chunk = static_cast<size_t>(pos - index * kChunkSize);
    if (in_chunk >= cached_.size()) break;
    const size_t n = std::min(size - done, cached_.size() - in_chunk);
    std::memcpy(p + done, cached_.data() + in_chunk, n);
    done += n;
  }
  return done;
}

Status AgeReader::DecryptAll(const Sink& sink) {
  std::vector<uint8_t> chunk;
  for (uint64_t i = 0; i < chunk_count_; ++i) {
    VDIBK_RETURN_IF_ERROR(ReadChunk(i, &chunk));
    if (!chunk.empty() || chunk_count_ == 1)
      VDIBK_RETURN_IF_ERROR(sink(chunk.data(), chunk.size()));
  }
  return Status::Ok();
}

}  // namespace vdibk::age
