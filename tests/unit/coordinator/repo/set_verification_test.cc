// vdibackup verify over synthetic repositories: a good set passes; a flipped byte (3, naming
// stripe and offset), truncation (3), a deleted (4) or foreign stripe (4), a corrupt manifest
// (3), a manifest listing fewer devices than stripes (4), digest/size disagreements (3); --set
// reads only its own set; --all and "latest" selection; the --sql options, the RESTORE
// VERIFYONLY statement, and no --sql stream for a set that failed.
#include "coordinator/repo/set_verification.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/repo/repo_catalog.h"
#include "coordinator/pipeline/restore_job.h"
#include "coordinator/cli/verify_command.h"
#include "coordinator/cli/verify_options.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
using testing::FlipByte;
using testing::ReadAll;
using testing::SetSpec;
using testing::WriteAll;
using testing::WriteSet;

class VerifySetTest : public ::testing::Test {
 protected:
  std::string repo() const { return dir_.Join("repo"); }
  std::string Write(const std::string& name, uint8_t id, uint32_t devices = 2) {
    SetSpec s;
    s.name = name;
    s.id = id;
    s.devices = devices;
    s.started_unix_ms = 1700000000000 + id;
    WriteSet(repo(), s);
    return testing::SetDir(repo(), s);
  }
  // Exit code of `vdibackup verify ARGS --repo REPO`.
  int Cli(std::vector<std::string> args) {
    args.push_back("--repo");
    args.push_back(repo());
    return RunVerifyCommand(args);
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(VerifySetTest, GoodSetPasses) {
  const std::string set = Write("20240101T000000Z_full", 1, 3);
  SetVerification v = VerifySet(set, "sales", 2);
  EXPECT_EQ(v.code(), ErrorCode::kOk);
  EXPECT_TRUE(v.problems.empty());
  EXPECT_EQ(v.stripes, 3u);
  EXPECT_EQ(v.raw_bytes, 3u * 300'000 + 0 + 1 + 2);
  EXPECT_GT(v.file_bytes, 0u);
  EXPECT_EQ(Cli({"--database", "sales", "--set", "20240101T000000Z_full"}), 0);
}

TEST_F(VerifySetTest, FlippedByteIsIntegrityNamingStripeAndOffset) {
  const std::string set = Write("s", 1);
  const std::string stripe = set + "/stripe-02-of-02.lz4";
  const size_t pos = ReadAll(stripe).size() / 2;
  FlipByte(stripe, pos);
  SetVerification v = VerifySet(set, "sales", 2);
  ASSERT_EQ(v.code(), ErrorCode::kIntegrity);
  ASSERT_EQ(v.problems.size(), 1u);
  const VerifyProblem& p = v.problems[0];
  EXPECT_EQ(p.stripe, "stripe-02-of-02.lz4");
  EXPECT_EQ(p.path, stripe);
  ASSERT_TRUE(p.offset.has_value()) << p.cause;
  const uint64_t dist = *p.offset > pos ? *p.offset - pos : pos - *p.offset;
  EXPECT_LE(dist, 2u * 65536) << "reported " << *p.offset << ", flipped " << pos;
  VerifyRun run{{v}};
  const std::string text = FormatVerifyText(run);
  EXPECT_NE(text.find("stripe-02-of-02.lz4 at offset " + std::to_string(*p.offset)),
            std::string::npos)
      << text;
  const std::string json = FormatVerifyJson(run);
  EXPECT_NE(json.find("\"offset\":" + std::to_string(*p.offset)), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\":\"integrity\""), std::string::npos) << json;
  EXPECT_EQ(Cli({"--database", "sales", "--set", "s"}), 3);
}

TEST_F(VerifySetTest, EveryDamagedStripeIsReported) {
  const std::string set = Write("s", 1, 4);
  for (const char* name : {"/stripe-01-of-04.lz4", "/stripe-04-of-04.lz4"}) {
    FlipByte(set + name, ReadAll(set + name).size() / 3);
  }
  SetVerification v = VerifySet(set, "sales", 3);
  ASSERT_EQ(v.problems.size(), 2u);
  EXPECT_EQ(v.problems[0].stripe, "stripe-01-of-04.lz4");
  EXPECT_EQ(v.problems[1].stripe, "stripe-04-of-04.lz4");
}

TEST_F(VerifySetTest, TruncatedStripeIsIntegrity) {
  const std::string set = Write("s", 1);
  const std::string stripe = set + "/stripe-01-of-02.lz4";
  const std::string b = ReadAll(stripe);
  WriteAll(stripe, b.substr(0, b.size() - 1000));
  EXPECT_EQ(VerifySet(set, "sales", 2).code(), ErrorCode::kIntegrity);
  EXPECT_EQ(Cli({"--database", "sales", "--set", "s"}), 3);
}

TEST_F(VerifySetTest, DeletedStripeIsMissing) {
  const std::string set = Write("s", 1);
  fs::remove(set + "/stripe-02-of-02.lz4");
  SetVerification v = VerifySet(set, "sales", 2);
  EXPECT_EQ(v.code(), ErrorCode::kMissing);
  ASSERT_FALSE(v.problems.empty());
  EXPECT_NE(v.problems[0].cause.find("stripe-02-of-02.lz4"), std::string::npos);
  EXPECT_EQ(Cli({"--database", "sales", "--set", "s"}), 4);
}

TEST_F(VerifySetTest, StripeOfAnotherSetIsMissing) {
  const std::string set = Write("s", 1);
  const std::string other = Write("o", 9);
  fs::copy_file(other + "/stripe-01-of-02.lz4", set + "/stripe-01-of-02.lz4",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(VerifySet(set, "sales", 2).code(), ErrorCode::kMissing);
  EXPECT_EQ(Cli({"--database", "sales", "--set", "s"}), 4);
}

TEST_F(VerifySetTest, CorruptManifestIsIntegrity) {
  const std::string set = Write("s", 1);
  const std::string manifest = set + "/manifest.vdbk";
  FlipByte(manifest, ReadAll(manifest).size() / 2);
  EXPECT_EQ(VerifySet(set, "sales", 2).code(), ErrorCode::kIntegrity);
  EXPECT_EQ(Cli({"--database", "sales", "--set", "s"}), 3);
}

TEST_F(VerifySetTest, ManifestListingFewerDevicesThanStripesIsMissing) {
  SetSpec s;
  s.name = "s";
  s.devices = 3;
  proto::Manifest m = WriteSet(repo(), s);
  m.set_device_count(2);
  m.mutable_stripes()->RemoveLast();
  testing::RewriteManifest(testing::SetDir(repo(), s), m);
  EXPECT_EQ(VerifySet(testing::SetDir(repo(), s), "sales", 2).code(), ErrorCode::kMissing);
  EXPECT_EQ(Cli({"--database", "sales", "--set", "s"}), 4);
}

TEST_F(VerifySetTest, NoManifestIsMissing) {
  fs::create_directories(repo() + "/sales/s");
  EXPECT_EQ(VerifySet(repo() + "/sales/s", "sales", 2).code(), ErrorCode::kMissing);
}

TEST_F(VerifySetTest, FileDigestOrSizeDisagreeingWithManifestIsIntegrity) {
  SetSpec s;
  s.name = "s";
  proto::Manifest m = WriteSet(repo(), s);
  proto::Manifest bad = m;
  bad.mutable_stripes(1)->set_file_digest(std::string(8, '\x01'));
  testing::RewriteManifest(testing::SetDir(repo(), s), bad);
  SetVerification v = VerifySet(testing::SetDir(repo(), s), "sales", 2);
  ASSERT_EQ(v.code(), ErrorCode::kIntegrity);
  EXPECT_NE(v.problems[0].cause.find("file digest"), std::string::npos);

  bad = m;
  bad.mutable_stripes(0)->set_compressed_bytes(m.stripes(0).compressed_bytes() + 1);
  testing::RewriteManifest(testing::SetDir(repo(), s), bad);
  v = VerifySet(testing::SetDir(repo(), s), "sales", 2);
  ASSERT_EQ(v.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(v.problems[0].offset, m.stripes(0).compressed_bytes());
}

TEST_F(VerifySetTest, NamedSetIgnoresACorruptOtherSet) {
  Write("20240101T000000Z_full", 1);
  const std::string bad = Write("20240102T000000Z_full", 2);
  FlipByte(bad + "/stripe-01-of-02.lz4", ReadAll(bad + "/stripe-01-of-02.lz4").size() / 2);
  FlipByte(bad + "/manifest.vdbk", ReadAll(bad + "/manifest.vdbk").size() / 2);
  VerifyOptions o;
  o.repo = repo();
  o.set = "20240101T000000Z_full";  // no --database: found in the only database that has it
  Result<VerifyRun> run = RunVerify(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->sets.size(), 1u);
  EXPECT_EQ(run->sets[0].set, "20240101T000000Z_full");
  EXPECT_EQ(run->code(), ErrorCode::kOk);
  EXPECT_EQ(Cli({"--set", "20240101T000000Z_full"}), 0);
  EXPECT_EQ(Cli({"--set", "20240102T000000Z_full"}), 3);
  EXPECT_EQ(Cli({"--all"}), 3);
  EXPECT_EQ(Cli({"--set", "nope"}), 4);
}

TEST_F(VerifySetTest, AllCoversEverySetAndDatabase) {
  Write("20240101T000000Z_full", 1);
  SetSpec other;
  other.database = "hr";
  other.name = "20240101T000000Z_full";
  other.id = 5;
  WriteSet(repo(), other);
  VerifyOptions o;
  o.repo = repo();
  o.all = true;
  Result<VerifyRun> run = RunVerify(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  // Both sets, then each database's restore chain.
  ASSERT_EQ(run->sets.size(), 4u);
  EXPECT_EQ(run->sets[2].database, "hr");
  EXPECT_EQ(run->sets[2].set, "(chain)");
  EXPECT_EQ(run->sets[3].database, "sales");
  EXPECT_EQ(run->sets[3].set, "(chain)");
  EXPECT_EQ(run->code(), ErrorCode::kOk);
  // The same set name under two databases needs --database.
  o.all = false;
  o.set = "20240101T000000Z_full";
  EXPECT_EQ(RunVerify(o).status().code(), ErrorCode::kUsage);
  o.database = "hr";
  run = RunVerify(o);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->sets[0].database, "hr");
  // A garbage directory counts under --all: no manifest is "missing".
  fs::create_directories(repo() + "/hr/20240105T000000Z_full");
  EXPECT_EQ(Cli({"--all"}), 4);
}

TEST_F(VerifySetTest, LatestIsTheDefault) {
  Write("20240101T000000Z_full", 1);
  const std::string newer = Write("20240102T000000Z_full", 2);
  VerifyOptions o;
  o.repo = repo();
  o.database = "sales";
  Result<VerifyRun> run = RunVerify(o);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->sets.size(), 2u);
  EXPECT_EQ(run->sets[0].set_dir, newer);
  EXPECT_EQ(run->sets[1].set, "(chain)");  // what a latest-point restore would take
  EXPECT_EQ(run->sets[1].code(), ErrorCode::kOk);
  EXPECT_NE(FormatVerifyText(*run).find("sales/(chain): restorable, 1 set(s) from "
                                        "20240102T000000Z_full"),
            std::string::npos)
      << FormatVerifyText(*run);
}

// A latest-point restore that would stop short is exit 4 for verify too: an unconfirmed or
// corrupt set after the chain's start, or a gap, is a problem of the "(chain)" entry.
TEST_F(VerifySetTest, ChainThatWouldStopShortIsMissing) {
  Write("20240101T000000Z_full", 1);
  SetSpec pending;
  pending.name = "20240102T000000Z_log";
  pending.id = 2;
  pending.type = proto::BACKUP_TYPE_LOG;
  pending.state = proto::MANIFEST_STATE_PENDING;
  pending.started_unix_ms = *ParseSetStamp("20240102T000000Z");
  WriteSet(repo(), pending);
  VerifyOptions o;
  o.repo = repo();
  o.all = true;
  Result<VerifyRun> run = RunVerify(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const SetVerification& chain = run->sets.back();
  EXPECT_EQ(chain.set, "(chain)");
  EXPECT_EQ(chain.code(), ErrorCode::kMissing);
  ASSERT_FALSE(chain.problems.empty());
  EXPECT_NE(chain.problems[0].cause.find("unconfirmed log backup 20240102T000000Z_log"),
            std::string::npos)
      << chain.problems[0].cause;
  EXPECT_EQ(Cli({"--all"}), 4);
}

TEST_F(VerifySetTest, OptionsAreValidated) {
  EXPECT_EQ(ParseVerifyOptions({"--set", "x"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseVerifyOptions({"--repo", "r", "--set", "x", "--all"}).status().code(),
            ErrorCode::kUsage);
  EXPECT_EQ(ParseVerifyOptions({"--repo", "r", "--workers", "0"}).status().code(),
            ErrorCode::kUsage);
  Result<VerifyOptions> o = ParseVerifyOptions({"--repo", "r", "--workers", "4", "--json"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->workers, 4u);
  EXPECT_TRUE(o->json);
  EXPECT_EQ(o->set, "latest");
  EXPECT_EQ(ParseVerifyOptions({"--repo", "r"})->workers, 2u);
}

TEST_F(VerifySetTest, SqlOptionsNeedSqlAndDefaultToTheBinDir) {
  for (const char* a : {"--server", "--sqlcmd", "--worker-program", "--set-name"}) {
    Result<VerifyOptions> o = ParseVerifyOptions({"--repo", "r", a, "x"}, "/bin/dir");
    ASSERT_FALSE(o.ok()) << a;
    EXPECT_EQ(o.status().code(), ErrorCode::kUsage) << a;
    EXPECT_NE(o.status().message().find("needs --sql"), std::string::npos) << a;
  }
  EXPECT_EQ(ParseVerifyOptions({"--repo", "r", "--sql", "--server", ""}).status().code(),
            ErrorCode::kUsage);
  Result<VerifyOptions> o = ParseVerifyOptions({"--repo", "r", "--sql"}, "/bin/dir");
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->sql);
  EXPECT_EQ(o->sqlcmd, "/bin/dir/sqlcmd");
  EXPECT_EQ(o->worker_program, "/bin/dir/vdibackup-worker");
  EXPECT_FALSE(o->server.empty());
  o = ParseVerifyOptions({"--repo", "r", "--sql", "--server", "ipc:///s", "--sqlcmd", "/q"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->server, "ipc:///s");
  EXPECT_EQ(o->sqlcmd, "/q");
  EXPECT_FALSE(ParseVerifyOptions({"--repo", "r"})->sql);
}

TEST_F(VerifySetTest, VerifyOnlyStatementNamesEveryDeviceAndNoDatabase) {
  RestoreStatementSpec s;
  s.database = "ignored";
  s.device_names = {"set", "set_1"};
  s.block_size = 65536;
  s.max_transfer_size = 1048576;
  s.moves = {{"sales", "/d/x.mdf"}};
  s.replace = true;
  s.norecovery = true;
  EXPECT_EQ(BuildVerifyOnlyStatement(s),
            "RESTORE VERIFYONLY FROM VIRTUAL_DEVICE=N'set', VIRTUAL_DEVICE=N'set_1' WITH "
            "BLOCKSIZE=65536, MAXTRANSFERSIZE=1048576");
  s.device_names = {"it's"};
  EXPECT_NE(BuildVerifyOnlyStatement(s).find("VIRTUAL_DEVICE=N'it''s' WITH"), std::string::npos);
}

// A set with problems is never streamed to the server: --sql reports "not run" and the
// stripes' verdict stands (no server is reachable here, so running it would fail otherwise).
TEST_F(VerifySetTest, SqlIsNotRunForACorruptSet) {
  const std::string dir = Write("20240101T000000Z_full", 1);
  FlipByte(dir + "/stripe-01-of-02.lz4", 600);
  VerifyOptions o;
  o.repo = repo();
  o.database = "sales";
  o.sql = true;
  o.sqlcmd = "/nonexistent/sqlcmd";
  o.worker_program = "/nonexistent/worker";
  Result<VerifyRun> run = RunVerify(o);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->sets.size(), 2u);  // the set and its (sound) chain
  EXPECT_EQ(run->sets[0].sql, "not run");
  EXPECT_EQ(run->code(), ErrorCode::kIntegrity);
  EXPECT_NE(FormatVerifyJson(*run).find("\"sql\":\"not run\""), std::string::npos);
}

}  // namespace
}  // namespace vdibk::coordinator
