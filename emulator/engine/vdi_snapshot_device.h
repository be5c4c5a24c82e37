// The WITH SNAPSHOT flows of one VDI device (vdi-protocol.md §8): the metadata-only BACKUP with
// PrepareToFreeze, freeze, VDC_Snapshot and thaw, and the VDC_MountSnapshot step of a RESTORE.
// Internal to emulator/engine.
#ifndef VDIBK_EMULATOR_ENGINE_VDI_SNAPSHOT_DEVICE_H_
#define VDIBK_EMULATOR_ENGINE_VDI_SNAPSHOT_DEVICE_H_

#include <cstdint>

#include "emulator/engine/vdi_server_session.h"
#include "emulator/stream/device_stream.h"

namespace vdibk::emulator {

// Writes the metadata stream except its last block, sends VDC_PrepareToFreeze (if the client
// set VDF_SnapshotPrepare), freezes the database (options().freeze), writes the last block (the
// metadata of the frozen state), sends VDC_Snapshot, thaws and records the frozen time, ends the
// device (EndDevice: VDC_Discard first if the backup failed and the client offered
// VDF_Discard). No Flush / Complete: after VDC_Snapshot the client only sees VD_E_CLOSE.
void SnapshotBackupDevice(VdiServerSession& s, DeviceStream& stream, uint32_t d);

// After the metadata Reads of a RESTORE WITH SNAPSHOT: runs options().before_mount, sends
// ClearError first when the last Read ended in an error code (end of data), then
// VDC_MountSnapshot. False when the restore failed (recorded in `s`).
bool MountSnapshot(VdiServerSession& s, uint32_t d, bool clear_error_first);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_VDI_SNAPSHOT_DEVICE_H_
