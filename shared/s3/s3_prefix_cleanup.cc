// AbortUploadsUnder / DeleteObjectsUnder / CleanUpPrefix: listings, then aborts and batch deletes.
#include "shared/s3/s3_prefix_cleanup.h"

#include <string>
#include <vector>

namespace vdibk::s3 {
namespace {

Status CheckPrefix(std::string_view prefix) {
  if (prefix.empty() || prefix.back() != '/')
    return Status::Usage("S3 cleanup: prefix '" + std::string(prefix) +
                         "' must be non-empty and end in '/'");
  return Status::Ok();
}

}  // namespace

Result<size_t> AbortUploadsUnder(S3Client& client, std::string_view bucket,
                                 std::string_view prefix) {
  VDIBK_RETURN_IF_ERROR(CheckPrefix(prefix));
  VDIBK_ASSIGN_OR_RETURN(std::vector<MultipartUploadInfo> uploads,
                         client.ListMultipartUploads(bucket, prefix));
  size_t aborted = 0;
  Status first;
  for (const MultipartUploadInfo& u : uploads) {
    Status st = client.AbortMultipartUpload(bucket, u.key, u.upload_id);
    if (st.ok() || st.code() == ErrorCode::kMissing) {
      ++aborted;
    } else if (first.ok()) {
      first = st;
    }
  }
  if (!first.ok()) return first;
  return aborted;
}

Result<size_t> DeleteObjectsUnder(S3Client& client, std::string_view bucket,
                                  std::string_view prefix) {
  VDIBK_RETURN_IF_ERROR(CheckPrefix(prefix));
  VDIBK_ASSIGN_OR_RETURN(std::vector<ObjectSummary> objects, client.ListObjectsV2(bucket, prefix));
  std::vector<std::string> keys;
  keys.reserve(objects.size());
  for (ObjectSummary& o : objects) keys.push_back(std::move(o.key));
  if (keys.empty()) return size_t{0};
  VDIBK_ASSIGN_OR_RETURN(std::vector<DeleteObjectError> refused,
                         client.DeleteObjects(bucket, keys));
  if (!refused.empty())
    return Status::TargetIo("S3 DeleteObjects s3://" + std::string(bucket) + "/" +
                            refused.front().key + ": " + refused.front().code + " " +
                            refused.front().message + " (" + std::to_string(refused.size()) +
                            " of " + std::to_string(keys.size()) + " objects not deleted)");
  return keys.size();
}

Result<PrefixCleanup> CleanUpPrefix(S3Client& client, std::string_view bucket,
                                    std::string_view prefix) {
  PrefixCleanup done;
  VDIBK_ASSIGN_OR_RETURN(done.uploads_aborted, AbortUploadsUnder(client, bucket, prefix));
  VDIBK_ASSIGN_OR_RETURN(done.objects_deleted, DeleteObjectsUnder(client, bucket, prefix));
  return done;
}

}  // namespace vdibk::s3
