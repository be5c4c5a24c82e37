// S3Config resolution: endpoint URL parsing, region, credentials (environment or file), style.
#include "shared/s3/s3_config.h"

#include <cctype>
#include <cstdlib>

#include "shared/s3/credentials_file.h"
#include "shared/s3/s3_location.h"

namespace vdibk::s3 {
namespace {

std::string Get(const EnvLookup& env, const char* name) {
  std::optional<std::string> v = env(name);
  return v ? *v : std::string();
}

Status ParseEndpoint(std::string url, const std::string& from, S3Config& config) {
  const size_t sep = url.find("://");
  const std::string shown = from + " '" + url.substr(0, 200) + "'";
  if (sep == std::string::npos)
    return Status::Configuration(shown + ": not a URL (http://HOST[:PORT] or https://HOST[:PORT])");
  config.scheme = url.substr(0, sep);
  if (config.scheme != "http" && config.scheme != "https")
    return Status::Configuration(shown + ": the scheme must be http or https");
  std::string rest = url.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty()) return Status::Configuration(shown + ": no host");
  if (rest.find_first_of("/?#@ ") != std::string::npos)
    return Status::Configuration(shown +
                                 ": only scheme, host and port are allowed (no path, "
                                 "query or user)");
  config.host = rest;
  return Status::Ok();
}

}  // namespace

bool S3Config::UsePathStyle(std::string_view bucket) const {
  switch (addressing) {
    case AddressingStyle::kPath:
      return true;
    case AddressingStyle::kVirtualHost:
      return false;
    case AddressingStyle::kAuto:
      break;
  }
  return custom_endpoint || bucket.find('.') != std::string_view::npos ||
         !IsValidBucketName(bucket);
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<S3Config> LoadS3Config(const S3Flags& flags, const EnvLookup& env) {
  S3Config config;
  // Region first: AWS's default endpoint depends on it.
  config.region = !flags.region.empty()                     ? flags.region
                  : !Get(env, "AWS_REGION").empty()         ? Get(env, "AWS_REGION")
                  : !Get(env, "AWS_DEFAULT_REGION").empty() ? Get(env, "AWS_DEFAULT_REGION")
                                                            : "us-east-1";
  for (char c : config.region)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return Status::Configuration("S3 region '" + config.region.substr(0, 64) +
                                   "' is not a region name (e.g. us-east-1)");

  std::string endpoint = flags.endpoint, from = "--s3-endpoint";
  if (endpoint.empty()) endpoint = Get(env, "AWS_ENDPOINT_URL_S3"), from = "AWS_ENDPOINT_URL_S3";
  if (endpoint.empty()) endpoint = Get(env, "AWS_ENDPOINT_URL"), from = "AWS_ENDPOINT_URL";
  if (!endpoint.empty()) {
    VDIBK_RETURN_IF_ERROR(ParseEndpoint(endpoint, from, config));
    config.custom_endpoint = true;
  } else {
    config.host = "s3." + config.region + ".amazonaws.com";
  }

  if (flags.addressing.empty() || flags.addressing == "auto")
    config.addressing = AddressingStyle::kAuto;
  else if (flags.addressing == "path")
    config.addressing = AddressingStyle::kPath;
  else if (flags.addressing == "virtual")
    config.addressing = AddressingStyle::kVirtualHost;
  else
    return Status::Usage("--s3-addressing '" + flags.addressing.substr(0, 40) +
                         "': use auto, path or virtual");
  config.ca_file = flags.ca_file;

  const std::string access = Get(env, "AWS_ACCESS_KEY_ID");
  const std::string secret = Get(env, "AWS_SECRET_ACCESS_KEY");
  if (flags.profile.empty() && (!access.empty() || !secret.empty())) {
    if (access.empty() || secret.empty())
      return Status::Configuration(
          std::string("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go "
                      "together; only ") +
          (access.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is set");
    config.credentials = {access, secret, Get(env, "AWS_SESSION_TOKEN")};
    config.credentials_source = "environment";
    return config;
  }
  std::string profile = flags.profile;
  if (profile.empty()) profile = Get(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string path = Get(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty()) {
    const std::string home = Get(env, "HOME");
    if (home.empty())
      return Status::Configuration(
          "no S3 credentials: set AWS_ACCESS_KEY_ID and "
          "AWS_SECRET_ACCESS_KEY or AWS_SHARED_CREDENTIALS_FILE");
    path = home + "/.aws/credentials";
  }
  Result<AwsCredentials> creds = ReadCredentialsFile(path, profile);
  if (!creds.ok() && !flags.profile.empty()) return creds.status();
  if (!creds.ok())
    return Status::Configuration("no S3 credentials: AWS_ACCESS_KEY_ID is not set and " +
                                 creds.status().message());
  config.credentials = std::move(creds).value();
  config.credentials_source = "credentials file " + path + " [" + profile + "]";
  return config;
}

}  // namespace vdibk::s3
