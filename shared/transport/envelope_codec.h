// Envelope codec: proto::Envelope <-> ZeroMQ frames, and typed send/receive over a Channel.
// Wire shape: DEALER sends [envelope]; the ROUTER sees [peer routing id, envelope].
#ifndef VDIBK_SHARED_TRANSPORT_ENVELOPE_CODEC_H_
#define VDIBK_SHARED_TRANSPORT_ENVELOPE_CODEC_H_

#include <chrono>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "proto/envelope.pb.h"
#include "shared/base/result.h"
#include "shared/transport/channel.h"
#include "shared/transport/ipc_dir.h"

namespace vdibk::transport {

// Serializes `env`. Fails (kFailed) if it would exceed `max_bytes`.
Result<zmq::message_t> EncodeEnvelope(const proto::Envelope& env,
                                      size_t max_bytes = kDefaultMaxMessageBytes);
// True for the bodies a Batch may carry from the coordinator: Write, Read, Flush, Complete,
// Encode, Place, Adopt (proto/README.md §5.1).
bool IsDataRequest(const proto::Envelope& env);

// Parses untrusted bytes. kIntegrity if oversized, unparsable, or without a body (an unknown
// message type from a newer peer), or with a Batch item that has no body or is itself a Batch;
// kConfiguration if protocol_version != current.
Result<proto::Envelope> DecodeEnvelope(const zmq::message_t& frame,
                                       size_t max_bytes = kDefaultMaxMessageBytes);
Result<proto::Envelope> DecodeEnvelope(const void* data, size_t size,
                                       size_t max_bytes = kDefaultMaxMessageBytes);

// One received message. A malformed message still names its peer so the caller can treat it as
// that peer's protocol violation (proto/README.md §8): then `status` is not OK.
struct Inbound {
  std::string peer;                            // ROUTER: routing id; DEALER: empty
  std::optional<PeerCredentials> credentials;  // ipc peers (from libzmq's Peer-Address)
  Status status;
  proto::Envelope envelope;
};

// ROUTER -> the peer with routing id `peer`. Errors as Channel::Send.
Status SendEnvelopeTo(Channel& router, const std::string& peer, const proto::Envelope& env,
                      std::chrono::milliseconds timeout);
// DEALER -> coordinator.
Status SendEnvelope(Channel& dealer, const proto::Envelope& env, std::chrono::milliseconds timeout);
// Receives one message from either socket kind. nullopt on timeout. Socket errors are the
// Result's status; decode errors are in Inbound::status.
Result<std::optional<Inbound>> ReceiveEnvelope(Channel& channel, std::chrono::milliseconds timeout,
                                               size_t max_bytes = kDefaultMaxMessageBytes);

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_ENVELOPE_CODEC_H_
