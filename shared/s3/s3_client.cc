// S3Client core: request building (addressing, signing), the retry loop, failure wording, and the
// single-object operations (put, get, head, delete).
#include "shared/s3/s3_client.h"

#include <charconv>
#include <chrono>

#include "shared/base/log.h"
#include "shared/s3/content_md5.h"
#include "shared/s3/curl_transport.h"
#include "shared/s3/s3_client_call.h"
#include "shared/s3/sha256.h"

namespace vdibk::s3 {
namespace {

constexpr size_t kSignedBodyLimit = 64 * 1024;

std::optional<uint64_t> ToUint(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

ObjectInfo InfoFrom(const HttpResponse& r) {
  ObjectInfo info;
  if (auto len = r.Header("content-length")) info.content_length = ToUint(*len).value_or(0);
  info.size = info.content_length;
  if (auto range = r.Header("content-range")) {  // "bytes 0-9/100"
    const size_t slash = range->rfind('/');
    if (slash != std::string_view::npos)
      if (auto total = ToUint(range->substr(slash + 1))) info.size = *total;
  }
  if (auto etag = r.Header("etag")) info.etag = std::string(*etag);
  if (auto lm = r.Header("last-modified")) info.last_modified = std::string(*lm);
  return info;
}

std::string RangeHeader(const ByteRange& r) {
  return "bytes=" + std::to_string(r.first) + "-" + (r.last ? std::to_string(*r.last) : "");
}

}  // namespace

S3Client::S3Client(S3Config config, std::unique_ptr<HttpTransport> transport, RetryPolicy retry)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      retry_(std::move(retry)),
      signer_(config_.credentials, config_.region) {}

Result<std::unique_ptr<S3Client>> S3Client::Create(const S3Config& config) {
  CurlTransportOptions options;
  options.ca_file = config.ca_file;
  options.connect_timeout = config.connect_timeout;
  options.low_speed_time = config.low_speed_time;
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<CurlTransport> transport,
                         CurlTransport::Create(std::move(options)));
  return std::make_unique<S3Client>(config, std::move(transport), RetryPolicy(config.retry));
}

HttpRequest S3Client::BuildRequest(const Call& call, Status& error) {
  const bool path_style = config_.UsePathStyle(call.bucket);
  const std::string host =
      path_style ? config_.host : std::string(call.bucket) + "." + config_.host;
  std::string path = path_style ? "/" + std::string(call.bucket) : std::string();
  if (!call.key.empty() || !path_style) path += "/" + std::string(call.key);

  std::vector<HttpHeader> headers;
  headers.push_back({"Host", host});
  for (const HttpHeader& h : call.headers) headers.push_back(h);
  std::string payload_hash(kUnsignedPayload);
  if (!call.source && call.sign_body && call.body.size() <= kSignedBodyLimit)
    payload_hash = Sha256Hex(std::string_view(call.body.data(), call.body.size()));

  SigV4Request to_sign{std::string(call.method), path, call.query, headers, payload_hash};
  Result<SigV4Signature> signature = signer_.Sign(to_sign, std::chrono::system_clock::now());
  HttpRequest request;
  if (!signature.ok()) {
    error = signature.status();
    return request;
  }
  for (HttpHeader& h : signature->headers) headers.push_back(std::move(h));
  request.method = std::string(call.method);
  request.url = config_.scheme + "://" + host + RequestTarget(path, call.query);
  request.headers = std::move(headers);
  request.body = call.body;
  request.source = call.source;
  request.sink = call.sink;
  return request;
}

Status S3Client::Fail(const S3Error& error, const Call& call, int attempts, bool gave_up) {
  last_error_ = error;
  Status s = ToStatus(error, call.operation, call.bucket, call.key);
  std::string message = s.message();
  if (gave_up)
    message += " (gave up after " + std::to_string(attempts) + " attempts within the " +
               std::to_string(retry_.options().budget.count() / 1000) + " s retry budget)";
  const AwsCredentials& c = config_.credentials;
  return Status(s.code(), Redact(std::move(message), c.secret_access_key, c.session_token));
}

Result<HttpResponse> S3Client::Execute(const Call& call) {
  RetryPolicy::Attempts attempts = retry_.Begin();
  const AwsCredentials& creds = config_.credentials;
  for (;;) {
    last_attempts_ = attempts.count();
    if (attempts.count() > 1) {
      Status restart = call.source ? call.source->Rewind() : Status::Ok();
      if (restart.ok() && call.sink) restart = call.sink->Restart();
      if (!restart.ok()) {
        S3Error e{TransportError::kBodySource, "cannot retry: " + restart.message(), 0, {}};
        return Fail(e, call, attempts.count(), false);
      }
    }
    Status build_error;
    HttpRequest request = BuildRequest(call, build_error);
    if (!build_error.ok())
      return Status(build_error.code(),
                    Redact("S3 " + std::string(call.operation) + ": " + build_error.message(),
                           creds.secret_access_key, creds.session_token));
    HttpResponse response = transport_->Send(request);
    const bool success = response.error == TransportError::kNone && response.status >= 200 &&
                         response.status < 300 &&
                         !(call.error_in_200 && IsErrorDocument(response.body));
    if (success) return response;
    const S3Error error = S3Error::FromResponse(response);
    if (!IsTransient(error)) return Fail(error, call, attempts.count(), false);
    const Status why = Fail(error, call, attempts.count(), false);
    if (!attempts.Backoff()) return Fail(error, call, attempts.count(), true);
    log::Warn(why.message() + "; retrying (attempt " + std::to_string(attempts.count()) + ")");
  }
}

Status S3Client::CheckEtag(std::string_view operation, std::string_view bucket,
                           std::string_view key, std::span<const char> data,
                           std::string_view etag) {
  const std::string bare = BareEtag(etag);
  if (bare.size() != 32 || bare.find('-') != std::string::npos) return Status::Ok();  // not an MD5
  const Md5Digest md5 = Md5Of(std::string_view(data.data(), data.size()));
  if (bare == HexLower(md5.data(), md5.size())) return Status::Ok();
  return Status::Integrity("S3 " + std::string(operation) + " s3://" + std::string(bucket) + "/" +
                           std::string(key) + ": the server's ETag " + std::string(etag) +
                           " is not the MD5 of the data sent");
}

Result<std::string> S3Client::PutObject(std::string_view bucket, std::string_view key,
                                        std::span<const char> data,
                                        const PutObjectOptions& options) {
  Call call{.operation = "PutObject", .method = "PUT", .bucket = bucket, .key = key, .body = data};
  call.headers.push_back(
      {"Content-MD5", options.content_md5.empty()
                          ? ContentMd5(std::string_view(data.data(), data.size()))
                          : options.content_md5});
  if (!options.content_type.empty()) call.headers.push_back({"Content-Type", options.content_type});
  if (options.if_none_match) call.headers.push_back({"If-None-Match", "*"});
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  const std::string etag(r.Header("etag").value_or(""));
  VDIBK_RETURN_IF_ERROR(CheckEtag("PutObject", bucket, key, data, etag));
  return etag;
}

Result<std::string> S3Client::PutObject(std::string_view bucket, std::string_view key,
                                        HttpBodySource& source, const PutObjectOptions& options) {
  Call call{
      .operation = "PutObject", .method = "PUT", .bucket = bucket, .key = key, .source = &source};
  if (!options.content_md5.empty()) call.headers.push_back({"Content-MD5", options.content_md5});
  if (!options.content_type.empty()) call.headers.push_back({"Content-Type", options.content_type});
  if (options.if_none_match) call.headers.push_back({"If-None-Match", "*"});
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  return std::string(r.Header("etag").value_or(""));
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key,
                                        std::optional<ByteRange> range) {
  Call call{.operation = "GetObject", .method = "GET", .bucket = bucket, .key = key};
  if (range) call.headers.push_back({"Range", RangeHeader(*range)});
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (range && r.status != 206)
    return Status::TargetIo("S3 GetObject s3://" + std::string(bucket) + "/" + std::string(key) +
                            ": the server ignored the Range header (HTTP " +
                            std::to_string(r.status) + ")");
  return std::move(r.body);
}

Result<ObjectInfo> S3Client::GetObject(std::string_view bucket, std::string_view key,
                                       HttpBodySink& sink, std::optional<ByteRange> range) {
  Call call{.operation = "GetObject", .method = "GET", .bucket = bucket, .key = key, .sink = &sink};
  if (range) call.headers.push_back({"Range", RangeHeader(*range)});
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (range && r.status != 206)
    return Status::TargetIo("S3 GetObject s3://" + std::string(bucket) + "/" + std::string(key) +
                            ": the server ignored the Range header (HTTP " +
                            std::to_string(r.status) + ")");
  return InfoFrom(r);
}

Result<ObjectInfo> S3Client::HeadObject(std::string_view bucket, std::string_view key) {
  Call call{.operation = "HeadObject", .method = "HEAD", .bucket = bucket, .key = key};
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  return InfoFrom(r);
}

Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  Call call{.operation = "DeleteObject", .method = "DELETE", .bucket = bucket, .key = key};
  Result<HttpResponse> r = Execute(call);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace vdibk::s3
