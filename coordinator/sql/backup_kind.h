// BackupKind: which BACKUP statement a set was taken with (full, differential, log).
#ifndef VDIBK_COORDINATOR_SQL_BACKUP_KIND_H_
#define VDIBK_COORDINATOR_SQL_BACKUP_KIND_H_

namespace vdibk::coordinator {

// --type: BACKUP DATABASE, BACKUP DATABASE ... WITH DIFFERENTIAL, BACKUP LOG.
enum class BackupKind { kFull, kDiff, kLog };

// "full", "diff", "log": the --type value and the set directory suffix.
const char* BackupKindName(BackupKind kind);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_BACKUP_KIND_H_
