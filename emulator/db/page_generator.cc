// PageGenerator implementation: row formats of the profiles and the page assembly.
#include "emulator/db/page_generator.h"

#include <cstring>
#include <string>

#include "emulator/db/database.h"
#include "shared/base/little_endian.h"

namespace vdibk::emulator {
namespace {

constexpr const char* kFirst[] = {"James",   "Mary",  "Robert", "Patricia",  "John",    "Jennifer",
                                  "Michael", "Linda", "David",  "Elizabeth", "William", "Barbara",
                                  "Richard", "Susan", "Joseph", "Jessica",   "Thomas",  "Sarah"};
constexpr const char* kLast[] = {
    "Smith",     "Johnson",  "Williams",  "Brown", "Jones",  "Garcia",   "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore"};
constexpr const char* kCity[] = {"Seattle", "Portland", "Denver", "Austin",  "Chicago", "Boston",
                                 "Atlanta", "Phoenix",  "Dallas", "Madison", "Raleigh", "Omaha"};
constexpr const char* kStatus[] = {"OPEN    ", "SHIPPED ", "CLOSED  ", "PENDING ", "RETURNED"};
constexpr const char* kWords[] = {
    "the",      "order",   "customer",  "shipment", "was",     "delayed",   "because", "of",
    "weather",  "and",     "inventory", "levels",   "in",      "warehouse", "please",  "contact",
    "support",  "for",     "details",   "invoice",  "payment", "received",  "on",      "time",
    "discount", "applied", "to",        "account",  "product", "quality",   "review",  "pending",
    "approval", "by",      "manager",   "next",     "week"};

template <typename T, size_t N>
constexpr size_t Count(T (&)[N]) {
  return N;
}

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Appends one order-like row; returns its size or 0 if it does not fit in `room`.
size_t OltpRow(SplitMix64& r, uint64_t row_id, uint8_t* out, size_t room) {
  uint8_t row[160];
  size_t n = 0;
  row[n++] = 0x30;  // status bits: has null bitmap + variable columns
  row[n++] = 0x00;
  StoreLe<uint16_t>(row + n, 34);  // end of fixed part
  n += 2;
  StoreLe<uint32_t>(row + n, static_cast<uint32_t>(row_id));
  n += 4;
  StoreLe<uint32_t>(row + n, static_cast<uint32_t>(1000 + r.Below(5000)));
  n += 4;
  StoreLe<uint32_t>(row + n, static_cast<uint32_t>(44000 + r.Below(1500)));
  n += 4;
  StoreLe<int64_t>(row + n, static_cast<int64_t>(r.Below(2000)) * 25);
  n += 8;
  StoreLe<uint16_t>(row + n, static_cast<uint16_t>(1 + r.Below(20)));
  n += 2;
  std::memcpy(row + n, kStatus[r.Below(Count(kStatus))], 8);
  n += 8;
  const char* first = kFirst[r.Below(Count(kFirst))];
  const char* last = kLast[r.Below(Count(kLast))];
  std::string name = std::string(first) + " " + last;
  std::string city = kCity[r.Below(Count(kCity))];
  std::string mail = std::string(first) + "." + last + "@example.com";
  for (const std::string* s : {&name, &city, &mail}) {
    row[n++] = static_cast<uint8_t>(s->size());
    std::memcpy(row + n, s->data(), s->size());
    n += s->size();
  }
  if (n > room) return 0;
  std::memcpy(out, row, n);
  return n;
}

size_t TextRow(SplitMix64& r, uint8_t* out, size_t room) {
  std::string s;
  size_t target = 120 + r.Below(600);
  while (s.size() < target) {
    if (!s.empty()) s.push_back(' ');
    s += kWords[r.Below(Count(kWords))];
    if (r.Below(12) == 0) s += ".";
  }
  size_t n = s.size() + 4;
  if (n > room) return 0;
  out[0] = 0x30;
  out[1] = 0x02;
  StoreLe<uint16_t>(out + 2, static_cast<uint16_t>(s.size()));
  std::memcpy(out + 4, s.data(), s.size());
  return n;
}

}  // namespace

uint64_t SplitMix64::Next() {
  uint64_t z = (x_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Result<PageProfile> ParsePageProfile(std::string_view name) {
  if (name == "oltp") return PageProfile::kOltp;
  if (name == "text") return PageProfile::kText;
  if (name == "mixed") return PageProfile::kMixed;
  if (name == "random") return PageProfile::kRandom;
  if (name == "zeros") return PageProfile::kZeros;
  return Status::Usage("unknown profile '" + std::string(name) +
                       "' (oltp|text|mixed|random|zeros)");
}

std::string_view PageProfileName(PageProfile p) {
  switch (p) {
    case PageProfile::kOltp:
      return "oltp";
    case PageProfile::kText:
      return "text";
    case PageProfile::kMixed:
      return "mixed";
    case PageProfile::kRandom:
      return "random";
    case PageProfile::kZeros:
      return "zeros";
  }
  return "?";
}

void PageGenerator::Generate(uint32_t file_id, uint64_t page_no, uint64_t lsn,
                             uint8_t* page) const {
  // Mix every input through the finalizer so neighbouring pages get unrelated sequences.
  SplitMix64 r(Mix(Mix(Mix(seed_) ^ file_id) ^ page_no) ^ lsn);
  std::memset(page, 0, kPageSize);
  PageProfile kind = profile_;
  if (kind == PageProfile::kMixed) {
    uint64_t pick = r.Below(100);
    kind = pick < 60   ? PageProfile::kOltp
           : pick < 85 ? PageProfile::kText
           : pick < 95 ? PageProfile::kZeros
                       : PageProfile::kRandom;
  }
  uint8_t type = kind == PageProfile::kText ? 3 : kind == PageProfile::kZeros ? 2 : 1;
  page[0] = 1;
  page[1] = type;
  StoreLe<uint32_t>(page + 4, static_cast<uint32_t>(1000 + page_no / 128));  // object id
  StoreLe<uint32_t>(page + 8, static_cast<uint32_t>(page_no));
  StoreLe<uint16_t>(page + 12, static_cast<uint16_t>(file_id));
  StoreLe<uint32_t>(page + 16, page_no == 0 ? 0 : static_cast<uint32_t>(page_no - 1));
  StoreLe<uint32_t>(page + 20, static_cast<uint32_t>(page_no + 1));
  StoreLe<uint64_t>(page + kPageLsnOffset, lsn);

  size_t data_end = kPageHeaderSize;
  uint16_t slots = 0;
  if (kind == PageProfile::kRandom) {
    for (size_t i = kPageHeaderSize; i + 8 <= kPageSize; i += 8)
      StoreLe<uint64_t>(page + i, r.Next());
    data_end = kPageSize;
  } else if (kind == PageProfile::kZeros) {
    // An empty (or nearly empty index) page: a handful of short keys.
    size_t keys = r.Below(4);
    for (size_t i = 0; i < keys; ++i) {
      StoreLe<uint32_t>(page + data_end, static_cast<uint32_t>(page_no * 16 + i));
      data_end += 4;
    }
  } else {
    size_t fill = kPageSize * (60 + r.Below(38)) / 100;  // 60..97% full
    uint64_t row_id = page_no * 64;
    for (;;) {
      size_t slot_area = 2u * (slots + 1);
      if (data_end + slot_area >= fill) break;
      size_t room = kPageSize - slot_area - data_end;
      size_t n = kind == PageProfile::kText ? TextRow(r, page + data_end, room)
                                            : OltpRow(r, row_id++, page + data_end, room);
      if (n == 0) break;
      StoreLe<uint16_t>(page + kPageSize - 2u * (slots + 1), static_cast<uint16_t>(data_end));
      data_end += n;
      ++slots;
    }
  }
  StoreLe<uint16_t>(page + 14, slots);
  size_t used = data_end + 2u * slots;
  StoreLe<uint16_t>(page + 24, static_cast<uint16_t>(used < kPageSize ? kPageSize - used : 0));
  StoreLe<uint16_t>(page + 26, static_cast<uint16_t>(data_end < kPageSize ? data_end : 0));
}

}  // namespace vdibk::emulator
