// VdiBufferMapper: OpenInSecondary / MapBufferHandle / Close over libsqlvdi.
#include "workers/buffer_mapper.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "vdi.h"
#include "vdierror.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace vdibk::workers {
namespace {

std::string Hex(int hr) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

Status VdiError(const std::string& what, int hr) {
  ErrorCode code = hr == VD_E_ABORT ? ErrorCode::kAborted : ErrorCode::kFailed;
  return Status(code, what + " failed: " + Hex(hr));
}

}  // namespace

VdiBufferMapper::VdiBufferMapper() : set_(std::make_unique<ClientVirtualDeviceSet>()) {}

VdiBufferMapper::~VdiBufferMapper() { Close(); }

Status VdiBufferMapper::Open(const std::string& set_name) {
  if (open_) return Status::Failed("the VDI set is already open");
  std::vector<char> name(set_name.begin(), set_name.end());
  name.push_back('\0');
  int hr = set_->OpenInSecondary(name.data());
  if (hr != NOERROR) return VdiError("OpenInSecondary('" + set_name + "')", hr);
  open_ = true;
  return Status::Ok();
}

Result<uint8_t*> VdiBufferMapper::Map(uint32_t handle) {
  if (!open_) return Status::Failed("MapBufferHandle before OpenInSecondary");
  uint8_t* p = nullptr;
  int hr = set_->MapBufferHandle(static_cast<int>(handle), &p);
  if (hr != NOERROR) return VdiError("MapBufferHandle(" + std::to_string(handle) + ")", hr);
  return p;
}

Result<uint8_t*> VdiBufferMapper::MapForWrite(uint32_t handle, size_t size) {
  VDIBK_ASSIGN_OR_RETURN(uint8_t * p, Map(handle));
  size_t& done = populated_[p];
  if (size > done) {
    static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + done) & ~(page - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(p) + size;
    (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
    done = size;
  }
  return p;
}

void VdiBufferMapper::Close() {
  populated_.clear();
  if (!open_) return;
  open_ = false;
  set_->Close();
}

}  // namespace vdibk::workers
