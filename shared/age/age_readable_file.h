// AgeReadableFile: a stripe::ReadableFile of the plaintext of an age file held by another
// ReadableFile; ReadAt decrypts only the 64 KiB chunks a range touches.
#ifndef VDIBK_SHARED_AGE_AGE_READABLE_FILE_H_
#define VDIBK_SHARED_AGE_AGE_READABLE_FILE_H_

#include <memory>
#include <span>

#include "shared/age/age_reader.h"
#include "shared/stripe/target.h"

namespace vdibk::age {

// Not thread-safe (unlike most ReadableFiles: AgeReader caches one chunk). Size() is the
// plaintext size the file's length implies; a read of the last chunk authenticates it.
class AgeReadableFile : public stripe::ReadableFile {
 public:
  // Errors: AgeReader::Open's.
  static Result<std::unique_ptr<AgeReadableFile>> Open(std::unique_ptr<stripe::ReadableFile> inner,
                                                       std::span<const Identity* const> identities);

  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override;
  Result<uint64_t> Size() override { return reader_->plaintext_size(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  explicit AgeReadableFile(std::unique_ptr<stripe::ReadableFile> inner)
      : inner_(std::move(inner)) {}
  std::unique_ptr<stripe::ReadableFile> inner_;
  std::unique_ptr<AgeReader> reader_;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_READABLE_FILE_H_
