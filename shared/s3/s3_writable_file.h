// S3WritableFile: a stripe::WritableFile streamed to one S3 object as a multipart upload from a
// bounded pool of part buffers uploaded by background threads (one S3Client each), or one PUT.
#ifndef VDIBK_SHARED_S3_S3_WRITABLE_FILE_H_
#define VDIBK_SHARED_S3_S3_WRITABLE_FILE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shared/s3/s3_client.h"
#include "shared/s3/s3_target.h"
#include "shared/stripe/target.h"

namespace vdibk::s3 {

inline constexpr int kMaxParts = 10'000;
inline constexpr uint64_t kMaxPartSize = 5ull << 30;  // S3's largest part

// The size of part `part_number` (1-based) when parts start at `initial`: initial doubled every
// 1000 parts, at most kMaxPartSize.
uint64_t PartSizeFor(int part_number, uint64_t initial);
// What kMaxParts parts of PartSizeFor sizes hold: the largest file at that initial part size.
uint64_t MultipartCapacity(uint64_t initial);

// What a file's buffers did (for tests and logs).
struct S3WriteStats {
  int parts_uploaded = 0;
  int buffers_held = 0;  // now: filling, queued, uploading and spare
  int peak_buffers = 0;
  uint64_t peak_buffer_bytes = 0;
  uint64_t append_waits = 0;  // times Append waited for a buffer
  bool multipart = false;     // an upload was created
};

// One owner thread (WritableFile's contract); the upload threads are internal. Errors are sticky:
// the first failure (an Append, a part's upload, Sync or Commit) is returned by every later call.
// Sync waits until every full part appended so far is stored by S3, first handing off the buffer
// being filled if it is at least min_part_size; a smaller tail stays in memory until Commit (S3
// stores no part under 5 MiB but the last). Commit: a file that fits one part is one PutObject
// (Content-MD5; If-None-Match unless replace); else the last part, then CompleteMultipartUpload
// with every part's ETag (checked by S3Client: kIntegrity, and without replace the mismatching
// object is deleted). Without replace an existing object is refused
// (HeadObject before the upload is completed). Abort (also the destructor) stops the threads and
// aborts the upload; the object never appears.
class S3WritableFile final : public stripe::WritableFile {
 public:
  // `control` serves the owner's calls (create, complete, put, abort); upload threads get theirs
  // from `clients`.
  S3WritableFile(std::string bucket, std::string key, std::string name,
                 std::unique_ptr<S3Client> control, S3ClientFactory clients,
                 const S3TargetOptions& options, bool replace);
  ~S3WritableFile() override;
  S3WritableFile(const S3WritableFile&) = delete;
  S3WritableFile& operator=(const S3WritableFile&) = delete;

  using WritableFile::Append;
  Status Append(std::span<const stripe::ConstBuffer> pieces) override;
  Status Sync() override;
  Status Commit() override;
  void Abort() override;
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

  S3WriteStats stats() const;

 private:
  struct Part {
    int number = 0;
    std::vector<char> data;
  };

  Status Fail(Status s);  // records the first error; returns it
  Status HandOff();       // queues filling_ as the next part (starts the upload first)
  Status TakeBuffer();    // a buffer for part next_part_ into filling_; may wait
  Status WaitUploaded();  // until nothing is queued or uploading
  Status StartUpload();
  void StopThreads();
  void UploadLoop();
  Status RefuseExisting();

  const std::string bucket_, key_, name_;
  std::unique_ptr<S3Client> control_;
  S3ClientFactory clients_;
  const S3TargetOptions options_;
  const bool replace_;
  const uint64_t initial_;  // first parts' size
  const uint64_t budget_;   // bytes of part buffers, parts_in_flight x initial_

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Status error_;
  bool stop_ = false;
  std::vector<char> filling_;   // owner only; counted as held while have_filling_
  uint64_t filling_limit_ = 0;  // its part's size
  bool have_filling_ = false;
  std::deque<Part> queued_;
  std::vector<std::vector<char>> spare_;
  int uploading_ = 0;
  std::vector<CompletedPart> done_;  // by part number - 1
  S3WriteStats stats_;
  uint64_t held_bytes_ = 0;
  std::vector<std::thread> threads_;

  // Owner thread only.
  std::string upload_id_;
  int next_part_ = 1;
  uint64_t size_ = 0;
  bool committed_ = false;
  bool aborted_ = false;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_WRITABLE_FILE_H_
