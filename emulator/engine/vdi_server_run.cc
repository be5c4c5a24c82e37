// The device loops of a BACKUP (Writes, Flush, Complete) and a RESTORE (Reads of varying sizes)
// over VDI, one thread per device, on a VdiServerSession; media-mode commands around the data.
#include "emulator/engine/vdi_server_run.h"

#include <algorithm>
#include <array>
#include <deque>
#include <memory>
#include <thread>

#include "emulator/base/sql_error.h"
#include "emulator/engine/vdi_device_commands.h"
#include "emulator/engine/vdi_media_mode.h"
#include "emulator/engine/vdi_server_session.h"
#include "emulator/engine/vdi_snapshot_device.h"
#include "vdierror.h"

namespace vdibk::emulator {
namespace {

// The Read sizes of a restore, cycled per device: deliberately unlike the backup's Writes, and
// each a multiple of blockSize between blockSize and maxTransferSize (vdi-protocol.md §6.2,
// §7.3); maxTransferSize is a multiple of 65536, so of every blockSize.
std::array<uint32_t, 4> RestoreReadSizes(uint32_t block, uint32_t max) {
  auto fit = [&](uint64_t bytes) {
    return static_cast<uint32_t>(std::clamp<uint64_t>(bytes / block * block, block, max));
  };
  return {max, fit(max / 2), fit(3ull * block), fit(max / 4)};
}

void BackupDevice(VdiServerSession& s, DeviceStream& stream, uint32_t d) {
  const FaultPlan& faults = s.options().faults;
  std::deque<std::unique_ptr<InFlight>> q;
  const uint32_t max = s.config().maxTransferSize;
  bool first = true;
  uint64_t written = 0;
  uint32_t flushes_left = faults.extra_flushes;
  uint64_t writes = 0;
  const MediaMode mode = MediaModeOf(s.config().features);
  if (faults.unexpected_command) SendUnexpected(s, d, *faults.unexpected_command);
  for (bool started = BeginBackupMedia(s, d, mode); started;) {
    if (s.failed()) break;
    if (faults.stall_device && *faults.stall_device == d && !first) {
      // Never send another command: the client sees a silent device until it times out.
      while (!s.failed()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      break;
    }
    if (faults.slow_device && *faults.slow_device == d) {
      std::this_thread::sleep_for(std::chrono::milliseconds(faults.slow_ms));
    }
    uint8_t* buf = s.TryAcquireBuffer();
    if (!buf) {
      if (q.empty()) {  // other devices hold every buffer: wait for one to come back
        std::this_thread::yield();
        continue;
      }
      if (!Retire(s, d, q, true)) break;
      continue;
    }
    Result<size_t> n = stream.Fill(buf, max);
    if (!n.ok()) {
      s.ReleaseBuffer(buf);
      s.Abandon(SqlErrorStatus(3203, "Read on database file failed: " + n.status().message()));
      break;
    }
    if (*n == 0) {
      s.ReleaseBuffer(buf);
      break;
    }
    auto f = std::make_unique<InFlight>();
    if (s.Send(d, f.get(), VDC_Write, buf, static_cast<uint32_t>(*n),
               DataPosition(mode, written)) != NOERROR) {
      s.ReleaseBuffer(buf);
      if (!s.failed()) s.Fail(CompletionError(s, d, *f, true), false);
      break;
    }
    written += *n;
    s.AddBytes(*n);
    q.push_back(std::move(f));
    if (faults.abort_after_bytes && s.bytes() >= *faults.abort_after_bytes) {
      s.Abandon(SqlErrorStatus(3013,
                               "BACKUP DATABASE is terminating abnormally (fault injection: server "
                               "abort after " +
                                   std::to_string(*faults.abort_after_bytes) + " bytes)."));
      break;
    }
    if (first) {
      // Synchronisation point: every device has its media header on the client before any goes on.
      while (!q.empty() && Retire(s, d, q, true)) {
      }
      first = false;
      if (!s.Barrier()) break;
      continue;
    }
    ++writes;
    if (flushes_left > 0) {  // extra mid-stream flushes, after the first data writes
      while (!q.empty() && Retire(s, d, q, true)) {
      }
      if (s.failed() || !Control(s, d, VDC_Flush)) break;
      --flushes_left;
    }
    while (q.size() >= kDepth) {
      if (!Retire(s, d, q, true)) break;
    }
  }
  while (!q.empty()) Retire(s, d, q, true);
  // The end: every device has sent all its data before any is asked to make it durable.
  if (s.Barrier() && EndBackupData(s, d, mode, written) && Control(s, d, VDC_Flush) &&
      s.Barrier()) {
    if (s.complete_enabled()) Control(s, d, VDC_Complete);
  }
  EndDevice(s, d);
}

void RestoreDevice(VdiServerSession& s, RestoreSession& session, uint32_t d) {
  const FaultPlan& faults = s.options().faults;
  const std::array<uint32_t, 4> sizes =
      RestoreReadSizes(s.config().blockSize, s.config().maxTransferSize);
  std::deque<std::unique_ptr<InFlight>> q;
  const MediaMode mode = MediaModeOf(s.config().features);
  ProgressReporter* progress = s.options().progress;
  bool eof = false;
  size_t k = 0;
  uint64_t requested = 0;  // stream offset of the next Read (its position in disk mode)
  auto consume_oldest = [&]() -> bool {
    std::unique_ptr<InFlight> f = std::move(q.front());
    q.pop_front();
    bool ok = s.Wait(d, f.get());
    const uint32_t code = f->cmd.completionCode;
    // The end of the data: EOF / no data, or (tape) the filemark after the data set.
    if (ok && !eof &&
        (code == ERROR_SUCCESS || code == ERROR_HANDLE_EOF || code == ERROR_NO_DATA_DETECTED ||
         code == ERROR_FILEMARK_DETECTED)) {
      const uint32_t n = std::min(f->cmd.bytesTransferred, f->cmd.size);
      if (n > 0) {
        Status st = session.Consume(d, f->buffer, n);
        if (progress && !progress->has_total()) progress->SetTotal(session.expected_bytes());
        s.AddBytes(n);
        if (!st.ok()) {
          s.Fail(st, true);
          ok = false;
        }
      }
      if (code != ERROR_SUCCESS) eof = true;
    } else if (ok && !eof) {
      if (!s.failed()) s.Fail(CompletionError(s, d, *f, false), false);
      ok = false;
    }
    s.ReleaseBuffer(f->buffer);
    return ok;
  };
  if (faults.unexpected_command) SendUnexpected(s, d, *faults.unexpected_command);
  const bool started = BeginRestoreMedia(s, d, mode);
  while (started && !s.failed() && !eof && session.WantsMore(d)) {
    if (faults.slow_device && *faults.slow_device == d) {
      std::this_thread::sleep_for(std::chrono::milliseconds(faults.slow_ms));
    }
    if (q.size() >= kDepth) {
      if (!consume_oldest()) break;
      continue;
    }
    uint8_t* buf = s.TryAcquireBuffer();
    if (!buf) {
      if (q.empty()) {
        std::this_thread::yield();
        continue;
      }
      if (!consume_oldest()) break;
      continue;
    }
    auto f = std::make_unique<InFlight>();
    const uint32_t size = sizes[k++ % sizes.size()];
    if (s.Send(d, f.get(), VDC_Read, buf, size, DataPosition(mode, requested)) != NOERROR) {
      // VD_E_IO_ERROR: a read already in flight hit the end of data; the rest is drained below.
      s.ReleaseBuffer(buf);
      break;
    }
    requested += size;
    q.push_back(std::move(f));
    if (faults.abort_after_bytes && s.bytes() >= *faults.abort_after_bytes) {
      s.Fail(SqlErrorStatus(3013,
                            "RESTORE DATABASE is terminating abnormally (fault injection: server "
                            "abort after " +
                                std::to_string(*faults.abort_after_bytes) + " bytes)."),
             true);
      break;
    }
  }
  while (!q.empty()) consume_oldest();
  if (s.options().snapshot && started) MountSnapshot(s, d, eof);
  s.CloseDevice(d);
}

template <typename Body>
Status Run(const VdiRunOptions& options, bool backup, VdiRunStats* stats, Body body) {
  auto t0 = std::chrono::steady_clock::now();
  auto started = VdiServerSession::Start(options, backup);
  if (!started.ok()) return started.status();
  VdiServerSession& s = **started;
  std::vector<std::thread> threads;
  for (uint32_t d = 0; d < s.device_count(); ++d) threads.emplace_back([&, d] { body(s, d); });
  for (auto& t : threads) t.join();
  std::string abort_reason = s.Finish();
  if (stats) {
    stats->bytes = s.bytes();
    stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stats->complete_sent = s.complete_enabled();
    stats->client_features = s.config().features;
    stats->media_mode = MediaModeName(MediaModeOf(s.config().features));
    stats->frozen_seconds = s.frozen_seconds();
    stats->discarded = s.discarded();
  }
  if (s.failed()) return s.failure();
  if (!abort_reason.empty()) {
    return SqlErrorStatus(
        18210, std::string("BackupVirtualDeviceSet::") + (backup ? "SendData" : "ReceiveData") +
                   ": failure on backup device '" + options.devices[0] + "': " + abort_reason +
                   ". Operating system error " + Win32Text(ERROR_OPERATION_ABORTED) + ".");
  }
  return Status::Ok();
}

}  // namespace

Status RunVdiBackup(BackupSession& job, const VdiRunOptions& options, VdiRunStats* stats) {
  if (job.device_count() != options.devices.size()) {
    return SqlErrorStatus(3201, "Cannot open backup device: the backup plan has " +
                                    std::to_string(job.device_count()) + " streams for " +
                                    std::to_string(options.devices.size()) + " devices.");
  }
  if (options.snapshot && options.devices.size() != 1) {
    return SqlErrorStatus(3215,
                          "Use of WITH SNAPSHOT in the BACKUP statement requires exactly one "
                          "VIRTUAL_DEVICE.");
  }
  // The streams come in whole blocks of the job's BLOCKSIZE: every Write is a multiple of the
  // device's blockSize only when that divides it.
  if (options.block_size == 0 || job.info().block_size % options.block_size != 0) {
    return SqlErrorStatus(
        3201, "Cannot open backup device '" + options.devices[0] +
                  "': the backup stream's block size " + std::to_string(job.info().block_size) +
                  " is not a multiple of BLOCKSIZE " + std::to_string(options.block_size) + ".");
  }
  return Run(options, true, stats, [&](VdiServerSession& s, uint32_t d) {
    if (options.snapshot) {
      SnapshotBackupDevice(s, job.device(d), d);
    } else {
      BackupDevice(s, job.device(d), d);
    }
  });
}

Status RunVdiRestore(RestoreSession& session, const VdiRunOptions& options, VdiRunStats* stats) {
  if (options.snapshot && options.devices.size() != 1) {
    return SqlErrorStatus(3215,
                          "Use of WITH SNAPSHOT in the RESTORE statement requires exactly one "
                          "VIRTUAL_DEVICE.");
  }
  return Run(options, false, stats,
             [&](VdiServerSession& s, uint32_t d) { RestoreDevice(s, session, d); });
}

}  // namespace vdibk::emulator
