// --type / --copy-only of `vdibackup backup`, --until of `vdibackup restore`, and the T-SQL
// they produce (BACKUP ... WITH DIFFERENTIAL / BACKUP LOG / COPY_ONLY / NAME, RESTORE LOG).
#include <gtest/gtest.h>

#include "coordinator/cli/backup_options.h"
#include "coordinator/cli/restore_options.h"
#include "coordinator/sql/tsql_builder.h"
#include "tests/harness/status_matchers.h"

namespace vdibk::coordinator {
namespace {

Result<BackupSpec> Backup(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--database", "db", "--repo", "/r", "--devices", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return ParseBackupOptions(args, "/bin");
}

TEST(BackupTypesTest, TypeDefaultsToFullAndParsesEveryKind) {
  ASSERT_OK(Backup({}));
  EXPECT_EQ(Backup({})->type, BackupKind::kFull);
  EXPECT_FALSE(Backup({})->copy_only);
  EXPECT_EQ(Backup({"--type", "diff"})->type, BackupKind::kDiff);
  EXPECT_EQ(Backup({"--type", "log"})->type, BackupKind::kLog);
  EXPECT_TRUE(Backup({"--type", "log", "--copy-only"})->copy_only);
  EXPECT_TRUE(Backup({"--copy-only"})->copy_only);
  EXPECT_STREQ(BackupKindName(BackupKind::kDiff), "diff");
  EXPECT_STREQ(BackupKindName(BackupKind::kLog), "log");
  EXPECT_STREQ(BackupKindName(BackupKind::kFull), "full");
}

TEST(BackupTypesTest, BadTypeAndCopyOnlyDiffAreUsageErrors) {
  EXPECT_EQ(Backup({"--type", "incremental"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(Backup({"--type"}).status().code(), ErrorCode::kUsage);
  Result<BackupSpec> o = Backup({"--type", "diff", "--copy-only"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
  EXPECT_NE(o.status().message().find("--copy-only"), std::string::npos);
}

BackupStatementSpec Spec() {
  BackupStatementSpec s;
  s.database = "db";
  s.device_names = {"set"};
  s.buffer_count = 4;
  s.max_transfer_size = 65536;
  s.block_size = 512;
  return s;
}

TEST(BackupTypesTest, StatementsForEveryKind) {
  BackupStatementSpec s = Spec();
  s.kind = BackupKind::kDiff;
  s.name = "vdibackup 01";
  EXPECT_EQ(BuildBackupStatement(s),
            "BACKUP DATABASE [db] TO VIRTUAL_DEVICE=N'set' WITH DIFFERENTIAL, "
            "NAME=N'vdibackup 01', BUFFERCOUNT=4, MAXTRANSFERSIZE=65536, BLOCKSIZE=512, CHECKSUM");
  s.kind = BackupKind::kLog;
  s.copy_only = true;
  s.name = "it's";
  EXPECT_EQ(BuildBackupStatement(s),
            "BACKUP LOG [db] TO VIRTUAL_DEVICE=N'set' WITH COPY_ONLY, NAME=N'it''s', "
            "BUFFERCOUNT=4, MAXTRANSFERSIZE=65536, BLOCKSIZE=512, CHECKSUM");
  s.kind = BackupKind::kFull;
  s.name.clear();
  EXPECT_EQ(BuildBackupStatement(s),
            "BACKUP DATABASE [db] TO VIRTUAL_DEVICE=N'set' WITH COPY_ONLY, BUFFERCOUNT=4, "
            "MAXTRANSFERSIZE=65536, BLOCKSIZE=512, CHECKSUM");
}

TEST(BackupTypesTest, RestoreLogStatement) {
  RestoreStatementSpec r;
  r.database = "copy";
  r.device_names = {"set"};
  r.block_size = 512;
  r.max_transfer_size = 65536;
  r.log = true;
  r.norecovery = true;
  EXPECT_EQ(BuildRestoreStatement(r),
            "RESTORE LOG [copy] FROM VIRTUAL_DEVICE=N'set' WITH BLOCKSIZE=512, "
            "MAXTRANSFERSIZE=65536, NORECOVERY");
}

TEST(BackupTypesTest, UntilAcceptsSetStampsAndIso8601InUtc) {
  // 2024-01-31 23:59:59 UTC = 1706745599 s; whole seconds include their last millisecond.
  EXPECT_EQ(ParseUntilTime("20240131T235959Z").value(), 1706745599999);
  EXPECT_EQ(ParseUntilTime("2024-01-31T23:59:59Z").value(), 1706745599999);
  EXPECT_EQ(ParseUntilTime("2024-01-31 23:59:59").value(), 1706745599999);
  EXPECT_EQ(ParseUntilTime("2024-01-31T23:59:59.5Z").value(), 1706745599500);
  EXPECT_EQ(ParseUntilTime("2024-02-01T01:59:59+02:00").value(), 1706745599999);
  for (const char* bad : {"", "yesterday", "20240131T235959", "2024-01-31", "2024-13-01T00:00:00Z",
                          "2024-01-31T23:59:59+2", "2024-01-31T23:59:59Zjunk"}) {
    Result<int64_t> r = ParseUntilTime(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kUsage) << bad;
  }
}

TEST(BackupTypesTest, RestoreSetAndUntil) {
  Result<RestoreSpec> o =
      ParseRestoreOptions({"--database", "db", "--repo", "/r", "--as", "c"}, "/bin");
  ASSERT_OK(o);
  EXPECT_EQ(o->set, "latest");
  EXPECT_FALSE(o->until_unix_ms.has_value());
  o = ParseRestoreOptions(
      {"--database", "db", "--repo", "/r", "--as", "c", "--until", "20240131T235959Z"}, "/bin");
  ASSERT_OK(o);
  EXPECT_EQ(o->until_unix_ms.value_or(0), 1706745599999);
  o = ParseRestoreOptions({"--database", "db", "--repo", "/r", "--as", "c", "--set", "x_full",
                           "--until", "20240131T235959Z"},
                          "/bin");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseRestoreOptions(
                {"--database", "db", "--repo", "/r", "--as", "c", "--until", "soon"}, "/bin")
                .status()
                .code(),
            ErrorCode::kUsage);
}

}  // namespace
}  // namespace vdibk::coordinator
