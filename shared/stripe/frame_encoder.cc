// FrameEncoder: LZ4F compresses the blocks of compressed frames; the frame header and the content
// checksum are ours (libxxhash's XXH32 is ~7x faster than the copy inside Debian's liblz4 1.9.4);
// stored frames are ours entirely (lz4 1.9.4 has no stable API to force uncompressed blocks).
// Layout: LZ4 frame format spec.
#include "shared/stripe/frame_encoder.h"

#include <lz4frame.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <vector>

namespace vdibk::stripe {
namespace {

constexpr size_t kChunk = 256u << 10;  // raw bytes per LZ4F call (bounds the output buffer)

int BlockSizeId(uint32_t block_size) {
  switch (block_size) {
    case 64u << 10:
      return 4;
    case 256u << 10:
      return 5;
    case 1u << 20:
      return 6;
    case 4u << 20:
      return 7;
    default:
      return 0;
  }
}

void PutLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

Status Lz4Error(const char* what, size_t code) {
  return Status::Failed(std::string("lz4 ") + what + ": " + LZ4F_getErrorName(code));
}

}  // namespace

struct FrameEncoder::Impl {
  Compression compression;
  uint32_t block_size;
  bool in_frame = false;
  // lz4 mode
  LZ4F_cctx* cctx = nullptr;
  LZ4F_preferences_t prefs{};
  std::vector<uint8_t> out;
  // both modes: the content checksum
  XXH32_state_t* content = nullptr;
  // stored mode
  std::vector<std::array<uint8_t, 4>> heads;
  std::vector<ConstBuffer> pieces;

  ~Impl() {
    if (cctx) LZ4F_freeCompressionContext(cctx);
    if (content) XXH32_freeState(content);
  }

  Status WriteOut(WritableFile& file, size_t n) { return file.Append(out.data(), n); }

  // The frame header (both modes): independent blocks, content checksum, no block checksums.
  Status BeginFrame(WritableFile& file) {
    std::array<uint8_t, 7> h{};
    PutLe32(h.data(), kLz4FrameMagic);
    // FLG: version 01, independent blocks, no block checksum, no content size, content checksum.
    h[4] = 0x40 | 0x20 | 0x04;
    h[5] = static_cast<uint8_t>(BlockSizeId(block_size) << 4);
    h[6] = static_cast<uint8_t>((XXH32(&h[4], 2, 0) >> 8) & 0xFF);
    XXH32_reset(content, 0);
    return file.Append(h.data(), h.size());
  }

  Status StoredUpdate(WritableFile& file, const uint8_t* data, size_t size) {
    XXH32_update(content, data, size);
    size_t blocks = (size + block_size - 1) / block_size;
    heads.resize(blocks);
    pieces.clear();
    for (size_t i = 0; i < blocks; ++i) {
      size_t off = i * block_size;
      size_t n = std::min<size_t>(block_size, size - off);
      PutLe32(heads[i].data(), static_cast<uint32_t>(n) | 0x80000000u);  // high bit: stored
      pieces.push_back({heads[i].data(), 4});
      pieces.push_back({data + off, n});
    }
    return file.Append(pieces);
  }

  Status StoredEnd(WritableFile& file) {
    std::array<uint8_t, 4> e{};  // end mark
    VDIBK_RETURN_IF_ERROR(file.Append(e.data(), e.size()));
    return EndChecksum(file);
  }

  // The content checksum after the end mark (both modes).
  Status EndChecksum(WritableFile& file) {
    std::array<uint8_t, 4> c{};
    PutLe32(c.data(), XXH32_digest(content));
    return file.Append(c.data(), c.size());
  }
};

FrameEncoder::FrameEncoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FrameEncoder::FrameEncoder(FrameEncoder&&) noexcept = default;
FrameEncoder& FrameEncoder::operator=(FrameEncoder&&) noexcept = default;
FrameEncoder::~FrameEncoder() = default;

Result<FrameEncoder> FrameEncoder::Create(Compression compression, int level, uint32_t block_size) {
  if (BlockSizeId(block_size) == 0) return Status::Usage("block size must be 64K/256K/1M/4M");
  auto impl = std::make_unique<Impl>();
  impl->compression = compression;
  impl->block_size = block_size;
  impl->content = XXH32_createState();
  if (!impl->content) return Status::Failed("out of memory (xxh32 state)");
  if (compression == Compression::kNone) return FrameEncoder(std::move(impl));
  size_t rc = LZ4F_createCompressionContext(&impl->cctx, LZ4F_VERSION);
  if (LZ4F_isError(rc)) return Lz4Error("context", rc);
  LZ4F_preferences_t& p = impl->prefs;
  p.frameInfo.blockSizeID = static_cast<LZ4F_blockSizeID_t>(BlockSizeId(block_size));
  p.frameInfo.blockMode = LZ4F_blockIndependent;
  // LZ4F makes blocks only: the header (with the content checksum flag) and the checksum are
  // written by BeginFrame/EndChecksum. Format 2: content checksum, no block checksums.
  p.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  p.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  p.frameInfo.frameType = LZ4F_frame;
  p.compressionLevel = level <= 2 ? 0 : std::min(level, 12);
  p.autoFlush = 1;  // compress each tail directly from the source, never stage it
  impl->out.resize(std::max<size_t>(LZ4F_compressBound(kChunk, &p), LZ4F_HEADER_SIZE_MAX));
  return FrameEncoder(std::move(impl));
}

Status FrameEncoder::Begin(WritableFile& out) {
  if (impl_->in_frame) return Status::Failed("frame already open");
  impl_->in_frame = true;
  if (impl_->compression != Compression::kNone) {
    // Starts LZ4F's frame state; its header (without the checksum flag) is replaced by ours.
    size_t n = LZ4F_compressBegin(impl_->cctx, impl_->out.data(), impl_->out.size(), &impl_->prefs);
    if (LZ4F_isError(n)) return Lz4Error("begin", n);
  }
  return impl_->BeginFrame(out);
}

Status FrameEncoder::Update(WritableFile& out, const uint8_t* data, size_t size) {
  if (!impl_->in_frame) return Status::Failed("no open frame");
  if (impl_->compression == Compression::kNone) return impl_->StoredUpdate(out, data, size);
  while (size > 0) {
    size_t n = std::min(size, kChunk);
    XXH32_update(impl_->content, data, n);
    size_t produced =
        LZ4F_compressUpdate(impl_->cctx, impl_->out.data(), impl_->out.size(), data, n, nullptr);
    if (LZ4F_isError(produced)) return Lz4Error("compress", produced);
    VDIBK_RETURN_IF_ERROR(impl_->WriteOut(out, produced));
    data += n;
    size -= n;
  }
  return Status::Ok();
}

Status FrameEncoder::End(WritableFile& out) {
  if (!impl_->in_frame) return Status::Failed("no open frame");
  impl_->in_frame = false;
  if (impl_->compression == Compression::kNone) return impl_->StoredEnd(out);
  // Pending blocks (none with autoFlush) and the end mark, then our content checksum.
  size_t n = LZ4F_compressEnd(impl_->cctx, impl_->out.data(), impl_->out.size(), nullptr);
  if (LZ4F_isError(n)) return Lz4Error("end", n);
  VDIBK_RETURN_IF_ERROR(impl_->WriteOut(out, n));
  return impl_->EndChecksum(out);
}

bool FrameEncoder::in_frame() const { return impl_->in_frame; }

}  // namespace vdibk::stripe
