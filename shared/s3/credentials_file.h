// The AWS shared credentials file (~/.aws/credentials): INI sections of aws_access_key_id,
// aws_secret_access_key and aws_session_token per profile.
#ifndef VDIBK_SHARED_S3_CREDENTIALS_FILE_H_
#define VDIBK_SHARED_S3_CREDENTIALS_FILE_H_

#include <string>
#include <string_view>

#include "shared/base/result.h"
#include "shared/s3/sigv4_signer.h"

namespace vdibk::s3 {

// The credentials of `profile` in the INI text of a credentials file; `source` names the file in
// messages. Sections are "[name]" (also "[profile name]", the config file's form); lines are
// "key = value"; '#' and ';' start comment lines; names and keys are trimmed; keys are
// case-insensitive; unknown keys are ignored. Fails with kConfiguration when the profile is
// missing (the message lists the profiles there), lacks a key, or a line is not INI. No message
// holds a value from the file.
Result<AwsCredentials> CredentialsFromIni(std::string_view text, std::string_view profile,
                                          std::string_view source);

// Reads `path` and calls CredentialsFromIni. A missing or unreadable file is kConfiguration.
Result<AwsCredentials> ReadCredentialsFile(const std::string& path, std::string_view profile);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_CREDENTIALS_FILE_H_
