// AgeWritableFile: AgeWriter with the inner WritableFile as its sink.
#include "shared/age/age_writable_file.h"

namespace vdibk::age {

Result<std::unique_ptr<AgeWritableFile>> AgeWritableFile::Create(
    std::unique_ptr<stripe::WritableFile> inner, std::span<const Recipient* const> recipients) {
  std::unique_ptr<AgeWritableFile> f(new AgeWritableFile(std::move(inner)));
  stripe::WritableFile* sink = f->inner_.get();
  auto writer = AgeWriter::Create(
      recipients, [sink](const uint8_t* data, size_t size) { return sink->Append(data, size); });
  if (!writer.ok()) {
    f->inner_->Abort();  // the temporary file goes; a failed file takes only Abort
    return writer.status();
  }
  f->writer_ = std::move(writer).value();
  return f;
}

Status AgeWritableFile::Append(std::span<const stripe::ConstBuffer> pieces) {
  for (const stripe::ConstBuffer& b : pieces) VDIBK_RETURN_IF_ERROR(writer_->Write(b.data, b.size));
  return Status::Ok();
}

Status AgeWritableFile::Sync() { return inner_->Sync(); }

Status AgeWritableFile::Commit() {
  VDIBK_RETURN_IF_ERROR(writer_->Finish());
  return inner_->Commit();
}

void AgeWritableFile::Abort() { inner_->Abort(); }

uint64_t AgeWritableFile::size() const { return writer_->plaintext_size(); }

const std::string& AgeWritableFile::name() const { return inner_->name(); }

}  // namespace vdibk::age
