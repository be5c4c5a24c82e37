// S3Config from flags and a fake environment: endpoint, region and addressing precedence,
// credentials from the environment or the shared credentials file (INI parsing, profiles), and
// that no refusal's message holds a secret.
#include "shared/s3/s3_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "shared/s3/credentials_file.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::s3 {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kIni[] =
    "# comment\n"
    "; another\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=defaultsecret/+=\n"
    "\n"
    "[ prod ]\r\n"
    "  AWS_ACCESS_KEY_ID = AKIDPROD  \r\n"
    "aws_secret_access_key = prodsecret\r\n"
    "aws_session_token = prodtoken\r\n"
    "region = eu-west-1\r\n"
    "[profile cfg]\n"
    "aws_access_key_id = AKIDCFG\n"
    "aws_secret_access_key = cfgsecret\n"
    "[half]\n"
    "aws_access_key_id = AKIDHALF\n";

TEST(CredentialsFileTest, Profiles) {
  Result<AwsCredentials> d = CredentialsFromIni(kIni, "default", "f");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(d->secret_access_key, "defaultsecret/+=");
  EXPECT_EQ(d->session_token, "");
  Result<AwsCredentials> p = CredentialsFromIni(kIni, "prod", "f");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->access_key_id, "AKIDPROD");
  EXPECT_EQ(p->secret_access_key, "prodsecret");
  EXPECT_EQ(p->session_token, "prodtoken");
  Result<AwsCredentials> c = CredentialsFromIni(kIni, "cfg", "f");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKIDCFG");
}

TEST(CredentialsFileTest, RefusalsNameTheProblemNotTheValues) {
  Result<AwsCredentials> missing = CredentialsFromIni(kIni, "nope", "credentials file X");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(missing.status().message().find("no profile [nope]"), std::string::npos);
  EXPECT_NE(missing.status().message().find("default, prod, cfg, half"), std::string::npos);
  Result<AwsCredentials> half = CredentialsFromIni(kIni, "half", "f");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("aws_secret_access_key"), std::string::npos);
  Result<AwsCredentials> bad = CredentialsFromIni("[a]\nthesecretvalue\n", "a", "f");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("thesecretvalue"), std::string::npos);
  EXPECT_FALSE(CredentialsFromIni("[a\nx=y\n", "a", "f").ok());
  for (const Result<AwsCredentials>* r : {&missing, &half})
    for (const char* secret : {"defaultsecret", "prodsecret", "prodtoken", "cfgsecret"})
      EXPECT_EQ(r->status().message().find(secret), std::string::npos);
}

class S3ConfigTest : public ::testing::Test {
 protected:
  std::string WriteIni() {
    const std::string path = dir_.path() + "/credentials";
    std::ofstream(path) << kIni;
    return path;
  }
  ::vdibk::testing::TempDir dir_;
};

TEST_F(S3ConfigTest, EnvironmentCredentialsAndEndpoint) {
  Result<S3Config> c = LoadS3Config({}, Env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:7480/"},
                                             {"AWS_ACCESS_KEY_ID", "AK"},
                                             {"AWS_SECRET_ACCESS_KEY", "SK"},
                                             {"AWS_SESSION_TOKEN", "TOK"},
                                             {"AWS_DEFAULT_REGION", "eu-central-1"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->scheme, "http");
  EXPECT_EQ(c->host, "127.0.0.1:7480");
  EXPECT_TRUE(c->custom_endpoint);
  EXPECT_EQ(c->region, "eu-central-1");
  EXPECT_EQ(c->credentials.access_key_id, "AK");
  EXPECT_EQ(c->credentials.secret_access_key, "SK");
  EXPECT_EQ(c->credentials.session_token, "TOK");
  EXPECT_EQ(c->credentials_source, "environment");
  EXPECT_TRUE(c->UsePathStyle("bucket"));  // custom endpoint: path style
  EXPECT_EQ(c->retry.budget, std::chrono::minutes(2));
}

TEST_F(S3ConfigTest, Precedence) {
  auto env = Env({{"AWS_ENDPOINT_URL", "http://a:1"},
                  {"AWS_ENDPOINT_URL_S3", "https://b:2"},
                  {"AWS_REGION", "r-1"},
                  {"AWS_DEFAULT_REGION", "r-2"},
                  {"AWS_ACCESS_KEY_ID", "AK"},
                  {"AWS_SECRET_ACCESS_KEY", "SK"}});
  Result<S3Config> c = LoadS3Config({}, env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "b:2");
  EXPECT_EQ(c->scheme, "https");
  EXPECT_EQ(c->region, "r-1");
  c = LoadS3Config({.endpoint = "https://flag:3", .region = "r-0"}, env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "flag:3");
  EXPECT_EQ(c->region, "r-0");
}

TEST_F(S3ConfigTest, AwsDefaultsAndAddressing) {
  auto env = Env({{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}});
  Result<S3Config> c = LoadS3Config({}, env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(c->scheme, "https");
  EXPECT_FALSE(c->custom_endpoint);
  EXPECT_FALSE(c->UsePathStyle("bucket"));
  EXPECT_TRUE(c->UsePathStyle("dotted.bucket"));
  c = LoadS3Config({.addressing = "path"}, env);
  EXPECT_TRUE(c->UsePathStyle("bucket"));
  c = LoadS3Config({.endpoint = "http://h:1", .addressing = "virtual"}, env);
  EXPECT_FALSE(c->UsePathStyle("bucket"));
  EXPECT_EQ(LoadS3Config({.addressing = "sideways"}, env).status().code(), ErrorCode::kUsage);
}

TEST_F(S3ConfigTest, BadEndpoints) {
  auto env = Env({{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}});
  for (const char* url : {"localhost:9000", "ftp://h", "http://", "http://h/path", "http://u@h"}) {
    Result<S3Config> c = LoadS3Config({.endpoint = url}, env);
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.status().code(), ErrorCode::kConfiguration) << url;
    EXPECT_NE(c.status().message().find("--s3-endpoint"), std::string::npos);
  }
  EXPECT_FALSE(LoadS3Config({.region = "us east"}, env).ok());
}

TEST_F(S3ConfigTest, CredentialsFile) {
  const std::string path = WriteIni();
  Result<S3Config> c = LoadS3Config({}, Env({{"AWS_SHARED_CREDENTIALS_FILE", path}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->credentials.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(c->credentials_source, "credentials file " + path + " [default]");

  c = LoadS3Config({}, Env({{"AWS_SHARED_CREDENTIALS_FILE", path}, {"AWS_PROFILE", "prod"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.session_token, "prodtoken");

  // A profile flag wins over the environment's keys.
  c = LoadS3Config({.profile = "cfg"}, Env({{"AWS_SHARED_CREDENTIALS_FILE", path},
                                            {"AWS_ACCESS_KEY_ID", "AK"},
                                            {"AWS_SECRET_ACCESS_KEY", "SK"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "AKIDCFG");

  // $HOME/.aws/credentials.
  std::filesystem::create_directories(dir_.path() + "/home/.aws");
  std::ofstream(dir_.path() + "/home/.aws/credentials") << kIni;
  c = LoadS3Config({}, Env({{"HOME", dir_.path() + "/home"}, {"AWS_PROFILE", "prod"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->credentials.access_key_id, "AKIDPROD");
}

TEST_F(S3ConfigTest, NoCredentials) {
  Result<S3Config> c = LoadS3Config({}, Env({{"HOME", dir_.path()}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(c.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  c = LoadS3Config({}, Env({{"AWS_SECRET_ACCESS_KEY", "onlythesecret"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("only AWS_SECRET_ACCESS_KEY is set"), std::string::npos);
  EXPECT_EQ(c.status().message().find("onlythesecret"), std::string::npos);
  c = LoadS3Config({.profile = "nope"}, Env({{"AWS_SHARED_CREDENTIALS_FILE", WriteIni()}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no profile [nope]"), std::string::npos);
}

}  // namespace
}  // namespace vdibk::s3
