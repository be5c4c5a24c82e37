// Test helpers for the repository tools: writes synthetic backup sets (real stripes through
// StripeWriter + DirectoryTarget, manifests through manifest_io) and damages files.
#ifndef VDIBK_TESTS_UNIT_COORDINATOR_REPO_REPO_TEST_UTIL_H_
#define VDIBK_TESTS_UNIT_COORDINATOR_REPO_REPO_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "proto/manifest.pb.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_writer.h"

namespace vdibk::coordinator::testing {

struct SetSpec {
  std::string database = "sales";
  std::string name;  // set directory name
  uint32_t devices = 2;
  uint8_t id = 1;  // fills the 16-byte set id
  proto::BackupType type = proto::BACKUP_TYPE_FULL;
  bool copy_only = false;
  std::string first_lsn, last_lsn, checkpoint_lsn, database_backup_lsn;
  int64_t started_unix_ms = 0;
  proto::ManifestState state = proto::MANIFEST_STATE_COMPLETE;
  size_t bytes_per_stripe = 300'000;
};

inline std::string StripeName(uint32_t i, uint32_t n) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "stripe-%02u-of-%02u.lz4", i + 1, n);
  return buf;
}

// Half-compressible bytes (random runs between runs of text), different per seed.
inline std::string TestData(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(size);
  while (out.size() < size) {
    const size_t run = 1 + rng() % 2048;
    const bool random = rng() & 1;
    for (size_t i = 0; i < run && out.size() < size; ++i) {
      out.push_back(random ? static_cast<char>(rng()) : "page row data "[i % 14]);
    }
  }
  return out;
}

inline std::string SetDir(const std::string& repo, const SetSpec& s) {
  return repo + "/" + s.database + "/" + s.name;
}

// Writes the stripes and the manifest (all digests and sizes filled like a real backup).
// Into any target (a RepoStore's set, e.g. MemoryRepoStore).
inline proto::Manifest WriteSetTo(stripe::Target& target, const SetSpec& spec) {
  proto::Manifest m;
  m.set_format_version(1);
  m.set_set_id(std::string(16, static_cast<char>(spec.id)));
  m.set_database(spec.database);
  m.set_backup_type(spec.type);
  m.set_copy_only(spec.copy_only);
  m.set_started_unix_ms(spec.started_unix_ms);
  m.set_finished_unix_ms(spec.started_unix_ms);
  m.set_first_lsn(spec.first_lsn);
  m.set_last_lsn(spec.last_lsn);
  m.set_checkpoint_lsn(spec.checkpoint_lsn);
  m.set_database_backup_lsn(spec.database_backup_lsn);
  m.set_device_count(spec.devices);
  m.mutable_vdi()->set_block_size(65536);
  m.mutable_vdi()->set_max_transfer_size(1 << 20);
  m.set_state(spec.state);
  for (uint32_t i = 0; i < spec.devices; ++i) {
    stripe::StripeHeader h;
    h.set_id.fill(spec.id);
    h.database = spec.database;
    h.backup_type = stripe::BackupType::kFull;
    h.device_index = i;
    h.device_count = spec.devices;
    stripe::StripeWriterOptions opt;
    opt.frame_raw_bytes = 100'000;
    auto w = stripe::StripeWriter::Create(target, StripeName(i, spec.devices), h, opt);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return m;
    const std::string data = TestData(spec.bytes_per_stripe + i, spec.id * 100u + i);
    EXPECT_TRUE(w->Append(data.data(), data.size()).ok());
    auto s = w->Finalize();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return m;
    proto::StripeEntry* e = m.add_stripes();
    e->set_index(i);
    e->set_file_name(StripeName(i, spec.devices));
    e->set_raw_bytes(s->raw_bytes);
    e->set_compressed_bytes(s->file_bytes);
    e->set_raw_digest(stripe::DigestBytes(s->raw_xxh64));
    e->set_file_digest(stripe::DigestBytes(s->file_xxh64));
  }
  EXPECT_TRUE(stripe::WriteManifest(target, stripe::kManifestFileName, m).ok());
  return m;
}

inline proto::Manifest WriteSet(const std::string& repo, const SetSpec& spec) {
  const std::string dir = SetDir(repo, spec);
  std::filesystem::create_directories(dir);
  stripe::DirectoryTarget target(dir);
  return WriteSetTo(target, spec);
}

// Replaces the manifest of `dir` (valid checksum) with `m`.
inline void RewriteManifest(const std::string& dir, const proto::Manifest& m) {
  stripe::DirectoryTarget target(dir);
  stripe::CreateOptions replace;
  replace.replace = true;
  ASSERT_TRUE(stripe::WriteManifest(target, stripe::kManifestFileName, m, replace).ok());
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Flips one byte of `path` at `pos` (pos < size).
inline void FlipByte(const std::string& path, size_t pos) {
  std::string b = ReadAll(path);
  ASSERT_LT(pos, b.size());
  b[pos] = static_cast<char>(b[pos] ^ 0x5A);
  WriteAll(path, b);
}

}  // namespace vdibk::coordinator::testing

#endif  // VDIBK_TESTS_UNIT_COORDINATOR_REPO_REPO_TEST_UTIL_H_
