// CurlTransport: libcurl easy-handle options per request, body/header callbacks, and the mapping
// of CURLcode to TransportError.
#include "shared/s3/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

namespace vdibk::s3 {

struct CurlTransport::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

namespace {

std::once_flag g_curl_init;
CURLcode g_curl_init_rc = CURLE_OK;

// The state of one request, seen by the callbacks.
struct Exchange {
  const HttpRequest* request = nullptr;
  uint64_t offset = 0;  // into request->body
  HttpResponse* response = nullptr;
  CURL* curl = nullptr;
  Status local_error;  // the source's or the sink's failure
};

size_t ReadBody(char* buffer, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t max = size * n;
  if (x->request->source) {
    Result<size_t> got = x->request->source->Read(buffer, max);
    if (!got.ok()) {
      x->local_error = got.status();
      return CURL_READFUNC_ABORT;
    }
    return *got;
  }
  const std::span<const char> body = x->request->body;
  const size_t left = body.size() - static_cast<size_t>(x->offset);
  const size_t take = std::min(left, max);
  if (take) std::memcpy(buffer, body.data() + x->offset, take);
  x->offset += take;
  return take;
}

// Curl rewinds a body it must send again (e.g. a reused connection closed under it).
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* x = static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  if (x->request->source) {
    if (offset != 0) return CURL_SEEKFUNC_CANTSEEK;
    Status s = x->request->source->Rewind();
    if (!s.ok()) {
      x->local_error = s;
      return CURL_SEEKFUNC_FAIL;
    }
    return CURL_SEEKFUNC_OK;
  }
  if (static_cast<uint64_t>(offset) > x->request->body.size()) return CURL_SEEKFUNC_FAIL;
  x->offset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t bytes = size * n;
  long status = 0;
  curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
  if (x->request->sink && status >= 200 && status < 300) {
    Status s = x->request->sink->Write(std::string_view(data, bytes));
    if (!s.ok()) {
      x->local_error = s;
      return 0;  // CURLE_WRITE_ERROR
    }
    return bytes;
  }
  x->response->body.append(data, bytes);
  return bytes;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue): start over
    x->response->headers.clear();
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  x->response->headers.push_back({std::move(name), std::string(value)});
  return bytes;
}

TransportError Classify(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      return TransportError::kConnect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kResolve;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::kConnection;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
      return TransportError::kTls;
    default:
      return TransportError::kOther;
  }
}

}  // namespace

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(CurlTransportOptions options) {
  std::call_once(g_curl_init, [] { g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (g_curl_init_rc != CURLE_OK)
    return Status::Failed(std::string("libcurl: global init failed: ") +
                          curl_easy_strerror(g_curl_init_rc));
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (!handle->curl) return Status::Failed("libcurl: curl_easy_init failed");
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(options), std::move(handle)));
}

CurlTransport::CurlTransport(CurlTransportOptions options, std::unique_ptr<Handle> handle)
    : options_(std::move(options)), handle_(std::move(handle)) {}

CurlTransport::~CurlTransport() = default;

HttpResponse CurlTransport::Send(const HttpRequest& request) {
  CURL* curl = handle_->curl;
  // Reset drops the previous request's options but keeps the connection and session caches.
  curl_easy_reset(curl);
  HttpResponse response;
  Exchange x{&request, 0, &response, curl, Status::Ok()};
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_slist* headers = nullptr;
  for (const HttpHeader& h : request.headers)
    headers = curl_slist_append(headers, (h.name + ": " + h.value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  headers = curl_slist_append(headers, "Accept:");
  headers = curl_slist_append(headers, "Content-Type:");  // none unless the request has one

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options_.low_speed_time.count()));
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.verify_tls) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);

  const bool has_body = request.source != nullptr || !request.body.empty() ||
                        request.method == "PUT" || request.method == "POST";
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    const uint64_t size = request.source ? request.source->size() : request.body.size();
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &x);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &x);
    if (request.method != "PUT")
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }
  response.status = 0;
  if (!x.local_error.ok()) {
    response.error = TransportError::kBodySource;
    response.detail = x.local_error.message();
    return response;
  }
  response.error = Classify(rc);
  response.detail = error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(rc);
  return response;
}

}  // namespace vdibk::s3
