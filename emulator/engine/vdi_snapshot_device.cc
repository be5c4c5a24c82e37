// SnapshotBackupDevice and MountSnapshot: the snapshot command sequences over one device.
#include "emulator/engine/vdi_snapshot_device.h"

#include <cstring>
#include <thread>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/engine/vdi_device_commands.h"
#include "vdierror.h"

namespace vdibk::emulator {
namespace {

// Writes bytes [from, to) of `data` in Writes of at most maxTransferSize, kDepth in flight.
bool WriteRange(VdiServerSession& s, uint32_t d, const std::vector<uint8_t>& data, size_t from,
                size_t to) {
  std::deque<std::unique_ptr<InFlight>> q;
  const size_t max = s.config().maxTransferSize;
  bool ok = true;
  while (ok && from < to && !s.failed()) {
    uint8_t* buf = s.TryAcquireBuffer();
    if (!buf) {
      if (q.empty()) {
        std::this_thread::yield();
      } else {
        ok = Retire(s, d, q, true);
      }
      continue;
    }
    const size_t n = std::min(max, to - from);
    std::memcpy(buf, data.data() + from, n);
    auto f = std::make_unique<InFlight>();
    if (s.Send(d, f.get(), VDC_Write, buf, static_cast<uint32_t>(n)) != NOERROR) {
      s.ReleaseBuffer(buf);
      if (!s.failed()) s.Fail(CompletionError(s, d, *f, true), false);
      ok = false;
      break;
    }
    from += n;
    s.AddBytes(n);
    q.push_back(std::move(f));
    while (ok && q.size() >= kDepth) ok = Retire(s, d, q, true);
  }
  while (!q.empty()) ok = Retire(s, d, q, true) && ok;
  return ok && !s.failed();
}

Status SnapshotRefused(const VdiServerSession& s, uint32_t d, uint32_t command, uint32_t code) {
  return SqlErrorStatus(18210, std::string("BackupVirtualDeviceFile::") +
                                   (command == VDC_Snapshot ? "RequestSnapshot" : "MountSnapshot") +
                                   ": failure on backup device '" + s.device_name(d) +
                                   "'. Operating system error " + Win32Text(code) + ".");
}

void RunSnapshotBackup(VdiServerSession& s, DeviceStream& stream, uint32_t d) {
  const size_t max = s.config().maxTransferSize;
  const size_t block = s.config().blockSize;
  std::vector<uint8_t> meta, chunk(max);
  for (;;) {  // the metadata stream is small (headers and the file list)
    Result<size_t> n = stream.Fill(chunk.data(), max);
    if (!n.ok()) {
      s.Abandon(SqlErrorStatus(3203, "Read on database file failed: " + n.status().message()));
      return;
    }
    if (*n == 0) break;
    meta.insert(meta.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  const size_t split = meta.size() > block ? meta.size() - block : 0;
  if (!WriteRange(s, d, meta, 0, split)) return;
  if (s.client_has(VDF_SnapshotPrepare) && !Control(s, d, VDC_PrepareToFreeze)) return;
  std::unique_ptr<DatabaseFreeze> freeze;
  if (s.options().freeze) {
    Result<std::unique_ptr<DatabaseFreeze>> frozen = s.options().freeze();
    if (!frozen.ok()) {
      s.Abandon(frozen.status());
      return;
    }
    freeze = std::move(*frozen);
  }
  const bool written = WriteRange(s, d, meta, split, meta.size());
  std::optional<uint32_t> code;
  if (written) code = Exchange(s, d, VDC_Snapshot);
  if (freeze) s.set_frozen_seconds(freeze->Thaw());
  if (code && *code != ERROR_SUCCESS && !s.failed()) {
    s.Fail(SnapshotRefused(s, d, VDC_Snapshot, *code), false);
  }
}

}  // namespace

void SnapshotBackupDevice(VdiServerSession& s, DeviceStream& stream, uint32_t d) {
  RunSnapshotBackup(s, stream, d);
  EndDevice(s, d);
}

bool MountSnapshot(VdiServerSession& s, uint32_t d, bool clear_error_first) {
  if (s.failed()) return false;
  if (s.options().before_mount) {
    Status st = s.options().before_mount();
    if (!st.ok()) {
      s.Fail(st, false);
      return false;
    }
  }
  if (clear_error_first && !Control(s, d, VDC_ClearError, false)) return false;
  std::optional<uint32_t> code = Exchange(s, d, VDC_MountSnapshot);
  if (!code) return false;
  if (*code != ERROR_SUCCESS) {
    if (!s.failed()) s.Fail(SnapshotRefused(s, d, VDC_MountSnapshot, *code), false);
    return false;
  }
  return true;
}

}  // namespace vdibk::emulator
