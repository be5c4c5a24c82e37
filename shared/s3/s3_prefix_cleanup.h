// The set-level cleanup on S3: abort every unfinished multipart upload and delete every object
// under a prefix (what a failed backup leaves), with ListMultipartUploads / ListObjectsV2.
#ifndef VDIBK_SHARED_S3_S3_PREFIX_CLEANUP_H_
#define VDIBK_SHARED_S3_S3_PREFIX_CLEANUP_H_

#include <cstddef>
#include <string_view>

#include "shared/base/result.h"
#include "shared/s3/s3_client.h"

namespace vdibk::s3 {

struct PrefixCleanup {
  size_t uploads_aborted = 0;
  size_t objects_deleted = 0;
};

// Each refuses (kUsage) a prefix that is empty or does not end in '/': a bucket is never emptied
// by accident, and "db/set1/" does not take "db/set10/" along. Blocking; `client` is used from
// the calling thread only.
//
// Aborts every upload under `prefix`; one that is gone already (NoSuchUpload) counts as aborted.
// The first other failure is returned after trying the rest.
Result<size_t> AbortUploadsUnder(S3Client& client, std::string_view bucket,
                                 std::string_view prefix);
// Deletes every object under `prefix` (DeleteObjects, 1000 a request). Keys S3 refuses to delete
// fail it (kTargetIo naming the first and how many).
Result<size_t> DeleteObjectsUnder(S3Client& client, std::string_view bucket,
                                  std::string_view prefix);
// Uploads first (so no upload completes into an object after the listing), then objects.
Result<PrefixCleanup> CleanUpPrefix(S3Client& client, std::string_view bucket,
                                    std::string_view prefix);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_PREFIX_CLEANUP_H_
