// FakeS3Server: request parsing (path-style URLs, query, headers), S3's semantics kept in maps,
// and the XML answers S3Client parses.
#include "tests/unit/shared/s3/fake_s3_server.h"

#include <regex>

#include "shared/s3/content_md5.h"
#include "shared/s3/sha256.h"

namespace vdibk::s3 {
namespace {

class ServerTransport final : public HttpTransport {
 public:
  explicit ServerTransport(FakeS3Server* server) : server_(server) {}
  HttpResponse Send(const HttpRequest& request) override {
    HttpResponse r = server_->Handle(request);
    if (request.sink && r.error == TransportError::kNone && r.status >= 200 && r.status < 300) {
      if (Status st = request.sink->Write(r.body); !st.ok()) {
        r.error = TransportError::kBodySource;
        r.detail = st.message();
      }
      r.body.clear();
    }
    return r;
  }

 private:
  FakeS3Server* server_;
};

std::string Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string HeaderOf(const HttpRequest& r, std::string_view name) {
  for (const HttpHeader& h : r.headers) {
    if (h.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h.name[i])) == name[i];
    if (same) return h.value;
  }
  return "";
}

std::string Body(const HttpRequest& r) {
  if (!r.source) return std::string(r.body.data(), r.body.size());
  std::string out;
  char buffer[65536];
  for (;;) {
    Result<size_t> n = r.source->Read(buffer, sizeof buffer);
    if (!n.ok() || *n == 0) break;
    out.append(buffer, *n);
  }
  return out;
}

std::string QuotedMd5(std::string_view data) {
  const Md5Digest d = Md5Of(data);
  return "\"" + HexLower(d.data(), d.size()) + "\"";
}

HttpResponse Answer(long status, std::string body = "", std::vector<HttpHeader> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HttpResponse Error(long status, const std::string& code) {
  return Answer(status, "<Error><Code>" + code + "</Code><Message>fake " + code +
                            "</Message><RequestId>fake</RequestId></Error>");
}

std::string Xml(const std::string& root, const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + root +
         " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + inner + "</" + root + ">";
}

}  // namespace

std::unique_ptr<HttpTransport> FakeS3Server::NewTransport() {
  return std::make_unique<ServerTransport>(this);
}

void FakeS3Server::SetFault(Fault fault) {
  std::lock_guard lk(mu_);
  fault_ = std::move(fault);
}

void FakeS3Server::HoldParts(bool hold) {
  std::lock_guard lk(mu_);
  hold_ = hold;
  cv_.notify_all();
}

void FakeS3Server::WaitHeld(int n) {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return held_ >= n; });
}

std::vector<FakeS3Call> FakeS3Server::calls() const {
  std::lock_guard lk(mu_);
  return calls_;
}

size_t FakeS3Server::Count(const std::string& op) const {
  std::lock_guard lk(mu_);
  size_t n = 0;
  for (const FakeS3Call& c : calls_) n += c.op == op;
  return n;
}

int FakeS3Server::max_parts_at_once() const {
  std::lock_guard lk(mu_);
  return max_parts_now_;
}

std::optional<std::string> FakeS3Server::Object(const std::string& key) const {
  std::lock_guard lk(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

void FakeS3Server::PutDirect(const std::string& key, std::string data) {
  std::lock_guard lk(mu_);
  objects_[key] = std::move(data);
  modified_[key] = now_;
}

void FakeS3Server::SetNow(std::string iso_time) {
  std::lock_guard lk(mu_);
  now_ = std::move(iso_time);
}

size_t FakeS3Server::open_uploads() const {
  std::lock_guard lk(mu_);
  return uploads_.size();
}

HttpResponse FakeS3Server::Handle(const HttpRequest& request) {
  // "http://host[:port]/bucket/key?query": path style only.
  std::string_view url = request.url;
  url.remove_prefix(url.find("://") + 3);
  url.remove_prefix(url.find('/'));
  std::string_view path = url, query_text;
  if (const size_t q = url.find('?'); q != std::string_view::npos) {
    path = url.substr(0, q);
    query_text = url.substr(q + 1);
  }
  const std::string decoded = Decode(path);  // "/bucket[/key]"
  const size_t slash = decoded.find('/', 1);
  FakeS3Call call;
  call.key = slash == std::string::npos ? "" : decoded.substr(slash + 1);
  std::map<std::string, std::string> query;
  while (!query_text.empty()) {
    const size_t amp = query_text.find('&');
    std::string_view param = query_text.substr(0, amp);
    const size_t eq = param.find('=');
    query[Decode(param.substr(0, eq))] =
        eq == std::string_view::npos ? "" : Decode(param.substr(eq + 1));
    query_text = amp == std::string_view::npos ? "" : query_text.substr(amp + 1);
  }
  const std::string& m = request.method;
  const bool object = !call.key.empty();
  if (m == "PUT" && query.count("uploadId")) {
    call.op = "UploadPart";
    call.part_number = std::stoi(query["partNumber"]);
  } else if (m == "PUT") {
    call.op = "PutObject";
  } else if (m == "POST" && query.count("uploads")) {
    call.op = "CreateMultipartUpload";
  } else if (m == "POST" && query.count("uploadId")) {
    call.op = "CompleteMultipartUpload";
  } else if (m == "POST" && query.count("delete")) {
    call.op = "DeleteObjects";
  } else if (m == "DELETE" && query.count("uploadId")) {
    call.op = "AbortMultipartUpload";
  } else if (m == "DELETE") {
    call.op = "DeleteObject";
  } else if (m == "GET" && !object && query.count("uploads")) {
    call.op = "ListMultipartUploads";
  } else if (m == "GET" && !object) {
    call.op = "ListObjectsV2";
  } else if (m == "GET") {
    call.op = "GetObject";
  } else if (m == "HEAD") {
    call.op = "HeadObject";
  }
  call.content_md5 = HeaderOf(request, "content-md5");
  call.range = HeaderOf(request, "range");
  call.if_none_match = HeaderOf(request, "if-none-match");
  call.body_size = request.source ? request.source->size() : request.body.size();

  std::unique_lock lk(mu_);
  calls_.push_back(call);
  if (fault_) {
    Fault fault = fault_;
    lk.unlock();
    const long status = fault(call);
    lk.lock();
    if (status == 403) return Error(403, "AccessDenied");
    if (status != 0) return Error(status, status == 503 ? "SlowDown" : "InternalError");
  }
  if (call.op == "UploadPart") {
    ++parts_now_;
    max_parts_now_ = std::max(max_parts_now_, parts_now_);
    ++held_;
    cv_.notify_all();
    cv_.wait(lk, [&] { return !hold_; });
    --held_;
    HttpResponse r = Dispatch(call, request, query, lk);
    --parts_now_;
    return r;
  }
  return Dispatch(call, request, query, lk);
}

HttpResponse FakeS3Server::Dispatch(const FakeS3Call& call, const HttpRequest& request,
                                    const std::map<std::string, std::string>& query,
                                    std::unique_lock<std::mutex>&) {
  const std::string& op = call.op;
  const std::string& key = call.key;
  if (op == "PutObject" || op == "UploadPart") {
    const std::string body = Body(request);
    if (!call.content_md5.empty() && call.content_md5 != ContentMd5(body))
      return Error(400, "BadDigest");
    if (op == "PutObject") {
      if (call.if_none_match == "*" && objects_.count(key) && !ignore_if_none_match)
        return Error(412, "PreconditionFailed");
      objects_[key] = body;
      modified_[key] = now_;
      return Answer(200, "", {{"etag", QuotedMd5(body)}});
    }
    auto up = uploads_.find(query.at("uploadId"));
    if (up == uploads_.end()) return Error(404, "NoSuchUpload");
    up->second.parts[call.part_number] = body;
    return Answer(200, "", {{"etag", QuotedMd5(body)}});
  }
  if (op == "CreateMultipartUpload") {
    const std::string id = "upload-" + std::to_string(next_upload_++);
    uploads_[id] = Upload{key, {}};
    return Answer(200,
                  Xml("InitiateMultipartUploadResult",
                      "<Bucket>b</Bucket><Key>" + key + "</Key><UploadId>" + id + "</UploadId>"));
  }
  if (op == "CompleteMultipartUpload") {
    auto up = uploads_.find(query.at("uploadId"));
    if (up == uploads_.end()) return Error(404, "NoSuchUpload");
    const std::string body = Body(request);
    static const std::regex kPart("<PartNumber>(\\d+)</PartNumber>\\s*<ETag>([^<]*)</ETag>");
    std::string data;
    std::vector<std::string> etags;
    std::vector<std::pair<int, std::string>> listed;
    for (auto it = std::sregex_iterator(body.begin(), body.end(), kPart);
         it != std::sregex_iterator(); ++it) {
      std::string etag = (*it)[2];
      for (size_t at; (at = etag.find("&quot;")) != std::string::npos;) etag.replace(at, 6, "\"");
      listed.emplace_back(std::stoi((*it)[1]), etag);
    }
    if (listed.empty()) return Error(400, "MalformedXML");
    for (size_t i = 0; i < listed.size(); ++i) {
      auto part = up->second.parts.find(listed[i].first);
      if (part == up->second.parts.end() || QuotedMd5(part->second) != listed[i].second)
        return Error(400, "InvalidPart");
      if (i + 1 < listed.size() && part->second.size() < min_part_size)
        return Error(400, "EntityTooSmall");
      data += part->second;
      etags.push_back(listed[i].second);
    }
    objects_[key] = std::move(data);
    modified_[key] = now_;
    uploads_.erase(up);
    return Answer(200,
                  Xml("CompleteMultipartUploadResult",
                      "<Location>l</Location><Bucket>b</Bucket><Key>" + key + "</Key><ETag>\"" +
                          (wrong_complete_etag ? std::string(32, 'f') + "-1"
                                               : MultipartEtag(etags).value_or("")) +
                          "\"</ETag>"));
  }
  if (op == "AbortMultipartUpload") {
    if (!uploads_.erase(query.at("uploadId"))) return Error(404, "NoSuchUpload");
    return Answer(204);
  }
  if (op == "DeleteObject") {
    objects_.erase(key);
    modified_.erase(key);
    return Answer(204);
  }
  if (op == "DeleteObjects") {
    const std::string body = Body(request);
    static const std::regex kKey("<Key>([^<]*)</Key>");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), kKey);
         it != std::sregex_iterator(); ++it)
      objects_.erase((*it)[1]);
    return Answer(200, Xml("DeleteResult", ""));
  }
  const std::string prefix = query.count("prefix") ? query.at("prefix") : "";
  if (op == "ListMultipartUploads") {
    std::string inner = "<Bucket>b</Bucket><IsTruncated>false</IsTruncated>";
    for (const auto& [id, up] : uploads_)
      if (up.key.starts_with(prefix))
        inner += "<Upload><Key>" + up.key + "</Key><UploadId>" + id + "</UploadId></Upload>";
    return Answer(200, Xml("ListMultipartUploadsResult", inner));
  }
  if (op == "ListObjectsV2") {
    // One page; a delimiter rolls keys up into CommonPrefixes (each once, in order).
    const std::string delimiter = query.count("delimiter") ? query.at("delimiter") : "";
    const int max_keys = query.count("max-keys") ? std::stoi(query.at("max-keys")) : 1000;
    std::string inner = "<Name>b</Name><IsTruncated>false</IsTruncated>";
    std::string last_common;
    int listed = 0;
    for (const auto& [k, data] : objects_) {
      if (!k.starts_with(prefix) || listed >= max_keys) continue;
      const size_t cut = delimiter.empty() ? std::string::npos : k.find(delimiter, prefix.size());
      if (cut != std::string::npos) {
        const std::string common = k.substr(0, cut + delimiter.size());
        if (common == last_common) continue;
        last_common = common;
        inner += "<CommonPrefixes><Prefix>" + common + "</Prefix></CommonPrefixes>";
      } else {
        inner += "<Contents><Key>" + k + "</Key><LastModified>" + modified_[k] +
                 "</LastModified><Size>" + std::to_string(data.size()) + "</Size><ETag>" +
                 QuotedMd5(data) + "</ETag></Contents>";
      }
      ++listed;
    }
    return Answer(200, Xml("ListBucketResult", inner));
  }
  auto obj = objects_.find(key);
  if (op == "HeadObject") {
    if (obj == objects_.end()) return Answer(404);
    return Answer(
        200, "",
        {{"content-length", std::to_string(obj->second.size())}, {"etag", QuotedMd5(obj->second)}});
  }
  if (op == "GetObject") {
    if (obj == objects_.end()) return Error(404, "NoSuchKey");
    const std::string& data = obj->second;
    if (call.range.empty()) return Answer(200, data);
    static const std::regex kRange("bytes=(\\d+)-(\\d*)");
    std::smatch match;
    if (!std::regex_match(call.range, match, kRange)) return Error(400, "InvalidRange");
    const uint64_t first = std::stoull(match[1]);
    uint64_t last = match[2].length() ? std::stoull(match[2]) : data.size() - 1;
    if (first >= data.size()) return Error(416, "InvalidRange");
    last = std::min<uint64_t>(last, data.size() - 1);
    return Answer(206, data.substr(first, last - first + 1),
                  {{"content-range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                         "/" + std::to_string(data.size())}});
  }
  return Error(405, "MethodNotAllowed");
}

S3ClientFactory FakeClients(FakeS3Server* server, RetryClock* clock) {
  S3Config config;
  config.scheme = "http";
  config.host = "s3.test:9000";
  config.custom_endpoint = true;
  config.credentials = {"AKIDTEST", "secret", ""};
  RetryOptions retry;
  retry.max_attempts = 4;
  return [server, clock, config, retry]() -> Result<std::unique_ptr<S3Client>> {
    return std::make_unique<S3Client>(config, server->NewTransport(), RetryPolicy(retry, clock, 7));
  };
}

}  // namespace vdibk::s3
