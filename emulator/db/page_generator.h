// PageGenerator: deterministic, realistic-looking 8 KiB database pages for create-database and the
// workload: a 96-byte page header (type, page id, file id, LSN, slot count), rows of typical
// content (integers, short strings from small dictionaries, repeated codes), free space and a slot
// array.
#ifndef VDIBK_EMULATOR_DB_PAGE_GENERATOR_H_
#define VDIBK_EMULATOR_DB_PAGE_GENERATOR_H_

#include <cstdint>
#include <string_view>

#include "shared/base/result.h"

namespace vdibk::emulator {

// oltp: order-like rows (default; lz4 ~2-4x). text: prose rows. mixed: mostly oltp with text,
// near-empty index and incompressible blob pages. random: incompressible. zeros: empty pages.
enum class PageProfile { kOltp, kText, kMixed, kRandom, kZeros };
Result<PageProfile> ParsePageProfile(std::string_view name);
std::string_view PageProfileName(PageProfile p);

// Page header layout (little-endian): 0 u8 version=1 | 1 u8 type | 2 u16 flags | 4 u32 object id
// | 8 u32 page id | 12 u16 file id | 14 u16 slot count | 16 u32 prev page | 20 u32 next page |
// 24 u16 free bytes | 26 u16 free data offset | 32 u64 LSN | zeros to 96.
constexpr size_t kPageHeaderSize = 96;
constexpr size_t kPageLsnOffset = 32;

// Stateless and thread-safe: a page is a pure function of (profile, seed, file id, page no, lsn).
class PageGenerator {
 public:
  PageGenerator(PageProfile profile, uint64_t seed) : profile_(profile), seed_(seed) {}
  // Writes kPageSize (8192) bytes to `page`.
  void Generate(uint32_t file_id, uint64_t page_no, uint64_t lsn, uint8_t* page) const;

 private:
  PageProfile profile_;
  uint64_t seed_;
};

// Small deterministic PRNG (splitmix64) used by the generator and the workload.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : x_(seed) {}
  uint64_t Next();
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

 private:
  uint64_t x_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_PAGE_GENERATOR_H_
