// Tape-like and disk-like VDI clients: the command sequences the emulator sends around the data
// (Load/Rewind/marks/positions), positions on RandomAccess Reads/Writes, and round trips.
#include <gtest/gtest.h>

#include <algorithm>

#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/engine/vdi_server_run.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;

class MediaModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 2 << 20;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
  }
  Status Backup(MemoryClientOptions copt) {
    BackupOptions bopt;
    bopt.devices = copt.devices;
    auto job = BackupSession::Begin(*catalog_, "sales", bopt);
    if (!job.ok()) return job.status();
    client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("mode"), copt);
    EXPECT_EQ(client_->Start(), NOERROR);
    VdiRunOptions ropt;
    ropt.devices = client_->DeviceNames();
    ropt.max_transfer = 256 * 1024;
    Status st = RunVdiBackup(**job, ropt, &stats_);
    client_->Join();
    return st.ok() ? (*job)->Commit() : st;
  }
  Result<RestoreResult> Restore(MemoryClientOptions copt, std::vector<std::string> streams,
                                std::vector<std::vector<size_t>> marks, const std::string& target) {
    copt.devices = static_cast<uint32_t>(streams.size());
    client_ = std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName("moder"), copt);
    client_->SetStreams(std::move(streams));
    client_->SetMarks(std::move(marks));
    EXPECT_EQ(client_->Start(), NOERROR);
    RestoreRequest ro;
    ro.target_name = target;
    ro.device_count = copt.devices;
    auto session = RestoreSession::Begin(*catalog_, ro);
    if (!session.ok()) return session.status();
    VdiRunOptions vopt;
    vopt.devices = client_->DeviceNames();
    vopt.max_transfer = 128 * 1024;
    Status st = RunVdiRestore(**session, vopt, &stats_);
    client_->Join();
    if (!st.ok()) return st;
    return (*session)->Finish();
  }
  void ExpectSameFiles(const std::string& a, const std::string& b) {
    auto da = catalog_->Open(a);
    auto db = catalog_->Open(b);
    ASSERT_TRUE(da.ok() && db.ok());
    ASSERT_EQ(da->files().size(), db->files().size());
    for (size_t i = 0; i < da->files().size(); ++i) {
      EXPECT_EQ(testing::ReadAll(da->files()[i].full_path),
                testing::ReadAll(db->files()[i].full_path));
    }
  }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<MemoryVdiClient> client_;
  VdiRunStats stats_;
};

std::vector<int> Without(std::vector<int> v, int code) {
  v.erase(std::remove(v.begin(), v.end(), code), v.end());
  return v;
}

TEST_F(MediaModeTest, TapeLikeBackupLoadsRewindsAndWritesAMark) {
  MemoryClientOptions copt;
  copt.devices = 2;
  copt.features = VDF_LikeTape;
  ASSERT_TRUE(Backup(copt).ok());
  EXPECT_STREQ(stats_.media_mode, "tape");
  for (uint32_t d = 0; d < 2; ++d) {
    const std::vector<int> expected = {VDC_Load,        VDC_Rewind, VDC_GetPosition, VDC_WriteMark,
                                       VDC_GetPosition, VDC_Flush,  VDC_Complete};
    EXPECT_EQ(Without(client_->commands(d), VDC_Write), expected) << d;
    EXPECT_EQ(client_->commands(d)[3], VDC_Write);
    ASSERT_EQ(client_->marks()[d].size(), 1u);
    EXPECT_EQ(client_->marks()[d][0], client_->streams()[d].size());  // end of the data set
  }
  // Restore from "tapes" that hold more after the mark: reads stop at the filemark.
  auto streams = client_->streams();
  auto marks = client_->marks();
  for (auto& s : streams) s += std::string(64 * 1024, 'x');
  MemoryClientOptions ropt;
  ropt.features = VDF_LikeTape;
  auto r = Restore(ropt, streams, marks, "tapecopy");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<int>& cmds = client_->commands(0);
  ASSERT_GE(cmds.size(), 5u);
  EXPECT_EQ(std::vector<int>(cmds.begin(), cmds.begin() + 4),
            (std::vector<int>{VDC_Load, VDC_Rewind, VDC_GetPosition, VDC_SetPosition}));
  ExpectSameFiles("sales", "tapecopy");
}

TEST_F(MediaModeTest, DiskLikeBackupCarriesPositionsAndChecksTheEnd) {
  MemoryClientOptions copt;
  copt.features = VDF_LikeDisk;
  ASSERT_TRUE(Backup(copt).ok());
  EXPECT_STREQ(stats_.media_mode, "disk");
  const std::vector<int> expected = {VDC_SetPosition, VDC_GetPosition, VDC_Flush, VDC_Complete};
  EXPECT_EQ(Without(client_->commands(0), VDC_Write), expected);
  // Positions are the running byte offsets of the stream.
  const auto& pos = client_->data_positions(0);
  ASSERT_FALSE(pos.empty());
  EXPECT_EQ(pos[0], 0);
  for (size_t i = 1; i < pos.size(); ++i) EXPECT_GT(pos[i], pos[i - 1]);
  EXPECT_LT(static_cast<size_t>(pos.back()), client_->streams()[0].size());

  auto streams = client_->streams();
  MemoryClientOptions ropt;
  ropt.features = VDF_LikeDisk;
  auto r = Restore(ropt, streams, {}, "diskcopy");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<int>& cmds = client_->commands(0);
  ASSERT_GE(cmds.size(), 3u);
  EXPECT_EQ(cmds[0], VDC_Read);  // the media header at position 0
  EXPECT_EQ(cmds[1], VDC_SetPosition);
  const auto& rpos = client_->data_positions(0);
  ASSERT_GE(rpos.size(), 3u);
  EXPECT_EQ(rpos[0], 0);  // header read
  EXPECT_EQ(rpos[1], 0);  // the data from the start again
  EXPECT_GT(rpos[2], 0);
  ExpectSameFiles("sales", "diskcopy");
}

TEST_F(MediaModeTest, PipeLikeClientGetsNoPositioningCommands) {
  ASSERT_TRUE(Backup({}).ok());
  EXPECT_STREQ(stats_.media_mode, "pipe");
  EXPECT_EQ(Without(client_->commands(0), VDC_Write), (std::vector<int>{VDC_Flush, VDC_Complete}));
}

}  // namespace
}  // namespace vdibk::emulator
