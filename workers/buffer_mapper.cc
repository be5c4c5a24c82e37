// VdiBufferMapper: OpenInSecondary / MapBufferHandle / Close over libsqlvdi.
#include "workers/buffer_mapper.h"

#include <cstdio>
#include <vector>

#include "vdi.h"
#include "vdierror.h"

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

void VdiBufferMapper::Close() {
  if (!open_) return;
  open_ = false;
  set_->Close();
}

}  // namespace vdibk::workers
