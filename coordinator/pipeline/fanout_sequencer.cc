// FanoutSequencer: per-device ordered maps of commands between Encode and Adopt.
#include "coordinator/pipeline/fanout_sequencer.h"

namespace vdibk::coordinator {
namespace {

std::string Where(uint32_t device, uint64_t seq) {
  return "device " + std::to_string(device) + " seq " + std::to_string(seq);
}

}  // namespace

Status FanoutSequencer::Begin(uint32_t device, const FanoutCommand& command) {
  if (device >= devices_)
    return Status::Failed("fan-out for unknown device " + std::to_string(device));
  std::lock_guard<std::mutex> lock(mu_);
  Device& d = by_device_[device];
  if (command.seq <= d.last_seq) {
    return Status::Failed("fan-out " + Where(device, command.seq) + " out of order");
  }
  d.last_seq = command.seq;
  Entry e;
  e.command = command;
  d.entries.emplace(command.seq, std::move(e));
  return Status::Ok();
}

Result<FanoutSequencer::Entry*> FanoutSequencer::Find(uint32_t device, uint64_t seq) {
  auto d = by_device_.find(device);
  if (d == by_device_.end())
    return Status::Aborted("fan-out reply for idle device " + std::to_string(device));
  auto e = d->second.entries.find(seq);
  if (e == d->second.entries.end())
    return Status::Aborted("fan-out reply for unknown " + Where(device, seq));
  return &e->second;
}

Result<std::vector<FanoutStep>> FanoutSequencer::Encoded(uint32_t device, uint64_t seq,
                                                         uint64_t frame_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  VDIBK_ASSIGN_OR_RETURN(Entry * e, Find(device, seq));
  if (e->frame_bytes) return Status::Aborted("second Encode reply for " + Where(device, seq));
  if (frame_bytes == 0) return Status::Aborted("empty frame encoded for " + Where(device, seq));
  e->frame_bytes = frame_bytes;
  std::vector<FanoutStep> steps;
  Device& d = by_device_[device];
  for (auto& [s, entry] : d.entries) {
    if (entry.place_issued) continue;
    if (!entry.frame_bytes) break;
    entry.place_issued = true;
    entry.frame_offset = d.cursor;
    steps.push_back(
        {FanoutStep::Kind::kPlace, device, entry.command, d.cursor, *entry.frame_bytes});
    d.cursor += *entry.frame_bytes;
  }
  return steps;
}

Result<std::vector<FanoutStep>> FanoutSequencer::Placed(uint32_t device, uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  VDIBK_ASSIGN_OR_RETURN(Entry * e, Find(device, seq));
  if (!e->place_issued || e->placed) {
    return Status::Aborted("unexpected Place reply for " + Where(device, seq));
  }
  e->placed = true;
  std::vector<FanoutStep> steps;
  for (auto& [s, entry] : by_device_[device].entries) {
    if (entry.adopt_issued) continue;
    if (!entry.placed) break;
    entry.adopt_issued = true;
    steps.push_back(
        {FanoutStep::Kind::kAdopt, device, entry.command, entry.frame_offset, *entry.frame_bytes});
  }
  return steps;
}

Result<FanoutCommand> FanoutSequencer::Adopted(uint32_t device, uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  VDIBK_ASSIGN_OR_RETURN(Entry * e, Find(device, seq));
  if (!e->adopt_issued) return Status::Aborted("unexpected Adopt reply for " + Where(device, seq));
  FanoutCommand out = e->command;
  Device& d = by_device_[device];
  if (d.entries.begin()->first != seq) {
    return Status::Aborted("Adopt reply out of order for " + Where(device, seq));
  }
  d.entries.erase(d.entries.begin());
  cv_.notify_all();
  return out;
}

bool FanoutSequencer::WaitDrained(uint32_t device) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return cancelled_ || by_device_[device].entries.empty(); });
  return !cancelled_;
}

void FanoutSequencer::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  cv_.notify_all();
}

size_t FanoutSequencer::in_flight(uint32_t device) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto d = by_device_.find(device);
  return d == by_device_.end() ? 0 : d->second.entries.size();
}

}  // namespace vdibk::coordinator
