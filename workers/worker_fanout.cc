// Worker: the fan-out requests (proto/README.md §9): Encode a buffer into a held LZ4 frame,
// Place it into the owner's stripe, and (owner) Adopt placed frames in command order.
#include "shared/transport/channel.h"
#include "workers/worker.h"
#include "workers/worker_replies.h"

namespace vdibk::workers {

Status Worker::HandleFanout(transport::Channel& channel, const transport::Body& body) {
  auto violation = [&](const std::string& what) {
    Status st = Status::Failed("protocol violation: " + what);
    (void)SendAbort(channel, st);
    return st;
  };
  auto too_big = [&](uint32_t size) { return size > stripes_->max_transfer_size(); };
  if (const auto* e = std::get_if<transport::EncodeRequest>(&body)) {
    const transport::RequestHeader& h = e->header;
    if (too_big(e->size)) {
      return violation("encode size " + std::to_string(e->size) + " > max transfer size");
    }
    transport::Reply r = ReplyFor(h, e->buffer_handle);
    Result<uint64_t> frame = [&]() -> Result<uint64_t> {
      VDIBK_ASSIGN_OR_RETURN(uint8_t * p, mapper_->Map(e->buffer_handle));
      return stripes_->Encode(h.device, h.command_seq, p, e->size);
    }();
    if (!frame.ok() && frame.status().code() == ErrorCode::kFailed) {
      return violation(frame.status().message());
    }
    if (frame.ok()) {
      r.bytes = e->size;
      r.compressed_bytes = *frame;
    } else {
      SetError(r, frame.status().WithContext("device " + std::to_string(h.device)));
    }
    return SendReply(channel, std::move(r));
  }
  if (const auto* pl = std::get_if<transport::PlaceRequest>(&body)) {
    const transport::RequestHeader& h = pl->header;
    transport::Reply r = ReplyFor(h, 0);
    Status st = stripes_->Place(h.device, h.command_seq, pl->frame_offset);
    if (st.code() == ErrorCode::kFailed) return violation(st.message());
    if (!st.ok()) SetError(r, st);
    return SendReply(channel, std::move(r));
  }
  if (const auto* a = std::get_if<transport::AdoptRequest>(&body)) {
    const transport::RequestHeader& h = a->header;
    if (Status st = stripes_->Accept(h.device, h.command_seq); !st.ok()) {
      return violation(st.message());
    }
    if (too_big(a->size)) {
      return violation("adopt size " + std::to_string(a->size) + " > max transfer size");
    }
    transport::Reply r = ReplyFor(h, a->buffer_handle);
    Status st = [&]() -> Status {
      VDIBK_ASSIGN_OR_RETURN(uint8_t * p, mapper_->Map(a->buffer_handle));
      return stripes_->Adopt(h.device, p, a->size, a->frame_offset, a->frame_bytes);
    }();
    if (st.ok()) {
      r.bytes = a->size;
    } else {
      SetError(r, st.WithContext("device " + std::to_string(h.device)));
    }
    return SendReply(channel, std::move(r));
  }
  return violation("unexpected message type " + std::to_string(transport::BodyNumber(body)));
}

}  // namespace vdibk::workers
