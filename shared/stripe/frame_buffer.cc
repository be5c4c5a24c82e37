// FrameBuffer: FrameEncoder writing into a growing in-memory "file".
#include "shared/stripe/frame_buffer.h"

namespace vdibk::stripe {
namespace {

// A WritableFile over a vector: appends only; nothing to sync or publish.
class MemoryFile final : public WritableFile {
 public:
  explicit MemoryFile(std::vector<uint8_t>& out) : out_(out) {}
  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    for (const ConstBuffer& p : pieces) {
      const auto* b = static_cast<const uint8_t*>(p.data);
      out_.insert(out_.end(), b, b + p.size);
    }
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Commit() override { return Status::Ok(); }
  void Abort() override {}
  uint64_t size() const override { return out_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::vector<uint8_t>& out_;
  const std::string name_ = "memory frame";
};

}  // namespace

Result<FrameBuffer> FrameBuffer::Create(Compression compression, int level, uint32_t block_size) {
  VDIBK_ASSIGN_OR_RETURN(FrameEncoder enc, FrameEncoder::Create(compression, level, block_size));
  return FrameBuffer(std::move(enc));
}

Status FrameBuffer::Encode(const void* data, size_t size, std::vector<uint8_t>& out) {
  if (size == 0) return Status::Usage("an LZ4 frame of a stripe is never empty");
  out.clear();
  MemoryFile file(out);
  VDIBK_RETURN_IF_ERROR(encoder_.Begin(file));
  VDIBK_RETURN_IF_ERROR(encoder_.Update(file, static_cast<const uint8_t*>(data), size));
  return encoder_.End(file);
}

}  // namespace vdibk::stripe
