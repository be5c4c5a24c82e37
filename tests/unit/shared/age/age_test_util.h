// Test helpers for shared/age: an in-memory ReadableFile and one-call encrypt/decrypt of strings.
#ifndef VDIBK_TESTS_UNIT_SHARED_AGE_AGE_TEST_UTIL_H_
#define VDIBK_TESTS_UNIT_SHARED_AGE_AGE_TEST_UTIL_H_

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "shared/age/age_reader.h"
#include "shared/age/age_writer.h"
#include "shared/stripe/target.h"

namespace vdibk::age::testing {

class MemoryFile : public stripe::ReadableFile {
 public:
  explicit MemoryFile(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override {
    if (offset >= bytes_.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(size, bytes_.size() - offset);
    std::memcpy(dst, bytes_.data() + offset, n);
    return n;
  }
  Result<uint64_t> Size() override { return uint64_t{bytes_.size()}; }
  const std::string& name() const override { return name_; }

 private:
  std::string bytes_;
  std::string name_ = "memory";
};

inline Result<std::string> Encrypt(const std::vector<const Recipient*>& recipients,
                                   const std::string& plaintext, size_t piece = 1000) {
  std::string out;
  VDIBK_ASSIGN_OR_RETURN(auto w, AgeWriter::Create(recipients, [&](const uint8_t* p, size_t n) {
                           out.append(reinterpret_cast<const char*>(p), n);
                           return Status::Ok();
                         }));
  for (size_t pos = 0; pos < plaintext.size(); pos += piece)
    VDIBK_RETURN_IF_ERROR(
        w->Write(plaintext.data() + pos, std::min(piece, plaintext.size() - pos)));
  VDIBK_RETURN_IF_ERROR(w->Finish());
  return out;
}

inline Result<std::string> Decrypt(const std::string& file,
                                   const std::vector<const Identity*>& identities) {
  MemoryFile f(file);
  VDIBK_ASSIGN_OR_RETURN(auto r, AgeReader::Open(f, identities));
  std::string out;
  VDIBK_RETURN_IF_ERROR(r->DecryptAll([&](const uint8_t* p, size_t n) {
    out.append(reinterpret_cast<const char*>(p), n);
    return Status::Ok();
  }));
  return out;
}

// Deterministic, incompressible-looking bytes.
inline std::string Pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

}  // namespace vdibk::age::testing

#endif  // VDIBK_TESTS_UNIT_SHARED_AGE_AGE_TEST_UTIL_H_
