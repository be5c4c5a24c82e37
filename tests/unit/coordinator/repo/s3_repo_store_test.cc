// S3RepoStore over the in-memory FakeS3Server: listings (hidden sets, markers, stray keys), set
// listings, claims (taken, a racing claimer, a server ignoring If-None-Match), discard, prune's
// hide/list/delete, and the lock object's lease (written, refreshed, released, stale).
#include "coordinator/repo/s3_repo_store.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>

#include "coordinator/cli/prune_command.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"
#include "tests/unit/shared/s3/fake_s3_server.h"

namespace vdibk::coordinator {
namespace {

constexpr int64_t kMinute = 60'000;

// The value of `r` (a default one, with a failure, when it holds an error).
template <typename T>
T Get(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T{};
}

class S3RepoStoreTest : public ::testing::Test {
 protected:
  S3RepoStoreTest() {
    server_.min_part_size = 1024;
    options_.lease.now_unix_ms = [this] { return now_ms_.load(); };
    options_.lease.refresh_interval = std::chrono::hours(1);  // tests refresh by hand
    options_.target.part_size = options_.target.min_part_size = 1024;
    Rebuild();
  }
  void Rebuild() {
    store_ = std::make_unique<S3RepoStore>(s3::S3Location{"b", "repo/"}, Clients(), options_);
  }
  s3::S3ClientFactory Clients() { return s3::FakeClients(&server_, &clock_); }
  void Put(const std::string& key, std::string data = "x") {
    server_.PutDirect("repo/" + key, std::move(data));
  }
  std::vector<std::string> KeysUnder(const std::string& prefix) {
    std::unique_ptr<s3::S3Client> client = Get(Clients()());
    std::vector<std::string> keys;
    for (const s3::ObjectSummary& o : Get(client->ListObjectsV2("b", "repo/" + prefix)))
      keys.push_back(o.key.substr(5));
    return keys;
  }
  std::optional<int64_t> Heartbeat(const std::string& set_key) {
    std::optional<std::string> lock = server_.Object("repo/" + set_key + "/.lock");
    if (!lock) return std::nullopt;
    return LockHeartbeat(*lock);
  }

  s3::FakeS3Server server_;
  s3::LockedRetryClock clock_;
  std::atomic<int64_t> now_ms_{1'800'000'000'000};
  S3RepoStoreOptions options_;
  std::unique_ptr<S3RepoStore> store_;
};

TEST_F(S3RepoStoreTest, NamesAndLocations) {
  EXPECT_EQ(store_->Describe(), "s3://b/repo");
  EXPECT_EQ(store_->SetLocation("sales", "S_full"), "s3://b/repo/sales/S_full");
  EXPECT_FALSE(store_->LocalRoot().has_value());
  EXPECT_OK(store_->CheckRoot());  // an empty prefix is a new repository
}

TEST_F(S3RepoStoreTest, ListsDatabasesAndSetsSkippingHiddenOnes) {
  Put("sales/20260101T000000Z_full/manifest");
  Put("sales/20260101T000000Z_full/stripe-01-of-01.lz4");
  Put("sales/20260102T000000Z_diff/.claim");  // claimed, nothing written yet
  Put("sales/20251231T000000Z_log/manifest");
  Put("sales/20251231T000000Z_log/.pruning");  // hidden by prune
  Put("sales/.pruning-old/manifest");          // dot names: never sets
  Put("sales/stray-object");                   // not in a set
  Put("hr/S1/manifest");
  Put(".trash/x/manifest");
  Put("top-level-object");
  ASSERT_OK(store_->ListDatabases());
  EXPECT_EQ(Get(store_->ListDatabases()), (std::vector<std::string>{"hr", "sales"}));
  ASSERT_OK(store_->ListSets("sales"));
  EXPECT_EQ(Get(store_->ListSets("sales")),
            (std::vector<std::string>{"20260101T000000Z_full", "20260102T000000Z_diff"}));
  EXPECT_EQ(Get(store_->ListHiddenSets("sales")), std::vector<std::string>{"20251231T000000Z_log"});
  EXPECT_EQ(store_->ListSets("nope").status().code(), ErrorCode::kMissing);
  EXPECT_TRUE(store_->ListHiddenSets("nope")->empty());
  EXPECT_EQ(store_->ListSets("..").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(store_->CheckSet("sales", "20251231T000000Z_log").code(), ErrorCode::kMissing);
  EXPECT_OK(store_->CheckSet("sales", "20260102T000000Z_diff"));
  EXPECT_EQ(store_->CheckSet("sales", "nope").code(), ErrorCode::kMissing);
  EXPECT_EQ(store_->CheckSet("sales", "a/b").code(), ErrorCode::kUsage);
}

TEST_F(S3RepoStoreTest, SetListingHasSizesAndLastModifiedTimes) {
  server_.SetNow("2026-03-04T05:06:07.250Z");
  Put("db/S/stripe-01-of-01.lz4", "12345");
  server_.SetNow("2026-03-04T05:06:09.000Z");
  Put("db/S/manifest", "abc");
  Put("db/S/nested/key", "ignored");
  Result<SetListing> listing = store_->ListSetFiles("db", "S");
  ASSERT_OK(listing);
  ASSERT_EQ(listing->files.size(), 2u);
  EXPECT_EQ(listing->files[0].name, "manifest");
  EXPECT_EQ(listing->files[0].size, 3u);
  EXPECT_EQ(listing->files[1].name, "stripe-01-of-01.lz4");
  EXPECT_EQ(listing->files[1].size, 5u);
  EXPECT_EQ(listing->files[1].mtime_ms, 1772600767250);  // 2026-03-04T05:06:07.250Z
  EXPECT_EQ(listing->newest_mtime_ms, 1772600769000);
  EXPECT_TRUE(listing->Has("manifest"));
  EXPECT_EQ(store_->ListSetFiles("db", "none").status().code(), ErrorCode::kMissing);
}

TEST_F(S3RepoStoreTest, OpenSetReadsAndWritesTheSetPrefix) {
  Result<std::unique_ptr<stripe::Target>> set = store_->OpenSet("db", "S");
  ASSERT_OK(set);
  EXPECT_EQ((*set)->Describe(), "s3://b/repo/db/S/");
  Result<std::unique_ptr<stripe::WritableFile>> f = (*set)->Create("manifest");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("hello", 5));
  ASSERT_OK((*f)->Commit());
  EXPECT_EQ(server_.Object("repo/db/S/manifest").value_or(""), "hello");
}

TEST_F(S3RepoStoreTest, ClaimIsRefusedWhenTheNameIsTaken) {
  Result<bool> first = store_->TryCreateSet("db", "S_full");
  ASSERT_OK(first);
  EXPECT_TRUE(*first);
  EXPECT_TRUE(server_.Object("repo/db/S_full/.claim").has_value());
  EXPECT_EQ(server_.calls().back().if_none_match, "*");
  EXPECT_FALSE(Get(store_->TryCreateSet("db", "S_full")));
  // "S" is not taken by "S_full" (prefixes end in '/').
  EXPECT_TRUE(Get(store_->TryCreateSet("db", "S")));
  // A set with objects but no claim (written by hand, or a hidden set) is taken too.
  Put("db/T/manifest");
  EXPECT_FALSE(Get(store_->TryCreateSet("db", "T")));
  EXPECT_EQ(store_->TryCreateSet("db", "..").status().code(), ErrorCode::kUsage);
}

TEST_F(S3RepoStoreTest, AClaimerRacingThroughTheListingLosesToIfNoneMatch) {
  // Another backup claims the name between our listing and our PUT.
  server_.SetFault([this](const s3::FakeS3Call& call) -> long {
    if (call.op == "ListObjectsV2") server_.PutDirect("repo/db/S/.claim", "other");
    return 0;
  });
  EXPECT_FALSE(Get(store_->TryCreateSet("db", "S")));
  EXPECT_EQ(server_.Object("repo/db/S/.claim").value_or(""), "other");
  // A server that ignores If-None-Match lets both win: the documented race.
  server_.ignore_if_none_match = true;
  EXPECT_TRUE(Get(store_->TryCreateSet("db", "S2")));
}

TEST_F(S3RepoStoreTest, DiscardRemovesEverythingAndAbortsUploads) {
  Put("db/S/.claim");
  Put("db/S/stripe-01-of-02.lz4");
  Put("db/S10/manifest");  // another set sharing the name's start
  std::unique_ptr<s3::S3Client> client = Get(Clients()());
  ASSERT_OK(client->CreateMultipartUpload("b", "repo/db/S/stripe-02-of-02.lz4"));
  ASSERT_EQ(server_.open_uploads(), 1u);
  store_->DiscardSet("db", "S");
  EXPECT_EQ(server_.open_uploads(), 0u);
  EXPECT_TRUE(KeysUnder("db/S/").empty());
  EXPECT_EQ(KeysUnder("db/"), std::vector<std::string>{"db/S10/manifest"});
}

TEST_F(S3RepoStoreTest, HideListHiddenAndDeleteHidden) {
  Put("db/Old/manifest", "the manifest");
  Put("db/Old/stripe-01-of-01.lz4");
  Put("db/New/manifest");
  ASSERT_OK(store_->HideSet("db", "Old"));
  EXPECT_EQ(Get(store_->ListSets("db")), std::vector<std::string>{"New"});
  EXPECT_EQ(Get(store_->ListHiddenSets("db")), std::vector<std::string>{"Old"});
  EXPECT_NE(store_->HiddenSetLocation("db", "Old").find("s3://b/repo/db/Old"), std::string::npos);
  Result<std::unique_ptr<stripe::Target>> hidden = store_->OpenHiddenSet("db", "Old");
  ASSERT_OK(hidden);
  Result<std::unique_ptr<stripe::ReadableFile>> manifest = (*hidden)->Open("manifest");
  ASSERT_OK(manifest);
  EXPECT_EQ(Get((*manifest)->Size()), 12u);

  // An interrupted delete (the marker's own DELETE fails) leaves the set hidden.
  server_.SetFault(
      [](const s3::FakeS3Call& c) -> long { return c.op == "DeleteObject" ? 403 : 0; });
  EXPECT_FALSE(store_->DeleteHiddenSet("db", "Old").ok());
  EXPECT_EQ(KeysUnder("db/Old/"), std::vector<std::string>{"db/Old/.pruning"});
  EXPECT_EQ(Get(store_->ListHiddenSets("db")), std::vector<std::string>{"Old"});
  EXPECT_EQ(Get(store_->ListSets("db")), std::vector<std::string>{"New"});
  server_.SetFault(nullptr);
  ASSERT_OK(store_->DeleteHiddenSet("db", "Old"));
  EXPECT_TRUE(KeysUnder("db/Old/").empty());
  EXPECT_TRUE(store_->ListHiddenSets("db")->empty());
}

TEST_F(S3RepoStoreTest, LeaseIsWrittenRefreshedAndReleased) {
  Put("db/S/.claim");
  EXPECT_FALSE(store_->IsInUse("db", "S"));
  Result<std::unique_ptr<SetLease>> lease = store_->AcquireLease("db", "S");
  ASSERT_OK(lease);
  const std::string lock = server_.Object("repo/db/S/.lock").value_or("");
  EXPECT_NE(lock.find("\"owner\":\"vdibackup\""), std::string::npos) << lock;
  EXPECT_NE(lock.find("\"pid\":" + std::to_string(::getpid())), std::string::npos) << lock;
  EXPECT_NE(lock.find("\"host\":"), std::string::npos) << lock;
  EXPECT_EQ(Heartbeat("db/S"), now_ms_.load());
  EXPECT_TRUE(store_->IsInUse("db", "S"));
  EXPECT_EQ(Get(store_->TryAcquireLease("db", "S")), nullptr);  // prune keeps off

  // Past the grace period without a refresh the lease looks stale; a refresh makes it live.
  now_ms_ += 6 * kMinute;
  EXPECT_FALSE(store_->IsInUse("db", "S"));
  auto* s3_lease = dynamic_cast<S3SetLease*>(lease->get());
  ASSERT_NE(s3_lease, nullptr);
  ASSERT_OK(s3_lease->RefreshNow());
  EXPECT_EQ(Heartbeat("db/S"), now_ms_.load());
  EXPECT_TRUE(store_->IsInUse("db", "S"));

  lease->reset();
  EXPECT_FALSE(server_.Object("repo/db/S/.lock").has_value());
  EXPECT_FALSE(store_->IsInUse("db", "S"));
}

TEST_F(S3RepoStoreTest, TheHeartbeatThreadRefreshesTheLock) {
  options_.lease.refresh_interval = std::chrono::milliseconds(1);
  Rebuild();
  Result<std::unique_ptr<SetLease>> lease = store_->AcquireLease("db", "S");
  ASSERT_OK(lease);
  auto* s3_lease = dynamic_cast<S3SetLease*>(lease->get());
  ASSERT_NE(s3_lease, nullptr);
  now_ms_ += kMinute;
  // Two more beats: the second one started after the clock moved.
  s3_lease->WaitForBackgroundRefreshes(s3_lease->background_refreshes() + 2);
  EXPECT_GE(Heartbeat("db/S").value_or(0), now_ms_.load());
  lease->get()->KeepOnRelease();
  lease->reset();
  EXPECT_TRUE(server_.Object("repo/db/S/.lock").has_value());  // kept: the set goes anyway
}

TEST_F(S3RepoStoreTest, AStaleOrForeignLockIsJudgedByItsHeartbeat) {
  auto lock = [&](int64_t heartbeat) {
    Put("db/S/.lock", LockRecordJson({"vdibackup", "other-host", 42, heartbeat}));
  };
  lock(now_ms_ - 6 * kMinute);  // a killed backup's: stale
  EXPECT_FALSE(store_->IsInUse("db", "S"));
  Result<std::unique_ptr<SetLease>> taken = store_->TryAcquireLease("db", "S");
  ASSERT_OK(taken);
  EXPECT_NE(*taken, nullptr);
  taken->reset();

  lock(now_ms_ - kMinute);  // another host's live backup
  EXPECT_TRUE(store_->IsInUse("db", "S"));
  EXPECT_EQ(Get(store_->TryAcquireLease("db", "S")), nullptr);

  Put("db/S/.lock", "not json");  // unreadable: left alone
  EXPECT_TRUE(store_->IsInUse("db", "S"));
  EXPECT_FALSE(store_->IsInUse("db", "T"));  // no lock at all
}

TEST_F(S3RepoStoreTest, PruneRemovesStaleGarbageAndKeepsALiveLease) {
  constexpr int64_t kJan10 = 1704844800000;  // 2024-01-10T00:00:00Z
  now_ms_ = kJan10;
  server_.SetNow("2024-01-01T00:00:00.000Z");
  testing::SetSpec full;
  full.name = "20240103T000000Z_full";
  full.devices = 1;
  full.bytes_per_stripe = 5'000;
  full.started_unix_ms = kJan10 - 7 * 24 * 60 * kMinute;
  testing::WriteSetTo(*Get(store_->OpenSet("sales", full.name)), full);
  // Two killed or running backups: no manifest; one lock is stale, the other live.
  Put("sales/20240101T000000Z_full/stripe-01-of-01.lz4");
  Put("sales/20240101T000000Z_full/.lock",
      LockRecordJson({"vdibackup", "h1", 1, kJan10 - 60 * kMinute}));
  Put("sales/20240102T000000Z_full/stripe-01-of-01.lz4");
  Put("sales/20240102T000000Z_full/.lock",
      LockRecordJson({"vdibackup", "h2", 2, kJan10 - kMinute}));

  PruneOptions o;
  o.keep_full = 1;
  o.grace_minutes = 5;
  std::string report;
  ASSERT_OK(RunPrune(*store_, o, kJan10, &report));
  EXPECT_EQ(Get(store_->ListSets("sales")),
            (std::vector<std::string>{"20240102T000000Z_full", "20240103T000000Z_full"}))
      << report;
  EXPECT_TRUE(KeysUnder("sales/20240101T000000Z_full/").empty()) << report;
  EXPECT_NE(report.find("a running backup holds its lock"), std::string::npos) << report;
  EXPECT_TRUE(Get(store_->ListHiddenSets("sales")).empty());
}

TEST_F(S3RepoStoreTest, LockHeartbeatParsesItsField) {
  EXPECT_EQ(LockHeartbeat(LockRecordJson({"o", "h", 1, 1234})), 1234);
  EXPECT_EQ(LockHeartbeat("{\"heartbeat_unix_ms\": 77}"), 77);
  EXPECT_EQ(LockHeartbeat("{\"heartbeat_unix_ms\":\"x\"}"), std::nullopt);
  EXPECT_EQ(LockHeartbeat("{}"), std::nullopt);
}

TEST(S3RepoStoreOpenTest, OpenRepoStoreWithAConfigMakesAnS3Store) {
  s3::S3Config config;
  config.scheme = "http";
  config.host = "127.0.0.1:1";
  config.custom_endpoint = true;
  config.credentials = {"AKID", "secret", ""};
  Result<std::unique_ptr<RepoStore>> store = OpenRepoStore("s3://bucket/some/prefix/", config);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->Describe(), "s3://bucket/some/prefix");
  EXPECT_EQ((*store)->SetLocation("db", "S"), "s3://bucket/some/prefix/db/S");
  EXPECT_EQ(OpenRepoStore("s3://Bad_Bucket/x", config).status().code(), ErrorCode::kUsage);
  ASSERT_OK(OpenRepoStore("/backups", config));
  EXPECT_EQ(Get(OpenRepoStore("/backups", config))->LocalRoot().value_or(""), "/backups");
}

}  // namespace
}  // namespace vdibk::coordinator
