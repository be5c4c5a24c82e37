// vdibackup libsqlvdi: the server side of VDI (what SQL Server does), as a C++ API for
// vdi-emulator. Semantics follow IServerVirtualDeviceSet2 / IServerVirtualDevice (docs/vdi.md
// "Server side"). Not part of Microsoft's SDK; exported from our libsqlvdi.so under namespace
// vdibk::vdi.
#ifndef VDIBK_VDI_SERVER_H_
#define VDIBK_VDI_SERVER_H_

#include <stdint.h>

#include <memory>
#include <string>

#include "vdi.h"
#include "vdierror.h"

namespace vdibk::vdi {

// SendCommand's result when the device is in the IO-ERROR state (no published value exists; ours).
constexpr int VD_E_IO_ERROR = MAKE_HRESULT(1, VD_FACILITY, 0x40);

// Completion routine of a VDS_Command: called exactly once per command handed to SendCommand,
// on the completion-agent thread (normal completions, abort) or on the sending thread (immediate
// rejection). completionCode/bytesTransferred/outPosition are filled before the call.
using CompletionRoutine = void (*)(VDS_Command*);

class ServerSetImpl;
class ServerDeviceImpl;

// One device of a server set. Thread-safe; normally driven by one thread per device.
class VDIBK_SQLVDI_EXPORT ServerVirtualDevice {
 public:
  // Queues `cmd` (the caller keeps it alive until its completion routine ran). Returns NOERROR,
  // VD_E_BUSY (queue full; routine gets ERROR_NO_SYSTEM_RESOURCES), VD_E_IO_ERROR (routine gets
  // ERROR_IO_DEVICE), VD_E_PROTOCOL (device closed; ERROR_INVALID_HANDLE), VD_E_ABORT
  // (ERROR_OPERATION_ABORTED) or VD_E_INVALID (bad buffer; ERROR_INVALID_PARAMETER).
  int SendCommand(VDS_Command* cmd);
  // Ends the device: the client's GetCommand returns VD_E_CLOSE once queued commands are fetched.
  // VD_E_CLOSE if already closed; VD_E_ABORT after an abort.
  int CloseDevice();
  // The device name as opened.
  const char* Name() const;
  // True while the device is in the IO-ERROR state (a command was completed with an error).
  bool InIoError() const;

 private:
  friend class ServerSetImpl;
  explicit ServerVirtualDevice(ServerDeviceImpl* impl) : impl_(impl) {}
  ServerDeviceImpl* impl_;
};

// The server's view of a virtual device set. States: DNE -> Connected (Open) -> Configurable
// (BeginConfiguration) -> Initializing (EndConfiguration) -> Active -> Normally Terminated; Abort
// from any live state; Close from any state returns to DNE.
class VDIBK_SQLVDI_EXPORT ServerVirtualDeviceSet {
 public:
  ServerVirtualDeviceSet();
  ~ServerVirtualDeviceSet();  // Closes if still open.
  ServerVirtualDeviceSet(const ServerVirtualDeviceSet&) = delete;
  ServerVirtualDeviceSet& operator=(const ServerVirtualDeviceSet&) = delete;

  // Attaches to the set the client created. VD_E_INVALID if no accessible set of that name,
  // VD_E_PROTOCOL if this object is open or another server already attached.
  int Open(const char* name);
  // The client's requested configuration.
  int GetConfiguration(VDConfig* cfg);
  // features: VDF_WriteMedia and/or VDF_ReadMedia (+ VDF_CompleteEnabled to offer VDC_Complete,
  // kept only if the client asked with VDF_RequestComplete). blockSize: power of 2, 512..65536.
  // alignment: power of 2, >= blockSize, <= 65536, 0 = blockSize. maxTransferSize: multiple of
  // 65536, at most 4 MiB. timeoutMs: unused (kept for the interface shape).
  int BeginConfiguration(uint32_t features, uint32_t blockSize, uint32_t alignment,
                         uint32_t maxTransferSize, uint32_t timeoutMs);
  // Declares `count` buffers of `size` data bytes. Summed until EndConfiguration; afterwards
  // allocated at once (a new shared-memory segment). VD_E_MEMORY when shared memory is short.
  int RequestBuffers(uint32_t size, uint32_t alignment, uint32_t count);
  // Publishes the configuration: the client's GetConfiguration returns. VD_E_MEMORY leaves the
  // set Configurable with no buffers.
  int EndConfiguration();
  // Opens the next device under `name` (the first must be the set name). VD_E_OPEN after
  // deviceCount devices; VD_E_INVALID for a duplicate or bad name.
  int OpenDevice(const char* name, ServerVirtualDevice** dev);
  // Runs the completion loop on the calling thread until all devices are closed and idle
  // (NOERROR) or the set is aborted (VD_E_ABORT). Detects client death and the serverTimeOut
  // watchdog (abort when requests are pending and none completes for 2 x serverTimeOut).
  int ExecuteCompletionAgent();
  int AllocateBuffer(uint8_t** buf, uint32_t size, uint32_t alignment);
  int FreeBuffer(uint8_t* buf, uint32_t size);
  bool IsSharedBuffer(const uint8_t* buf) const;
  // Aborts the set: waits return VD_E_ABORT, outstanding commands complete with
  // ERROR_OPERATION_ABORTED. Always NOERROR.
  int SignalAbort();
  // Releases everything. VD_E_PROTOCOL if devices are still open (the set is aborted first).
  int Close();

  // True once the set is aborted (by either side, or by a participant's death).
  bool IsAborted() const;
  // Why the set was aborted ("" if it was not), e.g. "client process died".
  std::string AbortReason() const;
  // The configuration as published to the client (valid after EndConfiguration).
  VDConfig PublishedConfiguration() const;

 private:
  std::unique_ptr<ServerSetImpl> impl_;
};

}  // namespace vdibk::vdi

#endif  // VDIBK_VDI_SERVER_H_
