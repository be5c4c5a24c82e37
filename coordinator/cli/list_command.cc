// The list subcommand: OpenRepoStore -> ScanRepo -> table (aligned columns) or JSON.
#include "coordinator/cli/list_command.h"

#include <algorithm>
#include <cstdio>

#include "coordinator/cli/command_support.h"
#include "coordinator/cli/list_options.h"
#include "coordinator/repo/repo_layout.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/repo/set_promotion.h"
#include "shared/base/json_text.h"

namespace vdibk::coordinator {
namespace {

std::string Size(uint64_t bytes, bool known) {
  if (!known) return "-";
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (bytes < (1u << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", b / 1024.0);
  } else if (bytes < (1ull << 30)) {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", b / (1024.0 * 1024.0));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f GiB", b / (1024.0 * 1024.0 * 1024.0));
  }
  return buf;
}

std::string IsoTime(int64_t unix_ms) {
  const std::string s = UtcStamp(std::chrono::system_clock::time_point(
      std::chrono::milliseconds(unix_ms)));  // YYYYmmddTHHMMSSZ
  return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" + s.substr(9, 2) + ":" +
         s.substr(11, 2) + ":" + s.substr(13, 2) + "Z";
}

std::string StateLabel(const CatalogSet& s) {
  std::string label = SetStateName(s.state);
  if (s.in_use) label += " (running)";
  return label;
}

}  // namespace

std::string SetTypeLabel(const CatalogSet& s) {
  std::string t = SetKindName(s.kind);
  if (s.copy_only()) t += " copy-only";
  return t;
}

std::string ChainLabel(const CatalogSet& s) {
  if (!s.has_manifest()) return "-";
  if (s.kind == SetKind::kFull) return "full";
  if (s.kind != SetKind::kDiff && s.kind != SetKind::kLog) return "-";
  if (s.base.empty()) return "no base full";
  if (s.kind == SetKind::kDiff) return "diff of " + s.base;
  if (s.log_position == 0) return "log of " + s.base;
  return "log " + std::to_string(s.log_position) + " of " + s.base;
}

std::string FormatListTable(const RepoCatalog& catalog) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"DATABASE", "SET", "TIME", "TYPE", "RAW", "STORED", "DEV", "CHAIN", "STATE"});
  for (const CatalogSet& s : catalog.sets) {
    const bool m = s.has_manifest();
    rows.push_back({s.database, s.name, IsoTime(s.time_unix_ms), SetTypeLabel(s),
                    Size(s.raw_bytes(), m), Size(s.compressed_bytes(), m),
                    m ? std::to_string(s.manifest.device_count()) : "-", ChainLabel(s),
                    StateLabel(s)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      const bool right = c == 4 || c == 5 || c == 6;  // numbers
      const std::string pad(width[c] - r[c].size(), ' ');
      line += right ? pad + r[c] : r[c] + (c + 1 < r.size() ? pad : "");
      if (c + 1 < r.size()) line += "  ";
    }
    out += line + "\n";
  }
  size_t unconfirmed = 0;
  for (const CatalogSet& s : catalog.sets) {
    unconfirmed += s.state == SetState::kUnconfirmed && !s.in_use ? 1 : 0;
  }
  if (unconfirmed > 0) {
    out += std::to_string(unconfirmed) +
           " unconfirmed set(s): SQL Server may have committed them; `vdibackup reconcile --repo " +
           catalog.repo + "` settles them against its backup history\n";
  }
  return out;
}

std::string FormatListJson(const RepoCatalog& catalog) {
  std::string out = "{\"repo\":" + JsonString(catalog.repo) + ",\"sets\":[";
  for (size_t i = 0; i < catalog.sets.size(); ++i) {
    const CatalogSet& s = catalog.sets[i];
    const proto::Manifest& m = s.manifest;
    out += (i ? "," : "");
    out += "{\"database\":" + JsonString(s.database) + ",\"set\":" + JsonString(s.name) +
           ",\"dir\":" + JsonString(s.location) +
           ",\"time\":" + JsonString(IsoTime(s.time_unix_ms)) +
           ",\"time_unix_ms\":" + std::to_string(s.time_unix_ms) +
           ",\"type\":" + JsonString(SetKindName(s.kind)) +
           ",\"copy_only\":" + (s.copy_only() ? "true" : "false") +
           ",\"state\":" + JsonString(SetStateName(s.state)) +
           ",\"in_use\":" + (s.in_use ? "true" : "false");
    if (s.has_manifest()) {
      out += ",\"raw_bytes\":" + std::to_string(s.raw_bytes()) +
             ",\"compressed_bytes\":" + std::to_string(s.compressed_bytes()) +
             ",\"devices\":" + std::to_string(m.device_count()) +
             ",\"first_lsn\":" + JsonString(m.first_lsn()) +
             ",\"last_lsn\":" + JsonString(m.last_lsn()) +
             ",\"checkpoint_lsn\":" + JsonString(m.checkpoint_lsn()) +
             ",\"database_backup_lsn\":" + JsonString(m.database_backup_lsn()) +
             ",\"history_name\":" + JsonString(HistoryNameOf(m)) +
             ",\"confirmed_by\":" + JsonString(m.confirmed_by());
    }
    out += ",\"base\":" + (s.base.empty() ? std::string("null") : JsonString(s.base)) +
           ",\"log_position\":" + std::to_string(s.log_position) +
           ",\"chain\":" + JsonString(ChainLabel(s));
    if (!s.problem.empty()) out += ",\"problem\":" + JsonString(s.problem);
    out += "}";
  }
  return out + "]}";
}

int RunListCommand(const std::vector<std::string>& args) {
  Result<ListOptions> options = ParseListOptions(args);
  if (!options.ok()) {
    return ReportUsageError("list", options.status());
  }
  Result<std::unique_ptr<RepoStore>> store = OpenRepoStore(options->repo);
  if (!store.ok()) return ReportCommandFailure("list", store.status(), options->json);
  Result<RepoCatalog> catalog = ScanRepo(**store, options->database);
  if (!catalog.ok()) return ReportCommandFailure("list", catalog.status(), options->json);
  std::printf("%s", options->json ? (FormatListJson(*catalog) + "\n").c_str()
                                  : FormatListTable(*catalog).c_str());
  return 0;
}

}  // namespace vdibk::coordinator
