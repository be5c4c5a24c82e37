// DeviceDispatcher: runs one VDI device set for any job: creates the set, starts the strategy's
// statement, waits for the configuration, opens the devices, runs one thread per device
// (GetCommand -> strategy -> worker -> reply -> CompleteCommand), keeps the first failure
// (SignalAbort, Abort to the workers) and ends with the strategy's commit step.
#ifndef VDIBK_COORDINATOR_PIPELINE_DEVICE_DISPATCHER_H_
#define VDIBK_COORDINATOR_PIPELINE_DEVICE_DISPATCHER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/pipeline/job_strategy.h"
#include "coordinator/pipeline/vdi_device_set.h"
#include "coordinator/pipeline/worker_hub.h"
#include "coordinator/pipeline/worker_link.h"
#include "coordinator/sql/server_watch.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct DispatchOptions {
  std::string set_name;  // the VDI set; device i is DeviceName(set_name, i)
  uint32_t devices = 1;
  const std::atomic<bool>* stop = nullptr;  // a signal: fail with kAborted
  ServerWatch server;                       // SQL Server's process: its death fails the job
  // How long a device thread that saw VD_E_ABORT waits for a better cause (the hub naming the
  // worker whose death made the server abort). Default 1 s.
  std::chrono::milliseconds abort_cause_wait{1000};
};

// Single use. The strategy, set, link and runner must outlive the dispatcher. The dispatcher is
// the HubListener of the link's hub: replies go to the strategy, failures to Fail.
class DeviceDispatcher final : public HubListener {
 public:
  DeviceDispatcher(JobStrategy& job, VdiDeviceSet& set, DispatchOptions options);
  DeviceDispatcher(const DeviceDispatcher&) = delete;
  DeviceDispatcher& operator=(const DeviceDispatcher&) = delete;

  // Before Run: the workers (set once the pool exists; may stay null for jobs without workers).
  void SetWorkers(WorkerLink* link) { link_ = link; }

  // The whole statement: Create the set, start the statement through `sql`, wait for the
  // configuration (failing early if the statement ends, a signal arrives or the server dies),
  // AssignWorkers, open the devices, run the device threads until every device is closed or
  // the job failed, AfterDevices, close the set, then the strategy's Finish — whose result
  // this returns.
  Status Run(SqlRunner& sql);

  // --- For the strategy (thread-safe) ---
  // Issues a request to a worker (see WorkerLink::Issue).
  Status Issue(const Outstanding& req, transport::Body body, bool wake = true);
  void Complete(uint32_t device, VDC_Command* cmd, int completion_code, uint64_t bytes = 0);
  Result<uint32_t> BufferHandle(uint32_t device, VDC_Command* cmd);
  // Records the first failure the strategy accepts (true if `cause` was it), without aborting.
  bool Record(const Status& cause);
  // Record, then (once) SignalAbort, the strategy's OnFailed and Abort to the workers.
  void Fail(const Status& cause);
  bool failed() const;
  Status failure() const;
  // The set had been aborted by the server (not by us) when the first failure was recorded.
  bool server_aborted_first() const { return server_aborted_first_.load(); }
  // The VDI commands the devices received (every kind).
  uint64_t commands() const { return commands_.load(); }
  const std::vector<std::string>& device_names() const { return device_names_; }

  // HubListener (hub thread).
  void OnReply(const Outstanding& req, const transport::Reply& reply) override;
  void OnFailure(const Status& cause) override { Fail(cause); }

 private:
  Status WaitForConfiguration(SqlExecution& sql);
  Status OpenDevices();
  void DeviceLoop(uint32_t device);
  void OnGetCommandFailed(uint32_t device, int hr);

  JobStrategy& job_;
  VdiDeviceSet& set_;
  DispatchOptions options_;
  WorkerLink* link_ = nullptr;
  std::vector<std::string> device_names_;
  std::atomic<bool> created_{false};
  std::atomic<bool> aborted_{false};  // we called SignalAbort
  std::atomic<bool> server_aborted_first_{false};
  std::atomic<uint64_t> commands_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool failed_ = false;
  Status failure_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_DEVICE_DISPATCHER_H_
