// SecretBytes: a fixed-size buffer for key material on its own pages, excluded from core dumps
// (MADV_DONTDUMP), locked in memory where allowed, and wiped when destroyed.
#ifndef VDIBK_SHARED_AGE_SECRET_BYTES_H_
#define VDIBK_SHARED_AGE_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace vdibk::age {

// Move-only. The size is fixed at construction; the bytes start zeroed. Allocation failure
// (mmap) aborts: key buffers are tiny and a process out of address space cannot go on safely.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);
  SecretBytes(const uint8_t* data, size_t size);  // copies
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const uint8_t> span() const { return {data_, size_}; }

 private:
  void Release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // bytes mapped (whole pages)
};

// Overwrites `size` bytes at `p` with zeros in a way the compiler cannot elide.
void Wipe(void* p, size_t size);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_SECRET_BYTES_H_
