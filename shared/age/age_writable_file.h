// AgeWritableFile: a stripe::WritableFile that age-encrypts everything appended to it into
// another WritableFile, so stripes and manifests can be written encrypted without knowing it.
#ifndef VDIBK_SHARED_AGE_AGE_WRITABLE_FILE_H_
#define VDIBK_SHARED_AGE_AGE_WRITABLE_FILE_H_

#include <memory>
#include <span>

#include "shared/age/age_recipient.h"
#include "shared/age/age_writer.h"
#include "shared/stripe/target.h"

namespace vdibk::age {

// Not thread-safe; one owner. size() counts plaintext bytes appended. Sync makes durable the
// chunks sealed so far: up to 64 KiB of plaintext is buffered until the next chunk fills or
// Commit seals the last one. Commit = seal the last chunk, then the inner Commit. AdoptWritten
// (fan-out) is not supported (kConfiguration): another writer's bytes are not encrypted by us.
class AgeWritableFile : public stripe::WritableFile {
 public:
  // Writes the age header to `inner` at once. Errors: AgeWriter::Create's (`inner` is then
  // Aborted).
  static Result<std::unique_ptr<AgeWritableFile>> Create(
      std::unique_ptr<stripe::WritableFile> inner, std::span<const Recipient* const> recipients);

  Status Append(std::span<const stripe::ConstBuffer> pieces) override;
  using stripe::WritableFile::Append;
  Status Sync() override;
  Status Commit() override;
  void Abort() override;
  uint64_t size() const override;
  const std::string& name() const override;
  uint64_t encrypted_size() const { return writer_->encrypted_size(); }

 private:
  explicit AgeWritableFile(std::unique_ptr<stripe::WritableFile> inner)
      : inner_(std::move(inner)) {}
  std::unique_ptr<stripe::WritableFile> inner_;
  std::unique_ptr<AgeWriter> writer_;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_WRITABLE_FILE_H_
