// Parsing of the agent's YAML config with yaml-cpp; every error names the line and the field.
// The security sections (auth, tls, policy) are in agent_config_security.cc.
#include "agent/config/agent_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "agent/config/agent_config_yaml.h"

namespace vdibk::coordinator {

namespace config_yaml {

Status FieldError(const YAML::Node& node, const std::string& field, const std::string& what) {
  return Status::Configuration("line " + std::to_string(node.Mark().line + 1) + ": " + field +
                               ": " + what);
}

Result<std::string> ScalarString(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return FieldError(node, field, "must be a string");
  return node.Scalar();
}

Result<uint32_t> ScalarUint(const YAML::Node& node, const std::string& field, uint32_t lo,
                            uint32_t hi) {
  if (!node.IsScalar()) return FieldError(node, field, "must be a number");
  const std::string& s = node.Scalar();
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
    return FieldError(node, field, "must be a whole number, got '" + s + "'");
  }
  const uint64_t v = std::stoull(s);
  if (v < lo || v > hi) {
    return FieldError(node, field, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<uint32_t>(v);
}

Result<bool> ScalarBool(const YAML::Node& node, const std::string& field) {
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    return node.Scalar() == "true";
  }
  return FieldError(node, field, "must be true or false");
}

Status HostPort(const YAML::Node& node, const std::string& field, std::string& host_out,
                uint16_t& port_out) {
  VDIBK_ASSIGN_OR_RETURN(std::string v, ScalarString(node, field));
  const size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return FieldError(node, field, "must be HOST:PORT, got '" + v + "'");
  }
  std::string host = v.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = v.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    return FieldError(node, field, "bad port in '" + v + "'");
  }
  host_out = host;
  port_out = static_cast<uint16_t>(std::stoul(port));
  return Status::Ok();
}

}  // namespace config_yaml

namespace {

using namespace config_yaml;

Status ParseDefaults(const YAML::Node& node, AgentConfig& c) {
  if (!node.IsMap()) return FieldError(node, "defaults", "must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "devices") {
      VDIBK_ASSIGN_OR_RETURN(c.default_devices, ScalarUint(kv.second, "defaults.devices", 1, 64));
    } else if (key == "workers") {
      VDIBK_ASSIGN_OR_RETURN(c.default_workers, ScalarUint(kv.second, "defaults.workers", 1, 64));
    } else if (key == "buffer_count") {
      VDIBK_ASSIGN_OR_RETURN(c.default_buffer_count,
                             ScalarUint(kv.second, "defaults.buffer_count", 1, 4096));
    } else if (key == "max_transfer_size") {
      VDIBK_ASSIGN_OR_RETURN(c.default_max_transfer_size,
                             ScalarUint(kv.second, "defaults.max_transfer_size", 65536, 4u << 20));
      if (c.default_max_transfer_size % 65536 != 0) {
        return FieldError(kv.second, "defaults.max_transfer_size", "must be a multiple of 65536");
      }
    } else if (key == "worker_endpoint") {
      if (!kv.second.IsScalar() || kv.second.Scalar().rfind("ipc:///", 0) != 0) {
        return FieldError(kv.second, "defaults.worker_endpoint", "must be ipc:///DIR/NAME");
      }
      c.default_worker_endpoint = kv.second.Scalar();
    } else {
      return FieldError(kv.first, "defaults." + key, "unknown field");
    }
  }
  return Status::Ok();
}

Status ParseHttp(const YAML::Node& node, AgentConfig& c) {
  if (!node.IsMap()) return FieldError(node, "http", "must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string field = "http." + key;
    if (key == "max_connections") {
      VDIBK_ASSIGN_OR_RETURN(c.http_max_connections, ScalarUint(kv.second, field, 1, 4096));
    } else if (key == "max_connections_per_peer") {
      VDIBK_ASSIGN_OR_RETURN(c.http_max_connections_per_peer,
                             ScalarUint(kv.second, field, 1, 4096));
    } else if (key == "header_timeout_seconds") {
      VDIBK_ASSIGN_OR_RETURN(c.http_header_timeout_seconds, ScalarUint(kv.second, field, 1, 3600));
    } else if (key == "body_timeout_seconds") {
      VDIBK_ASSIGN_OR_RETURN(c.http_body_timeout_seconds, ScalarUint(kv.second, field, 1, 3600));
    } else if (key == "request_timeout_seconds") {  // the older name: both timeouts
      VDIBK_ASSIGN_OR_RETURN(c.http_header_timeout_seconds, ScalarUint(kv.second, field, 1, 3600));
      c.http_body_timeout_seconds = c.http_header_timeout_seconds;
    } else {
      return FieldError(kv.first, field, "unknown field");
    }
  }
  return Status::Ok();
}

Status ParseTapes(const YAML::Node& node, AgentConfig& c) {
  if (!node.IsSequence()) return FieldError(node, "tapes", "must be a list of device paths");
  for (const auto& t : node) {
    VDIBK_ASSIGN_OR_RETURN(std::string dev, ScalarString(t, "tapes"));
    if (dev.empty() || dev.front() != '/') {
      return FieldError(t, "tapes", "must be absolute device paths, got '" + dev + "'");
    }
    c.tapes.push_back(dev);
  }
  return Status::Ok();
}

Status ParseListeners(const std::string& key, const YAML::Node& v, AgentConfig& c) {
  if (key == "listen") {
    if (v.IsScalar() && v.Scalar() == "off") {
      c.listen_enabled = false;
      return Status::Ok();
    }
    return HostPort(v, "listen", c.listen_host, c.listen_port);
  }
  if (key == "listen_tls") return HostPort(v, "listen_tls", c.tls_host, c.tls_port);
  if (key == "listen_unix") {
    VDIBK_ASSIGN_OR_RETURN(c.unix_path, AbsolutePath(v, "listen_unix"));
    if (c.unix_path.size() >= 108) return FieldError(v, "listen_unix", "path too long");
    return Status::Ok();
  }
  // listen_unix_mode: octal, e.g. "0660".
  VDIBK_ASSIGN_OR_RETURN(std::string m, ScalarString(v, "listen_unix_mode"));
  if (m.empty() || m.size() > 4 || m.find_first_not_of("01234567") != std::string::npos) {
    return FieldError(v, "listen_unix_mode", "must be an octal mode like 0660, got '" + m + "'");
  }
  c.unix_mode = static_cast<uint32_t>(std::stoul(m, nullptr, 8));
  if ((c.unix_mode & 0600) != 0600) {
    return FieldError(v, "listen_unix_mode", "the owner needs read and write (0600)");
  }
  return Status::Ok();
}

Status ParseTop(const YAML::Node& root, AgentConfig& c) {
  if (!root.IsMap() && !root.IsNull()) {
    return FieldError(root, "(top level)", "must be a mapping of fields");
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "listen" || key == "listen_tls" || key == "listen_unix" ||
        key == "listen_unix_mode") {
      VDIBK_RETURN_IF_ERROR(ParseListeners(key, v, c));
    } else if (key == "repo") {
      VDIBK_ASSIGN_OR_RETURN(c.repo, ScalarString(v, "repo"));
    } else if (key == "server") {
      VDIBK_ASSIGN_OR_RETURN(c.server, ScalarString(v, "server"));
    } else if (key == "sqlcmd") {
      VDIBK_ASSIGN_OR_RETURN(c.sqlcmd, ScalarString(v, "sqlcmd"));
    } else if (key == "defaults") {
      VDIBK_RETURN_IF_ERROR(ParseDefaults(v, c));
    } else if (key == "http") {
      VDIBK_RETURN_IF_ERROR(ParseHttp(v, c));
    } else if (key == "tapes") {
      VDIBK_RETURN_IF_ERROR(ParseTapes(v, c));
    } else if (key == "grace_seconds") {
      VDIBK_ASSIGN_OR_RETURN(c.grace_seconds, ScalarUint(v, "grace_seconds", 0, 86400));
    } else if (key == "auth") {
      VDIBK_RETURN_IF_ERROR(ParseAuth(v, c));
    } else if (key == "tls") {
      VDIBK_RETURN_IF_ERROR(ParseTls(v, c));
    } else if (key == "policy") {
      VDIBK_RETURN_IF_ERROR(ParsePolicy(v, c));
    } else if (key == "audit_log") {
      VDIBK_ASSIGN_OR_RETURN(c.audit_log, AbsolutePath(v, "audit_log"));
    } else {
      return FieldError(kv.first, key, "unknown field");
    }
  }
  if (c.repo.empty() || c.repo.front() != '/') {
    return Status::Configuration("repo: required, an absolute directory path");
  }
  return CheckSecurity(c);
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(const std::string& yaml_text) {
  AgentConfig c;
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    VDIBK_RETURN_IF_ERROR(ParseTop(root, c));
  } catch (const YAML::Exception& e) {
    return Status::Configuration("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::Configuration("cannot read config file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  Result<AgentConfig> c = ParseAgentConfig(ss.str());
  if (!c.ok()) return Status::Configuration(path + ": " + c.status().message());
  return c;
}

}  // namespace vdibk::coordinator
