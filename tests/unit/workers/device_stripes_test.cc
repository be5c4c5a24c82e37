// DeviceStripes: per-device order checks, stripes that lz4 and our reader accept, cleanup.
#include "workers/device_stripes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/stripe_reader.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/workers/stripe_dir.h"

namespace vdibk::workers {
namespace {

namespace fs = std::filesystem;

StripeSetSpec Spec() {
  StripeSetSpec s;
  s.set_id[0] = 1;
  s.database = "sales";
  s.device_count = 4;
  s.max_transfer_size = 1 << 20;
  s.devices = {{1, "set_1", "stripe-02-of-04.lz4", ""}, {3, "set_3", "stripe-04-of-04.lz4", ""}};
  return s;
}

TEST(DeviceStripesTest, WritesFlushesAndFinalizesEachDevice) {
  vdibk::testing::TempDir dir;
  Result<DeviceStripes> s = DeviceStripes::Open(Spec(), Dir(dir));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->device_indexes(), (std::vector<uint32_t>{1, 3}));
  std::vector<uint8_t> data(65536, 0x5a);
  ASSERT_TRUE(s->Accept(1, 1).ok());
  ASSERT_TRUE(s->Append(1, data.data(), data.size()).ok());
  ASSERT_TRUE(s->Accept(1, 2).ok());
  ASSERT_TRUE(s->Flush(1).ok());
  ASSERT_TRUE(s->Accept(1, 3).ok());
  Result<stripe::StripeSummary> sum = s->Finalize(1);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->raw_bytes, data.size());
  EXPECT_TRUE(fs::exists(dir.Join("stripe-02-of-04.lz4")));
  EXPECT_FALSE(s->AllFinalized());
  EXPECT_FALSE(s->Append(1, data.data(), 1).ok());  // finalized
  s->AbortAll();
  EXPECT_FALSE(fs::exists(dir.Join("stripe-04-of-04.lz4.partial")));
  EXPECT_TRUE(fs::exists(dir.Join("stripe-02-of-04.lz4")));  // published stripes stay
}

TEST(DeviceStripesTest, RejectsOutOfOrderAndUnassigned) {
  vdibk::testing::TempDir dir;
  Result<DeviceStripes> s = DeviceStripes::Open(Spec(), Dir(dir));
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->Accept(0, 1).ok());  // not assigned
  EXPECT_FALSE(s->Accept(1, 2).ok());  // seq must start at 1
  EXPECT_TRUE(s->Accept(1, 1).ok());
  EXPECT_FALSE(s->Accept(1, 1).ok());  // replayed
}

TEST(DeviceStripesTest, BadAssignmentsFailAndLeaveNothing) {
  vdibk::testing::TempDir dir;
  StripeSetSpec bad = Spec();
  bad.devices.push_back({1, "dup", "dup.lz4", ""});
  EXPECT_FALSE(DeviceStripes::Open(bad, Dir(dir)).ok());
  bad = Spec();
  bad.devices.push_back({9, "big", "big.lz4", ""});
  EXPECT_FALSE(DeviceStripes::Open(bad, Dir(dir)).ok());
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(DeviceStripesTest, DestructorRemovesPartialStripes) {
  vdibk::testing::TempDir dir;
  {
    Result<DeviceStripes> s = DeviceStripes::Open(Spec(), Dir(dir));
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE(fs::is_empty(dir.path()));
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// Fan-out: worker A owns device 1, worker B only encodes for it. Frames encoded by both are
// placed out of order and adopted in order by A; the stripe reads back as the stream.
TEST(DeviceStripesTest, EncoderPlacesFramesThatTheOwnerAdopts) {
  vdibk::testing::TempDir dir;
  StripeSetSpec owner_spec = Spec();
  owner_spec.devices = {{1, "set_1", "stripe-02-of-04.lz4", ""}};
  StripeSetSpec encoder_spec = owner_spec;
  encoder_spec.devices[0].owner = false;
  Result<DeviceStripes> a = DeviceStripes::Open(owner_spec, Dir(dir));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Result<DeviceStripes> b = DeviceStripes::Open(encoder_spec, Dir(dir));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // The encoder owns nothing: no stripe of its own, no plain writes, nothing to finalize.
  EXPECT_TRUE(b->AllFinalized());
  EXPECT_FALSE(b->Accept(1, 1).ok());
  EXPECT_FALSE(b->Finalize(1).ok());

  std::vector<uint8_t> stream;
  std::vector<std::vector<uint8_t>> bufs;
  for (int i = 0; i < 4; ++i) {
    bufs.emplace_back(100000 + i * 1000, static_cast<uint8_t>('a' + i));
    stream.insert(stream.end(), bufs.back().begin(), bufs.back().end());
  }
  // seq 1 and 3 on A, 2 and 4 on B.
  std::vector<uint64_t> sizes(5);
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    DeviceStripes& w = seq % 2 ? *a : *b;
    Result<uint64_t> n = w.Encode(1, seq, bufs[seq - 1].data(), bufs[seq - 1].size());
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    sizes[seq] = *n;
  }
  EXPECT_EQ(a->held_frames(), 2u);
  EXPECT_EQ(b->Encode(1, 4, bufs[0].data(), 10).status().code(), ErrorCode::kFailed);  // seq order
  EXPECT_EQ(b->Place(1, 3, 0).code(), ErrorCode::kFailed);  // B holds no frame 3
  std::vector<uint64_t> offsets(5);
  for (uint64_t seq = 2; seq <= 4; ++seq) offsets[seq] = offsets[seq - 1] + sizes[seq - 1];
  for (uint64_t seq : {4, 2, 3, 1}) {
    DeviceStripes& w = seq % 2 ? *a : *b;
    ASSERT_TRUE(w.Place(1, seq, offsets[seq]).ok());
  }
  EXPECT_EQ(a->held_frames() + b->held_frames(), 0u);
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    ASSERT_TRUE(a->Accept(1, seq).ok());
    ASSERT_TRUE(
        a->Adopt(1, bufs[seq - 1].data(), bufs[seq - 1].size(), offsets[seq], sizes[seq]).ok());
  }
  ASSERT_TRUE(a->Accept(1, 5).ok());
  Result<stripe::StripeSummary> sum = a->Finalize(1);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->raw_bytes, stream.size());
  b->AbortAll();  // the encoder's cleanup never touches the owner's stripe
  stripe::DirectoryTarget t(dir.path());
  auto r = stripe::StripeReader::Open(t, "stripe-02-of-04.lz4");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<uint8_t> back(stream.size() + 1);
  size_t got = 0;
  for (;;) {
    auto n = r->Read(back.data() + got, back.size() - got);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    got += *n;
  }
  back.resize(got);
  EXPECT_TRUE(back == stream);
}

}  // namespace
}  // namespace vdibk::workers
