// Envelope codec: serialization bounds, protocol-version check, ROUTER/DEALER framing.
#include "shared/transport/envelope_codec.h"

#include <google/protobuf/stubs/logging.h>

namespace vdibk::transport {
namespace {
// ZMQ_MSG_PROPERTY_PEER_ADDRESS is only defined under ZMQ_BUILD_DRAFT_API; the property itself
// is part of the stable zmq_msg_gets() contract.
constexpr const char* kPeerAddressProperty = "Peer-Address";
}  // namespace

bool IsDataRequest(const proto::Envelope& env) {
  switch (env.body_case()) {
    case proto::Envelope::kWrite:
    case proto::Envelope::kRead:
    case proto::Envelope::kFlush:
    case proto::Envelope::kComplete:
    case proto::Envelope::kEncode:
    case proto::Envelope::kPlace:
    case proto::Envelope::kAdopt:
      return true;
    default:
      return false;
  }
}

Result<zmq::message_t> EncodeEnvelope(const proto::Envelope& env, size_t max_bytes) {
  size_t size = env.ByteSizeLong();
  if (size > max_bytes) {
    return Status::Failed("envelope of " + std::to_string(size) + " bytes exceeds the limit " +
                          std::to_string(max_bytes));
  }
  zmq::message_t msg(size);
  if (!env.SerializeToArray(msg.data(), static_cast<int>(size))) {
    return Status::Failed("envelope serialization failed");
  }
  return msg;
}

Result<proto::Envelope> DecodeEnvelope(const zmq::message_t& frame, size_t max_bytes) {
  return DecodeEnvelope(frame.data(), frame.size(), max_bytes);
}

Result<proto::Envelope> DecodeEnvelope(const void* data, size_t size, size_t max_bytes) {
  if (size > max_bytes) {
    return Status::Integrity("envelope of " + std::to_string(size) +
                             " bytes exceeds the limit " + std::to_string(max_bytes));
  }
  // Untrusted bytes: protobuf would log invalid UTF-8 per message; the Status says it all.
  google::protobuf::LogSilencer silence;
  proto::Envelope env;
  if (!env.ParseFromArray(data, static_cast<int>(size))) {
    return Status::Integrity("malformed envelope (" + std::to_string(size) + " bytes)");
  }
  if (env.protocol_version() != proto::PROTOCOL_VERSION_CURRENT) {
    return Status::Configuration("protocol version " + std::to_string(env.protocol_version()) +
                                 ", this build speaks " +
                                 std::to_string(proto::PROTOCOL_VERSION_CURRENT));
  }
  if (env.body_case() == proto::Envelope::BODY_NOT_SET) {
    return Status::Integrity("envelope without a (known) body");
  }
  for (const proto::Envelope& item : env.batch().items()) {
    if (item.body_case() == proto::Envelope::BODY_NOT_SET ||
        item.body_case() == proto::Envelope::kBatch) {
      return Status::Integrity("batch item without a (known) body, or a nested batch");
    }
  }
  return env;
}

Status SendEnvelopeTo(Channel& router, const std::string& peer, const proto::Envelope& env,
                      std::chrono::milliseconds timeout) {
  VDIBK_ASSIGN_OR_RETURN(zmq::message_t body, EncodeEnvelope(env));
  Multipart frames;
  frames.emplace_back(peer.data(), peer.size());
  frames.push_back(std::move(body));
  return router.Send(std::move(frames), timeout);
}

Status SendEnvelope(Channel& dealer, const proto::Envelope& env,
                    std::chrono::milliseconds timeout) {
  VDIBK_ASSIGN_OR_RETURN(zmq::message_t body, EncodeEnvelope(env));
  Multipart frames;
  frames.push_back(std::move(body));
  return dealer.Send(std::move(frames), timeout);
}

Result<std::optional<Inbound>> ReceiveEnvelope(Channel& channel, std::chrono::milliseconds timeout,
                                               size_t max_bytes) {
  VDIBK_ASSIGN_OR_RETURN(std::optional<Multipart> frames, channel.Recv(timeout));
  if (!frames) return std::optional<Inbound>();
  Inbound in;
  size_t body_index = 0;
  if (channel.is_router()) {
    in.peer = (*frames)[0].to_string();
    body_index = 1;
  }
  if (frames->size() != body_index + 1) {
    in.status = Status::Integrity("expected " + std::to_string(body_index + 1) + " frame(s), got " +
                                  std::to_string(frames->size()));
    return std::optional<Inbound>(std::move(in));
  }
  zmq::message_t& body = (*frames)[body_index];
  try {
    if (const char* addr = body.gets(kPeerAddressProperty)) {
      in.credentials = ParsePeerAddress(addr);
    }
  } catch (const zmq::error_t&) {
    // No such property (e.g. inproc://): credentials stay unknown.
  }
  Result<proto::Envelope> env = DecodeEnvelope(body, max_bytes);
  if (env.ok()) {
    in.envelope = std::move(env).value();
  } else {
    in.status = env.status();
  }
  return std::optional<Inbound>(std::move(in));
}

}  // namespace vdibk::transport
