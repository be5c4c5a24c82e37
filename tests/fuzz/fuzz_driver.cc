// Bounded random-mutation driver for the g++ build (ctest label "fuzz"): runs the target's
// built-in seeds and its corpus, then mutates them for a fixed time. Not used under libFuzzer.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_support.h"

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Corpus file name for a seed: FNV-1a 64 of its bytes (stable across runs).
std::string SeedName(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof(name), "seed-%016llx", static_cast<unsigned long long>(h));
  return name;
}

// The input being run, written to ./fuzz-failure-input when a check aborts (async-signal-safe).
const std::string* g_current = nullptr;

void SaveInputAndDie(int sig) {
  if (g_current != nullptr) {
    const int fd = ::open("fuzz-failure-input", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      (void)!::write(fd, g_current->data(), g_current->size());
      ::close(fd);
    }
    static const char kMsg[] = "fuzz driver: the failing input is in ./fuzz-failure-input\n";
    (void)!::write(2, kMsg, sizeof(kMsg) - 1);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void Run(const std::string& b) {
  g_current = &b;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  g_current = nullptr;
}

void Mutate(std::string& b, std::mt19937_64& rng) {
  const int ops = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < ops; ++i) {
    if (b.empty()) {
      b.push_back(static_cast<char>(rng()));
      continue;
    }
    const size_t pos = rng() % b.size();
    switch (rng() % 7) {
      case 0:
        b[pos] = static_cast<char>(b[pos] ^ (1u << (rng() % 8)));
        break;
      case 1:
        b[pos] = static_cast<char>(rng());
        break;
      case 2:
        b.resize(pos);
        break;
      case 3:
        b.insert(b.begin() + static_cast<long>(pos), static_cast<char>(rng()));
        break;
      case 4:
        b.erase(b.begin() + static_cast<long>(pos));
        break;
      case 5: {  // duplicate a slice (repeats fields and tokens)
        const size_t n = 1 + rng() % std::min<size_t>(16, b.size() - pos);
        b.insert(pos, b.substr(pos, n));
        break;
      }
      default: {  // overwrite 4 bytes with an "interesting" little-endian length
        static const uint32_t kVals[] = {0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 4096};
        const uint32_t v = kVals[rng() % 6];
        for (size_t k = 0; k < 4 && pos + k < b.size(); ++k) {
          b[pos + k] = static_cast<char>(v >> (8 * k));
        }
      }
    }
  }
}

}  // namespace

// Usage: <target> [--seconds=N] [--seed=S] [--corpus=DIR] [--write-seeds=DIR] [files...]
// Files and the corpus run once each before the mutation phase; --write-seeds only writes.
int main(int argc, char** argv) {
  const std::string self = fs::path(argv[0]).filename().string();
  double seconds = 5;
  uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  std::vector<std::string> inputs = FuzzSeeds();
  const size_t builtin = inputs.size();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seconds=", 0) == 0) {
      seconds = std::atof(a.c_str() + 10);
    } else if (a.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(a.c_str() + 7, nullptr, 10);
    } else if (a.rfind("--write-seeds=", 0) == 0) {
      const fs::path dir = a.substr(14);
      fs::create_directories(dir);
      for (const std::string& s : FuzzSeeds())
        std::ofstream(dir / SeedName(s), std::ios::binary) << s;
      std::printf("%s: %zu seeds written to %s\n", self.c_str(), builtin, dir.c_str());
      return 0;
    } else if (a.rfind("--corpus=", 0) == 0) {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(a.substr(9), ec)) {
        if (e.is_regular_file()) inputs.push_back(ReadFile(e.path()));
      }
    } else {
      inputs.push_back(ReadFile(a));
    }
  }
  if (inputs.empty()) inputs.emplace_back();
  std::signal(SIGABRT, SaveInputAndDie);
  std::signal(SIGSEGV, SaveInputAndDie);
  std::printf("%s: seed %llu, %.1f s, %zu inputs (%zu built in)\n", self.c_str(),
              static_cast<unsigned long long>(seed), seconds, inputs.size(), builtin);
  for (const std::string& in : inputs) Run(in);
  std::mt19937_64 rng(seed);
  const clock_t end = std::clock() + static_cast<clock_t>(seconds * CLOCKS_PER_SEC);
  uint64_t runs = 0;
  while (std::clock() < end) {
    std::string b = inputs[rng() % inputs.size()];
    Mutate(b, rng);
    Run(b);
    ++runs;
  }
  std::printf("%s: %llu mutated inputs, every invariant held\n", self.c_str(),
              static_cast<unsigned long long>(runs));
  return 0;
}
