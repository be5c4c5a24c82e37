// A separate process playing one VDI role for the multi-process tests (fork/exec): the primary
// client, the server, or a secondary client. Linked against libsqlvdi.so. Prints one line per
// milestone on stdout (READY, ACTIVE, RESULT ...) so tests wait on explicit readiness.
//   vdi_test_peer client <set> <devices>
//   vdi_test_peer server <set> <devices> <writes per device, -1 = endless>
//   vdi_test_peer secondary-map <set> <handle> <size>
//   vdi_test_peer secondary-device <set> <device name>
//   vdi_test_peer secondary-hold <set>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "vdi.h"
#include "vdi_server.h"
#include "vdierror.h"

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

uint64_t Fnv(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

char* C(std::string& s) { return s.data(); }

std::string DeviceName(const std::string& set, int i) {
  return i == 0 ? set : set + std::to_string(i);
}

int RunClient(std::string set, int devices) {
  ClientVirtualDeviceSet vds;
  VDConfig cfg{};
  cfg.deviceCount = static_cast<uint32_t>(devices);
  int rc = vds.Create(C(set), &cfg);
  Say("CREATED " + std::to_string(rc));
  if (rc != NOERROR) return 1;
  rc = vds.GetConfiguration(-1, &cfg);
  if (rc != NOERROR) {
    Say("RESULT " + std::to_string(rc));
    return 1;
  }
  std::atomic<bool> active{false};
  std::vector<std::thread> threads;
  std::vector<int> results(devices);
  for (int d = 0; d < devices; ++d) {
    threads.emplace_back([&, d] {
      std::string name = DeviceName(set, d);
      ClientVirtualDevice* dev = nullptr;
      int orc = vds.OpenDevice(C(name), &dev);
      if (orc != NOERROR) {
        results[d] = orc;
        return;
      }
      for (;;) {
        VDC_Command* cmd = nullptr;
        int grc = dev->GetCommand(-1, &cmd);
        if (grc != NOERROR) {
          results[d] = grc;
          return;
        }
        if (!active.exchange(true)) Say("ACTIVE");
        dev->CompleteCommand(cmd, ERROR_SUCCESS, static_cast<unsigned long>(cmd->size), 0);
      }
    });
  }
  for (auto& t : threads) t.join();
  Say("RESULT " + std::to_string(results[0]));
  vds.Close();
  return 0;
}

void OnDone(VDS_Command* cmd) {
  static_cast<std::atomic<int>*>(cmd->completionContext)
      ->store(1 + static_cast<int>(cmd->completionCode));
}

int RunServer(const std::string& set, int devices, long writes) {
  vdibk::vdi::ServerVirtualDeviceSet s;
  int rc = s.Open(set.c_str());
  if (rc != NOERROR) {
    Say("OPENERR " + std::to_string(rc));
    return 1;
  }
  s.BeginConfiguration(VDF_WriteMedia, 512, 0, 65536, 0);
  s.RequestBuffers(65536, 0, static_cast<uint32_t>(devices));
  std::vector<vdibk::vdi::ServerVirtualDevice*> devs(devices);
  for (int d = 0; d < devices; ++d) s.OpenDevice(DeviceName(set, d).c_str(), &devs[d]);
  s.EndConfiguration();
  Say("READY");
  std::thread agent([&] { Say("AGENT " + std::to_string(s.ExecuteCompletionAgent())); });
  std::vector<std::thread> senders;
  std::atomic<bool> streaming{false};
  for (int d = 0; d < devices; ++d) {
    senders.emplace_back([&, d] {
      uint8_t* buf = nullptr;
      s.AllocateBuffer(&buf, 65536, 0);
      for (long i = 0; writes < 0 || i < writes; ++i) {
        std::memset(buf, static_cast<int>((d * 31 + i) & 0xff), 65536);
        std::atomic<int> done{0};
        VDS_Command cmd{};
        cmd.commandCode = VDC_Write;
        cmd.size = 65536;
        cmd.buffer = buf;
        cmd.completionRoutine = reinterpret_cast<void*>(&OnDone);
        cmd.completionContext = &done;
        if (devs[d]->SendCommand(&cmd) != NOERROR) return;
        while (done.load() == 0) std::this_thread::yield();
        if (done.load() != 1) return;  // error or abort
        if (!streaming.exchange(true)) Say("STREAMING");
      }
      devs[d]->CloseDevice();
    });
  }
  for (auto& t : senders) t.join();
  agent.join();
  Say(std::string("END ") + (s.IsAborted() ? "aborted: " + s.AbortReason() : "ok"));
  s.Close();
  return 0;
}

int RunSecondary(std::string set, const std::string& mode, int argc, char** argv) {
  ClientVirtualDeviceSet vds;
  int rc = vds.OpenInSecondary(C(set));
  if (rc != NOERROR) {
    Say("OPENERR " + std::to_string(rc));
    return 1;
  }
  VDConfig cfg{};
  rc = vds.GetConfiguration(-1, &cfg);
  Say("ATTACHED " + std::to_string(rc) + " " + std::to_string(cfg.features));
  if (mode == "secondary-map" && argc >= 5) {
    uint8_t* p = nullptr;
    int h = static_cast<int>(std::strtol(argv[3], nullptr, 0));
    size_t size = std::strtoul(argv[4], nullptr, 0);
    rc = vds.MapBufferHandle(h, &p);
    if (rc != NOERROR) {
      Say("MAPERR " + std::to_string(rc));
    } else {
      Say("MAPPED " + std::to_string(Fnv(p, size)));
      p[0] = 0xAB;  // a secondary may also write (restore direction)
    }
  } else if (mode == "secondary-device" && argc >= 4) {
    std::string name = argv[3];
    ClientVirtualDevice* dev = nullptr;
    rc = vds.OpenDevice(C(name), &dev);
    Say("OPENED " + std::to_string(rc));
    uint64_t h = 1469598103934665603ull;
    for (;;) {
      VDC_Command* cmd = nullptr;
      rc = dev ? dev->GetCommand(-1, &cmd) : rc;
      if (rc != NOERROR) break;
      h ^= Fnv(cmd->buffer, static_cast<size_t>(cmd->size));
      dev->CompleteCommand(cmd, ERROR_SUCCESS, static_cast<unsigned long>(cmd->size), 0);
    }
    Say("RESULT " + std::to_string(rc) + " " + std::to_string(h));
  } else {
    // secondary-hold: stay attached until the set ends.
    while ((rc = vds.GetConfiguration(100, &cfg)) == NOERROR) {
      usleep(20000);
    }
    Say("RESULT " + std::to_string(rc));
  }
  vds.Close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: vdi_test_peer MODE SET ...\n");
    return 64;
  }
  std::string mode = argv[1];
  std::string set = argv[2];
  if (mode == "client" && argc >= 4) return RunClient(set, std::atoi(argv[3]));
  if (mode == "server" && argc >= 5) return RunServer(set, std::atoi(argv[3]), std::atol(argv[4]));
  if (mode.rfind("secondary", 0) == 0) return RunSecondary(set, mode, argc, argv);
  std::fprintf(stderr, "vdi_test_peer: bad arguments\n");
  return 64;
}
