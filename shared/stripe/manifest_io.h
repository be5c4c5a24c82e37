// Manifest persistence: the backup set's completion marker, written atomically and durably
// (temp file, fsync, rename, fsync dir) with an XXH64 checksum over the serialized body.
#ifndef VDIBK_SHARED_STRIPE_MANIFEST_IO_H_
#define VDIBK_SHARED_STRIPE_MANIFEST_IO_H_

#include <cstdint>
#include <span>
#include <string>

#include "proto/manifest.pb.h"
#include "shared/base/result.h"
#include "shared/stripe/target.h"

namespace vdibk::stripe {

inline constexpr const char* kManifestFileName = "manifest.vdbk";
inline constexpr const char* kManifestMagic = "vdibackup-manifest";
inline constexpr uint32_t kManifestFormatVersion = 1;
inline constexpr uint64_t kMaxManifestBytes = 64ull << 20;

// The bytes of the ManifestFile wrapper for `m` (deterministic serialization of the body).
Result<std::string> EncodeManifestFile(const proto::Manifest& m);
// Parses and verifies a ManifestFile (untrusted bytes). Errors: kIntegrity with the cause.
Result<proto::Manifest> DecodeManifestFile(std::span<const uint8_t> bytes);

// Writes `m` as `name` on `target` (DirectoryTarget: "<name>.partial" then durable rename).
// options.replace allows promoting PENDING -> COMPLETE in place. Blocking.
Status WriteManifest(Target& target, const std::string& name, const proto::Manifest& m,
                     const CreateOptions& options = {});
// Reads and verifies `name`. Not found: kMissing; corrupt: kIntegrity.
Result<proto::Manifest> ReadManifest(Target& target, const std::string& name);

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_MANIFEST_IO_H_
