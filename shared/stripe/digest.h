// Digest64: the stripe format's 64-bit digest (docs/format.md §1): XXH3-64 with seed 0, through
// libxxhash's run-time CPU dispatch (AVX2 where the machine has it). Streaming and one-shot.
#ifndef VDIBK_SHARED_STRIPE_DIGEST_H_
#define VDIBK_SHARED_STRIPE_DIGEST_H_

#include <cstddef>
#include <cstdint>
#include <memory>

namespace vdibk::stripe {

// XXH3-64 (seed 0) of `size` bytes at `data` (`data` may be null when size is 0).
uint64_t Digest64Of(const void* data, size_t size);

// Streaming form: any split of the input into Update() calls gives Digest64Of of the whole.
// Not cryptographic (it detects accidental damage). Move-only; not thread-safe.
class Digest64 {
 public:
  Digest64();
  Digest64(Digest64&&) noexcept;
  Digest64& operator=(Digest64&&) noexcept;
  ~Digest64();

  void Reset();
  void Update(const void* data, size_t size);  // data may be null when size is 0
  uint64_t Value() const;                      // does not change the state
  uint64_t total_bytes() const { return total_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t total_ = 0;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_DIGEST_H_
