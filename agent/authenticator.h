// Authenticator: who sent an agent API request and with which role: a bearer token (from the
// files of auth.token_files, compared in constant time), a verified TLS client certificate
// (tls.client_roles by subject CN) or the uid of a Unix socket peer (auth.unix_uids).
#ifndef VDIBK_AGENT_AUTHENTICATOR_H_
#define VDIBK_AGENT_AUTHENTICATOR_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/agent_config.h"
#include "agent/http_request.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// An authenticated caller.
struct Principal {
  std::string name;  // "token:NAME", "cert:CN", "uid:N"
  AgentRole role = AgentRole::kRead;
};

// The outcome of Authenticate: a principal, or the refusal (401: no or bad credentials, 403:
// identified but without a role) with a metric label and a message for the caller.
struct AuthOutcome {
  std::optional<Principal> principal;
  int status = 401;
  std::string reason;  // no_credentials | bad_header | invalid_token | unknown_uid | unknown_cert
  std::string message;
};

// The smallest token accepted (characters): shorter ones are a configuration error.
constexpr size_t kMinTokenLength = 16;

// Thread-safe: Authenticate runs on HTTP threads, Reload on the main loop.
class Authenticator {
 public:
  // Reads every token file. Errors: kConfiguration naming the file (unreadable, a token shorter
  // than kMinTokenLength or with whitespace inside, the same token in two files).
  static Result<std::unique_ptr<Authenticator>> Create(const AgentConfig& config);

  // Rereads the token files (SIGHUP: token rotation). On error the old tokens stay.
  Status Reload();

  // Order: an Authorization header decides alone when present (Bearer only); else a verified
  // client certificate (TLS), else the peer uid (Unix socket); else 401.
  AuthOutcome Authenticate(const HttpRequest& request) const;

 private:
  using Digest = std::array<unsigned char, 32>;  // SHA-256 of a token
  struct Token {
    std::string name;
    AgentRole role;
    Digest digest;
  };
  Authenticator(std::vector<TokenFileConfig> files, std::map<uint32_t, AgentRole> uids,
                std::map<std::string, AgentRole> client_roles);
  static Result<std::vector<Token>> LoadTokens(const std::vector<TokenFileConfig>& files);
  AuthOutcome ByToken(const std::string& header) const;

  const std::vector<TokenFileConfig> files_;
  const std::map<uint32_t, AgentRole> uids_;
  const std::map<std::string, AgentRole> client_roles_;
  mutable std::mutex mu_;
  std::vector<Token> tokens_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_AUTHENTICATOR_H_
