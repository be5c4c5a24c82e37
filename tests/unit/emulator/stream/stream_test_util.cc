// Helpers for the emulator stream tests (see stream_test_util.h).
#include "tests/unit/emulator/stream/stream_test_util.h"

#include <algorithm>

#include "emulator/db/file_io.h"

namespace vdibk::emulator::testutil {

BackupOptions Fixed(BackupKind kind, uint32_t devices, uint64_t seed) {
  BackupOptions o;
  o.kind = kind;
  o.devices = devices;
  o.checksum = true;
  o.set_guid = Guid::FromSeed(seed);
  o.time = 1700000000 + static_cast<int64_t>(seed);
  o.media_family_id = 0x1000;
  return o;
}

Result<Streams> Drain(BackupSession& job, size_t fill_size) {
  Streams out(job.device_count());
  std::vector<uint8_t> buf(fill_size);
  bool more = true;
  while (more) {
    more = false;
    for (uint32_t d = 0; d < job.device_count(); ++d) {
      if (job.device(d).done()) continue;
      VDIBK_ASSIGN_OR_RETURN(size_t n, job.device(d).Fill(buf.data(), buf.size()));
      out[d].insert(out[d].end(), buf.begin(), buf.begin() + static_cast<long>(n));
      if (n > 0) more = true;
    }
  }
  return out;
}

Result<Streams> Backup(const Catalog& cat, const std::string& db, const BackupOptions& o,
                       bool commit, size_t fill_size) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<BackupSession> job, BackupSession::Begin(cat, db, o));
  VDIBK_ASSIGN_OR_RETURN(Streams s, Drain(*job, fill_size));
  if (commit) VDIBK_RETURN_IF_ERROR(job->Commit());
  return s;
}

Result<RestoreResult> Restore(const Catalog& cat, const Streams& streams, RestoreRequest o,
                              size_t piece) {
  o.device_count = static_cast<uint32_t>(streams.size());
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<RestoreSession> s, RestoreSession::Begin(cat, o));
  std::vector<size_t> pos(streams.size(), 0);
  bool more = true;
  for (size_t round = 0; more; ++round) {
    more = false;
    // Reverse device order on odd rounds to vary the interleaving.
    for (size_t i = 0; i < streams.size(); ++i) {
      size_t d = round % 2 == 0 ? i : streams.size() - 1 - i;
      if (pos[d] >= streams[d].size() || !s->WantsMore(static_cast<uint32_t>(d))) continue;
      size_t n = std::min(piece, streams[d].size() - pos[d]);
      VDIBK_RETURN_IF_ERROR(s->Consume(static_cast<uint32_t>(d), streams[d].data() + pos[d], n));
      pos[d] += n;
      more = true;
    }
  }
  return s->Finish();
}

std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  Result<std::vector<std::string>> files = ListFilesRecursive(dir);
  if (!files.ok()) return out;
  for (const std::string& f : files.value()) out[f] = ReadWholeFile(dir + "/" + f).value();
  return out;
}

}  // namespace vdibk::emulator::testutil
