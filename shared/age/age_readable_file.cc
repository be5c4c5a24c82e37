// AgeReadableFile: AgeReader over the inner file, errors with the file's name.
#include "shared/age/age_readable_file.h"

namespace vdibk::age {

Result<std::unique_ptr<AgeReadableFile>> AgeReadableFile::Open(
    std::unique_ptr<stripe::ReadableFile> inner, std::span<const Identity* const> identities) {
  std::unique_ptr<AgeReadableFile> f(new AgeReadableFile(std::move(inner)));
  auto reader = AgeReader::Open(*f->inner_, identities);
  if (!reader.ok()) return reader.status().WithContext(f->inner_->name());
  f->reader_ = std::move(reader).value();
  return f;
}

Result<size_t> AgeReadableFile::ReadAt(uint64_t offset, void* dst, size_t size) {
  auto n = reader_->ReadAt(offset, dst, size);
  if (!n.ok()) return n.status().WithContext(inner_->name());
  return n;
}

}  // namespace vdibk::age
