// Shared by the fuzz targets: FUZZ_CHECK (a broken invariant aborts with its text, which libFuzzer
// reports as a crash with the input) and the contract between a target and the bounded driver.
#ifndef VDIBK_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define VDIBK_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

#include "shared/base/status.h"

// Every target defines these two. FuzzSeeds: inputs built in code (by the writers of the formats),
// which the bounded driver runs first and `--write-seeds=DIR` stores for the libFuzzer corpus.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
std::vector<std::string> FuzzSeeds();

#define FUZZ_CHECK(cond, what)                                                      \
  do {                                                                              \
    if (!(cond)) ::vdibk::fuzz::Fail(__FILE__, __LINE__, #cond, std::string(what)); \
  } while (0)

namespace vdibk::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* cond,
                              const std::string& what) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", file, line, cond, what.c_str());
  std::fflush(stderr);
  std::abort();
}

// An error Status as the contract says: not OK, one of `codes`, a message that says something.
inline void CheckError(const Status& st, std::initializer_list<ErrorCode> codes) {
  FUZZ_CHECK(!st.ok(), "an error must not be OK");
  bool known = false;
  for (ErrorCode c : codes) known = known || st.code() == c;
  FUZZ_CHECK(known, "unexpected error code: " + st.ToString());
  FUZZ_CHECK(!st.message().empty(), "an error without a message");
}

}  // namespace vdibk::fuzz

#endif  // VDIBK_TESTS_FUZZ_FUZZ_SUPPORT_H_
