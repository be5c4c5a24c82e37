// S3RepoStore against a real S3 server (Ceph's RADOS Gateway, tests/s3/with_s3_server.sh): a set
// claimed, written through OpenSet (real stripe, manifest_io manifest), leased, found by the
// repo catalog (ScanRepo), `vdibackup list --repo s3://... --json` and `verify --all`; hide and
// delete.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/repo/s3_repo_store.h"
#include "shared/s3/s3_client.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

// The value of `r` (a default one, with a failure, when it holds an error).
template <typename T>
T Get(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : T{};
}

class S3RepoStoreE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bucket = std::getenv("S3_BUCKET");
    if (!bucket || !std::getenv("AWS_ENDPOINT_URL"))
      GTEST_SKIP() << "no S3 server (run under tests/s3/with_s3_server.sh)";
    bucket_ = bucket;
    repo_ = "s3://" + bucket_ + "/repo-e2e/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    Result<std::unique_ptr<RepoStore>> store = OpenRepoStore(repo_);  // config from the env
    ASSERT_OK(store);
    store_ = std::move(store).value();
  }
  // Everything under the repository's prefix.
  size_t Objects() {
    Result<s3::S3Config> config = s3::LoadS3Config({});
    EXPECT_OK(config);
    Result<std::unique_ptr<s3::S3Client>> client = s3::S3Client::Create(*config);
    EXPECT_OK(client);
    const auto* s3_store = dynamic_cast<const S3RepoStore*>(store_.get());
    Result<std::vector<s3::ObjectSummary>> objects =
        (*client)->ListObjectsV2(bucket_, s3_store->root().prefix);
    EXPECT_OK(objects);
    return objects.ok() ? objects->size() : 99;
  }

  // Runs the vdibackup binary (VDIBACKUP_BIN) with `args`: its exit code and output.
  static std::pair<int, std::string> Vdibackup(const std::string& args) {
    const char* bin = std::getenv("VDIBACKUP_BIN");
    if (!bin) return {-1, "VDIBACKUP_BIN is not set (tests/s3/CMakeLists.txt sets it)"};
    FILE* pipe = ::popen((std::string(bin) + " " + args + " 2>&1").c_str(), "r");
    if (!pipe) return {-1, "popen failed"};
    std::string out;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }

  std::string bucket_, repo_;
  std::unique_ptr<RepoStore> store_;
};

TEST_F(S3RepoStoreE2eTest, ASetWrittenThroughTheStoreIsCataloguedAndListed) {
  ASSERT_OK(store_->CheckRoot());
  testing::SetSpec spec;
  spec.name = "20260102T030405Z_full";
  spec.devices = 1;
  spec.started_unix_ms = 1767323045000;
  Result<bool> claimed = store_->TryCreateSet(spec.database, spec.name);
  ASSERT_OK(claimed);
  ASSERT_TRUE(*claimed);
  EXPECT_FALSE(
      Get(store_->TryCreateSet(spec.database, spec.name)));  // taken (If-None-Match / list)
  {
    Result<std::unique_ptr<SetLease>> lease = store_->AcquireLease(spec.database, spec.name);
    ASSERT_OK(lease);
    EXPECT_TRUE(store_->IsInUse(spec.database, spec.name));
    Result<std::unique_ptr<stripe::Target>> set = store_->OpenSet(spec.database, spec.name);
    ASSERT_OK(set);
    testing::WriteSetTo(**set, spec);
  }
  EXPECT_FALSE(store_->IsInUse(spec.database, spec.name));  // released: the lock is gone

  Result<RepoCatalog> catalog = ScanRepo(*store_);
  ASSERT_OK(catalog);
  ASSERT_EQ(catalog->sets.size(), 1u);
  const CatalogSet& set = catalog->sets[0];
  EXPECT_EQ(set.database, "sales");
  EXPECT_EQ(set.name, spec.name);
  EXPECT_EQ(set.state, SetState::kGood) << set.problem;
  EXPECT_EQ(set.kind, SetKind::kFull);
  EXPECT_EQ(set.location, repo_ + "/sales/" + spec.name);
  EXPECT_GT(set.compressed_bytes(), 0u);
  EXPECT_GT(set.newest_mtime_ms, 0);

  auto [list_rc, list] = Vdibackup("list --repo " + repo_ + " --json");
  EXPECT_EQ(list_rc, 0) << list;
  EXPECT_NE(list.find(spec.name), std::string::npos) << list;
  EXPECT_NE(list.find("\"good\""), std::string::npos) << list;
  // verify reads the manifest and the stripe through the store (ranged GETs).
  auto [verify_rc, verify] = Vdibackup("verify --repo " + repo_ + " --all");
  EXPECT_EQ(verify_rc, 0) << verify;

  // Prune's two steps: hidden at once, then removed (the marker last).
  ASSERT_OK(store_->HideSet(spec.database, spec.name));
  EXPECT_TRUE(ScanRepo(*store_)->sets.empty());
  EXPECT_EQ(Get(store_->ListHiddenSets(spec.database)), std::vector<std::string>{spec.name});
  ASSERT_OK(store_->DeleteHiddenSet(spec.database, spec.name));
  EXPECT_EQ(Objects(), 0u);
}

TEST_F(S3RepoStoreE2eTest, DiscardRemovesAClaimedSet) {
  ASSERT_TRUE(Get(store_->TryCreateSet("hr", "S_full")));
  Result<std::unique_ptr<stripe::Target>> set = store_->OpenSet("hr", "S_full");
  ASSERT_OK(set);
  Result<std::unique_ptr<stripe::WritableFile>> f = (*set)->Create("stripe-01-of-01.lz4");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("data", 4));
  ASSERT_OK((*f)->Commit());
  EXPECT_EQ(Get(store_->ListSets("hr")), std::vector<std::string>{"S_full"});
  store_->DiscardSet("hr", "S_full");
  EXPECT_EQ(Objects(), 0u);
  EXPECT_EQ(store_->ListSets("hr").status().code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::coordinator
