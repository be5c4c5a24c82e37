// RestoreStripes: stripe readers of a restore worker.
#include "workers/restore_device.h"

#include <string>

namespace vdibk::workers {

Result<RestoreStripes> RestoreStripes::Open(const StripeSetSpec& spec, TargetSet targets) {
  RestoreStripes s;
  s.targets_ = std::move(targets);
  s.max_transfer_size_ = spec.max_transfer_size;
  for (const StripeAssignment& a : spec.devices) {
    if (a.device_index >= spec.device_count) {
      return Status::Failed("device index " + std::to_string(a.device_index) + " out of range");
    }
    if (s.devices_.count(a.device_index)) {
      return Status::Failed("device " + std::to_string(a.device_index) + " assigned twice");
    }
    stripe::StripeExpectation expect;
    expect.set_id = spec.set_id;
    expect.device_index = a.device_index;
    expect.device_count = spec.device_count;
    Result<stripe::Target*> target = s.targets_.For(a.target_dir);
    if (!target.ok()) return target.status().WithContext("stripe " + a.stripe_file);
    Result<stripe::StripeReader> r = stripe::StripeReader::Open(**target, a.stripe_file, expect);
    if (!r.ok()) return r.status().WithContext("stripe " + a.stripe_file);
    Device& d = s.devices_[a.device_index];
    d.reader = std::make_unique<stripe::StripeReader>(std::move(r).value());
    // Block checksums and the stream digest (checked before the last read completes) cover
    // what the server gets; the content checksums are `vdibackup verify`'s (docs/format.md §4).
    d.reader->set_content_checksums(false);
  }
  return s;
}

Status RestoreStripes::Accept(uint32_t device, uint64_t command_seq) {
  auto it = devices_.find(device);
  if (it == devices_.end()) {
    return Status::Failed("request for unassigned device " + std::to_string(device));
  }
  if (command_seq != it->second.last_seq + 1) {
    return Status::Failed("device " + std::to_string(device) + ": command_seq " +
                          std::to_string(command_seq) + " after " +
                          std::to_string(it->second.last_seq));
  }
  it->second.last_seq = command_seq;
  return Status::Ok();
}

Result<size_t> RestoreStripes::Read(uint32_t device, void* dst, size_t size) {
  auto it = devices_.find(device);
  if (it == devices_.end()) return Status::Failed("unassigned device " + std::to_string(device));
  Result<size_t> n = it->second.reader->Read(dst, size);
  if (!n.ok()) return n.status().WithContext("device " + std::to_string(device));
  it->second.bytes_out += *n;
  return *n;
}

std::vector<uint32_t> RestoreStripes::device_indexes() const {
  std::vector<uint32_t> out;
  for (const auto& [index, d] : devices_) out.push_back(index);
  return out;
}

}  // namespace vdibk::workers
