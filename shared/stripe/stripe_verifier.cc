// VerifyStripe: a StripeReader over a file wrapper that hashes the bytes as the reader pulls them
// in order, so one sequential pass gives both the decoded-stream checks and the file digest.
#include "shared/stripe/stripe_verifier.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

#include "shared/stripe/digest.h"

namespace vdibk::stripe {
namespace {

// Hashes the file from offset 0 as far as the reads have been contiguous; reads elsewhere (the
// trailer at the end) pass through unhashed and the caller hashes what is left at the end.
struct FileHash {
  Digest64 state;
  uint64_t hashed = 0;  // bytes [0, hashed) are in `state`
  ReadableFile* inner = nullptr;
  FileHash() = default;
  FileHash(const FileHash&) = delete;
  FileHash& operator=(const FileHash&) = delete;

  void Add(uint64_t offset, const void* data, size_t got) {
    if (offset <= hashed && offset + got > hashed) {
      const uint64_t skip = hashed - offset;
      state.Update(static_cast<const uint8_t*>(data) + skip, got - skip);
      hashed = offset + got;
    }
  }
  // Hashes [hashed, size) by reading it.
  Status Finish(uint64_t size) {
    std::vector<uint8_t> buf(256u << 10);
    while (hashed < size) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - hashed));
      VDIBK_ASSIGN_OR_RETURN(size_t got, inner->ReadAt(hashed, buf.data(), want));
      if (got == 0) return Status::Integrity("file shrank while verifying");
      Add(hashed, buf.data(), got);
    }
    return Status::Ok();
  }
};

class HashingFile final : public ReadableFile {
 public:
  HashingFile(std::unique_ptr<ReadableFile> inner, FileHash* hash)
      : inner_(std::move(inner)), hash_(hash) {
    hash_->inner = inner_.get();
  }
  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override {
    VDIBK_ASSIGN_OR_RETURN(size_t got, inner_->ReadAt(offset, dst, size));
    hash_->Add(offset, dst, got);
    return got;
  }
  Result<uint64_t> Size() override { return inner_->Size(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ReadableFile> inner_;
  FileHash* hash_;
};

// StripeReader reports data damage as "... at file offset N"; that N is the location we report.
std::optional<uint64_t> OffsetIn(const std::string& message) {
  static constexpr std::string_view kMarker = "at file offset ";
  const size_t at = message.rfind(kMarker);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = message.data() + at + kMarker.size();
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(begin, message.data() + message.size(), v);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return v;
}

StripeVerification Failed(StripeVerification v, Status st) {
  v.file_offset = OffsetIn(st.message());
  v.status = std::move(st);
  return v;
}

}  // namespace

StripeVerification VerifyStripe(std::unique_ptr<ReadableFile> file,
                                const StripeExpectation& expect) {
  StripeVerification v;
  const std::string name = file->name();
  Result<uint64_t> size = file->Size();
  if (!size.ok()) return Failed(std::move(v), size.status().WithContext("stripe " + name));
  v.file_bytes = *size;

  FileHash hash;
  Result<StripeReader> reader =
      StripeReader::Open(std::make_unique<HashingFile>(std::move(file), &hash), expect);
  if (!reader.ok()) return Failed(std::move(v), reader.status());
  v.opened = true;
  v.header = reader->header();
  v.trailer = reader->trailer();

  // One block per Read: damage is located to within one block by its checksum (format 3) or a
  // failed decode; damage that only a frame's content checksum catches (format 2) is reported
  // at the frame's end.
  std::vector<uint8_t> scratch(std::max<uint32_t>(v.header.block_size, 64u << 10));
  while (true) {
    Result<size_t> n = reader->Read(scratch.data(), scratch.size());
    v.raw_checked = reader->position();
    if (!n.ok()) return Failed(std::move(v), n.status());
    if (*n == 0) break;
  }
  if (Status st = hash.Finish(v.file_bytes); !st.ok()) {
    return Failed(std::move(v), st.WithContext("stripe " + name));
  }
  v.file_xxh64 = hash.state.Value();
  v.raw_xxh64 = v.trailer.raw_xxh64;  // the reader checked the data against it at the end
  return v;
}

StripeVerification VerifyStripe(Target& target, const std::string& name,
                                const StripeExpectation& expect) {
  Result<std::unique_ptr<ReadableFile>> file = target.Open(name);
  if (!file.ok()) {
    StripeVerification v;
    v.status = file.status().WithContext("stripe " + name);
    return v;
  }
  return VerifyStripe(std::move(file).value(), expect);
}

}  // namespace vdibk::stripe
