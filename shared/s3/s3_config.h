// S3Config: where and how to reach S3 (endpoint, region, credentials, addressing, TLS, retries),
// resolved from command-line flags and the environment the way the AWS tools do.
#ifndef VDIBK_SHARED_S3_S3_CONFIG_H_
#define VDIBK_SHARED_S3_S3_CONFIG_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "shared/base/result.h"
#include "shared/s3/retry_policy.h"
#include "shared/s3/sigv4_signer.h"

namespace vdibk::s3 {

// kAuto: virtual-host for AWS's own endpoint when the bucket name allows it (no dots), path
// style for a custom endpoint (Ceph, MinIO, ...) and for buckets with dots.
enum class AddressingStyle { kAuto, kPath, kVirtualHost };

// What the command line gave (empty: not given).
struct S3Flags {
  std::string endpoint = {};    // --s3-endpoint URL
  std::string region = {};      // --s3-region
  std::string profile = {};     // --s3-profile (credentials file profile)
  std::string addressing = {};  // --s3-addressing auto|path|virtual
  std::string ca_file = {};     // --s3-ca-file PEM
};

struct S3Config {
  std::string scheme = "https";  // "http" or "https"
  std::string host;              // "s3.us-east-1.amazonaws.com", "127.0.0.1:7480"
  bool custom_endpoint = false;  // from a flag or AWS_ENDPOINT_URL(_S3)
  std::string region = "us-east-1";
  AwsCredentials credentials;
  std::string credentials_source;  // "environment" or "credentials file PATH [PROFILE]" (no secret)
  AddressingStyle addressing = AddressingStyle::kAuto;
  std::string ca_file;
  RetryOptions retry;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds low_speed_time{30};  // below 1 KiB/s this long: a timeout

  // Path style for this bucket (after resolving kAuto)?
  bool UsePathStyle(std::string_view bucket) const;
};

// Reads a variable of the environment (nullopt when unset). Tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// Endpoint: flags.endpoint, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's regional
// endpoint. Region: flag, AWS_REGION, AWS_DEFAULT_REGION, "us-east-1". Credentials: with
// flags.profile the credentials file; else AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
// AWS_SESSION_TOKEN) when set; else the credentials file (AWS_SHARED_CREDENTIALS_FILE or
// $HOME/.aws/credentials) at profile AWS_PROFILE or "default". Fails with kConfiguration (bad
// endpoint URL, half a key pair, no credentials anywhere, unknown addressing style) or kUsage;
// no message holds a secret.
Result<S3Config> LoadS3Config(const S3Flags& flags, const EnvLookup& env = ProcessEnvironment());

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_CONFIG_H_
