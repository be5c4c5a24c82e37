// PageHasher: checksums a run of whole pages, splitting the work with one process-wide helper
// thread when the machine has a spare core and the helper is idle (otherwise all in the caller).
#ifndef VDIBK_EMULATOR_STREAM_PAGE_HASHER_H_
#define VDIBK_EMULATOR_STREAM_PAGE_HASHER_H_

#include <cstddef>
#include <cstdint>

namespace vdibk::emulator {

// out[i] = ComputeChecksum64(data + i * page_size, len_i, seed) for i < count, where every page
// is page_size bytes except the last, which is last_len bytes (0 < last_len <= page_size).
// Thread-safe; the result does not depend on how the work was split.
void HashPages(const uint8_t* data, size_t count, size_t page_size, size_t last_len, uint64_t seed,
               uint64_t* out);

// Number of pages below which HashPages never hands work to the helper (the hand-off costs more).
inline constexpr size_t kParallelHashMinPages = 64;

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_STREAM_PAGE_HASHER_H_
