// Worker event loop: DEALER socket, liveness, request handling.
#include "workers/worker.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "shared/base/log.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/null_target.h"
#include "shared/stripe/stripe_format.h"
#include "shared/transport/channel.h"
#include "shared/transport/message_io.h"
#include "shared/transport/poller.h"
#include "vdi.h"
#include "workers/worker_replies.h"

namespace vdibk::workers {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kSendTimeout{5000};
// At most this many queued messages are handled before the gathered replies go out.
constexpr int kMaxGathered = 64;
constexpr const char* kVersion = "0.1.0";

Result<StripeSetSpec> SpecFromAssign(const transport::Assign& a) {
  StripeSetSpec s;
  if (a.direction != transport::Direction::kBackup &&
      a.direction != transport::Direction::kRestore) {
    return Status::Configuration("Assign without a direction");
  }
  if (a.backup_set_id.size() != s.set_id.size()) return Status::Failed("set id is not 16 bytes");
  std::copy(a.backup_set_id.begin(), a.backup_set_id.end(), s.set_id.begin());
  s.database = a.database;
  switch (a.backup_type) {
    case transport::BackupType::kDiff:
      s.backup_type = stripe::BackupType::kDiff;
      break;
    case transport::BackupType::kLog:
      s.backup_type = stripe::BackupType::kLog;
      break;
    default:
      s.backup_type = stripe::BackupType::kFull;
  }
  s.compression = a.compression == transport::Compression::kNone ? stripe::Compression::kNone
                                                                 : stripe::Compression::kLz4;
  s.level = a.compression_level;
  s.device_count = a.device_count;
  s.max_transfer_size = a.max_transfer_size;
  for (const transport::DeviceAssignment& d : a.devices) {
    s.devices.push_back({d.device_index, d.device_name, d.stripe_file,
                         d.target_dir.empty() ? a.target_dir : d.target_dir,
                         d.role != transport::DeviceRole::kEncoder});
  }
  return s;
}

// The worker's failpoint (an invalid spec was refused by main(); here it arms nothing).
Failpoint ArmedFailpoint(const WorkerOptions& o) {
  Result<Failpoint> f = Failpoint::Parse(o.failpoint, o.worker_id);
  return f.ok() ? std::move(f).value() : Failpoint();
}

// The failpoint name of a request ("" for other messages).
struct RequestKind {
  const char* operator()(const transport::Assign&) const { return "assign"; }
  const char* operator()(const transport::WriteRequest&) const { return "write"; }
  const char* operator()(const transport::FlushRequest&) const { return "flush"; }
  const char* operator()(const transport::CompleteRequest&) const { return "complete"; }
  const char* operator()(const transport::ReadRequest&) const { return "read"; }
  const char* operator()(const transport::EncodeRequest&) const { return "encode"; }
  const char* operator()(const transport::PlaceRequest&) const { return "place"; }
  const char* operator()(const transport::AdoptRequest&) const { return "adopt"; }
  const char* operator()(const auto&) const { return ""; }
};

std::string RequestKindName(const transport::Body& body) { return std::visit(RequestKind{}, body); }

}  // namespace

Result<std::unique_ptr<stripe::Target>> DefaultTarget(const transport::Assign& a,
                                                      const std::string& dir) {
  if (a.target_kind == transport::TargetKind::kNull) {
    if (a.direction != transport::Direction::kBackup) {
      return Status::Configuration("a null target keeps nothing to restore");
    }
    return std::unique_ptr<stripe::Target>(new stripe::NullTarget());
  }
  if (a.target_kind != transport::TargetKind::kDirectory) {
    return Status::Configuration("unsupported target kind " +
                                 std::to_string(static_cast<int32_t>(a.target_kind)));
  }
  if (dir.empty()) return Status::Configuration("Assign without target_dir");
  return std::unique_ptr<stripe::Target>(new stripe::DirectoryTarget(dir));
}

Worker::Worker(WorkerOptions options, std::unique_ptr<BufferMapper> mapper,
               const Clock& clock, const std::atomic<bool>* stop,
               TargetFactory make_target)
    : options_(std::move(options)),
      mapper_(std::move(mapper)),
      clock_(clock),
      stop_(stop),
      make_target_(make_target ? std::move(make_target) : TargetFactory(DefaultTarget)),
      failpoint_(ArmedFailpoint(options_)) {}

Worker::~Worker() {
  if (stripes_) stripes_->AbortAll();
}

Status Worker::Run() {
  if (const char* fd = std::getenv(transport::kDataFdVariable); fd && *fd) {
    VDIBK_ASSIGN_OR_RETURN(transport::DataSocket socket, transport::DataSocket::Adopt(std::atoi(fd)));
    data_.emplace(std::move(socket));
  }
  transport::Context ctx;
  Status result;
  {
    transport::ChannelOptions copts;
    copts.routing_id = options_.worker_id;
    Result<transport::Channel> ch =
        transport::Channel::ConnectDealer(ctx, options_.endpoint, copts);
    if (!ch.ok()) return ch.status();
    result = Serve(*ch);
  }
  if (stripes_) stripes_->AbortAll();  // no-op for finalized stripes
  mapper_->Close();
  return result;
}

Status Worker::Send(transport::Channel& channel, transport::Body body) {
  VDIBK_RETURN_IF_ERROR(FlushReplies(channel));
  return SendNow(channel, std::move(body));
}

Status Worker::FlushReplies(transport::Channel& channel) {
  if (replies_.empty()) return Status::Ok();
  transport::Body body;
  if (replies_.size() == 1) {
    body = std::move(replies_.front());
  } else {
    transport::Batch batch;
    batch.items.reserve(replies_.size());
    for (transport::Reply& r : replies_) batch.items.push_back(std::move(r));
    body = std::move(batch);
  }
  replies_.clear();
  if (replies_to_data_ && data_) {
    // last_sent_ stays: heartbeats keep going over the channel every interval, so that the
    // coordinator's liveness does not depend on how soon its reader thread takes these.
    return data_->Send(transport::Message{options_.worker_id, data_next_seq_++, std::move(body)});
  }
  return SendNow(channel, std::move(body));
}

Status Worker::SendNow(transport::Channel& channel, transport::Body body) {
  transport::Message m{options_.worker_id, next_seq_++, std::move(body)};
  last_sent_ = clock_.Now();
  return transport::SendMessage(channel, m, kSendTimeout);
}

Status Worker::SendReply(transport::Channel& channel, transport::Reply reply) {
  if (gathering_) {
    replies_.push_back(std::move(reply));
    return Status::Ok();
  }
  return Send(channel, std::move(reply));
}

Status Worker::SendAbort(transport::Channel& channel, const Status& cause) {
  return Send(channel, transport::Abort{static_cast<uint32_t>(cause.code()), cause.message()});
}

Status Worker::SendHeartbeat(transport::Channel& channel) {
  return Send(channel, transport::Heartbeat{});
}

Status Worker::KeepAlive(transport::Channel& channel) {
  if (clock_.Now() - last_sent_ < options_.liveness.interval) return Status::Ok();
  return SendHeartbeat(channel);
}

Status Worker::Serve(transport::Channel& channel) {
  transport::Hello h;
  h.worker_id = options_.worker_id;
  h.pid = static_cast<uint32_t>(getpid());
  h.uid = static_cast<uint32_t>(getuid());
  h.version = kVersion;
  h.capabilities = transport::kCapabilityLz4 | transport::kCapabilityRestore;
  // The coordinator's socket may not be there yet (a worker started by a supervisor): the
  // Hello waits up to connect_timeout for it (ZMQ_IMMEDIATE queues nothing until connected).
  const transport::Message hello{options_.worker_id, next_seq_++, std::move(h)};
  if (Status st = transport::SendMessage(channel, hello, options_.connect_timeout); !st.ok()) {
    return Status::Aborted("no coordinator at " + options_.endpoint + " within " +
                           std::to_string(options_.connect_timeout.count() / 1000) +
                           " s: " + st.message());
  }
  last_sent_ = clock_.Now();
  // Time spent waiting on empty sockets since the coordinator was last heard: silence is judged
  // on that, not on wall time, so a long stretch of our own work (a backlog of 4 MiB writes, a
  // starved CPU) never counts against the coordinator.
  Clock::duration quiet{0};
  const auto expiry = options_.liveness.expiry();
  const milliseconds interval = options_.liveness.interval;
  transport::Poller poller;
  while (state_ != State::kDone) {
    if (stop_ && stop_->load()) {
      Status st = Status::Aborted("worker " + options_.worker_id + " stopped by a signal");
      (void)SendAbort(channel, st);
      return st;
    }
    auto now = clock_.Now();
    if (now - last_sent_ >= interval) VDIBK_RETURN_IF_ERROR(SendHeartbeat(channel));
    auto until_hb = std::chrono::duration_cast<milliseconds>(last_sent_ + interval - now);
    auto until_dead = std::chrono::duration_cast<milliseconds>(expiry - quiet);
    milliseconds wait =
        std::clamp(std::min(until_hb, until_dead), milliseconds(1), milliseconds(200));
    poller.Clear();
    poller.Add(channel);
    if (data_) poller.AddFd(data_->fd());
    const auto poll_start = clock_.Now();
    VDIBK_ASSIGN_OR_RETURN(int ready, poller.Wait(wait));
    if (ready == 0) {
      quiet += clock_.Now() - poll_start;
      if (quiet >= expiry) {
        return Status::Aborted("coordinator silent for " +
                               std::to_string(options_.liveness.liveness) +
                               " heartbeat intervals");
      }
      continue;
    }
    quiet = Clock::duration{0};
    if (data_ && poller.Ready(1)) VDIBK_RETURN_IF_ERROR(ServeData(channel));
    if (!poller.Ready(0)) continue;
    VDIBK_ASSIGN_OR_RETURN(std::optional<transport::Inbound> in,
                           transport::ReceiveMessage(channel, milliseconds(0)));
    if (!in) continue;
    // Everything already queued is handled before the replies go out, as one message.
    gathering_ = true;
    Status st = Receive(channel, *in);
    for (int more = 0; st.ok() && state_ != State::kDone && more < kMaxGathered; ++more) {
      Result<std::optional<transport::Inbound>> next =
          transport::ReceiveMessage(channel, milliseconds(0));
      if (!next.ok()) {
        st = next.status();
        break;
      }
      if (!next->has_value()) break;
      st = Receive(channel, **next);
    }
    gathering_ = false;
    VDIBK_RETURN_IF_ERROR(st);
    VDIBK_RETURN_IF_ERROR(FlushReplies(channel));
  }
  return Status::Ok();
}

Status Worker::ServeData(transport::Channel& channel) {
  gathering_ = true;
  replies_to_data_ = true;
  Status st;
  for (int n = 0; st.ok() && n < kMaxGathered; ++n) {
    // A backlog (many devices per worker, 4 MiB transfers, a busy machine) can take longer than
    // the coordinator's liveness: the heartbeat goes out between packets too.
    if (st = KeepAlive(channel); !st.ok()) break;
    Result<std::optional<transport::DataSocket::Packet>> r = data_->Receive(milliseconds(0));
    if (!r.ok()) {
      // The coordinator closed its end (it stops reading once the job ends): no more data
      // requests; the control channel (Shutdown, Abort, liveness) decides the rest.
      data_.reset();
      replies_.clear();
      break;
    }
    if (!r->has_value()) break;
    const transport::DataSocket::Packet& p = **r;
    const transport::Message& m = p.message;
    if (!p.status.ok()) {
      st = Status(p.status.code() == ErrorCode::kConfiguration ? ErrorCode::kConfiguration
                                                               : ErrorCode::kFailed,
                  "bad data packet from the coordinator: " + p.status.message());
    } else if (m.seq != data_inbound_seq_ + 1) {
      st = Status::Failed("coordinator data seq " + std::to_string(m.seq) + " after " +
                          std::to_string(data_inbound_seq_));
    } else if (!transport::IsDataRequest(m.body) &&
               !std::holds_alternative<transport::Batch>(m.body)) {
      st = Status::Failed("protocol violation: data packet of type " +
                          std::to_string(transport::BodyNumber(m.body)));
    } else {
      data_inbound_seq_ = m.seq;
      st = Handle(channel, m.body);
      continue;
    }
    gathering_ = false;
    replies_to_data_ = false;
    (void)SendAbort(channel, st);
    return st;
  }
  gathering_ = false;
  if (st.ok() && data_) st = FlushReplies(channel);
  replies_to_data_ = false;
  return st;
}

Status Worker::Receive(transport::Channel& channel, const transport::Inbound& in) {
  if (!in.status.ok()) {
    Status st = Status(in.status.code() == ErrorCode::kConfiguration ? ErrorCode::kConfiguration
                                                                      : ErrorCode::kFailed,
                       "bad message from the coordinator: " + in.status.message());
    (void)SendAbort(channel, st);
    return st;
  }
  const transport::Message& m = in.message;
  if (m.seq != last_inbound_seq_ + 1) {
    Status st = Status::Failed("coordinator message seq " + std::to_string(m.seq) + " after " +
                               std::to_string(last_inbound_seq_));
    (void)SendAbort(channel, st);
    return st;
  }
  last_inbound_seq_ = m.seq;
  return Handle(channel, m.body);
}

Status Worker::HandleAssign(transport::Channel& channel, const transport::Assign& assign) {
  Status st = [&]() -> Status {
    VDIBK_ASSIGN_OR_RETURN(StripeSetSpec spec, SpecFromAssign(assign));
    VDIBK_RETURN_IF_ERROR(mapper_->Open(assign.set_name));
    // One target per distinct stripe directory; a null target is one sink for all devices.
    TargetSet targets(
        [make = make_target_, assign](const std::string& dir) { return make(assign, dir); });
    if (assign.target_kind == transport::TargetKind::kNull) {
      VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> sink, make_target_(assign, ""));
      targets = TargetSet::Single(std::move(sink));
    }
    if (assign.direction == transport::Direction::kRestore) {
      VDIBK_ASSIGN_OR_RETURN(RestoreStripes r, RestoreStripes::Open(spec, std::move(targets)));
      restore_.emplace(std::move(r));
      return Status::Ok();
    }
    VDIBK_ASSIGN_OR_RETURN(DeviceStripes stripes, DeviceStripes::Open(spec, std::move(targets)));
    stripes_.emplace(std::move(stripes));
    return Status::Ok();
  }();
  if (!st.ok()) {
    st = st.WithContext("worker " + options_.worker_id + " Assign");
    (void)SendAbort(channel, st);
    return st;
  }
  transport::Ready ready;
  for (uint32_t d : restore_ ? restore_->device_indexes() : stripes_->device_indexes()) {
    ready.device_indexes.push_back(d);
  }
  state_ = State::kServing;
  return Send(channel, std::move(ready));
}

Status Worker::Handle(transport::Channel& channel, const transport::Body& body) {
  auto violation = [&](const std::string& what) {
    Status st = Status::Failed("protocol violation: " + what);
    (void)SendAbort(channel, st);
    return st;
  };
  const bool serving = state_ == State::kServing;
  if (failpoint_.armed()) failpoint_.MaybeDie(RequestKindName(body));
  if (std::holds_alternative<transport::Heartbeat>(body)) return Status::Ok();
  if (const auto* assign = std::get_if<transport::Assign>(&body)) {
    if (state_ != State::kGreeting) return violation("second Assign");
    return HandleAssign(channel, *assign);
  }
  if (const auto* abort = std::get_if<transport::Abort>(&body)) {
    ErrorCode code = ErrorCodeFromWire(abort->code);
    if (code == ErrorCode::kOk) code = ErrorCode::kAborted;
    return Status(code, "aborted by the coordinator: " + abort->message);
  }
  if (std::holds_alternative<transport::Shutdown>(body)) {
    // Acknowledge (our last message; a supervisor-launched worker's coordinator waits for it),
    // and give it time to leave before the socket closes.
    state_ = State::kDone;
    channel.SetLinger(std::chrono::milliseconds(1000));
    return Send(channel, transport::Shutdown{"acknowledged"});
  }
  if (const auto* read = std::get_if<transport::ReadRequest>(&body)) {
    if (!serving || !restore_) return violation("Read outside a restore");
    return HandleRead(channel, *read);
  }
  if (const auto* w = std::get_if<transport::WriteRequest>(&body)) {
    if (!serving || !stripes_) return violation("Write outside a backup");
    const transport::RequestHeader& h = w->header;
    if (Status st = stripes_->Accept(h.device, h.command_seq); !st.ok()) {
      return violation(st.message());
    }
    if (w->size > stripes_->max_transfer_size()) {
      return violation("write size " + std::to_string(w->size) + " > max transfer size");
    }
    transport::Reply r = ReplyFor(h, w->buffer_handle);
    Status st = [&]() -> Status {
      VDIBK_ASSIGN_OR_RETURN(uint8_t * p, mapper_->Map(w->buffer_handle));
      return stripes_->Append(h.device, p, w->size);
    }();
    if (st.ok()) {
      r.bytes = w->size;
    } else {
      SetError(r, st.WithContext("device " + std::to_string(h.device)));
    }
    return SendReply(channel, std::move(r));
  }
  if (const auto* flush = std::get_if<transport::FlushRequest>(&body)) {
    if (!serving || !stripes_) return violation("Flush outside a backup");
    const transport::RequestHeader& h = flush->header;
    if (Status st = stripes_->Accept(h.device, h.command_seq); !st.ok()) {
      return violation(st.message());
    }
    transport::Reply r = ReplyFor(h, 0);
    if (Status st = stripes_->Flush(h.device); !st.ok()) SetError(r, st);
    return SendReply(channel, std::move(r));
  }
  if (const auto* complete = std::get_if<transport::CompleteRequest>(&body)) {
    if (!serving || !stripes_) return violation("Complete outside a backup");
    const transport::RequestHeader& h = complete->header;
    if (Status st = stripes_->Accept(h.device, h.command_seq); !st.ok()) {
      return violation(st.message());
    }
    transport::Reply r = ReplyFor(h, 0);
    Result<stripe::StripeSummary> s = stripes_->Finalize(h.device);
    if (s.ok()) {
      r.bytes = s->raw_bytes;
      r.digest = stripe::DigestBytes(s->raw_xxh64);
      r.compressed_bytes = s->file_bytes;
      r.file_digest = stripe::DigestBytes(s->file_xxh64);
    } else {
      SetError(r, s.status());
    }
    return SendReply(channel, std::move(r));
  }
  if (std::holds_alternative<transport::EncodeRequest>(body) ||
      std::holds_alternative<transport::PlaceRequest>(body) ||
      std::holds_alternative<transport::AdoptRequest>(body)) {
    if (!serving || !stripes_) return violation("fan-out request outside a backup");
    return HandleFanout(channel, body);
  }
  if (const auto* batch = std::get_if<transport::Batch>(&body)) {
    for (const transport::Body& item : batch->items) {
      if (!transport::IsDataRequest(item)) {
        return violation("batch item of type " + std::to_string(transport::BodyNumber(item)));
      }
      VDIBK_RETURN_IF_ERROR(Handle(channel, item));
      VDIBK_RETURN_IF_ERROR(KeepAlive(channel));
    }
    return Status::Ok();
  }
  return violation("unexpected message type " + std::to_string(transport::BodyNumber(body)));
}

// Restore: decompress straight into the mapped buffer; a short read (bytes < size) is the end
// of the stripe and is completed by the coordinator with ERROR_HANDLE_EOF.
Status Worker::HandleRead(transport::Channel& channel, const transport::ReadRequest& rq) {
  const transport::RequestHeader& h = rq.header;
  if (Status st = restore_->Accept(h.device, h.command_seq); !st.ok()) {
    Status v = Status::Failed("protocol violation: " + st.message());
    (void)SendAbort(channel, v);
    return v;
  }
  if (rq.size > restore_->max_transfer_size()) {
    Status v = Status::Failed("protocol violation: read size " + std::to_string(rq.size) +
                              " > max transfer size");
    (void)SendAbort(channel, v);
    return v;
  }
  transport::Reply r = ReplyFor(h, rq.buffer_handle);
  Result<size_t> n = [&]() -> Result<size_t> {
    VDIBK_ASSIGN_OR_RETURN(uint8_t * p, mapper_->MapForWrite(rq.buffer_handle, rq.size));
    return restore_->Read(h.device, p, rq.size);
  }();
  if (n.ok()) {
    r.bytes = *n;
    if (*n < rq.size) r.completion_code = ERROR_HANDLE_EOF;
  } else {
    SetError(r, n.status());
  }
  return SendReply(channel, std::move(r));
}

}  // namespace vdibk::workers
