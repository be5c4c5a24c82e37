// vdi-emulator as a user runs it: `serve` in its own process, the `sqlcmd` program for T-SQL, a
// VDI client written only against vdi.h (the Microsoft sample's shape) for BACKUP TO
// VIRTUAL_DEVICE, DISK backups and restores with MOVE, errors and exit codes, SIGTERM;
// differentials after `vdi-emulator workload` and after another program's write, the server-wide
// backup history after DROP DATABASE, VDIBK_FAULT refused on DISK.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator {
namespace {

using namespace std::chrono_literals;
using vdibk::testing::BinDir;
using vdibk::testing::Subprocess;
using vdibk::testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Outcome {
  int exit_code = -1;
  std::string out;
};

// Runs a program to completion, collecting stdout.
Outcome RunProgram(const std::vector<std::string>& argv) {
  Subprocess p(argv);
  Outcome r;
  while (auto line = p.ReadLine(60s)) r.out += *line + "\n";
  auto st = p.Wait(60s);
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  return r;
}

class EmulatorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Join("data");
    endpoint_ = "ipc://" + dir_.Join("sql.sock");
    Outcome c = RunProgram({Bin("vdi-emulator"), "create-database", "sales", "--data-dir", data_,
                            "--size", "4M", "--ndf", "1"});
    ASSERT_EQ(c.exit_code, 0) << c.out;
    server_ = vdibk::testing::ServeEmulator(data_, endpoint_, ExtraServeArgs(), &ready_line_);
    ASSERT_TRUE(server_);
  }
  virtual std::vector<std::string> ExtraServeArgs() const { return {}; }
  void TearDown() override {
    if (server_) {
      server_->Kill(SIGTERM);
      auto st = server_->Wait(20s);
      ASSERT_TRUE(st);
      EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0);
    }
  }
  static std::string Bin(const std::string& name) { return BinDir() + "/" + name; }
  Outcome Sql(const std::string& query, bool b = true) {
    std::vector<std::string> argv{Bin("sqlcmd"), "-S", endpoint_, "-Q", query};
    if (b) argv.push_back("-b");
    return RunProgram(argv);
  }
  void ExpectSameDatabase(const std::string& a, const std::string& b, int files) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(data_ + "/" + a)) {
      std::string other = data_ + "/" + b + "/" + e.path().filename().string();
      if (!std::filesystem::exists(other)) continue;
      EXPECT_EQ(ReadAll(e.path()), ReadAll(other)) << e.path();
      ++n;
    }
    EXPECT_EQ(n, files);
  }

  TempDir dir_;
  std::string data_, endpoint_, ready_line_;
  std::unique_ptr<Subprocess> server_;
};

// serve --direct-io: BACKUP reads the data files with O_DIRECT; the round trip is unchanged.
class EmulatorCliDirectIoTest : public EmulatorCliTest {
 protected:
  std::vector<std::string> ExtraServeArgs() const override { return {"--direct-io"}; }
};

TEST_F(EmulatorCliDirectIoTest, DiskBackupAndRestoreAreByteIdentical) {
  EXPECT_NE(ready_line_.find("direct I/O"), std::string::npos) << ready_line_;
  const std::string bak = dir_.Join("sales.bak");
  Outcome b = Sql("BACKUP DATABASE sales TO DISK='" + bak + "' WITH CHECKSUM");
  ASSERT_EQ(b.exit_code, 0) << b.out;
  Outcome r = Sql("RESTORE DATABASE copy FROM DISK='" + bak + "' WITH MOVE 'sales' TO 'copy.mdf'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(ReadAll(data_ + "/sales/sales.mdf"), ReadAll(data_ + "/copy/copy.mdf"));
}

TEST_F(EmulatorCliTest, SqlcmdHealthCheckAndErrors) {
  Outcome r = Sql("SELECT 1");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("(1 rows affected)"), std::string::npos) << r.out;
  Outcome bad = Sql("BACKUP DATABSE sales TO DISK='x'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("Msg 102, Level 15"), std::string::npos) << bad.out;
  Outcome bad_no_b = Sql("BACKUP DATABSE sales TO DISK='x'", false);
  EXPECT_EQ(bad_no_b.exit_code, 0);  // sqlcmd without -b reports errors but exits 0
  Outcome missing = Sql("BACKUP DATABASE nosuch TO DISK='" + dir_.Join("x.bak") + "'");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("Msg 911"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("Msg 3013"), std::string::npos) << missing.out;
}

TEST_F(EmulatorCliTest, DiskBackupAndRestoreUnderANewNameWithMove) {
  const std::string bak = dir_.Join("sales.bak");
  Outcome b = Sql("BACKUP DATABASE sales TO DISK='" + bak + "' WITH CHECKSUM");
  ASSERT_EQ(b.exit_code, 0) << b.out;
  EXPECT_NE(b.out.find("Processed 256 pages for database 'sales', file 'sales' on file 1."),
            std::string::npos)
      << b.out;
  EXPECT_NE(b.out.find("BACKUP DATABASE successfully processed"), std::string::npos);
  Outcome r = Sql("RESTORE DATABASE copy FROM DISK='" + bak + "' WITH MOVE 'sales' TO 'copy.mdf'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::filesystem::exists(data_ + "/copy/copy.mdf"));
  EXPECT_EQ(ReadAll(data_ + "/sales/sales.mdf"), ReadAll(data_ + "/copy/copy.mdf"));
  Outcome again = Sql("RESTORE DATABASE copy FROM DISK='" + bak + "'");
  EXPECT_EQ(again.exit_code, 1);  // exists, no REPLACE
  Outcome head = Sql("RESTORE HEADERONLY FROM DISK='" + bak + "'");
  EXPECT_EQ(head.exit_code, 0);
  EXPECT_NE(head.out.find("sales"), std::string::npos);
  Outcome files = Sql("RESTORE FILELISTONLY FROM DISK='" + bak + "'");
  EXPECT_NE(files.out.find("sales_log"), std::string::npos) << files.out;
}

TEST_F(EmulatorCliTest, VirtualDeviceBackupWithADocumentedApiClient) {
  const std::string set = vdibk::testing::UniqueName("cli");
  const std::string stream = dir_.Join("vdi.bak");
  Subprocess client({Bin("sample_pipe_client"), set, stream});
  ASSERT_TRUE(client.WaitForLine("CREATED", 20s));
  Outcome b =
      Sql("BACKUP DATABASE sales TO VIRTUAL_DEVICE='" + set + "' WITH MAXTRANSFERSIZE=1048576");
  ASSERT_EQ(b.exit_code, 0) << b.out;
  auto bytes = client.WaitForLine("BYTES", 20s);
  ASSERT_TRUE(bytes);
  ASSERT_TRUE(client.Wait(20s));
  // The stream the client stored is a backup SQL Server (the emulator) restores from DISK.
  Outcome v = Sql("RESTORE VERIFYONLY FROM DISK='" + stream + "'");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("The backup set on file 1 is valid."), std::string::npos);
  Outcome r = Sql("RESTORE DATABASE fromvdi FROM DISK='" + stream + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectSameDatabase("sales", "fromvdi", 3);
}

TEST_F(EmulatorCliTest, FullDifferentialLogChainRestoresToTheLatestPoint) {
  auto bak = [&](const std::string& n) { return dir_.Join(n); };
  auto workload = [&](const std::string& changes) {
    Outcome w = RunProgram(
        {Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_, "--changes", changes});
    ASSERT_EQ(w.exit_code, 0) << w.out;
  };
  ASSERT_EQ(Sql("BACKUP DATABASE sales TO DISK='" + bak("full.bak") + "'").exit_code, 0);
  workload("30");
  ASSERT_EQ(
      Sql("BACKUP DATABASE sales TO DISK='" + bak("diff.bak") + "' WITH DIFFERENTIAL").exit_code,
      0);
  workload("20");
  ASSERT_EQ(Sql("BACKUP LOG sales TO DISK='" + bak("log1.bak") + "'").exit_code, 0);
  workload("10");
  ASSERT_EQ(Sql("BACKUP LOG sales TO DISK='" + bak("log2.bak") + "'").exit_code, 0);
  // A gap: the second log cannot follow the full alone.
  ASSERT_EQ(
      Sql("RESTORE DATABASE gap FROM DISK='" + bak("full.bak") + "' WITH NORECOVERY").exit_code, 0);
  Outcome gap = Sql("RESTORE LOG gap FROM DISK='" + bak("log2.bak") + "'");
  EXPECT_EQ(gap.exit_code, 1);
  EXPECT_NE(gap.out.find("Msg 4305"), std::string::npos) << gap.out;
  // The chain in order reproduces the database as of the last log backup.
  ASSERT_EQ(
      Sql("RESTORE DATABASE chain FROM DISK='" + bak("full.bak") + "' WITH NORECOVERY").exit_code,
      0);
  ASSERT_EQ(
      Sql("RESTORE DATABASE chain FROM DISK='" + bak("diff.bak") + "' WITH NORECOVERY").exit_code,
      0);
  ASSERT_EQ(Sql("RESTORE LOG chain FROM DISK='" + bak("log1.bak") + "' WITH NORECOVERY").exit_code,
            0);
  Outcome last = Sql("RESTORE LOG chain FROM DISK='" + bak("log2.bak") + "' WITH RECOVERY");
  ASSERT_EQ(last.exit_code, 0) << last.out;
  ExpectSameDatabase("sales", "chain", 3);
}

TEST_F(EmulatorCliTest, BackupToAMissingVirtualDeviceFails) {
  Outcome b = Sql("BACKUP DATABASE sales TO VIRTUAL_DEVICE='no-such-set-" +
                  vdibk::testing::UniqueName("x") + "'");
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.out.find("Msg 3201"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;
}

// "Processed N pages for database 'sales', file 'F' on file 1." lines: F -> N.
std::map<std::string, int> ProcessedPages(const std::string& out) {
  std::map<std::string, int> pages;
  std::regex re(R"(Processed (\d+) pages for database 'sales', file '([^']+)')");
  for (std::sregex_iterator it(out.begin(), out.end(), re), end; it != end; ++it) {
    pages[(*it)[2]] = std::stoi((*it)[1]);
  }
  return pages;
}

TEST_F(EmulatorCliTest, DifferentialsHistoryAndFaultOptionAsAUserSeesThem) {
  const std::string full = dir_.Join("f.bak");
  Outcome f = Sql("BACKUP DATABASE sales TO DISK='" + full + "'");
  ASSERT_EQ(f.exit_code, 0) << f.out;
  std::map<std::string, int> all = ProcessedPages(f.out);
  ASSERT_EQ(all.size(), 3u) << f.out;
  Outcome w =
      RunProgram({Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_, "--changes", "5"});
  ASSERT_EQ(w.exit_code, 0) << w.out;
  // The differential carries the workload's extents only (8 pages each), not the files.
  Outcome d1 = Sql("BACKUP DATABASE sales TO DISK='" + dir_.Join("d1.bak") + "' WITH DIFFERENTIAL");
  ASSERT_EQ(d1.exit_code, 0) << d1.out;
  int data_pages = 0;
  for (const auto& [file, n] : ProcessedPages(d1.out)) {
    if (file != "sales_log") data_pages += n;
  }
  EXPECT_GT(data_pages, 0) << d1.out;
  EXPECT_LE(data_pages, 5 * 8) << d1.out;
  // Another program changes one byte of the .ndf: the next differential takes that file whole.
  std::string ndf;
  for (const auto& e : std::filesystem::directory_iterator(data_ + "/sales")) {
    if (e.path().extension() == ".ndf") ndf = e.path().string();
  }
  ASSERT_FALSE(ndf.empty());
  {
    std::fstream io(ndf, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(70000);
    io.put('\x5A');
  }
  Outcome d2 = Sql("BACKUP DATABASE sales TO DISK='" + dir_.Join("d2.bak") + "' WITH DIFFERENTIAL");
  ASSERT_EQ(d2.exit_code, 0) << d2.out;
  const std::string ndf_name = std::filesystem::path(ndf).stem().string();
  EXPECT_EQ(ProcessedPages(d2.out)[ndf_name], all[ndf_name]) << d2.out;

  // VDIBK_FAULT is for VIRTUAL_DEVICE statements only.
  Outcome fault = Sql("BACKUP DATABASE sales TO DISK='" + dir_.Join("x.bak") +
                      "' WITH VDIBK_FAULT = 'abort-after=1'");
  EXPECT_EQ(fault.exit_code, 1);
  EXPECT_NE(fault.out.find("Msg 3032"), std::string::npos) << fault.out;

  // msdb's history is server-wide: the three backups outlive the database.
  ASSERT_EQ(Sql("DROP DATABASE sales").exit_code, 0);
  Outcome h =
      Sql("SELECT TOP (10) backup_set_id, type FROM msdb.dbo.backupset WHERE "
          "database_name = N'sales' ORDER BY backup_set_id");
  ASSERT_EQ(h.exit_code, 0) << h.out;
  EXPECT_NE(h.out.find("(3 rows affected)"), std::string::npos) << h.out;
}

TEST(EmulatorCliUsageTest, BadArgumentsExit64) {
  std::string bin = BinDir() + "/vdi-emulator";
  EXPECT_EQ(RunProgram({bin, "frobnicate"}).exit_code, 64);
  EXPECT_EQ(RunProgram({bin, "create-database", "x"}).exit_code, 64);
  EXPECT_EQ(RunProgram({bin, "serve"}).exit_code, 64);
  EXPECT_EQ(RunProgram({bin, "serve", "--data-dir", "/tmp", "--fault", "bogus=1"}).exit_code, 64);
}

}  // namespace
}  // namespace vdibk::emulator
