// Disk devices for BACKUP TO DISK / RESTORE FROM DISK: aligned buffers, one thread per file.
#include "emulator/engine/disk_devices.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "emulator/base/sql_error.h"

namespace vdibk::emulator {
namespace {

std::string OsError(int err) { return std::to_string(err) + "(" + std::strerror(err) + ")"; }

class FirstError {
 public:
  void Set(Status s) {
    std::lock_guard l(mu_);
    if (status_.ok()) status_ = std::move(s);
    failed_ = true;
  }
  bool failed() const { return failed_.load(); }
  Status get() {
    std::lock_guard l(mu_);
    return status_;
  }

 private:
  std::mutex mu_;
  Status status_;
  std::atomic<bool> failed_{false};
};

void WriteDevice(DeviceStream& stream, const std::string& path, uint32_t transfer, FirstError* err,
                 std::atomic<uint64_t>* bytes, ProgressReporter* progress) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    err->Set(SqlErrorStatus(3201, "Cannot open backup device '" + path +
                                      "'. Operating system error " + OsError(errno) + "."));
    return;
  }
  AlignedBuffer buf(transfer, 65536);
  for (;;) {
    if (err->failed()) break;
    Result<size_t> n = stream.Fill(buf.data, buf.size);
    if (!n.ok()) {
      err->Set(SqlErrorStatus(3203, "Read on database file failed: " + n.status().message()));
      break;
    }
    if (*n == 0) break;
    size_t off = 0;
    while (off < *n) {
      ssize_t w = write(fd, buf.data + off, *n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        err->Set(SqlErrorStatus(
            3202, "Write on \"" + path + "\" failed: " + OsError(w < 0 ? errno : ENOSPC),
            ErrorCode::kTargetIo));
        break;
      }
      off += static_cast<size_t>(w);
    }
    *bytes += *n;
    if (progress) progress->Add(*n);
  }
  struct stat st {};
  if (!err->failed() && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(fd) != 0) {
    err->Set(SqlErrorStatus(3202, "Write on \"" + path + "\" failed: " + OsError(errno),
                            ErrorCode::kTargetIo));
  }
  close(fd);
}

void ReadDevice(RestoreSession& session, uint32_t d, const std::string& path, FirstError* err,
                std::atomic<uint64_t>* bytes, ProgressReporter* progress) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err->Set(SqlErrorStatus(3201, "Cannot open backup device '" + path +
                                      "'. Operating system error " + OsError(errno) + "."));
    return;
  }
  constexpr size_t kSizes[] = {1 << 20, 192 << 10, 64 << 10, 512 << 10};
  AlignedBuffer buf(1 << 20, 65536);
  for (size_t k = 0; !err->failed() && session.WantsMore(d); ++k) {
    ssize_t n = read(fd, buf.data, kSizes[k % 4]);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err->Set(SqlErrorStatus(3203, "Read on \"" + path + "\" failed: " + OsError(errno)));
      break;
    }
    if (n == 0) break;  // end of file: the session decides whether the stream was complete
    Status st = session.Consume(d, buf.data, static_cast<size_t>(n));
    *bytes += static_cast<uint64_t>(n);
    if (progress) {
      if (!progress->has_total()) progress->SetTotal(session.expected_bytes());
      progress->Add(static_cast<uint64_t>(n));
    }
    if (!st.ok()) err->Set(st);
  }
  close(fd);
}

}  // namespace

Status RunDiskBackup(BackupSession& job, const std::vector<std::string>& paths, uint32_t transfer,
                     DiskRunStats* stats, ProgressReporter* progress) {
  if (paths.size() != job.device_count())
    return SqlErrorStatus(3201, "Cannot open backup device: count mismatch.");
  auto t0 = std::chrono::steady_clock::now();
  FirstError err;
  std::atomic<uint64_t> bytes{0};
  std::vector<std::thread> threads;
  for (uint32_t d = 0; d < paths.size(); ++d) {
    threads.emplace_back(
        [&, d] { WriteDevice(job.device(d), paths[d], transfer, &err, &bytes, progress); });
  }
  for (auto& t : threads) t.join();
  if (stats) {
    stats->bytes = bytes.load();
    stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return err.get();
}

Status RunDiskRestore(RestoreSession& session, const std::vector<std::string>& paths,
                      DiskRunStats* stats, ProgressReporter* progress) {
  auto t0 = std::chrono::steady_clock::now();
  FirstError err;
  std::atomic<uint64_t> bytes{0};
  std::vector<std::thread> threads;
  for (uint32_t d = 0; d < paths.size(); ++d) {
    threads.emplace_back([&, d] { ReadDevice(session, d, paths[d], &err, &bytes, progress); });
  }
  for (auto& t : threads) t.join();
  if (stats) {
    stats->bytes = bytes.load();
    stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return err.get();
}

}  // namespace vdibk::emulator
