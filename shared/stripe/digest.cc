// Digest64: XXH3-64 through xxh_x86dispatch.h (libxxhash 0.8.x picks SSE2/AVX2/AVX512 at run time).
#include "shared/stripe/digest.h"

#ifndef XXH_STATIC_LINKING_ONLY
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t is embedded in State
#endif
#include <xxh_x86dispatch.h>

namespace vdibk::stripe {

struct Digest64::State {
  XXH3_state_t xxh;  // 64-byte aligned; State is allocated with aligned new
};

uint64_t Digest64Of(const void* data, size_t size) {
  return XXH3_64bits_dispatch(size == 0 ? "" : data, size);
}

Digest64::Digest64() : state_(std::make_unique<State>()) { Reset(); }
Digest64::Digest64(Digest64&&) noexcept = default;
Digest64& Digest64::operator=(Digest64&&) noexcept = default;
Digest64::~Digest64() = default;

void Digest64::Reset() {
  XXH3_64bits_reset(&state_->xxh);
  total_ = 0;
}

void Digest64::Update(const void* data, size_t size) {
  if (size == 0) return;
  XXH3_64bits_update_dispatch(&state_->xxh, data, size);
  total_ += size;
}

uint64_t Digest64::Value() const { return XXH3_64bits_digest(&state_->xxh); }

}  // namespace vdibk::stripe
