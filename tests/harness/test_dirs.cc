// Test helpers: temporary directories and unique shared-memory names.
#include "tests/harness/test_dirs.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace vdibk::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vdibk-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string UniqueName(const std::string& tag) {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}() & 0xffff;
  return "vdibk-test-" + std::to_string(getpid()) + "-" + std::to_string(salt) + "-" +
         std::to_string(counter++) + "-" + tag;
}

std::string ShmLeftovers(const std::string& needle) {
  std::string out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm", ec)) {
    std::string name = e.path().filename().string();
    if (name.find(needle) != std::string::npos) out += name + " ";
  }
  return out;
}

}  // namespace vdibk::testing
