// S3 XML bodies: each parser checks the root element's name and reads the fields it needs with
// XmlDocument; the builders escape every value.
#include "shared/s3/s3_messages.h"

#include <charconv>

#include "shared/s3/xml_document.h"

namespace vdibk::s3 {
namespace {

// Parses `body` and checks that its root element is `root`.
Result<XmlDocument> ParseAs(std::string_view body, std::string_view root) {
  Result<XmlDocument> doc = XmlDocument::Parse(body);
  if (!doc.ok()) return doc.status().WithContext("<" + std::string(root) + ">");
  if (doc->root().name() != root)
    return Status::Integrity("S3 answered <" + std::string(doc->root().name()) + "> where <" +
                             std::string(root) + "> was expected");
  return doc;
}

Result<uint64_t> ParseUint(const std::string& text, std::string_view what) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty())
    return Status::Integrity("S3 answered a " + std::string(what) + " that is not a number: '" +
                             text.substr(0, 40) + "'");
  return v;
}

bool IsTrue(const std::string& text) { return text == "true"; }

}  // namespace

bool IsErrorDocument(std::string_view body) {
  Result<XmlDocument> doc = XmlDocument::Parse(body);
  return doc.ok() && doc->root().name() == "Error";
}

Result<S3ErrorBody> ParseErrorBody(std::string_view body) {
  VDIBK_ASSIGN_OR_RETURN(XmlDocument doc, ParseAs(body, "Error"));
  const XmlElement r = doc.root();
  return S3ErrorBody{r.ChildText("Code"), r.ChildText("Message"), r.ChildText("RequestId"),
                     r.ChildText("Resource")};
}

Result<ListObjectsPage> ParseListObjectsV2(std::string_view body) {
  VDIBK_ASSIGN_OR_RETURN(XmlDocument doc, ParseAs(body, "ListBucketResult"));
  const XmlElement r = doc.root();
  ListObjectsPage page;
  for (const XmlElement& c : r.Children("Contents")) {
    ObjectSummary o;
    o.key = c.ChildText("Key");
    if (o.key.empty()) return Status::Integrity("ListObjectsV2: <Contents> without a <Key>");
    VDIBK_ASSIGN_OR_RETURN(o.size, ParseUint(c.ChildText("Size"), "Size"));
    o.etag = c.ChildText("ETag");
    o.last_modified = c.ChildText("LastModified");
    page.objects.push_back(std::move(o));
  }
  for (const XmlElement& p : r.Children("CommonPrefixes"))
    page.common_prefixes.push_back(p.ChildText("Prefix"));
  page.truncated = IsTrue(r.ChildText("IsTruncated"));
  page.next_continuation_token = r.ChildText("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty())
    return Status::Integrity("ListObjectsV2: truncated without a NextContinuationToken");
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  VDIBK_ASSIGN_OR_RETURN(XmlDocument doc, ParseAs(body, "InitiateMultipartUploadResult"));
  std::string id = doc.root().ChildText("UploadId");
  if (id.empty()) return Status::Integrity("CreateMultipartUpload: no UploadId");
  return id;
}

Result<CompleteMultipartUploadResult> ParseCompleteMultipartUpload(std::string_view body) {
  VDIBK_ASSIGN_OR_RETURN(XmlDocument doc, ParseAs(body, "CompleteMultipartUploadResult"));
  const XmlElement r = doc.root();
  CompleteMultipartUploadResult out{r.ChildText("Location"), r.ChildText("Bucket"),
                                    r.ChildText("Key"), r.ChildText("ETag")};
  return out;  // the ETag may be empty (Ceph 16 sends <ETag></ETag>)
}

Result<ListMultipartUploadsPage> ParseListMultipartUploads(std::string_view body) {
  VDIBK_ASSIGN_OR_RETURN(XmlDocument doc, ParseAs(body, "ListMultipartUploadsResult"));
  const XmlElement r = doc.root();
  ListMultipartUploadsPage page;
  for (const XmlElement& u : r.Children("Upload")) {
    MultipartUploadInfo info{u.ChildText("Key"), u.ChildText("UploadId"), u.ChildText("Initiated")};
    if (info.key.empty() || info.upload_id.empty())
      return Status::Integrity("ListMultipartUploads: <Upload> without Key or UploadId");
    page.uploads.push_back(std::move(info));
  }
  page.truncated = IsTrue(r.ChildText("IsTruncated"));
  page.next_key_marker = r.ChildText("NextKeyMarker");
  page.next_upload_id_marker = r.ChildText("NextUploadIdMarker");
  if (page.truncated && page.next_key_marker.empty() && page.next_upload_id_marker.empty())
    return Status::Integrity("ListMultipartUploads: truncated without a next marker");
  return page;
}

Result<std::vector<DeleteObjectError>> ParseDeleteObjectsResult(std::string_view body) {
  VDIBK_ASSIGN_OR_RETURN(XmlDocument doc, ParseAs(body, "DeleteResult"));
  std::vector<DeleteObjectError> errors;
  for (const XmlElement& e : doc.root().Children("Error"))
    errors.push_back({e.ChildText("Key"), e.ChildText("Code"), e.ChildText("Message")});
  return errors;
}

Result<std::string> BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts) {
  if (parts.empty()) return Status::Usage("CompleteMultipartUpload needs at least one part");
  std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int last = 0;
  for (const CompletedPart& p : parts) {
    if (p.part_number < 1 || p.part_number > 10000 || p.part_number <= last)
      return Status::Usage("CompleteMultipartUpload: part numbers must rise within 1..10000 (" +
                           std::to_string(p.part_number) + " after " + std::to_string(last) + ")");
    last = p.part_number;
    VDIBK_ASSIGN_OR_RETURN(std::string etag, XmlEscape(p.etag));
    xml += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>" + etag +
           "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  return xml;
}

Result<std::string> BuildDeleteObjects(const std::vector<std::string>& keys, bool quiet) {
  if (keys.empty() || keys.size() > 1000)
    return Status::Usage("DeleteObjects takes 1..1000 keys, not " + std::to_string(keys.size()));
  std::string xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  if (quiet) xml += "<Quiet>true</Quiet>";
  for (const std::string& k : keys) {
    Result<std::string> escaped = XmlEscape(k);
    if (!escaped.ok()) return escaped.status().WithContext("DeleteObjects key");
    xml += "<Object><Key>" + *escaped + "</Key></Object>";
  }
  xml += "</Delete>";
  return xml;
}

}  // namespace vdibk::s3
