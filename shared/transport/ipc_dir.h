// Local-only endpoints: the private 0700 directory that holds the coordinator's ipc:// socket,
// endpoint names, and the peer credentials libzmq reports for ipc connections.
#ifndef VDIBK_SHARED_TRANSPORT_IPC_DIR_H_
#define VDIBK_SHARED_TRANSPORT_IPC_DIR_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/base/result.h"

namespace vdibk::transport {

// Linux sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
inline constexpr size_t kMaxIpcPath = 107;

// Creates `path` (not its parents) with mode 0700. If it exists it must be a directory (not a
// symlink) owned by this uid with no group/other permission bits; otherwise kConfiguration,
// because another user could then bind or connect to our socket.
Status CreatePrivateDir(const std::string& path);

// "ipc://<dir>/<name>" after checking the path length and the name (no '/').
Result<std::string> IpcEndpoint(const std::string& dir, const std::string& name);

// Credentials of the process at the other end of an ipc:// connection (SO_PEERCRED).
struct PeerCredentials {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
};

// Parses the "Peer-Address" message property of libzmq 4.3 for ipc peers, which has the form
// "<host>:<uid>:<gid>:<pid>" (e.g. "localhost:1000:1000:4242"). nullopt if not of that form.
std::optional<PeerCredentials> ParsePeerAddress(std::string_view peer_address);

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_IPC_DIR_H_
