// BackupKindName: the --type spelling of a BackupKind.
#include "coordinator/sql/backup_kind.h"

namespace vdibk::coordinator {

const char* BackupKindName(BackupKind kind) {
  switch (kind) {
    case BackupKind::kFull:
      return "full";
    case BackupKind::kDiff:
      return "diff";
    case BackupKind::kLog:
      return "log";
  }
  return "full";
}

}  // namespace vdibk::coordinator
