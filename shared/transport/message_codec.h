// Message codec: the pipeline's domain messages (pipeline_messages.h) <-> the wire Envelope
// (proto/envelope.proto) <-> bytes, with the checks every received message passes (§3, §8).
// The only place outside proto/ that knows the generated pipeline types.
#ifndef VDIBK_SHARED_TRANSPORT_MESSAGE_CODEC_H_
#define VDIBK_SHARED_TRANSPORT_MESSAGE_CODEC_H_

#include <cstddef>
#include <string>

#include "shared/base/result.h"
#include "shared/transport/channel.h"
#include "shared/transport/pipeline_messages.h"

namespace vdibk::proto {
class Envelope;
}  // namespace vdibk::proto

namespace vdibk::transport {

// `m` as an Envelope of the current protocol version (a Batch's items carry only their body).
void ToEnvelope(const Message& m, proto::Envelope& env);
// The checks of a received Envelope: kConfiguration if protocol_version != current; kIntegrity
// without a (known) body (an unknown message type from a newer peer), or with a Batch item that
// has no body or is itself a Batch.
Result<Message> FromEnvelope(const proto::Envelope& env);

// Serializes `m` into `out` (replacing it). kFailed if it would exceed `max_bytes`.
Status EncodeMessage(const Message& m, std::string& out,
                     size_t max_bytes = kDefaultMaxMessageBytes);
// Parses untrusted bytes: kIntegrity if oversized or unparsable, then FromEnvelope's checks.
Result<Message> DecodeMessage(const void* data, size_t size,
                              size_t max_bytes = kDefaultMaxMessageBytes);

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_MESSAGE_CODEC_H_
