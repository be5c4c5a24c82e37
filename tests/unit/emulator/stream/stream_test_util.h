// Helpers for the emulator stream tests: run a backup into memory, restore from memory with chosen
// read sizes and device interleaving, and snapshot a database directory for byte comparisons.
#ifndef VDIBK_TESTS_UNIT_EMULATOR_STREAM_STREAM_TEST_UTIL_H_
#define VDIBK_TESTS_UNIT_EMULATOR_STREAM_STREAM_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/stream/backup_session.h"
#include "emulator/stream/restore_session.h"

namespace vdibk::emulator::testutil {

using Streams = std::vector<std::vector<uint8_t>>;

// Options with a fixed GUID/time so streams are comparable.
BackupOptions Fixed(BackupKind kind, uint32_t devices, uint64_t seed = 1);

// Drains every device with Fill() calls of `fill_size`, round robin. Leaves the job uncommitted.
Result<Streams> Drain(BackupSession& job, size_t fill_size);
// Begin + Drain + (optionally) Commit.
Result<Streams> Backup(const Catalog& cat, const std::string& db, const BackupOptions& o,
                       bool commit = true, size_t fill_size = 65536);

// Feeds the streams in pieces of `piece` bytes, alternating devices, then Finish().
Result<RestoreResult> Restore(const Catalog& cat, const Streams& streams, RestoreRequest o,
                              size_t piece = 32768);

// Relative path -> content of every regular file under `dir`.
std::map<std::string, std::string> Snapshot(const std::string& dir);

}  // namespace vdibk::emulator::testutil

#endif  // VDIBK_TESTS_UNIT_EMULATOR_STREAM_STREAM_TEST_UTIL_H_
