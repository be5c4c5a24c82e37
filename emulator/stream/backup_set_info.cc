// BackupSetInfo serialization (versioned little-endian record + Checksum64).
#include "emulator/stream/backup_set_info.h"

#include "emulator/db/checksum.h"
#include "emulator/stream/mtf_format.h"

namespace vdibk::emulator {
namespace {
constexpr uint32_t kInfoVersion = 1;
}

int BackupSetInfo::HeaderOnlyBackupType() const {
  switch (kind) {
    case BackupKind::kFull:
      return 1;
    case BackupKind::kLog:
      return 2;
    case BackupKind::kDifferential:
      return 5;
  }
  return 0;
}

std::vector<uint8_t> BackupSetInfo::Serialize() const {
  ByteWriter w;
  w.U32(kInfoVersion);
  w.Str(database_name);
  w.Str(server_name);
  w.U8(static_cast<uint8_t>(kind));
  w.U8(static_cast<uint8_t>(copy_only | has_checksums << 1 | metadata_only << 2 |
                            simple_recovery << 3));
  w.Raw(set_guid.bytes.data(), 16);
  w.U32(media_family_id);
  w.U32(family_count);
  w.U32(family_index);
  w.U32(block_size);
  w.U64(first_lsn);
  w.U64(last_lsn);
  w.U64(checkpoint_lsn);
  w.U64(database_backup_lsn);
  w.U64(differential_base_lsn);
  w.Raw(differential_base_guid.bytes.data(), 16);
  w.U64(static_cast<uint64_t>(start_time));
  w.U64(static_cast<uint64_t>(finish_time));
  w.U64(backup_size);
  w.U32(static_cast<uint32_t>(files.size()));
  for (const BackupFileInfo& f : files) {
    w.U32(f.file_id);
    w.U8(static_cast<uint8_t>(f.type));
    w.U8(f.external ? 1 : 0);
    w.Str(f.logical_name);
    w.Str(f.physical_name);
    w.U64(f.size);
    w.U64(f.backup_bytes);
  }
  w.U64(ComputeChecksum64(w.bytes().data(), w.size()));
  return std::move(w.bytes());
}

Result<BackupSetInfo> BackupSetInfo::Parse(const uint8_t* p, size_t len) {
  auto bad = [](const char* why) {
    return Status::Integrity(std::string("backup set info: ") + why);
  };
  if (len < 12) return bad("too short");
  uint64_t sum;
  std::memcpy(&sum, p + len - 8, 8);
  if (sum != ComputeChecksum64(p, len - 8)) return bad("checksum");
  ByteReader r(p, len - 8);
  if (r.U32() != kInfoVersion) return bad("version");
  BackupSetInfo i;
  i.database_name = r.Str();
  i.server_name = r.Str();
  uint8_t kind = r.U8();
  if (kind < 1 || kind > 3) return bad("kind");
  i.kind = static_cast<BackupKind>(kind);
  uint8_t flags = r.U8();
  i.copy_only = flags & 1;
  i.has_checksums = flags & 2;
  i.metadata_only = flags & 4;
  i.simple_recovery = flags & 8;
  r.Raw(i.set_guid.bytes.data(), 16);
  i.media_family_id = r.U32();
  i.family_count = r.U32();
  i.family_index = r.U32();
  i.block_size = r.U32();
  i.first_lsn = r.U64();
  i.last_lsn = r.U64();
  i.checkpoint_lsn = r.U64();
  i.database_backup_lsn = r.U64();
  i.differential_base_lsn = r.U64();
  r.Raw(i.differential_base_guid.bytes.data(), 16);
  i.start_time = static_cast<int64_t>(r.U64());
  i.finish_time = static_cast<int64_t>(r.U64());
  i.backup_size = r.U64();
  uint32_t n = r.U32();
  if (!r.ok() || n > 1u << 20) return bad("file count");
  for (uint32_t k = 0; k < n && r.ok(); ++k) {
    BackupFileInfo f;
    f.file_id = r.U32();
    uint8_t type = r.U8();
    f.type = type == 1 ? FileType::kLog : FileType::kData;
    f.external = r.U8() != 0;
    f.logical_name = r.Str();
    f.physical_name = r.Str();
    f.size = r.U64();
    f.backup_bytes = r.U64();
    i.files.push_back(std::move(f));
  }
  if (!r.ok() || r.remaining() != 0) return bad("layout");
  if (i.family_count < 1 || i.family_count > 64 || i.family_index >= i.family_count) {
    return bad("media family numbers");
  }
  return i;
}

}  // namespace vdibk::emulator
