// Reply helpers shared by the worker's request handlers (worker.cc, worker_fanout.cc).
#ifndef VDIBK_WORKERS_WORKER_REPLIES_H_
#define VDIBK_WORKERS_WORKER_REPLIES_H_

#include <cstdint>

#include "proto/envelope.pb.h"
#include "shared/base/status.h"
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

inline proto::Reply ReplyFor(const proto::RequestHeader& h, uint32_t handle) {
  proto::Reply r;
  r.set_device(h.device());
  r.set_command_seq(h.command_seq());
  r.set_buffer_handle(handle);
  return r;
}

inline void SetError(proto::Reply& r, const Status& st) {
  r.set_status(static_cast<uint32_t>(st.code()));
  r.set_completion_code(CompletionCodeFor(st));
  r.set_message(st.message());
}

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_WORKER_REPLIES_H_
