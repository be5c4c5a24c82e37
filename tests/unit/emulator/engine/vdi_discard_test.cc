// VDC_Discard (vdi-protocol.md §4.2, §7.2): a BACKUP that fails while the set is alive sends it
// on every device before closing, to a client that offered VDF_Discard (after ClearError on a
// device in the IO-ERROR state); never to a client without the feature, never on success, never
// on RESTORE; a client aborting the set gets none; a failed Discard changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/unit/emulator/engine/vdi_statement_fixture.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;
using testing::RecordingSink;

const char kAbortFault[] = "WITH VDIBK_FAULT = 'abort-after=307200'";

MemoryClientOptions Devices(uint32_t devices, uint32_t features = 0) {
  MemoryClientOptions o;
  o.devices = devices;
  o.features = features;
  return o;
}
MemoryClientOptions Discarding(uint32_t devices) { return Devices(devices, VDF_Discard); }

// The last commands device `d` got, newest last.
std::vector<int> Tail(const MemoryVdiClient& c, uint32_t d, size_t n) {
  const std::vector<int>& all = c.commands(d);
  return std::vector<int>(all.end() - static_cast<std::ptrdiff_t>(std::min(n, all.size())),
                          all.end());
}

using DiscardTest = testing::VdiStatementTest;

TEST_F(DiscardTest, ServerFailureDiscardsEveryDeviceInsteadOfAborting) {
  auto c = Client("disc", Discarding(2));
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", kAbortFault, sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3013, 3013})) << sink.Text();
  EXPECT_GE(sink.Find("fault injection: server abort after 307200 bytes"), 0) << sink.Text();
  for (uint32_t d = 0; d < 2; ++d) {
    SCOPED_TRACE(d);
    EXPECT_EQ(Tail(*c, d, 1), std::vector<int>{VDC_Discard});
    EXPECT_EQ(c->last_result(d), VD_E_CLOSE);  // closed after the Discard, not aborted
    EXPECT_TRUE(c->streams()[d].empty());      // the client dropped what the set wrote
  }
  EXPECT_EQ(c->count(VDC_Discard), 2);
  EXPECT_EQ(c->count(VDC_Flush), 0);
}

TEST_F(DiscardTest, ClientErrorIsClearedThenDiscarded) {
  MemoryClientOptions o = Discarding(2);
  o.fail_command = VDC_Flush;  // every device fails its final Flush (ERROR_DISK_FULL)
  auto c = Client("discerr", o);
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", "", sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3202, 3013})) << sink.Text();
  bool some_cleared = false;
  for (uint32_t d = 0; d < 2; ++d) {
    SCOPED_TRACE(d);
    // A device whose Flush failed is in IO-ERROR: ClearError first (§4.4 rule 2), then Discard.
    // The other device may not have reached its Flush when the first one failed.
    const std::vector<int> tail = Tail(*c, d, 3);
    ASSERT_EQ(tail.back(), VDC_Discard);
    if (tail[0] == VDC_Flush) {
      EXPECT_EQ(tail, (std::vector<int>{VDC_Flush, VDC_ClearError, VDC_Discard}));
      some_cleared = true;
    }
    EXPECT_EQ(c->last_result(d), VD_E_CLOSE);
  }
  EXPECT_TRUE(some_cleared);
}

TEST_F(DiscardTest, WithoutTheFeatureTheServerAbortsAndSendsNoDiscard) {
  auto c = Client("nodisc", Devices(2));
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", kAbortFault, sink);
  EXPECT_TRUE(sink.HasError());
  EXPECT_EQ(c->count(VDC_Discard), 0);
  EXPECT_EQ(c->last_result(0), VD_E_ABORT);
  EXPECT_EQ(c->last_result(1), VD_E_ABORT);
}

TEST_F(DiscardTest, SuccessfulBackupAndRestoreGetNoDiscard) {
  auto b = Client("okdisc", Discarding(2));
  RecordingSink bs;
  RunWith(*b, "BACKUP DATABASE sales TO", "", bs);
  ASSERT_FALSE(bs.HasError()) << bs.Text();
  EXPECT_EQ(b->count(VDC_Discard), 0);
  EXPECT_FALSE(b->streams()[0].empty());
  // A failing RESTORE is aborted, never discarded: Discard is about backup sets.
  auto r = Client("rdisc", Discarding(2));
  r->SetStreams(b->streams());
  RecordingSink rs;
  RunWith(*r, "RESTORE DATABASE copy FROM", "WITH VDIBK_FAULT = 'abort-after=65536'", rs);
  EXPECT_TRUE(rs.HasError());
  EXPECT_EQ(r->count(VDC_Discard), 0);
  EXPECT_EQ(r->last_result(0), VD_E_ABORT);
}

TEST_F(DiscardTest, ClientAbortGetsNoDiscard) {
  MemoryClientOptions o = Discarding(2);
  o.fail_command = VDC_Flush;
  o.abort_instead = true;
  auto c = Client("abdisc", o);
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", "", sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{18210, 3013})) << sink.Text();
  EXPECT_EQ(c->count(VDC_Discard), 0);
}

TEST_F(DiscardTest, FailedDiscardStillClosesAndKeepsTheCause) {
  MemoryClientOptions o = Discarding(1);
  o.discard_code = ERROR_NOT_SUPPORTED;
  auto c = Client("faildisc", o);
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", kAbortFault, sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3013, 3013})) << sink.Text();
  EXPECT_GE(sink.Find("fault injection"), 0) << sink.Text();
  EXPECT_EQ(c->count(VDC_Discard), 1);
  EXPECT_EQ(c->last_result(0), VD_E_CLOSE);
}

TEST_F(DiscardTest, RefusedSnapshotIsClearedThenDiscarded) {
  MemoryClientOptions o = Discarding(1);
  o.snapshot_code = ERROR_OPERATION_ABORTED;
  auto c = Client("snapdisc", o);
  RecordingSink sink;
  RunWith(*c, "BACKUP DATABASE sales TO", "WITH SNAPSHOT", sink);
  EXPECT_EQ(sink.numbers(), (std::vector<int>{3197, 3198, 0, 18210, 3013})) << sink.Text();
  EXPECT_EQ(Tail(*c, 0, 3), (std::vector<int>{VDC_Snapshot, VDC_ClearError, VDC_Discard}));
  EXPECT_EQ(c->last_result(0), VD_E_CLOSE);
}

}  // namespace
}  // namespace vdibk::emulator
