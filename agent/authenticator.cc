// Bearer tokens hashed with SHA-256 (OpenSSL EVP) and compared with CRYPTO_memcmp against every
// configured token, so the time taken depends on neither the token nor which one matched.
#include "agent/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

constexpr size_t kMaxTokenFile = 4096;

std::array<unsigned char, 32> Sha256(const std::string& s) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

Result<std::string> ReadToken(const TokenFileConfig& f) {
  std::ifstream in(f.path, std::ios::binary);
  if (!in) return Status::Configuration("auth.token_files: cannot read " + f.path);
  std::string text(kMaxTokenFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxTokenFile) {
    return Status::Configuration("auth.token_files: " + f.path + " is over 4 KiB");
  }
  const std::string token = Trim(text);
  if (token.size() < kMinTokenLength) {
    return Status::Configuration("auth.token_files: the token in " + f.path + " is shorter than " +
                                 std::to_string(kMinTokenLength) + " characters");
  }
  for (char c : token) {
    if (IsSpace(c) || !std::isprint(static_cast<unsigned char>(c))) {
      return Status::Configuration("auth.token_files: the token in " + f.path +
                                   " holds whitespace or control characters");
    }
  }
  struct stat st {};
  if (::stat(f.path.c_str(), &st) == 0 && (st.st_mode & 0004) != 0) {
    log::Warn("agent: token file " + f.path + " is world-readable (chmod o-r)");
  }
  return token;
}

AuthOutcome Refuse(int status, const std::string& reason, const std::string& message) {
  return AuthOutcome{std::nullopt, status, reason, message};
}

}  // namespace

const char* TransportName(Transport t) {
  switch (t) {
    case Transport::kTcp:
      return "tcp";
    case Transport::kTls:
      return "tls";
    case Transport::kUnix:
      return "unix";
  }
  return "tcp";
}

Authenticator::Authenticator(std::vector<TokenFileConfig> files, std::map<uint32_t, AgentRole> uids,
                             std::map<std::string, AgentRole> client_roles)
    : files_(std::move(files)), uids_(std::move(uids)), client_roles_(std::move(client_roles)) {}

Result<std::vector<Authenticator::Token>> Authenticator::LoadTokens(
    const std::vector<TokenFileConfig>& files) {
  std::vector<Token> tokens;
  for (const TokenFileConfig& f : files) {
    VDIBK_ASSIGN_OR_RETURN(std::string token, ReadToken(f));
    Token t{f.name, f.role, Sha256(token)};
    for (const Token& other : tokens) {
      if (other.digest == t.digest) {
        return Status::Configuration("auth.token_files: " + f.path + " holds the same token as " +
                                     other.name + "'s file: give each caller its own");
      }
    }
    tokens.push_back(t);
  }
  return tokens;
}

Result<std::unique_ptr<Authenticator>> Authenticator::Create(const AgentConfig& config) {
  std::unique_ptr<Authenticator> a(
      new Authenticator(config.token_files, config.unix_uids, config.tls.client_roles));
  VDIBK_ASSIGN_OR_RETURN(a->tokens_, LoadTokens(a->files_));
  return a;
}

Status Authenticator::Reload() {
  VDIBK_ASSIGN_OR_RETURN(std::vector<Token> tokens, LoadTokens(files_));
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = std::move(tokens);
  return Status::Ok();
}

AuthOutcome Authenticator::ByToken(const std::string& header) const {
  // "Bearer <token>", the scheme case-insensitively (RFC 6750).
  const size_t space = header.find(' ');
  std::string scheme = header.substr(0, space);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer" || space == std::string::npos) {
    return Refuse(401, "bad_header", "the Authorization header must be 'Bearer TOKEN'");
  }
  const Digest presented = Sha256(Trim(header.substr(space + 1)));
  std::lock_guard<std::mutex> lock(mu_);
  const Token* match = nullptr;
  for (const Token& t : tokens_) {  // no early exit: every token is compared
    if (CRYPTO_memcmp(presented.data(), t.digest.data(), presented.size()) == 0) match = &t;
  }
  if (match == nullptr) return Refuse(401, "invalid_token", "invalid bearer token");
  return AuthOutcome{Principal{"token:" + match->name, match->role}, 200, "", ""};
}

AuthOutcome Authenticator::Authenticate(const HttpRequest& req) const {
  if (!req.authorization.empty()) return ByToken(req.authorization);
  if (req.peer.client_cn) {
    auto it = client_roles_.find(*req.peer.client_cn);
    if (it == client_roles_.end()) {
      return Refuse(403, "unknown_cert",
                    "client certificate CN=" + *req.peer.client_cn + " has no role");
    }
    return AuthOutcome{Principal{"cert:" + it->first, it->second}, 200, "", ""};
  }
  if (req.peer.uid) {
    auto it = uids_.find(*req.peer.uid);
    if (it == uids_.end()) {
      return Refuse(403, "unknown_uid", "uid " + std::to_string(*req.peer.uid) + " has no role");
    }
    return AuthOutcome{Principal{"uid:" + std::to_string(it->first), it->second}, 200, "", ""};
  }
  return Refuse(401, "no_credentials",
                "authentication required: send 'Authorization: Bearer TOKEN'");
}

}  // namespace vdibk::coordinator
