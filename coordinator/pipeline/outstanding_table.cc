// OutstandingTable: request bookkeeping and reply validation.
#include "coordinator/pipeline/outstanding_table.h"

namespace vdibk::coordinator {
namespace {

std::string Where(const ReplyFacts& r) {
  return "device " + std::to_string(r.device) + " seq " + std::to_string(r.seq) + " handle " +
         std::to_string(r.handle);
}

bool HasBuffer(RequestKind kind) {
  return kind == RequestKind::kWrite || kind == RequestKind::kRead ||
         kind == RequestKind::kEncode || kind == RequestKind::kAdopt;
}

// Requests whose successful reply moves exactly the request's size.
bool MovesAll(RequestKind kind) {
  return kind == RequestKind::kWrite || kind == RequestKind::kEncode || kind == RequestKind::kAdopt;
}

}  // namespace

Status OutstandingTable::Add(const Outstanding& req) {
  std::lock_guard<std::mutex> lock(mu_);
  Key key{req.device, req.seq};
  if (pending_.count(key) || answered_.count({req.device, req.seq, req.kind})) {
    return Status::Failed("request device " + std::to_string(req.device) + " seq " +
                          std::to_string(req.seq) + " issued twice");
  }
  if (HasBuffer(req.kind) && !handles_.insert(req.handle).second) {
    return Status::Failed("buffer handle " + std::to_string(req.handle) + " lent out twice");
  }
  pending_.emplace(key, req);
  return Status::Ok();
}

Result<Outstanding> OutstandingTable::Take(const std::string& worker, const ReplyFacts& r) {
  std::lock_guard<std::mutex> lock(mu_);
  Key key{r.device, r.seq};
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    bool seen = false;
    for (auto k :
         {RequestKind::kWrite, RequestKind::kFlush, RequestKind::kComplete, RequestKind::kRead,
          RequestKind::kEncode, RequestKind::kPlace, RequestKind::kAdopt}) {
      seen = seen || answered_.count({r.device, r.seq, k}) != 0;
    }
    return Status::Aborted(std::string(seen ? "duplicate" : "unknown") + " reply from worker " +
                           worker + " (" + Where(r) + ")");
  }
  const Outstanding& req = it->second;
  if (req.worker != worker) {
    return Status::Aborted("foreign reply from worker " + worker + " for a request of worker " +
                           req.worker + " (" + Where(r) + ")");
  }
  if (req.handle != r.handle) {
    return Status::Aborted("reply from worker " + worker + " names handle " +
                           std::to_string(r.handle) + " but handle " + std::to_string(req.handle) +
                           " was issued (" + Where(r) + ")");
  }
  if (MovesAll(req.kind) && (r.bytes > req.size || (r.status == 0 && r.bytes != req.size))) {
    return Status::Aborted("reply from worker " + worker + " reports " + std::to_string(r.bytes) +
                           " bytes for a write of " + std::to_string(req.size) + " (" + Where(r) +
                           ")");
  }
  if (req.kind == RequestKind::kRead && r.bytes > req.size) {
    return Status::Aborted("reply from worker " + worker + " reports " + std::to_string(r.bytes) +
                           " bytes for a read of " + std::to_string(req.size) + " (" + Where(r) +
                           ")");
  }
  Outstanding out = req;
  pending_.erase(it);
  if (HasBuffer(out.kind)) handles_.erase(out.handle);
  answered_.insert({out.device, out.seq, out.kind});
  return out;
}

std::vector<Outstanding> OutstandingTable::Drain() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Outstanding> out;
  for (auto& [key, req] : pending_) out.push_back(req);
  pending_.clear();
  handles_.clear();
  return out;
}

size_t OutstandingTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

size_t OutstandingTable::CountFor(const std::string& worker) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [key, req] : pending_) n += req.worker == worker;
  return n;
}

}  // namespace vdibk::coordinator
