// Parsing and validation of `vdibackup backup` arguments.
#include "coordinator/backup_options.h"

#include <charconv>
#include <cstdlib>
#include <thread>

namespace vdibk::coordinator {
namespace {

Result<uint32_t> ParseU32(const std::string& flag, const std::string& v) {
  uint32_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return Status::Usage(flag + " needs a non-negative integer, got '" + v + "'");
  }
  return out;
}

bool IsPowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

const char* BackupUsage() {
  return "usage: vdibackup backup --database DB --repo DIR [--devices N] [--workers M]\n"
         "         [--buffer-count B] [--max-transfer-size BYTES] [--block-size BYTES]\n"
         "         [--compression lz4|none] [--lz4-level L] [--checksum|--no-checksum]\n"
         "         [--sqlcmd PROGRAM] [--server NAME] [--set-name NAME] [--json]";
}

Result<BackupOptions> ParseBackupOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir) {
  BackupOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Usage(a + " needs a value");
      return args[++i];
    };
    auto number = [&]() -> Result<uint32_t> {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      return ParseU32(a, v);
    };
    if (a == "--database") {
      VDIBK_ASSIGN_OR_RETURN(o.database, value());
    } else if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.repo, value());
    } else if (a == "--devices") {
      VDIBK_ASSIGN_OR_RETURN(o.devices, number());
    } else if (a == "--workers") {
      VDIBK_ASSIGN_OR_RETURN(o.workers, number());
    } else if (a == "--buffer-count") {
      VDIBK_ASSIGN_OR_RETURN(o.buffer_count, number());
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
    } else if (a == "--checksum") {
      o.checksum = true;
    } else if (a == "--no-checksum") {
      o.checksum = false;
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
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.database.empty()) return Status::Usage("--database is required");
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.devices == 0) {
    unsigned cores = std::thread::hardware_concurrency();
    o.devices = cores == 0 ? 1 : std::min(cores, 4u);
  }
  if (o.devices > 64) return Status::Usage("--devices must be 1..64");
  if (o.workers == 0) o.workers = o.devices;
  if (o.workers > o.devices) return Status::Usage("--workers must not exceed --devices");
  if (o.max_transfer_size == 0 || o.max_transfer_size % 65536 != 0 ||
      o.max_transfer_size > (4u << 20)) {
    return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
  }
  if (!IsPowerOfTwo(o.block_size) || o.block_size < 512 || o.block_size > 65536) {
    return Status::Usage("--block-size must be a power of 2 from 512 to 65536");
  }
  if (o.buffer_count == 0) o.buffer_count = 4 * o.devices;
  if (o.buffer_count < o.devices) return Status::Usage("--buffer-count must be >= --devices");
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.worker_program.empty()) o.worker_program = bin_dir + "/vdibackup-worker";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

}  // namespace vdibk::coordinator
