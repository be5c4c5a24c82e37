// JobStrategy: what one kind of job (backup, restore, RESTORE VERIFYONLY; later snapshot, tape,
// server-wide) supplies to the DeviceDispatcher: the statement, the workers' assignment, what to
// do with each VDI command and reply, and the commit step at the statement's end.
#ifndef VDIBK_COORDINATOR_PIPELINE_JOB_STRATEGY_H_
#define VDIBK_COORDINATOR_PIPELINE_JOB_STRATEGY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/pipeline/outstanding_table.h"
#include "shared/base/result.h"
#include "shared/transport/pipeline_messages.h"
#include "vdi.h"

namespace vdibk::coordinator {

class SqlExecution;

// Threads: Statement/OnConfigured/AssignWorkers/AfterDevices/Finish on the dispatcher's caller;
// OnCommand on the device's thread (one per device); OnReply on the worker hub's thread;
// AcceptFailure/OnFailed on whichever thread failed first.
class JobStrategy {
 public:
  virtual ~JobStrategy() = default;
  // VDConfig::features to ask for when the set is created (e.g. VDF_RequestComplete).
  virtual uint32_t RequestedFeatures() const = 0;
  // The T-SQL to run for the set's devices, e.g. BACKUP DATABASE ... TO VIRTUAL_DEVICE=...
  virtual std::string Statement(const std::vector<std::string>& device_names) = 0;
  // What the statement is called in messages: "BACKUP", "RESTORE", "RESTORE VERIFYONLY".
  virtual std::string StatementName() const = 0;
  // The server configured the set (features granted, block and transfer sizes).
  virtual void OnConfigured(const VDConfig& cfg) = 0;
  // Sends every worker its Assign and waits until all are Ready (before the devices open).
  virtual Status AssignWorkers() = 0;
  // Device `device` was opened.
  virtual void OnDeviceOpen(uint32_t device) { (void)device; }
  // One VDI command of `device` (device thread): issue requests to workers through the
  // dispatcher, or complete it through the dispatcher. An error fails the job; the dispatcher
  // then completes `cmd` with ERROR_OPERATION_ABORTED unless the strategy completed it
  // (`*completed` true).
  virtual Status OnCommand(uint32_t device, VDC_Command* cmd, bool* completed) = 0;
  // A validated reply of a worker to a request issued through the dispatcher (hub thread).
  virtual void OnReply(const Outstanding& req, const transport::Reply& reply) = 0;
  // Every device got VD_E_CLOSE and nothing failed (e.g. finalize stripes without VDC_Complete,
  // let the workers go). An error fails the job.
  virtual Status AfterDevices() = 0;
  // The first failure of the job: false keeps it from aborting the set (a backup already handed
  // to the server turns later failures into warnings). Called once per failure until one is
  // accepted.
  virtual bool AcceptFailure(const Status& cause) {
    (void)cause;
    return true;
  }
  // After an accepted failure, once the set is aborted: release the strategy's own waiters.
  virtual void OnFailed(const Status& cause) { (void)cause; }
  // The set is closed: wait for the statement's end and commit (or clean up). `failed`: the job
  // failed before (the dispatcher's failure() is the cause). The result is the job's.
  virtual Status Finish(SqlExecution& sql, bool failed) = 0;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_JOB_STRATEGY_H_
