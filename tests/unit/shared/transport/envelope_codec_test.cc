// Envelope codec on raw frames: round trip, size bound, version and body checks, random bytes.
#include "shared/transport/envelope_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/harness/status_matchers.h"

namespace vdibk::transport {
namespace {

TEST(EnvelopeCodecTest, RoundTripOfADataRequest) {
  proto::Envelope env;
  env.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
  env.set_sender("coordinator");
  env.set_seq(77);
  auto* w = env.mutable_write();
  w->mutable_header()->set_device(3);
  w->mutable_header()->set_command_seq(12);
  w->set_buffer_handle(0x10002);
  w->set_size(1 << 20);
  auto msg = EncodeEnvelope(env);
  ASSERT_OK(msg);
  EXPECT_LT(msg->size(), 64u);  // handles, never payload
  auto back = DecodeEnvelope(*msg);
  ASSERT_OK(back);
  EXPECT_EQ(back->body_case(), proto::Envelope::kWrite);
  EXPECT_EQ(back->write().buffer_handle(), 0x10002u);
  EXPECT_EQ(back->seq(), 77u);
}

TEST(EnvelopeCodecTest, RejectsWrongVersionOversizeAndEmptyBody) {
  proto::Envelope env;
  env.set_protocol_version(99);
  env.mutable_shutdown();
  auto msg = EncodeEnvelope(env);
  ASSERT_OK(msg);
  EXPECT_EQ(DecodeEnvelope(*msg).status().code(), ErrorCode::kConfiguration);
  EXPECT_EQ(DecodeEnvelope(*msg, 2).status().code(), ErrorCode::kIntegrity);
  proto::Envelope no_body;
  no_body.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
  msg = EncodeEnvelope(no_body);
  ASSERT_OK(msg);
  EXPECT_EQ(DecodeEnvelope(*msg).status().code(), ErrorCode::kIntegrity);
}

TEST(EnvelopeCodecTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    zmq::message_t m(rng() % 64);
    auto* p = static_cast<uint8_t*>(m.data());
    for (size_t j = 0; j < m.size(); ++j) p[j] = static_cast<uint8_t>(rng());
    auto r = DecodeEnvelope(m);
    if (r.ok()) {
      ++accepted;
    } else {
      EXPECT_NE(r.status().code(), ErrorCode::kOk);
    }
  }
  EXPECT_LT(accepted, 20000);
}

}  // namespace
}  // namespace vdibk::transport
