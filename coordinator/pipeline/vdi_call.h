// vdi_call: helpers shared by the jobs that drive a VDI set (backup, restore): the text of a VDI
// result code, the error code a failed VDI call maps to, the C strings the VDI API takes, and
// how long the workers may take to start.
#ifndef VDIBK_COORDINATOR_PIPELINE_VDI_CALL_H_
#define VDIBK_COORDINATOR_PIPELINE_VDI_CALL_H_

#include <chrono>
#include <string>
#include <vector>

#include "shared/base/status.h"

namespace vdibk::coordinator {

// Every worker's Hello, and then its Ready after the set is configured (spawned workers; external
// ones wait --worker-wait for their Hello).
inline constexpr std::chrono::milliseconds kWorkerHelloTimeout{15000};
inline constexpr std::chrono::milliseconds kWorkerReadyTimeout{30000};

// "0x80770004": a VDI result (or a feature mask) as the VDI documentation prints it.
std::string HrHex(int hr);
// VD_E_ABORT (the set was aborted) is kAborted; any other failed VDI call kFailed.
ErrorCode CodeForHr(int hr);
// A NUL-terminated copy of `s` for the VDI API's char* parameters.
std::vector<char> CString(const std::string& s);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_VDI_CALL_H_
