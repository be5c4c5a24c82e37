// Segment implementation over Boost.Interprocess shared_memory_object + mapped_region.
#include "segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cerrno>

#include "shm_names.h"
#include "vdierror.h"

namespace bip = boost::interprocess;

namespace vdibk::vdi {
namespace {

// Boost names the object without the leading slash and adds it itself.
const char* BoostName(const std::string& shm_name) {
  return shm_name.c_str() + (shm_name.empty() || shm_name[0] != '/' ? 0 : 1);
}

int ErrnoOf(const bip::interprocess_exception& e) {
  int native = e.get_native_error();
  return native != 0 ? native : EIO;
}

}  // namespace

Segment::Segment() = default;
Segment::~Segment() { Reset(); }
Segment::Segment(Segment&&) noexcept = default;
Segment& Segment::operator=(Segment&&) noexcept = default;

void Segment::Reset() {
  region_.reset();
  shm_.reset();
  base_ = nullptr;
  size_ = 0;
}

int Segment::fd() const { return shm_ ? shm_->get_mapping_handle().handle : -1; }

int Segment::Create(const std::string& shm_name, uint64_t size, mode_t mode, uint32_t alignment,
                    int* err) {
  Reset();
  name_ = shm_name;
  // Fail at once when /dev/shm cannot hold the object (posix_fallocate on tmpfs would first
  // fill memory and only then report ENOSPC).
  struct statvfs vfs {};
  if (statvfs(kShmDir, &vfs) == 0 &&
      static_cast<unsigned __int128>(vfs.f_bavail) * vfs.f_frsize < size) {
    *err = ENOSPC;
    return VD_E_MEMORY;
  }
  try {
    bip::permissions perm(static_cast<unsigned>(mode));
    shm_ = std::make_unique<bip::shared_memory_object>(bip::create_only, BoostName(shm_name),
                                                       bip::read_write, perm);
    shm_->truncate(static_cast<bip::offset_t>(size));
  } catch (const bip::interprocess_exception& e) {
    *err = ErrnoOf(e);
    bool existed = shm_ == nullptr;
    shm_.reset();
    if (!existed) Unlink(shm_name);
    return VD_E_MEMORY;
  }
  int rc = posix_fallocate(fd(), 0, static_cast<off_t>(size));
  if (rc != 0) {
    *err = rc;
    shm_.reset();
    Unlink(shm_name);
    return VD_E_MEMORY;
  }
  rc = Map(size, alignment, err);
  if (rc != NOERROR) {
    shm_.reset();
    Unlink(shm_name);
  }
  return rc;
}

int Segment::Open(const std::string& shm_name, uint32_t alignment, int* err) {
  Reset();
  name_ = shm_name;
  bip::offset_t size = 0;
  try {
    shm_ = std::make_unique<bip::shared_memory_object>(bip::open_only, BoostName(shm_name),
                                                       bip::read_write);
    if (!shm_->get_size(size)) {
      *err = EIO;
      shm_.reset();
      return VD_E_UNEXPECTED;
    }
  } catch (const bip::interprocess_exception& e) {
    *err = ErrnoOf(e);
    shm_.reset();
    return VD_E_INVALID;
  }
  if (size <= 0) {
    // Created but not sized yet (the creator truncates right after creating): not ready. Mapping
    // it would let the mapping take the size the object has by then, beyond what was reserved.
    *err = EAGAIN;
    shm_.reset();
    return VD_E_INVALID;
  }
  return Map(static_cast<uint64_t>(size), alignment, err);
}

int Segment::Map(uint64_t size, uint32_t alignment, int* err) {
  if (size == 0) {  // a zero size would make the mapping take the object's size at map time
    *err = EINVAL;
    return VD_E_INVALID;
  }
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (alignment < page) alignment = static_cast<uint32_t>(page);
  // Reserve address space, then map the object over an aligned part of it and trim the slack.
  const uint64_t reserve = size + alignment;
  void* r = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (r == MAP_FAILED) {
    *err = errno;
    return VD_E_MEMORY;
  }
  auto start = reinterpret_cast<uintptr_t>(r);
  uintptr_t aligned = (start + alignment - 1) & ~static_cast<uintptr_t>(alignment - 1);
  try {
    region_ = std::make_unique<bip::mapped_region>(*shm_, bip::read_write, 0,
                                                   static_cast<std::size_t>(size),
                                                   reinterpret_cast<void*>(aligned), MAP_FIXED);
  } catch (const bip::interprocess_exception& e) {
    *err = ErrnoOf(e);
    munmap(r, reserve);
    return VD_E_MEMORY;
  }
  const uint64_t mapped_end = aligned + ((size + page - 1) / page) * page;
  if (aligned > start) munmap(r, aligned - start);
  if (start + reserve > mapped_end) {
    munmap(reinterpret_cast<void*>(mapped_end), start + reserve - mapped_end);
  }
  base_ = static_cast<uint8_t*>(region_->get_address());
  size_ = size;
  return NOERROR;
}

bool Segment::NameStillOurs() const {
  struct stat mine {
  }, named{};
  if (fd() < 0 || fstat(fd(), &mine) != 0) return false;
  if (stat(ShmPath(name_).c_str(), &named) != 0) return false;
  return mine.st_ino == named.st_ino && mine.st_dev == named.st_dev;
}

void Segment::Unlink(const std::string& shm_name) {
  bip::shared_memory_object::remove(BoostName(shm_name));
}

}  // namespace vdibk::vdi
