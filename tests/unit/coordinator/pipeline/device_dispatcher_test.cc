// DeviceDispatcher with fakes: a scripted VDI device set, a worker link that answers requests
// itself, a strategy that turns every VDC_Write into one request, and a fake statement.
#include "coordinator/pipeline/device_dispatcher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include "vdierror.h"

namespace vdibk::coordinator {
namespace {

// Serves `writes` VDC_Write commands per device, then VD_E_CLOSE once all were completed.
class FakeSet final : public VdiDeviceSet {
 public:
  FakeSet(uint32_t devices, uint32_t writes) : queues_(devices), outstanding_(devices, 0) {
    for (uint32_t d = 0; d < devices; ++d) {
      for (uint32_t i = 0; i < writes; ++i) {
        auto cmd = std::make_unique<VDC_Command>();
        cmd->commandCode = VDC_Write;
        cmd->size = 65536;
        cmd->buffer = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(4096 * (1 + i % 4)));
        queues_[d].push_back(cmd.get());
        owned_.push_back(std::move(cmd));
      }
    }
  }
  int Create(const std::string& name, VDConfig* cfg) override {
    name_ = name;
    features_ = cfg->features;
    return NOERROR;
  }
  int GetConfiguration(int64_t timeout_ms, VDConfig* cfg) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (aborted_) return VD_E_ABORT;
    if (timeout_ms == 0) return NOERROR;
    cfg->maxTransferSize = 65536;
    return NOERROR;
  }
  int OpenDevice(uint32_t index, const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    opened_.push_back(name);
    return index < queues_.size() ? NOERROR : VD_E_INVALID;
  }
  int GetCommand(uint32_t d, int64_t timeout_ms, VDC_Command** cmd) override {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (aborted_) return VD_E_ABORT;
      if (!queues_[d].empty() && outstanding_[d] < kDepth) {
        *cmd = queues_[d].front();
        queues_[d].pop_front();
        ++outstanding_[d];
        ++gets_;
        return NOERROR;
      }
      if (queues_[d].empty() && outstanding_[d] == 0) return VD_E_CLOSE;
      if (timeout_ms == 0) return VD_E_TIMEOUT;
      cv_.wait(lock);
    }
  }
  int CompleteCommand(uint32_t d, VDC_Command* cmd, int code, unsigned long bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    completions_.push_back({cmd, code, bytes});
    --outstanding_[d];
    cv_.notify_all();
    return NOERROR;
  }
  int GetBufferHandle(uint8_t* buffer, unsigned int* handle) override {
    *handle = static_cast<unsigned int>(reinterpret_cast<uintptr_t>(buffer) / 4096);
    return NOERROR;
  }
  int SignalAbort() override {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    cv_.notify_all();
    return NOERROR;
  }
  int Close() override {
    closed_ = true;
    return NOERROR;
  }

  struct Completion {
    VDC_Command* cmd;
    int code;
    unsigned long bytes;
  };
  static constexpr uint32_t kDepth = 4;  // buffers in flight per device, as BUFFERCOUNT=4
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::deque<VDC_Command*>> queues_;
  std::vector<uint32_t> outstanding_;
  std::vector<std::unique_ptr<VDC_Command>> owned_;
  std::vector<Completion> completions_;
  std::vector<std::string> opened_;
  std::string name_;
  uint32_t features_ = 0;
  uint64_t gets_ = 0;
  bool aborted_ = false;
  bool closed_ = false;
};

// Answers every request when it is sent (Flush, or Issue with wake): a Reply with the request's
// size, or an error for request number `fail_at` (1-based).
class FakeLink final : public WorkerLink {
 public:
  explicit FakeLink(DeviceDispatcher& d) : dispatcher_(d) {}
  Status Issue(const Outstanding& req, transport::Body body, bool wake) override {
    (void)body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queued_.push_back(req);
      ++issued_;
    }
    if (wake) Flush();
    return Status::Ok();
  }
  void Flush() override {
    std::vector<Outstanding> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(queued_);
      if (!batch.empty()) ++flushes_;
    }
    for (const Outstanding& req : batch) {
      transport::Reply r;
      r.device = req.device;
      r.command_seq = req.seq;
      r.bytes = req.size;
      if (++answered_ == fail_at_) {
        r.status = static_cast<uint32_t>(ErrorCode::kTargetIo);
        r.message = "disk on fire";
      }
      dispatcher_.OnReply(req, r);
    }
  }
  void AbortAll(const Status& cause) override {
    std::lock_guard<std::mutex> lock(mu_);
    aborts_.push_back(cause);
  }

  DeviceDispatcher& dispatcher_;
  std::mutex mu_;
  std::vector<Outstanding> queued_;
  std::vector<Status> aborts_;
  uint64_t issued_ = 0;
  uint64_t flushes_ = 0;
  std::atomic<uint64_t> answered_{0};
  uint64_t fail_at_ = 0;
};

class FakeExecution final : public SqlExecution {
 public:
  std::optional<ExitInfo> Poll() override { return std::nullopt; }
  ExitInfo Wait() override { return ExitInfo{0, 0}; }
  std::string Output() const override { return ""; }
  void Cancel() override {}
};

class FakeRunner final : public SqlRunner {
 public:
  Result<std::unique_ptr<SqlExecution>> Start(const std::string& statement) override {
    statements.push_back(statement);
    return std::unique_ptr<SqlExecution>(new FakeExecution());
  }
  std::vector<std::string> statements;
};

// Every VDC_Write becomes one request to worker "w<device>"; a reply completes it.
class WriteStrategy final : public JobStrategy {
 public:
  uint32_t RequestedFeatures() const override { return VDF_RequestComplete; }
  std::string Statement(const std::vector<std::string>& names) override {
    return "BACKUP TO " + std::to_string(names.size()) + " devices";
  }
  std::string StatementName() const override { return "BACKUP"; }
  void OnConfigured(const VDConfig& cfg) override { configured_max = cfg.maxTransferSize; }
  Status AssignWorkers() override {
    ++assigns;
    return Status::Ok();
  }
  Status OnCommand(uint32_t device, VDC_Command* cmd, bool* completed) override {
    (void)completed;
    VDIBK_ASSIGN_OR_RETURN(uint32_t handle, dispatcher->BufferHandle(device, cmd));
    Outstanding req;
    req.worker = "w" + std::to_string(device);
    req.device = device;
    req.seq = ++seq[device];
    req.handle = handle;
    req.size = static_cast<uint32_t>(cmd->size);
    req.command = cmd;
    return dispatcher->Issue(req, transport::WriteRequest{}, /*wake=*/false);
  }
  void OnReply(const Outstanding& req, const transport::Reply& reply) override {
    auto* cmd = static_cast<VDC_Command*>(req.command);
    if (reply.status != 0) {
      dispatcher->Complete(req.device, cmd, ERROR_IO_DEVICE);
      dispatcher->Fail(Status(ErrorCodeFromWire(reply.status), reply.message));
      return;
    }
    dispatcher->Complete(req.device, cmd, ERROR_SUCCESS, reply.bytes);
  }
  Status AfterDevices() override {
    ++after_devices;
    return Status::Ok();
  }
  bool AcceptFailure(const Status& cause) override {
    (void)cause;
    return accept_failures;
  }
  void OnFailed(const Status& cause) override { failed_with.push_back(cause); }
  Status Finish(SqlExecution& sql, bool failed) override {
    finished_failed = failed;
    return failed ? dispatcher->failure() : Status(sql.Wait().ok() ? Status::Ok() : Status::Failed("x"));
  }

  DeviceDispatcher* dispatcher = nullptr;
  std::map<uint32_t, uint64_t> seq;
  uint32_t configured_max = 0;
  int assigns = 0;
  int after_devices = 0;
  bool accept_failures = true;
  std::vector<Status> failed_with;
  bool finished_failed = false;
};

struct Rig {
  Rig(uint32_t devices, uint32_t writes) : set(devices, writes) {
    DispatchOptions o;
    o.set_name = "set";
    o.devices = devices;
    o.abort_cause_wait = std::chrono::milliseconds(0);
    dispatcher = std::make_unique<DeviceDispatcher>(job, set, o);
    job.dispatcher = dispatcher.get();
    link = std::make_unique<FakeLink>(*dispatcher);
    dispatcher->SetWorkers(link.get());
  }
  FakeSet set;
  WriteStrategy job;
  FakeRunner sql;
  std::unique_ptr<DeviceDispatcher> dispatcher;
  std::unique_ptr<FakeLink> link;
};

TEST(DeviceDispatcherTest, EveryCommandGoesToAWorkerAndIsCompletedWithItsReply) {
  Rig r(3, 50);
  ASSERT_TRUE(r.dispatcher->Run(r.sql).ok());
  EXPECT_EQ(r.set.features_, static_cast<uint32_t>(VDF_RequestComplete));
  EXPECT_EQ(r.set.opened_.size(), 3u);
  EXPECT_EQ(r.sql.statements, std::vector<std::string>{"BACKUP TO 3 devices"});
  EXPECT_EQ(r.job.configured_max, 65536u);
  EXPECT_EQ(r.job.assigns, 1);
  EXPECT_EQ(r.job.after_devices, 1);
  EXPECT_FALSE(r.job.finished_failed);
  EXPECT_EQ(r.dispatcher->commands(), 150u);
  ASSERT_EQ(r.set.completions_.size(), 150u);
  for (const auto& c : r.set.completions_) {
    EXPECT_EQ(c.code, ERROR_SUCCESS);
    EXPECT_EQ(c.bytes, 65536u);
  }
  EXPECT_TRUE(r.link->aborts_.empty());
  EXPECT_TRUE(r.set.closed_);
}

TEST(DeviceDispatcherTest, CommandsAtHandGoOutTogether) {
  Rig r(1, 64);
  ASSERT_TRUE(r.dispatcher->Run(r.sql).ok());
  EXPECT_EQ(r.link->issued_, 64u);
  // The fake set hands out 4 commands at a time: at most one flush per 4 commands + the rest.
  EXPECT_LE(r.link->flushes_, 64u / FakeSet::kDepth + 1);
}

TEST(DeviceDispatcherTest, AWorkerErrorFailsOnceAbortsTheSetAndTheWorkers) {
  Rig r(2, 40);
  r.link->fail_at_ = 7;
  Status st = r.dispatcher->Run(r.sql);
  EXPECT_EQ(st.code(), ErrorCode::kTargetIo);
  EXPECT_NE(st.message().find("disk on fire"), std::string::npos);
  EXPECT_TRUE(r.job.finished_failed);
  EXPECT_EQ(r.job.failed_with.size(), 1u);
  EXPECT_EQ(r.link->aborts_.size(), 1u);
  EXPECT_TRUE(r.set.aborted_);
  EXPECT_EQ(r.job.after_devices, 0);
  // The first failure stays the cause: the devices' VD_E_ABORT that followed did not replace it.
  EXPECT_EQ(r.dispatcher->failure().code(), ErrorCode::kTargetIo);
}

TEST(DeviceDispatcherTest, AFailureTheStrategyRefusesDoesNotAbort) {
  Rig r(1, 8);
  r.job.accept_failures = false;  // e.g. a backup already handed to the server
  r.dispatcher->Fail(Status::Aborted("late worker exit"));
  EXPECT_FALSE(r.dispatcher->failed());
  ASSERT_TRUE(r.dispatcher->Run(r.sql).ok());
  EXPECT_TRUE(r.link->aborts_.empty());
  EXPECT_FALSE(r.set.aborted_);
}

TEST(DeviceDispatcherTest, ACreateFailureIsAConfigurationError) {
  class NoSet final : public VdiDeviceSet {
   public:
    int Create(const std::string&, VDConfig*) override { return VD_E_INVALID; }
    int GetConfiguration(int64_t, VDConfig*) override { return VD_E_TIMEOUT; }
    int OpenDevice(uint32_t, const std::string&) override { return VD_E_INVALID; }
    int GetCommand(uint32_t, int64_t, VDC_Command**) override { return VD_E_CLOSE; }
    int CompleteCommand(uint32_t, VDC_Command*, int, unsigned long) override { return NOERROR; }
    int GetBufferHandle(uint8_t*, unsigned int*) override { return VD_E_INVALID; }
    int SignalAbort() override { return NOERROR; }
    int Close() override { return NOERROR; }
  } set;
  WriteStrategy job;
  FakeRunner sql;
  DispatchOptions o;
  o.set_name = "set";
  DeviceDispatcher d(job, set, o);
  job.dispatcher = &d;
  EXPECT_EQ(d.Run(sql).code(), ErrorCode::kConfiguration);
  EXPECT_TRUE(sql.statements.empty());
}

}  // namespace
}  // namespace vdibk::coordinator
