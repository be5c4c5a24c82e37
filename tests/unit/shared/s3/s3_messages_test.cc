// S3's XML bodies: parsing each response the client reads (namespaced as S3 sends them, with
// entities), malformed and unexpected documents refused as kIntegrity, no entity expansion, and
// the request bodies built with escaping and their refusals.
#include "shared/s3/s3_messages.h"

#include <gtest/gtest.h>

#include "shared/s3/xml_document.h"

namespace vdibk::s3 {
namespace {

constexpr char kNs[] = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

std::string Doc(const std::string& root, const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + root + kNs + ">" + inner + "</" + root +
         ">";
}

TEST(S3MessagesTest, ListObjectsV2Page) {
  const std::string body =
      Doc("ListBucketResult",
          "<Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
          "<IsTruncated>true</IsTruncated><NextContinuationToken>tok/+=</NextContinuationToken>"
          "<Contents><Key>p/a&amp;b &lt;1&gt;</Key><LastModified>2024-01-02T03:04:05.000Z"
          "</LastModified><ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag><Size>1</Size>"
          "<StorageClass>STANDARD</StorageClass></Contents>"
          "<Contents><Key>p/\xd0\xba</Key><ETag>\"x-2\"</ETag><Size>10737418240</Size></Contents>"
          "<CommonPrefixes><Prefix>p/dir/</Prefix></CommonPrefixes>");
  Result<ListObjectsPage> page = ParseListObjectsV2(body);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a&b <1>");
  EXPECT_EQ(page->objects[0].etag, "\"0cc175b9c0f1b6a831c399e269772661\"");
  EXPECT_EQ(page->objects[0].size, 1u);
  EXPECT_EQ(page->objects[0].last_modified, "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(page->objects[1].key, "p/\xd0\xba");
  EXPECT_EQ(page->objects[1].size, 10737418240u);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"p/dir/"});
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok/+=");
}

TEST(S3MessagesTest, ListObjectsV2LastAndEmptyPages) {
  Result<ListObjectsPage> empty =
      ParseListObjectsV2(Doc("ListBucketResult", "<IsTruncated>false</IsTruncated>"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->objects.empty());
  EXPECT_FALSE(empty->truncated);
  // Without a namespace too (some servers).
  EXPECT_TRUE(ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated>"
                                 "</ListBucketResult>")
                  .ok());
}

TEST(S3MessagesTest, ListObjectsV2Refusals) {
  // Truncated without a token: pagination could not go on.
  Result<ListObjectsPage> r =
      ParseListObjectsV2(Doc("ListBucketResult", "<IsTruncated>true</IsTruncated>"));
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
  r = ParseListObjectsV2(
      Doc("ListBucketResult", "<Contents><Key>k</Key><Size>12x</Size></Contents>"));
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
  EXPECT_NE(r.status().message().find("Size"), std::string::npos);
  r = ParseListObjectsV2(Doc("ListBucketResult", "<Contents><Size>1</Size></Contents>"));
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
  r = ParseListObjectsV2(Doc("ListAllMyBucketsResult", ""));
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
  EXPECT_NE(r.status().message().find("ListAllMyBucketsResult"), std::string::npos);
}

TEST(S3MessagesTest, MalformedXmlIsIntegrity) {
  for (const char* bad : {"", "not xml", "<ListBucketResult>", "<a><b></a>",
                          "<ListBucketResult><Contents></ListBucketResult>", "\xff\xfe<x/>"}) {
    Result<ListObjectsPage> r = ParseListObjectsV2(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity) << bad;
    EXPECT_NE(r.status().message().find("XML"), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(ParseErrorBody("<Error>").ok());
  EXPECT_FALSE(ParseInitiateMultipartUpload("<<>").ok());
  EXPECT_FALSE(IsErrorDocument("<Error"));
}

TEST(S3MessagesTest, EntitiesAreNotExpanded) {
  // An external entity must not be fetched or inlined (XXE); an undeclared one is an error.
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>&x;</Key><Size>1</Size>"
      "</Contents></ListBucketResult>";
  Result<ListObjectsPage> r = ParseListObjectsV2(xxe);
  if (r.ok()) {
    ASSERT_EQ(r->objects.size(), 1u);
    EXPECT_EQ(r->objects[0].key.find("root:"), std::string::npos);
  }
}

TEST(S3MessagesTest, ErrorBody) {
  Result<S3ErrorBody> e = ParseErrorBody(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The "
      "specified key does not exist.</Message><Key>a</Key><RequestId>tx00-1</RequestId>"
      "<Resource>/b/a</Resource></Error>");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The specified key does not exist.");
  EXPECT_EQ(e->request_id, "tx00-1");
  EXPECT_EQ(e->resource, "/b/a");
  EXPECT_TRUE(IsErrorDocument("<Error><Code>InternalError</Code></Error>"));
  EXPECT_FALSE(IsErrorDocument(Doc("CompleteMultipartUploadResult", "")));
}

TEST(S3MessagesTest, MultipartResults) {
  Result<std::string> id = ParseInitiateMultipartUpload(Doc(
      "InitiateMultipartUploadResult", "<Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId>"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "2~abc");
  EXPECT_FALSE(ParseInitiateMultipartUpload(Doc("InitiateMultipartUploadResult", "")).ok());

  Result<CompleteMultipartUploadResult> done = ParseCompleteMultipartUpload(
      Doc("CompleteMultipartUploadResult",
          "<Location>http://h/b/k</Location><Bucket>b</Bucket><Key>k</Key>"
          "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>"));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
  EXPECT_EQ(done->key, "k");

  Result<ListMultipartUploadsPage> uploads = ParseListMultipartUploads(
      Doc("ListMultipartUploadsResult",
          "<Bucket>b</Bucket><IsTruncated>true</IsTruncated><NextKeyMarker>k2</NextKeyMarker>"
          "<NextUploadIdMarker>u2</NextUploadIdMarker>"
          "<Upload><Key>k1</Key><UploadId>u1</UploadId><Initiated>2024-01-01T00:00:00Z</Initiated>"
          "</Upload><Upload><Key>k2</Key><UploadId>u2</UploadId></Upload>"));
  ASSERT_TRUE(uploads.ok()) << uploads.status().ToString();
  ASSERT_EQ(uploads->uploads.size(), 2u);
  EXPECT_EQ(uploads->uploads[0].key, "k1");
  EXPECT_EQ(uploads->uploads[0].upload_id, "u1");
  EXPECT_EQ(uploads->uploads[0].initiated, "2024-01-01T00:00:00Z");
  EXPECT_TRUE(uploads->truncated);
  EXPECT_EQ(uploads->next_key_marker, "k2");
  EXPECT_EQ(uploads->next_upload_id_marker, "u2");
  EXPECT_FALSE(
      ParseListMultipartUploads(Doc("ListMultipartUploadsResult", "<Upload><Key>k</Key></Upload>"))
          .ok());
}

TEST(S3MessagesTest, DeleteResultPerKeyErrors) {
  Result<std::vector<DeleteObjectError>> none = ParseDeleteObjectsResult(Doc("DeleteResult", ""));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  Result<std::vector<DeleteObjectError>> some = ParseDeleteObjectsResult(
      Doc("DeleteResult",
          "<Deleted><Key>ok</Key></Deleted><Error><Key>a&amp;b</Key><Code>AccessDenied</Code>"
          "<Message>Access Denied</Message></Error>"));
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->size(), 1u);
  EXPECT_EQ((*some)[0].key, "a&b");
  EXPECT_EQ((*some)[0].code, "AccessDenied");
  EXPECT_EQ((*some)[0].message, "Access Denied");
}

TEST(S3MessagesTest, BuildCompleteMultipartUpload) {
  Result<std::string> xml = BuildCompleteMultipartUpload({{1, "\"aa\""}, {2, "\"b<&>\""}});
  ASSERT_TRUE(xml.ok());
  EXPECT_EQ(*xml,
            std::string("<CompleteMultipartUpload") + kNs +
                "><Part><PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag></Part>"
                "<Part><PartNumber>2</PartNumber><ETag>&quot;b&lt;&amp;&gt;&quot;</ETag></Part>"
                "</CompleteMultipartUpload>");
  EXPECT_EQ(BuildCompleteMultipartUpload({}).status().code(), ErrorCode::kUsage);
  EXPECT_FALSE(BuildCompleteMultipartUpload({{2, "a"}, {1, "b"}}).ok());
  EXPECT_FALSE(BuildCompleteMultipartUpload({{1, "a"}, {1, "b"}}).ok());
  EXPECT_FALSE(BuildCompleteMultipartUpload({{0, "a"}}).ok());
  EXPECT_FALSE(BuildCompleteMultipartUpload({{10001, "a"}}).ok());
}

TEST(S3MessagesTest, BuildDeleteObjects) {
  Result<std::string> xml = BuildDeleteObjects({"a", "x&y<'\"\n>.bin"});
  ASSERT_TRUE(xml.ok());
  EXPECT_EQ(*xml, std::string("<Delete") + kNs +
                      "><Quiet>true</Quiet><Object><Key>a</Key></Object><Object><Key>"
                      "x&amp;y&lt;&apos;&quot;&#10;&gt;.bin</Key></Object></Delete>");
  // The escaped form reads back as the original keys.
  Result<XmlDocument> doc = XmlDocument::Parse(*xml);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root().Children("Object")[1].ChildText("Key"), "x&y<'\"\n>.bin");

  EXPECT_EQ(BuildDeleteObjects({}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(BuildDeleteObjects(std::vector<std::string>(1001, "k")).status().code(),
            ErrorCode::kUsage);
  EXPECT_TRUE(BuildDeleteObjects(std::vector<std::string>(1000, "k")).ok());
  Result<std::string> control = BuildDeleteObjects({std::string("a\x01")});
  EXPECT_EQ(control.status().code(), ErrorCode::kUsage);
  EXPECT_NE(control.status().message().find("0x01"), std::string::npos);
  EXPECT_FALSE(BuildDeleteObjects({"k"}, /*quiet=*/false)->find("Quiet") != std::string::npos);
}

}  // namespace
}  // namespace vdibk::s3
