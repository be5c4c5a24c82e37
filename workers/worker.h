// Worker: the event loop and state machine of vdibackup-worker (proto/README.md §4, §7):
// Hello -> Assign -> OpenInSecondary + stripes -> Ready -> Write/Flush/Complete (backup) or
// Read (restore) -> Shutdown.
#ifndef VDIBK_WORKERS_WORKER_H_
#define VDIBK_WORKERS_WORKER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "shared/base/result.h"
#include "shared/stripe/target.h"
#include "shared/transport/data_socket.h"
#include "shared/transport/message_io.h"
#include "shared/transport/pipeline_messages.h"
#include "shared/base/clock.h"
#include "workers/buffer_mapper.h"
#include "workers/device_stripes.h"
#include "workers/failpoint.h"
#include "workers/restore_device.h"
#include "workers/worker_options.h"

namespace vdibk::transport {
class Channel;
}  // namespace vdibk::transport

namespace vdibk::workers {

// Makes the target of one stripe directory of an Assign (the device's target_dir, else the
// Assign's): by default a DirectoryTarget on it, or a NullTarget for TARGET_KIND_NULL.
using TargetFactory = std::function<Result<std::unique_ptr<stripe::Target>>(
    const transport::Assign&, const std::string& dir)>;

// The production TargetFactory.
Result<std::unique_ptr<stripe::Target>> DefaultTarget(const transport::Assign& assign,
                                                      const std::string& dir);

// One job. Not thread-safe; Run() blocks on the calling thread until the job ends.
class Worker {
 public:
  enum class State { kGreeting, kServing, kDone };

  // `stop` (optional, may be set from a signal handler) makes the worker abort with kAborted.
  Worker(WorkerOptions options, std::unique_ptr<BufferMapper> mapper,
         const Clock& clock = SteadyClock::Instance(),
         const std::atomic<bool>* stop = nullptr, TargetFactory make_target = nullptr);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Connects, serves the job, cleans up. OK after Shutdown; otherwise the cause, whose code is
  // the process exit code: the Abort's code, kAborted (coordinator silent for liveness x
  // interval, or `stop`), kFailed (protocol violation), kConfiguration (version mismatch).
  Status Run();

 private:
  Status Serve(transport::Channel& channel);
  // Checks one received message (decode status, seq) and handles it.
  Status Receive(transport::Channel& channel, const transport::Inbound& in);
  // Handles every request packet waiting on the data socket (proto/README.md §5.2); their
  // replies go back on it as one packet.
  Status ServeData(transport::Channel& channel);
  // Handles one message; sets done_ when the job ends. A returned error ends the job (Abort
  // has already been sent to the coordinator when appropriate).
  Status Handle(transport::Channel& channel, const transport::Body& body);
  Status HandleAssign(transport::Channel& channel, const transport::Assign& assign);
  // Sends the gathered replies first (order is kept), then `body`.
  Status Send(transport::Channel& channel, transport::Body body);
  Status SendNow(transport::Channel& channel, transport::Body body);
  // The replies of one wake-up as one message: a Reply, or a Batch of them (README.md §5.1).
  Status FlushReplies(transport::Channel& channel);
  Status HandleRead(transport::Channel& channel, const transport::ReadRequest& request);
  // Encode / Place / Adopt (fan-out, worker_fanout.cc).
  Status HandleFanout(transport::Channel& channel, const transport::Body& body);
  Status SendReply(transport::Channel& channel, transport::Reply reply);
  Status SendAbort(transport::Channel& channel, const Status& cause);
  Status SendHeartbeat(transport::Channel& channel);
  // SendHeartbeat if nothing went over the channel for a heartbeat interval.
  Status KeepAlive(transport::Channel& channel);

  WorkerOptions options_;
  std::unique_ptr<BufferMapper> mapper_;
  const Clock& clock_;
  const std::atomic<bool>* stop_;
  TargetFactory make_target_;
  Failpoint failpoint_;  // tests only: dies at a chosen request
  State state_ = State::kGreeting;
  std::optional<DeviceStripes> stripes_;   // backup
  std::optional<RestoreStripes> restore_;  // restore
  uint64_t next_seq_ = 1;
  uint64_t last_inbound_seq_ = 0;
  Clock::time_point last_sent_{};
  // While the messages of one wake-up are handled, replies gather here (SendReply).
  bool gathering_ = false;
  std::vector<transport::Reply> replies_;
  // The data socket of a spawned worker (kDataFdVariable), and while its requests are handled,
  // replies go there.
  std::optional<transport::DataSocket> data_;
  bool replies_to_data_ = false;
  uint64_t data_next_seq_ = 1;
  uint64_t data_inbound_seq_ = 0;
};

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_WORKER_H_
