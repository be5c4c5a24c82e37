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
    Result<stripe::Target*> target = out.targets_.For(a.target_dir);
    if (!target.ok()) {
      out.AbortAll();
      return target.status().WithContext("device " + std::to_string(a.device_index));
    }
    Result<stripe::StripeWriter> w = stripe::StripeWriter::Create(**target, a.stripe_file, h);
    if (!w.ok()) {
      out.AbortAll();
      return w.status().WithContext("device " + std::to_string(a.device_index));
    }
    Device d;
    d.writer = std::make_unique<stripe::StripeWriter>(std::move(w).value());
    out.devices_.emplace(a.device_index, std::move(d));
  }
  return out;
}

DeviceStripes::~DeviceStripes() { AbortAll(); }

Result<DeviceStripes::Device*> DeviceStripes::Find(uint32_t device) {
  auto it = devices_.find(device);
  if (it == devices_.end()) {
    return Status::Failed("request for unassigned device " + std::to_string(device));
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
    if (d.writer) {
      d.writer->Abort();
      d.writer.reset();
    }
  }
}

bool DeviceStripes::AllFinalized() const {
  for (const auto& [index, d] : devices_) {
    if (!d.finalized) return false;
  }
  return true;
}

std::vector<uint32_t> DeviceStripes::device_indexes() const {
  std::vector<uint32_t> out;
  for (const auto& [index, d] : devices_) out.push_back(index);
  return out;
}

std::vector<DeviceProgress> DeviceStripes::Progress() const {
  std::vector<DeviceProgress> out;
  for (const auto& [index, d] : devices_) {
    out.push_back({index, d.bytes_in, d.writer ? d.writer->file_bytes() : 0});
  }
  return out;
}

}  // namespace vdibk::workers
