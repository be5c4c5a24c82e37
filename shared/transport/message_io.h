// Message I/O: typed send/receive of pipeline messages over a Channel (through message_codec.h).
// Wire shape: DEALER sends [envelope]; the ROUTER sees [peer routing id, envelope].
#ifndef VDIBK_SHARED_TRANSPORT_MESSAGE_IO_H_
#define VDIBK_SHARED_TRANSPORT_MESSAGE_IO_H_

#include <chrono>
#include <optional>
#include <string>

#include "shared/base/result.h"
#include "shared/transport/channel.h"
#include "shared/transport/ipc_dir.h"
#include "shared/transport/pipeline_messages.h"

namespace vdibk::transport {

// One received message. A malformed message still names its peer so the caller can treat it as
// that peer's protocol violation (proto/README.md §8): then `status` is not OK (DecodeMessage's
// error) and `message` is empty.
struct Inbound {
  std::string peer;                            // ROUTER: routing id; DEALER: empty
  std::optional<PeerCredentials> credentials;  // ipc peers (from libzmq's Peer-Address)
  Status status;
  Message message;
};

// ROUTER -> the peer with routing id `peer`. Errors as Channel::Send, or EncodeMessage's.
Status SendMessageTo(Channel& router, const std::string& peer, const Message& m,
                     std::chrono::milliseconds timeout);
// DEALER -> coordinator.
Status SendMessage(Channel& dealer, const Message& m, std::chrono::milliseconds timeout);
// Receives one message from either socket kind. nullopt on timeout. Socket errors are the
// Result's status; decode errors are in Inbound::status.
Result<std::optional<Inbound>> ReceiveMessage(Channel& channel, std::chrono::milliseconds timeout,
                                              size_t max_bytes = kDefaultMaxMessageBytes);

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_MESSAGE_IO_H_
