// StripeWriter: frame bookkeeping (index, marks, digests) around FrameEncoder and a WritableFile.
#include "shared/stripe/stripe_writer.h"

#include <algorithm>

#include "shared/stripe/digest.h"
#include "shared/stripe/frame_encoder.h"

namespace vdibk::stripe {
namespace {

// Append works in slices of this many raw bytes so that the raw digest, the LZ4 content checksum,
// the compressor, the block checksums and the file digest all read a slice while it is still in
// the core's L2 cache.
constexpr size_t kSlice = 256u << 10;

// Hashes every byte that goes to the file (the file digest of the manifest).
class HashingFile final : public WritableFile {
 public:
  explicit HashingFile(std::unique_ptr<WritableFile> inner) : inner_(std::move(inner)) {}
  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    for (const auto& p : pieces) digest_.Update(p.data, p.size);
    return inner_->Append(pieces);
  }
  Status AdoptWritten(uint64_t n, const ByteSink& sink) override {
    return inner_->AdoptWritten(n, [&](const uint8_t* data, size_t size) {
      digest_.Update(data, size);
      if (sink) sink(data, size);
    });
  }
  Status Sync() override { return inner_->Sync(); }
  Status Commit() override { return inner_->Commit(); }
  void Abort() override { inner_->Abort(); }
  uint64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }
  uint64_t digest() const { return digest_.Value(); }

 private:
  std::unique_ptr<WritableFile> inner_;
  Digest64 digest_;
};

}  // namespace

struct StripeWriter::State {
  std::unique_ptr<HashingFile> file;
  FrameEncoder encoder;
  StripeWriterOptions options;
  Digest64 raw_digest;
  uint64_t header_bytes = 0;
  uint64_t raw = 0;
  uint64_t raw_in_frame = 0;
  StripeTrailer trailer;
  Status error;  // sticky
  bool finalized = false;

  explicit State(FrameEncoder enc) : encoder(std::move(enc)) {}

  Status Fail(Status s) {
    if (error.ok()) error = s.WithContext("stripe " + file->name());
    return error;
  }
  Status EndFrame() {
    if (!encoder.in_frame()) return Status::Ok();
    raw_in_frame = 0;
    return encoder.End(*file);
  }
};

StripeWriter::StripeWriter(std::unique_ptr<State> state) : s_(std::move(state)) {}
StripeWriter::StripeWriter(StripeWriter&&) noexcept = default;
StripeWriter& StripeWriter::operator=(StripeWriter&& other) noexcept {
  if (this != &other) {
    Abort();
    s_ = std::move(other.s_);
  }
  return *this;
}
StripeWriter::~StripeWriter() { Abort(); }

Result<StripeWriter> StripeWriter::Create(Target& target, const std::string& name,
                                          const StripeHeader& header,
                                          const StripeWriterOptions& options) {
  if (options.frame_raw_bytes == 0) return Status::Usage("frame_raw_bytes must be > 0");
  VDIBK_ASSIGN_OR_RETURN(std::vector<uint8_t> head, EncodeHeaderFrame(header));
  VDIBK_ASSIGN_OR_RETURN(FrameEncoder enc,
                         FrameEncoder::Create(header.compression, header.level, header.block_size));
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, target.Create(name, options.create));
  auto s = std::make_unique<State>(std::move(enc));
  s->options = options;
  s->file = std::make_unique<HashingFile>(std::move(file));
  Status st = s->file->Append(head.data(), head.size());
  if (!st.ok()) {
    s->file->Abort();
    return st.WithContext("stripe " + name);
  }
  s->header_bytes = head.size();
  return StripeWriter(std::move(s));
}

Status StripeWriter::Append(const void* data, size_t size) {
  if (!s_ || s_->finalized) return Status::Failed("stripe writer is closed");
  if (!s_->error.ok()) return s_->error;
  auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    if (!s_->encoder.in_frame()) {
      s_->trailer.frames.push_back({s_->raw, s_->file->size()});
      Status st = s_->encoder.Begin(*s_->file);
      if (!st.ok()) return s_->Fail(st);
    }
    uint64_t room = s_->options.frame_raw_bytes - s_->raw_in_frame;
    size_t n = static_cast<size_t>(std::min<uint64_t>({size, room, kSlice}));
    s_->raw_digest.Update(p, n);
    Status st = s_->encoder.Update(*s_->file, p, n);
    if (!st.ok()) return s_->Fail(st);
    s_->raw += n;
    s_->raw_in_frame += n;
    p += n;
    size -= n;
    if (s_->raw_in_frame >= s_->options.frame_raw_bytes) {
      st = s_->EndFrame();
      if (!st.ok()) return s_->Fail(st);
    }
  }
  return Status::Ok();
}

Status StripeWriter::Adopt(const void* raw, size_t raw_size, uint64_t frame_offset,
                           uint64_t frame_bytes) {
  if (!s_ || s_->finalized) return Status::Failed("stripe writer is closed");
  if (!s_->error.ok()) return s_->error;
  if (raw_size == 0 || frame_bytes == 0) return Status::Failed("adopted frames are never empty");
  Status st = s_->EndFrame();
  if (!st.ok()) return s_->Fail(st);
  const uint64_t at = s_->file->size() - s_->header_bytes;
  if (frame_offset != at) {
    return s_->Fail(Status::Failed("adopted frame at offset " + std::to_string(frame_offset) +
                                   ", the stripe ends at " + std::to_string(at)));
  }
  s_->trailer.frames.push_back({s_->raw, s_->file->size()});
  st = s_->file->AdoptWritten(frame_bytes, nullptr);
  if (!st.ok()) return s_->Fail(st);
  s_->raw_digest.Update(raw, raw_size);
  s_->raw += raw_size;
  return Status::Ok();
}

Status StripeWriter::Flush() {
  if (!s_ || s_->finalized) return Status::Failed("stripe writer is closed");
  if (!s_->error.ok()) return s_->error;
  Status st = s_->EndFrame();
  if (!st.ok()) return s_->Fail(st);
  auto& marks = s_->trailer.marks;
  if (marks.empty() || marks.back().raw_offset != s_->raw) {
    marks.push_back({s_->raw, MarkKind::kFlush});
  }
  st = s_->file->Sync();
  if (!st.ok()) return s_->Fail(st);
  return Status::Ok();
}

Result<StripeSummary> StripeWriter::Finalize() {
  if (!s_ || s_->finalized) return Status::Failed("stripe writer is closed");
  if (!s_->error.ok()) return s_->error;
  Status st = s_->EndFrame();
  if (!st.ok()) return s_->Fail(st);
  StripeTrailer& t = s_->trailer;
  t.raw_bytes = s_->raw;
  t.compressed_bytes = s_->file->size() - s_->header_bytes;
  t.raw_xxh64 = s_->raw_digest.Value();
  std::vector<uint8_t> tail = EncodeTrailerFrame(t);
  st = s_->file->Append(tail.data(), tail.size());
  if (!st.ok()) return s_->Fail(st);
  st = s_->file->Commit();
  if (!st.ok()) return s_->Fail(st);
  s_->finalized = true;
  StripeSummary sum;
  sum.raw_bytes = t.raw_bytes;
  sum.file_bytes = s_->file->size();
  sum.compressed_bytes = t.compressed_bytes;
  sum.raw_xxh64 = t.raw_xxh64;
  sum.file_xxh64 = s_->file->digest();
  sum.frames = static_cast<uint32_t>(t.frames.size());
  return sum;
}

void StripeWriter::Abort() {
  if (s_ && !s_->finalized) s_->file->Abort();
}

uint64_t StripeWriter::raw_bytes() const { return s_ ? s_->raw : 0; }
uint64_t StripeWriter::file_bytes() const { return s_ ? s_->file->size() : 0; }

}  // namespace vdibk::stripe
