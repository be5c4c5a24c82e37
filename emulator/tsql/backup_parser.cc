// BACKUP / RESTORE grammar: database name, TO/FROM device lists and WITH options (syntax only;
// value and conflict rules live in option_validation.cc).
#include "emulator/tsql/backup_parser.h"

#include <array>
#include <limits>

#include "emulator/tsql/messages.h"

namespace vdibk::emulator::tsql {
namespace {

// How an option takes its value.
enum class ValueRule {
  kFlag,         // NAME
  kInteger,      // NAME = 123
  kOptionalInt,  // NAME or NAME = 123 (STATS)
  kString,       // NAME = 'text'
  kMove,         // MOVE 'logical' TO 'path'
  kCompression,  // COMPRESSION [ ( ALGORITHM = name [, LEVEL = name] ) ]
  kStopMark,     // STOPATMARK = 'mark' [ AFTER 'datetime' ]
};

struct OptionSpec {
  std::string_view name;
  ValueRule rule;
};

constexpr std::array<OptionSpec, 33> kBackupOptions = {{
    {"BUFFERCOUNT", ValueRule::kInteger},
    {"MAXTRANSFERSIZE", ValueRule::kInteger},
    {"BLOCKSIZE", ValueRule::kInteger},
    {"CHECKSUM", ValueRule::kFlag},
    {"NO_CHECKSUM", ValueRule::kFlag},
    {"COPY_ONLY", ValueRule::kFlag},
    {"DIFFERENTIAL", ValueRule::kFlag},
    {"FORMAT", ValueRule::kFlag},
    {"NOFORMAT", ValueRule::kFlag},
    {"INIT", ValueRule::kFlag},
    {"NOINIT", ValueRule::kFlag},
    {"STATS", ValueRule::kOptionalInt},
    {"SNAPSHOT", ValueRule::kFlag},
    {"METADATA_ONLY", ValueRule::kFlag},
    {"COMPRESSION", ValueRule::kCompression},
    {"NO_COMPRESSION", ValueRule::kFlag},
    {"NAME", ValueRule::kString},
    {"DESCRIPTION", ValueRule::kString},
    {"NORECOVERY", ValueRule::kFlag},
    {"STANDBY", ValueRule::kString},
    {"NO_TRUNCATE", ValueRule::kFlag},
    {"SKIP", ValueRule::kFlag},
    {"NOSKIP", ValueRule::kFlag},
    {"REWIND", ValueRule::kFlag},
    {"NOREWIND", ValueRule::kFlag},
    {"UNLOAD", ValueRule::kFlag},
    {"NOUNLOAD", ValueRule::kFlag},
    {"CONTINUE_AFTER_ERROR", ValueRule::kFlag},
    {"STOP_ON_ERROR", ValueRule::kFlag},
    {"MEDIANAME", ValueRule::kString},
    {"MEDIADESCRIPTION", ValueRule::kString},
    {"RETAINDAYS", ValueRule::kInteger},
    {"VDIBK_FAULT", ValueRule::kString},  // emulator extension: per-statement fault plan
}};

constexpr std::array<OptionSpec, 37> kRestoreOptions = {{
    {"REPLACE", ValueRule::kFlag},
    {"RECOVERY", ValueRule::kFlag},
    {"NORECOVERY", ValueRule::kFlag},
    {"STANDBY", ValueRule::kString},
    {"MOVE", ValueRule::kMove},
    {"CHECKSUM", ValueRule::kFlag},
    {"NO_CHECKSUM", ValueRule::kFlag},
    {"BUFFERCOUNT", ValueRule::kInteger},
    {"MAXTRANSFERSIZE", ValueRule::kInteger},
    {"BLOCKSIZE", ValueRule::kInteger},
    {"FILE", ValueRule::kInteger},
    {"SNAPSHOT", ValueRule::kFlag},
    {"METADATA_ONLY", ValueRule::kFlag},
    {"STATS", ValueRule::kOptionalInt},
    {"STOPAT", ValueRule::kString},
    {"STOPATMARK", ValueRule::kStopMark},
    {"STOPBEFOREMARK", ValueRule::kStopMark},
    {"CONTINUE_AFTER_ERROR", ValueRule::kFlag},
    {"STOP_ON_ERROR", ValueRule::kFlag},
    {"KEEP_REPLICATION", ValueRule::kFlag},
    {"KEEP_CDC", ValueRule::kFlag},
    {"RESTRICTED_USER", ValueRule::kFlag},
    {"PARTIAL", ValueRule::kFlag},
    {"REWIND", ValueRule::kFlag},
    {"NOREWIND", ValueRule::kFlag},
    {"UNLOAD", ValueRule::kFlag},
    {"NOUNLOAD", ValueRule::kFlag},
    {"MEDIANAME", ValueRule::kString},
    {"LOADHISTORY", ValueRule::kFlag},
    {"ENABLE_BROKER", ValueRule::kFlag},
    {"NEW_BROKER", ValueRule::kFlag},
    {"ERROR_BROKER_CONVERSATIONS", ValueRule::kFlag},
    {"FILESTREAM", ValueRule::kFlag},
    {"DBNAME", ValueRule::kString},
    {"CREDENTIAL", ValueRule::kFlag},
    {"RESTART", ValueRule::kFlag},
    {"VDIBK_FAULT", ValueRule::kString},  // emulator extension: per-statement fault plan
}};

// One parsed WITH option before it is applied to a statement.
struct RawOption {
  std::string name;  // upper-case
  ValueRule rule = ValueRule::kFlag;
  bool has_value = false;
  int64_t integer = 0;
  std::string text;  // string value / compression algorithm / stop mark
  MoveClause move;
};

template <size_t N>
const OptionSpec* FindSpec(const std::array<OptionSpec, N>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (EqualsIgnoreCase(s.name, name)) return &s;
  }
  return nullptr;
}

bool ParseDevice(TokenCursor& c, BackupDevice* device) {
  const Token& t = c.Peek();
  static constexpr std::array<std::pair<std::string_view, DeviceType>, 4> kTypes = {{
      {"VIRTUAL_DEVICE", DeviceType::kVirtualDevice},
      {"DISK", DeviceType::kDisk},
      {"TAPE", DeviceType::kTape},
      {"URL", DeviceType::kUrl},
  }};
  for (const auto& [word, type] : kTypes) {
    if (t.IsKeyword(word) && c.Peek(1).IsSymbol('=')) {
      c.Next();
      c.Next();
      device->type = type;
      return c.ExpectString(&device->name);
    }
  }
  device->type = DeviceType::kLogical;
  return c.ExpectName(&device->name);
}

bool ParseDeviceList(TokenCursor& c, std::vector<BackupDevice>* devices) {
  do {
    BackupDevice d;
    if (!ParseDevice(c, &d)) return false;
    devices->push_back(std::move(d));
  } while (c.AcceptSymbol(','));
  return true;
}

bool ParseOptionValue(TokenCursor& c, RawOption* o) {
  switch (o->rule) {
    case ValueRule::kFlag:
      return true;
    case ValueRule::kOptionalInt:
      if (!c.AcceptSymbol('=')) return true;
      o->has_value = true;
      return c.ExpectInteger(&o->integer);
    case ValueRule::kInteger:
      o->has_value = true;
      return c.ExpectSymbol('=') && c.ExpectInteger(&o->integer);
    case ValueRule::kString:
      o->has_value = true;
      return c.ExpectSymbol('=') && c.ExpectString(&o->text);
    case ValueRule::kStopMark:
      o->has_value = true;
      if (!c.ExpectSymbol('=') || !c.ExpectString(&o->text)) return false;
      if (c.AcceptKeyword("AFTER")) {
        std::string after;
        return c.ExpectString(&after);
      }
      return true;
    case ValueRule::kMove:
      o->has_value = true;
      return c.ExpectString(&o->move.logical_name) && c.ExpectKeyword("TO") &&
             c.ExpectString(&o->move.physical_path);
    case ValueRule::kCompression:
      if (!c.AcceptSymbol('(')) return true;
      do {
        if (c.AcceptKeyword("ALGORITHM")) {
          if (!c.ExpectSymbol('=') || !c.ExpectName(&o->text)) return false;
          o->text = ToUpperAscii(o->text);
        } else if (c.AcceptKeyword("LEVEL")) {
          std::string level;
          if (!c.ExpectSymbol('=') || !c.ExpectName(&level)) return false;
        } else {
          return c.SyntaxErrorHere();
        }
      } while (c.AcceptSymbol(','));
      return c.ExpectSymbol(')');
  }
  return true;
}

// Parses "WITH opt [, opt ...]" against `specs`; unknown names give Msg 155.
template <size_t N>
bool ParseWith(TokenCursor& c, const std::array<OptionSpec, N>& specs, std::string_view kind,
               std::vector<RawOption>* options) {
  if (!c.AcceptKeyword("WITH")) return true;
  do {
    const Token& name = c.Peek();
    if (name.kind != TokenKind::kIdentifier) return c.SyntaxErrorHere();
    const OptionSpec* spec = FindSpec(specs, name.value);
    if (spec == nullptr) {
      return c.Fail(msg::UnrecognizedOption(name.text, kind, c.Peek(1).IsSymbol('='), name.line));
    }
    c.Next();
    RawOption o;
    o.name = std::string(spec->name);
    o.rule = spec->rule;
    if (!ParseOptionValue(c, &o)) return false;
    options->push_back(std::move(o));
  } while (c.AcceptSymbol(','));
  return true;
}

void ApplyBackupOption(const RawOption& o, BackupStatement* s) {
  const std::string& n = o.name;
  s->option_order.push_back(n);
  if (n == "BUFFERCOUNT")
    s->buffer_count = o.integer;
  else if (n == "MAXTRANSFERSIZE")
    s->max_transfer_size = o.integer;
  else if (n == "BLOCKSIZE")
    s->block_size = o.integer;
  else if (n == "CHECKSUM")
    s->checksum = true;
  else if (n == "NO_CHECKSUM")
    s->checksum = false;
  else if (n == "COPY_ONLY")
    s->copy_only = true;
  else if (n == "DIFFERENTIAL")
    s->differential = true;
  else if (n == "FORMAT")
    s->format = true;
  else if (n == "NOFORMAT")
    s->format = false;
  else if (n == "INIT")
    s->init = true;
  else if (n == "NOINIT")
    s->init = false;
  else if (n == "STATS")
    s->stats = o.has_value ? o.integer : kDefaultStatsPercent;
  else if (n == "SNAPSHOT")
    s->snapshot = true;
  else if (n == "METADATA_ONLY")
    s->snapshot = s->metadata_only_spelling = true;
  else if (n == "COMPRESSION") {
    s->compression = true;
    s->compression_algorithm = o.text;
  } else if (n == "NO_COMPRESSION")
    s->compression = false;
  else if (n == "NAME")
    s->name = o.text;
  else if (n == "DESCRIPTION")
    s->description = o.text;
  else if (n == "NORECOVERY")
    s->norecovery = true;
  else if (n == "VDIBK_FAULT")
    s->fault = o.text;
  else
    s->other_options.push_back(
        {n, o.rule == ValueRule::kInteger ? std::to_string(o.integer) : o.text});
}

void ApplyRestoreOption(const RawOption& o, RestoreStatement* s) {
  const std::string& n = o.name;
  s->option_order.push_back(n);
  if (n == "REPLACE")
    s->replace = true;
  else if (n == "RECOVERY")
    s->recovery = true;
  else if (n == "NORECOVERY")
    s->recovery = false;
  else if (n == "STANDBY")
    s->standby = o.text;
  else if (n == "MOVE")
    s->moves.push_back(o.move);
  else if (n == "CHECKSUM")
    s->checksum = true;
  else if (n == "NO_CHECKSUM")
    s->checksum = false;
  else if (n == "BUFFERCOUNT")
    s->buffer_count = o.integer;
  else if (n == "MAXTRANSFERSIZE")
    s->max_transfer_size = o.integer;
  else if (n == "BLOCKSIZE")
    s->block_size = o.integer;
  else if (n == "FILE")
    s->file = o.integer;
  else if (n == "SNAPSHOT" || n == "METADATA_ONLY")
    s->snapshot = true;
  else if (n == "STATS")
    s->stats = o.has_value ? o.integer : kDefaultStatsPercent;
  else if (n == "STOPAT")
    s->stop_at = o.text;
  else if (n == "VDIBK_FAULT")
    s->fault = o.text;
  else
    s->other_options.push_back({n, o.text});
}

}  // namespace

bool ParseBackup(TokenCursor& c, BackupStatement* out) {
  if (!c.ExpectKeyword("BACKUP")) return false;
  if (c.AcceptKeyword("DATABASE")) {
    out->kind = BackupKind::kDatabase;
  } else if (c.AcceptKeyword("LOG")) {
    out->kind = BackupKind::kLog;
  } else {
    return c.SyntaxErrorHere();
  }
  if (!c.ExpectName(&out->database)) return false;
  if (!c.ExpectKeyword("TO") || !ParseDeviceList(c, &out->devices)) return false;
  std::vector<RawOption> options;
  if (!ParseWith(c, kBackupOptions, "BACKUP", &options)) return false;
  for (const auto& o : options) ApplyBackupOption(o, out);
  return true;
}

bool ParseRestore(TokenCursor& c, RestoreStatement* out) {
  if (!c.ExpectKeyword("RESTORE")) return false;
  static constexpr std::array<std::pair<std::string_view, RestoreKind>, 4> kOnly = {{
      {"VERIFYONLY", RestoreKind::kVerifyOnly},
      {"HEADERONLY", RestoreKind::kHeaderOnly},
      {"FILELISTONLY", RestoreKind::kFileListOnly},
      {"LABELONLY", RestoreKind::kLabelOnly},
  }};
  bool only = false;
  for (const auto& [word, kind] : kOnly) {
    if (c.AcceptKeyword(word)) {
      out->kind = kind;
      only = true;
      break;
    }
  }
  if (!only) {
    if (c.AcceptKeyword("DATABASE")) {
      out->kind = RestoreKind::kDatabase;
    } else if (c.AcceptKeyword("LOG")) {
      out->kind = RestoreKind::kLog;
    } else {
      return c.SyntaxErrorHere();
    }
    if (!c.ExpectName(&out->database)) return false;
  }
  if (only) {
    if (!c.ExpectKeyword("FROM") || !ParseDeviceList(c, &out->devices)) return false;
  } else if (c.AcceptKeyword("FROM")) {
    if (!ParseDeviceList(c, &out->devices)) return false;
  }
  std::vector<RawOption> options;
  if (!ParseWith(c, kRestoreOptions, "RESTORE", &options)) return false;
  for (const auto& o : options) ApplyRestoreOption(o, out);
  return true;
}

}  // namespace vdibk::emulator::tsql
