// VdiDeviceSet: the seam between the DeviceDispatcher and the VDI primary client (libsqlvdi's
// ClientVirtualDeviceSet and its devices), with a real implementation over libsqlvdi; tests give
// the dispatcher a fake set that serves scripted commands.
#ifndef VDIBK_COORDINATOR_PIPELINE_VDI_DEVICE_SET_H_
#define VDIBK_COORDINATOR_PIPELINE_VDI_DEVICE_SET_H_

#include <cstdint>
#include <memory>
#include <string>

#include "vdi.h"

namespace vdibk::coordinator {

// VDI result codes as libsqlvdi returns them (NOERROR, VD_E_TIMEOUT, VD_E_CLOSE, VD_E_ABORT...).
// Thread contract as libsqlvdi's: each device's GetCommand from one thread; CompleteCommand,
// SignalAbort and GetConfiguration(0) from any thread.
class VdiDeviceSet {
 public:
  virtual ~VdiDeviceSet() = default;
  virtual int Create(const std::string& name, VDConfig* cfg) = 0;
  virtual int GetConfiguration(int64_t timeout_ms, VDConfig* cfg) = 0;
  // Opens device `index` (0-based, in the order of the statement's device names).
  virtual int OpenDevice(uint32_t index, const std::string& name) = 0;
  // timeout_ms -1: wait for ever; 0: only a command already at hand (else VD_E_TIMEOUT).
  virtual int GetCommand(uint32_t device, int64_t timeout_ms, VDC_Command** cmd) = 0;
  virtual int CompleteCommand(uint32_t device, VDC_Command* cmd, int completion_code,
                              unsigned long bytes) = 0;
  virtual int GetBufferHandle(uint8_t* buffer, unsigned int* handle) = 0;
  virtual int SignalAbort() = 0;
  virtual int Close() = 0;
};

// The real set: libsqlvdi's ClientVirtualDeviceSet (up to 64 devices).
std::unique_ptr<VdiDeviceSet> MakeLibVdiDeviceSet();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_VDI_DEVICE_SET_H_
