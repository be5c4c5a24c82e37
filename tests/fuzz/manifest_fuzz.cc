// Fuzz target: DecodeManifestFile (untrusted bytes of a repo's manifest.vdbk). Invariants: errors
// are kIntegrity; a decoded manifest re-encodes to bytes that decode to the same manifest.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "shared/stripe/manifest_io.h"
#include "tests/fuzz/fuzz_support.h"

namespace vdibk::stripe {
namespace {

std::string Deterministic(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream sos(&out);
  google::protobuf::io::CodedOutputStream cos(&sos);
  cos.SetSerializationDeterministic(true);
  FUZZ_CHECK(m.SerializeToCodedStream(&cos), "a parsed message does not serialize");
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void FuzzManifest(const uint8_t* data, size_t size) {
  Result<proto::Manifest> m = DecodeManifestFile({data, size});
  if (!m.ok()) {
    fuzz::CheckError(m.status(), {ErrorCode::kIntegrity});
    FUZZ_CHECK(m.status().message().rfind("manifest", 0) == 0, "error does not name the manifest");
    return;
  }
  Result<std::string> encoded = EncodeManifestFile(*m);
  FUZZ_CHECK(encoded.ok(), "a decoded manifest does not encode: " + encoded.status().ToString());
  Result<proto::Manifest> again = DecodeManifestFile(Bytes(*encoded));
  FUZZ_CHECK(again.ok(), "a re-encoded manifest does not decode: " + again.status().ToString());
  FUZZ_CHECK(Deterministic(*again) == Deterministic(*m), "the round trip changed the manifest");
  Result<std::string> twice = EncodeManifestFile(*again);
  FUZZ_CHECK(twice.ok() && *twice == *encoded, "encoding is not deterministic");
}

}  // namespace
}  // namespace vdibk::stripe

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vdibk::stripe::FuzzManifest(data, size);
  return 0;
}

// A minimal manifest and a complete one with every field set (two stripes, one elsewhere).
std::vector<std::string> FuzzSeeds() {
  using namespace vdibk;
  std::vector<std::string> seeds;
  proto::Manifest small;
  small.set_database("fuzz");
  small.add_stripes()->set_file_name("stripe-01-of-01.lz4");
  proto::Manifest full;
  full.set_format_version(1);
  full.set_set_id(std::string(16, '\xA5'));
  full.set_database("SalesDb");
  full.set_backup_type(proto::BACKUP_TYPE_LOG);
  full.set_copy_only(true);
  full.set_started_unix_ms(1700000000000);
  full.set_finished_unix_ms(1700000004321);
  full.set_server_name("sql01");
  full.set_server_version("Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64)");
  full.set_emulator(true);
  full.set_first_lsn("37000000012800001");
  full.set_last_lsn("37000000015200001");
  full.set_checkpoint_lsn("37000000012800037");
  full.set_database_backup_lsn("36000000009600037");
  full.set_device_count(2);
  full.mutable_vdi()->set_block_size(65536);
  full.mutable_vdi()->set_max_transfer_size(1048576);
  full.mutable_vdi()->set_buffer_count(4);
  full.mutable_vdi()->set_features(0x1d);
  full.set_compression(proto::COMPRESSION_LZ4);
  full.set_compression_level(1);
  full.set_state(proto::MANIFEST_STATE_COMPLETE);
  for (uint32_t i = 0; i < 2; ++i) {
    proto::StripeEntry* s = full.add_stripes();
    s->set_index(i);
    s->set_file_name("stripe-0" + std::to_string(i + 1) + "-of-02.lz4");
    s->set_raw_bytes(4194304 + i);
    s->set_compressed_bytes(1048576 + i);
    s->set_raw_digest(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
    s->set_file_digest(std::string("\x11\x12\x13\x14\x15\x16\x17\x18", 8));
    s->set_device_name("vdibk-" + std::to_string(i));
    if (i == 1) s->set_location("/mnt/second");
  }
  for (const proto::Manifest* m : {&small, &full}) {
    Result<std::string> bytes = stripe::EncodeManifestFile(*m);
    if (!bytes.ok()) std::abort();
    seeds.push_back(*bytes);
  }
  return seeds;
}
