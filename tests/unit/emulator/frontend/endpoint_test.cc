// Tests of -S server-name resolution and the default endpoint.
#include "emulator/frontend/endpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace vdibk::emulator::frontend {
namespace {

TEST(EndpointTest, LocalNamesMapToDefault) {
  unsetenv(kEndpointEnvVar);
  for (const char* s : {".", "localhost", "(local)", "", "127.0.0.1", "LOCALHOST\\SQLEXPRESS"}) {
    auto r = ResolveServer(s);
    ASSERT_TRUE(r.ok()) << s;
    EXPECT_EQ(*r, kDefaultEndpoint) << s;
  }
  setenv(kEndpointEnvVar, "ipc:///tmp/x/y.sock", 1);
  EXPECT_EQ(ResolveServer(".").value(), "ipc:///tmp/x/y.sock");
  EXPECT_EQ(DefaultEndpoint(), "ipc:///tmp/x/y.sock");
  unsetenv(kEndpointEnvVar);
}

TEST(EndpointTest, PortsAndZmqEndpoints) {
  EXPECT_EQ(ResolveServer("tcp:localhost,14330").value(), "tcp://127.0.0.1:14330");
  EXPECT_EQ(ResolveServer("localhost,1433").value(), "tcp://127.0.0.1:1433");
  EXPECT_EQ(ResolveServer("ipc:///run/a.sock").value(), "ipc:///run/a.sock");
  EXPECT_EQ(ResolveServer("tcp://localhost:5555").value(), "tcp://127.0.0.1:5555");
  EXPECT_FALSE(ResolveServer("db.example.com").ok());
  EXPECT_FALSE(ResolveServer("tcp://10.1.2.3:5555").ok());
  EXPECT_FALSE(ResolveServer("localhost,port").ok());
  EXPECT_EQ(ResolveServer("far.example.com,1433").status().code(), ErrorCode::kConfiguration);
}

TEST(EndpointTest, ListenerEndpoints) {
  EXPECT_TRUE(IsLocalEndpoint("ipc:///tmp/a"));
  EXPECT_TRUE(IsLocalEndpoint("tcp://127.0.0.1:*"));
  EXPECT_TRUE(IsLocalEndpoint("tcp://127.0.0.1:9000"));
  EXPECT_FALSE(IsLocalEndpoint("tcp://0.0.0.0:9000"));
  EXPECT_FALSE(IsLocalEndpoint("inproc://x"));
}

}  // namespace
}  // namespace vdibk::emulator::frontend
