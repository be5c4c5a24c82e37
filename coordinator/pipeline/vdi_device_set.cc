// VdiDeviceSet over libsqlvdi's ClientVirtualDeviceSet.
#include "coordinator/pipeline/vdi_device_set.h"

#include <vector>

#include "coordinator/pipeline/vdi_call.h"
#include "vdierror.h"

namespace vdibk::coordinator {
namespace {

class LibVdiDeviceSet final : public VdiDeviceSet {
 public:
  int Create(const std::string& name, VDConfig* cfg) override {
    std::vector<char> n = CString(name);
    devices_.assign(cfg->deviceCount, nullptr);
    return set_.Create(n.data(), cfg);
  }
  int GetConfiguration(int64_t timeout_ms, VDConfig* cfg) override {
    return set_.GetConfiguration(static_cast<time_t>(timeout_ms), cfg);
  }
  int OpenDevice(uint32_t index, const std::string& name) override {
    if (index >= devices_.size()) return VD_E_INVALID;
    std::vector<char> n = CString(name);
    return set_.OpenDevice(n.data(), &devices_[index]);
  }
  int GetCommand(uint32_t device, int64_t timeout_ms, VDC_Command** cmd) override {
    return devices_[device]->GetCommand(static_cast<time_t>(timeout_ms), cmd);
  }
  int CompleteCommand(uint32_t device, VDC_Command* cmd, int completion_code,
                      unsigned long bytes) override {
    return devices_[device]->CompleteCommand(cmd, completion_code, bytes, 0);
  }
  int GetBufferHandle(uint8_t* buffer, unsigned int* handle) override {
    return set_.GetBufferHandle(buffer, handle);
  }
  int SignalAbort() override { return set_.SignalAbort(); }
  int Close() override { return set_.Close(); }

 private:
  ClientVirtualDeviceSet set_;
  std::vector<ClientVirtualDevice*> devices_;  // owned by set_
};

}  // namespace

std::unique_ptr<VdiDeviceSet> MakeLibVdiDeviceSet() { return std::make_unique<LibVdiDeviceSet>(); }

}  // namespace vdibk::coordinator
