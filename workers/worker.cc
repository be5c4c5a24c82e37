// Worker event loop: DEALER socket, liveness, request handling.
#include "workers/worker.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "proto/envelope.pb.h"
#include "shared/base/log.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/null_target.h"
#include "shared/stripe/stripe_format.h"
#include "shared/transport/channel.h"
#include "shared/transport/envelope_codec.h"
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

Result<StripeSetSpec> SpecFromAssign(const proto::Assign& a) {
  StripeSetSpec s;
  if (a.direction() != proto::DIRECTION_BACKUP && a.direction() != proto::DIRECTION_RESTORE) {
    return Status::Configuration("Assign without a direction");
  }
  if (a.backup_set_id().size() != s.set_id.size()) return Status::Failed("set id is not 16 bytes");
  std::copy(a.backup_set_id().begin(), a.backup_set_id().end(), s.set_id.begin());
  s.database = a.database();
  switch (a.backup_type()) {
    case proto::BACKUP_TYPE_DIFF:
      s.backup_type = stripe::BackupType::kDiff;
      break;
    case proto::BACKUP_TYPE_LOG:
      s.backup_type = stripe::BackupType::kLog;
      break;
    default:
      s.backup_type = stripe::BackupType::kFull;
  }
  s.compression = a.compression() == proto::COMPRESSION_NONE ? stripe::Compression::kNone
                                                             : stripe::Compression::kLz4;
  s.level = a.compression_level();
  s.device_count = a.device_count();
  s.max_transfer_size = a.max_transfer_size();
  for (const proto::DeviceAssignment& d : a.devices()) {
    s.devices.push_back({d.device_index(), d.device_name(), d.stripe_file(),
                         d.target_dir().empty() ? a.target_dir() : d.target_dir(),
                         d.role() != proto::DEVICE_ROLE_ENCODER});
  }
  return s;
}

// The worker's failpoint (an invalid spec was refused by main(); here it arms nothing).
Failpoint ArmedFailpoint(const WorkerOptions& o) {
  Result<Failpoint> f = Failpoint::Parse(o.failpoint, o.worker_id);
  return f.ok() ? std::move(f).value() : Failpoint();
}

// The failpoint name of a request ("" for other messages).
std::string RequestKindName(const proto::Envelope& env) {
  switch (env.body_case()) {
    case proto::Envelope::kAssign:
      return "assign";
    case proto::Envelope::kWrite:
      return "write";
    case proto::Envelope::kFlush:
      return "flush";
    case proto::Envelope::kComplete:
      return "complete";
    case proto::Envelope::kRead:
      return "read";
    case proto::Envelope::kEncode:
      return "encode";
    case proto::Envelope::kPlace:
      return "place";
    case proto::Envelope::kAdopt:
      return "adopt";
    default:
      return "";
  }
}

}  // namespace

Result<std::unique_ptr<stripe::Target>> DefaultTarget(const proto::Assign& a,
                                                      const std::string& dir) {
  if (a.target_kind() == proto::TARGET_KIND_NULL) {
    if (a.direction() != proto::DIRECTION_BACKUP) {
      return Status::Configuration("a null target keeps nothing to restore");
    }
    return std::unique_ptr<stripe::Target>(new stripe::NullTarget());
  }
  if (a.target_kind() != proto::TARGET_KIND_DIRECTORY) {
    return Status::Configuration("unsupported target kind " + std::to_string(a.target_kind()));
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

Status Worker::Send(transport::Channel& channel, proto::Envelope& env) {
  VDIBK_RETURN_IF_ERROR(FlushReplies(channel));
  return SendNow(channel, env);
}

Status Worker::FlushReplies(transport::Channel& channel) {
  if (replies_.empty()) return Status::Ok();
  proto::Envelope env;
  if (replies_.size() == 1) {
    *env.mutable_reply() = std::move(replies_.front());
  } else {
    for (proto::Reply& r : replies_) *env.mutable_batch()->add_items()->mutable_reply() = std::move(r);
  }
  replies_.clear();
  if (replies_to_data_ && data_) {
    env.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
    env.set_sender(options_.worker_id);
    env.set_seq(data_next_seq_++);
    // last_sent_ stays: heartbeats keep going over the channel every interval, so that the
    // coordinator's liveness does not depend on how soon its reader thread takes these.
    return data_->Send(env);
  }
  return SendNow(channel, env);
}

Status Worker::SendNow(transport::Channel& channel, proto::Envelope& env) {
  env.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
  env.set_sender(options_.worker_id);
  env.set_seq(next_seq_++);
  last_sent_ = clock_.Now();
  return transport::SendEnvelope(channel, env, kSendTimeout);
}

Status Worker::SendReply(transport::Channel& channel, const proto::Reply& reply) {
  if (gathering_) {
    replies_.push_back(reply);
    return Status::Ok();
  }
  proto::Envelope env;
  *env.mutable_reply() = reply;
  return Send(channel, env);
}

Status Worker::SendAbort(transport::Channel& channel, const Status& cause) {
  proto::Envelope env;
  env.mutable_abort()->set_code(static_cast<uint32_t>(cause.code()));
  env.mutable_abort()->set_message(cause.message());
  return Send(channel, env);
}

Status Worker::SendHeartbeat(transport::Channel& channel) {
  proto::Envelope env;
  env.mutable_heartbeat();
  return Send(channel, env);
}

Status Worker::Serve(transport::Channel& channel) {
  proto::Envelope hello;
  proto::Hello* h = hello.mutable_hello();
  h->set_worker_id(options_.worker_id);
  h->set_pid(static_cast<uint32_t>(getpid()));
  h->set_uid(static_cast<uint32_t>(getuid()));
  h->set_version(kVersion);
  h->set_capabilities(proto::CAPABILITY_LZ4 | proto::CAPABILITY_RESTORE);
  // The coordinator's socket may not be there yet (a worker started by a supervisor): the
  // Hello waits up to connect_timeout for it (ZMQ_IMMEDIATE queues nothing until connected).
  hello.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
  hello.set_sender(options_.worker_id);
  hello.set_seq(next_seq_++);
  if (Status st = transport::SendEnvelope(channel, hello, options_.connect_timeout); !st.ok()) {
    return Status::Aborted("no coordinator at " + options_.endpoint + " within " +
                           std::to_string(options_.connect_timeout.count() / 1000) +
                           " s: " + st.message());
  }
  last_sent_ = clock_.Now();
  auto last_heard = clock_.Now();
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
    if (now - last_heard >= expiry) {
      return Status::Aborted("coordinator silent for " +
                             std::to_string(options_.liveness.liveness) + " heartbeat intervals");
    }
    if (now - last_sent_ >= interval) VDIBK_RETURN_IF_ERROR(SendHeartbeat(channel));
    auto until_hb = std::chrono::duration_cast<milliseconds>(last_sent_ + interval - now);
    auto until_dead = std::chrono::duration_cast<milliseconds>(last_heard + expiry - now);
    milliseconds wait =
        std::clamp(std::min(until_hb, until_dead), milliseconds(1), milliseconds(200));
    poller.Clear();
    poller.Add(channel);
    if (data_) poller.AddFd(data_->fd());
    VDIBK_ASSIGN_OR_RETURN(int ready, poller.Wait(wait));
    if (ready == 0) continue;
    last_heard = clock_.Now();
    if (data_ && poller.Ready(1)) VDIBK_RETURN_IF_ERROR(ServeData(channel));
    if (!poller.Ready(0)) continue;
    VDIBK_ASSIGN_OR_RETURN(std::optional<transport::Inbound> in,
                           transport::ReceiveEnvelope(channel, milliseconds(0)));
    if (!in) continue;
    // Everything already queued is handled before the replies go out, as one message.
    gathering_ = true;
    Status st = Receive(channel, *in);
    for (int more = 0; st.ok() && state_ != State::kDone && more < kMaxGathered; ++more) {
      Result<std::optional<transport::Inbound>> next =
          transport::ReceiveEnvelope(channel, milliseconds(0));
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
    const proto::Envelope& env = p.envelope;
    if (!p.status.ok()) {
      st = Status(p.status.code() == ErrorCode::kConfiguration ? ErrorCode::kConfiguration
                                                               : ErrorCode::kFailed,
                  "bad data packet from the coordinator: " + p.status.message());
    } else if (env.seq() != data_inbound_seq_ + 1) {
      st = Status::Failed("coordinator data seq " + std::to_string(env.seq()) + " after " +
                          std::to_string(data_inbound_seq_));
    } else if (!transport::IsDataRequest(env) && env.body_case() != proto::Envelope::kBatch) {
      st = Status::Failed("protocol violation: data packet of type " +
                          std::to_string(env.body_case()));
    } else {
      data_inbound_seq_ = env.seq();
      st = Handle(channel, env);
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
  const proto::Envelope& env = in.envelope;
  if (env.seq() != last_inbound_seq_ + 1) {
    Status st = Status::Failed("coordinator message seq " + std::to_string(env.seq()) +
                               " after " + std::to_string(last_inbound_seq_));
    (void)SendAbort(channel, st);
    return st;
  }
  last_inbound_seq_ = env.seq();
  return Handle(channel, env);
}

Status Worker::HandleAssign(transport::Channel& channel, const proto::Assign& assign) {
  Status st = [&]() -> Status {
    VDIBK_ASSIGN_OR_RETURN(StripeSetSpec spec, SpecFromAssign(assign));
    VDIBK_RETURN_IF_ERROR(mapper_->Open(assign.set_name()));
    // One target per distinct stripe directory; a null target is one sink for all devices.
    TargetSet targets(
        [make = make_target_, assign](const std::string& dir) { return make(assign, dir); });
    if (assign.target_kind() == proto::TARGET_KIND_NULL) {
      VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> sink, make_target_(assign, ""));
      targets = TargetSet::Single(std::move(sink));
    }
    if (assign.direction() == proto::DIRECTION_RESTORE) {
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
  proto::Envelope ready;
  for (uint32_t d : restore_ ? restore_->device_indexes() : stripes_->device_indexes()) {
    ready.mutable_ready()->add_device_indexes(d);
  }
  state_ = State::kServing;
  return Send(channel, ready);
}

Status Worker::Handle(transport::Channel& channel, const proto::Envelope& env) {
  auto violation = [&](const std::string& what) {
    Status st = Status::Failed("protocol violation: " + what);
    (void)SendAbort(channel, st);
    return st;
  };
  const bool serving = state_ == State::kServing;
  if (failpoint_.armed()) failpoint_.MaybeDie(RequestKindName(env));
  switch (env.body_case()) {
    case proto::Envelope::kHeartbeat:
      return Status::Ok();
    case proto::Envelope::kAssign:
      if (state_ != State::kGreeting) return violation("second Assign");
      return HandleAssign(channel, env.assign());
    case proto::Envelope::kAbort: {
      ErrorCode code = ErrorCodeFromWire(env.abort().code());
      if (code == ErrorCode::kOk) code = ErrorCode::kAborted;
      return Status(code, "aborted by the coordinator: " + env.abort().message());
    }
    case proto::Envelope::kShutdown: {
      // Acknowledge (our last message; a supervisor-launched worker's coordinator waits for it),
      // and give it time to leave before the socket closes.
      state_ = State::kDone;
      proto::Envelope ack;
      ack.mutable_shutdown()->set_reason("acknowledged");
      channel.SetLinger(std::chrono::milliseconds(1000));
      return Send(channel, ack);
    }
    case proto::Envelope::kRead:
      if (!serving || !restore_) return violation("Read outside a restore");
      return HandleRead(channel, env.read());
    case proto::Envelope::kWrite: {
      if (!serving || !stripes_) return violation("Write outside a backup");
      const proto::WriteRequest& w = env.write();
      const proto::RequestHeader& h = w.header();
      if (Status st = stripes_->Accept(h.device(), h.command_seq()); !st.ok()) {
        return violation(st.message());
      }
      if (w.size() > stripes_->max_transfer_size()) {
        return violation("write size " + std::to_string(w.size()) + " > max transfer size");
      }
      proto::Reply r = ReplyFor(h, w.buffer_handle());
      Status st = [&]() -> Status {
        VDIBK_ASSIGN_OR_RETURN(uint8_t * p, mapper_->Map(w.buffer_handle()));
        return stripes_->Append(h.device(), p, w.size());
      }();
      if (st.ok()) {
        r.set_bytes(w.size());
      } else {
        SetError(r, st.WithContext("device " + std::to_string(h.device())));
      }
      return SendReply(channel, r);
    }
    case proto::Envelope::kFlush: {
      if (!serving || !stripes_) return violation("Flush outside a backup");
      const proto::RequestHeader& h = env.flush().header();
      if (Status st = stripes_->Accept(h.device(), h.command_seq()); !st.ok()) {
        return violation(st.message());
      }
      proto::Reply r = ReplyFor(h, 0);
      if (Status st = stripes_->Flush(h.device()); !st.ok()) SetError(r, st);
      return SendReply(channel, r);
    }
    case proto::Envelope::kComplete: {
      if (!serving || !stripes_) return violation("Complete outside a backup");
      const proto::RequestHeader& h = env.complete().header();
      if (Status st = stripes_->Accept(h.device(), h.command_seq()); !st.ok()) {
        return violation(st.message());
      }
      proto::Reply r = ReplyFor(h, 0);
      Result<stripe::StripeSummary> s = stripes_->Finalize(h.device());
      if (s.ok()) {
        r.set_bytes(s->raw_bytes);
        r.set_digest(stripe::DigestBytes(s->raw_xxh64));
        r.set_compressed_bytes(s->file_bytes);
        r.set_file_digest(stripe::DigestBytes(s->file_xxh64));
      } else {
        SetError(r, s.status());
      }
      return SendReply(channel, r);
    }
    case proto::Envelope::kEncode:
    case proto::Envelope::kPlace:
    case proto::Envelope::kAdopt:
      if (!serving || !stripes_) return violation("fan-out request outside a backup");
      return HandleFanout(channel, env);
    case proto::Envelope::kBatch:
      for (const proto::Envelope& item : env.batch().items()) {
        if (!transport::IsDataRequest(item)) {
          return violation("batch item of type " + std::to_string(item.body_case()));
        }
        VDIBK_RETURN_IF_ERROR(Handle(channel, item));
      }
      return Status::Ok();
    default:
      return violation("unexpected message type " + std::to_string(env.body_case()));
  }
}

// Restore: decompress straight into the mapped buffer; a short read (bytes < size) is the end
// of the stripe and is completed by the coordinator with ERROR_HANDLE_EOF.
Status Worker::HandleRead(transport::Channel& channel, const proto::ReadRequest& rq) {
  const proto::RequestHeader& h = rq.header();
  if (Status st = restore_->Accept(h.device(), h.command_seq()); !st.ok()) {
    Status v = Status::Failed("protocol violation: " + st.message());
    (void)SendAbort(channel, v);
    return v;
  }
  if (rq.size() > restore_->max_transfer_size()) {
    Status v = Status::Failed("protocol violation: read size " + std::to_string(rq.size()) +
                              " > max transfer size");
    (void)SendAbort(channel, v);
    return v;
  }
  proto::Reply r = ReplyFor(h, rq.buffer_handle());
  Result<size_t> n = [&]() -> Result<size_t> {
    VDIBK_ASSIGN_OR_RETURN(uint8_t * p, mapper_->MapForWrite(rq.buffer_handle(), rq.size()));
    return restore_->Read(h.device(), p, rq.size());
  }();
  if (n.ok()) {
    r.set_bytes(*n);
    if (*n < rq.size()) r.set_completion_code(ERROR_HANDLE_EOF);
  } else {
    SetError(r, n.status());
  }
  return SendReply(channel, r);
}

}  // namespace vdibk::workers
