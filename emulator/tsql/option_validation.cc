// BACKUP/RESTORE option rules: device list, numeric ranges, conflicting and unsupported options.
#include "emulator/tsql/option_validation.h"

#include <algorithm>
#include <array>
#include <set>

#include "emulator/tsql/messages.h"
#include "emulator/tsql/token.h"

namespace vdibk::emulator::tsql {
namespace {

using NamePair = std::pair<std::string_view, std::string_view>;

// Options that exclude each other (either order).
constexpr std::array<NamePair, 16> kConflicts = {{
    {"CHECKSUM", "NO_CHECKSUM"},
    {"FORMAT", "NOFORMAT"},
    {"INIT", "NOINIT"},
    {"COMPRESSION", "NO_COMPRESSION"},
    {"SKIP", "NOSKIP"},
    {"REWIND", "NOREWIND"},
    {"UNLOAD", "NOUNLOAD"},
    {"CONTINUE_AFTER_ERROR", "STOP_ON_ERROR"},
    {"RECOVERY", "NORECOVERY"},
    {"RECOVERY", "STANDBY"},
    {"NORECOVERY", "STANDBY"},
    {"SNAPSHOT", "DIFFERENTIAL"},
    {"METADATA_ONLY", "DIFFERENTIAL"},
    {"COPY_ONLY", "DIFFERENTIAL"},
    {"SNAPSHOT", "METADATA_ONLY"},
    {"SNAPSHOT", "COMPRESSION"},
}};

// Options that carry a value and may appear once (MOVE may repeat).
constexpr std::array<std::string_view, 12> kSingleValued = {"BUFFERCOUNT",
                                                            "MAXTRANSFERSIZE",
                                                            "BLOCKSIZE",
                                                            "STATS",
                                                            "NAME",
                                                            "DESCRIPTION",
                                                            "FILE",
                                                            "STANDBY",
                                                            "STOPAT",
                                                            "MEDIANAME",
                                                            "MEDIADESCRIPTION",
                                                            "RETAINDAYS"};

bool Conflicts(std::string_view a, std::string_view b) {
  return std::any_of(kConflicts.begin(), kConflicts.end(), [&](const NamePair& p) {
    return (p.first == a && p.second == b) || (p.first == b && p.second == a);
  });
}

// 3031 for the first option that conflicts with (or repeats) an earlier one.
bool CheckConflicts(const std::vector<std::string>& order, SqlMessages* out) {
  for (size_t i = 0; i < order.size(); ++i) {
    std::string others;
    for (size_t j = 0; j < i; ++j) {
      bool repeat = order[i] == order[j] && std::find(kSingleValued.begin(), kSingleValued.end(),
                                                      order[i]) != kSingleValued.end();
      if (repeat || Conflicts(order[i], order[j])) {
        if (!others.empty()) others += ", ";
        others += ToLowerAscii(order[j]);
      }
    }
    if (!others.empty()) {
      out->Add(msg::OptionConflict(ToLowerAscii(order[i]), others));
      return false;
    }
  }
  return true;
}

// 3032 listing every option in `order` that is not in `allowed`.
template <size_t N>
bool CheckAllowed(const std::vector<std::string>& order,
                  const std::array<std::string_view, N>& allowed, SqlMessages* out) {
  std::string bad;
  for (const auto& name : order) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    if (name == "VDIBK_FAULT") continue;  // any VDI statement; its own rule is checked last
    if (!bad.empty()) bad += ", ";
    bad += ToLowerAscii(name);
  }
  if (bad.empty()) return true;
  out->Add(msg::OptionsNotSupported(bad));
  return false;
}

bool CheckDevices(const std::vector<BackupDevice>& devices, SqlMessages* out) {
  if (devices.size() > static_cast<size_t>(kMaxBackupDevices)) {
    out->Add(msg::TooManyDevices(kMaxBackupDevices));
    return false;
  }
  for (const auto& d : devices) {
    if (d.type != devices.front().type) {
      out->Add(msg::DevicesNotSameClass());
      return false;
    }
    if (d.name.empty()) {
      out->Add(msg::ZeroLengthDeviceName());
      return false;
    }
  }
  std::set<std::string> seen;
  for (const auto& d : devices) {
    if (!seen.insert(d.name).second) {
      out->Add(msg::CannotOpenBackupDevice(d.name, msg::kOsErrorSharingViolation));
      return false;
    }
  }
  return true;
}

bool CheckTransferOptions(const std::optional<int64_t>& buffer_count,
                          const std::optional<int64_t>& max_transfer,
                          const std::optional<int64_t>& block_size, SqlMessages* out) {
  if (block_size) {
    int64_t b = *block_size;
    if (b > 0 && (b & (b - 1)) != 0) {
      out->Add(msg::BlockSizeNotPowerOfTwo());
      return false;
    }
    if (b < kMinBlockSize || b > kMaxBlockSize) {
      out->Add(msg::ValueOutOfRange(b, "BLOCKSIZE"));
      return false;
    }
  }
  if (max_transfer) {
    int64_t m = *max_transfer;
    if (m < kTransferSizeUnit || m > kMaxTransferSizeLimit || m % kTransferSizeUnit != 0) {
      out->Add(msg::ValueOutOfRange(m, "MAXTRANSFERSIZE"));
      return false;
    }
  }
  if (buffer_count && (*buffer_count < 1 || *buffer_count > 0x7fffffff)) {
    out->Add(msg::ValueOutOfRange(*buffer_count, "BUFFERCOUNT"));
    return false;
  }
  return true;
}

bool CheckStats(const std::optional<int64_t>& stats, SqlMessages* out) {
  if (stats && (*stats < 1 || *stats > 100)) {
    out->Add(msg::ValueOutOfRange(*stats, "STATS"));
    return false;
  }
  return true;
}

bool IsVirtual(const std::vector<BackupDevice>& devices) {
  return !devices.empty() && devices.front().type == DeviceType::kVirtualDevice;
}

SqlMessages Finish(SqlMessages errors, const std::string& operation, int line) {
  if (errors.empty()) return errors;
  errors.Add(msg::TerminatingAbnormally(operation));
  SqlMessages out;
  for (auto e : errors.items()) {
    e.line = line;
    out.Add(std::move(e));
  }
  return out;
}

constexpr std::array<std::string_view, 13> kListingOptions = {
    "FILE",          "CHECKSUM",    "NO_CHECKSUM",     "CONTINUE_AFTER_ERROR",
    "STOP_ON_ERROR", "BUFFERCOUNT", "MAXTRANSFERSIZE", "BLOCKSIZE",
    "MEDIANAME",     "REWIND",      "NOREWIND",        "UNLOAD",
    "NOUNLOAD"};
constexpr std::array<std::string_view, 16> kVerifyOptions = {"FILE",
                                                             "CHECKSUM",
                                                             "NO_CHECKSUM",
                                                             "CONTINUE_AFTER_ERROR",
                                                             "STOP_ON_ERROR",
                                                             "BUFFERCOUNT",
                                                             "MAXTRANSFERSIZE",
                                                             "BLOCKSIZE",
                                                             "MEDIANAME",
                                                             "REWIND",
                                                             "NOREWIND",
                                                             "UNLOAD",
                                                             "NOUNLOAD",
                                                             "STATS",
                                                             "MOVE",
                                                             "LOADHISTORY"};
constexpr std::array<std::string_view, 8> kRecoverOnlyOptions = {
    "RECOVERY",      "RESTRICTED_USER", "KEEP_REPLICATION",           "KEEP_CDC",
    "ENABLE_BROKER", "NEW_BROKER",      "ERROR_BROKER_CONVERSATIONS", "STATS"};

}  // namespace

SqlMessages ValidateBackup(const BackupStatement& s, int line) {
  SqlMessages errors;
  bool ok = CheckDevices(s.devices, &errors) && CheckConflicts(s.option_order, &errors) &&
            CheckTransferOptions(s.buffer_count, s.max_transfer_size, s.block_size, &errors) &&
            CheckStats(s.stats, &errors);
  if (ok && s.kind == BackupKind::kLog) {
    std::vector<std::string> bad;
    for (const auto& n : s.option_order) {
      if (n == "DIFFERENTIAL" || n == "SNAPSHOT" || n == "METADATA_ONLY") bad.push_back(n);
    }
    if (!bad.empty()) {
      std::array<std::string_view, 0> none{};
      ok = CheckAllowed(bad, none, &errors);
    }
  }
  if (ok && s.kind == BackupKind::kDatabase) {
    for (const auto& n : s.option_order) {
      if (n == "NORECOVERY" || n == "STANDBY" || n == "NO_TRUNCATE") {
        errors.Add(msg::OptionsNotSupported(ToLowerAscii(n)));
        ok = false;
        break;
      }
    }
  }
  if (ok && s.snapshot && IsVirtual(s.devices) && s.devices.size() > 1) {
    errors.Add(msg::SnapshotNeedsOneVirtualDevice());
  }
  if (ok && s.fault && !IsVirtual(s.devices)) errors.Add(msg::FaultOptionNeedsVirtualDevice());
  return Finish(std::move(errors), OperationName(s), line);
}

SqlMessages ValidateRestore(const RestoreStatement& s, int line) {
  SqlMessages errors;
  bool ok = CheckDevices(s.devices, &errors) && CheckConflicts(s.option_order, &errors) &&
            CheckTransferOptions(s.buffer_count, s.max_transfer_size, s.block_size, &errors) &&
            CheckStats(s.stats, &errors);
  if (ok && s.file && *s.file < 1) {
    errors.Add(msg::ValueOutOfRange(*s.file, "FILE"));
    ok = false;
  }
  if (ok) {
    switch (s.kind) {
      case RestoreKind::kHeaderOnly:
      case RestoreKind::kFileListOnly:
      case RestoreKind::kLabelOnly:
        ok = CheckAllowed(s.option_order, kListingOptions, &errors);
        break;
      case RestoreKind::kVerifyOnly:
        ok = CheckAllowed(s.option_order, kVerifyOptions, &errors);
        break;
      case RestoreKind::kDatabase:
      case RestoreKind::kLog:
        if (s.RecoverOnly()) ok = CheckAllowed(s.option_order, kRecoverOnlyOptions, &errors);
        break;
    }
  }
  if (ok && s.snapshot && IsVirtual(s.devices) && s.devices.size() > 1) {
    errors.Add(msg::SnapshotNeedsOneVirtualDevice());
  }
  if (ok && s.fault && !IsVirtual(s.devices)) errors.Add(msg::FaultOptionNeedsVirtualDevice());
  return Finish(std::move(errors), OperationName(s), line);
}

SqlMessages ValidateStatement(const Statement& statement) {
  if (const auto* b = std::get_if<BackupStatement>(&statement.body)) {
    return ValidateBackup(*b, statement.line);
  }
  if (const auto* r = std::get_if<RestoreStatement>(&statement.body)) {
    return ValidateRestore(*r, statement.line);
  }
  return {};
}

}  // namespace vdibk::emulator::tsql
