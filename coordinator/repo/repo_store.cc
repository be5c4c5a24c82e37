// RepoStore helpers: --repo argument parsing and the store of an argument (local or S3).
#include "coordinator/repo/repo_store.h"

#include "coordinator/repo/local_repo_store.h"
#include "coordinator/repo/s3_repo_store.h"

namespace vdibk::coordinator {
namespace {

constexpr const char kS3Scheme[] = "s3://";

}  // namespace

bool SetListing::Has(const std::string& name) const {
  for (const SetFileInfo& f : files) {
    if (f.name == name) return true;
  }
  return false;
}

Result<RepoLocation> ParseRepoLocation(const std::string& repo_argument) {
  if (repo_argument.empty()) return Status::Usage("--repo is empty");
  RepoLocation loc;
  if (repo_argument.rfind(kS3Scheme, 0) != 0) {
    loc.path = repo_argument;
    return loc;
  }
  loc.kind = RepoLocation::Kind::kS3;
  std::string rest = repo_argument.substr(sizeof(kS3Scheme) - 1);
  const size_t slash = rest.find('/');
  loc.bucket = rest.substr(0, slash);
  if (loc.bucket.empty()) {
    return Status::Usage("--repo '" + repo_argument + "' names no bucket (s3://BUCKET/PREFIX)");
  }
  if (slash != std::string::npos) {
    std::string prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    loc.prefix = std::move(prefix);
  }
  return loc;
}

Result<std::unique_ptr<RepoStore>> OpenRepoStore(const std::string& repo_argument,
                                                 const s3::S3Flags& flags) {
  VDIBK_ASSIGN_OR_RETURN(RepoLocation loc, ParseRepoLocation(repo_argument));
  if (loc.kind == RepoLocation::Kind::kS3) {
    Result<s3::S3Config> config = s3::LoadS3Config(flags);
    if (!config.ok()) return config.status().WithContext("--repo " + repo_argument);
    return OpenS3RepoStore(repo_argument, *config);
  }
  return std::unique_ptr<RepoStore>(std::make_unique<LocalRepoStore>(loc.path));
}

Result<std::unique_ptr<RepoStore>> OpenRepoStore(const std::string& repo_argument,
                                                 const s3::S3Config& config) {
  VDIBK_ASSIGN_OR_RETURN(RepoLocation loc, ParseRepoLocation(repo_argument));
  if (loc.kind == RepoLocation::Kind::kS3) return OpenS3RepoStore(repo_argument, config);
  return std::unique_ptr<RepoStore>(std::make_unique<LocalRepoStore>(loc.path));
}

}  // namespace vdibk::coordinator
