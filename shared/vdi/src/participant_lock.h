// Participant liveness without shared locks: every participant holds an open-file-description
// (OFD) write lock on its own byte of the control object; the kernel drops it when the process
// dies, so a peer whose slot is Active but whose byte is unlocked has died. Works across pid
// namespaces (it only needs the same /dev/shm).
#ifndef VDIBK_SHARED_VDI_SRC_PARTICIPANT_LOCK_H_
#define VDIBK_SHARED_VDI_SRC_PARTICIPANT_LOCK_H_

#include <cstdint>

namespace vdibk::vdi {

// Takes the lock of `slot` on `fd` (non-blocking). False if another holder has it.
bool LockParticipant(int fd, uint32_t slot);
// Takes the lock of `slot` on `fd`, waiting while another holder has it. False on error.
bool LockParticipantWait(int fd, uint32_t slot);
// Releases the lock of `slot` on `fd`.
void UnlockParticipant(int fd, uint32_t slot);
// True if some open file description other than `fd`'s holds the lock of `slot`.
bool ParticipantLockHeld(int fd, uint32_t slot);

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_PARTICIPANT_LOCK_H_
