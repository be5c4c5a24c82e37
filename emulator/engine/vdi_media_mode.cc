// MediaMode: the tape- and disk-like command sequences around a device's data.
#include "emulator/engine/vdi_media_mode.h"

#include <thread>

#include "emulator/base/sql_error.h"
#include "emulator/engine/vdi_device_commands.h"
#include "vdierror.h"

namespace vdibk::emulator {
namespace {

constexpr uint32_t kFromBeginning = 0;  // VDC_Beginning: SetPosition origin in the size field

// A free buffer; waits while other devices hold them all (never long: they complete I/O).
uint8_t* AcquireBuffer(VdiServerSession& s) {
  for (;;) {
    if (uint8_t* b = s.TryAcquireBuffer()) return b;
    if (s.failed()) return nullptr;
    std::this_thread::yield();
  }
}

}  // namespace

MediaMode MediaModeOf(uint32_t client_features) {
  if (client_features & VDF_FileMarks) return MediaMode::kTape;
  if (client_features & VDF_RandomAccess) return MediaMode::kDisk;
  return MediaMode::kPipe;
}

const char* MediaModeName(MediaMode mode) {
  switch (mode) {
    case MediaMode::kTape:
      return "tape";
    case MediaMode::kDisk:
      return "disk";
    default:
      return "pipe";
  }
}

bool BeginBackupMedia(VdiServerSession& s, uint32_t d, MediaMode mode) {
  switch (mode) {
    case MediaMode::kTape: {
      uint64_t start = 0;
      return Control(s, d, VDC_Load) && Control(s, d, VDC_Rewind) &&
             Control(s, d, VDC_GetPosition, true, 0, 0, &start);
    }
    case MediaMode::kDisk:
      return Control(s, d, VDC_SetPosition, true, kFromBeginning, 0);
    default:
      return true;
  }
}

bool EndBackupData(VdiServerSession& s, uint32_t d, MediaMode mode, uint64_t written) {
  uint64_t at = 0;
  switch (mode) {
    case MediaMode::kTape:
      return Control(s, d, VDC_WriteMark) && Control(s, d, VDC_GetPosition, true, 0, 0, &at);
    case MediaMode::kDisk:
      if (!Control(s, d, VDC_GetPosition, true, 0, 0, &at)) return false;
      if (at != written) {
        s.Fail(SqlErrorStatus(3202, "Write on \"" + s.device_name(d) +
                                        "\" failed: the device reports "
                                        "position " +
                                        std::to_string(at) + " after " + std::to_string(written) +
                                        " bytes were written."),
               false);
        return false;
      }
      return true;
    default:
      return true;
  }
}

bool BeginRestoreMedia(VdiServerSession& s, uint32_t d, MediaMode mode) {
  switch (mode) {
    case MediaMode::kTape: {
      uint64_t start = 0;
      return Control(s, d, VDC_Load, false) && Control(s, d, VDC_Rewind, false) &&
             Control(s, d, VDC_GetPosition, false, 0, 0, &start) &&
             Control(s, d, VDC_SetPosition, false, 0, start);
    }
    case MediaMode::kDisk: {
      uint8_t* buf = AcquireBuffer(s);
      if (!buf) return false;
      InFlight f;
      const int rc = s.Send(d, &f, VDC_Read, buf, s.config().blockSize, 0);
      const bool ok = rc == NOERROR && s.Wait(d, &f);
      s.ReleaseBuffer(buf);
      if (!ok) return false;
      const uint32_t code = f.cmd.completionCode;
      if (code == ERROR_HANDLE_EOF || code == ERROR_NO_DATA_DETECTED) {
        Control(s, d, VDC_ClearError, false);  // an empty medium: the restore fails later (3203)
      } else if (code != ERROR_SUCCESS) {
        if (!s.failed()) s.Fail(CompletionError(s, d, f, false), false);
        return false;
      }
      return !s.failed() && Control(s, d, VDC_SetPosition, false, kFromBeginning, 0);
    }
    default:
      return true;
  }
}

}  // namespace vdibk::emulator
