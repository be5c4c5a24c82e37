// NullTarget: counting sink.
#include "shared/stripe/null_target.h"

namespace vdibk::stripe {

class NullWritableFile final : public WritableFile {
 public:
  NullWritableFile(NullTarget* target, std::string name)
      : target_(target), name_(std::move(name)) {}
  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    uint64_t n = 0;
    for (const auto& p : pieces) n += p.size;
    size_ += n;
    target_->bytes_.fetch_add(n, std::memory_order_relaxed);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Commit() override {
    target_->commits_.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  }
  void Abort() override {}
  // Encoders discarded the bytes too (NullPlacementFile): only the count moves.
  Status AdoptWritten(uint64_t n, const ByteSink&) override {
    size_ += n;
    target_->bytes_.fetch_add(n, std::memory_order_relaxed);
    return Status::Ok();
  }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  NullTarget* target_;
  std::string name_;
  uint64_t size_ = 0;
};

class NullPlacementFile final : public PlacementFile {
 public:
  Status WriteAt(uint64_t, const void*, size_t) override { return Status::Ok(); }
};

Result<std::unique_ptr<PlacementFile>> NullTarget::OpenForPlacement(const std::string&) {
  return std::unique_ptr<PlacementFile>(std::make_unique<NullPlacementFile>());
}

Result<std::unique_ptr<WritableFile>> NullTarget::Create(const std::string& name,
                                                         const CreateOptions&) {
  return std::unique_ptr<WritableFile>(std::make_unique<NullWritableFile>(this, name));
}

Result<std::unique_ptr<ReadableFile>> NullTarget::Open(const std::string& name) {
  return Status::Missing("null target keeps no data (" + name + ")");
}

}  // namespace vdibk::stripe
