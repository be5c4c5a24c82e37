// OutstandingTable: the dispatcher's bookkeeping of requests sent to workers and not yet
// answered, and the validation of every Reply against it (proto/README.md §5, §8).
#ifndef VDIBK_COORDINATOR_PIPELINE_OUTSTANDING_TABLE_H_
#define VDIBK_COORDINATOR_PIPELINE_OUTSTANDING_TABLE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

// kEncode, kPlace, kAdopt: the three stages of one data command under fan-out (proto/README.md
// §9), issued one after the other for the same {device, seq}.
enum class RequestKind { kWrite, kFlush, kComplete, kRead, kEncode, kPlace, kAdopt };

// One request owned by one worker until it replies (the credit rule).
struct Outstanding {
  std::string worker;
  uint32_t device = 0;
  uint64_t seq = 0;  // command_seq of the device
  RequestKind kind = RequestKind::kWrite;
  uint32_t handle = 0;      // Write/Read/Encode/Adopt only
  uint32_t size = 0;        // Write/Read/Encode/Adopt only
  void* command = nullptr;  // opaque VDC_Command* to complete (null: no VDI command)
};

// What the table needs from a Reply.
struct ReplyFacts {
  uint32_t device = 0;
  uint64_t seq = 0;
  uint32_t handle = 0;
  uint64_t bytes = 0;
  uint32_t status = 0;
};

// Thread-safe: device threads Add, the hub thread Take.
class OutstandingTable {
 public:
  // Registers a request. Errors: kFailed if {device, seq} is already outstanding, was already
  // answered for this kind, or a handle is issued twice.
  Status Add(const Outstanding& req);
  // Validates and removes the request `reply` answers. Protocol violations (kAborted):
  // unknown, duplicate, foreign (issued to another worker), handle mismatch, oversized (Write or
  // Read), and a successful Write reply whose bytes differ from the request's size.
  Result<Outstanding> Take(const std::string& worker, const ReplyFacts& reply);
  // Removes and returns every outstanding request (abort path).
  std::vector<Outstanding> Drain();
  size_t size() const;
  size_t CountFor(const std::string& worker) const;

 private:
  using Key = std::pair<uint32_t, uint64_t>;  // {device, seq}
  using AnsweredKey = std::tuple<uint32_t, uint64_t, RequestKind>;
  mutable std::mutex mu_;
  std::map<Key, Outstanding> pending_;
  std::set<uint32_t> handles_;  // Write/Read/Encode/Adopt handles currently lent out
  std::set<AnsweredKey> answered_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_OUTSTANDING_TABLE_H_
