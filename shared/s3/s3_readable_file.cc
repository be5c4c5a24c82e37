// S3ReadableFile: direct ranged GETs into the caller's buffer, and the read-ahead window of
// chunks fetched by background threads.
#include "shared/s3/s3_readable_file.h"

#include <algorithm>
#include <cstring>

namespace vdibk::s3 {
namespace {

// Writes a GET's body straight into the caller's buffer.
class SpanSink final : public HttpBodySink {
 public:
  SpanSink(char* dst, size_t capacity) : dst_(dst), capacity_(capacity) {}
  Status Write(std::string_view data) override {
    if (data.size() > capacity_ - written_)
      return Status::TargetIo("the server sent more bytes than the range asked for");
    std::memcpy(dst_ + written_, data.data(), data.size());
    written_ += data.size();
    return Status::Ok();
  }
  Status Restart() override {
    written_ = 0;
    return Status::Ok();
  }
  size_t written() const { return written_; }

 private:
  char* dst_;
  size_t capacity_;
  size_t written_ = 0;
};

Status ShortObject(const std::string& bucket, const std::string& key, uint64_t offset) {
  return Status::TargetIo("S3 GetObject s3://" + bucket + "/" + key +
                          ": fewer bytes than asked at " + std::to_string(offset) +
                          " (the object changed while it was read?)");
}

}  // namespace

S3ReadableFile::S3ReadableFile(std::string bucket, std::string key, std::string name, uint64_t size,
                               std::unique_ptr<S3Client> control, S3ClientFactory clients,
                               const S3TargetOptions& options)
    : bucket_(std::move(bucket)),
      key_(std::move(key)),
      name_(std::move(name)),
      size_(size),
      control_(std::move(control)),
      clients_(std::move(clients)),
      options_(options) {}

S3ReadableFile::~S3ReadableFile() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

S3ReadStats S3ReadableFile::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

Result<size_t> S3ReadableFile::Direct(uint64_t offset, void* dst, size_t size) {
  {
    std::lock_guard lk(mu_);
    ++stats_.direct_gets;
  }
  SpanSink sink(static_cast<char*>(dst), size);
  VDIBK_ASSIGN_OR_RETURN(
      ObjectInfo info,
      control_->GetObject(bucket_, key_, sink, ByteRange{offset, offset + size - 1}));
  (void)info;
  if (sink.written() != size) return ShortObject(bucket_, key_, offset);
  return size;
}

Result<size_t> S3ReadableFile::ReadAt(uint64_t offset, void* dst, size_t size) {
  std::lock_guard call(call_mu_);
  if (offset >= size_ || size == 0) return size_t{0};
  size = static_cast<size_t>(std::min<uint64_t>(size, size_ - offset));
  if (options_.reads_in_flight <= 0 || options_.read_chunk == 0) return Direct(offset, dst, size);
  std::unique_lock lk(mu_);
  const bool in_window = window_.count(offset / options_.read_chunk) > 0;
  const bool in_order = first_read_ || in_window || offset == last_end_;
  first_read_ = false;
  Result<size_t> got = size_t{0};
  if (in_order) {
    got = FromWindow(lk, offset, static_cast<char*>(dst), size);
  } else {
    lk.unlock();
    got = Direct(offset, dst, size);
  }
  if (got.ok()) last_end_ = offset + *got;
  return got;
}

void S3ReadableFile::Window(uint64_t first) {
  const uint64_t last_chunk = (size_ - 1) / options_.read_chunk;
  const uint64_t end =
      std::min(last_chunk, first + static_cast<uint64_t>(options_.reads_in_flight) - 1);
  for (auto it = window_.begin(); it != window_.end();) {
    if (it->first >= first && it->first <= end) {
      ++it;
      continue;
    }
    it->second->dropped = true;
    if (!it->second->read) ++stats_.chunks_wasted;
    it = window_.erase(it);
  }
  for (uint64_t k = first; k <= end; ++k) {
    if (window_.count(k)) continue;
    auto chunk = std::make_shared<Chunk>();
    chunk->index = k;
    window_.emplace(k, chunk);
    to_fetch_.push_back(std::move(chunk));
    ++stats_.chunk_gets;
  }
  if (threads_.empty())
    for (int i = 0; i < options_.reads_in_flight; ++i)
      threads_.emplace_back([this] { FetchLoop(); });
  cv_.notify_all();
}

Result<size_t> S3ReadableFile::FromWindow(std::unique_lock<std::mutex>& lk, uint64_t offset,
                                          char* dst, size_t size) {
  size_t done = 0;
  while (done < size) {
    const uint64_t at = offset + done;
    const uint64_t k = at / options_.read_chunk;
    Window(k);
    std::shared_ptr<Chunk> chunk = window_.at(k);
    cv_.wait(lk, [&] { return chunk->done; });
    if (!chunk->status.ok()) {
      window_.erase(k);  // the next read asks again
      return chunk->status;
    }
    chunk->read = true;
    const uint64_t in_chunk = at - k * options_.read_chunk;
    if (in_chunk >= chunk->data.size()) return ShortObject(bucket_, key_, at);
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(size - done, chunk->data.size() - in_chunk));
    std::memcpy(dst + done, chunk->data.data() + in_chunk, n);
    done += n;
  }
  return done;
}

void S3ReadableFile::FetchLoop() {
  Result<std::unique_ptr<S3Client>> client = clients_();
  for (;;) {
    std::shared_ptr<Chunk> chunk;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || !to_fetch_.empty(); });
      if (stop_) return;
      chunk = std::move(to_fetch_.front());
      to_fetch_.pop_front();
      if (chunk->dropped) continue;
    }
    const uint64_t first = chunk->index * options_.read_chunk;
    const uint64_t length = std::min(options_.read_chunk, size_ - first);
    std::string data;
    Status status;
    if (!client.ok()) {
      status = client.status();
    } else {
      Result<std::string> body =
          (*client)->GetObject(bucket_, key_, ByteRange{first, first + length - 1});
      if (!body.ok())
        status = body.status();
      else if (body->size() != length)
        status = ShortObject(bucket_, key_, first);
      else
        data = std::move(body).value();
    }
    std::lock_guard lk(mu_);
    chunk->data = std::move(data);
    chunk->status = std::move(status);
    chunk->done = true;
    cv_.notify_all();
  }
}

}  // namespace vdibk::s3
