// Where the emulator's SQL front end listens, and how sqlcmd's -S server names map onto it.
// The one place that defines the default endpoint.
#ifndef VDIBK_EMULATOR_FRONTEND_ENDPOINT_H_
#define VDIBK_EMULATOR_FRONTEND_ENDPOINT_H_

#include <string>
#include <string_view>

#include "shared/base/result.h"

namespace vdibk::emulator::frontend {

// Environment variable that overrides the default endpoint (read by client and server).
inline constexpr char kEndpointEnvVar[] = "VDI_EMULATOR_ENDPOINT";
// Default ZeroMQ endpoint of the emulator's SQL listener.
inline constexpr char kDefaultEndpoint[] = "ipc:///tmp/vdi-emulator/sql.sock";

// $VDI_EMULATOR_ENDPOINT when set and non-empty, else kDefaultEndpoint.
std::string DefaultEndpoint();

// Maps a sqlcmd -S value to a ZeroMQ endpoint:
//   "", ".", "localhost", "(local)", "127.0.0.1", the host name, any of these with "\INSTANCE"
//     -> DefaultEndpoint()
//   "host,PORT", "tcp:host,PORT", "tcp:host" (host local)  -> tcp://127.0.0.1:PORT (no port:
//   default) "ipc://PATH", "tcp://127.0.0.1:PORT", "tcp://localhost:PORT" -> as given (localhost
//   normalized)
// A non-local host gives Status kConfiguration (the emulator is only reachable locally).
Result<std::string> ResolveServer(std::string_view server);

// True for endpoints a SqlListener may bind: ipc://PATH or tcp://127.0.0.1:PORT|* .
bool IsLocalEndpoint(std::string_view endpoint);

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_ENDPOINT_H_
