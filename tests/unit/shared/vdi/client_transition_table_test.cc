// The client transition table of vdi-protocol.md §2.4, all 42 cells (7 calls x 6 states), one
// row each: the set is brought into the state, the call is made, and both its result and the
// state it leaves are checked. A row whose result differs from the table names the difference
// in docs/vdi.md ("Client states and return codes") that the code follows deliberately.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

enum class St { kDne, kConfigurable, kInitializing, kActive, kTerminated, kAbort, kUnknown };

const char* StName(St s) {
  switch (s) {
    case St::kDne:
      return "DoesNotExist";
    case St::kConfigurable:
      return "Configurable";
    case St::kInitializing:
      return "Initializing";
    case St::kActive:
      return "Active";
    case St::kTerminated:
      return "NormallyTerminated";
    case St::kAbort:
      return "Abort";
    default:
      return "Unknown";
  }
}

// A client set brought into one state of the table, with the server side playing along. `dev`
// and `cmd` are what GetCommand / CompleteCommand rows use: in DNE, Configurable and
// Initializing a device object and a command of the set's previous life (the only device object
// a client can hold there); in Active, NT and Abort the device of this life.
struct Scene {
  // Declared first, destroyed last: the servers complete these until they close.
  std::vector<std::unique_ptr<TestCommand>> sent;
  std::unique_ptr<ServerFixture> old_server = std::make_unique<ServerFixture>();
  std::unique_ptr<ServerFixture> server = std::make_unique<ServerFixture>();
  ClientVirtualDeviceSet client;  // destroyed first: closes (and aborts) a live set
  std::string name = SetName("cell");
  ClientVirtualDevice* dev = nullptr;
  VDC_Command* cmd = nullptr;

  // Sends a Write to server device `i` and returns it as the client's GetCommand delivers it.
  VDC_Command* Deliver(ServerFixture& s, ClientVirtualDevice* d, uint32_t i = 0) {
    sent.push_back(std::make_unique<TestCommand>(VDC_Write, s.Buffer(), 512));
    if (s.devices[i]->SendCommand(&sent.back()->cmd) != NOERROR) return nullptr;
    VDC_Command* c = nullptr;
    return d->GetCommand(5000, &c) == NOERROR ? c : nullptr;
  }
};

// One full normal life of the set (Create .. VD_E_CLOSE .. Close), leaving `dev` and `cmd`.
void LivePreviousLife(Scene& sc) {
  const std::string first = sc.name + "p";
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(sc.client, *sc.old_server, first, 1, &cfg), NOERROR);
  ASSERT_EQ(sc.client.OpenDevice(C(first), &sc.dev), NOERROR);
  sc.old_server->StartAgent();
  sc.cmd = sc.Deliver(*sc.old_server, sc.dev);
  ASSERT_NE(sc.cmd, nullptr);
  ASSERT_EQ(sc.dev->CompleteCommand(sc.cmd, ERROR_SUCCESS, 512, 0), NOERROR);
  ASSERT_EQ(sc.old_server->devices[0]->CloseDevice(), NOERROR);
  VDC_Command* none = nullptr;
  ASSERT_EQ(sc.dev->GetCommand(5000, &none), VD_E_CLOSE);
  ASSERT_EQ(sc.old_server->JoinAgent(), NOERROR);
  ASSERT_EQ(sc.client.Close(), NOERROR);
}

// Brings `sc` into `state` with a set of `devices` devices (only the first is opened).
void Enter(Scene& sc, St state, uint32_t devices) {
  ASSERT_NO_FATAL_FAILURE(LivePreviousLife(sc));
  if (state == St::kDne) return;
  VDConfig cfg = ClientConfig(devices);
  ASSERT_EQ(sc.client.Create(C(sc.name), &cfg), NOERROR);
  if (state == St::kConfigurable) return;
  ASSERT_EQ(sc.server->Setup(sc.name, devices), NOERROR);
  ASSERT_EQ(sc.client.GetConfiguration(5000, &cfg), NOERROR);
  if (state == St::kInitializing) return;
  ASSERT_EQ(sc.client.OpenDevice(C(sc.name), &sc.dev), NOERROR);
  sc.server->StartAgent();
  sc.cmd = sc.Deliver(*sc.server, sc.dev);
  ASSERT_NE(sc.cmd, nullptr);
  if (state == St::kAbort) {
    ASSERT_EQ(sc.client.SignalAbort(), NOERROR);
    return;
  }
  ASSERT_EQ(sc.dev->CompleteCommand(sc.cmd, ERROR_SUCCESS, 512, 0), NOERROR);
  if (state == St::kActive) return;
  ASSERT_EQ(sc.server->devices[0]->CloseDevice(), NOERROR);
  VDC_Command* none = nullptr;
  ASSERT_EQ(sc.dev->GetCommand(5000, &none), VD_E_CLOSE);
  ASSERT_EQ(sc.server->JoinAgent(), NOERROR);
}

// The state the client set is in, read with calls that change nothing in that state.
St Probe(Scene& sc) {
  VDConfig cfg{};
  switch (sc.client.GetConfiguration(0, &cfg)) {
    case VD_E_PROTOCOL:
      return St::kDne;
    case VD_E_TIMEOUT:
      return St::kConfigurable;
    case VD_E_ABORT:
      return St::kAbort;
    case NOERROR:
      break;
    default:
      return St::kUnknown;
  }
  ClientVirtualDevice* d = nullptr;
  switch (sc.client.OpenDevice(C(std::string("no-such-device")), &d)) {
    case VD_E_INVALID:
      return St::kInitializing;  // the set waits for its devices: a bad name is refused
    case VD_E_OPEN:
      return St::kActive;  // every device is open
    case VD_E_PROTOCOL:
      return St::kTerminated;
    default:
      return St::kUnknown;
  }
}

struct Row {
  const char* call;
  St state;
  int expected;
  St after;
  // nullptr: the table's own cell. Otherwise the docs/vdi.md difference the code follows.
  const char* difference;
  std::function<int(Scene&)> act;
  uint32_t devices = 1;
  const char* tag = "";  // tells rows of one cell apart in the test name
};

int DoCreate(Scene& sc) {
  VDConfig cfg = ClientConfig(1);
  return sc.client.Create(C(sc.name + "n"), &cfg);
}
int DoGetConfiguration(Scene& sc) {
  VDConfig cfg{};
  return sc.client.GetConfiguration(0, &cfg);
}
int DoOpenDevice(Scene& sc) {
  ClientVirtualDevice* d = nullptr;
  const int rc = sc.client.OpenDevice(C(sc.name), &d);
  if (rc != NOERROR && d != nullptr) return VD_E_UNEXPECTED;  // the out pointer must be null
  return rc;
}
int DoGetCommand(Scene& sc) {
  VDC_Command* c = nullptr;
  return sc.dev->GetCommand(0, &c);
}
int DoCompleteCommand(Scene& sc) { return sc.dev->CompleteCommand(sc.cmd, ERROR_SUCCESS, 512, 0); }
int DoSignalAbort(Scene& sc) { return sc.client.SignalAbort(); }
int DoClose(Scene& sc) { return sc.client.Close(); }

// Configurable -> Initializing happens when the server has configured the set meanwhile.
int GetConfigurationWhileTheServerConfigures(Scene& sc) {
  int setup = -1;
  std::thread server([&] { setup = sc.server->Setup(sc.name, 1); });
  VDConfig cfg{};
  const int rc = sc.client.GetConfiguration(10000, &cfg);
  server.join();
  return setup == NOERROR ? rc : setup;
}
// Active: a command is waiting for the device.
int GetCommandOfAnActiveDevice(Scene& sc) {
  return sc.Deliver(*sc.server, sc.dev) != nullptr ? NOERROR : VD_E_UNEXPECTED;
}
// Active: the server closed the last device: VD_E_CLOSE, and the set is Normally Terminated.
int GetCommandOfAClosedLastDevice(Scene& sc) {
  sc.server->devices[0]->CloseDevice();
  VDC_Command* c = nullptr;
  return sc.dev->GetCommand(5000, &c);
}
// Initializing (two devices, one opened): the open device is served before the other opens.
int GetCommandBeforeTheOtherDeviceOpens(Scene& sc) {
  sc.server->StartAgent();
  return sc.Deliver(*sc.server, sc.dev) != nullptr ? NOERROR : VD_E_UNEXPECTED;
}
int CompleteCommandBeforeTheOtherDeviceOpens(Scene& sc) {
  sc.server->StartAgent();
  VDC_Command* c = sc.Deliver(*sc.server, sc.dev);
  if (c == nullptr) return VD_E_UNEXPECTED;
  const int rc = sc.dev->CompleteCommand(c, ERROR_SUCCESS, 512, 0);
  return sc.sent.back()->WaitDone() ? rc : VD_E_UNEXPECTED;
}
// Initializing with two devices: open the first, so a current device exists.
int OpenFirstOfTwo(Scene& sc) { return sc.client.OpenDevice(C(sc.name), &sc.dev); }

// docs/vdi.md, "Deliberate differences from the reference, and their tests".
constexpr const char* kOpenInActive = "difference 1: OpenDevice in Active is VD_E_OPEN (§2.3)";
constexpr const char* kCloseInActive =
    "difference 2: Close with devices open is VD_E_OPEN and an abort (§2.3)";
constexpr const char* kDeviceBeforeActive =
    "difference 3: a device is served as soon as it is open, before the set is Active";

std::vector<Row> Rows() {
  using S = St;
  return {
      // Create
      {"Create", S::kDne, NOERROR, S::kConfigurable, nullptr, DoCreate},
      {"Create", S::kConfigurable, VD_E_PROTOCOL, S::kConfigurable, nullptr, DoCreate},
      {"Create", S::kInitializing, VD_E_PROTOCOL, S::kInitializing, nullptr, DoCreate},
      {"Create", S::kActive, VD_E_PROTOCOL, S::kActive, nullptr, DoCreate},
      {"Create", S::kTerminated, VD_E_PROTOCOL, S::kTerminated, nullptr, DoCreate},
      {"Create", S::kAbort, VD_E_PROTOCOL, S::kAbort, nullptr, DoCreate},
      // GetConfiguration
      {"GetConfiguration", S::kDne, VD_E_PROTOCOL, S::kDne, nullptr, DoGetConfiguration},
      {"GetConfiguration", S::kConfigurable, NOERROR, S::kInitializing, nullptr,
       GetConfigurationWhileTheServerConfigures},
      {"GetConfiguration", S::kInitializing, NOERROR, S::kInitializing, nullptr,
       DoGetConfiguration},
      {"GetConfiguration", S::kActive, NOERROR, S::kActive, nullptr, DoGetConfiguration},
      {"GetConfiguration", S::kTerminated, NOERROR, S::kTerminated, nullptr, DoGetConfiguration},
      {"GetConfiguration", S::kAbort, VD_E_ABORT, S::kAbort, nullptr, DoGetConfiguration},
      // OpenDevice
      {"OpenDevice", S::kDne, VD_E_PROTOCOL, S::kDne, nullptr, DoOpenDevice},
      {"OpenDevice", S::kConfigurable, VD_E_PROTOCOL, S::kConfigurable, nullptr, DoOpenDevice},
      {"OpenDevice", S::kInitializing, NOERROR, S::kActive, nullptr, DoOpenDevice},
      {"OpenDevice", S::kActive, VD_E_OPEN, S::kActive, kOpenInActive, DoOpenDevice},
      {"OpenDevice", S::kTerminated, VD_E_PROTOCOL, S::kTerminated, nullptr, DoOpenDevice},
      {"OpenDevice", S::kAbort, VD_E_ABORT, S::kAbort, nullptr, DoOpenDevice},
      // GetCommand
      {"GetCommand", S::kDne, VD_E_PROTOCOL, S::kDne, nullptr, DoGetCommand},
      {"GetCommand", S::kConfigurable, VD_E_PROTOCOL, S::kConfigurable, nullptr, DoGetCommand},
      {"GetCommand", S::kInitializing, VD_E_PROTOCOL, S::kInitializing, nullptr, DoGetCommand},
      {"GetCommand", S::kActive, NOERROR, S::kActive, nullptr, GetCommandOfAnActiveDevice},
      {"GetCommand", S::kActive, VD_E_CLOSE, S::kTerminated, nullptr, GetCommandOfAClosedLastDevice,
       1, "LastDeviceClosed"},
      {"GetCommand", S::kTerminated, VD_E_PROTOCOL, S::kTerminated, nullptr, DoGetCommand},
      {"GetCommand", S::kAbort, VD_E_ABORT, S::kAbort, nullptr, DoGetCommand},
      // CompleteCommand
      {"CompleteCommand", S::kDne, VD_E_PROTOCOL, S::kDne, nullptr, DoCompleteCommand},
      {"CompleteCommand", S::kConfigurable, VD_E_PROTOCOL, S::kConfigurable, nullptr,
       DoCompleteCommand},
      {"CompleteCommand", S::kInitializing, VD_E_PROTOCOL, S::kInitializing, nullptr,
       DoCompleteCommand},
      {"CompleteCommand", S::kActive, NOERROR, S::kActive, nullptr,
       [](Scene& sc) {
         VDC_Command* c = sc.Deliver(*sc.server, sc.dev);
         return c ? sc.dev->CompleteCommand(c, ERROR_SUCCESS, 512, 0) : VD_E_UNEXPECTED;
       }},
      {"CompleteCommand", S::kTerminated, VD_E_PROTOCOL, S::kTerminated, nullptr,
       DoCompleteCommand},
      {"CompleteCommand", S::kAbort, VD_E_ABORT, S::kAbort, nullptr, DoCompleteCommand},
      // SignalAbort
      {"SignalAbort", S::kDne, VD_E_PROTOCOL, S::kDne, nullptr, DoSignalAbort},
      {"SignalAbort", S::kConfigurable, NOERROR, S::kAbort, nullptr, DoSignalAbort},
      {"SignalAbort", S::kInitializing, NOERROR, S::kAbort, nullptr, DoSignalAbort},
      {"SignalAbort", S::kActive, NOERROR, S::kAbort, nullptr, DoSignalAbort},
      {"SignalAbort", S::kTerminated, NOERROR, S::kAbort, nullptr, DoSignalAbort},
      {"SignalAbort", S::kAbort, NOERROR, S::kAbort, nullptr, DoSignalAbort},
      // Close
      {"Close", S::kDne, VD_E_PROTOCOL, S::kDne, nullptr, DoClose},
      {"Close", S::kConfigurable, NOERROR, S::kDne, nullptr, DoClose},
      {"Close", S::kInitializing, NOERROR, S::kDne, nullptr, DoClose},
      {"Close", S::kActive, VD_E_OPEN, S::kDne, kCloseInActive, DoClose},
      {"Close", S::kTerminated, NOERROR, S::kDne, nullptr, DoClose},
      {"Close", S::kAbort, NOERROR, S::kDne, nullptr, DoClose},
      // Refinements of Initializing cells for a set of two devices, the first one opened.
      {"GetCommand", S::kInitializing, NOERROR, S::kInitializing, kDeviceBeforeActive,
       GetCommandBeforeTheOtherDeviceOpens, 2, "DeviceOpenBeforeTheOther"},
      {"CompleteCommand", S::kInitializing, NOERROR, S::kInitializing, kDeviceBeforeActive,
       CompleteCommandBeforeTheOtherDeviceOpens, 2, "DeviceOpenBeforeTheOther"},
  };
}

class ClientTransitionTableTest : public ::testing::TestWithParam<Row> {};

TEST_P(ClientTransitionTableTest, Cell) {
  const Row& row = GetParam();
  Scene sc;
  ASSERT_NO_FATAL_FAILURE(Enter(sc, row.state, row.devices));
  if (row.devices > 1) {
    ASSERT_EQ(OpenFirstOfTwo(sc), NOERROR);
  }
  ASSERT_EQ(Probe(sc), row.state) << "the scene is not in the state of the row";
  EXPECT_EQ(row.act(sc), row.expected)
      << row.call << " in " << StName(row.state)
      << (row.difference ? std::string(" (docs/vdi.md, ") + row.difference + ")" : "");
  EXPECT_EQ(Probe(sc), row.after) << row.call << " in " << StName(row.state);
}

// Every cell of the table has its row.
TEST(ClientTransitionTableCoverageTest, EveryCellHasARow) {
  std::set<std::pair<std::string, St>> cells;
  for (const Row& r : Rows()) cells.insert({r.call, r.state});
  EXPECT_EQ(cells.size(), 42u);
}

std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  std::string name = std::string(info.param.call) + "_in_" + StName(info.param.state);
  if (*info.param.tag) name += std::string("_") + info.param.tag;
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllCells, ClientTransitionTableTest, ::testing::ValuesIn(Rows()), RowName);

}  // namespace
}  // namespace vdibk::vdi::testing
