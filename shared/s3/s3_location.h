// S3Location: a repository's place in object storage, parsed from "s3://BUCKET[/PREFIX]".
#ifndef VDIBK_SHARED_S3_S3_LOCATION_H_
#define VDIBK_SHARED_S3_S3_LOCATION_H_

#include <string>
#include <string_view>

#include "shared/base/result.h"

namespace vdibk::s3 {

struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ending in '/' ("backups/sql1/")

  // "s3://bucket/prefix/" (or "s3://bucket").
  std::string ToString() const;
  // The object key of `name` under the prefix.
  std::string Key(std::string_view name) const { return prefix + std::string(name); }

  // Parses "s3://BUCKET", "s3://BUCKET/" or "s3://BUCKET/PREFIX[/]" (a '/' is added to a prefix
  // without one). The bucket follows S3's naming rules (3-63 of a-z 0-9 . -, starting and ending
  // with a letter or digit, no "..", not an IP address); the prefix has no empty segment ("//"),
  // no control character and at most 900 bytes. Fails with kUsage saying what is wrong.
  static Result<S3Location> Parse(std::string_view url);
};

// Whether `bucket` follows S3's bucket naming rules (see Parse).
bool IsValidBucketName(std::string_view bucket);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_LOCATION_H_
