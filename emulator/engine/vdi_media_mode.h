// MediaMode: the pipe-, tape- or disk-like behaviour a VDI client asked for in VDConfig.features,
// and the extra commands the emulator sends for it around the data (Load, Rewind, marks,
// GetPosition/SetPosition). The sequences are listed in emulator/README.md "Media modes".
#ifndef VDIBK_EMULATOR_ENGINE_VDI_MEDIA_MODE_H_
#define VDIBK_EMULATOR_ENGINE_VDI_MEDIA_MODE_H_

#include <cstdint>

#include "emulator/engine/vdi_server_session.h"

namespace vdibk::emulator {

enum class MediaMode {
  kPipe,  // VDF_LikePipe (0): Writes/Reads only
  kTape,  // VDF_FileMarks set (VDF_LikeTape): Load, Rewind, marks, block addresses
  kDisk,  // VDF_RandomAccess (VDF_LikeDisk): a byte position on every Read/Write
};

MediaMode MediaModeOf(uint32_t client_features);
const char* MediaModeName(MediaMode mode);

// The position to put on a data Read/Write that starts at stream byte `offset` (0 unless disk).
inline uint64_t DataPosition(MediaMode mode, uint64_t offset) {
  return mode == MediaMode::kDisk ? offset : 0;
}

// Each returns false when the run failed (the failure is recorded in `s`).
// Backup, before the first Write. Tape: Load, Rewind, GetPosition. Disk: SetPosition(0 from
// the beginning).
bool BeginBackupMedia(VdiServerSession& s, uint32_t d, MediaMode mode);
// Backup, once every Write completed, before Flush. Tape: WriteMark (end of the data set) then
// GetPosition. Disk: GetPosition, which must equal `written` (else error 3202).
bool EndBackupData(VdiServerSession& s, uint32_t d, MediaMode mode, uint64_t written);
// Restore, before the first Read. Tape: Load, Rewind, GetPosition, SetPosition(to that block
// address). Disk: one block Read at position 0 (media header validation), then SetPosition(0).
bool BeginRestoreMedia(VdiServerSession& s, uint32_t d, MediaMode mode);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_VDI_MEDIA_MODE_H_
