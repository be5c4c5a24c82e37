// Tests of Catalog / Database / CreateDatabase: listing, hand-made directories, file ids and
// logical names, metadata kept outside the database files, drop.
#include "emulator/db/catalog.h"

#include <gtest/gtest.h>

#include "emulator/base/sql_error.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/file_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator {
namespace {

void WriteFile(const std::string& path, const std::string& content) {
  ASSERT_OK(MakeDirs(ParentDir(path)));
  ASSERT_OK(WriteFileAtomic(path, content));
}

TEST(CatalogTest, CreateDatabaseMakesMdfNdfAndLog) {
  testing::TempDir dir;
  Catalog cat(dir.path());
  CreateDatabaseOptions o;
  o.size_bytes = 1 << 20;
  o.ndf_files = 1;
  Result<Database> db = CreateDatabase(cat, "sales", o);
  ASSERT_OK(db);
  ASSERT_EQ(db->files().size(), 3u);
  EXPECT_EQ(db->files()[0].logical_name, "sales");
  EXPECT_EQ(db->files()[0].file_id, kPrimaryFileId);
  EXPECT_EQ(db->files()[1].logical_name, "sales_log");
  EXPECT_EQ(db->files()[1].type, FileType::kLog);
  EXPECT_EQ(db->files()[2].path, "sales_2.ndf");
  EXPECT_EQ(db->files()[0].size + db->files()[2].size, uint64_t{1} << 20);
  EXPECT_FALSE(db->simple_recovery());
  EXPECT_EQ(db->NextLsn().value(), 1u);
  EXPECT_EQ(SqlErrorNumber(CreateDatabase(cat, "sales", o).status()), 1801);
  EXPECT_EQ(cat.List().value(), std::vector<std::string>{"sales"});
}

TEST(CatalogTest, HandMadeNestedDirectoryIsADatabaseAtOnce) {
  testing::TempDir dir;
  Catalog cat(dir.path());
  ASSERT_OK(cat.Init());
  WriteFile(dir.Join("pg/PG_VERSION"), "15\n");
  WriteFile(dir.Join("pg/base/1/1259"), std::string(20000, 'x'));
  WriteFile(dir.Join("pg/global/pg_control"), std::string(8192, 'c'));
  EXPECT_EQ(cat.List().value(), std::vector<std::string>{"pg"});
  Result<Database> db = cat.Open("pg");
  ASSERT_OK(db);
  EXPECT_TRUE(db->simple_recovery());
  ASSERT_EQ(db->files().size(), 3u);
  EXPECT_EQ(db->files()[0].path, "PG_VERSION");  // primary: first data file
  EXPECT_NE(db->FindLogical("base_1_1259"), nullptr);
  EXPECT_NE(db->FindLogical("global_pg_control"), nullptr);
  // Ids survive a new file appearing once the metadata was saved.
  ASSERT_OK(db->SaveMeta());
  uint32_t id = db->FindLogical("base_1_1259")->file_id;
  WriteFile(dir.Join("pg/base/1/1000"), "new");
  Result<Database> again = cat.Open("pg");
  ASSERT_OK(again);
  EXPECT_EQ(again->FindLogical("base_1_1259")->file_id, id);
  EXPECT_EQ(again->files().size(), 4u);
  // Metadata lives beside the database, never among its files.
  EXPECT_TRUE(PathExists(cat.MetaPath("pg")));
  for (const DbFile& f : again->files()) EXPECT_EQ(f.path.find(".meta"), std::string::npos);
}

TEST(CatalogTest, DropRemovesDirectoryAndMetadata) {
  testing::TempDir dir;
  Catalog cat(dir.path());
  CreateDatabaseOptions o;
  o.size_bytes = 64 << 10;
  ASSERT_OK(CreateDatabase(cat, "d1", o));
  ASSERT_OK(cat.Drop("d1"));
  EXPECT_FALSE(cat.Exists("d1"));
  EXPECT_FALSE(PathExists(cat.MetaPath("d1")));
  EXPECT_EQ(SqlErrorNumber(cat.Drop("d1")), 3701);
  EXPECT_EQ(SqlErrorNumber(cat.Open("d1").status()), 911);
  EXPECT_FALSE(Catalog::ValidateName(".hidden").ok());
}

TEST(CatalogTest, MetadataRoundTrips) {
  DbMeta m;
  m.state = DbState::kRestoring;
  m.next_lsn = 77;
  m.diff_base_guid = Guid::FromSeed(3);
  m.files.push_back({5, "odd name", "dir with space/a%b.ndf", false});
  ChangedExtents c = ChangedExtents::Fresh(5, {1000 * 65536, 1700000000123456789, 42});
  c.Mark(0, 1);
  c.Mark(65536 * 64, 65536 * 3);
  m.changed.push_back(c);
  Result<DbMeta> back = DbMeta::Parse(m.Serialize());
  ASSERT_OK(back);
  EXPECT_EQ(back->Serialize(), m.Serialize());
  EXPECT_EQ(back->files[0].path, "dir with space/a%b.ndf");
  ASSERT_EQ(back->changed.size(), 1u);
  EXPECT_EQ(back->changed[0].stamp, c.stamp);
  EXPECT_EQ(back->changed[0].CountMarked(), 4u);
  EXPECT_TRUE(back->changed[0].IsChanged(66));
  EXPECT_FALSE(back->changed[0].IsChanged(67));
  EXPECT_FALSE(DbMeta::Parse("garbage\n").ok());
}

}  // namespace
}  // namespace vdibk::emulator
