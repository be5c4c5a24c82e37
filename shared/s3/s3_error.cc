// S3Error classification and the wording of S3 failures (codes, fix hints).
#include "shared/s3/s3_error.h"

#include <initializer_list>

namespace vdibk::s3 {
namespace {

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view c : codes)
    if (code == c) return true;
  return false;
}

struct Diagnosis {
  ErrorCode code;
  std::string_view hint;
};

Diagnosis Diagnose(const S3Error& e) {
  const std::string& c = e.body.code;
  switch (e.transport) {
    case TransportError::kNone:
      break;
    case TransportError::kResolve:
      return {ErrorCode::kConfiguration, "check the endpoint (--s3-endpoint / AWS_ENDPOINT_URL)"};
    case TransportError::kTls:
      return {ErrorCode::kConfiguration,
              "check the server's certificate and the CA file (--s3-ca-file)"};
    case TransportError::kConnect:
      return {ErrorCode::kTargetIo,
              "check that the S3 endpoint is up and reachable (--s3-endpoint / AWS_ENDPOINT_URL)"};
    case TransportError::kBodySource:
      return {ErrorCode::kTargetIo, ""};
    default:
      return {ErrorCode::kTargetIo, "check the network path to the S3 endpoint"};
  }
  if (OneOf(c, {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
                "TokenRefreshRequired"}))
    return {ErrorCode::kConfiguration,
            "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or the credentials "
            "file profile"};
  if (c == "RequestTimeTooSkewed")
    return {ErrorCode::kConfiguration, "check this machine's clock (NTP)"};
  if (OneOf(c, {"AuthorizationHeaderMalformed", "PermanentRedirect",
                "IllegalLocationConstraintException"}) ||
      e.http_status == 301)
    return {ErrorCode::kConfiguration,
            "check the region (AWS_REGION) and the addressing style against the bucket's"};
  if (c == "NoSuchBucket")
    return {ErrorCode::kConfiguration, "create the bucket or fix its name in the s3:// URL"};
  if (c == "AccessDenied" || c == "AllAccessDisabled" || e.http_status == 403)
    return {ErrorCode::kConfiguration,
            "grant these credentials access to the bucket (policy/ACL) or use others"};
  if (OneOf(c, {"NoSuchKey", "NoSuchUpload"}) || (c.empty() && e.http_status == 404))
    return {ErrorCode::kMissing, ""};
  if (OneOf(c, {"BadDigest", "InvalidDigest", "InvalidPart", "InvalidPartOrder",
                "XAmzContentSHA256Mismatch"}))
    return {ErrorCode::kIntegrity, "the data sent did not match its checksum or part list"};
  if (c == "QuotaExceeded" || c == "EntityTooLarge")
    return {ErrorCode::kTargetIo, "free space in the bucket or raise its quota"};
  return {ErrorCode::kTargetIo, ""};
}

}  // namespace

S3Error S3Error::FromResponse(const HttpResponse& response) {
  S3Error e;
  e.transport = response.error;
  e.transport_detail = response.detail;
  e.http_status = response.status;
  if (response.error == TransportError::kNone && !response.body.empty()) {
    Result<S3ErrorBody> body = ParseErrorBody(response.body);
    if (body.ok()) e.body = std::move(body).value();
  }
  if (e.body.request_id.empty())
    if (auto id = response.Header("x-amz-request-id")) e.body.request_id = std::string(*id);
  return e;
}

bool IsTransient(const S3Error& e) {
  switch (e.transport) {
    case TransportError::kNone:
      break;
    case TransportError::kConnect:
    case TransportError::kTimeout:
    case TransportError::kConnection:
      return true;
    default:
      return false;
  }
  if (OneOf(e.body.code, {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable",
                          "Throttling", "ThrottlingException", "RequestLimitExceeded"}))
    return true;
  const long s = e.http_status;
  return s == 500 || s == 502 || s == 503 || s == 504 || s == 429;
}

Status ToStatus(const S3Error& e, std::string_view operation, std::string_view bucket,
                std::string_view key) {
  const Diagnosis d = Diagnose(e);
  std::string m = "S3 " + std::string(operation) + " s3://" + std::string(bucket);
  if (!key.empty()) m += "/" + std::string(key);
  m += ": ";
  if (e.transport != TransportError::kNone) {
    m += std::string(TransportErrorName(e.transport));
    if (!e.transport_detail.empty()) m += " (" + e.transport_detail + ")";
  } else {
    m += "HTTP " + std::to_string(e.http_status);
    if (!e.body.code.empty()) m += " " + e.body.code;
    if (!e.body.message.empty()) m += ": " + e.body.message;
    if (!e.body.request_id.empty()) m += " (request id " + e.body.request_id + ")";
  }
  if (!d.hint.empty()) m += "; " + std::string(d.hint);
  return Status(d.code, std::move(m));
}

std::string Redact(std::string text, std::string_view secret1, std::string_view secret2) {
  for (std::string_view s : {secret1, secret2}) {
    if (s.empty()) continue;
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at))
      text.replace(at, s.size(), "[redacted]");
  }
  return text;
}

}  // namespace vdibk::s3
