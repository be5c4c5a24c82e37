// A small VDI client of our own for emulator tests: the primary client of a set, one thread per
// device, keeping each device's backup stream in memory and serving it back on restore. Options
// make it fail a chosen command, drain devices one after another, or count what it saw.
#ifndef VDIBK_TESTS_UNIT_EMULATOR_ENGINE_MEMORY_VDI_CLIENT_H_
#define VDIBK_TESTS_UNIT_EMULATOR_ENGINE_MEMORY_VDI_CLIENT_H_

#include <atomic>
#include <cstring>
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
  int fail_command = 0;          // VDC_* code to fail (0 = none)
  uint32_t fail_code = ERROR_DISK_FULL;
  bool abort_instead = false;    // at fail_command: SignalAbort instead of an error completion
  bool sequential = false;       // serve device 0 to the end, then device 1, ... (deadlocks)
  int64_t get_timeout_ms = -1;   // GetCommand timeout; on VD_E_TIMEOUT the client aborts the set
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
    if (options_.request_complete) cfg.features = VDF_RequestComplete;
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
  uint32_t features() const { return features_; }
  void SetStreams(std::vector<std::string> s) { streams_ = std::move(s); }

 private:
  void Serve() {
    VDConfig cfg{};
    results_.assign(options_.devices, 0);
    if (set_.GetConfiguration(10000, &cfg) != NOERROR) {
      set_.Close();
      return;
    }
    features_ = cfg.features;
    std::vector<ClientVirtualDevice*> devs(options_.devices);
    auto names = DeviceNames();
    for (uint32_t d = 0; d < options_.devices; ++d) set_.OpenDevice(names[d].data(), &devs[d]);
    if (options_.sequential) {
      for (uint32_t d = 0; d < options_.devices; ++d) Device(devs[d], d);
    } else {
      std::vector<std::thread> t;
      for (uint32_t d = 0; d < options_.devices; ++d) t.emplace_back([&, d] { Device(devs[d], d); });
      for (auto& x : t) x.join();
    }
    set_.Close();
  }
  void Device(ClientVirtualDevice* dev, uint32_t d) {
    size_t read_pos = 0;
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
      if (c->commandCode == VDC_Write) {
        streams_[d].append(reinterpret_cast<char*>(c->buffer), static_cast<size_t>(c->size));
        bytes = static_cast<unsigned long>(c->size);
      } else if (c->commandCode == VDC_Read) {
        size_t n = std::min<size_t>(static_cast<size_t>(c->size), streams_[d].size() - read_pos);
        std::memcpy(c->buffer, streams_[d].data() + read_pos, n);
        read_pos += n;
        bytes = n;
        if (n < static_cast<size_t>(c->size)) code = ERROR_HANDLE_EOF;
      } else if (c->commandCode != VDC_Flush && c->commandCode != VDC_Complete &&
                 c->commandCode != VDC_ClearError) {
        code = ERROR_NOT_SUPPORTED;
      }
      dev->CompleteCommand(c, code, bytes, 0);
    }
  }

  std::string name_;
  MemoryClientOptions options_;
  ClientVirtualDeviceSet set_;
  std::thread main_;
  std::vector<std::string> streams_;
  std::vector<int> results_;
  std::mutex mu_;
  std::map<int, int> counts_;
  uint32_t features_ = 0;
};

}  // namespace vdibk::emulator::testing

#endif  // VDIBK_TESTS_UNIT_EMULATOR_ENGINE_MEMORY_VDI_CLIENT_H_
