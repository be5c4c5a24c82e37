// Fuzz target: DecodeMessage (a pipeline message from a peer process, through shared/transport's
// codec). Invariants: errors are kIntegrity or kConfiguration; a decoded message has no nested
// Batch, re-encodes and decodes equal; the limit holds.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "proto/envelope.pb.h"
#include "shared/transport/message_codec.h"
#include "tests/fuzz/fuzz_support.h"

namespace vdibk::transport {
namespace {

void FuzzEnvelope(const uint8_t* data, size_t size) {
  Result<Message> m = DecodeMessage(data, size);
  if (size > 0) {  // one byte over a limit is refused before parsing
    Result<Message> over = DecodeMessage(data, size, size - 1);
    fuzz::CheckError(over.status(), {ErrorCode::kIntegrity});
  }
  if (!m.ok()) {
    fuzz::CheckError(m.status(), {ErrorCode::kIntegrity, ErrorCode::kConfiguration});
    return;
  }
  if (const auto* batch = std::get_if<Batch>(&m->body)) {
    for (const Body& item : batch->items) {
      FUZZ_CHECK(!std::holds_alternative<Batch>(item), "a nested batch was accepted");
    }
  }
  proto::Envelope env;
  ToEnvelope(*m, env);
  FUZZ_CHECK(env.protocol_version() == proto::PROTOCOL_VERSION_CURRENT, "wrong version encoded");
  FUZZ_CHECK(static_cast<int>(env.body_case()) == BodyNumber(m->body), "the body number changed");
  std::string encoded;
  Status st = EncodeMessage(*m, encoded);
  FUZZ_CHECK(st.ok(), "a decoded message does not encode: " + st.ToString());
  Result<Message> again = DecodeMessage(encoded.data(), encoded.size());
  FUZZ_CHECK(again.ok(), "a re-encoded message does not decode: " + again.status().ToString());
  FUZZ_CHECK(*again == *m, "the round trip changed the message");
}

}  // namespace
}  // namespace vdibk::transport

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vdibk::transport::FuzzEnvelope(data, size);
  return 0;
}

// One envelope of each kind of body the pipeline sends most: hello, assign, write, a batch of
// replies, abort.
std::vector<std::string> FuzzSeeds() {
  using vdibk::proto::Envelope;
  std::vector<Envelope> envs(5);
  for (size_t i = 0; i < envs.size(); ++i) {
    envs[i].set_protocol_version(vdibk::proto::PROTOCOL_VERSION_CURRENT);
    envs[i].set_sender(i % 2 ? "coordinator" : "w0");
    envs[i].set_seq(i + 1);
  }
  auto* hello = envs[0].mutable_hello();
  hello->set_worker_id("w0");
  hello->set_pid(4242);
  hello->set_version("0.1.0");
  auto* assign = envs[1].mutable_assign();
  assign->set_set_name("vdibk-set");
  assign->set_backup_set_id(std::string(16, '\x5A'));
  assign->set_database("SalesDb");
  assign->set_device_count(2);
  assign->set_max_transfer_size(1048576);
  auto* dev = assign->add_devices();
  dev->set_device_index(1);
  dev->set_device_name("vdibk-set-1");
  dev->set_stripe_file("stripe-02-of-02.lz4");
  envs[2].mutable_write()->set_buffer_handle(7);
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    auto* reply = envs[3].mutable_batch()->add_items()->mutable_reply();
    reply->set_device(1);
    reply->set_command_seq(seq);
    reply->set_bytes(1 << 20);
  }
  envs[4].mutable_abort()->set_code(5);
  envs[4].mutable_abort()->set_message("aborted");
  std::vector<std::string> seeds;
  for (const Envelope& e : envs) seeds.push_back(e.SerializeAsString());
  return seeds;
}
