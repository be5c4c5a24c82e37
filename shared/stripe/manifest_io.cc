// Manifest persistence: protobuf wrapper with a body checksum; protobuf failures become Status.
#include "shared/stripe/manifest_io.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <xxhash.h>

#include <vector>

namespace vdibk::stripe {

Result<std::string> EncodeManifestFile(const proto::Manifest& m) {
  std::string body;
  {
    google::protobuf::io::StringOutputStream sos(&body);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    if (!m.SerializeToCodedStream(&cos)) return Status::Failed("manifest: serialization failed");
  }
  proto::ManifestFile file;
  file.set_magic(kManifestMagic);
  file.set_format_version(kManifestFormatVersion);
  file.set_body_xxh64(XXH64(body.data(), body.size(), 0));
  file.set_body(std::move(body));
  std::string out;
  if (!file.SerializeToString(&out)) return Status::Failed("manifest: serialization failed");
  if (out.size() > kMaxManifestBytes) return Status::Failed("manifest too large");
  return out;
}

Result<proto::Manifest> DecodeManifestFile(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxManifestBytes) return Status::Integrity("manifest: file too large");
  // Untrusted bytes: protobuf would log invalid UTF-8 per message; the Status says it all.
  google::protobuf::LogSilencer silence;
  proto::ManifestFile file;
  if (!file.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Integrity("manifest: not a manifest file (protobuf parse failed)");
  }
  if (file.magic() != kManifestMagic) return Status::Integrity("manifest: bad magic");
  if (file.format_version() != kManifestFormatVersion) {
    return Status::Integrity("manifest: format version " + std::to_string(file.format_version()) +
                             " not supported");
  }
  const std::string& body = file.body();
  if (XXH64(body.data(), body.size(), 0) != file.body_xxh64()) {
    return Status::Integrity("manifest: checksum mismatch");
  }
  proto::Manifest m;
  if (!m.ParseFromString(body)) return Status::Integrity("manifest: body does not parse");
  return m;
}

Status WriteManifest(Target& target, const std::string& name, const proto::Manifest& m,
                     const CreateOptions& options) {
  VDIBK_ASSIGN_OR_RETURN(std::string bytes, EncodeManifestFile(m));
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, target.Create(name, options));
  Status st = file->Append(bytes.data(), bytes.size());
  if (st.ok()) st = file->Commit();
  if (!st.ok()) {
    file->Abort();
    return st.WithContext("manifest " + name);
  }
  return Status::Ok();
}

Result<proto::Manifest> ReadManifest(Target& target, const std::string& name) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, target.Open(name));
  VDIBK_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (size > kMaxManifestBytes) return Status::Integrity("manifest " + name + ": file too large");
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  VDIBK_ASSIGN_OR_RETURN(size_t got, file->ReadAt(0, buf.data(), buf.size()));
  if (got != size) return Status::Integrity("manifest " + name + ": short read");
  Result<proto::Manifest> m = DecodeManifestFile(buf);
  if (!m.ok()) return m.status().WithContext(name);
  return m;
}

}  // namespace vdibk::stripe
