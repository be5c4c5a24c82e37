// RemoveDeadSet: open, age check, cleaner lock, re-check, unlink (see dead_set.h).
#include "dead_set.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "layout.h"
#include "participant_lock.h"
#include "shm_names.h"

namespace vdibk::vdi {
namespace {

// Closes the descriptor (and with it the cleaner lock, an OFD lock) on every return.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

bool YoungerThan(const struct stat& st, std::chrono::seconds min_age) {
  if (min_age.count() <= 0) return false;
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  // A clock set back (mtime in the future) counts as young: never judged by a wrong clock.
  return now.tv_sec - st.st_mtim.tv_sec < min_age.count();
}

}  // namespace

DeadSetResult RemoveDeadSet(std::string_view encoded, std::chrono::seconds min_age, bool wait) {
  DeadSetResult r;
  const std::string ctl = std::string("/") + kShmPrefix + std::string(encoded) + ".ctl";
  const std::string ctl_path = ShmPath(ctl);
  // No mapping: a 0-byte object (its creator died before sizing it) is judged like any other.
  const int fd = ::open(ctl_path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    r.err = errno;
    r.outcome = r.err == ENOENT ? DeadSetOutcome::kGone : DeadSetOutcome::kError;
    return r;
  }
  FdCloser closer(fd);
  struct stat mine {};
  if (::fstat(fd, &mine) != 0) {
    r.err = errno;
    return r;
  }
  if (YoungerThan(mine, min_age)) {
    r.outcome = DeadSetOutcome::kYoung;
    return r;
  }
  if (!(wait ? LockParticipantWait(fd, kCleanerSlot) : LockParticipant(fd, kCleanerSlot))) {
    r.err = errno;
    r.outcome = wait ? DeadSetOutcome::kError : DeadSetOutcome::kBusy;
    return r;
  }
  // Under the lock: nobody else can remove or replace this object now. Is it still dead, and
  // still the one the name refers to (another remover may have replaced it before we locked)?
  for (uint32_t s = 0; s < kMaxParticipants; ++s) {
    if (ParticipantLockHeld(fd, s)) {
      r.outcome = DeadSetOutcome::kLive;
      return r;
    }
  }
  struct stat named {};
  if (::stat(ctl_path.c_str(), &named) != 0 || named.st_ino != mine.st_ino ||
      named.st_dev != mine.st_dev) {
    r.outcome = DeadSetOutcome::kGone;
    return r;
  }
  auto unlink = [&r](const std::string& path) {
    if (::unlink(path.c_str()) == 0) {
      r.removed.push_back(path);
      return;
    }
    if (errno == ENOENT) return;
    if (r.err == 0) r.err = errno;
    r.failed.push_back(path);
  };
  // Buffer segments first: if we die half-way, the control object is still there to find.
  for (const std::string& obj : ListEncodedSetObjects(encoded)) {
    if (obj != ctl) unlink(ShmPath(obj));
  }
  unlink(ctl_path);
  r.outcome = DeadSetOutcome::kRemoved;
  return r;
}

}  // namespace vdibk::vdi
