// BackupJob, fan-out (proto/README.md §9): with more workers than devices a device's VDC_Write
// buffers are encoded by several workers at once, placed into the owner's stripe at offsets that
// keep the stream order, and adopted by the owner in command order before they are completed.
#include "coordinator/pipeline/backup_job.h"
#include "vdi.h"

namespace vdibk::coordinator {

std::vector<std::string> BackupJob::EncodersFor(uint32_t device) const {
  std::vector<std::string> out{WorkerFor(device)};
  if (options_.workers <= options_.devices) return out;
  for (uint32_t w = options_.devices; w < options_.workers; ++w) {
    if (w % options_.devices == device) out.push_back("w" + std::to_string(w));
  }
  return out;
}

Status BackupJob::IssueEncode(uint32_t device, uint64_t seq, uint32_t handle, void* command) {
  auto* cmd = static_cast<VDC_Command*>(command);
  const std::vector<std::string>& encoders = encoders_[device];
  FanoutCommand c;
  c.seq = seq;
  c.encoder = encoders[next_encoder_[device]++ % encoders.size()];
  c.handle = handle;
  c.size = static_cast<uint32_t>(cmd->size);
  c.command = command;
  VDIBK_RETURN_IF_ERROR(fanout_->Begin(device, c));
  Outstanding req;
  req.worker = c.encoder;
  req.device = device;
  req.seq = seq;
  req.kind = RequestKind::kEncode;
  req.handle = handle;
  req.size = c.size;
  return dispatcher_->Issue(req, transport::EncodeRequest{{device, seq}, handle, c.size});
}

bool BackupJob::DrainFanout(uint32_t device) {
  if (!Fanout(device)) return !failed();
  return fanout_->WaitDrained(device) && !failed();
}

Status BackupJob::IssueSteps(const std::vector<FanoutStep>& steps) {
  for (const FanoutStep& s : steps) {
    Outstanding req;
    req.device = s.device;
    req.seq = s.command.seq;
    const transport::RequestHeader h{s.device, s.command.seq};
    transport::Body body;
    if (s.kind == FanoutStep::Kind::kPlace) {
      req.worker = s.command.encoder;
      req.kind = RequestKind::kPlace;
      body = transport::PlaceRequest{h, s.frame_offset};
    } else {
      req.worker = WorkerFor(s.device);
      req.kind = RequestKind::kAdopt;
      req.handle = s.command.handle;
      req.size = s.command.size;
      body = transport::AdoptRequest{h, s.command.handle, s.command.size, s.frame_offset,
                                     s.frame_bytes};
    }
    VDIBK_RETURN_IF_ERROR(dispatcher_->Issue(req, std::move(body)));
  }
  return Status::Ok();
}

void BackupJob::OnFanoutReply(const Outstanding& req, const transport::Reply& reply) {
  if (!fanout_) {
    Fail(Status::Aborted("fan-out reply from worker " + req.worker + " without fan-out"));
    return;
  }
  Status st;
  switch (req.kind) {
    case RequestKind::kEncode: {
      Result<std::vector<FanoutStep>> steps =
          fanout_->Encoded(req.device, req.seq, reply.compressed_bytes);
      st = steps.ok() ? IssueSteps(*steps) : steps.status();
      break;
    }
    case RequestKind::kPlace: {
      Result<std::vector<FanoutStep>> steps = fanout_->Placed(req.device, req.seq);
      st = steps.ok() ? IssueSteps(*steps) : steps.status();
      break;
    }
    case RequestKind::kAdopt: {
      Result<FanoutCommand> done = fanout_->Adopted(req.device, req.seq);
      if (!done.ok()) {
        st = done.status();
        break;
      }
      progress_->AddBytes(req.device, reply.bytes);
      dispatcher_->Complete(req.device, static_cast<VDC_Command*>(done->command), ERROR_SUCCESS,
                            reply.bytes);
      return;
    }
    default:
      st = Status::Failed("not a fan-out request");
  }
  if (!st.ok()) {
    Fail(st.WithContext("worker " + req.worker + ", device " + std::to_string(req.device)));
  }
}

}  // namespace vdibk::coordinator
