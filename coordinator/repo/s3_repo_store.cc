// S3RepoStore: listings, claims, markers and leases over S3Client (s3_prefix_cleanup.h for
// removal), with a pool of clients so that concurrent callers each use their own connection.
#include "coordinator/repo/s3_repo_store.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <set>
#include <vector>

#include "coordinator/repo/repo_dirs.h"
#include "shared/base/json_text.h"
#include "shared/base/log.h"
#include "shared/s3/s3_prefix_cleanup.h"

namespace vdibk::coordinator {
namespace {

Status CheckS3Names(const std::string& database, const std::string& set) {
  if (!IsRepoComponent(database)) {
    return Status::Usage("database name '" + database + "' cannot be a repository folder");
  }
  if (!IsRepoComponent(set)) return Status::Usage("'" + set + "' is not a set name");
  return Status::Ok();
}

// A name the repository shows: a component that is not hidden (dot names: markers, prune's).
bool IsVisibleName(const std::string& name) { return IsRepoComponent(name) && name[0] != '.'; }

// "2026-12-08T01:38:09.123Z" (ListObjectsV2's LastModified) in ms since the epoch; 0 if garbled.
int64_t IsoTimeMs(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  char frac[16] = {};
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%15[0-9]", &tm.tm_year,
                            &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac);
  if (n < 6) return 0;
  if (n == 7) {
    for (int i = 0; i < 3; ++i)
      ms = ms * 10 + (frac[i] >= '0' && frac[i] <= '9' ? frac[i] - '0' : 0);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + ms;
}

}  // namespace

// Idle clients, each made by the factory on first need; a borrowed one goes back when done.
class S3RepoStore::ClientPool {
 public:
  explicit ClientPool(s3::S3ClientFactory factory) : factory_(std::move(factory)) {}

  class Borrowed {
   public:
    Borrowed(ClientPool* pool, std::unique_ptr<s3::S3Client> client)
        : pool_(pool), client_(std::move(client)) {}
    Borrowed(Borrowed&&) = default;
    ~Borrowed() {
      if (client_) pool_->Return(std::move(client_));
    }
    s3::S3Client& operator*() const { return *client_; }
    s3::S3Client* operator->() const { return client_.get(); }

   private:
    ClientPool* pool_;
    std::unique_ptr<s3::S3Client> client_;
  };

  Result<Borrowed> Borrow() {
    {
      std::lock_guard lk(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<s3::S3Client> c = std::move(idle_.back());
        idle_.pop_back();
        return Borrowed(this, std::move(c));
      }
    }
    VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<s3::S3Client> c, factory_());
    return Borrowed(this, std::move(c));
  }

 private:
  void Return(std::unique_ptr<s3::S3Client> c) {
    std::lock_guard lk(mu_);
    idle_.push_back(std::move(c));
  }

  s3::S3ClientFactory factory_;
  std::mutex mu_;
  std::vector<std::unique_ptr<s3::S3Client>> idle_;
};

struct S3RepoStore::DatabaseScan {
  bool any = false;              // an object under PREFIX/<db>/
  std::set<std::string> sets;    // visible set names, hidden ones included
  std::set<std::string> hidden;  // sets with a .pruning marker
};

S3RepoStore::S3RepoStore(s3::S3Location root, s3::S3ClientFactory clients,
                         S3RepoStoreOptions options)
    : root_(std::move(root)),
      clients_(std::move(clients)),
      options_(std::move(options)),
      pool_(std::make_unique<ClientPool>(clients_)) {}

S3RepoStore::~S3RepoStore() = default;

std::string S3RepoStore::Describe() const {
  std::string s = root_.ToString();
  if (s.back() == '/') s.pop_back();
  return s;
}

std::string S3RepoStore::SetLocation(const std::string& database, const std::string& set) const {
  return Describe() + "/" + database + "/" + set;
}

std::string S3RepoStore::HiddenSetLocation(const std::string& database,
                                           const std::string& set) const {
  return SetLocation(database, set) + " (hidden by its " + kS3PruningMarker + " marker)";
}

s3::S3Location S3RepoStore::SetPrefix(const std::string& database, const std::string& set) const {
  return s3::S3Location{root_.bucket, root_.prefix + database + "/" + set + "/"};
}

Status S3RepoStore::CheckRoot() const {
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  s3::ListObjectsRequest request;
  request.prefix = root_.prefix;
  request.max_keys = 1;
  if (Result<s3::ListObjectsPage> page = client->ListObjectsV2Page(root_.bucket, request);
      !page.ok()) {
    return page.status().WithContext("repository " + Describe());
  }
  return Status::Ok();
}

Result<std::vector<std::string>> S3RepoStore::ListDatabases() const {
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  std::vector<std::string> out;
  s3::ListObjectsRequest request;
  request.prefix = root_.prefix;
  request.delimiter = "/";
  do {
    VDIBK_ASSIGN_OR_RETURN(s3::ListObjectsPage page,
                           client->ListObjectsV2Page(root_.bucket, request));
    for (const std::string& p : page.common_prefixes) {
      if (!p.starts_with(root_.prefix) || !p.ends_with('/')) continue;
      std::string name = p.substr(root_.prefix.size(), p.size() - root_.prefix.size() - 1);
      if (IsVisibleName(name)) out.push_back(std::move(name));
    }
    request.continuation_token = page.truncated ? page.next_continuation_token : "";
  } while (!request.continuation_token.empty());
  std::sort(out.begin(), out.end());
  return out;
}

Result<S3RepoStore::DatabaseScan> S3RepoStore::ScanDatabase(const std::string& database) const {
  if (!IsRepoComponent(database)) {
    return Status::Usage("database name '" + database + "' cannot be a repository folder");
  }
  const std::string prefix = root_.prefix + database + "/";
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  VDIBK_ASSIGN_OR_RETURN(std::vector<s3::ObjectSummary> objects,
                         client->ListObjectsV2(root_.bucket, prefix));
  DatabaseScan scan;
  scan.any = !objects.empty();
  for (const s3::ObjectSummary& o : objects) {
    const std::string rest = o.key.substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) continue;  // an object directly under the database
    std::string set = rest.substr(0, slash);
    if (!IsVisibleName(set)) continue;
    if (rest.substr(slash + 1) == kS3PruningMarker) scan.hidden.insert(set);
    scan.sets.insert(std::move(set));
  }
  return scan;
}

Result<std::vector<std::string>> S3RepoStore::ListSets(const std::string& database) const {
  VDIBK_ASSIGN_OR_RETURN(DatabaseScan scan, ScanDatabase(database));
  if (!scan.any) {
    return Status::Missing("no backups of database '" + database + "' in " + Describe());
  }
  std::vector<std::string> out;
  for (const std::string& s : scan.sets) {
    if (!scan.hidden.count(s)) out.push_back(s);
  }
  return out;  // std::set: sorted
}

Result<std::vector<std::string>> S3RepoStore::ListHiddenSets(const std::string& database) const {
  VDIBK_ASSIGN_OR_RETURN(DatabaseScan scan, ScanDatabase(database));
  return std::vector<std::string>(scan.hidden.begin(), scan.hidden.end());
}

Result<std::vector<s3::ObjectSummary>> S3RepoStore::ListSetObjects(const std::string& database,
                                                                   const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  return client->ListObjectsV2(root_.bucket, SetPrefix(database, set).prefix);
}

Status S3RepoStore::CheckSet(const std::string& database, const std::string& set) const {
  VDIBK_ASSIGN_OR_RETURN(std::vector<s3::ObjectSummary> objects, ListSetObjects(database, set));
  const std::string marker = SetPrefix(database, set).Key(kS3PruningMarker);
  const bool hidden = std::any_of(objects.begin(), objects.end(),
                                  [&](const s3::ObjectSummary& o) { return o.key == marker; });
  if (objects.empty() || hidden) {
    return Status::Missing("backup set " + SetLocation(database, set) + " not found");
  }
  return Status::Ok();
}

Result<SetListing> S3RepoStore::ListSetFiles(const std::string& database,
                                             const std::string& set) const {
  VDIBK_ASSIGN_OR_RETURN(std::vector<s3::ObjectSummary> objects, ListSetObjects(database, set));
  if (objects.empty()) {
    return Status::Missing("backup set " + SetLocation(database, set) + " not found");
  }
  const std::string prefix = SetPrefix(database, set).prefix;
  SetListing out;
  for (const s3::ObjectSummary& o : objects) {
    SetFileInfo f;
    f.name = o.key.substr(prefix.size());
    if (f.name.empty() || f.name.find('/') != std::string::npos) continue;
    f.size = o.size;
    f.mtime_ms = IsoTimeMs(o.last_modified);
    out.newest_mtime_ms = std::max(out.newest_mtime_ms, f.mtime_ms);
    out.files.push_back(std::move(f));
  }
  return out;  // S3 lists in key order
}

Result<std::unique_ptr<stripe::Target>> S3RepoStore::OpenSet(const std::string& database,
                                                             const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  return std::unique_ptr<stripe::Target>(
      std::make_unique<s3::S3Target>(SetPrefix(database, set), clients_, options_.target));
}

Result<std::unique_ptr<stripe::Target>> S3RepoStore::OpenHiddenSet(const std::string& database,
                                                                   const std::string& set) const {
  return OpenSet(database, set);  // hidden in place
}

Result<bool> S3RepoStore::TryCreateSet(const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  const s3::S3Location where = SetPrefix(database, set);
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  // First the listing: a server that ignores If-None-Match still refuses a taken name here.
  s3::ListObjectsRequest request;
  request.prefix = where.prefix;
  request.max_keys = 1;
  VDIBK_ASSIGN_OR_RETURN(s3::ListObjectsPage page,
                         client->ListObjectsV2Page(where.bucket, request));
  if (!page.objects.empty() || !page.common_prefixes.empty()) return false;
  const int64_t now = options_.lease.now_unix_ms();
  const std::string body = "{\"owner\":" + JsonString(options_.lease.owner) +
                           ",\"claimed_unix_ms\":" + std::to_string(now) + "}\n";
  s3::PutObjectOptions put;
  put.if_none_match = true;
  put.content_type = "application/json";
  Result<std::string> etag = client->PutObject(where.bucket, where.Key(kS3ClaimObject), body, put);
  if (etag.ok()) return true;
  if (client->last_error().http_status == 412) return false;  // PreconditionFailed: taken
  return etag.status();
}

void S3RepoStore::DiscardSet(const std::string& database, const std::string& set) const {
  if (!CheckS3Names(database, set).ok()) return;
  Result<ClientPool::Borrowed> client = pool_->Borrow();
  if (!client.ok()) return;
  const s3::S3Location where = SetPrefix(database, set);
  if (Result<s3::PrefixCleanup> r = s3::CleanUpPrefix(**client, where.bucket, where.prefix);
      !r.ok()) {
    log::Warn("removing " + SetLocation(database, set) + ": " + r.status().ToString());
  }
}

Status S3RepoStore::HideSet(const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  const s3::S3Location where = SetPrefix(database, set);
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  const std::string body =
      "{\"hidden_unix_ms\":" + std::to_string(options_.lease.now_unix_ms()) + "}\n";
  return client->PutObject(where.bucket, where.Key(kS3PruningMarker), body)
      .status()
      .WithContext("hiding " + SetLocation(database, set));
}

Status S3RepoStore::DeleteHiddenSet(const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  const s3::S3Location where = SetPrefix(database, set);
  const std::string marker = where.Key(kS3PruningMarker);
  const std::string context =
      "remove " + SetLocation(database, set) + " (a later prune finishes it)";
  VDIBK_ASSIGN_OR_RETURN(ClientPool::Borrowed client, pool_->Borrow());
  Status st = s3::AbortUploadsUnder(*client, where.bucket, where.prefix).status();
  if (!st.ok()) return st.WithContext(context);
  Result<std::vector<s3::ObjectSummary>> objects =
      client->ListObjectsV2(where.bucket, where.prefix);
  if (!objects.ok()) return objects.status().WithContext(context);
  std::vector<std::string> keys;
  for (const s3::ObjectSummary& o : *objects) {
    if (o.key != marker) keys.push_back(o.key);
  }
  if (!keys.empty()) {
    Result<std::vector<s3::DeleteObjectError>> refused = client->DeleteObjects(where.bucket, keys);
    if (!refused.ok()) return refused.status().WithContext(context);
    if (!refused->empty()) {
      return Status::TargetIo(context + ": S3 refused to delete " + refused->front().key + " (" +
                              refused->front().code + ") and " +
                              std::to_string(refused->size() - 1) + " more");
    }
  }
  // The marker last: until it goes, what is left stays hidden.
  return client->DeleteObject(where.bucket, marker).WithContext(context);
}

Result<std::unique_ptr<SetLease>> S3RepoStore::AcquireLease(const std::string& database,
                                                            const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<S3SetLease> lease,
                         S3SetLease::Acquire(clients_, SetPrefix(database, set), options_.lease));
  return std::unique_ptr<SetLease>(std::move(lease));
}

Result<std::unique_ptr<SetLease>> S3RepoStore::TryAcquireLease(const std::string& database,
                                                               const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckS3Names(database, set));
  // Not atomic: two callers that both find the lock stale both take it (prune against prune).
  if (IsInUse(database, set)) return std::unique_ptr<SetLease>();
  return AcquireLease(database, set);
}

bool S3RepoStore::IsInUse(const std::string& database, const std::string& set) const {
  if (!CheckS3Names(database, set).ok()) return false;
  Result<ClientPool::Borrowed> client = pool_->Borrow();
  if (!client.ok()) return true;
  const s3::S3Location where = SetPrefix(database, set);
  Result<std::string> lock = (*client)->GetObject(where.bucket, where.Key(kS3LockObject));
  if (!lock.ok()) return lock.status().code() != ErrorCode::kMissing;  // unreadable: in use
  const std::optional<int64_t> heartbeat = LockHeartbeat(*lock);
  if (!heartbeat) return true;
  return options_.lease.now_unix_ms() - *heartbeat < options_.lease.grace.count();
}

Result<std::unique_ptr<RepoStore>> OpenS3RepoStore(const std::string& url,
                                                   const s3::S3Config& config,
                                                   S3RepoStoreOptions options) {
  VDIBK_ASSIGN_OR_RETURN(s3::S3Location root, s3::S3Location::Parse(url));
  return std::unique_ptr<RepoStore>(std::make_unique<S3RepoStore>(
      std::move(root), s3::CurlClientFactory(config), std::move(options)));
}

}  // namespace vdibk::coordinator
