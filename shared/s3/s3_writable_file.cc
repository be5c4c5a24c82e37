// S3WritableFile: the part buffer pool (bounded bytes, reused buffers), the upload threads, and
// the PUT / CompleteMultipartUpload / AbortMultipartUpload endings.
#include "shared/s3/s3_writable_file.h"

#include <algorithm>
#include <cstring>

#include "shared/base/log.h"

namespace vdibk::s3 {
namespace {

constexpr int kPartsPerDoubling = 1000;

std::span<const char> Span(const std::vector<char>& v) { return {v.data(), v.size()}; }

}  // namespace

uint64_t PartSizeFor(int part_number, uint64_t initial) {
  const int doublings = std::max(0, part_number - 1) / kPartsPerDoubling;
  uint64_t size = std::min(initial, kMaxPartSize);
  for (int i = 0; i < doublings && size < kMaxPartSize; ++i)
    size = std::min(size * 2, kMaxPartSize);
  return size;
}

uint64_t MultipartCapacity(uint64_t initial) {
  uint64_t total = 0;
  for (int first = 1; first <= kMaxParts; first += kPartsPerDoubling)
    total += PartSizeFor(first, initial) * kPartsPerDoubling;
  return total;
}

S3WritableFile::S3WritableFile(std::string bucket, std::string key, std::string name,
                               std::unique_ptr<S3Client> control, S3ClientFactory clients,
                               const S3TargetOptions& options, bool replace)
    : bucket_(std::move(bucket)),
      key_(std::move(key)),
      name_(std::move(name)),
      control_(std::move(control)),
      clients_(std::move(clients)),
      options_(options),
      replace_(replace),
      initial_(std::clamp(options.part_size, options.min_part_size, kMaxPartSize)),
      budget_(initial_ * static_cast<uint64_t>(std::max(2, options.parts_in_flight))) {}

S3WritableFile::~S3WritableFile() { Abort(); }

Status S3WritableFile::Fail(Status s) {
  std::lock_guard lk(mu_);
  if (error_.ok()) error_ = std::move(s);
  cv_.notify_all();
  return error_;
}

S3WriteStats S3WritableFile::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

Status S3WritableFile::TakeBuffer() {
  const uint64_t size = PartSizeFor(next_part_, initial_);
  std::unique_lock lk(mu_);
  for (;;) {
    if (!error_.ok()) return error_;
    auto fits = std::find_if(spare_.begin(), spare_.end(),
                             [&](const std::vector<char>& b) { return b.capacity() >= size; });
    if (fits != spare_.end()) {
      filling_ = std::move(*fits);
      spare_.erase(fits);
      break;
    }
    for (const std::vector<char>& b : spare_) {  // too small now that parts have grown
      held_bytes_ -= b.capacity();
      --stats_.buffers_held;
    }
    spare_.clear();
    if (stats_.buffers_held < 2 || held_bytes_ + size <= budget_) {
      filling_ = std::vector<char>();
      filling_.reserve(size);
      held_bytes_ += filling_.capacity();
      ++stats_.buffers_held;
      stats_.peak_buffers = std::max(stats_.peak_buffers, stats_.buffers_held);
      stats_.peak_buffer_bytes = std::max(stats_.peak_buffer_bytes, held_bytes_);
      break;
    }
    ++stats_.append_waits;
    cv_.wait(lk);
  }
  filling_.clear();
  filling_limit_ = size;
  have_filling_ = true;
  return Status::Ok();
}

Status S3WritableFile::Append(std::span<const stripe::ConstBuffer> pieces) {
  {
    std::lock_guard lk(mu_);
    if (!error_.ok()) return error_;
  }
  if (committed_ || aborted_) return Fail(Status::TargetIo("append to closed file " + name_));
  for (const stripe::ConstBuffer& piece : pieces) {
    const char* p = static_cast<const char*>(piece.data);
    size_t left = piece.size;
    while (left > 0) {
      if (have_filling_ && filling_.size() == filling_limit_) VDIBK_RETURN_IF_ERROR(HandOff());
      if (!have_filling_) VDIBK_RETURN_IF_ERROR(TakeBuffer());
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(left, filling_limit_ - filling_.size()));
      filling_.insert(filling_.end(), p, p + n);
      p += n;
      left -= n;
      size_ += n;
    }
  }
  return Status::Ok();
}

Status S3WritableFile::StartUpload() {
  Result<std::string> id = control_->CreateMultipartUpload(bucket_, key_);
  if (!id.ok()) return Fail(id.status());
  upload_id_ = std::move(id).value();
  {
    std::lock_guard lk(mu_);
    stats_.multipart = true;
  }
  const int threads = std::max(1, options_.parts_in_flight - 1);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { UploadLoop(); });
  return Status::Ok();
}

Status S3WritableFile::HandOff() {
  if (upload_id_.empty()) VDIBK_RETURN_IF_ERROR(StartUpload());
  if (next_part_ > kMaxParts)
    return Fail(Status::TargetIo("s3://" + bucket_ + "/" + key_ + ": more than " +
                                 std::to_string(MultipartCapacity(initial_)) +
                                 " bytes (10,000 parts) at a first part size of " +
                                 std::to_string(initial_)));
  std::lock_guard lk(mu_);
  if (!error_.ok()) return error_;
  done_.resize(static_cast<size_t>(next_part_));
  queued_.push_back(Part{next_part_++, std::move(filling_)});
  filling_ = std::vector<char>();
  have_filling_ = false;
  cv_.notify_all();
  return Status::Ok();
}

void S3WritableFile::UploadLoop() {
  Result<std::unique_ptr<S3Client>> client = clients_();
  if (!client.ok()) {
    (void)Fail(client.status().WithContext("S3 upload of " + name_));
    return;
  }
  for (;;) {
    Part part;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || (!queued_.empty() && error_.ok()); });
      if (stop_) return;
      part = std::move(queued_.front());
      queued_.pop_front();
      ++uploading_;
    }
    // S3Client retries transient failures with the same bytes and Content-MD5, and checks the
    // ETag: a retried part is stored whole or not at all.
    Result<std::string> etag =
        (*client)->UploadPart(bucket_, key_, upload_id_, part.number, Span(part.data));
    std::lock_guard lk(mu_);
    --uploading_;
    if (etag.ok()) {
      done_[static_cast<size_t>(part.number - 1)] = CompletedPart{part.number, *etag};
      ++stats_.parts_uploaded;
    } else if (error_.ok()) {
      error_ = etag.status();
    }
    part.data.clear();
    spare_.push_back(std::move(part.data));
    if (!error_.ok()) {  // nothing queued is uploaded any more
      for (Part& q : queued_) spare_.push_back(std::move(q.data));
      queued_.clear();
    }
    cv_.notify_all();
  }
}

Status S3WritableFile::WaitUploaded() {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return !error_.ok() || (queued_.empty() && uploading_ == 0); });
  return error_;
}

void S3WritableFile::StopThreads() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

Status S3WritableFile::Sync() {
  {
    std::lock_guard lk(mu_);
    if (!error_.ok()) return error_;
  }
  if (committed_ || aborted_) return Fail(Status::TargetIo("sync of closed file " + name_));
  if (have_filling_ && filling_.size() >= options_.min_part_size) VDIBK_RETURN_IF_ERROR(HandOff());
  return WaitUploaded();
}

Status S3WritableFile::RefuseExisting() {
  if (replace_) return Status::Ok();
  Result<ObjectInfo> head = control_->HeadObject(bucket_, key_);
  if (head.ok()) return Status::TargetIo("s3://" + bucket_ + "/" + key_ + " already exists");
  return head.status().code() == ErrorCode::kMissing ? Status::Ok() : head.status();
}

Status S3WritableFile::Commit() {
  {
    std::lock_guard lk(mu_);
    if (!error_.ok()) return error_;
  }
  if (committed_ || aborted_) return Fail(Status::TargetIo("commit of closed file " + name_));
  if (upload_id_.empty()) {  // it all fits one part: one PUT
    if (Status st = RefuseExisting(); !st.ok()) return Fail(st);
    PutObjectOptions put;
    put.if_none_match = !replace_;
    Result<std::string> etag = control_->PutObject(bucket_, key_, Span(filling_), put);
    if (!etag.ok()) return Fail(etag.status());
    committed_ = true;
    return Status::Ok();
  }
  if (have_filling_ && !filling_.empty()) VDIBK_RETURN_IF_ERROR(HandOff());
  VDIBK_RETURN_IF_ERROR(WaitUploaded());
  StopThreads();
  if (Status st = RefuseExisting(); !st.ok()) return Fail(st);
  std::vector<CompletedPart> parts;
  {
    std::lock_guard lk(mu_);
    parts = done_;
  }
  Result<CompleteMultipartUploadResult> done =
      control_->CompleteMultipartUpload(bucket_, key_, upload_id_, parts);
  if (!done.ok()) {
    // An object whose ETag is not that of the parts sent is not to be kept. (With replace the
    // key held an object before, which a failed Complete may have left: it is not deleted.)
    if (done.status().code() == ErrorCode::kIntegrity && !replace_)
      (void)control_->DeleteObject(bucket_, key_);
    return Fail(done.status());
  }
  committed_ = true;
  return Status::Ok();
}

void S3WritableFile::Abort() {
  if (committed_ || aborted_) return;
  aborted_ = true;
  {
    std::lock_guard lk(mu_);
    if (error_.ok()) error_ = Status::TargetIo("file " + name_ + " was aborted");
  }
  StopThreads();  // no part is stored after the abort below
  if (upload_id_.empty()) return;
  Status st = control_->AbortMultipartUpload(bucket_, key_, upload_id_);
  if (!st.ok() && st.code() != ErrorCode::kMissing)
    log::Warn("could not abort the multipart upload of s3://" + bucket_ + "/" + key_ +
              " (vdibackup's cleanup of the set removes it): " + st.message());
}

}  // namespace vdibk::s3
