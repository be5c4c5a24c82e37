// S3SetLease: a running backup's lease on a set of an S3 repository: the lock object
// PREFIX/<db>/<set>/.lock (JSON owner, pid, host, heartbeat_unix_ms) that a background thread
// refreshes and the release deletes. S3 has no flock: a lease is live while its heartbeat is young.
#ifndef VDIBK_COORDINATOR_REPO_S3_SET_LEASE_H_
#define VDIBK_COORDINATOR_REPO_S3_SET_LEASE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "coordinator/repo/repo_store.h"
#include "shared/s3/s3_location.h"
#include "shared/s3/s3_target.h"

namespace vdibk::coordinator {

// The lock object's name inside a set.
inline constexpr char kS3LockObject[] = ".lock";

// Wall-clock milliseconds since the epoch (heartbeats are compared across hosts).
using WallClock = std::function<int64_t()>;
WallClock SystemWallClock();

struct S3LeaseOptions {
  // How often the lease rewrites its heartbeat. Default 30 s.
  std::chrono::milliseconds refresh_interval{30'000};
  // A lock whose heartbeat is older than this is stale: the set counts as free. Default 5 min
  // (ten missed refreshes); it must exceed the worst clock skew between hosts.
  std::chrono::milliseconds grace{5 * 60'000};
  std::string owner = "vdibackup";
  WallClock now_unix_ms = SystemWallClock();
};

// What a lock object holds.
struct S3LockRecord {
  std::string owner;
  std::string host;
  int64_t pid = 0;
  int64_t heartbeat_unix_ms = 0;
};
std::string LockRecordJson(const S3LockRecord& record);
// The heartbeat of a lock object's JSON; nullopt when it has none (not ours, garbled).
std::optional<int64_t> LockHeartbeat(std::string_view json);

// Owns its heartbeat thread and one S3Client (used by that thread and RefreshNow, serialised).
// Destruction stops the thread, then deletes the lock object (unless KeepOnRelease), best effort.
// A refresh that fails is logged and tried again at the next interval: a lease whose heartbeats
// all fail for the grace period looks stale to prune.
class S3SetLease final : public SetLease {
 public:
  // Writes the lock object (overwriting a stale one), then starts the heartbeat thread.
  // `set` is the set's prefix ("PREFIX/<db>/<set>/"). Errors: the PutObject's (kTargetIo, ...).
  static Result<std::unique_ptr<S3SetLease>> Acquire(const s3::S3ClientFactory& clients,
                                                     s3::S3Location set, S3LeaseOptions options);
  ~S3SetLease() override;
  S3SetLease(const S3SetLease&) = delete;
  S3SetLease& operator=(const S3SetLease&) = delete;

  void KeepOnRelease() override;
  // Rewrites the lock object with the current time (what the thread does every interval).
  Status RefreshNow();
  // Heartbeats written by the thread so far (not counting Acquire's or RefreshNow's).
  int background_refreshes() const;
  // Blocks until the thread has written `n` heartbeats (tests: readiness without sleeping).
  void WaitForBackgroundRefreshes(int n) const;

 private:
  S3SetLease(std::unique_ptr<s3::S3Client> client, s3::S3Location set, S3LeaseOptions options);
  void Run();

  s3::S3Location set_;
  S3LeaseOptions options_;
  S3LockRecord record_;
  std::mutex io_mu_;  // guards client_
  std::unique_ptr<s3::S3Client> client_;
  mutable std::mutex mu_;  // guards the fields below
  mutable std::condition_variable cv_;
  bool stop_ = false;
  bool keep_ = false;
  int background_refreshes_ = 0;
  std::thread thread_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_S3_SET_LEASE_H_
