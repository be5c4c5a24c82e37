// Operation and device-type names of the typed statements (used by messages 3013/3014).
#include "emulator/tsql/statements.h"

namespace vdibk::emulator::tsql {

std::string OperationName(const BackupStatement& s) {
  return s.kind == BackupKind::kLog ? "BACKUP LOG" : "BACKUP DATABASE";
}

std::string SuccessOperationName(const BackupStatement& s) {
  if (s.kind == BackupKind::kDatabase && s.differential) return "BACKUP DATABASE WITH DIFFERENTIAL";
  return OperationName(s);
}

std::string OperationName(const RestoreStatement& s) {
  switch (s.kind) {
    case RestoreKind::kDatabase:
      return "RESTORE DATABASE";
    case RestoreKind::kLog:
      return "RESTORE LOG";
    case RestoreKind::kVerifyOnly:
      return "VERIFY DATABASE";
    case RestoreKind::kHeaderOnly:
      return "RESTORE HEADERONLY";
    case RestoreKind::kFileListOnly:
      return "RESTORE FILELISTONLY";
    case RestoreKind::kLabelOnly:
      return "RESTORE LABELONLY";
  }
  return "RESTORE";
}

const char* DeviceTypeName(DeviceType type) {
  switch (type) {
    case DeviceType::kVirtualDevice:
      return "virtual_device";
    case DeviceType::kDisk:
      return "disk";
    case DeviceType::kTape:
      return "tape";
    case DeviceType::kUrl:
      return "url";
    case DeviceType::kLogical:
      return "logical";
  }
  return "unknown";
}

}  // namespace vdibk::emulator::tsql
