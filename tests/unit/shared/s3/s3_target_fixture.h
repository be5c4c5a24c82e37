// The fixture of S3Target's unit tests: a FakeS3Server, small parts (1 KiB) and chunks, and a
// target on s3://b/pre/ whose clients all talk to that server.
#ifndef VDIBK_TESTS_UNIT_SHARED_S3_S3_TARGET_FIXTURE_H_
#define VDIBK_TESTS_UNIT_SHARED_S3_S3_TARGET_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "shared/s3/s3_target.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/shared/s3/fake_s3_server.h"

namespace vdibk::s3 {

class S3TargetTest : public ::testing::Test {
 protected:
  S3TargetTest() {
    server_.min_part_size = 1024;
    options_.part_size = 1024;
    options_.min_part_size = 1024;
    options_.parts_in_flight = 3;
    options_.reads_in_flight = 2;
    options_.read_chunk = 1000;
    Rebuild();
  }
  void Rebuild() {
    target_ = std::make_unique<S3Target>(S3Location{"b", "pre/"}, FakeClients(&server_, &clock_),
                                         options_);
  }
  static std::string Pattern(size_t size, unsigned seed = 1) {
    std::string s(size, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (char& c : s) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    return s;
  }
  // Creates `name`, appends `data` in pieces of `piece` bytes and commits.
  Status Write(const std::string& name, const std::string& data, size_t piece = 700) {
    Result<std::unique_ptr<stripe::WritableFile>> f = target_->Create(name);
    if (!f.ok()) return f.status();
    for (size_t at = 0; at < data.size(); at += piece) {
      VDIBK_RETURN_IF_ERROR((*f)->Append(data.data() + at, std::min(piece, data.size() - at)));
    }
    return (*f)->Commit();
  }

  FakeS3Server server_;
  LockedRetryClock clock_;
  S3TargetOptions options_;
  std::unique_ptr<S3Target> target_;
};

}  // namespace vdibk::s3

#endif  // VDIBK_TESTS_UNIT_SHARED_S3_S3_TARGET_FIXTURE_H_
