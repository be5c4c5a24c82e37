// Reply helpers shared by the worker's request handlers (worker.cc, worker_fanout.cc).
#ifndef VDIBK_WORKERS_WORKER_REPLIES_H_
#define VDIBK_WORKERS_WORKER_REPLIES_H_

#include <cstdint>

#include "shared/base/status.h"
#include "shared/transport/pipeline_messages.h"
#include "vdi.h"

namespace vdibk::workers {

// The Win32 completion code the coordinator gives SQL Server for a failed request.
inline uint32_t CompletionCodeFor(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kOk:
      return ERROR_SUCCESS;
    case ErrorCode::kAborted:
      return ERROR_OPERATION_ABORTED;
    case ErrorCode::kTargetIo:
    case ErrorCode::kIntegrity:
    case ErrorCode::kMissing:
      return ERROR_IO_DEVICE;
    default:
      return ERROR_INVALID_PARAMETER;
  }
}

inline transport::Reply ReplyFor(const transport::RequestHeader& h, uint32_t handle) {
  transport::Reply r;
  r.device = h.device;
  r.command_seq = h.command_seq;
  r.buffer_handle = handle;
  return r;
}

inline void SetError(transport::Reply& r, const Status& st) {
  r.status = static_cast<uint32_t>(st.code());
  r.completion_code = CompletionCodeFor(st);
  r.message = st.message();
}

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_WORKER_REPLIES_H_
