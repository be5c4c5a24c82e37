// vdi_call: helpers shared by the jobs that drive a VDI set.
#include "coordinator/pipeline/vdi_call.h"

#include <cstdio>

#include "vdierror.h"

namespace vdibk::coordinator {

std::string HrHex(int hr) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

ErrorCode CodeForHr(int hr) { return hr == VD_E_ABORT ? ErrorCode::kAborted : ErrorCode::kFailed; }

std::vector<char> CString(const std::string& s) {
  std::vector<char> v(s.begin(), s.end());
  v.push_back('\0');
  return v;
}

}  // namespace vdibk::coordinator
