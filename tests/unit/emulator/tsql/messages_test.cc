// Tests of the message catalogue: numbers, levels and the exact texts tools match on.
#include "emulator/tsql/messages.h"

#include <gtest/gtest.h>

namespace vdibk::emulator::tsql {
namespace {

TEST(MessagesTest, SuccessLine) {
  SqlError e = msg::SuccessfullyProcessed("BACKUP DATABASE", 346, 0.1204);
  EXPECT_EQ(e.number, 3014);
  EXPECT_EQ(e.level, 0);
  EXPECT_EQ(e.text,
            "BACKUP DATABASE successfully processed 346 pages in 0.120 seconds (22.526 MB/sec).");
  EXPECT_EQ(msg::SuccessfullyProcessed("RESTORE LOG", 0, 0).text,
            "RESTORE LOG successfully processed 0 pages in 0.000 seconds (0.000 MB/sec).");
}

TEST(MessagesTest, KeyTexts) {
  EXPECT_EQ(msg::ProcessedPages(2, "db", "db_log", 3).text,
            "Processed 2 pages for database 'db', file 'db_log' on file 3.");
  EXPECT_EQ(msg::CannotOpenBackupDevice("/x.bak", msg::kOsErrorFileNotFound).text,
            "Cannot open backup device '/x.bak'. Operating system error 2(The system cannot find "
            "the file specified.).");
  EXPECT_EQ(msg::MediaFamiliesMissing(4, 3).text,
            "The media set has 4 media families but only 3 are provided. All members must be "
            "provided.");
  EXPECT_EQ(
      msg::VirtualDeviceFailure("BackupVirtualDeviceSet::SetBufferParms", "Request large buffers",
                                "vd", "995(aborted)")
          .text,
      "BackupVirtualDeviceSet::SetBufferParms: Request large buffers failure on backup device "
      "'vd'. Operating system error 995(aborted).");
  EXPECT_EQ(msg::VirtualDeviceFailure("a", "b", "c", "d").number, 18210);
  EXPECT_EQ(msg::LogBackupSimpleRecovery().number, 4208);
  EXPECT_EQ(msg::LogTooRecent("100", "90").number, 4305);
  EXPECT_EQ(msg::BackupOfOtherDatabase("db").number, 3154);
  EXPECT_EQ(msg::DatabaseAlreadyExists("db").text,
            "Database 'db' already exists. Choose a different database name.");
  SqlError drop = msg::CannotDropDatabase("db");
  EXPECT_EQ(drop.number, 3701);
  EXPECT_EQ(drop.level, 11);
  EXPECT_EQ(msg::DatabaseDoesNotExist("db").number, 911);
  EXPECT_EQ(
      msg::RestorePageError(1, 57, "db").text,
      "RESTORE detected an error on page (1:57) in database \"db\" as read from the backup set.");
  EXPECT_EQ(msg::MediaFamilyIncorrectlyFormed("d").number, 3241);
  EXPECT_EQ(msg::NoFilesReadyToRollForward().number, 3117);
  EXPECT_EQ(msg::NoCurrentDatabaseBackup().number, 4214);
  EXPECT_EQ(msg::At(msg::Print("x"), 9).line, 9);
}

}  // namespace
}  // namespace vdibk::emulator::tsql
