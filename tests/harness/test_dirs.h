// Test helpers: a temporary directory removed (recursively) when the object dies, and unique names
// for shared-memory objects so parallel tests never collide.
#ifndef VDIBK_TESTS_HARNESS_TEST_DIRS_H_
#define VDIBK_TESTS_HARNESS_TEST_DIRS_H_

#include <string>

namespace vdibk::testing {

class TempDir {
 public:
  TempDir();  // mkdtemp under $TMPDIR (default /tmp)
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A name unique to this process and call, e.g. "vdibk-test-<pid>-<n>-<tag>".
std::string UniqueName(const std::string& tag);

// Names of files in /dev/shm that contain `needle` (to assert nothing is left behind).
std::string ShmLeftovers(const std::string& needle);

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_HARNESS_TEST_DIRS_H_
