// Test helper of the worker tests: a stripe::Target over a test's temporary directory.
#ifndef VDIBK_TESTS_UNIT_WORKERS_STRIPE_DIR_H_
#define VDIBK_TESTS_UNIT_WORKERS_STRIPE_DIR_H_

#include <memory>

#include "shared/stripe/directory_target.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::workers {

inline std::unique_ptr<stripe::Target> Dir(const vdibk::testing::TempDir& d) {
  return std::make_unique<stripe::DirectoryTarget>(d.path());
}

}  // namespace vdibk::workers

#endif  // VDIBK_TESTS_UNIT_WORKERS_STRIPE_DIR_H_
