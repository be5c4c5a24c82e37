// Control commands, retiring in-flight commands and completion errors for the device loops.
#include "emulator/engine/vdi_device_commands.h"

#include "emulator/base/sql_error.h"
#include "vdierror.h"

namespace vdibk::emulator {

const char* CommandName(uint32_t code) {
  switch (code) {
    case VDC_Read:
      return "Read";
    case VDC_Write:
      return "Write";
    case VDC_ClearError:
      return "ClearError";
    case VDC_Rewind:
      return "Rewind";
    case VDC_WriteMark:
      return "WriteMark";
    case VDC_SkipMarks:
      return "SkipMarks";
    case VDC_SkipBlocks:
      return "SkipBlocks";
    case VDC_Load:
      return "Load";
    case VDC_GetPosition:
      return "GetPosition";
    case VDC_SetPosition:
      return "SetPosition";
    case VDC_Discard:
      return "Discard";
    case VDC_Flush:
      return "Flush";
    case VDC_Snapshot:
      return "Snapshot";
    case VDC_MountSnapshot:
      return "MountSnapshot";
    case VDC_PrepareToFreeze:
      return "PrepareToFreeze";
    case VDC_Complete:
      return "Complete";
    default:
      return "Command";
  }
}

Status CompletionError(const VdiServerSession& s, uint32_t d, const InFlight& f, bool backup) {
  const uint32_t code = f.cmd.completionCode;
  if (code == ERROR_OPERATION_ABORTED) {
    return SqlErrorStatus(18210, std::string("BackupVirtualDeviceSet::") +
                                     (backup ? "SendData" : "ReceiveData") +
                                     ": failure on backup device '" + s.device_name(d) +
                                     "'. Operating system error " + Win32Text(code) + ".");
  }
  return SqlErrorStatus(backup ? 3202 : 3203, std::string(CommandName(f.cmd.commandCode)) +
                                                  " on \"" + s.device_name(d) +
                                                  "\" failed: " + Win32Text(code));
}

bool Retire(VdiServerSession& s, uint32_t d, std::deque<std::unique_ptr<InFlight>>& q,
            bool backup) {
  std::unique_ptr<InFlight> f = std::move(q.front());
  q.pop_front();
  bool ok = s.Wait(d, f.get());
  s.ReleaseBuffer(f->buffer);
  if (!ok) return false;
  if (f->cmd.completionCode != ERROR_SUCCESS ||
      (backup && f->cmd.commandCode == VDC_Write && f->cmd.bytesTransferred != f->cmd.size)) {
    if (!s.failed()) s.Fail(CompletionError(s, d, *f, backup), false);
    return false;
  }
  return true;
}

std::optional<uint32_t> Exchange(VdiServerSession& s, uint32_t d, uint32_t code, uint32_t size,
                                 uint64_t position, uint64_t* out_position) {
  InFlight f;
  if (s.Send(d, &f, code, nullptr, size, position) != NOERROR) {
    if (!s.failed()) s.Fail(CompletionError(s, d, f, true), false);
    return std::nullopt;
  }
  if (!s.Wait(d, &f)) return std::nullopt;
  if (out_position) *out_position = f.cmd.outPosition;
  return f.cmd.completionCode;
}

bool Control(VdiServerSession& s, uint32_t d, uint32_t code, bool backup, uint32_t size,
             uint64_t position, uint64_t* out_position) {
  InFlight f;
  if (s.Send(d, &f, code, nullptr, size, position) != NOERROR) {
    if (!s.failed()) s.Fail(CompletionError(s, d, f, backup), false);
    return false;
  }
  if (!s.Wait(d, &f)) return false;
  if (out_position) *out_position = f.cmd.outPosition;
  if (f.cmd.completionCode == ERROR_SUCCESS) return true;
  if (!s.failed()) s.Fail(CompletionError(s, d, f, backup), false);
  return false;
}

void EndDevice(VdiServerSession& s, uint32_t d) {
  if (s.DiscardDue()) {
    const bool usable = !s.InIoError(d) || Exchange(s, d, VDC_ClearError) == ERROR_SUCCESS;
    if (usable && Exchange(s, d, VDC_Discard) == ERROR_SUCCESS) s.NoteDiscarded();
  }
  s.CloseDevice(d);
}

void SendUnexpected(VdiServerSession& s, uint32_t d, uint32_t code) {
  InFlight f;
  if (s.Send(d, &f, code, nullptr, 0) != NOERROR || !s.Wait(d, &f)) return;
  if (f.cmd.completionCode != ERROR_SUCCESS) Control(s, d, VDC_ClearError);
}

}  // namespace vdibk::emulator
