// AgeWriter: header construction (stanzas + MAC) and chunk-at-a-time sealing.
#include "shared/age/age_writer.h"

#include <algorithm>
#include <cstring>

#include "shared/age/age_header.h"
#include "shared/age/age_stream.h"

namespace vdibk::age {

Result<std::unique_ptr<AgeWriter>> AgeWriter::Create(std::span<const Recipient* const> recipients,
                                                     Sink sink) {
  if (recipients.empty()) return Status::Usage("age: no recipients");
  for (const Recipient* r : recipients)
    if (r->MustBeAlone() && recipients.size() > 1)
      return Status::Usage("age: a passphrase (scrypt) recipient cannot be combined with others");
  SecretBytes file_key(kFileKeySize);
  VDIBK_RETURN_IF_ERROR(RandomBytes({file_key.data(), file_key.size()}));
  std::vector<Stanza> stanzas;
  for (const Recipient* r : recipients) {
    VDIBK_ASSIGN_OR_RETURN(std::vector<Stanza> s, r->Wrap(file_key));
    for (Stanza& one : s) stanzas.push_back(std::move(one));
  }
  VDIBK_ASSIGN_OR_RETURN(std::string header, EncodeHeaderMacInput(stanzas));
  VDIBK_ASSIGN_OR_RETURN(Bytes32 mac, HeaderMac(file_key, header));
  header += " " + Base64Encode(mac) + "\n";
  uint8_t nonce[kPayloadNonceSize];
  VDIBK_RETURN_IF_ERROR(RandomBytes(nonce));
  VDIBK_ASSIGN_OR_RETURN(SecretBytes payload_key, DerivePayloadKey(file_key, nonce));
  std::unique_ptr<AgeWriter> w(new AgeWriter(std::move(payload_key), std::move(sink)));
  VDIBK_RETURN_IF_ERROR(w->Emit(reinterpret_cast<const uint8_t*>(header.data()), header.size()));
  VDIBK_RETURN_IF_ERROR(w->Emit(nonce, sizeof(nonce)));
  return w;
}

AgeWriter::AgeWriter(SecretBytes payload_key, Sink sink)
    : payload_key_(std::move(payload_key)), sink_(std::move(sink)) {
  buffer_.reserve(kChunkSize);
  sealed_.resize(kSealedChunkSize);
}

AgeWriter::~AgeWriter() { Wipe(buffer_.data(), buffer_.capacity()); }

Status AgeWriter::Emit(const uint8_t* data, size_t size) {
  Status st = sink_(data, size);
  if (!st.ok()) {
    failed_ = st;
    return st;
  }
  encrypted_size_ += size;
  return Status::Ok();
}

Status AgeWriter::SealBuffered(bool last) {
  Status st = SealChunk(payload_key_, chunk_index_, last, buffer_, sealed_.data());
  if (!st.ok()) {
    failed_ = st;
    return st;
  }
  ++chunk_index_;
  const size_t n = buffer_.size() + kAeadTagSize;
  buffer_.clear();
  return Emit(sealed_.data(), n);
}

Status AgeWriter::Write(const void* data, size_t size) {
  VDIBK_RETURN_IF_ERROR(failed_);
  if (finished_) return Status::Failed("age: Write after Finish");
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    // A full chunk is sealed only now that more data follows: it is not the last one.
    if (buffer_.size() == kChunkSize) VDIBK_RETURN_IF_ERROR(SealBuffered(false));
    const size_t n = std::min(size, kChunkSize - buffer_.size());
    buffer_.insert(buffer_.end(), p, p + n);
    p += n;
    size -= n;
    plaintext_size_ += n;
  }
  return Status::Ok();
}

Status AgeWriter::Finish() {
  VDIBK_RETURN_IF_ERROR(failed_);
  if (finished_) return Status::Failed("age: Finish called twice");
  finished_ = true;
  return SealBuffered(true);
}

}  // namespace vdibk::age
