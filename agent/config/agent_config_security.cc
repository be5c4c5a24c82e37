// The security sections of the agent's config: auth (token files, unix uids), tls (certificate,
// client CAs, client roles), policy (databases and path roots), and the cross-field checks (a
// non-loopback listener needs authentication).
#include <arpa/inet.h>

#include <set>

#include "agent/config/agent_config.h"
#include "agent/config/agent_config_yaml.h"

namespace vdibk::coordinator {

const char* AgentRoleName(AgentRole role) {
  switch (role) {
    case AgentRole::kRead:
      return "read";
    case AgentRole::kBackup:
      return "backup";
    case AgentRole::kAdmin:
      return "admin";
  }
  return "read";
}

bool IsLoopbackHost(const std::string& host) {
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return IN6_ARE_ADDR_EQUAL(&v6, &kLoopback);
  }
  return false;
}

bool TcpAuthConfigured(const AgentConfig& c) {
  return !c.token_files.empty() || (!c.tls_host.empty() && !c.tls.client_roles.empty());
}

Status CheckListenersAuthenticated(const AgentConfig& c) {
  // Plain HTTP is authenticated by tokens only; TLS by tokens or mapped client certificates.
  if (c.listen_enabled && !IsLoopbackHost(c.listen_host) && c.token_files.empty()) {
    return Status::Configuration("listen: " + c.listen_host +
                                 " is not a loopback address and no authentication is configured "
                                 "(auth.token_files): refusing to serve the API unauthenticated");
  }
  if (!c.tls_host.empty() && !IsLoopbackHost(c.tls_host) && !TcpAuthConfigured(c)) {
    return Status::Configuration("listen_tls: " + c.tls_host +
                                 " is not a loopback address and no authentication is configured "
                                 "(auth.token_files or tls.client_roles): refusing to serve the "
                                 "API unauthenticated");
  }
  return Status::Ok();
}

namespace config_yaml {

Result<std::string> AbsolutePath(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return FieldError(node, field, "must be a string");
  const std::string& v = node.Scalar();
  if (v.empty() || v.front() != '/') {
    return FieldError(node, field, "must be an absolute path, got '" + v + "'");
  }
  return v;
}

Result<std::vector<std::string>> AbsolutePaths(const YAML::Node& node, const std::string& field) {
  if (!node.IsSequence()) return FieldError(node, field, "must be a list of absolute paths");
  std::vector<std::string> out;
  for (const auto& p : node) {
    VDIBK_ASSIGN_OR_RETURN(std::string v, AbsolutePath(p, field));
    out.push_back(v);
  }
  return out;
}

Result<AgentRole> RoleValue(const YAML::Node& node, const std::string& field) {
  VDIBK_ASSIGN_OR_RETURN(std::string v, ScalarString(node, field));
  for (AgentRole r : {AgentRole::kRead, AgentRole::kBackup, AgentRole::kAdmin}) {
    if (v == AgentRoleName(r)) return r;
  }
  return FieldError(node, field, "must be read, backup or admin, got '" + v + "'");
}

namespace {

Result<TokenFileConfig> ParseTokenFile(const YAML::Node& node) {
  const std::string field = "auth.token_files";
  if (!node.IsMap()) return FieldError(node, field, "entries are {path, role[, name]}");
  TokenFileConfig t;
  bool has_role = false;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "path") {
      VDIBK_ASSIGN_OR_RETURN(t.path, AbsolutePath(kv.second, field + ".path"));
    } else if (key == "role") {
      VDIBK_ASSIGN_OR_RETURN(t.role, RoleValue(kv.second, field + ".role"));
      has_role = true;
    } else if (key == "name") {
      VDIBK_ASSIGN_OR_RETURN(t.name, ScalarString(kv.second, field + ".name"));
    } else {
      return FieldError(kv.first, field + "." + key, "unknown field");
    }
  }
  if (t.path.empty() || !has_role) return FieldError(node, field, "each entry needs path and role");
  if (t.name.empty()) t.name = t.path.substr(t.path.rfind('/') + 1);
  return t;
}

}  // namespace

Status ParseAuth(const YAML::Node& node, AgentConfig& c) {
  if (!node.IsMap()) return FieldError(node, "auth", "must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "token_files") {
      if (!kv.second.IsSequence()) {
        return FieldError(kv.second, "auth.token_files", "must be a list of {path, role}");
      }
      std::set<std::string> names;
      for (const auto& e : kv.second) {
        VDIBK_ASSIGN_OR_RETURN(TokenFileConfig t, ParseTokenFile(e));
        if (!names.insert(t.name).second) {
          return FieldError(e, "auth.token_files", "name '" + t.name + "' given twice");
        }
        c.token_files.push_back(t);
      }
    } else if (key == "unix_uids") {
      if (!kv.second.IsMap()) return FieldError(kv.second, "auth.unix_uids", "must be UID: ROLE");
      for (const auto& u : kv.second) {
        VDIBK_ASSIGN_OR_RETURN(uint32_t uid, ScalarUint(u.first, "auth.unix_uids", 0, 999999999));
        VDIBK_ASSIGN_OR_RETURN(c.unix_uids[uid], RoleValue(u.second, "auth.unix_uids"));
      }
    } else {
      return FieldError(kv.first, "auth." + key, "unknown field");
    }
  }
  return Status::Ok();
}

Status ParseTls(const YAML::Node& node, AgentConfig& c) {
  if (!node.IsMap()) return FieldError(node, "tls", "must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string field = "tls." + key;
    if (key == "cert_file") {
      VDIBK_ASSIGN_OR_RETURN(c.tls.cert_file, AbsolutePath(kv.second, field));
    } else if (key == "key_file") {
      VDIBK_ASSIGN_OR_RETURN(c.tls.key_file, AbsolutePath(kv.second, field));
    } else if (key == "client_ca_file") {
      VDIBK_ASSIGN_OR_RETURN(c.tls.client_ca_file, AbsolutePath(kv.second, field));
    } else if (key == "require_client_cert") {
      VDIBK_ASSIGN_OR_RETURN(c.tls.require_client_cert, ScalarBool(kv.second, field));
    } else if (key == "client_roles") {
      if (!kv.second.IsMap()) return FieldError(kv.second, field, "must be COMMON_NAME: ROLE");
      for (const auto& r : kv.second) {
        VDIBK_ASSIGN_OR_RETURN(std::string cn, ScalarString(r.first, field));
        VDIBK_ASSIGN_OR_RETURN(c.tls.client_roles[cn], RoleValue(r.second, field));
      }
    } else {
      return FieldError(kv.first, field, "unknown field");
    }
  }
  return Status::Ok();
}

Status ParsePolicy(const YAML::Node& node, AgentConfig& c) {
  if (!node.IsMap()) return FieldError(node, "policy", "must be a mapping");
  AgentPolicyConfig& p = c.policy;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string field = "policy." + key;
    if (key == "databases") {
      if (!kv.second.IsSequence()) return FieldError(kv.second, field, "must be a list of names");
      for (const auto& d : kv.second) {
        VDIBK_ASSIGN_OR_RETURN(std::string name, ScalarString(d, field));
        p.databases.push_back(name);
      }
    } else if (key == "move_roots") {
      VDIBK_ASSIGN_OR_RETURN(p.move_roots, AbsolutePaths(kv.second, field));
    } else if (key == "target_roots") {
      VDIBK_ASSIGN_OR_RETURN(p.target_roots, AbsolutePaths(kv.second, field));
    } else if (key == "repo_roots") {
      VDIBK_ASSIGN_OR_RETURN(p.repo_roots, AbsolutePaths(kv.second, field));
    } else if (key == "backup_may_restore_copies") {
      VDIBK_ASSIGN_OR_RETURN(p.backup_may_restore_copies, ScalarBool(kv.second, field));
    } else {
      return FieldError(kv.first, field, "unknown field");
    }
  }
  return Status::Ok();
}

Status CheckSecurity(const AgentConfig& c) {
  const AgentTlsConfig& t = c.tls;
  const bool tls_set = !t.cert_file.empty() || !t.key_file.empty() || !t.client_ca_file.empty() ||
                       t.require_client_cert || !t.client_roles.empty();
  if (!c.tls_host.empty() && (t.cert_file.empty() || t.key_file.empty())) {
    return Status::Configuration("listen_tls: needs tls.cert_file and tls.key_file");
  }
  if (c.tls_host.empty() && tls_set) {
    return Status::Configuration("tls: set, but there is no listen_tls to use it");
  }
  if ((t.require_client_cert || !t.client_roles.empty()) && t.client_ca_file.empty()) {
    return Status::Configuration(
        "tls: require_client_cert and client_roles need tls.client_ca_file");
  }
  if (!c.unix_uids.empty() && c.unix_path.empty()) {
    return Status::Configuration("auth.unix_uids: set, but there is no listen_unix");
  }
  if (!c.listen_enabled && c.tls_host.empty() && c.unix_path.empty()) {
    return Status::Configuration("listen: off, and neither listen_tls nor listen_unix is set");
  }
  return Status::Ok();
}

}  // namespace config_yaml
}  // namespace vdibk::coordinator
