// SnapshotRestore: checks and file placement of a RESTORE WITH SNAPSHOT, and the registration of
// the mounted files as a database.
#include "emulator/engine/snapshot_restore.h"

#include <strings.h>

#include <set>

#include "emulator/base/sql_error.h"
#include "emulator/db/db_meta.h"
#include "emulator/db/file_io.h"
#include "emulator/db/meta_lock.h"

namespace vdibk::emulator {
namespace {

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool BadRelative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return true;
  for (size_t start = 0;;) {
    const size_t slash = rel.find('/', start);
    const std::string part = rel.substr(start, slash == std::string::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == "..") return true;
    if (slash == std::string::npos) return false;
    start = slash + 1;
  }
}

Status CheckTarget(const Catalog& catalog, const RestoreRequest& options, const BackupSetInfo& info,
                   const std::string& target) {
  if (!catalog.Exists(target) || options.replace) return Status::Ok();
  VDIBK_ASSIGN_OR_RETURN(Database cur, catalog.Open(target));
  if (cur.state() != DbState::kOnline) return Status::Ok();
  if (info.database_name != target) {
    return SqlErrorStatus(
        3154, "The backup set holds a backup of a database other than the existing '" + target +
                  "' database.");
  }
  if (!cur.simple_recovery()) {
    return SqlErrorStatus(3159,
                          "The tail of the log for the database \"" + target +
                              "\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup "
                              "the log if it contains work you do not want to lose. Use the WITH "
                              "REPLACE or the WITH STOPAT clause of the RESTORE statement to just "
                              "overwrite the contents of the log.");
  }
  return Status::Ok();
}

}  // namespace

Result<SnapshotRestorePlan> PlanSnapshotRestore(const Catalog& catalog,
                                                const RestoreRequest& options,
                                                const BackupSetInfo& info) {
  SnapshotRestorePlan plan;
  plan.info = info;
  plan.recovery = options.recovery;
  plan.target = options.target_name.empty() ? info.database_name : options.target_name;
  VDIBK_RETURN_IF_ERROR(Catalog::ValidateName(plan.target));
  if (!info.metadata_only || info.kind != BackupKind::kFull ||
      options.mode != RestoreMode::kDatabase) {
    return SqlErrorStatus(
        3135,
        "The backup set in file '" +
            (options.device_names.empty() ? std::string("device0") : options.device_names[0]) +
            "' was not created by BACKUP DATABASE ... WITH SNAPSHOT and cannot be "
            "used for this restore operation.");
  }
  VDIBK_RETURN_IF_ERROR(CheckTarget(catalog, options, info, plan.target));
  for (const RestoreMove& mv : options.moves) {
    bool found = false;
    for (const BackupFileInfo& f : info.files)
      found = found || SameName(f.logical_name, mv.logical_name);
    if (!found) {
      return SqlErrorStatus(3234,
                            "Logical file '" + mv.logical_name + "' is not part of database '" +
                                info.database_name +
                                "'. Use RESTORE FILELISTONLY to list the logical file names.");
    }
  }
  const std::string db_dir = catalog.DatabaseDir(plan.target);
  std::set<std::string> finals;
  for (const BackupFileInfo& bf : info.files) {
    FileIdentity id{bf.file_id, bf.logical_name, bf.physical_name, bf.external};
    for (const RestoreMove& mv : options.moves) {
      if (!SameName(mv.logical_name, bf.logical_name)) continue;
      const bool absolute = !mv.path.empty() && mv.path[0] == '/';
      const bool inside = absolute && mv.path.compare(0, db_dir.size() + 1, db_dir + "/") == 0;
      id.external = absolute && !inside;
      id.path = inside ? mv.path.substr(db_dir.size() + 1) : mv.path;
    }
    if (!id.external && BadRelative(id.path)) {
      return Status::Usage("invalid file path '" + id.path + "' for logical file '" +
                           bf.logical_name + "'");
    }
    const std::string full = id.external ? id.path : db_dir + "/" + id.path;
    if (!finals.insert(full).second) {
      return SqlErrorStatus(3176,
                            "File '" + full +
                                "' is claimed by more than one file of the backup "
                                "set. Use WITH MOVE to identify a valid location for each file.");
    }
    plan.files.push_back(std::move(id));
    plan.full_paths.push_back(full);
  }
  return plan;
}

Status CommitSnapshotRestore(const Catalog& catalog, const SnapshotRestorePlan& plan) {
  for (size_t i = 0; i < plan.files.size(); ++i) {
    const std::string& path = plan.full_paths[i];
    Result<uint64_t> size = FileSize(path);
    if (!size.ok()) {
      return SqlErrorStatus(5120,
                            "Unable to open the physical file \"" + path +
                                "\". Operating system error 2: \"2(The system cannot find the "
                                "file specified.)\". (the snapshot was not mounted there)");
    }
    const uint64_t expected = plan.info.files[i].size;
    if (*size != expected) {
      return SqlErrorStatus(5172, "The header for file '" + path +
                                      "' is not a valid database file "
                                      "header. The FILE SIZE property is incorrect. (" +
                                      std::to_string(*size) + " bytes, the snapshot had " +
                                      std::to_string(expected) + ")");
    }
  }
  VDIBK_ASSIGN_OR_RETURN(MetaLock lock, MetaLock::Acquire(catalog.MetaPath(plan.target)));
  DbMeta m;  // fresh: no differential base (nor changed-extent maps) after a restore
  m.state = plan.recovery ? DbState::kOnline : DbState::kRestoring;
  m.restore_base_guid = plan.info.set_guid;
  m.restore_lsn = plan.info.last_lsn;
  m.next_lsn = plan.info.last_lsn;
  m.files = plan.files;
  VDIBK_RETURN_IF_ERROR(MakeDirs(catalog.DatabaseDir(plan.target)));
  VDIBK_RETURN_IF_ERROR(SaveDbMeta(catalog.MetaPath(plan.target), m));
  return FsyncDir(catalog.data_dir());
}

}  // namespace vdibk::emulator
