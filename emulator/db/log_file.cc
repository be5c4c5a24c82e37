// LogFile implementation: header page, record encoding/verification, append and truncation.
#include "emulator/db/log_file.h"

#include <algorithm>
#include <cstring>

#include "emulator/db/checksum.h"
#include "emulator/db/file_io.h"
#include "shared/base/little_endian.h"

namespace vdibk::emulator {
namespace {

constexpr char kLogMagic[8] = {'V', 'D', 'B', 'K', 'L', 'D', 'F', '1'};
constexpr uint32_t kRecordMagic = 0x4345524C;  // "LREC"
constexpr uint32_t kVersion = 1;

void EncodeHeader(const LogHeader& h, uint8_t* out /* 48 bytes */) {
  std::memcpy(out, kLogMagic, 8);
  StoreLe<uint32_t>(out + 8, kVersion);
  StoreLe<uint32_t>(out + 12, static_cast<uint32_t>(kLogHeaderSize));
  StoreLe<uint64_t>(out + 16, h.base_lsn);
  StoreLe<uint64_t>(out + 24, h.next_lsn);
  StoreLe<uint64_t>(out + 32, h.end_offset);
  StoreLe<uint64_t>(out + 40, ComputeChecksum64(out, 40));
}

Result<LogHeader> DecodeHeader(const uint8_t* in, const std::string& path) {
  if (std::memcmp(in, kLogMagic, 8) != 0 || LoadLe<uint32_t>(in + 8) != kVersion ||
      LoadLe<uint32_t>(in + 12) != kLogHeaderSize ||
      LoadLe<uint64_t>(in + 40) != ComputeChecksum64(in, 40)) {
    return Status::Integrity("log file " + path + ": bad header");
  }
  LogHeader h;
  h.base_lsn = LoadLe<uint64_t>(in + 16);
  h.next_lsn = LoadLe<uint64_t>(in + 24);
  h.end_offset = LoadLe<uint64_t>(in + 32);
  if (h.next_lsn < h.base_lsn || h.end_offset < kLogHeaderSize) {
    return Status::Integrity("log file " + path + ": inconsistent header");
  }
  return h;
}

std::vector<uint8_t> EncodeRecord(uint64_t lsn, uint32_t file_id, uint64_t page_offset,
                                  const uint8_t* image, size_t len) {
  std::vector<uint8_t> r(LogRecordSize(len), 0);
  StoreLe<uint32_t>(r.data(), kRecordMagic);
  StoreLe<uint32_t>(r.data() + 4, static_cast<uint32_t>(r.size()));
  StoreLe<uint64_t>(r.data() + 8, lsn);
  StoreLe<uint32_t>(r.data() + 16, file_id);
  StoreLe<uint32_t>(r.data() + 20, static_cast<uint32_t>(len));
  StoreLe<uint64_t>(r.data() + 24, page_offset);
  if (len > 0) std::memcpy(r.data() + kLogRecordHeaderSize, image, len);
  StoreLe<uint64_t>(r.data() + r.size() - 8, ComputeChecksum64(r.data(), r.size() - 8));
  return r;
}

}  // namespace

uint64_t LogRecordSize(uint64_t image_len) {
  return kLogRecordHeaderSize + ((image_len + 7) & ~uint64_t{7}) + 8;
}

Result<std::vector<LogRecord>> ParseLogRecords(const uint8_t* data, size_t len,
                                               uint64_t first_lsn) {
  std::vector<LogRecord> out;
  size_t pos = 0;
  uint64_t expect = first_lsn;
  while (pos < len) {
    auto bad = [&](const char* why) {
      return Status::Integrity("log record at byte " + std::to_string(pos) + ": " + why);
    };
    if (len - pos < kLogRecordHeaderSize + 8) return bad("truncated");
    const uint8_t* p = data + pos;
    uint32_t total = LoadLe<uint32_t>(p + 4);
    uint32_t image_len = LoadLe<uint32_t>(p + 20);
    if (LoadLe<uint32_t>(p) != kRecordMagic || total != LogRecordSize(image_len) ||
        total > len - pos) {
      return bad("bad record header");
    }
    if (LoadLe<uint64_t>(p + total - 8) != ComputeChecksum64(p, total - 8)) return bad("checksum");
    LogRecord r;
    r.lsn = LoadLe<uint64_t>(p + 8);
    if (r.lsn != expect) return bad("LSN out of sequence");
    r.file_id = LoadLe<uint32_t>(p + 16);
    r.page_offset = LoadLe<uint64_t>(p + 24);
    r.image.assign(p + kLogRecordHeaderSize, p + kLogRecordHeaderSize + image_len);
    out.push_back(std::move(r));
    ++expect;
    pos += total;
  }
  return out;
}

Status LogFile::Create(const std::string& path, uint64_t base_lsn) {
  std::vector<uint8_t> page(kLogHeaderSize, 0);
  LogHeader h;
  h.base_lsn = h.next_lsn = base_lsn;
  EncodeHeader(h, page.data());
  return WriteFileAtomic(path, std::string_view(reinterpret_cast<char*>(page.data()), page.size()));
}

Result<LogHeader> LogFile::ReadHeader(const std::string& path) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  uint8_t buf[48];
  Status s = PreadFull(fd.get(), buf, sizeof(buf), 0, path);
  if (!s.ok()) return Status::Integrity("log file " + path + ": " + s.message());
  return DecodeHeader(buf, path);
}

Result<LogFile> LogFile::Open(const std::string& path) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDWR));
  uint8_t buf[48];
  Status s = PreadFull(fd.get(), buf, sizeof(buf), 0, path);
  if (!s.ok()) return Status::Integrity("log file " + path + ": " + s.message());
  VDIBK_ASSIGN_OR_RETURN(LogHeader h, DecodeHeader(buf, path));
  return LogFile(path, std::move(fd), h);
}

Status LogFile::WriteHeader() {
  uint8_t buf[48];
  EncodeHeader(header_, buf);
  return PwriteFull(fd_.get(), buf, sizeof(buf), 0, path_);
}

Result<uint64_t> LogFile::Append(uint32_t file_id, uint64_t page_offset, const uint8_t* image,
                                 size_t len) {
  uint64_t lsn = header_.next_lsn;
  std::vector<uint8_t> r = EncodeRecord(lsn, file_id, page_offset, image, len);
  VDIBK_RETURN_IF_ERROR(PwriteFull(fd_.get(), r.data(), r.size(), header_.end_offset, path_));
  header_.end_offset += r.size();
  header_.next_lsn = lsn + 1;
  VDIBK_RETURN_IF_ERROR(WriteHeader());
  return lsn;
}

Result<std::vector<LogRecord>> LogFile::ReadAll() const {
  std::vector<uint8_t> body(header_.end_offset - kLogHeaderSize);
  VDIBK_RETURN_IF_ERROR(PreadFull(fd_.get(), body.data(), body.size(), kLogHeaderSize, path_));
  return ParseLogRecords(body.data(), body.size(), header_.base_lsn);
}

Status LogFile::TruncateBefore(uint64_t lsn) {
  VDIBK_ASSIGN_OR_RETURN(std::vector<LogRecord> records, ReadAll());
  LogHeader h;
  h.base_lsn = lsn;
  h.next_lsn = header_.next_lsn > lsn ? header_.next_lsn : lsn;
  std::string out(kLogHeaderSize, '\0');
  for (const LogRecord& r : records) {
    if (r.lsn < lsn) continue;
    std::vector<uint8_t> e =
        EncodeRecord(r.lsn, r.file_id, r.page_offset, r.image.data(), r.image.size());
    out.append(reinterpret_cast<const char*>(e.data()), e.size());
  }
  if (h.next_lsn > lsn && !records.empty() && records.back().lsn + 1 != h.next_lsn) {
    return Status::Integrity("log file " + path_ + ": records end before next LSN");
  }
  h.base_lsn = std::min(std::max(lsn, header_.base_lsn), h.next_lsn);
  h.end_offset = out.size();
  EncodeHeader(h, reinterpret_cast<uint8_t*>(out.data()));
  VDIBK_RETURN_IF_ERROR(WriteFileAtomic(path_, out));
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path_, O_RDWR));
  fd_ = std::move(fd);
  header_ = h;
  return Status::Ok();
}

}  // namespace vdibk::emulator
