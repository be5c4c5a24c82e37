// TLS for the agent's listen_tls: the server context built from the tls config (certificate
// chain, key, optional client CAs for mTLS) with OpenSSL through Boost.Asio, and the verified
// client certificate's subject CN that tls.client_roles maps to a role.
#ifndef VDIBK_AGENT_TLS_CONTEXT_H_
#define VDIBK_AGENT_TLS_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/agent_config.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

using TlsContext = boost::asio::ssl::context;

// TLS 1.2 and later. With tls.client_ca_file, client certificates are asked for and verified
// against it (a handshake without one fails when tls.require_client_cert). Errors:
// kConfiguration naming the file and OpenSSL's reason (unreadable, not PEM, key not matching).
Result<std::shared_ptr<TlsContext>> LoadTlsContext(const AgentTlsConfig& tls);

// The subject CN of the peer certificate of a finished handshake, when OpenSSL verified it;
// nullopt without a certificate, an unverified one, or one without a CN.
std::optional<std::string> VerifiedPeerCommonName(SSL* ssl);

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_TLS_CONTEXT_H_
