// FaultTarget: wraps each WritableFile and fails it according to the FaultSpec.
#include "shared/stripe/fault_target.h"

#include <cerrno>
#include <vector>

namespace vdibk::stripe {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultTarget* owner, std::unique_ptr<WritableFile> inner)
      : owner_(owner), inner_(std::move(inner)) {}

  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    const auto& limit = owner_->spec_.enospc_after_bytes;
    if (!limit) return inner_->Append(pieces);
    uint64_t room = *limit > inner_->size() ? *limit - inner_->size() : 0;
    std::vector<ConstBuffer> fit;
    bool full = false;
    for (const auto& p : pieces) {
      if (p.size <= room) {
        fit.push_back(p);
        room -= p.size;
      } else {
        if (room) fit.push_back({p.data, static_cast<size_t>(room)});
        room = 0;
        full = true;
        break;
      }
    }
    VDIBK_RETURN_IF_ERROR(inner_->Append(fit));
    if (full) {
      return Status::FromErrno(ErrorCode::kTargetIo,
                               "target full: write " + name() + " at offset " +
                                   std::to_string(inner_->size()) + " (injected)",
                               ENOSPC);
    }
    return Status::Ok();
  }

  Status Sync() override {
    ++syncs_;
    ++owner_->sync_calls_;
    if (owner_->spec_.fail_sync_at > 0 && syncs_ >= owner_->spec_.fail_sync_at) {
      ++owner_->failed_syncs_;
      return Status::FromErrno(ErrorCode::kTargetIo, "fdatasync " + name() + " (injected)", EIO);
    }
    return inner_->Sync();
  }

  Status Commit() override {
    if (owner_->spec_.fail_commit) {
      return Status::FromErrno(ErrorCode::kTargetIo, "fsync " + name() + " (injected)", EIO);
    }
    if (owner_->spec_.fail_sync_at > 0 && syncs_ + 1 >= owner_->spec_.fail_sync_at) {
      ++owner_->failed_syncs_;
      return Status::FromErrno(ErrorCode::kTargetIo, "fsync " + name() + " (injected)", EIO);
    }
    return inner_->Commit();
  }

  void Abort() override { inner_->Abort(); }
  Status AdoptWritten(uint64_t n, const ByteSink& sink) override {
    return inner_->AdoptWritten(n, sink);
  }
  uint64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  FaultTarget* owner_;
  std::unique_ptr<WritableFile> inner_;
  int syncs_ = 0;
};

Result<std::unique_ptr<WritableFile>> FaultTarget::Create(const std::string& name,
                                                          const CreateOptions& options) {
  VDIBK_ASSIGN_OR_RETURN(auto inner, inner_->Create(name, options));
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(this, std::move(inner)));
}

}  // namespace vdibk::stripe
