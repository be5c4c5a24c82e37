// Round trips through StripeWriter/StripeReader with many write and read sizes, seeking, and
// decoding by the stock `lz4` CLI (the stripe must be a plain LZ4 stream to it).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "shared/stripe/digest.h"
#include "shared/stripe/directory_target.h"
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

constexpr size_t kWriteSizes[] = {1, 7, 4096, 65536, 65537, 1u << 20, 3'000'001};

struct Mode {
  Compression compression;
  int level;
  uint32_t block_size;
};

class StripeRoundTripTest : public ::testing::TestWithParam<Mode> {
 protected:
  // Writes `data` in chunks cycling through kWriteSizes, flushing every third write.
  StripeSummary Write(const std::vector<uint8_t>& data, const std::string& name) {
    StripeHeader h = MakeHeader(1, 2);
    h.compression = GetParam().compression;
    h.level = static_cast<int8_t>(GetParam().level);
    h.block_size = GetParam().block_size;
    StripeWriterOptions opt;
    opt.frame_raw_bytes = 1'000'003;  // many frames, boundaries not aligned to writes
    auto w = StripeWriter::Create(target_, name, h, opt);
    EXPECT_OK(w);
    size_t off = 0, i = 0;
    while (off < data.size()) {
      size_t n = std::min(kWriteSizes[i % std::size(kWriteSizes)], data.size() - off);
      EXPECT_OK(w->Append(data.data() + off, n));
      off += n;
      if (++i % 3 == 0) EXPECT_OK(w->Flush());
    }
    auto sum = w->Finalize();
    EXPECT_OK(sum);
    return sum.ok() ? *sum : StripeSummary{};
  }

  vdibk::testing::TempDir dir_;
  DirectoryTarget target_{dir_.path()};
};

TEST_P(StripeRoundTripTest, AnyReadSizeGivesBackTheBytes) {
  std::vector<uint8_t> data = MakeData(9'000'000);
  StripeSummary sum = Write(data, "s.lz4");
  EXPECT_EQ(sum.raw_bytes, data.size());
  EXPECT_GT(sum.frames, 5u);
  if (GetParam().compression == Compression::kLz4) {
    EXPECT_LT(sum.file_bytes, data.size());
  }
  EXPECT_EQ(testing::ReadFileBytes(dir_.Join("s.lz4")).size(), sum.file_bytes);

  for (size_t read_size : {size_t{1} << 20, size_t{4093}, size_t{65536}, size_t{5'000'000}}) {
    auto r = StripeReader::Open(target_, "s.lz4", {MakeHeader().set_id, 1u, 2u});
    ASSERT_OK(r);
    EXPECT_EQ(r->trailer().raw_bytes, data.size());
    std::vector<uint8_t> back;
    std::vector<uint8_t> buf(read_size);
    while (true) {
      auto n = r->Read(buf.data(), buf.size());
      ASSERT_OK(n);
      if (*n == 0) break;
      back.insert(back.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n));
    }
    ASSERT_EQ(back.size(), data.size()) << "read size " << read_size;
    EXPECT_TRUE(back == data) << "read size " << read_size;
  }
}

TEST_P(StripeRoundTripTest, SeekUsesTheIndex) {
  std::vector<uint8_t> data = MakeData(4'000'000, 7);
  Write(data, "seek.lz4");
  auto r = StripeReader::Open(target_, "seek.lz4");
  ASSERT_OK(r);
  for (uint64_t pos : {uint64_t{3'999'999}, uint64_t{0}, uint64_t{1'000'003}, uint64_t{2'500'000},
                       uint64_t{4'000'000}}) {
    ASSERT_OK(r->Seek(pos));
    EXPECT_EQ(r->position(), pos);
    std::vector<uint8_t> buf(100);
    auto n = r->Read(buf.data(), buf.size());
    ASSERT_OK(n);
    size_t expect = std::min<size_t>(100, data.size() - pos);
    ASSERT_EQ(*n, expect);
    EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(expect),
                           data.begin() + static_cast<ptrdiff_t>(pos)));
  }
}

TEST_P(StripeRoundTripTest, StockLz4CliOutputsTheRawStream) {
  std::vector<uint8_t> data = MakeData(3'500'000, 3);
  Write(data, "cli.lz4");
  std::string cmd = "lz4 -d -c '" + dir_.Join("cli.lz4") + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::vector<uint8_t> out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.insert(out.end(), buf, buf + n);
  int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << cmd;
  ASSERT_EQ(out.size(), data.size());
  EXPECT_TRUE(out == data);
}

// `lz4 -t` checks the frames' block and content checksums: it accepts the stripe and rejects one
// data byte flipped in the middle of the frames.
TEST_P(StripeRoundTripTest, StockLz4CliTestsTheContentChecksums) {
  std::vector<uint8_t> data = MakeData(2'000'000, 5);
  Write(data, "t.lz4");
  const std::string cmd = "lz4 -t -q '" + dir_.Join("t.lz4") + "' 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto r = StripeReader::Open(target_, "t.lz4");
  ASSERT_OK(r);
  const auto& frames = r->trailer().frames;
  ASSERT_GE(frames.size(), 2u);
  std::vector<uint8_t> b = testing::ReadFileBytes(dir_.Join("t.lz4"));
  b[(frames[0].file_offset + frames[1].file_offset) / 2] ^= 0x04;  // inside frame 0's data
  testing::WriteFileBytes(dir_.Join("bad.lz4"), b);
  const std::string bad = "lz4 -t -q '" + dir_.Join("bad.lz4") + "' 2>/dev/null";
  EXPECT_NE(std::system(bad.c_str()), 0) << bad;
}

INSTANTIATE_TEST_SUITE_P(
    Modes, StripeRoundTripTest,
    ::testing::Values(Mode{Compression::kLz4, 1, 64u << 10}, Mode{Compression::kLz4, 9, 256u << 10},
                      Mode{Compression::kLz4, 1, 4u << 20}, Mode{Compression::kNone, 0, 64u << 10},
                      Mode{Compression::kNone, 0, 1u << 20}),
    [](const auto& info) {
      return std::string(info.param.compression == Compression::kLz4 ? "lz4" : "none") + "_l" +
             std::to_string(info.param.level) + "_b" + std::to_string(info.param.block_size >> 10);
    });

TEST(StripeWriterTest, EmptyStripeIsValid) {
  vdibk::testing::TempDir dir;
  DirectoryTarget target(dir.path());
  auto w = StripeWriter::Create(target, "empty", MakeHeader());
  ASSERT_OK(w);
  ASSERT_OK(w->Flush());
  auto sum = w->Finalize();
  ASSERT_OK(sum);
  EXPECT_EQ(sum->raw_bytes, 0u);
  auto r = StripeReader::Open(target, "empty");
  ASSERT_OK(r);
  char c;
  auto n = r->Read(&c, 1);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0u);
}

TEST(StripeWriterTest, FlushMarksAndFileDigestAreRecorded) {
  vdibk::testing::TempDir dir;
  DirectoryTarget target(dir.path());
  std::vector<uint8_t> data = MakeData(300'000);
  auto w = StripeWriter::Create(target, "m", MakeHeader());
  ASSERT_OK(w);
  ASSERT_OK(w->Append(data.data(), 100'000));
  ASSERT_OK(w->Flush());
  ASSERT_OK(w->Flush());  // no new data: no second mark
  ASSERT_OK(w->Append(data.data() + 100'000, 200'000));
  auto sum = w->Finalize();
  ASSERT_OK(sum);
  EXPECT_EQ(sum->frames, 2u);
  auto r = StripeReader::Open(target, "m");
  ASSERT_OK(r);
  ASSERT_EQ(r->trailer().marks.size(), 1u);
  EXPECT_EQ(r->trailer().marks[0].raw_offset, 100'000u);
  EXPECT_EQ(r->trailer().raw_xxh64, sum->raw_xxh64);
  std::vector<uint8_t> file = testing::ReadFileBytes(dir.Join("m"));
  EXPECT_EQ(Digest64Of(file.data(), file.size()), sum->file_xxh64);
  EXPECT_EQ(Digest64Of(data.data(), data.size()), sum->raw_xxh64);
  EXPECT_OK(r->VerifyRest());
}

TEST(StripeWriterTest, NullTargetCountsBytes) {
  NullTarget target;
  std::vector<uint8_t> data = MakeData(1'000'000);
  auto w = StripeWriter::Create(target, "x", MakeHeader());
  ASSERT_OK(w);
  ASSERT_OK(w->Append(data.data(), data.size()));
  auto sum = w->Finalize();
  ASSERT_OK(sum);
  EXPECT_EQ(target.bytes_written(), sum->file_bytes);
  EXPECT_EQ(target.files_committed(), 1u);
  EXPECT_EQ(StripeReader::Open(target, "x").status().code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::stripe
