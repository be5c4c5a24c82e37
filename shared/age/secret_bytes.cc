// SecretBytes: page-aligned anonymous mappings, MADV_DONTDUMP, best-effort mlock, OPENSSL_cleanse.
#include "shared/age/secret_bytes.h"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>

namespace vdibk::age {

void Wipe(void* p, size_t size) {
  if (p != nullptr && size != 0) OPENSSL_cleanse(p, size);
}

SecretBytes::SecretBytes(size_t size) {
  if (size == 0) return;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  mapped_ = (size + page - 1) / page * page;
  void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  (void)madvise(p, mapped_, MADV_DONTDUMP);
  (void)mlock(p, mapped_);  // best effort: RLIMIT_MEMLOCK may refuse; DONTDUMP still holds
  data_ = static_cast<uint8_t*>(p);
  size_ = size;
}

SecretBytes::SecretBytes(const uint8_t* data, size_t size) : SecretBytes(size) {
  if (size != 0) std::memcpy(data_, data, size);
}

SecretBytes::~SecretBytes() { Release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

void SecretBytes::Release() {
  if (data_ == nullptr) return;
  Wipe(data_, mapped_);
  (void)munlock(data_, mapped_);
  munmap(data_, mapped_);
  data_ = nullptr;
  size_ = 0;
  mapped_ = 0;
}

}  // namespace vdibk::age
