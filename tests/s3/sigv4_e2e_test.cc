// SigV4Signer end to end against a real S3 server (Ceph's RADOS Gateway from
// scripts/s3-server.sh, which verifies every signature) over libcurl: PUT, GET (whole and
// ranged), ListObjectsV2 with pagination, DELETE, a multipart upload (`?uploads`, parts with
// UNSIGNED-PAYLOAD, completion) and its abort, keys and query values that need encoding, and the
// refusals of a wrong secret and a payload that does not match its hash.
// Needs AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and S3_BUCKET
// (ctest runs it under tests/s3/with_s3_server.sh); without them every test skips.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/s3/sha256.h"
#include "shared/s3/sigv4_signer.h"

namespace vdibk::s3 {
namespace {

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // curl's, when the request did not complete
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

// The text between the first <tag> and </tag> after `from`, or "" (test-only XML reading).
std::string Element(const std::string& xml, const std::string& tag, size_t from = 0) {
  const size_t open = xml.find("<" + tag + ">", from);
  if (open == std::string::npos) return "";
  const size_t start = open + tag.size() + 2;
  const size_t close = xml.find("</" + tag + ">", start);
  return close == std::string::npos ? "" : xml.substr(start, close - start);
}

std::vector<std::string> Elements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  for (size_t at = xml.find("<" + tag + ">"); at != std::string::npos;
       at = xml.find("<" + tag + ">", at + 1))
    out.push_back(Element(xml, tag, at));
  return out;
}

std::string Pattern(size_t size, unsigned seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

class S3EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("AWS_ENDPOINT_URL");
    const char* access = std::getenv("AWS_ACCESS_KEY_ID");
    const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
    const char* region = std::getenv("AWS_REGION");
    const char* bucket = std::getenv("S3_BUCKET");
    if (!endpoint || !access || !secret || !region || !bucket)
      GTEST_SKIP() << "no S3 server (run under tests/s3/with_s3_server.sh)";
    endpoint_ = endpoint;
    while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
    const size_t scheme = endpoint_.find("://");
    ASSERT_NE(scheme, std::string::npos) << endpoint_;
    host_ = endpoint_.substr(scheme + 3);
    access_ = access;
    secret_ = secret;
    region_ = region;
    bucket_ = bucket;
    signer_.emplace(AwsCredentials{access_, secret_, ""}, region_);
  }

  // One signed request. `key` is the object key ("" for the bucket), decoded.
  Response Call(const SigV4Signer& signer, const std::string& method, const std::string& key,
                const std::vector<QueryParam>& query = {}, const std::string& body = "",
                std::vector<HttpHeader> headers = {}, bool unsigned_payload = false,
                const std::string* payload_hash = nullptr) {
    const std::string path = "/" + bucket_ + (key.empty() ? "" : "/" + key);
    headers.insert(headers.begin(), {"Host", host_});
    SigV4Request request{method, path, query, headers,
                         payload_hash       ? *payload_hash
                         : unsigned_payload ? std::string(kUnsignedPayload)
                                            : Sha256Hex(body)};
    Result<SigV4Signature> signature = signer.Sign(request, std::chrono::system_clock::now());
    EXPECT_TRUE(signature.ok()) << signature.status().message();
    Response response;
    if (!signature.ok()) return response;

    CURL* curl = curl_easy_init();
    curl_slist* list = nullptr;
    for (const HttpHeader& h : headers)
      list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
    for (const HttpHeader& h : signature->headers)
      list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
    list = curl_slist_append(list, "Expect:");        // no 100-continue round trip
    list = curl_slist_append(list, "Content-Type:");  // none of curl's own for POST bodies
    const std::string url = endpoint_ + RequestTarget(path, query);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!body.empty() || method == "PUT" || method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    const CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) response.error = curl_easy_strerror(rc);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return response;
  }

  Response Call(const std::string& method, const std::string& key,
                const std::vector<QueryParam>& query = {}, const std::string& body = "",
                std::vector<HttpHeader> headers = {}, bool unsigned_payload = false) {
    return Call(*signer_, method, key, query, body, std::move(headers), unsigned_payload);
  }

  std::string endpoint_, host_, access_, secret_, region_, bucket_;
  std::optional<SigV4Signer> signer_;
};

TEST_F(S3EndToEndTest, PutGetRangeListDelete) {
  const std::string key = "e2e/dir one/\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87+a=b&c~d(1)$.bin";
  const std::string data = Pattern(1 << 20, 1);
  Response put = Call("PUT", key, {}, data);
  ASSERT_EQ(put.status, 200) << put.error << put.body;
  EXPECT_FALSE(put.headers["etag"].empty());

  Response get = Call("GET", key);
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_TRUE(get.body == data) << "GET returned other bytes than were PUT";

  Response range = Call("GET", key, {}, "", {{"Range", "bytes=1000-1999"}});
  ASSERT_EQ(range.status, 206) << range.body;
  EXPECT_TRUE(range.body == data.substr(1000, 1000));

  Response list = Call("GET", "", {{"list-type", "2"}, {"prefix", "e2e/dir one/"}});
  ASSERT_EQ(list.status, 200) << list.body;
  const std::vector<std::string> keys = Elements(list.body, "Key");
  ASSERT_EQ(keys.size(), 1u) << list.body;
  EXPECT_EQ(keys[0], "e2e/dir one/\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87+a=b&amp;c~d(1)$.bin");

  Response del = Call("DELETE", key);
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(Call("GET", key).status, 404);
}

TEST_F(S3EndToEndTest, ListObjectsV2Pages) {
  const std::vector<std::string> keys = {"e2e/page/a b", "e2e/page/c+d", "e2e/page/e=f/g",
                                         "e2e/page/h%20i"};
  for (const std::string& k : keys) ASSERT_EQ(Call("PUT", k, {}, k).status, 200) << k;
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    std::vector<QueryParam> query = {
        {"list-type", "2"}, {"prefix", "e2e/page/"}, {"max-keys", "1"}};
    if (!token.empty()) query.push_back({"continuation-token", token});
    Response list = Call("GET", "", query);
    ASSERT_EQ(list.status, 200) << list.body;
    for (const std::string& k : Elements(list.body, "Key")) seen.push_back(k);
    if (Element(list.body, "IsTruncated") != "true") break;
    token = Element(list.body, "NextContinuationToken");
    ASSERT_FALSE(token.empty()) << list.body;
  }
  EXPECT_EQ(seen, keys);
  for (const std::string& k : keys) EXPECT_EQ(Call("DELETE", k).status, 204) << k;
}

TEST_F(S3EndToEndTest, MultipartUploadWithUnsignedParts) {
  const std::string key = "e2e/multipart object";
  Response create = Call("POST", key, {{"uploads", ""}});  // a parameter without a value
  ASSERT_EQ(create.status, 200) << create.body;
  const std::string upload_id = Element(create.body, "UploadId");
  ASSERT_FALSE(upload_id.empty()) << create.body;

  const std::vector<std::string> parts = {Pattern(5 << 20, 2), Pattern(123457, 3)};
  std::string complete = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string number = std::to_string(i + 1);
    Response part = Call("PUT", key, {{"partNumber", number}, {"uploadId", upload_id}}, parts[i],
                         {}, /*unsigned_payload=*/i == 0);
    ASSERT_EQ(part.status, 200) << part.body;
    ASSERT_FALSE(part.headers["etag"].empty());
    complete += "<Part><PartNumber>" + number + "</PartNumber><ETag>" + part.headers["etag"] +
                "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  Response done = Call("POST", key, {{"uploadId", upload_id}}, complete);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("CompleteMultipartUploadResult"), std::string::npos) << done.body;

  Response get = Call("GET", key);
  ASSERT_EQ(get.status, 200);
  EXPECT_TRUE(get.body == parts[0] + parts[1]) << "the completed object differs";
  EXPECT_EQ(Call("DELETE", key).status, 204);
}

TEST_F(S3EndToEndTest, MultipartUploadAbort) {
  const std::string key = "e2e/aborted";
  Response create = Call("POST", key, {{"uploads", ""}});
  ASSERT_EQ(create.status, 200) << create.body;
  const std::string upload_id = Element(create.body, "UploadId");
  ASSERT_EQ(Call("PUT", key, {{"partNumber", "1"}, {"uploadId", upload_id}}, "x").status, 200);
  Response open = Call("GET", "", {{"uploads", ""}, {"prefix", "e2e/aborted"}});
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_NE(open.body.find(upload_id), std::string::npos) << open.body;

  EXPECT_EQ(Call("DELETE", key, {{"uploadId", upload_id}}).status, 204);
  Response after = Call("GET", "", {{"uploads", ""}, {"prefix", "e2e/aborted"}});
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.body.find(upload_id), std::string::npos) << after.body;
}

TEST_F(S3EndToEndTest, WrongSecretIsRefused) {
  const SigV4Signer wrong(AwsCredentials{access_, secret_ + "x", ""}, region_);
  Response r = Call(wrong, "GET", "", {{"list-type", "2"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("SignatureDoesNotMatch"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(secret_), std::string::npos);
}

TEST_F(S3EndToEndTest, PayloadNotMatchingItsHashIsRefused) {
  const std::string other_hash = Sha256Hex("something else");
  Response r = Call(*signer_, "PUT", "e2e/tampered", {}, "the body", {}, false, &other_hash);
  EXPECT_GE(r.status, 400) << r.body;
  EXPECT_LT(r.status, 500) << r.body;
  EXPECT_EQ(Call("GET", "e2e/tampered").status, 404);
}

}  // namespace
}  // namespace vdibk::s3
