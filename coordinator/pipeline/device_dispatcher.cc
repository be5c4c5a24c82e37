// DeviceDispatcher: the VDI set's life and the device threads, for every job strategy.
#include "coordinator/pipeline/device_dispatcher.h"

#include <thread>

#include "coordinator/pipeline/vdi_call.h"
#include "coordinator/repo/repo_layout.h"
#include "coordinator/sql/statement_outcome.h"
#include "shared/base/log.h"
#include "shared/base/scope_exit.h"
#include "vdierror.h"

namespace vdibk::coordinator {

DeviceDispatcher::DeviceDispatcher(JobStrategy& job, VdiDeviceSet& set, DispatchOptions options)
    : job_(job), set_(set), options_(std::move(options)) {
  for (uint32_t i = 0; i < options_.devices; ++i) {
    device_names_.push_back(DeviceName(options_.set_name, i));
  }
}

bool DeviceDispatcher::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

Status DeviceDispatcher::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

bool DeviceDispatcher::Record(const Status& cause) {
  if (failed()) return false;
  // Outside our lock: the strategy takes its own.
  if (!job_.AcceptFailure(cause)) return false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_) return false;
    failed_ = true;
    failure_ = cause;
  }
  // Whatever failed first may be a consequence of the server's abort (a worker's buffer handle
  // gone, GetCommand answering VD_E_ABORT): then the statement's error is the verdict.
  VDConfig cfg{};
  if (created_.load() && !aborted_.load() && set_.GetConfiguration(0, &cfg) == VD_E_ABORT) {
    server_aborted_first_.store(true);
  }
  cv_.notify_all();
  log::Error(job_.StatementName() + " failing: " + cause.ToString());
  return true;
}

void DeviceDispatcher::Fail(const Status& cause) {
  Record(cause);
  if (!failed() || aborted_.exchange(true)) return;
  if (created_.load()) set_.SignalAbort();
  const Status first = failure();
  job_.OnFailed(first);
  if (link_) link_->AbortAll(first);
}

Status DeviceDispatcher::Issue(const Outstanding& req, transport::Body body, bool wake) {
  if (!link_) return Status::Failed("no workers to issue a request to");
  return link_->Issue(req, std::move(body), wake);
}

void DeviceDispatcher::Complete(uint32_t device, VDC_Command* cmd, int completion_code,
                                uint64_t bytes) {
  set_.CompleteCommand(device, cmd, completion_code, static_cast<unsigned long>(bytes));
}

Result<uint32_t> DeviceDispatcher::BufferHandle(uint32_t device, VDC_Command* cmd) {
  unsigned int handle = 0;
  int hr = set_.GetBufferHandle(cmd->buffer, &handle);
  if (hr != NOERROR) {
    return Status::Failed("device " + std::to_string(device) +
                          ": GetBufferHandle failed: " + HrHex(hr));
  }
  return static_cast<uint32_t>(handle);
}

void DeviceDispatcher::OnReply(const Outstanding& req, const transport::Reply& reply) {
  job_.OnReply(req, reply);
}

Status DeviceDispatcher::Run(SqlRunner& sql) {
  VDConfig cfg{};
  cfg.deviceCount = options_.devices;
  cfg.features = job_.RequestedFeatures();
  int hr = set_.Create(options_.set_name, &cfg);
  if (hr != NOERROR) {
    return Status::Configuration("cannot create VDI set '" + options_.set_name + "': " + HrHex(hr));
  }
  created_.store(true);
  ScopeExit close_set([&] { set_.Close(); });

  const std::string statement = job_.Statement(device_names_);
  log::Info("running: " + statement);
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<SqlExecution> exec, sql.Start(statement));

  Status st = WaitForConfiguration(*exec);
  if (st.ok()) st = job_.AssignWorkers();
  if (st.ok()) st = OpenDevices();
  if (!st.ok()) Fail(st);
  if (st.ok()) {
    std::vector<std::thread> threads;
    for (uint32_t d = 0; d < options_.devices; ++d) {
      threads.emplace_back([this, d] { DeviceLoop(d); });
    }
    for (std::thread& t : threads) t.join();
    log::Info("devices closed after " + std::to_string(commands_.load()) + " VDI commands");
    if (!failed()) {
      if (Status a = job_.AfterDevices(); !a.ok()) Fail(a);
    }
  }
  close_set.Dismiss();
  set_.Close();
  return job_.Finish(*exec, failed());
}

Status DeviceDispatcher::WaitForConfiguration(SqlExecution& sql) {
  VDConfig cfg{};
  for (;;) {
    int hr = set_.GetConfiguration(1000, &cfg);
    if (hr == NOERROR) break;
    if (failed()) return failure();
    if (options_.stop && options_.stop->load()) return Status::Aborted("interrupted by a signal");
    if (options_.server.Gone()) return Status::Aborted(options_.server.GoneMessage());
    if (hr != VD_E_TIMEOUT) {
      return Status(CodeForHr(hr), "GetConfiguration failed: " + HrHex(hr));
    }
    if (std::optional<ExitInfo> e = sql.Poll()) {
      // The statement ended before the server opened the set: report its messages.
      const std::string name = job_.StatementName();
      return Status::SqlError("the " + name.substr(0, name.find(' ')) +
                              " statement failed before it reached VDI (" + e->ToString() +
                              "): " + SummarizeSqlErrors(sql.Output()));
    }
  }
  job_.OnConfigured(cfg);
  return Status::Ok();
}

Status DeviceDispatcher::OpenDevices() {
  for (uint32_t d = 0; d < options_.devices; ++d) {
    int hr = set_.OpenDevice(d, device_names_[d]);
    if (hr != NOERROR) {
      return Status(CodeForHr(hr), "OpenDevice('" + device_names_[d] + "') failed: " + HrHex(hr));
    }
    job_.OnDeviceOpen(d);
  }
  return Status::Ok();
}

void DeviceDispatcher::DeviceLoop(uint32_t d) {
  for (;;) {
    VDC_Command* cmd = nullptr;
    // The requests of the commands at hand go out without waking the workers' socket thread;
    // when none is left, one wake-up sends them together (proto/README.md §5.1).
    int hr = set_.GetCommand(d, 0, &cmd);
    if (hr != NOERROR) {
      if (link_) link_->Flush();
      if (hr == VD_E_TIMEOUT) hr = set_.GetCommand(d, -1, &cmd);
    }
    if (hr == VD_E_CLOSE) return;
    if (hr != NOERROR) return OnGetCommandFailed(d, hr);
    commands_.fetch_add(1, std::memory_order_relaxed);
    bool completed = false;
    if (Status st = job_.OnCommand(d, cmd, &completed); !st.ok()) {
      if (!completed) set_.CompleteCommand(d, cmd, ERROR_OPERATION_ABORTED, 0);
      Fail(st);
      return;
    }
  }
}

void DeviceDispatcher::OnGetCommandFailed(uint32_t d, int hr) {
  if (hr == VD_E_ABORT) {
    if (options_.server.Gone()) Fail(Status::Aborted(options_.server.GoneMessage()));
    // The server aborts the set when it sees a participant die; the hub names the worker and
    // the cause once it reaps it: prefer that over the generic VDI abort.
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, options_.abort_cause_wait, [&] { return failed_; });
  }
  Fail(Status(CodeForHr(hr), "device " + std::to_string(d) + ": GetCommand failed: " +
                                 HrHex(hr) + (hr == VD_E_ABORT ? " (the VDI set was aborted)" : "")));
}

}  // namespace vdibk::coordinator
