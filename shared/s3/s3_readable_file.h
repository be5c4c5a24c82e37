// S3ReadableFile: a stripe::ReadableFile over one S3 object: ranged GETs, and a read-ahead window
// of several ranged GETs in flight (background threads, one S3Client each) for reads in order.
#ifndef VDIBK_SHARED_S3_S3_READABLE_FILE_H_
#define VDIBK_SHARED_S3_S3_READABLE_FILE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shared/s3/s3_client.h"
#include "shared/s3/s3_target.h"
#include "shared/stripe/target.h"

namespace vdibk::s3 {

struct S3ReadStats {
  uint64_t direct_gets = 0;    // ranged GETs of exactly what a ReadAt asked
  uint64_t chunk_gets = 0;     // read-ahead GETs started
  uint64_t chunks_wasted = 0;  // fetched or started but dropped unread
};

// Thread-safe (calls are serialized). The size is the object's at open (HeadObject); a ReadAt
// beyond it returns 0 bytes. Read-ahead (options.reads_in_flight > 0): the object is read in
// aligned chunks of read_chunk bytes; the first read, a read inside the window and a read that
// continues the previous one start the window at its chunk and keep the next reads_in_flight
// chunks requested; chunks before the one being read are dropped. Other reads (a stripe's
// trailer, a single seek) are one ranged GET each and leave the window alone. So StripeReader's
// pattern (header at 0, trailer at the end, then the frames in order) costs one GET for the
// trailer and keeps the frames streaming.
class S3ReadableFile final : public stripe::ReadableFile {
 public:
  S3ReadableFile(std::string bucket, std::string key, std::string name, uint64_t size,
                 std::unique_ptr<S3Client> control, S3ClientFactory clients,
                 const S3TargetOptions& options);
  ~S3ReadableFile() override;
  S3ReadableFile(const S3ReadableFile&) = delete;
  S3ReadableFile& operator=(const S3ReadableFile&) = delete;

  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override;
  Result<uint64_t> Size() override { return size_; }
  const std::string& name() const override { return name_; }

  S3ReadStats stats() const;

 private:
  struct Chunk {
    uint64_t index = 0;
    std::string data;
    bool done = false;
    bool dropped = false;
    bool read = false;  // a ReadAt took bytes from it
    Status status;
  };

  Result<size_t> Direct(uint64_t offset, void* dst, size_t size);
  // Keeps chunks [first, first + reads_in_flight) requested, drops the others. Holds mu_.
  void Window(uint64_t first);
  Result<size_t> FromWindow(std::unique_lock<std::mutex>& lk, uint64_t offset, char* dst,
                            size_t size);
  void FetchLoop();

  const std::string bucket_, key_, name_;
  const uint64_t size_;
  std::unique_ptr<S3Client> control_;
  S3ClientFactory clients_;
  const S3TargetOptions options_;

  std::mutex call_mu_;  // serializes ReadAt
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::shared_ptr<Chunk>> window_;
  std::deque<std::shared_ptr<Chunk>> to_fetch_;
  std::vector<std::thread> threads_;
  bool stop_ = false;
  bool first_read_ = true;
  uint64_t last_end_ = UINT64_MAX;  // where the previous ReadAt ended
  S3ReadStats stats_;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_READABLE_FILE_H_
