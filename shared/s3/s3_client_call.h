// S3Client::Call: one S3 request as the client's operations describe it to Execute (internal to
// s3_client*.cc).
#ifndef VDIBK_SHARED_S3_S3_CLIENT_CALL_H_
#define VDIBK_SHARED_S3_S3_CLIENT_CALL_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/s3/s3_client.h"

namespace vdibk::s3 {

struct S3Client::Call {
  std::string_view operation = {};  // "PutObject", ... (for messages)
  std::string_view method = {};
  std::string_view bucket = {};
  std::string_view key = {};             // "" for a bucket request
  std::vector<QueryParam> query = {};    // decoded
  std::vector<HttpHeader> headers = {};  // besides Host and the signer's
  std::span<const char> body = {};
  HttpBodySource* source = nullptr;
  HttpBodySink* sink = nullptr;
  bool error_in_200 = false;  // a 200 answer may hold <Error> (CompleteMultipartUpload)
  bool sign_body = true;      // SHA-256 of a memory body (else UNSIGNED-PAYLOAD)
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_CLIENT_CALL_H_
