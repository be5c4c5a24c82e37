// DeviceStripes: per-device StripeWriters of one worker.
#include "workers/device_stripes.h"

#include <chrono>

namespace vdibk::workers {
namespace {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<DeviceStripes> DeviceStripes::Open(const StripeSetSpec& spec, TargetSet targets) {
  if (spec.devices.empty()) return Status::Failed("Assign without devices");
  DeviceStripes out;
  out.targets_ = std::move(targets);
  out.max_transfer_size_ = spec.max_transfer_size;
  out.compression_ = spec.compression;
  out.level_ = spec.level;
  const int64_t created = NowUnixMs();
  for (const StripeAssignment& a : spec.devices) {
    if (a.device_index >= spec.device_count) {
      return Status::Failed("device index " + std::to_string(a.device_index) + " >= count " +
                            std::to_string(spec.device_count));
    }
    if (out.devices_.count(a.device_index) != 0) {
      return Status::Failed("device " + std::to_string(a.device_index) + " assigned twice");
    }
    stripe::StripeHeader h;
    h.set_id = spec.set_id;
    h.database = spec.database;
    h.backup_type = spec.backup_type;
    h.device_index = a.device_index;
    h.device_count = spec.device_count;
    h.created_unix_ms = created;
    h.compression = spec.compression;
    h.level = static_cast<int8_t>(spec.level);
    out.block_size_ = h.block_size;
    Result<stripe::Target*> target = out.targets_.For(a.target_dir);
    if (!target.ok()) {
      out.AbortAll();
      return target.status().WithContext("device " + std::to_string(a.device_index));
    }
    Device d;
    d.owner = a.owner;
    d.stripe_file = a.stripe_file;
    d.target = *target;
    // The header's size does not depend on the creation time: encoders know where frames start.
    Result<std::vector<uint8_t>> head = stripe::EncodeHeaderFrame(h);
    if (!head.ok()) {
      out.AbortAll();
      return head.status().WithContext("device " + std::to_string(a.device_index));
    }
    d.header_bytes = head->size();
    if (a.owner) {
      Result<stripe::StripeWriter> w = stripe::StripeWriter::Create(**target, a.stripe_file, h);
      if (!w.ok()) {
        out.AbortAll();
        return w.status().WithContext("device " + std::to_string(a.device_index));
      }
      d.writer = std::make_unique<stripe::StripeWriter>(std::move(w).value());
    }
    out.devices_.emplace(a.device_index, std::move(d));
  }
  return out;
}

DeviceStripes::~DeviceStripes() { AbortAll(); }

Result<DeviceStripes::Device*> DeviceStripes::FindAny(uint32_t device) {
  auto it = devices_.find(device);
  if (it == devices_.end()) {
    return Status::Failed("request for unassigned device " + std::to_string(device));
  }
  return &it->second;
}

Result<DeviceStripes::Device*> DeviceStripes::Find(uint32_t device) {
  auto it = devices_.find(device);
  if (it == devices_.end()) {
    return Status::Failed("request for unassigned device " + std::to_string(device));
  }
  if (!it->second.owner) {
    return Status::Failed("device " + std::to_string(device) + " is not owned by this worker");
  }
  if (!it->second.writer) {
    return Status::Failed("device " + std::to_string(device) + " is already finalized");
  }
  return &it->second;
}

Status DeviceStripes::Accept(uint32_t device, uint64_t command_seq) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, Find(device));
  if (command_seq != d->last_seq + 1) {
    return Status::Failed("device " + std::to_string(device) + ": command_seq " +
                          std::to_string(command_seq) + " out of order (expected " +
                          std::to_string(d->last_seq + 1) + ")");
  }
  d->last_seq = command_seq;
  return Status::Ok();
}

Status DeviceStripes::Append(uint32_t device, const void* data, size_t size) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, Find(device));
  VDIBK_RETURN_IF_ERROR(d->writer->Append(data, size));
  d->bytes_in += size;
  return Status::Ok();
}

Status DeviceStripes::Flush(uint32_t device) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, Find(device));
  return d->writer->Flush();
}

Result<stripe::StripeSummary> DeviceStripes::Finalize(uint32_t device) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, Find(device));
  Result<stripe::StripeSummary> s = d->writer->Finalize();
  if (!s.ok()) {
    d->writer->Abort();
    d->writer.reset();
    return s.status();
  }
  d->writer.reset();
  d->finalized = true;
  return s;
}

void DeviceStripes::AbortAll() {
  for (auto& [index, d] : devices_) {
    d.placement.reset();
    d.held.clear();
    if (d.writer) {
      d.writer->Abort();
      d.writer.reset();
    }
  }
}

Result<uint64_t> DeviceStripes::Encode(uint32_t device, uint64_t command_seq, const void* data,
                                       size_t size) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, FindAny(device));
  if (d->owner && !d->writer) {
    return Status::Failed("device " + std::to_string(device) + " is already finalized");
  }
  if (command_seq <= d->last_encode_seq) {
    return Status::Failed("device " + std::to_string(device) + ": encode command_seq " +
                          std::to_string(command_seq) + " after " +
                          std::to_string(d->last_encode_seq));
  }
  d->last_encode_seq = command_seq;
  if (!frames_) {
    VDIBK_ASSIGN_OR_RETURN(stripe::FrameBuffer fb,
                           stripe::FrameBuffer::Create(compression_, level_, block_size_));
    frames_.emplace(std::move(fb));
  }
  std::vector<uint8_t> frame;
  if (!spare_.empty()) {
    frame = std::move(spare_.back());
    spare_.pop_back();
  }
  VDIBK_RETURN_IF_ERROR(frames_->Encode(data, size, frame));
  const uint64_t bytes = frame.size();
  d->held.emplace(command_seq, std::move(frame));
  return bytes;
}

Status DeviceStripes::Place(uint32_t device, uint64_t command_seq, uint64_t frame_offset) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, FindAny(device));
  auto it = d->held.find(command_seq);
  if (it == d->held.end()) {
    return Status::Failed("device " + std::to_string(device) +
                          ": no encoded frame for command_seq " + std::to_string(command_seq));
  }
  if (!d->placement) {
    VDIBK_ASSIGN_OR_RETURN(d->placement, d->target->OpenForPlacement(d->stripe_file));
  }
  Status st =
      d->placement->WriteAt(d->header_bytes + frame_offset, it->second.data(), it->second.size());
  spare_.push_back(std::move(it->second));
  d->held.erase(it);
  if (spare_.size() > 4) spare_.resize(4);
  if (!st.ok()) return st.WithContext("device " + std::to_string(device));
  return Status::Ok();
}

Status DeviceStripes::Adopt(uint32_t device, const void* raw, size_t size, uint64_t frame_offset,
                            uint64_t frame_bytes) {
  VDIBK_ASSIGN_OR_RETURN(Device * d, Find(device));
  VDIBK_RETURN_IF_ERROR(d->writer->Adopt(raw, size, frame_offset, frame_bytes));
  d->bytes_in += size;
  return Status::Ok();
}

size_t DeviceStripes::held_frames() const {
  size_t n = 0;
  for (const auto& [index, d] : devices_) n += d.held.size();
  return n;
}

bool DeviceStripes::AllFinalized() const {
  for (const auto& [index, d] : devices_) {
    if (d.owner && !d.finalized) return false;
  }
  return true;
}

std::vector<uint32_t> DeviceStripes::device_indexes() const {
  std::vector<uint32_t> out;
  for (const auto& [index, d] : devices_) out.push_back(index);
  return out;
}

}  // namespace vdibk::workers
