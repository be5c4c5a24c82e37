// BufferMapper: the worker's seam to VDI. Opens the set as a secondary client and turns buffer
// handles into addresses. VdiBufferMapper uses libsqlvdi; tests substitute fakes.
#ifndef VDIBK_WORKERS_BUFFER_MAPPER_H_
#define VDIBK_WORKERS_BUFFER_MAPPER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "shared/base/result.h"

class ClientVirtualDeviceSet;

namespace vdibk::workers {

// Single-threaded (the worker loop). Close() is idempotent and done by the destructor.
class BufferMapper {
 public:
  virtual ~BufferMapper() = default;
  // OpenInSecondary(set_name), once. Errors: kAborted (set gone/aborted) or kFailed.
  virtual Status Open(const std::string& set_name) = 0;
  // The mapped address of `handle`, valid until the worker replies for it. Errors: kFailed
  // (VD_E_INVALID: forged/stale handle), kAborted (the set was aborted).
  virtual Result<uint8_t*> Map(uint32_t handle) = 0;
  virtual void Close() = 0;
};

class VdiBufferMapper final : public BufferMapper {
 public:
  VdiBufferMapper();
  ~VdiBufferMapper() override;
  VdiBufferMapper(const VdiBufferMapper&) = delete;
  VdiBufferMapper& operator=(const VdiBufferMapper&) = delete;

  Status Open(const std::string& set_name) override;
  Result<uint8_t*> Map(uint32_t handle) override;
  void Close() override;

 private:
  std::unique_ptr<ClientVirtualDeviceSet> set_;
  bool open_ = false;
};

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_BUFFER_MAPPER_H_
