// WorkerLink: the seam between the DeviceDispatcher (and its job strategies) and the workers:
// requests out, Abort to all. WorkerHub is the real one (ZeroMQ); dispatcher tests use a fake
// that answers requests itself. Replies come back through HubListener.
#ifndef VDIBK_COORDINATOR_PIPELINE_WORKER_LINK_H_
#define VDIBK_COORDINATOR_PIPELINE_WORKER_LINK_H_

#include "coordinator/pipeline/outstanding_table.h"
#include "shared/base/result.h"
#include "shared/transport/pipeline_messages.h"

namespace vdibk::coordinator {

// Thread-safe.
class WorkerLink {
 public:
  virtual ~WorkerLink() = default;
  // Registers `req` as outstanding (the credit rule) and sends `body` to req.worker. With `wake`
  // false the request may wait for Flush() (several go out as one Batch).
  virtual Status Issue(const Outstanding& req, transport::Body body, bool wake = true) = 0;
  // Sends what Issue(..., false) queued.
  virtual void Flush() = 0;
  // Sends Abort{cause} to every worker. Idempotent.
  virtual void AbortAll(const Status& cause) = 0;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_WORKER_LINK_H_
