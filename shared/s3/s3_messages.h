// The XML bodies of S3's API: parsing the responses the client reads (ListObjectsV2, multipart
// upload results and listings, DeleteObjects results, Error) and building the two request bodies
// (CompleteMultipartUpload, Delete). Pure functions; no I/O.
#ifndef VDIBK_SHARED_S3_S3_MESSAGES_H_
#define VDIBK_SHARED_S3_S3_MESSAGES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::s3 {

// <Error>: S3's error body. Any field may be empty.
struct S3ErrorBody {
  std::string code;  // "NoSuchKey", "SlowDown", ...
  std::string message;
  std::string request_id;
  std::string resource;
};

struct ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // as sent, quotes included
  std::string last_modified;  // ISO 8601 as sent
};

struct ListObjectsPage {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

struct MultipartUploadInfo {
  std::string key;
  std::string upload_id;
  std::string initiated;
};

struct ListMultipartUploadsPage {
  std::vector<MultipartUploadInfo> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // as UploadPart returned it (quotes included)
};

struct CompleteMultipartUploadResult {
  std::string location, bucket, key, etag;  // etag may be empty (Ceph 16 sends none)
};

struct DeleteObjectError {
  std::string key, code, message;
};

// Each parser fails with kIntegrity when the body is not XML or not the expected document (the
// message names the document). A 200 response holding <Error> (CompleteMultipartUpload may answer
// so) is reported by IsErrorDocument, which callers check first.
bool IsErrorDocument(std::string_view body);
Result<S3ErrorBody> ParseErrorBody(std::string_view body);
Result<ListObjectsPage> ParseListObjectsV2(std::string_view body);
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);  // the UploadId
Result<CompleteMultipartUploadResult> ParseCompleteMultipartUpload(std::string_view body);
Result<ListMultipartUploadsPage> ParseListMultipartUploads(std::string_view body);
// The per-key errors of a DeleteObjects answer (empty: all deleted; quiet mode lists no successes).
Result<std::vector<DeleteObjectError>> ParseDeleteObjectsResult(std::string_view body);

// Request bodies. Fail (kUsage) on a key XML cannot carry or on bad part numbers (1..10000,
// strictly increasing).
Result<std::string> BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts);
Result<std::string> BuildDeleteObjects(const std::vector<std::string>& keys, bool quiet = true);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_MESSAGES_H_
