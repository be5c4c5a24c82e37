// Default endpoint and -S server-name resolution.
#include "emulator/frontend/endpoint.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace vdibk::emulator::frontend {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsLocalHost(std::string_view host) {
  if (host.empty() || host == "." || IEquals(host, "localhost") || IEquals(host, "(local)") ||
      host == "127.0.0.1" || host == "::1") {
    return true;
  }
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0 && IEquals(host, name)) return true;
  return false;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string DefaultEndpoint() {
  const char* env = std::getenv(kEndpointEnvVar);
  if (env != nullptr && *env != '\0') return env;
  return kDefaultEndpoint;
}

Result<std::string> ResolveServer(std::string_view server) {
  if (server.rfind("ipc://", 0) == 0) return std::string(server);
  if (server.rfind("tcp://", 0) == 0) {
    std::string_view rest = server.substr(6);
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos || !AllDigits(rest.substr(colon + 1)) ||
        !IsLocalHost(rest.substr(0, colon))) {
      return Status::Configuration("the emulator is reachable only at tcp://127.0.0.1:PORT, not " +
                                   std::string(server));
    }
    return "tcp://127.0.0.1:" + std::string(rest.substr(colon + 1));
  }
  std::string_view s = server;
  if (s.size() >= 4 && IEquals(s.substr(0, 4), "tcp:")) s.remove_prefix(4);
  std::string_view port;
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) {
    port = s.substr(comma + 1);
    s = s.substr(0, comma);
    if (!AllDigits(port))
      return Status::Configuration("invalid port in server name " + std::string(server));
  }
  size_t backslash = s.find('\\');
  if (backslash != std::string_view::npos) s = s.substr(0, backslash);
  if (!IsLocalHost(s)) {
    return Status::Configuration("server " + std::string(server) +
                                 " is not local; the emulator only serves this machine");
  }
  if (!port.empty()) return "tcp://127.0.0.1:" + std::string(port);
  return DefaultEndpoint();
}

bool IsLocalEndpoint(std::string_view endpoint) {
  if (endpoint.rfind("ipc://", 0) == 0) return endpoint.size() > 6;
  if (endpoint.rfind("tcp://127.0.0.1:", 0) == 0) {
    std::string_view port = endpoint.substr(16);
    return port == "*" || AllDigits(port);
  }
  return false;
}

}  // namespace vdibk::emulator::frontend
