// BackupsBeyondChain: the server's history rows past a chain's end (what the repository lacks),
// with copy-only rows, the repository's own sets and --until taken into account.
#include "coordinator/repo/chain_history.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

ChainSet Set(const std::string& name, proto::BackupType type, int64_t start_ms,
             const std::string& first, const std::string& last, const std::string& history) {
  ChainSet s;
  s.name = name;
  s.manifest.set_backup_type(type);
  s.manifest.set_started_unix_ms(start_ms);
  s.manifest.set_first_lsn(first);
  s.manifest.set_last_lsn(last);
  s.manifest.set_history_name(history);
  return s;
}

BackupHistoryRow Row(uint64_t id, char type, const std::string& first, const std::string& last,
                     const std::string& name, int64_t start_ms, bool copy_only = false) {
  BackupHistoryRow r;
  r.backup_set_id = id;
  r.type = type;
  r.first_lsn = first;
  r.last_lsn = last;
  r.name = name;
  r.start_unix_ms = start_ms;
  r.start_date = "2026-12-07 10:00:0" + std::to_string(id) + ".000";
  r.copy_only = copy_only;
  return r;
}

class ChainHistoryTest : public ::testing::Test {
 protected:
  std::vector<ChainSet> chain_ = {Set("f", proto::BACKUP_TYPE_FULL, 1000, "100", "110", "hf"),
                                  Set("l1", proto::BACKUP_TYPE_LOG, 2000, "90", "150", "hl1")};
  std::vector<BackupHistoryRow> rows_ = {Row(1, 'D', "100", "110", "hf", 1100),
                                         Row(2, 'L', "90", "150", "hl1", 2100)};
};

TEST_F(ChainHistoryTest, NothingBeyondAChainThatReachesTheServersLatest) {
  EXPECT_TRUE(BackupsBeyondChain(chain_, chain_, rows_, std::nullopt).empty());
}

TEST_F(ChainHistoryTest, LogsAndFullsPastTheEndAreNamed) {
  rows_.push_back(Row(3, 'L', "150", "190", "vdibackup lost", 3100));
  rows_.push_back(Row(4, 'D', "195", "200", "", 4100));  // a full by another tool
  rows_.push_back(Row(5, 'D', "150", "300", "copy", 5100, /*copy_only=*/true));
  const std::vector<BackupHistoryRow> beyond =
      BackupsBeyondChain(chain_, chain_, rows_, std::nullopt);
  ASSERT_EQ(beyond.size(), 2u);
  EXPECT_EQ(beyond[0].backup_set_id, 3u);
  EXPECT_EQ(beyond[1].backup_set_id, 4u);
  const std::string text = DescribeHistoryRows(beyond);
  EXPECT_NE(text.find("log backup 'vdibackup lost' (backup_set_id 3, LSN 150..190"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("full backup '(no name)'"), std::string::npos) << text;
}

TEST_F(ChainHistoryTest, UntilCountsOurSetsByTheirStartAndOthersByTheServers) {
  // l2 is in the repository, started after --until: not wanted, although the server's clock
  // (second resolution) puts it earlier.
  std::vector<ChainSet> repo = chain_;
  repo.push_back(Set("l2", proto::BACKUP_TYPE_LOG, 3500, "150", "170", "hl2"));
  rows_.push_back(Row(3, 'L', "150", "170", "hl2", 3000));
  EXPECT_TRUE(BackupsBeyondChain(chain_, repo, rows_, 3200).empty());
  // A backup the repository does not have, started before --until: missing.
  rows_.push_back(Row(4, 'L', "170", "180", "elsewhere", 3100));
  const std::vector<BackupHistoryRow> beyond = BackupsBeyondChain(chain_, repo, rows_, 3200);
  ASSERT_EQ(beyond.size(), 1u);
  EXPECT_EQ(beyond[0].name, "elsewhere");
}

TEST_F(ChainHistoryTest, ChainWithoutLsnsIsNotCompared) {
  chain_.back().manifest.set_last_lsn("");
  rows_.push_back(Row(3, 'L', "150", "190", "x", 3100));
  EXPECT_TRUE(BackupsBeyondChain(chain_, chain_, rows_, std::nullopt).empty());
}

}  // namespace
}  // namespace vdibk::coordinator
