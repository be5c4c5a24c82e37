// OFD byte-range locks used as death detectors (see participant_lock.h).
#include "participant_lock.h"

#include <fcntl.h>

#include <cerrno>

namespace vdibk::vdi {
namespace {

// Lock bytes live far beyond the object's data; fcntl locks may cover bytes past EOF.
constexpr off_t kLockBase = off_t{1} << 40;

struct flock MakeLock(short type, uint32_t slot) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = kLockBase + static_cast<off_t>(slot);
  fl.l_len = 1;
  fl.l_pid = 0;  // required for OFD locks
  return fl;
}

}  // namespace

bool LockParticipant(int fd, uint32_t slot) {
  struct flock fl = MakeLock(F_WRLCK, slot);
  return fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

bool LockParticipantWait(int fd, uint32_t slot) {
  for (;;) {
    struct flock fl = MakeLock(F_WRLCK, slot);
    if (fcntl(fd, F_OFD_SETLKW, &fl) == 0) return true;
    if (errno != EINTR) return false;
  }
}

void UnlockParticipant(int fd, uint32_t slot) {
  struct flock fl = MakeLock(F_UNLCK, slot);
  fcntl(fd, F_OFD_SETLK, &fl);
}

bool ParticipantLockHeld(int fd, uint32_t slot) {
  struct flock fl = MakeLock(F_WRLCK, slot);
  if (fcntl(fd, F_OFD_GETLK, &fl) != 0) return true;  // cannot tell: assume alive
  return fl.l_type != F_UNLCK;
}

}  // namespace vdibk::vdi
