// S3WritableFile over the fake server: part sizes growing every 1000 parts, the bound on part
// buffers (Append waits), Content-MD5 on every part, a retried part, a part that keeps failing
// (sticky error, abort), a small file as one PUT, Sync, and refusing to replace an object.
#include "shared/s3/s3_writable_file.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "shared/s3/content_md5.h"
#include "tests/unit/shared/s3/s3_target_fixture.h"

namespace vdibk::s3 {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kTiB = 1ull << 40;

std::vector<FakeS3Call> Only(const std::vector<FakeS3Call>& calls, const std::string& op) {
  std::vector<FakeS3Call> out;
  for (const FakeS3Call& c : calls)
    if (c.op == op) out.push_back(c);
  return out;
}

TEST(PartSizeTest, DoublesEveryThousandPartsUpToS3sLargestPart) {
  EXPECT_EQ(PartSizeFor(1, 8 * kMiB), 8 * kMiB);
  EXPECT_EQ(PartSizeFor(1000, 8 * kMiB), 8 * kMiB);
  EXPECT_EQ(PartSizeFor(1001, 8 * kMiB), 16 * kMiB);
  EXPECT_EQ(PartSizeFor(2001, 8 * kMiB), 32 * kMiB);
  EXPECT_EQ(PartSizeFor(10000, 8 * kMiB), 4096 * kMiB);
  EXPECT_EQ(PartSizeFor(10000, 64 * kMiB), kMaxPartSize);
  // 10,000 parts hold at least ~5 TiB from S3's smallest part, ~8 TiB from the default.
  EXPECT_GE(MultipartCapacity(5 * kMiB), 4.8 * kTiB);
  EXPECT_GE(MultipartCapacity(8 * kMiB), 7 * kTiB);
}

TEST_F(S3TargetTest, PartsGrowAfterTheFirstThousand) {
  const std::string data = Pattern(1000 * 1024 + 3000);
  ASSERT_OK(Write("big", data, 4096));
  const std::vector<FakeS3Call> parts = Only(server_.calls(), "UploadPart");
  ASSERT_EQ(parts.size(), 1002u);
  EXPECT_EQ(parts[0].body_size, 1024u);
  uint64_t sizes[1003] = {};
  for (const FakeS3Call& p : parts) sizes[p.part_number] = p.body_size;
  EXPECT_EQ(sizes[1000], 1024u);
  EXPECT_EQ(sizes[1001], 2048u);
  EXPECT_EQ(sizes[1002], 3000u - 2048u);
  EXPECT_EQ(server_.Object("pre/big"), data);
}

TEST_F(S3TargetTest, AppendWaitsWhileEveryPartBufferIsTaken) {
  server_.HoldParts(true);
  Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create("bounded");
  ASSERT_OK(f);
  auto* file = dynamic_cast<S3WritableFile*>(f->get());
  ASSERT_NE(file, nullptr);
  const std::string data = Pattern(10 * 1024);
  std::atomic<int> appended{0};
  Status append_status;
  std::thread writer([&] {
    for (size_t at = 0; at < data.size(); at += 1024) {
      append_status = file->Append(data.data() + at, 1024);
      if (!append_status.ok()) return;
      ++appended;
    }
  });
  // Three buffers (parts_in_flight): two parts uploading (held by the server), one queued; the
  // fourth Append waits for a buffer.
  server_.WaitHeld(2);
  while (file->stats().append_waits == 0) std::this_thread::yield();
  EXPECT_EQ(appended.load(), 3);
  S3WriteStats stats = file->stats();
  EXPECT_EQ(stats.buffers_held, 3);
  EXPECT_LE(stats.peak_buffer_bytes, 3u * 1024 + 3 * 64);  // allocator rounding only
  server_.HoldParts(false);
  writer.join();
  ASSERT_OK(append_status);
  ASSERT_OK(file->Commit());
  stats = file->stats();
  EXPECT_EQ(stats.peak_buffers, 3);
  EXPECT_EQ(stats.parts_uploaded, 10);
  EXPECT_LE(server_.max_parts_at_once(), 2);
  EXPECT_EQ(server_.Object("pre/bounded"), data);
}

TEST_F(S3TargetTest, EveryPartCarriesItsContentMd5AndCompleteChecksTheEtags) {
  const std::string data = Pattern(3 * 1024 + 512);
  ASSERT_OK(Write("md5", data));
  const std::vector<FakeS3Call> calls = server_.calls();
  const std::vector<FakeS3Call> parts = Only(calls, "UploadPart");
  ASSERT_EQ(parts.size(), 4u);
  for (const FakeS3Call& p : parts) {
    const std::string bytes = data.substr((p.part_number - 1) * 1024, p.body_size);
    EXPECT_EQ(p.content_md5, ContentMd5(bytes)) << p.part_number;
  }
  EXPECT_EQ(Only(calls, "CreateMultipartUpload").size(), 1u);
  EXPECT_EQ(Only(calls, "CompleteMultipartUpload").size(), 1u);
  EXPECT_TRUE(Only(calls, "PutObject").empty());
  EXPECT_EQ(server_.Object("pre/md5"), data);
  EXPECT_EQ(server_.open_uploads(), 0u);
}

TEST_F(S3TargetTest, ARetriedPartGivesTheRightObject) {
  std::atomic<int> failures{0};
  server_.SetFault([&](const FakeS3Call& c) -> long {
    if (c.op == "UploadPart" && c.part_number == 2 && failures.fetch_add(1) < 2) return 500;
    return 0;
  });
  const std::string data = Pattern(5 * 1024 + 10);
  ASSERT_OK(Write("retried", data));
  EXPECT_EQ(failures.load(), 3);  // two failed tries, then the one that stored it
  EXPECT_EQ(server_.Count("UploadPart"), 6u + 2u);
  EXPECT_EQ(server_.Object("pre/retried"), data);
}

TEST_F(S3TargetTest, AnObjectWhoseEtagIsNotThePartsIsRefusedAndDeleted) {
  server_.wrong_complete_etag = true;
  Status st = Write("garbled", Pattern(3000));
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity) << st.ToString();
  EXPECT_FALSE(server_.Object("pre/garbled"));
}

TEST_F(S3TargetTest, APartThatKeepsFailingFailsTheFileAndAbortRemovesTheUpload) {
  server_.SetFault([](const FakeS3Call& c) -> long {
    return c.op == "UploadPart" && c.part_number == 2 ? 403 : 0;
  });
  Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create("doomed");
  ASSERT_OK(f);
  const std::string data = Pattern(8 * 1024);
  Status st;
  for (size_t at = 0; at < data.size() && st.ok(); at += 512)
    st = (*f)->Append(data.data() + at, 512);
  if (st.ok()) st = (*f)->Sync();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration) << st.ToString();  // AccessDenied
  EXPECT_NE(st.message().find("UploadPart"), std::string::npos) << st.ToString();
  // Sticky: every later call says the same.
  EXPECT_EQ((*f)->Append("x", 1).message(), st.message());
  EXPECT_EQ((*f)->Sync().message(), st.message());
  EXPECT_EQ((*f)->Commit().message(), st.message());
  EXPECT_EQ(server_.open_uploads(), 1u);
  (*f)->Abort();
  (*f)->Abort();  // idempotent
  EXPECT_EQ(server_.Count("AbortMultipartUpload"), 1u);
  EXPECT_EQ(server_.open_uploads(), 0u);
  EXPECT_FALSE(server_.Object("pre/doomed"));
  EXPECT_EQ(server_.Count("CompleteMultipartUpload"), 0u);
}

TEST_F(S3TargetTest, TheDestructorAbortsAnUnfinishedUpload) {
  {
    Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create("dropped");
    ASSERT_OK(f);
    const std::string data = Pattern(4 * 1024);
    ASSERT_OK((*f)->Append(data.data(), data.size()));
    ASSERT_OK((*f)->Sync());
    EXPECT_EQ(server_.open_uploads(), 1u);
  }
  EXPECT_EQ(server_.open_uploads(), 0u);
  EXPECT_FALSE(server_.Object("pre/dropped"));
}

TEST_F(S3TargetTest, AFileThatFitsOnePartIsOnePut) {
  for (size_t size : {size_t{0}, size_t{500}, size_t{1024}}) {
    const std::string name = "small" + std::to_string(size);
    const std::string data = Pattern(size);
    ASSERT_OK(Write(name, data));
    EXPECT_EQ(server_.Object("pre/" + name), data);
  }
  const std::vector<FakeS3Call> calls = server_.calls();
  EXPECT_TRUE(Only(calls, "CreateMultipartUpload").empty());
  const std::vector<FakeS3Call> puts = Only(calls, "PutObject");
  ASSERT_EQ(puts.size(), 3u);
  for (const FakeS3Call& p : puts) {
    EXPECT_FALSE(p.content_md5.empty());
    EXPECT_EQ(p.if_none_match, "*");
  }
}

TEST_F(S3TargetTest, SyncStoresEveryFullPartAndKeepsASmallTail) {
  Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create("synced");
  ASSERT_OK(f);
  auto* file = dynamic_cast<S3WritableFile*>(f->get());
  const std::string data = Pattern(2 * 1024 + 512);
  ASSERT_OK(file->Append(data.data(), data.size()));
  ASSERT_OK(file->Sync());
  EXPECT_EQ(file->stats().parts_uploaded, 2);  // the 512-byte tail waits for Commit
  ASSERT_OK(file->Append(data.data(), 600));   // 1112 bytes in the buffer: Sync hands them off
  ASSERT_OK(file->Sync());
  EXPECT_EQ(file->stats().parts_uploaded, 3);
  ASSERT_OK(file->Commit());
  EXPECT_EQ(server_.Object("pre/synced"), data + data.substr(0, 600));
}

TEST_F(S3TargetTest, AnExistingObjectIsNotReplacedUnlessAsked) {
  server_.PutDirect("pre/taken", "old");
  Result<std::unique_ptr<stripe::WritableFile>> refused = target_->Create("taken");
  EXPECT_EQ(refused.status().code(), ErrorCode::kTargetIo);
  EXPECT_NE(refused.status().message().find("already exists"), std::string::npos);

  // One that appears while the file is written is refused at Commit, for both endings.
  for (size_t size : {size_t{100}, size_t{3000}}) {
    const std::string name = "late" + std::to_string(size);
    Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create(name);
    ASSERT_OK(f);
    const std::string data = Pattern(size);
    ASSERT_OK((*f)->Append(data.data(), data.size()));
    server_.PutDirect("pre/" + name, "someone else's");
    Status st = (*f)->Commit();
    EXPECT_EQ(st.code(), ErrorCode::kTargetIo) << st.ToString();
    (*f)->Abort();
    EXPECT_EQ(server_.Object("pre/" + name), "someone else's");
  }
  EXPECT_EQ(server_.open_uploads(), 0u);

  Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create("taken", {.replace = true});
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("new", 3));
  ASSERT_OK((*f)->Commit());
  EXPECT_EQ(server_.Object("pre/taken"), "new");
}

}  // namespace
}  // namespace vdibk::s3
