// S3Client: multipart uploads (create, part, complete with its ETag check, abort, list) and the
// bucket-level calls (ListObjectsV2 with its pages, DeleteObjects in batches).
#include <set>

#include "shared/s3/content_md5.h"
#include "shared/s3/s3_client.h"
#include "shared/s3/s3_client_call.h"

namespace vdibk::s3 {
namespace {

constexpr size_t kDeleteBatch = 1000;

Status Context(Status s, std::string_view operation, std::string_view bucket,
               std::string_view key = {}) {
  if (s.ok()) return s;
  std::string where = "S3 " + std::string(operation) + " s3://" + std::string(bucket);
  if (!key.empty()) where += "/" + std::string(key);
  return s.WithContext(where);
}

}  // namespace

Result<std::string> S3Client::CreateMultipartUpload(std::string_view bucket, std::string_view key) {
  Call call{.operation = "CreateMultipartUpload",
            .method = "POST",
            .bucket = bucket,
            .key = key,
            .query = {{"uploads", ""}}};
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  Result<std::string> id = ParseInitiateMultipartUpload(r.body);
  if (!id.ok()) return Context(id.status(), call.operation, bucket, key);
  return id;
}

Result<std::string> S3Client::UploadPart(std::string_view bucket, std::string_view key,
                                         std::string_view upload_id, int part_number,
                                         std::span<const char> data) {
  if (part_number < 1 || part_number > 10000)
    return Status::Usage("S3 UploadPart: part number " + std::to_string(part_number) +
                         " is outside 1..10000");
  Call call{
      .operation = "UploadPart",
      .method = "PUT",
      .bucket = bucket,
      .key = key,
      .query = {{"partNumber", std::to_string(part_number)}, {"uploadId", std::string(upload_id)}},
      .body = data};
  call.headers.push_back({"Content-MD5", ContentMd5(std::string_view(data.data(), data.size()))});
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  const std::string etag(r.Header("etag").value_or(""));
  if (etag.empty())
    return Status::Integrity("S3 UploadPart s3://" + std::string(bucket) + "/" + std::string(key) +
                             ": no ETag in the answer");
  VDIBK_RETURN_IF_ERROR(CheckEtag("UploadPart", bucket, key, data, etag));
  return etag;
}

Result<CompleteMultipartUploadResult> S3Client::CompleteMultipartUpload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<CompletedPart>& parts) {
  Result<std::string> xml = BuildCompleteMultipartUpload(parts);
  if (!xml.ok()) return Context(xml.status(), "CompleteMultipartUpload", bucket, key);
  std::vector<std::string> part_etags;
  for (const CompletedPart& p : parts) part_etags.push_back(p.etag);
  const std::optional<std::string> expected = MultipartEtag(part_etags);
  const std::string suffix = "-" + std::to_string(parts.size());
  auto check = [&](const std::string& etag) -> Status {
    const std::string bare = BareEtag(etag);
    const bool ok = expected ? bare == *expected : bare.ends_with(suffix);
    if (ok) return Status::Ok();
    return Status::Integrity("S3 CompleteMultipartUpload s3://" + std::string(bucket) + "/" +
                             std::string(key) + ": the object's ETag " + etag + " is not " +
                             (expected ? *expected : "the multipart form '...-N'") + " of the " +
                             std::to_string(parts.size()) + " parts sent");
  };

  Call call{.operation = "CompleteMultipartUpload",
            .method = "POST",
            .bucket = bucket,
            .key = key,
            .query = {{"uploadId", std::string(upload_id)}},
            .body = std::span<const char>(xml->data(), xml->size()),
            .error_in_200 = true};
  call.headers.push_back({"Content-MD5", ContentMd5(*xml)});
  call.headers.push_back({"Content-Type", "application/xml"});
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) {
    // A retried Complete whose first try succeeded finds the upload gone: the object decides.
    if (last_attempts_ > 1 && last_error_.body.code == "NoSuchUpload") {
      const S3Error original = last_error_;
      Result<ObjectInfo> head = HeadObject(bucket, key);
      if (head.ok() && check(head->etag).ok())
        return CompleteMultipartUploadResult{"", std::string(bucket), std::string(key), head->etag};
      last_error_ = original;
    }
    return r.status();
  }
  Result<CompleteMultipartUploadResult> result = ParseCompleteMultipartUpload(r->body);
  if (!result.ok()) return Context(result.status(), call.operation, bucket, key);
  if (result->etag.empty()) result->etag = std::string(r->Header("etag").value_or(""));
  if (result->etag.empty()) {  // Ceph 16 answers <ETag></ETag>: ask the object
    VDIBK_ASSIGN_OR_RETURN(ObjectInfo head, HeadObject(bucket, key));
    result->etag = head.etag;
  }
  VDIBK_RETURN_IF_ERROR(check(result->etag));
  return result;
}

Status S3Client::AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id) {
  Call call{.operation = "AbortMultipartUpload",
            .method = "DELETE",
            .bucket = bucket,
            .key = key,
            .query = {{"uploadId", std::string(upload_id)}}};
  Result<HttpResponse> r = Execute(call);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<MultipartUploadInfo>> S3Client::ListMultipartUploads(std::string_view bucket,
                                                                        std::string_view prefix) {
  std::vector<MultipartUploadInfo> all;
  std::string key_marker, id_marker;
  for (;;) {
    Call call{.operation = "ListMultipartUploads",
              .method = "GET",
              .bucket = bucket,
              .query = {{"uploads", ""}}};
    if (!prefix.empty()) call.query.push_back({"prefix", std::string(prefix)});
    if (!key_marker.empty()) call.query.push_back({"key-marker", key_marker});
    if (!id_marker.empty()) call.query.push_back({"upload-id-marker", id_marker});
    VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
    Result<ListMultipartUploadsPage> page = ParseListMultipartUploads(r.body);
    if (!page.ok()) return Context(page.status(), call.operation, bucket);
    for (MultipartUploadInfo& u : page->uploads) all.push_back(std::move(u));
    if (!page->truncated) return all;
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker)
      return Status::Integrity("S3 ListMultipartUploads s3://" + std::string(bucket) +
                               ": the server repeated its page marker");
    key_marker = page->next_key_marker;
    id_marker = page->next_upload_id_marker;
  }
}

Result<ListObjectsPage> S3Client::ListObjectsV2Page(std::string_view bucket,
                                                    const ListObjectsRequest& request) {
  Call call{.operation = "ListObjectsV2",
            .method = "GET",
            .bucket = bucket,
            .query = {{"list-type", "2"}}};
  if (!request.prefix.empty()) call.query.push_back({"prefix", request.prefix});
  if (!request.delimiter.empty()) call.query.push_back({"delimiter", request.delimiter});
  if (!request.continuation_token.empty())
    call.query.push_back({"continuation-token", request.continuation_token});
  if (!request.start_after.empty()) call.query.push_back({"start-after", request.start_after});
  if (request.max_keys > 0) call.query.push_back({"max-keys", std::to_string(request.max_keys)});
  VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  Result<ListObjectsPage> page = ParseListObjectsV2(r.body);
  if (!page.ok()) return Context(page.status(), call.operation, bucket);
  return page;
}

Result<std::vector<ObjectSummary>> S3Client::ListObjectsV2(std::string_view bucket,
                                                           std::string_view prefix,
                                                           int max_keys_per_page) {
  std::vector<ObjectSummary> all;
  ListObjectsRequest request{.prefix = std::string(prefix), .max_keys = max_keys_per_page};
  std::set<std::string> tokens_seen;
  for (;;) {
    VDIBK_ASSIGN_OR_RETURN(ListObjectsPage page, ListObjectsV2Page(bucket, request));
    for (ObjectSummary& o : page.objects) all.push_back(std::move(o));
    if (!page.truncated) return all;
    if (!tokens_seen.insert(page.next_continuation_token).second)
      return Status::Integrity("S3 ListObjectsV2 s3://" + std::string(bucket) +
                               ": the server repeated a continuation token");
    request.continuation_token = std::move(page.next_continuation_token);
  }
}

Result<std::vector<DeleteObjectError>> S3Client::DeleteObjects(
    std::string_view bucket, const std::vector<std::string>& keys) {
  std::vector<DeleteObjectError> refused;
  for (size_t at = 0; at < keys.size(); at += kDeleteBatch) {
    const std::vector<std::string> batch(
        keys.begin() + static_cast<ptrdiff_t>(at),
        keys.begin() + static_cast<ptrdiff_t>(std::min(keys.size(), at + kDeleteBatch)));
    Result<std::string> xml = BuildDeleteObjects(batch, /*quiet=*/true);
    if (!xml.ok()) return Context(xml.status(), "DeleteObjects", bucket);
    Call call{.operation = "DeleteObjects",
              .method = "POST",
              .bucket = bucket,
              .query = {{"delete", ""}},
              .body = std::span<const char>(xml->data(), xml->size())};
    call.headers.push_back({"Content-MD5", ContentMd5(*xml)});
    call.headers.push_back({"Content-Type", "application/xml"});
    VDIBK_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
    Result<std::vector<DeleteObjectError>> errors = ParseDeleteObjectsResult(r.body);
    if (!errors.ok()) return Context(errors.status(), call.operation, bucket);
    for (DeleteObjectError& e : *errors) refused.push_back(std::move(e));
  }
  return refused;
}

}  // namespace vdibk::s3
