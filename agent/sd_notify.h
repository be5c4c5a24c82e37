// systemd notification: the sd_notify datagram ("READY=1", "WATCHDOG=1", ...) sent to the unix
// socket named by $NOTIFY_SOCKET ("@name" = abstract namespace), and the watchdog interval.
#ifndef VDIBK_AGENT_SD_NOTIFY_H_
#define VDIBK_AGENT_SD_NOTIFY_H_

#include <chrono>
#include <optional>
#include <string>

#include "shared/base/status.h"

namespace vdibk::coordinator {

// Sends `state` as one datagram to $NOTIFY_SOCKET. OK without doing anything when it is unset.
// Never blocks (MSG_DONTWAIT). Errors: kConfiguration (bad socket path, send failure, full queue).
Status SdNotify(const std::string& state);

// How often to send WATCHDOG=1: half of $WATCHDOG_USEC, when it is set (and $WATCHDOG_PID, if
// set, is this process). nullopt otherwise.
std::optional<std::chrono::microseconds> WatchdogInterval();

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_SD_NOTIFY_H_
