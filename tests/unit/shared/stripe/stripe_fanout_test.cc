// Fan-out pieces of shared/stripe: frames encoded in memory (FrameBuffer), placed into another
// writer's ".partial" at offsets (PlacementFile) in any order, and adopted by the StripeWriter in
// stream order: the stripe reads back as the stream, its digests match, and misuse is refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "shared/stripe/digest.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/frame_buffer.h"
#include "shared/stripe/null_target.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

using stripe::testing::MakeData;
using stripe::testing::MakeHeader;

struct Chunk {
  const uint8_t* data;
  size_t size;
  std::vector<uint8_t> frame;
  uint64_t offset = 0;
};

class StripeFanoutTest : public ::testing::TestWithParam<Compression> {
 protected:
  StripeHeader Header() {
    StripeHeader h = MakeHeader(0, 1);
    h.compression = GetParam();
    return h;
  }
  // Cuts `data` into `n` chunks and encodes each as one frame; offsets are prefix sums.
  std::vector<Chunk> Encode(const std::vector<uint8_t>& data, size_t n) {
    auto fb = FrameBuffer::Create(GetParam(), 1, Header().block_size);
    EXPECT_OK(fb);
    std::vector<Chunk> out;
    uint64_t offset = 0;
    for (size_t i = 0; i < n; ++i) {
      size_t begin = data.size() * i / n, end = data.size() * (i + 1) / n;
      Chunk c{data.data() + begin, end - begin, {}, offset};
      EXPECT_OK(fb->Encode(c.data, c.size, c.frame));
      offset += c.frame.size();
      out.push_back(std::move(c));
    }
    return out;
  }

  vdibk::testing::TempDir dir_;
  DirectoryTarget target_{dir_.path()};
};

TEST_P(StripeFanoutTest, FramesPlacedInAnyOrderAndAdoptedInOrderReadBackAsTheStream) {
  std::vector<uint8_t> data = MakeData(6'000'000, 3);
  std::vector<Chunk> chunks = Encode(data, 5);
  auto w = StripeWriter::Create(target_, "s.lz4", Header());
  ASSERT_OK(w);
  // Two "encoders" with their own descriptors place frames out of order.
  auto p1 = target_.OpenForPlacement("s.lz4");
  auto p2 = target_.OpenForPlacement("s.lz4");
  ASSERT_OK(p1);
  ASSERT_OK(p2);
  const uint64_t header = w->file_bytes();
  for (size_t i : {4u, 1u, 3u, 0u, 2u}) {
    PlacementFile& p = i % 2 ? **p1 : **p2;
    ASSERT_OK(p.WriteAt(header + chunks[i].offset, chunks[i].frame.data(), chunks[i].frame.size()));
  }
  for (size_t i = 0; i < chunks.size(); ++i) {
    ASSERT_OK(w->Adopt(chunks[i].data, chunks[i].size, chunks[i].offset, chunks[i].frame.size()));
    if (i == 2) ASSERT_OK(w->Flush());
  }
  auto sum = w->Finalize();
  ASSERT_OK(sum);
  EXPECT_EQ(sum->raw_bytes, data.size());
  EXPECT_EQ(sum->frames, chunks.size());
  EXPECT_EQ(sum->raw_xxh64, Digest64Of(data.data(), data.size()));
  std::vector<uint8_t> file = testing::ReadFileBytes(dir_.Join("s.lz4"));
  EXPECT_EQ(sum->file_xxh64, Digest64Of(file.data(), file.size()));

  auto r = StripeReader::Open(target_, "s.lz4");
  ASSERT_OK(r);
  std::vector<uint8_t> back(data.size() + 1);
  size_t got = 0;
  for (;;) {
    auto n = r->Read(back.data() + got, std::min<size_t>(777'777, back.size() - got));
    ASSERT_OK(n);
    if (*n == 0) break;
    got += *n;
  }
  ASSERT_EQ(got, data.size());
  back.resize(got);
  EXPECT_TRUE(back == data);
  ASSERT_OK(r->VerifyRest());

  // The stock lz4 tool decodes the concatenated frames to the same stream.
  std::string cmd = "lz4 -d -c '" + dir_.Join("s.lz4") + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::vector<uint8_t> cli;
  uint8_t buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) cli.insert(cli.end(), buf, buf + n);
  ASSERT_EQ(::pclose(p), 0);
  EXPECT_TRUE(cli == data);
}

TEST_P(StripeFanoutTest, AppendedAndAdoptedFramesMix) {
  std::vector<uint8_t> data = MakeData(3'000'000, 5);
  std::vector<uint8_t> tail(data.begin() + 1'000'000, data.end());
  std::vector<Chunk> chunks = Encode(tail, 2);
  auto w = StripeWriter::Create(target_, "m.lz4", Header());
  ASSERT_OK(w);
  const uint64_t header = w->file_bytes();
  ASSERT_OK(w->Append(data.data(), 1'000'000));
  ASSERT_OK(w->Flush());  // ends the appended frame: placed frames go after it
  const uint64_t base = w->file_bytes() - header;
  auto pl = target_.OpenForPlacement("m.lz4");
  ASSERT_OK(pl);
  for (const Chunk& c : chunks) {
    ASSERT_OK((*pl)->WriteAt(header + base + c.offset, c.frame.data(), c.frame.size()));
  }
  for (const Chunk& c : chunks)
    ASSERT_OK(w->Adopt(c.data, c.size, base + c.offset, c.frame.size()));
  auto sum = w->Finalize();
  ASSERT_OK(sum);
  EXPECT_EQ(sum->raw_xxh64, Digest64Of(data.data(), data.size()));
  auto r = StripeReader::Open(target_, "m.lz4");
  ASSERT_OK(r);
  std::vector<uint8_t> back(data.size());
  size_t got = 0;
  for (;;) {
    auto n = r->Read(back.data() + got, back.size() - got);
    ASSERT_OK(n);
    if (*n == 0) break;
    got += *n;
  }
  EXPECT_EQ(got, data.size());
  EXPECT_TRUE(back == data);
}

TEST_P(StripeFanoutTest, AdoptAtTheWrongOffsetOrOfMissingBytesFails) {
  std::vector<uint8_t> data = MakeData(1'000'000, 9);
  std::vector<Chunk> chunks = Encode(data, 2);
  {
    auto w = StripeWriter::Create(target_, "bad.lz4", Header());
    ASSERT_OK(w);
    Status st = w->Adopt(chunks[1].data, chunks[1].size, chunks[1].offset, chunks[1].frame.size());
    EXPECT_EQ(st.code(), ErrorCode::kFailed) << st.ToString();
    EXPECT_FALSE(w->Finalize().ok());  // sticky
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("bad.lz4.partial")));
  {
    auto w = StripeWriter::Create(target_, "short.lz4", Header());
    ASSERT_OK(w);
    auto pl = target_.OpenForPlacement("short.lz4");
    ASSERT_OK(pl);
    const uint64_t header = w->file_bytes();
    // Only half of the frame was placed (an encoder died mid-write).
    ASSERT_OK((*pl)->WriteAt(header, chunks[0].frame.data(), chunks[0].frame.size() / 2));
    Status st = w->Adopt(chunks[0].data, chunks[0].size, 0, chunks[0].frame.size());
    EXPECT_EQ(st.code(), ErrorCode::kTargetIo) << st.ToString();
    EXPECT_NE(st.message().find("missing"), std::string::npos) << st.ToString();
  }
  EXPECT_EQ(target_.OpenForPlacement("never-created.lz4").status().code(), ErrorCode::kMissing);
}

INSTANTIATE_TEST_SUITE_P(Compressions, StripeFanoutTest,
                         ::testing::Values(Compression::kLz4, Compression::kNone));

TEST(StripeFanoutNullTest, NullTargetDiscardsPlacedBytesAndCountsAdoptedOnes) {
  NullTarget null;
  auto w = StripeWriter::Create(null, "n.lz4", MakeHeader(0, 1));
  ASSERT_OK(w);
  auto pl = null.OpenForPlacement("n.lz4");
  ASSERT_OK(pl);
  std::vector<uint8_t> data = MakeData(100'000);
  ASSERT_OK((*pl)->WriteAt(12345, data.data(), 1000));
  const uint64_t before = w->file_bytes();
  ASSERT_OK(w->Adopt(data.data(), data.size(), 0, 1000));
  EXPECT_EQ(w->file_bytes(), before + 1000);
  EXPECT_EQ(w->raw_bytes(), data.size());
  ASSERT_OK(w->Finalize());
}

}  // namespace
}  // namespace vdibk::stripe
