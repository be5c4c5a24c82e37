// S3Client: the S3 operations the repository needs (objects, listings, batch delete, multipart
// uploads) over an HttpTransport and the SigV4 signer, with retries of transient failures.
#ifndef VDIBK_SHARED_S3_S3_CLIENT_H_
#define VDIBK_SHARED_S3_S3_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"
#include "shared/s3/http_transport.h"
#include "shared/s3/retry_policy.h"
#include "shared/s3/s3_config.h"
#include "shared/s3/s3_error.h"
#include "shared/s3/s3_messages.h"
#include "shared/s3/sigv4_signer.h"

namespace vdibk::s3 {

// Bytes first..last (inclusive); no last: to the end.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> last;
};

struct ObjectInfo {
  uint64_t size = 0;  // of the object (a ranged GET: the whole object's, from Content-Range)
  uint64_t content_length = 0;  // of this response's body
  std::string etag;             // quotes included
  std::string last_modified;    // HTTP date as sent
};

struct PutObjectOptions {
  // Send If-None-Match: * (fail with 412 if the key exists). S3 honours it; some servers ignore
  // it, so it is a guard, not a lock.
  bool if_none_match = false;
  std::string content_type = {};
  // Base64 Content-MD5 of a streamed body (memory bodies get theirs computed); empty: none.
  std::string content_md5 = {};
};

struct ListObjectsRequest {
  std::string prefix = {};
  std::string delimiter = {};
  std::string continuation_token = {};
  std::string start_after = {};
  int max_keys = 0;  // 0: the server's default (1000)
};

// One client per thread: it owns its transport (and so its connection). Every operation blocks
// until done. Transient failures are retried per the RetryPolicy (a streamed body is rewound, a
// sink restarted); permanent ones fail at once. Failures are Statuses from ToStatus (s3_error.h)
// naming the operation, bucket and key; last_error() has the raw S3 error of the last failure.
// Bodies in memory carry Content-MD5 and are SHA-256-signed up to 64 KiB (larger ones use
// UNSIGNED-PAYLOAD; S3 still checks their MD5). Messages and logs never hold the secret key,
// the session token or the Authorization header.
class S3Client {
 public:
  S3Client(S3Config config, std::unique_ptr<HttpTransport> transport, RetryPolicy retry);
  // With a CurlTransport configured from `config` (CA file, timeouts) and its retry options.
  static Result<std::unique_ptr<S3Client>> Create(const S3Config& config);

  // Returns the ETag. A returned plain-MD5 ETag that differs from the data's MD5 is kIntegrity.
  Result<std::string> PutObject(std::string_view bucket, std::string_view key,
                                std::span<const char> data, const PutObjectOptions& options = {});
  Result<std::string> PutObject(std::string_view bucket, std::string_view key,
                                HttpBodySource& source, const PutObjectOptions& options = {});

  Result<std::string> GetObject(std::string_view bucket, std::string_view key,
                                std::optional<ByteRange> range = std::nullopt);
  Result<ObjectInfo> GetObject(std::string_view bucket, std::string_view key, HttpBodySink& sink,
                               std::optional<ByteRange> range = std::nullopt);
  // kMissing when there is no such key.
  Result<ObjectInfo> HeadObject(std::string_view bucket, std::string_view key);
  // Succeeds for a key that does not exist (S3's semantics).
  Status DeleteObject(std::string_view bucket, std::string_view key);
  // Deletes in batches of 1000 (quiet mode); returns the keys S3 refused, with their codes.
  Result<std::vector<DeleteObjectError>> DeleteObjects(std::string_view bucket,
                                                       const std::vector<std::string>& keys);

  Result<ListObjectsPage> ListObjectsV2Page(std::string_view bucket,
                                            const ListObjectsRequest& request);
  // Every object under `prefix`, all pages (max_keys_per_page each) in S3's (key) order.
  Result<std::vector<ObjectSummary>> ListObjectsV2(std::string_view bucket, std::string_view prefix,
                                                   int max_keys_per_page = 1000);

  // Returns the upload id.
  Result<std::string> CreateMultipartUpload(std::string_view bucket, std::string_view key);
  // Returns the part's ETag (checked against the data's MD5 as in PutObject).
  Result<std::string> UploadPart(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id, int part_number,
                                 std::span<const char> data);
  // Completes from `parts` (rising part numbers). The returned ETag must be the multipart form
  // "<md5 of part md5s>-N" of exactly these parts when the part ETags are plain MD5s
  // (kIntegrity otherwise). A retry that finds the upload gone checks the object's ETag instead.
  Result<CompleteMultipartUploadResult> CompleteMultipartUpload(
      std::string_view bucket, std::string_view key, std::string_view upload_id,
      const std::vector<CompletedPart>& parts);
  Status AbortMultipartUpload(std::string_view bucket, std::string_view key,
                              std::string_view upload_id);
  // Every unfinished upload under `prefix`, all pages.
  Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(std::string_view bucket,
                                                                std::string_view prefix);

  const S3Error& last_error() const { return last_error_; }
  const S3Config& config() const { return config_; }

 private:
  struct Call;
  Result<HttpResponse> Execute(const Call& call);
  HttpRequest BuildRequest(const Call& call, Status& error);
  Status Fail(const S3Error& error, const Call& call, int attempts, bool gave_up);
  Status CheckEtag(std::string_view operation, std::string_view bucket, std::string_view key,
                   std::span<const char> data, std::string_view etag);

  S3Config config_;
  std::unique_ptr<HttpTransport> transport_;
  RetryPolicy retry_;
  SigV4Signer signer_;
  S3Error last_error_;
  int last_attempts_ = 0;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_CLIENT_H_
