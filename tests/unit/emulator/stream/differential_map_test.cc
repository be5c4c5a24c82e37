// The changed-extent map (DCM) behind differential backups: a differential carries exactly the
// extents the workload changed; a COPY_ONLY or failed full does not reset the map; a change made
// behind the emulator's back (another program writing a file) sends that file whole into the next
// differential; full + differential without CHECKSUM restores byte-identical.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "emulator/base/sql_error.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/file_io.h"
#include "emulator/db/workload.h"
#include "emulator/stream/device_parser.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/stream/stream_test_util.h"

namespace vdibk::emulator {
namespace {

using testutil::Backup;
using testutil::Snapshot;
using Extents = std::map<uint32_t, std::set<uint64_t>>;  // file id -> extent numbers

// Records the extents of every data run in a stream.
class RunRecorder : public ParserSink {
 public:
  Status OnSetInfo(uint32_t, const BackupSetInfo&) override { return Status::Ok(); }
  Status OnRunData(uint32_t, const RunHeader& run, bool, uint64_t offset_in_run, const uint8_t*,
                   size_t) override {
    if (offset_in_run == 0 && run.length > 0) {
      for (uint64_t e = run.file_offset / kExtentSize;
           e <= (run.file_offset + run.length - 1) / kExtentSize; ++e) {
        carried[run.file_id].insert(e);
      }
    }
    return Status::Ok();
  }
  Extents carried;
};

Extents Carried(const testutil::Streams& streams) {
  RunRecorder rec;
  for (size_t d = 0; d < streams.size(); ++d) {
    DeviceParser p(static_cast<uint32_t>(d), "mem", &rec);
    EXPECT_OK(p.Consume(streams[d].data(), streams[d].size()));
    EXPECT_TRUE(p.complete());
  }
  return rec.carried;
}

std::set<uint64_t> Differing(const std::string& a, const std::string& b) {
  std::set<uint64_t> out;
  const size_t n = std::max(a.size(), b.size());
  for (size_t off = 0; off < n; off += kExtentSize) {
    if (a.substr(std::min(off, a.size()), kExtentSize) !=
        b.substr(std::min(off, b.size()), kExtentSize)) {
      out.insert(off / kExtentSize);
    }
  }
  return out;
}

std::set<uint64_t> AllExtents(uint64_t size) {
  std::set<uint64_t> out;
  for (uint64_t e = 0; e * kExtentSize < size; ++e) out.insert(e);
  return out;
}

BackupOptions Plain(BackupKind kind, uint64_t seed) {  // no CHECKSUM: the read + write path
  BackupOptions o = testutil::Fixed(kind, 2, seed);
  o.checksum = false;
  return o;
}

class DifferentialMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateDatabaseOptions o;
    o.size_bytes = 4 << 20;
    o.ndf_files = 1;
    ASSERT_OK(CreateDatabase(cat_, "db", o));
    Database db = cat_.Open("db").value();
    for (const DbFile& f : db.files()) files_[f.file_id] = f;
  }
  void Work(uint64_t n, uint64_t seed) {
    Database db = cat_.Open("db").value();
    ASSERT_OK(RunWorkload(db, {n, seed}));
  }
  const DbFile& Ndf() const { return files_.at(3); }
  // Data-file extents that differ between two snapshots of the database directory.
  Extents DataChanges(const std::map<std::string, std::string>& before,
                      const std::map<std::string, std::string>& after) const {
    Extents out;
    for (const auto& [id, f] : files_) {
      if (f.type == FileType::kData) out[id] = Differing(before.at(f.path), after.at(f.path));
    }
    return out;
  }
  // Carried data-file extents (the log file is checked separately).
  Extents DataOnly(Extents e) const {
    for (const auto& [id, f] : files_) {
      if (f.type == FileType::kLog) e.erase(id);
      if (f.type == FileType::kData) e[id];  // present even when empty
    }
    return e;
  }
  void RestoreInto(const testutil::Streams& s, bool recovery) {
    RestoreRequest r;
    r.mode = RestoreMode::kDatabase;
    r.target_name = "copy";
    r.recovery = recovery;
    ASSERT_OK(testutil::Restore(cat_, s, r, 10000));
  }

  testing::TempDir dir_;
  Catalog cat_{dir_.path()};
  std::map<uint32_t, DbFile> files_;
};

TEST_F(DifferentialMapTest, DiffCarriesExactlyTheExtentsTheWorkloadChanged) {
  auto full = Backup(cat_, "db", Plain(BackupKind::kFull, 1));
  ASSERT_OK(full);
  auto base = Snapshot(cat_.DatabaseDir("db"));
  Work(25, 1);
  Work(10, 2);
  auto now = Snapshot(cat_.DatabaseDir("db"));
  auto diff = Backup(cat_, "db", Plain(BackupKind::kDifferential, 2));
  ASSERT_OK(diff);
  Extents carried = Carried(diff.value());
  Extents expected = DataChanges(base, now);
  EXPECT_EQ(DataOnly(carried), expected);
  size_t changed = 0;
  for (const auto& [id, e] : expected) changed += e.size();
  EXPECT_GT(changed, 5u);
  EXPECT_LT(changed, 64u);  // 4 MiB = 64 extents; 35 pages cannot touch them all
  // The log: at least its header and the appended records.
  const DbFile& log = files_.at(kLogFileId);
  for (uint64_t e : Differing(base.at(log.path), now.at(log.path))) {
    EXPECT_TRUE(carried[kLogFileId].count(e)) << "log extent " << e;
  }
  // Full + differential (no CHECKSUM anywhere) rebuild the database byte for byte.
  RestoreInto(full.value(), false);
  RestoreInto(diff.value(), true);
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), now);
}

TEST_F(DifferentialMapTest, CopyOnlyFullDoesNotResetTheMap) {
  ASSERT_OK(Backup(cat_, "db", Plain(BackupKind::kFull, 1)));
  auto base = Snapshot(cat_.DatabaseDir("db"));
  Work(20, 1);
  BackupOptions copy = Plain(BackupKind::kFull, 2);
  copy.copy_only = true;
  ASSERT_OK(Backup(cat_, "db", copy));
  Work(5, 2);
  auto diff = Backup(cat_, "db", Plain(BackupKind::kDifferential, 3));
  ASSERT_OK(diff);
  EXPECT_EQ(DataOnly(Carried(diff.value())), DataChanges(base, Snapshot(cat_.DatabaseDir("db"))));
}

TEST_F(DifferentialMapTest, FailedFullDoesNotResetTheMapButACommittedOneDoes) {
  ASSERT_OK(Backup(cat_, "db", Plain(BackupKind::kFull, 1)));
  auto base = Snapshot(cat_.DatabaseDir("db"));
  Work(20, 1);
  // Every byte streamed, but the backup never counted (the client failed it): no Commit().
  ASSERT_OK(Backup(cat_, "db", Plain(BackupKind::kFull, 2), /*commit=*/false));
  Work(5, 2);
  auto diff = Backup(cat_, "db", Plain(BackupKind::kDifferential, 3));
  ASSERT_OK(diff);
  EXPECT_EQ(DataOnly(Carried(diff.value())), DataChanges(base, Snapshot(cat_.DatabaseDir("db"))));

  ASSERT_OK(Backup(cat_, "db", Plain(BackupKind::kFull, 4)));  // resets
  auto again = Backup(cat_, "db", Plain(BackupKind::kDifferential, 5));
  ASSERT_OK(again);
  Extents none = DataOnly({});
  EXPECT_EQ(DataOnly(Carried(again.value())), none);
}

TEST_F(DifferentialMapTest, ExternalWriteSendsThatFileWholeIntoTheNextDiff) {
  auto full = Backup(cat_, "db", Plain(BackupKind::kFull, 1));
  ASSERT_OK(full);
  Work(10, 1);
  // Another program changes one byte of the .ndf right after the emulator's own writes (the
  // same clock tick, likely): same size, same inode; only the mtime can tell.
  {
    Result<UniqueFd> fd = OpenFile(Ndf().full_path, O_RDWR);
    ASSERT_OK(fd);
    uint8_t b = 0;
    ASSERT_OK(PreadFull(fd->get(), &b, 1, 3 * kExtentSize + 100, "ndf"));
    b ^= 0xFF;
    ASSERT_OK(PwriteFull(fd->get(), &b, 1, 3 * kExtentSize + 100, "ndf"));
  }
  auto now = Snapshot(cat_.DatabaseDir("db"));
  auto diff = Backup(cat_, "db", Plain(BackupKind::kDifferential, 2));
  ASSERT_OK(diff);
  Extents carried = DataOnly(Carried(diff.value()));
  EXPECT_EQ(carried[3], AllExtents(Ndf().size));
  RestoreInto(full.value(), false);
  RestoreInto(diff.value(), true);
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), now);

  // The emulator's next writes do not make the file trusted again before a new full backup.
  Work(5, 2);
  auto diff2 = Backup(cat_, "db", Plain(BackupKind::kDifferential, 3));
  ASSERT_OK(diff2);
  EXPECT_EQ(DataOnly(Carried(diff2.value()))[3], AllExtents(Ndf().size));
}

TEST_F(DifferentialMapTest, ExternalWriteBeforeAWorkloadIsStillCaught) {
  ASSERT_OK(Backup(cat_, "db", Plain(BackupKind::kFull, 1)));
  {
    Result<UniqueFd> fd = OpenFile(Ndf().full_path, O_RDWR);
    ASSERT_OK(fd);
    const uint8_t junk[4] = {1, 2, 3, 4};
    ASSERT_OK(PwriteFull(fd->get(), junk, 4, kPageSize * 2 + 10, "ndf"));
  }
  Work(30, 3);  // marks its own extents; sees the .ndf stamp it did not expect
  auto diff = Backup(cat_, "db", Plain(BackupKind::kDifferential, 2));
  ASSERT_OK(diff);
  EXPECT_EQ(DataOnly(Carried(diff.value()))[3], AllExtents(Ndf().size));
  Database db = cat_.Open("db").value();
  ASSERT_NE(db.meta().FindChanged(3), nullptr);
  EXPECT_TRUE(db.meta().FindChanged(3)->all);
}

TEST_F(DifferentialMapTest, MetadataWithoutMapsTakesEveryFileWhole) {
  ASSERT_OK(Backup(cat_, "db", Plain(BackupKind::kFull, 1)));
  Database db = cat_.Open("db").value();
  db.mutable_meta().changed.clear();  // as metadata of an older emulator (hash bases dropped)
  ASSERT_OK(db.SaveMeta());
  auto diff = Backup(cat_, "db", Plain(BackupKind::kDifferential, 2));
  ASSERT_OK(diff);
  Extents carried = Carried(diff.value());
  for (const auto& [id, f] : files_) EXPECT_EQ(carried[id], AllExtents(f.size)) << f.path;
}

}  // namespace
}  // namespace vdibk::emulator
