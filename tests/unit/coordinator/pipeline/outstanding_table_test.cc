// Dispatcher bookkeeping: the credit rule and every protocol violation of proto/README.md §8.
#include "coordinator/pipeline/outstanding_table.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

Outstanding Write(const std::string& w, uint32_t dev, uint64_t seq, uint32_t handle,
                  uint32_t size) {
  Outstanding o;
  o.worker = w;
  o.device = dev;
  o.seq = seq;
  o.kind = RequestKind::kWrite;
  o.handle = handle;
  o.size = size;
  return o;
}

TEST(OutstandingTableTest, AcceptsTheMatchingReplyOnce) {
  OutstandingTable t;
  ASSERT_TRUE(t.Add(Write("w0", 0, 1, 77, 4096)).ok());
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.CountFor("w0"), 1u);
  Result<Outstanding> r = t.Take("w0", {0, 1, 77, 4096, 0});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->handle, 77u);
  EXPECT_EQ(t.size(), 0u);
  Result<Outstanding> again = t.Take("w0", {0, 1, 77, 4096, 0});
  EXPECT_EQ(again.status().code(), ErrorCode::kAborted);
  EXPECT_NE(again.status().message().find("duplicate"), std::string::npos);
  // The handle can be lent again once its reply arrived.
  EXPECT_TRUE(t.Add(Write("w0", 0, 2, 77, 4096)).ok());
}

TEST(OutstandingTableTest, RejectsViolations) {
  OutstandingTable t;
  ASSERT_TRUE(t.Add(Write("w0", 0, 1, 10, 4096)).ok());
  ASSERT_TRUE(t.Add(Write("w1", 1, 1, 11, 4096)).ok());
  auto message = [&](const std::string& w, ReplyFacts f) {
    Result<Outstanding> r = t.Take(w, f);
    EXPECT_FALSE(r.ok());
    return r.status().message();
  };
  EXPECT_NE(message("w0", {0, 9, 10, 4096, 0}).find("unknown"), std::string::npos);
  EXPECT_NE(message("w0", {1, 1, 11, 4096, 0}).find("foreign"), std::string::npos);
  EXPECT_NE(message("w0", {0, 1, 99, 4096, 0}).find("handle"), std::string::npos);
  EXPECT_NE(message("w0", {0, 1, 10, 8192, 0}).find("bytes"), std::string::npos);  // oversized
  EXPECT_NE(message("w0", {0, 1, 10, 100, 0}).find("bytes"), std::string::npos);   // short, ok
  EXPECT_EQ(t.size(), 2u);  // nothing was consumed by a rejected reply
  // An error reply may report fewer bytes.
  EXPECT_TRUE(t.Take("w0", {0, 1, 10, 0, 6}).ok());
}

TEST(OutstandingTableTest, RefusesDoubleIssueAndDrains) {
  OutstandingTable t;
  ASSERT_TRUE(t.Add(Write("w0", 0, 1, 10, 1)).ok());
  EXPECT_FALSE(t.Add(Write("w0", 0, 1, 12, 1)).ok());  // same {device, seq}
  EXPECT_FALSE(t.Add(Write("w0", 1, 1, 10, 1)).ok());  // handle still lent out
  Outstanding flush;
  flush.worker = "w0";
  flush.device = 0;
  flush.seq = 2;
  flush.kind = RequestKind::kFlush;
  ASSERT_TRUE(t.Add(flush).ok());
  EXPECT_EQ(t.Drain().size(), 2u);
  EXPECT_EQ(t.size(), 0u);
}

// Fan-out: Encode, Place and Adopt of one {device, seq} are issued one after the other; each is
// answered once, and a late duplicate of an earlier stage is caught.
TEST(OutstandingTableTest, FanoutStagesOfOneCommandFollowEachOther) {
  OutstandingTable t;
  Outstanding enc = Write("w1", 0, 5, 40, 1000);
  enc.kind = RequestKind::kEncode;
  ASSERT_TRUE(t.Add(enc).ok());
  Outstanding place = enc;
  place.kind = RequestKind::kPlace;
  place.handle = 0;
  place.size = 0;
  EXPECT_FALSE(t.Add(place).ok());  // the Encode is still outstanding
  // An Encode reply must report the whole buffer.
  EXPECT_EQ(t.Take("w1", {0, 5, 40, 999, 0}).status().code(), ErrorCode::kAborted);
  EXPECT_FALSE(t.Add(enc).ok());  // still pending after the rejected reply
  ASSERT_TRUE(t.Take("w1", {0, 5, 40, 1000, 0}).ok());
  EXPECT_FALSE(t.Add(enc).ok());  // Encode of seq 5 was answered already
  ASSERT_TRUE(t.Add(place).ok());
  // A duplicate Encode reply arriving now names handle 40, not the Place's 0.
  EXPECT_EQ(t.Take("w1", {0, 5, 40, 1000, 0}).status().code(), ErrorCode::kAborted);
  Outstanding adopt = enc;
  adopt.worker = "w0";
  adopt.kind = RequestKind::kAdopt;
  EXPECT_FALSE(t.Add(adopt).ok());  // Place outstanding
  ASSERT_TRUE(t.Take("w1", {0, 5, 0, 0, 0}).ok());
  ASSERT_TRUE(t.Add(adopt).ok());
  EXPECT_EQ(t.Take("w1", {0, 5, 40, 1000, 0}).status().code(), ErrorCode::kAborted);  // foreign
  ASSERT_TRUE(t.Take("w0", {0, 5, 40, 1000, 0}).ok());
  Result<Outstanding> dup = t.Take("w0", {0, 5, 40, 1000, 0});
  EXPECT_NE(dup.status().message().find("duplicate"), std::string::npos);
}

}  // namespace
}  // namespace vdibk::coordinator
