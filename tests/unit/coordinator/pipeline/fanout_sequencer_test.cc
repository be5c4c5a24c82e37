// FanoutSequencer: frames are placed at prefix-sum offsets only once every earlier size is
// known, adopted strictly in command order, and waiters wake on drain or cancel.
#include "coordinator/pipeline/fanout_sequencer.h"

#include <gtest/gtest.h>

#include <thread>

namespace vdibk::coordinator {
namespace {

FanoutCommand Cmd(uint64_t seq, const std::string& encoder) {
  FanoutCommand c;
  c.seq = seq;
  c.encoder = encoder;
  c.handle = static_cast<uint32_t>(100 + seq);
  c.size = 4096;
  return c;
}

TEST(FanoutSequencerTest, PlacesAtPrefixSumsAndAdoptsInOrder) {
  FanoutSequencer s(2);
  for (uint64_t seq : {1, 2, 3}) ASSERT_TRUE(s.Begin(1, Cmd(seq, seq % 2 ? "w1" : "w3")).ok());
  // Frame 2 is encoded first: nothing can be placed before frame 1's size is known.
  auto steps = s.Encoded(1, 2, 700);
  ASSERT_TRUE(steps.ok());
  EXPECT_TRUE(steps->empty());
  steps = s.Encoded(1, 1, 500);
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].kind, FanoutStep::Kind::kPlace);
  EXPECT_EQ((*steps)[0].command.seq, 1u);
  EXPECT_EQ((*steps)[0].frame_offset, 0u);
  EXPECT_EQ((*steps)[0].command.encoder, "w1");
  EXPECT_EQ((*steps)[1].command.seq, 2u);
  EXPECT_EQ((*steps)[1].frame_offset, 500u);
  EXPECT_EQ((*steps)[1].command.encoder, "w3");
  steps = s.Encoded(1, 3, 300);
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ((*steps)[0].frame_offset, 1200u);
  // Placed out of order: adoption waits for frame 1, then releases 1 and 2 in order.
  steps = s.Placed(1, 2);
  ASSERT_TRUE(steps.ok());
  EXPECT_TRUE(steps->empty());
  steps = s.Placed(1, 1);
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].kind, FanoutStep::Kind::kAdopt);
  EXPECT_EQ((*steps)[0].command.seq, 1u);
  EXPECT_EQ((*steps)[0].frame_bytes, 500u);
  EXPECT_EQ((*steps)[1].command.seq, 2u);
  EXPECT_EQ((*steps)[1].frame_offset, 500u);
  // Adopt replies must come in order.
  EXPECT_EQ(s.Adopted(1, 2).status().code(), ErrorCode::kAborted);
  ASSERT_TRUE(s.Adopted(1, 1).ok());
  ASSERT_TRUE(s.Adopted(1, 2).ok());
  EXPECT_EQ(s.in_flight(1), 1u);
  steps = s.Placed(1, 3);
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ((*steps)[0].frame_offset, 1200u);
  Result<FanoutCommand> done = s.Adopted(1, 3);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->handle, 103u);
  EXPECT_EQ(s.in_flight(1), 0u);
  EXPECT_TRUE(s.WaitDrained(1));
  // Offsets keep growing across drains (the stripe continues).
  ASSERT_TRUE(s.Begin(1, Cmd(5, "w1")).ok());
  steps = s.Encoded(1, 5, 10);
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ((*steps)[0].frame_offset, 1500u);
}

TEST(FanoutSequencerTest, RejectsViolations) {
  FanoutSequencer s(1);
  EXPECT_FALSE(s.Begin(1, Cmd(1, "w1")).ok());  // unknown device
  ASSERT_TRUE(s.Begin(0, Cmd(2, "w1")).ok());
  EXPECT_FALSE(s.Begin(0, Cmd(2, "w1")).ok());  // seqs must increase
  EXPECT_FALSE(s.Encoded(0, 9, 10).ok());       // unknown seq
  EXPECT_FALSE(s.Encoded(0, 2, 0).ok());        // empty frame
  ASSERT_TRUE(s.Encoded(0, 2, 10).ok());
  EXPECT_FALSE(s.Encoded(0, 2, 10).ok());  // second reply
  EXPECT_FALSE(s.Adopted(0, 2).ok());      // not adopted yet
  ASSERT_TRUE(s.Placed(0, 2).ok());
  EXPECT_FALSE(s.Placed(0, 2).ok());  // second reply
}

TEST(FanoutSequencerTest, WaitDrainedWakesOnAdoptionAndOnCancel) {
  FanoutSequencer s(2);
  ASSERT_TRUE(s.Begin(0, Cmd(1, "w1")).ok());
  bool drained = false;
  std::thread waiter([&] { drained = s.WaitDrained(0); });
  ASSERT_TRUE(s.Encoded(0, 1, 5).ok());
  ASSERT_TRUE(s.Placed(0, 1).ok());
  ASSERT_TRUE(s.Adopted(0, 1).ok());
  waiter.join();
  EXPECT_TRUE(drained);

  ASSERT_TRUE(s.Begin(1, Cmd(1, "w2")).ok());
  bool drained1 = true;
  std::thread waiter1([&] { drained1 = s.WaitDrained(1); });
  s.Cancel();
  waiter1.join();
  EXPECT_FALSE(drained1);
  EXPECT_FALSE(s.WaitDrained(0));  // cancelled for good
}

}  // namespace
}  // namespace vdibk::coordinator
