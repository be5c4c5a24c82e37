// Parsing and validation of `vdibackup backup` arguments.
#include "coordinator/cli/backup_options.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "coordinator/progress/progress_display_json.h"
#include "coordinator/cli/command_support.h"
#include "shared/base/option_once.h"

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

}  // namespace

const char* BackupUsage() {
  return "usage: vdibackup backup --database DB --repo DIR [--devices N] [--workers M]\n"
         "         [--buffer-count B] [--max-transfer-size BYTES] [--block-size BYTES]\n"
         "         [--compression lz4|none] [--lz4-level L] [--checksum|--no-checksum]\n"
         "         [--sqlcmd PROGRAM] [--server NAME] [--set-name NAME] [--json]\n"
         "         [--target DIR ...|--target null] [--no-progress] [--progress-fd N]\n"
         "         [--type full|diff|log] [--copy-only] [--confirm-timeout SECONDS]\n"
         "         [--worker-endpoint ipc:///DIR/NAME [--worker-wait SECONDS]]";
}

Result<BackupSpec> ParseBackupOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir) {
  BackupSpec o;
  OptionOnce once({"--target"});
  std::optional<std::string> checksum_flag;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    VDIBK_RETURN_IF_ERROR(once.See(a));
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Usage(a + " needs a value");
      return args[++i];
    };
    auto number = [&]() -> Result<uint32_t> {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      return ParseU32(a, v);
    };
    VDIBK_ASSIGN_OR_RETURN(bool external, ParseExternalWorkersFlag(a, value, o.external));
    if (external) continue;
    if (a == "--database") {
      VDIBK_ASSIGN_OR_RETURN(o.database, value());
    } else if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.repo, value());
    } else if (a == "--devices") {
      VDIBK_ASSIGN_OR_RETURN(o.devices, number());
      if (o.devices == 0) return Status::Usage("--devices must be 1..64, got 0");
    } else if (a == "--workers") {
      VDIBK_ASSIGN_OR_RETURN(o.workers, number());
      if (o.workers == 0) return Status::Usage("--workers must be 1..64, got 0");
    } else if (a == "--buffer-count") {
      VDIBK_ASSIGN_OR_RETURN(o.buffer_count, number());
      if (o.buffer_count == 0) {
        return Status::Usage("--buffer-count must be at least --devices (and at most " +
                             std::to_string(kMaxBufferCount) + "), got 0");
      }
    } else if (a == "--max-transfer-size") {
      VDIBK_ASSIGN_OR_RETURN(o.max_transfer_size, number());
    } else if (a == "--block-size") {
      VDIBK_ASSIGN_OR_RETURN(o.block_size, number());
    } else if (a == "--lz4-level") {
      VDIBK_ASSIGN_OR_RETURN(uint32_t l, number());
      if (l > 12) return Status::Usage("--lz4-level must be 0..12");
      o.lz4_level = static_cast<int>(l);
    } else if (a == "--compression") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      if (v == "lz4") {
        o.compression = CompressionKind::kLz4;
      } else if (v == "none") {
        o.compression = CompressionKind::kNone;
      } else {
        return Status::Usage("--compression must be lz4 or none");
      }
    } else if (a == "--checksum" || a == "--no-checksum") {
      if (checksum_flag && *checksum_flag != a) {
        return Status::Usage("--checksum and --no-checksum exclude each other");
      }
      checksum_flag = a;
      o.checksum = a == "--checksum";
    } else if (a == "--sqlcmd") {
      VDIBK_ASSIGN_OR_RETURN(o.sqlcmd, value());
    } else if (a == "--server") {
      VDIBK_ASSIGN_OR_RETURN(o.server, value());
    } else if (a == "--set-name") {
      VDIBK_ASSIGN_OR_RETURN(o.set_name, value());
    } else if (a == "--worker-program") {
      VDIBK_ASSIGN_OR_RETURN(o.worker_program, value());
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--target") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_RETURN_IF_ERROR(AddTarget(o, v));
    } else if (a == "--no-progress") {
      o.progress = false;
    } else if (a == "--progress-fd") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_ASSIGN_OR_RETURN(o.progress_fd, ParseProgressFd(v));
    } else if (a == "--type") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      if (v == "full") {
        o.type = BackupKind::kFull;
      } else if (v == "diff") {
        o.type = BackupKind::kDiff;
      } else if (v == "log") {
        o.type = BackupKind::kLog;
      } else {
        return Status::Usage("--type must be full, diff or log, got '" + v + "'");
      }
    } else if (a == "--copy-only") {
      o.copy_only = true;
    } else if (a == "--confirm-timeout") {
      VDIBK_ASSIGN_OR_RETURN(o.confirm_timeout_s, number());
      if (o.confirm_timeout_s > 86400) return Status::Usage("--confirm-timeout must be 0..86400");
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
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
  if (o.workers == 0) o.workers = o.devices;
  // More workers than devices fan a device's buffers out to several encoders (proto §9).
  if (o.workers > 64) return Status::Usage("--workers must be 1..64");
  if (o.max_transfer_size == 0 || o.max_transfer_size % 65536 != 0 ||
      o.max_transfer_size > (4u << 20)) {
    return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
  }
  if (!IsPowerOfTwo(o.block_size) || o.block_size < 512 || o.block_size > 65536) {
    return Status::Usage("--block-size must be a power of 2 from 512 to 65536");
  }
  // Four buffers per device, and per worker under fan-out so every encoder has work.
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
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.worker_program.empty()) o.worker_program = bin_dir + "/vdibackup-worker";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

}  // namespace vdibk::coordinator
