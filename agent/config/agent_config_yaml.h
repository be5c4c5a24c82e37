// Helpers shared by the agent config parser's files (agent_config.cc, agent_config_security.cc):
// typed reads of yaml-cpp nodes whose errors name the line and the field. Internal.
#ifndef VDIBK_AGENT_CONFIG_AGENT_CONFIG_YAML_H_
#define VDIBK_AGENT_CONFIG_AGENT_CONFIG_YAML_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agent/config/agent_config.h"

namespace vdibk::coordinator::config_yaml {

// kConfiguration "line N: FIELD: WHAT".
Status FieldError(const YAML::Node& node, const std::string& field, const std::string& what);
Result<std::string> ScalarString(const YAML::Node& node, const std::string& field);
Result<uint32_t> ScalarUint(const YAML::Node& node, const std::string& field, uint32_t lo,
                            uint32_t hi);
Result<bool> ScalarBool(const YAML::Node& node, const std::string& field);
// An absolute path (a string starting with '/').
Result<std::string> AbsolutePath(const YAML::Node& node, const std::string& field);
// A list of absolute paths.
Result<std::vector<std::string>> AbsolutePaths(const YAML::Node& node, const std::string& field);
// "read" | "backup" | "admin".
Result<AgentRole> RoleValue(const YAML::Node& node, const std::string& field);
// HOST:PORT ([v6]:PORT) into host and port.
Status HostPort(const YAML::Node& node, const std::string& field, std::string& host,
                uint16_t& port);

// The sections of agent_config_security.cc: auth, tls, policy.
Status ParseAuth(const YAML::Node& node, AgentConfig& c);
Status ParseTls(const YAML::Node& node, AgentConfig& c);
Status ParsePolicy(const YAML::Node& node, AgentConfig& c);
// Cross-field checks once every key is read (listen_tls needs tls.cert_file, ...).
Status CheckSecurity(const AgentConfig& c);

}  // namespace vdibk::coordinator::config_yaml

#endif  // VDIBK_AGENT_CONFIG_AGENT_CONFIG_YAML_H_
