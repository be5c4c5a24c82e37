// The job request policy: a table of the options a job may carry per kind (with the shape of
// their values), the path roots resolved through the filesystem, and the role rules.
#include "agent/job_policy.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

#include "agent/job_table.h"

namespace vdibk::coordinator {
namespace fs = std::filesystem;
namespace {

enum class Shape { kFlag, kNumber, kName, kChoice, kTime, kDatabase, kMove, kTarget, kRepo };

struct OptionRule {
  const char* name;
  const char* kinds;  // "b" backup, "r" restore
  Shape shape;
  const char* choices = nullptr;  // kChoice: "|a|b|"
  bool admin_only = false;
};

constexpr OptionRule kOptions[] = {
    {"--devices", "b", Shape::kNumber},
    {"--workers", "br", Shape::kNumber},
    {"--buffer-count", "b", Shape::kNumber},
    {"--max-transfer-size", "br", Shape::kNumber},
    {"--block-size", "b", Shape::kNumber},
    {"--lz4-level", "b", Shape::kNumber},
    {"--worker-wait", "br", Shape::kNumber},
    {"--compression", "b", Shape::kChoice, "|lz4|none|"},
    {"--type", "b", Shape::kChoice, "|full|diff|log|"},
    {"--checksum", "b", Shape::kFlag},
    {"--no-checksum", "b", Shape::kFlag},
    {"--no-progress", "br", Shape::kFlag},
    {"--copy-only", "b", Shape::kFlag},
    {"--set-name", "br", Shape::kName},
    {"--target", "b", Shape::kTarget},
    {"--repo", "br", Shape::kRepo},
    {"--set", "r", Shape::kName},
    {"--until", "r", Shape::kTime},
    {"--as", "r", Shape::kDatabase},
    {"--move", "r", Shape::kMove},
    {"--norecovery", "r", Shape::kFlag},
    {"--replace", "r", Shape::kFlag, nullptr, true},
    {"--confirm-timeout", "b", Shape::kNumber},
    {"--allow-partial-chain", "r", Shape::kFlag},
};

// Options the agent's config sets for every job.
constexpr const char* kConfigOwned[] = {"--server",         "--sqlcmd",         "--database",
                                        "--json",           "--log-format",     "--progress-fd",
                                        "--worker-program", "--worker-endpoint"};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool AllOf(const std::string& v, const char* chars, size_t max) {
  return !v.empty() && v.size() <= max && v.find_first_not_of(chars) == std::string::npos;
}

Refusal Option(const std::string& message) { return {"option", message}; }
Refusal Path(const std::string& option, const std::string& why) {
  return {"path", option + ": " + why};
}

// nullopt when `p` is `root` or below it (both resolved).
bool Within(const fs::path& p, const fs::path& root, bool allow_root) {
  const fs::path rel = p.lexically_relative(root);
  if (rel.empty()) return false;
  if (rel == ".") return allow_root;
  return *rel.begin() != "..";
}

}  // namespace

std::optional<std::string> PathOutsideRoots(const std::string& path,
                                            const std::vector<std::string>& roots,
                                            bool allow_root) {
  if (roots.empty()) return "no roots are configured for it (policy)";
  if (path.empty() || path.front() != '/') return "'" + path + "' is not an absolute path";
  const fs::path p(path);
  for (const fs::path& comp : p) {
    if (comp == "..") return "'" + path + "': '..' is not allowed";
  }
  // A dangling symlink would be followed by whoever creates the file: refused outright.
  std::error_code ec;
  fs::path prefix = "/";
  for (const fs::path& comp : p.relative_path()) {
    prefix /= comp;
    const fs::file_status s = fs::symlink_status(prefix, ec);
    if (!fs::exists(s)) break;  // nothing below a missing component exists
    if (fs::is_symlink(s) && !fs::exists(fs::status(prefix, ec))) {
      return "'" + prefix.string() + "' is a dangling symbolic link";
    }
  }
  const fs::path resolved = fs::weakly_canonical(p, ec);
  if (ec) return "cannot resolve '" + path + "': " + ec.message();
  std::string names;
  for (const std::string& root : roots) {
    std::error_code rec;
    const fs::path r = fs::weakly_canonical(root, rec);
    if (!rec && Within(resolved, r, allow_root)) return std::nullopt;
    names += (names.empty() ? "" : ", ") + root;
  }
  const std::string via =
      resolved.string() == path ? "" : " (resolves to " + resolved.string() + ")";
  return "'" + path + "'" + via + " is outside " + names;
}

bool JobPolicy::DatabaseAllowed(const std::string& name) const {
  if (config_.databases.empty()) return true;
  const std::string n = Lower(name);
  return std::any_of(config_.databases.begin(), config_.databases.end(),
                     [&n](const std::string& d) { return Lower(d) == n; });
}

std::optional<Refusal> JobPolicy::CheckArg(const Principal& who, const std::string& kind,
                                           const std::string& option,
                                           const std::string* value) const {
  const OptionRule* rule = nullptr;
  for (const OptionRule& r : kOptions) {
    if (option == r.name) rule = &r;
  }
  if (rule == nullptr || std::strchr(rule->kinds, kind[0]) == nullptr) {
    for (const char* owned : kConfigOwned) {
      if (option == owned) return Option("option " + option + " is set by the agent's config");
    }
    return Option("option '" + option + "' is not allowed in " + kind + " jobs");
  }
  if (rule->admin_only && who.role != AgentRole::kAdmin) {
    return Refusal{"replace", option + " needs the admin role"};
  }
  if (rule->shape == Shape::kFlag) return std::nullopt;
  if (value == nullptr) return Option(option + " needs a value");
  const std::string& v = *value;
  switch (rule->shape) {
    case Shape::kNumber:
      if (!AllOf(v, "0123456789", 10)) return Option(option + " needs a number, got '" + v + "'");
      break;
    case Shape::kName:
      if (!IsSafeDatabaseName(v)) return Option(option + ": '" + v + "' is not a valid name");
      break;
    case Shape::kChoice:
      if (std::strstr(rule->choices, ("|" + v + "|").c_str()) == nullptr) {
        return Option(option + ": '" + v + "' is not one of " + rule->choices);
      }
      break;
    case Shape::kTime:
      if (!AllOf(v, "0123456789TZ:.+- ", 40)) return Option(option + ": '" + v + "' is no time");
      break;
    case Shape::kDatabase:
      if (!IsSafeDatabaseName(v)) return Option(option + ": '" + v + "' is not a valid name");
      if (!DatabaseAllowed(v)) return Refusal{"database", "database " + v + " is not allowed"};
      break;
    case Shape::kMove: {
      const size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return Option(option + " needs LOGICAL=PATH");
      if (auto why = PathOutsideRoots(v.substr(eq + 1), config_.move_roots, false)) {
        return Path(option, *why);
      }
      break;
    }
    case Shape::kTarget:
      if (v == "null") {
        if (who.role != AgentRole::kAdmin) {
          return Option("--target null (a backup that keeps nothing) needs the admin role");
        }
      } else if (auto why = PathOutsideRoots(v, config_.target_roots, true)) {
        return Path(option, *why);
      }
      break;
    case Shape::kRepo:
      if (auto why = PathOutsideRoots(v, config_.repo_roots, true)) return Path(option, *why);
      break;
    case Shape::kFlag:
      break;
  }
  return std::nullopt;
}

std::optional<Refusal> JobPolicy::CheckSubmit(const Principal& who, const std::string& kind,
                                              const std::string& database,
                                              const std::vector<std::string>& args) const {
  const std::string role = AgentRoleName(who.role);
  if (kind == "backup" && who.role < AgentRole::kBackup) {
    return Refusal{"role", "role " + role + " may not start jobs"};
  }
  if (kind == "restore" && who.role != AgentRole::kAdmin &&
      !(who.role == AgentRole::kBackup && config_.backup_may_restore_copies)) {
    return Refusal{"role", "role " + role + " may not start restores"};
  }
  if (kind != "backup" && kind != "restore") return std::nullopt;  // the job table says 400
  if (!DatabaseAllowed(database)) {
    return Refusal{"database", "database " + database + " is not allowed (policy.databases)"};
  }
  std::string restore_as = database;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& option = args[i];
    const OptionRule* rule = nullptr;
    for (const OptionRule& r : kOptions) {
      if (option == r.name) rule = &r;
    }
    const bool takes_value = rule != nullptr && rule->shape != Shape::kFlag;
    const std::string* value = takes_value && i + 1 < args.size() ? &args[i + 1] : nullptr;
    if (auto refusal = CheckArg(who, kind, option, value)) return refusal;
    if (option == "--as") restore_as = *value;
    if (takes_value) ++i;
  }
  if (kind == "restore" && who.role != AgentRole::kAdmin && Lower(restore_as) == Lower(database)) {
    return Refusal{"in_place", "restoring over database " + database +
                                   " (in place) needs the admin role: restore --as a new name"};
  }
  return std::nullopt;
}

std::optional<Refusal> JobPolicy::CheckCancel(const Principal& who, const std::string& owner) {
  if (who.role == AgentRole::kAdmin) return std::nullopt;
  if (who.role < AgentRole::kBackup) {
    return Refusal{"role", std::string("role ") + AgentRoleName(who.role) + " may not cancel jobs"};
  }
  if (owner != who.name) {
    return Refusal{"not_owner",
                   "job started by " + owner + ": role backup cancels its own jobs only"};
  }
  return std::nullopt;
}

}  // namespace vdibk::coordinator
