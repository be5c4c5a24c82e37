// Helpers of the VDI device loops: one control command sent and waited for, the oldest in-flight
// data command retired, and completion codes turned into SQL Server errors. Internal to
// emulator/engine (used by vdi_server_run.cc, vdi_media_mode.cc and vdi_snapshot_device.cc).
#ifndef VDIBK_EMULATOR_ENGINE_VDI_DEVICE_COMMANDS_H_
#define VDIBK_EMULATOR_ENGINE_VDI_DEVICE_COMMANDS_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "emulator/engine/vdi_server_session.h"

namespace vdibk::emulator {

constexpr size_t kDepth = 4;  // commands in flight per device (the VDI maxIODepth)

// "Write", "Flush", "SetPosition", ... for messages.
const char* CommandName(uint32_t code);

// A command the client did not complete with success: 18210 for ERROR_OPERATION_ABORTED, else
// 3202 (backup) / 3203 (restore) "<Command> on "<device>" failed: <os error>".
Status CompletionError(const VdiServerSession& s, uint32_t d, const InFlight& f, bool backup);

// Waits for the oldest in-flight command of `q`, returns its buffer to the pool; false when the
// run must stop (a failed or short Write fails the run).
bool Retire(VdiServerSession& s, uint32_t d, std::deque<std::unique_ptr<InFlight>>& q, bool backup);

// Sends a command without data and waits for it. Returns its completion code (outPosition in
// *out_position), or nullopt when it was rejected or the wait failed (failure recorded).
std::optional<uint32_t> Exchange(VdiServerSession& s, uint32_t d, uint32_t code, uint32_t size = 0,
                                 uint64_t position = 0, uint64_t* out_position = nullptr);

// Exchange() where anything but ERROR_SUCCESS fails the run (CompletionError).
bool Control(VdiServerSession& s, uint32_t d, uint32_t code, bool backup = true, uint32_t size = 0,
             uint64_t position = 0, uint64_t* out_position = nullptr);

// Ends device `d` after its last command: when s.DiscardDue(), VDC_Discard first (preceded by
// VDC_ClearError in the IO-ERROR state, where nothing else may be sent: vdi-protocol.md §4.4);
// then CloseDevice. A Discard the client fails changes nothing: the device closes all the same.
void EndDevice(VdiServerSession& s, uint32_t d);

// A command the client did not ask for (fault injection). A client answers ERROR_NOT_SUPPORTED;
// that puts the device in IO-ERROR, which ClearError ends, as SQL Server would do.
void SendUnexpected(VdiServerSession& s, uint32_t d, uint32_t code);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_VDI_DEVICE_COMMANDS_H_
