// HttpRequest / HttpResponse: one agent API request as the transport (http_server.h) hands it to
// the routes (agent_api.h), with who sent it as the transport saw it (PeerInfo).
#ifndef VDIBK_AGENT_HTTP_REQUEST_H_
#define VDIBK_AGENT_HTTP_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vdibk::coordinator {

enum class Transport { kTcp, kTls, kUnix };
const char* TransportName(Transport t);  // "tcp", "tls", "unix"

struct PeerInfo {
  Transport transport = Transport::kTcp;
  std::string address;                   // "127.0.0.1:40000", "[::1]:40000", "unix"
  std::optional<uint32_t> uid;           // kUnix: the peer's uid (SO_PEERCRED)
  std::optional<std::string> client_cn;  // kTls: subject CN of a verified client certificate
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and optional query
  std::string body;
  std::string authorization;  // the Authorization header ("" = none)
  PeerInfo peer;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_HTTP_REQUEST_H_
