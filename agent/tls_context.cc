// The agent's TLS server context and client certificate names (OpenSSL 3 through Boost.Asio).
#include "agent/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace vdibk::coordinator {
namespace {

namespace ssl = boost::asio::ssl;

Status TlsError(const std::string& what, const std::string& file,
                const boost::system::error_code& ec) {
  return Status::Configuration("tls: " + what + " " + file + ": " + ec.message());
}

}  // namespace

Result<std::shared_ptr<TlsContext>> LoadTlsContext(const AgentTlsConfig& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return TlsError("options", "", ec);
  if (ctx->use_certificate_chain_file(tls.cert_file, ec); ec) {
    return TlsError("cannot load the certificate chain", tls.cert_file, ec);
  }
  if (ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec); ec) {
    return TlsError("cannot load the private key", tls.key_file, ec);
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return Status::Configuration("tls: the key " + tls.key_file + " and " + tls.cert_file +
                                 ": key values mismatch");
  }
  if (!tls.client_ca_file.empty()) {
    if (ctx->load_verify_file(tls.client_ca_file, ec); ec) {
      return TlsError("cannot load the client CAs", tls.client_ca_file, ec);
    }
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(ctx->native_handle(), names);  // takes ownership
    }
    ssl::verify_mode mode = ssl::verify_peer;
    if (tls.require_client_cert) mode |= ssl::verify_fail_if_no_peer_cert;
    if (ctx->set_verify_mode(mode, ec); ec) return TlsError("verify mode", "", ec);
    // Session resumption with client verification needs a session id context.
    static const unsigned char kSessionContext[] = "vdibackup-agent";
    SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext,
                                   sizeof(kSessionContext) - 1);
  }
  ERR_clear_error();
  return ctx;
}

std::optional<std::string> VerifiedPeerCommonName(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  std::optional<std::string> out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    char cn[256] = {0};
    const int n =
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
    if (n > 0) out = std::string(cn, static_cast<size_t>(n));
  }
  X509_free(cert);
  return out;
}

}  // namespace vdibk::coordinator
