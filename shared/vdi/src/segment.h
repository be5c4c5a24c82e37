// Segment: one named POSIX shared-memory object (Boost.Interprocess) mapped read-write at an
// address aligned to a requested power of two. RAII: unmaps and closes on destruction; the name is
// removed only by Unlink. Boost exceptions are caught here and become VD_E_* codes + errno.
#ifndef VDIBK_SHARED_VDI_SRC_SEGMENT_H_
#define VDIBK_SHARED_VDI_SRC_SEGMENT_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

namespace boost::interprocess {
class shared_memory_object;
class mapped_region;
}  // namespace boost::interprocess

namespace vdibk::vdi {

class Segment {
 public:
  Segment();
  ~Segment();
  Segment(Segment&&) noexcept;
  Segment& operator=(Segment&&) noexcept;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Creates `shm_name` exclusively with exactly `mode` (umask ignored), reserves `size` bytes of
  // backing store (so a full /dev/shm fails here, not later with SIGBUS) and maps it.
  // Returns NOERROR, or a VD_E_* code with *err = errno (EEXIST when the name exists).
  int Create(const std::string& shm_name, uint64_t size, mode_t mode, uint32_t alignment, int* err);
  // Opens an existing object and maps all of it. ENOENT in *err when it does not exist.
  int Open(const std::string& shm_name, uint32_t alignment, int* err);

  bool mapped() const { return base_ != nullptr; }
  uint8_t* base() const { return base_; }
  uint64_t size() const { return size_; }
  int fd() const;  // the object's descriptor (close-on-exec)
  const std::string& name() const { return name_; }
  // True if the name still refers to the object we hold (not removed or replaced).
  bool NameStillOurs() const;
  void Reset();

  static void Unlink(const std::string& shm_name);

 private:
  int Map(uint64_t size, uint32_t alignment, int* err);

  std::unique_ptr<boost::interprocess::shared_memory_object> shm_;
  std::unique_ptr<boost::interprocess::mapped_region> region_;
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::string name_;
};

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_SEGMENT_H_
