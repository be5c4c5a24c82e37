// FakeS3Server: an in-memory S3 (objects, multipart uploads, listings with delimiters, ranged
// GETs) behind one
// HttpTransport per thread, with fault injection and a gate that holds UploadPart requests, for
// tests of S3Target's threads and S3RepoStore. LockedRetryClock: a fake retry clock safe for several threads.
#ifndef VDIBK_TESTS_UNIT_SHARED_S3_FAKE_S3_SERVER_H_
#define VDIBK_TESTS_UNIT_SHARED_S3_FAKE_S3_SERVER_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shared/s3/http_transport.h"
#include "shared/s3/retry_policy.h"
#include "shared/s3/s3_client.h"
#include "shared/s3/s3_target.h"

namespace vdibk::s3 {

// One request as the server understood it.
struct FakeS3Call {
  std::string op;  // "PutObject", "UploadPart", "CreateMultipartUpload", "GetObject", ...
  std::string key;
  int part_number = 0;
  std::string content_md5;  // the header, "" when absent
  std::string range;        // the Range header
  std::string if_none_match;
  uint64_t body_size = 0;
};

class FakeS3Server {
 public:
  // Answers `call` with this HTTP status (and an S3 error body) instead of handling it; 0: handle.
  using Fault = std::function<long(const FakeS3Call& call)>;

  std::unique_ptr<HttpTransport> NewTransport();
  HttpResponse Handle(const HttpRequest& request);

  void SetFault(Fault fault);
  // While held, UploadPart requests wait (after being counted as in progress).
  void HoldParts(bool hold);
  // Blocks until `n` UploadPart requests wait at the gate.
  void WaitHeld(int n);

  std::vector<FakeS3Call> calls() const;
  size_t Count(const std::string& op) const;
  int max_parts_at_once() const;
  std::optional<std::string> Object(const std::string& key) const;
  void PutDirect(const std::string& key, std::string data);
  size_t open_uploads() const;

  // Parts but the last must have at least this many bytes (EntityTooSmall otherwise).
  uint64_t min_part_size = 0;
  // CompleteMultipartUpload answers an ETag that is not the parts' (a server that garbled them).
  bool wrong_complete_etag = false;
  // PutObject ignores If-None-Match (as some S3-compatible servers do).
  bool ignore_if_none_match = false;
  // The LastModified that listings give objects written from now on (ISO 8601).
  void SetNow(std::string iso_time);

 private:
  struct Upload {
    std::string key;
    std::map<int, std::string> parts;
  };
  HttpResponse Dispatch(const FakeS3Call& call, const HttpRequest& request,
                        const std::map<std::string, std::string>& query,
                        std::unique_lock<std::mutex>& lk);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, std::string> modified_;  // key -> LastModified
  std::string now_ = "2026-01-02T03:04:05.000Z";
  std::map<std::string, Upload> uploads_;
  int next_upload_ = 1;
  std::vector<FakeS3Call> calls_;
  Fault fault_;
  bool hold_ = false;
  int held_ = 0;
  int parts_now_ = 0;
  int max_parts_now_ = 0;
};

class LockedRetryClock final : public RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override {
    std::lock_guard lk(mu_);
    return now_;
  }
  void SleepFor(std::chrono::milliseconds d) override {
    std::lock_guard lk(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point now_{};
};

// Clients of `server` (path-style "http://s3.test:9000", fake credentials, fast retries).
S3ClientFactory FakeClients(FakeS3Server* server, RetryClock* clock);

}  // namespace vdibk::s3

#endif  // VDIBK_TESTS_UNIT_SHARED_S3_FAKE_S3_SERVER_H_
