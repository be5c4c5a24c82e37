// SigV4 as AWS documents it ("Create a canonical request", "Create a string to sign", "Calculate
// the signature"): canonical request -> string to sign -> HMAC chain of date/region/service.
#include "shared/s3/sigv4_signer.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <ctime>
#include <utility>

#include "shared/s3/sha256.h"

namespace vdibk::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// RFC 9110 token characters.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Leading and trailing white space removed, every inner run of it collapsed to one space.
std::string TrimAll(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool ValidPayloadHash(std::string_view h) {
  if (h == kUnsignedPayload) return true;
  return h.size() == 64 && std::all_of(h.begin(), h.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigV4Signer::SigV4Signer(AwsCredentials credentials, std::string region, std::string service)
    : SigV4Signer(std::move(credentials), std::move(region), std::move(service), Options{}) {}

SigV4Signer::SigV4Signer(AwsCredentials credentials, std::string region, std::string service,
                         Options options)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)),
      options_(options) {}

Result<SigV4Signature> SigV4Signer::Sign(const SigV4Request& request,
                                         std::chrono::system_clock::time_point now) const {
  if (!IsToken(request.method)) return Status::Usage("SigV4: invalid HTTP method");
  if (!ValidPayloadHash(request.payload_sha256))
    return Status::Usage("SigV4: the payload hash must be 64 lower-case hex digits or " +
                         std::string(kUnsignedPayload));
  const std::string amz_date = AmzDate(now);
  const std::string date = amz_date.substr(0, 8);

  SigV4Signature out;
  out.headers.push_back({"x-amz-date", amz_date});
  if (options_.add_content_sha256_header)
    out.headers.push_back({"x-amz-content-sha256", request.payload_sha256});
  if (!credentials_.session_token.empty())
    out.headers.push_back({"x-amz-security-token", credentials_.session_token});

  // Lower-cased names with their trimmed values; a repeated name keeps its values in order.
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_host = false;
  for (const HttpHeader& h : request.headers) {
    if (!IsToken(h.name)) return Status::Usage("SigV4: invalid header name '" + h.name + "'");
    std::string name = Lower(h.name);
    if (name == "authorization" || name == "x-amz-date" || name == "x-amz-content-sha256" ||
        name == "x-amz-security-token")
      return Status::Usage("SigV4: the request must not carry " + name + " (the signer sets it)");
    if (h.value.find_first_of("\r\n") != std::string::npos)
      return Status::Usage("SigV4: header " + name + " has a line break in its value");
    has_host = has_host || name == "host";
    headers.emplace_back(std::move(name), TrimAll(h.value));
  }
  if (!has_host) return Status::Usage("SigV4: the request has no Host header");
  for (const HttpHeader& h : out.headers) headers.emplace_back(h.name, h.value);
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  std::string canonical_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.back() = ',';  // replaces the previous line's '\n'
    } else {
      canonical_headers += headers[i].first;
      canonical_headers.push_back(':');
      if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
      out.signed_headers += headers[i].first;
    }
    canonical_headers += headers[i].second;
    canonical_headers.push_back('\n');
  }

  out.canonical_request = request.method + "\n" + EncodePath(request.path) + "\n" +
                          CanonicalQuery(request.query) + "\n" + canonical_headers + "\n" +
                          out.signed_headers + "\n" + request.payload_sha256;
  const std::string scope = date + "/" + region_ + "/" + service_ + "/aws4_request";
  out.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" +
                       Sha256Hex(out.canonical_request);

  std::string secret = "AWS4" + credentials_.secret_access_key;
  Sha256Digest key = HmacSha256(secret, date);
  OPENSSL_cleanse(secret.data(), secret.size());
  key = HmacSha256(key, region_);
  key = HmacSha256(key, service_);
  key = HmacSha256(key, "aws4_request");
  out.signature = HexLower(HmacSha256(key, out.string_to_sign));
  OPENSSL_cleanse(key.data(), key.size());

  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials_.access_key_id + "/" +
                      scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  out.headers.push_back({"Authorization", out.authorization});
  return out;
}

}  // namespace vdibk::s3
