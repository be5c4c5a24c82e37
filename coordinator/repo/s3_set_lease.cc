// S3SetLease: the lock object's JSON, its writes and the heartbeat thread.
#include "coordinator/repo/s3_set_lease.h"

#include <unistd.h>

#include <charconv>

#include "shared/base/json_text.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {

WallClock SystemWallClock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

std::string LockRecordJson(const S3LockRecord& r) {
  return "{\"owner\":" + JsonString(r.owner) + ",\"pid\":" + std::to_string(r.pid) +
         ",\"host\":" + JsonString(r.host) +
         ",\"heartbeat_unix_ms\":" + std::to_string(r.heartbeat_unix_ms) + "}\n";
}

std::optional<int64_t> LockHeartbeat(std::string_view json) {
  constexpr std::string_view kField = "\"heartbeat_unix_ms\"";
  const size_t at = json.find(kField);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + kField.size();
  while (i < json.size() && (json[i] == ' ' || json[i] == ':')) ++i;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(json.data() + i, json.data() + json.size(), value);
  if (ec != std::errc() || end == json.data() + i) return std::nullopt;
  return value;
}

S3SetLease::S3SetLease(std::unique_ptr<s3::S3Client> client, s3::S3Location set,
                       S3LeaseOptions options)
    : set_(std::move(set)), options_(std::move(options)), client_(std::move(client)) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  record_.owner = options_.owner;
  record_.host = host;
  record_.pid = ::getpid();
}

Result<std::unique_ptr<S3SetLease>> S3SetLease::Acquire(const s3::S3ClientFactory& clients,
                                                        s3::S3Location set,
                                                        S3LeaseOptions options) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<s3::S3Client> client, clients());
  std::unique_ptr<S3SetLease> lease(
      new S3SetLease(std::move(client), std::move(set), std::move(options)));
  if (Status st = lease->RefreshNow(); !st.ok()) {
    lease->keep_ = true;  // never written: nothing of ours to delete
    return st;
  }
  lease->thread_ = std::thread([l = lease.get()] { l->Run(); });
  return lease;
}

S3SetLease::~S3SetLease() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (keep_) return;
  std::lock_guard io(io_mu_);
  if (Status st = client_->DeleteObject(set_.bucket, set_.Key(kS3LockObject)); !st.ok()) {
    log::Warn("releasing the lease of " + set_.ToString() + ": " + st.ToString());
  }
}

void S3SetLease::KeepOnRelease() {
  std::lock_guard lk(mu_);
  keep_ = true;
}

Status S3SetLease::RefreshNow() {
  S3LockRecord record = record_;
  record.heartbeat_unix_ms = options_.now_unix_ms();
  const std::string body = LockRecordJson(record);
  std::lock_guard io(io_mu_);
  s3::PutObjectOptions put;
  put.content_type = "application/json";
  return client_->PutObject(set_.bucket, set_.Key(kS3LockObject), body, put).status();
}

int S3SetLease::background_refreshes() const {
  std::lock_guard lk(mu_);
  return background_refreshes_;
}

void S3SetLease::WaitForBackgroundRefreshes(int n) const {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return background_refreshes_ >= n; });
}

void S3SetLease::Run() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (cv_.wait_for(lk, options_.refresh_interval, [this] { return stop_; })) return;
    lk.unlock();
    if (Status st = RefreshNow(); !st.ok()) {
      log::Warn("refreshing the lease of " + set_.ToString() + ": " + st.ToString());
    }
    lk.lock();
    ++background_refreshes_;
    cv_.notify_all();
  }
}

}  // namespace vdibk::coordinator
