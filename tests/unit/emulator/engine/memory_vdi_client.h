// A small VDI client of our own for emulator tests: the primary client of a set, one thread per
// device, keeping each device's backup stream in memory and serving it back on restore. Options
// make it fail a chosen command, drain devices one after another, or count what it saw; with
// VDF_LikeTape / VDF_LikeDisk features it keeps a position, filemarks and honours positions, and
// it answers the snapshot commands (hooks let a test act at VDC_Snapshot / VDC_MountSnapshot).
// With VDF_Discard it empties a device's stream on VDC_Discard. It records every command's size.
#ifndef VDIBK_TESTS_UNIT_EMULATOR_ENGINE_MEMORY_VDI_CLIENT_H_
#define VDIBK_TESTS_UNIT_EMULATOR_ENGINE_MEMORY_VDI_CLIENT_H_

#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vdi.h"
#include "vdierror.h"

namespace vdibk::emulator::testing {

struct MemoryClientOptions {
  uint32_t devices = 1;
  bool request_complete = true;
  int fail_command = 0;  // VDC_* code to fail (0 = none)
  uint32_t fail_code = ERROR_DISK_FULL;
  bool abort_instead = false;   // at fail_command: SignalAbort instead of an error completion
  bool sequential = false;      // serve device 0 to the end, then device 1, ... (deadlocks)
  int64_t get_timeout_ms = -1;  // GetCommand timeout; on VD_E_TIMEOUT the client aborts the set
  uint32_t features = 0;        // more VDConfig features: VDF_LikeTape, VDF_LikeDisk, ...
  uint32_t snapshot_code = ERROR_SUCCESS;  // completion of VDC_Snapshot / VDC_MountSnapshot
  std::function<void()> on_snapshot;       // runs before VDC_Snapshot is completed
  std::function<void()> on_mount;          // runs before VDC_MountSnapshot is completed
  uint32_t discard_code = ERROR_SUCCESS;   // completion of VDC_Discard (with VDF_Discard)
  int64_t config_timeout_ms = 10000;       // GetConfiguration timeout (-1: no limit)
};

class MemoryVdiClient {
 public:
  MemoryVdiClient(std::string set_name, MemoryClientOptions options)
      : name_(std::move(set_name)), options_(options), streams_(options.devices) {}
  ~MemoryVdiClient() { Join(); }

  std::vector<std::string> DeviceNames() const {
    std::vector<std::string> out;
    for (uint32_t i = 0; i < options_.devices; ++i) {
      out.push_back(i == 0 ? name_ : name_ + "_" + std::to_string(i));
    }
    return out;
  }
  // Creates the set (before the server side starts) and starts serving in the background.
  int Start() {
    VDConfig cfg{};
    cfg.deviceCount = options_.devices;
    cfg.features = options_.features;
    if (options_.request_complete) cfg.features |= VDF_RequestComplete;
    int rc = set_.Create(name_.data(), &cfg);
    if (rc != NOERROR) return rc;
    main_ = std::thread([this] { Serve(); });
    return NOERROR;
  }
  void Join() {
    if (main_.joinable()) main_.join();
  }
  // After Join(): what each device got, and the commands seen.
  std::vector<std::string>& streams() { return streams_; }
  int count(int code) {
    std::lock_guard l(mu_);
    return counts_[code];
  }
  int last_result(uint32_t d) const { return results_.at(d); }
  // What GetConfiguration returned (after Join()).
  int config_result() const { return config_result_; }
  uint32_t features() const { return features_; }
  void SetStreams(std::vector<std::string> s) { streams_ = std::move(s); }
  // Filemark positions (byte offsets) per device: written by VDC_WriteMark, honoured by Reads.
  std::vector<std::vector<size_t>>& marks() { return marks_; }
  void SetMarks(std::vector<std::vector<size_t>> m) { marks_ = std::move(m); }
  // Every command code device `d` got, in order (after Join()).
  const std::vector<int>& commands(uint32_t d) const { return log_.at(d); }
  // The size field of every command device `d` got, in the order of commands(d).
  const std::vector<int32_t>& command_sizes(uint32_t d) const { return sizes_.at(d); }
  // Positions carried by device d's data commands, in order (RandomAccess).
  const std::vector<int64_t>& data_positions(uint32_t d) const { return positions_.at(d); }

 private:
  void Serve() {
    VDConfig cfg{};
    results_.assign(options_.devices, 0);
    config_result_ = set_.GetConfiguration(options_.config_timeout_ms, &cfg);
    if (config_result_ != NOERROR) {
      set_.Close();
      return;
    }
    features_ = cfg.features;
    block_size_ = cfg.blockSize ? cfg.blockSize : 512;
    marks_.resize(options_.devices);
    log_.assign(options_.devices, {});
    sizes_.assign(options_.devices, {});
    positions_.assign(options_.devices, {});
    std::vector<ClientVirtualDevice*> devs(options_.devices);
    auto names = DeviceNames();
    for (uint32_t d = 0; d < options_.devices; ++d) set_.OpenDevice(names[d].data(), &devs[d]);
    if (options_.sequential) {
      for (uint32_t d = 0; d < options_.devices; ++d) Device(devs[d], d);
    } else {
      std::vector<std::thread> t;
      for (uint32_t d = 0; d < options_.devices; ++d)
        t.emplace_back([&, d] { Device(devs[d], d); });
      for (auto& x : t) x.join();
    }
    set_.Close();
  }
  void Device(ClientVirtualDevice* dev, uint32_t d) {
    size_t pos = 0;  // the medium position (bytes) for reads and writes
    const bool disk = (features_ & VDF_RandomAccess) != 0;
    const bool tape = (features_ & VDF_FileMarks) != 0;
    std::string& data = streams_[d];
    for (;;) {
      VDC_Command* c = nullptr;
      int rc = dev->GetCommand(options_.get_timeout_ms, &c);
      if (rc == VD_E_TIMEOUT) set_.SignalAbort();
      if (rc != NOERROR) {
        results_[d] = rc;
        return;
      }
      {
        std::lock_guard l(mu_);
        ++counts_[c->commandCode];
      }
      log_[d].push_back(c->commandCode);
      sizes_[d].push_back(c->size);
      if (options_.fail_command == c->commandCode) {
        if (options_.abort_instead) {
          set_.SignalAbort();
          continue;
        }
        dev->CompleteCommand(c, static_cast<int>(options_.fail_code), 0, 0);
        continue;
      }
      unsigned long bytes = 0;
      int code = ERROR_SUCCESS;
      int64_t out_pos = 0;
      const auto size = static_cast<size_t>(c->size);
      switch (c->commandCode) {
        case VDC_Write:
          if (disk) {
            positions_[d].push_back(c->position);
            pos = static_cast<size_t>(c->position);
          }
          if (data.size() < pos + size) data.resize(pos + size);
          std::memcpy(data.data() + pos, c->buffer, size);
          pos += size;
          bytes = static_cast<unsigned long>(size);
          break;
        case VDC_Read: {
          if (disk) {
            positions_[d].push_back(c->position);
            pos = static_cast<size_t>(c->position);
          }
          size_t end = data.size();
          for (size_t m : marks_[d]) {
            if (m >= pos && m < end) end = m;
          }
          const size_t n = std::min(size, end - std::min(end, pos));
          std::memcpy(c->buffer, data.data() + pos, n);
          pos += n;
          bytes = n;
          if (n < size) code = end != data.size() ? ERROR_FILEMARK_DETECTED : ERROR_HANDLE_EOF;
          break;
        }
        case VDC_Flush:
          if (disk) data.resize(pos);  // end of file at the last written position
          break;
        case VDC_Complete:
        case VDC_ClearError:
        case VDC_PrepareToFreeze:
          break;
        case VDC_Load:
        case VDC_Rewind:
          if (!tape) code = ERROR_NOT_SUPPORTED;
          pos = 0;
          break;
        case VDC_WriteMark:
          if (!tape) code = ERROR_NOT_SUPPORTED;
          if (tape) marks_[d].push_back(pos);
          break;
        case VDC_GetPosition:
          if (!tape && !disk) code = ERROR_NOT_SUPPORTED;
          out_pos = static_cast<int64_t>(tape ? pos / block_size_ : pos);
          break;
        case VDC_SetPosition:
          if (disk) {  // origin in the size field
            const int64_t base = c->size == 1   ? static_cast<int64_t>(pos)
                                 : c->size == 2 ? static_cast<int64_t>(data.size())
                                                : 0;
            pos = static_cast<size_t>(base + c->position);
          } else if (tape) {
            pos = static_cast<size_t>(c->position) * block_size_;
          } else {
            code = ERROR_NOT_SUPPORTED;
          }
          out_pos = static_cast<int64_t>(tape ? pos / block_size_ : pos);
          break;
        case VDC_Discard:  // the set is being aborted: what it wrote goes
          if (!(features_ & VDF_Discard)) {
            code = ERROR_NOT_SUPPORTED;
            break;
          }
          data.clear();
          pos = 0;
          code = static_cast<int>(options_.discard_code);
          break;
        case VDC_Snapshot:
          if (options_.on_snapshot) options_.on_snapshot();
          code = static_cast<int>(options_.snapshot_code);
          break;
        case VDC_MountSnapshot:
          if (options_.on_mount) options_.on_mount();
          code = static_cast<int>(options_.snapshot_code);
          break;
        default:
          code = ERROR_NOT_SUPPORTED;
      }
      dev->CompleteCommand(c, code, bytes, out_pos);
    }
  }

  std::string name_;
  MemoryClientOptions options_;
  ClientVirtualDeviceSet set_;
  std::thread main_;
  std::vector<std::string> streams_;
  std::vector<int> results_;
  int config_result_ = -1;
  std::mutex mu_;
  std::map<int, int> counts_;
  uint32_t features_ = 0;
  uint32_t block_size_ = 512;
  std::vector<std::vector<size_t>> marks_;
  std::vector<std::vector<int>> log_;
  std::vector<std::vector<int32_t>> sizes_;
  std::vector<std::vector<int64_t>> positions_;
};

}  // namespace vdibk::emulator::testing

#endif  // VDIBK_TESTS_UNIT_EMULATOR_ENGINE_MEMORY_VDI_CLIENT_H_
