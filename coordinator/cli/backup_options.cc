// Parsing and validation of `vdibackup backup` arguments.
#include "coordinator/cli/backup_options.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "coordinator/cli/command_support.h"
#include "coordinator/pipeline/worker_pool.h"
#include "coordinator/progress/progress_display_json.h"
#include "shared/base/command_line.h"

namespace vdibk::coordinator {
namespace {

constexpr uint32_t kMaxBufferCount = 4096;
constexpr uint64_t kMaxBufferArea = 8ull << 30;  // shared memory for the VDI buffers

bool IsPowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

// --target VALUE: "null", or a directory made absolute and lexically normal (no trailing '/').
Status AddTarget(BackupSpec& o, const std::string& v) {
  if (v.empty()) return Status::Usage("--target needs a directory or 'null'");
  if (v == "null") {
    if (o.null_target) return Status::Usage("--target null given twice");
    o.null_target = true;
    return Status::Ok();
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(v, ec);
  if (ec) return Status::Usage("--target '" + v + "': " + ec.message());
  std::string dir = p.lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (std::find(o.targets.begin(), o.targets.end(), dir) != o.targets.end()) {
    return Status::Usage("--target '" + v + "' given twice (" + dir + ")");
  }
  o.targets.push_back(dir);
  return Status::Ok();
}

// The command line as CommandLine fills it: the spec and the values checked after the parse.
struct BackupArgs {
  BackupSpec o;
  std::vector<std::string> targets;
  std::string compression, type, progress_fd;
  bool checksum = false, no_checksum = false;
  uint32_t lz4_level = 1;
  WorkerOptionText external;
};

void Define(CommandLine& cl, BackupArgs& a) {
  BackupSpec& o = a.o;
  cl.Text("--database", &o.database, "DB", "The database to back up");
  cl.Require("--database");
  cl.Text("--repo", &o.repo, "DIR",
          "The repository: the set goes to DIR/<db>/<set>/ (must exist; not needed with "
          "--target null)");
  cl.U32("--devices", &o.devices, "N",
         "Virtual devices (stripes), 1..64 (default: min(cores, 4), at least one per --target)");
  cl.U32("--workers", &o.workers, "M",
         "Worker processes, 1..64; more than --devices fan a device's buffers out to several "
         "compressors (default: --devices, at most max(4, cores))");
  cl.U32("--buffer-count", &o.buffer_count, "B",
         "VDI buffers in /dev/shm, --devices..4096 (default: 4 per device or worker, the more; 2 "
         "past 16 of them, see --max-transfer-size)");
  cl.U32("--max-transfer-size", &o.max_transfer_size, "BYTES",
         "Largest transfer, a multiple of 65536 up to 4194304 (default: 4194304, smaller when the "
         "default buffers would take more than 64 MiB: 8 devices 2 MiB, 16 1 MiB, 64 512 KiB)");
  cl.U32("--block-size", &o.block_size, "BYTES",
         "The backup's block size, a power of 2 from 512 to 65536 (default: 65536)");
  cl.Text("--compression", &a.compression, "lz4|none", "Stripe compression (default: lz4)");
  cl.U32("--lz4-level", &a.lz4_level, "L",
         "LZ4 level 0..12: 1 fast, 2 and more LZ4HC (default: 1)");
  cl.Flag("--checksum", &a.checksum, "Ask the server for page checksums, WITH CHECKSUM (default)");
  cl.Flag("--no-checksum", &a.no_checksum, "Back up without WITH CHECKSUM");
  cl.Text("--type", &a.type, "full|diff|log",
          "BACKUP DATABASE, ... WITH DIFFERENTIAL or BACKUP LOG (default: full)");
  cl.Flag("--copy-only", &o.copy_only, "WITH COPY_ONLY: outside the backup chain (full, log)");
  cl.Repeated("--target", &a.targets, "DIR|null",
              "Spread the stripes over these directories, stripe i to target i mod T; 'null' "
              "compresses and keeps nothing (default: the set directory in the repo)");
  cl.U32("--confirm-timeout", &o.confirm_timeout_s, "SECONDS",
         "When the statement's outcome is unknown, how long to keep asking the server's history "
         "whether it committed the backup, 0..86400 (default: 120)");
  cl.Text("--set-name", &o.set_name, "NAME", "The VDI device set's name (default: a fresh one)");
  AddServerOptions(cl, &o.sqlcmd, &o.server);
  AddWorkerOptions(cl, &o.worker_program, &a.external);
  AddJsonOption(cl, &o.json, "the report");
  cl.Flag("--no-progress", &o.progress,
          "No live progress line on a terminal (default: shown on a terminal without --json)",
          false);
  cl.Text("--progress-fd", &a.progress_fd, "N",
          "Write the live figures as JSON lines to open descriptor N >= 3 (default: none)");
  cl.LogFormat();
}

CommandLine BackupCommandLine() { return CommandLine("vdibackup backup", "Back up a database"); }

}  // namespace

std::string BackupUsage() {
  BackupArgs a;
  CommandLine cl = BackupCommandLine();
  Define(cl, a);
  return cl.Help();
}

BufferArea DefaultBufferArea(uint32_t devices, uint32_t workers) {
  const uint32_t streams = std::max<uint32_t>({devices, workers, 1});
  BufferArea a{4 * streams, 4u << 20};
  auto bytes = [&] { return static_cast<uint64_t>(a.buffer_count) * a.max_transfer_size; };
  while (bytes() > kDefaultBufferArea && a.max_transfer_size > (1u << 20)) a.max_transfer_size /= 2;
  if (bytes() > kDefaultBufferArea) a.buffer_count = 2 * streams;
  while (bytes() > kDefaultBufferArea && a.max_transfer_size > (64u << 10)) {
    a.max_transfer_size /= 2;
  }
  return a;
}

Result<BackupSpec> ParseBackupOptions(const std::vector<std::string>& args,
                                      const std::string& bin_dir) {
  BackupArgs a;
  CommandLine cl = BackupCommandLine();
  Define(cl, a);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  BackupSpec& o = a.o;
  if (cl.Given("--devices") && o.devices == 0) {
    return Status::Usage("--devices must be 1..64, got 0");
  }
  if (cl.Given("--workers") && o.workers == 0) {
    return Status::Usage("--workers must be 1..64, got 0");
  }
  if (cl.Given("--buffer-count") && o.buffer_count == 0) {
    return Status::Usage("--buffer-count must be at least --devices (and at most " +
                         std::to_string(kMaxBufferCount) + "), got 0");
  }
  if (a.lz4_level > 12) return Status::Usage("--lz4-level must be 0..12");
  o.lz4_level = static_cast<int>(a.lz4_level);
  if (cl.Given("--compression")) {
    if (a.compression == "lz4") {
      o.compression = CompressionKind::kLz4;
    } else if (a.compression == "none") {
      o.compression = CompressionKind::kNone;
    } else {
      return Status::Usage("--compression must be lz4 or none");
    }
  }
  if (a.checksum && a.no_checksum) {
    return Status::Usage("--checksum and --no-checksum exclude each other");
  }
  o.checksum = !a.no_checksum;
  if (cl.Given("--type")) {
    if (a.type == "full") {
      o.type = BackupKind::kFull;
    } else if (a.type == "diff") {
      o.type = BackupKind::kDiff;
    } else if (a.type == "log") {
      o.type = BackupKind::kLog;
    } else {
      return Status::Usage("--type must be full, diff or log, got '" + a.type + "'");
    }
  }
  for (const std::string& t : a.targets) VDIBK_RETURN_IF_ERROR(AddTarget(o, t));
  if (cl.Given("--progress-fd")) {
    VDIBK_ASSIGN_OR_RETURN(o.progress_fd, ParseProgressFd(a.progress_fd));
  }
  if (o.confirm_timeout_s > 86400) return Status::Usage("--confirm-timeout must be 0..86400");
  VDIBK_RETURN_IF_ERROR(FinishServerOptions(cl, bin_dir, &o.sqlcmd, &o.server));
  VDIBK_RETURN_IF_ERROR(
      FinishWorkerOptions(cl, bin_dir, &o.worker_program, a.external, &o.external));
  if (o.database.empty()) return Status::Usage("--database is required");
  if (o.copy_only && o.type == BackupKind::kDiff) {
    // SQL Server: COPY_ONLY has no effect on a differential (the emulator refuses it, 3031).
    return Status::Usage("--copy-only applies to full and log backups, not to --type diff");
  }
  if (o.null_target && !o.targets.empty()) {
    return Status::Usage("--target null cannot be combined with target directories");
  }
  if (o.repo.empty() && !o.null_target) return Status::Usage("--repo is required");
  if (o.devices == 0) {
    unsigned cores = std::thread::hardware_concurrency();
    o.devices = cores == 0 ? 1 : std::min(cores, 4u);
    o.devices = std::max<uint32_t>(o.devices, static_cast<uint32_t>(o.targets.size()));
  }
  if (o.targets.size() > o.devices) {
    return Status::Usage("--target given " + std::to_string(o.targets.size()) + " times for " +
                         std::to_string(o.devices) + " devices: every target needs a stripe");
  }
  if (o.devices > 64) return Status::Usage("--devices must be 1..64");
  if (o.workers == 0) {
    o.workers = WorkerPool::DefaultCount(o.devices, std::thread::hardware_concurrency());
  }
  // More workers than devices fan a device's buffers out to several encoders (proto §9).
  if (o.workers > 64) return Status::Usage("--workers must be 1..64");
  if (o.max_transfer_size == 0 || o.max_transfer_size % 65536 != 0 ||
      o.max_transfer_size > (4u << 20)) {
    return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
  }
  if (!IsPowerOfTwo(o.block_size) || o.block_size < 512 || o.block_size > 65536) {
    return Status::Usage("--block-size must be a power of 2 from 512 to 65536");
  }
  // Four buffers per device, and per worker under fan-out so every encoder has work; with many
  // devices smaller ones, so the buffer area stays within kDefaultBufferArea.
  if (!cl.Given("--buffer-count") && !cl.Given("--max-transfer-size")) {
    const BufferArea area = DefaultBufferArea(o.devices, o.workers);
    o.buffer_count = area.buffer_count;
    o.max_transfer_size = area.max_transfer_size;
  }
  if (o.buffer_count == 0) o.buffer_count = 4 * std::max(o.devices, o.workers);
  if (o.buffer_count < o.devices) return Status::Usage("--buffer-count must be >= --devices");
  if (o.buffer_count > kMaxBufferCount) {
    return Status::Usage("--buffer-count must be at most " + std::to_string(kMaxBufferCount));
  }
  // The buffers live in /dev/shm: BUFFERCOUNT x MAXTRANSFERSIZE bytes of it.
  if (static_cast<uint64_t>(o.buffer_count) * o.max_transfer_size > kMaxBufferArea) {
    return Status::Usage(
        "--buffer-count x --max-transfer-size is " +
        std::to_string(static_cast<uint64_t>(o.buffer_count) * o.max_transfer_size >> 20) +
        " MiB of shared memory; at most " + std::to_string(kMaxBufferArea >> 20) + " MiB");
  }
  return o;
}

}  // namespace vdibk::coordinator
