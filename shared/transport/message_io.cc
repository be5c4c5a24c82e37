// Message I/O: ROUTER/DEALER framing of encoded messages, peer credentials.
#include "shared/transport/message_io.h"

#include "shared/transport/message_codec.h"

namespace vdibk::transport {
namespace {
// ZMQ_MSG_PROPERTY_PEER_ADDRESS is only defined under ZMQ_BUILD_DRAFT_API; the property itself
// is part of the stable zmq_msg_gets() contract.
constexpr const char* kPeerAddressProperty = "Peer-Address";

Result<zmq::message_t> Frame(const Message& m) {
  thread_local std::string bytes;
  VDIBK_RETURN_IF_ERROR(EncodeMessage(m, bytes));
  return zmq::message_t(bytes.data(), bytes.size());
}

}  // namespace

Status SendMessageTo(Channel& router, const std::string& peer, const Message& m,
                     std::chrono::milliseconds timeout) {
  VDIBK_ASSIGN_OR_RETURN(zmq::message_t body, Frame(m));
  Multipart frames;
  frames.emplace_back(peer.data(), peer.size());
  frames.push_back(std::move(body));
  return router.Send(std::move(frames), timeout);
}

Status SendMessage(Channel& dealer, const Message& m, std::chrono::milliseconds timeout) {
  VDIBK_ASSIGN_OR_RETURN(zmq::message_t body, Frame(m));
  Multipart frames;
  frames.push_back(std::move(body));
  return dealer.Send(std::move(frames), timeout);
}

Result<std::optional<Inbound>> ReceiveMessage(Channel& channel, std::chrono::milliseconds timeout,
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
  Result<Message> m = DecodeMessage(body.data(), body.size(), max_bytes);
  if (m.ok()) {
    in.message = std::move(m).value();
  } else {
    in.status = m.status();
  }
  return std::optional<Inbound>(std::move(in));
}

}  // namespace vdibk::transport
