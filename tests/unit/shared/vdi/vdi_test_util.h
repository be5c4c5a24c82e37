// Test helpers for libsqlvdi: a server-side fixture (the emulator's role, in-process), commands
// whose completion routine records the result, and unique set names.
#ifndef VDIBK_TESTS_UNIT_SHARED_VDI_VDI_TEST_UTIL_H_
#define VDIBK_TESTS_UNIT_SHARED_VDI_VDI_TEST_UTIL_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/test_dirs.h"
#include "vdi.h"
#include "vdi_server.h"
#include "vdierror.h"

namespace vdibk::vdi::testing {

// A VDS_Command whose completion routine records code/bytes and wakes waiters.
struct TestCommand {
  VDS_Command cmd{};
  std::mutex mu;
  std::condition_variable cv;
  int completions = 0;
  std::thread::id completed_on;

  TestCommand(uint32_t code, uint8_t* buffer, uint32_t size, uint64_t position = 0) {
    cmd.commandCode = code;
    cmd.buffer = buffer;
    cmd.size = size;
    cmd.inPosition = position;
    cmd.completionRoutine = reinterpret_cast<void*>(&TestCommand::OnComplete);
    cmd.completionContext = this;
  }
  static void OnComplete(VDS_Command* c) {
    auto* self = static_cast<TestCommand*>(c->completionContext);
    std::lock_guard lock(self->mu);
    ++self->completions;
    self->completed_on = std::this_thread::get_id();
    self->cv.notify_all();
  }
  // True once completed (waits up to `timeout`).
  bool WaitDone(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return completions > 0; });
  }
  bool done() {
    std::lock_guard lock(mu);
    return completions > 0;
  }
  uint32_t code() const { return cmd.completionCode; }
};

// Server side of a set for tests: Open + configuration + devices, and the completion agent.
class ServerFixture {
 public:
  ~ServerFixture() {
    if (agent_.joinable()) {
      set.SignalAbort();
      agent_.join();
    }
    set.Close();
  }
  // Configures the set the client created under `name`; device names default to name, name1, ...
  int Setup(const std::string& name, uint32_t device_count, uint32_t features = VDF_WriteMedia,
            uint32_t block_size = 512, uint32_t max_transfer = 65536, uint32_t buffers = 8,
            uint32_t alignment = 0) {
    int rc = set.Open(name.c_str());
    if (rc != NOERROR) return rc;
    rc = set.BeginConfiguration(features, block_size, alignment, max_transfer, 1000);
    if (rc != NOERROR) return rc;
    rc = set.RequestBuffers(max_transfer, 0, buffers);
    if (rc != NOERROR) return rc;
    for (uint32_t i = 0; i < device_count; ++i) {
      std::string dev = i == 0 ? name : name + std::to_string(i);
      ServerVirtualDevice* d = nullptr;
      rc = set.OpenDevice(dev.c_str(), &d);
      if (rc != NOERROR) return rc;
      devices.push_back(d);
    }
    return set.EndConfiguration();
  }
  void StartAgent() {
    agent_ = std::thread([this] { agent_rc = set.ExecuteCompletionAgent(); });
  }
  int JoinAgent() {
    if (agent_.joinable()) agent_.join();
    return agent_rc;
  }
  uint8_t* Buffer(uint32_t size = 65536) {
    uint8_t* b = nullptr;
    return set.AllocateBuffer(&b, size, 0) == NOERROR ? b : nullptr;
  }

  ServerVirtualDeviceSet set;
  std::vector<ServerVirtualDevice*> devices;
  int agent_rc = -1;

 private:
  std::thread agent_;
};

inline std::string SetName(const std::string& tag) { return vdibk::testing::UniqueName(tag); }

// Objects of `set_name` left in /dev/shm ("" when clean).
inline std::string ShmLeftoversFor(const std::string& set_name) {
  return vdibk::testing::ShmLeftovers("vdibackup." + set_name + ".");
}

inline VDConfig ClientConfig(uint32_t devices, uint32_t features = 0) {
  VDConfig c{};
  c.deviceCount = devices;
  c.features = features;
  return c;
}

// Creates the client set and configures the server side; fills `client_cfg` from
// GetConfiguration. Returns the first failing code.
inline int CreateAndConfigure(ClientVirtualDeviceSet& client, ServerFixture& server,
                              const std::string& name, uint32_t devices, VDConfig* client_cfg,
                              uint32_t features = 0, uint32_t server_features = VDF_WriteMedia) {
  VDConfig cfg = ClientConfig(devices, features);
  int rc = client.Create(const_cast<char*>(name.c_str()), &cfg);
  if (rc != NOERROR) return rc;
  rc = server.Setup(name, devices, server_features);
  if (rc != NOERROR) return rc;
  return client.GetConfiguration(5000, client_cfg);
}

}  // namespace vdibk::vdi::testing

#endif  // VDIBK_TESTS_UNIT_SHARED_VDI_VDI_TEST_UTIL_H_
