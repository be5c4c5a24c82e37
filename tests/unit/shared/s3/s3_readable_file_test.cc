// S3ReadableFile over the fake server: size from HeadObject, ranged reads, the read-ahead window
// for reads in order (a stripe reader's header, trailer, frames), out-of-order reads, failures.
#include "shared/s3/s3_readable_file.h"

#include <gtest/gtest.h>

#include "tests/unit/shared/s3/s3_target_fixture.h"

namespace vdibk::s3 {
namespace {

TEST_F(S3TargetTest, OpenTakesTheSizeAndAMissingObjectIsMissing) {
  server_.PutDirect("pre/obj", Pattern(1234));
  Result<std::unique_ptr<stripe::ReadableFile>> f = target_->Open("obj");
  ASSERT_OK(f);
  EXPECT_EQ((*f)->Size().value(), 1234u);
  EXPECT_EQ((*f)->name(), "obj");
  EXPECT_EQ(target_->Open("nothing").status().code(), ErrorCode::kMissing);
  EXPECT_EQ(target_->Open("a/b").status().code(), ErrorCode::kUsage);
}

TEST_F(S3TargetTest, ReadsInOrderStreamThroughTheWindow) {
  const std::string data = Pattern(10'000);
  server_.PutDirect("pre/stripe", data);
  Result<std::unique_ptr<stripe::ReadableFile>> f = target_->Open("stripe");
  ASSERT_OK(f);
  auto* file = dynamic_cast<S3ReadableFile*>(f->get());
  std::string out(data.size(), '\0');
  // StripeReader's pattern: the header at 0, the trailer at the end, then the frames in order.
  ASSERT_EQ(file->ReadAt(0, out.data(), 100).value(), 100u);
  ASSERT_EQ(file->ReadAt(9'800, out.data() + 9'800, 500).value(), 200u);  // short at the end
  for (size_t at = 100; at < 9'800; at += 300)
    ASSERT_EQ(file->ReadAt(at, out.data() + at, std::min<size_t>(300, 9'800 - at)).value(),
              std::min<size_t>(300, 9'800 - at));
  EXPECT_EQ(out, data);
  EXPECT_EQ(file->ReadAt(10'000, out.data(), 10).value(), 0u);
  const S3ReadStats stats = file->stats();
  EXPECT_EQ(stats.direct_gets, 1u);  // the trailer
  EXPECT_EQ(stats.chunk_gets, 10u);  // each chunk once
  EXPECT_EQ(stats.chunks_wasted, 0u);
  EXPECT_EQ(server_.Count("GetObject"), 11u);
}

TEST_F(S3TargetTest, ASeekRestartsTheWindowOnlyWhenReadsContinueThere) {
  const std::string data = Pattern(20'000);
  server_.PutDirect("pre/seek", data);
  Result<std::unique_ptr<stripe::ReadableFile>> f = target_->Open("seek");
  ASSERT_OK(f);
  auto* file = dynamic_cast<S3ReadableFile*>(f->get());
  std::string out(400, '\0');
  ASSERT_OK(file->ReadAt(0, out.data(), 400));
  ASSERT_OK(file->ReadAt(15'000, out.data(), 200));  // one GET, window untouched
  EXPECT_EQ(out.substr(0, 200), data.substr(15'000, 200));
  EXPECT_EQ(file->stats().direct_gets, 1u);
  ASSERT_OK(file->ReadAt(15'200, out.data(), 400));  // continues: the window moves here
  EXPECT_EQ(out, data.substr(15'200, 400));
  const S3ReadStats stats = file->stats();
  EXPECT_EQ(stats.direct_gets, 1u);
  EXPECT_EQ(stats.chunk_gets, 4u);  // chunks 0, 1 then 15, 16
}

TEST_F(S3TargetTest, WithoutReadAheadEveryReadIsOneRangedGet) {
  options_.reads_in_flight = 0;
  Rebuild();
  const std::string data = Pattern(5'000);
  server_.PutDirect("pre/plain", data);
  Result<std::unique_ptr<stripe::ReadableFile>> f = target_->Open("plain");
  ASSERT_OK(f);
  std::string out(5'000, '\0');
  for (size_t at = 0; at < 5'000; at += 1'250) ASSERT_OK((*f)->ReadAt(at, out.data() + at, 1'250));
  EXPECT_EQ(out, data);
  std::vector<std::string> ranges;
  for (const FakeS3Call& c : server_.calls())
    if (c.op == "GetObject") ranges.push_back(c.range);
  EXPECT_EQ(ranges, (std::vector<std::string>{"bytes=0-1249", "bytes=1250-2499", "bytes=2500-3749",
                                              "bytes=3750-4999"}));
}

TEST_F(S3TargetTest, AFailedChunkFailsTheReadThatNeedsIt) {
  server_.PutDirect("pre/bad", Pattern(5'000));
  Result<std::unique_ptr<stripe::ReadableFile>> f = target_->Open("bad");
  ASSERT_OK(f);
  server_.SetFault([](const FakeS3Call& c) -> long {
    return c.op == "GetObject" && c.range == "bytes=1000-1999" ? 403 : 0;
  });
  std::string out(5'000, '\0');
  ASSERT_OK((*f)->ReadAt(0, out.data(), 1'000));
  Result<size_t> r = (*f)->ReadAt(1'000, out.data(), 1'000);
  EXPECT_EQ(r.status().code(), ErrorCode::kConfiguration) << r.status().ToString();
  server_.SetFault(nullptr);
  EXPECT_OK((*f)->ReadAt(1'000, out.data(), 1'000));  // asked again
}

}  // namespace
}  // namespace vdibk::s3
