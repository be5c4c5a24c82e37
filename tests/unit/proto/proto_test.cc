// Contract tests of proto/: every body round-trips through an Envelope, data requests carry
// handles and never payload bytes, numbering stays stable.
#include <gtest/gtest.h>

#include "proto/envelope.pb.h"
#include "proto/manifest.pb.h"

namespace vdibk::proto {
namespace {

TEST(ProtoTest, EveryBodyRoundTrips) {
  const auto* oneof = Envelope::descriptor()->FindOneofByName("body");
  ASSERT_NE(oneof, nullptr);
  EXPECT_EQ(oneof->field_count(), 15);
  for (int i = 0; i < oneof->field_count(); ++i) {
    Envelope env;
    env.set_protocol_version(PROTOCOL_VERSION_CURRENT);
    env.set_sender("w1");
    env.set_seq(static_cast<uint64_t>(i) + 1);
    const auto* field = oneof->field(i);
    env.GetReflection()->MutableMessage(&env, field);
    std::string bytes;
    ASSERT_TRUE(env.SerializeToString(&bytes));
    Envelope back;
    ASSERT_TRUE(back.ParseFromString(bytes));
    EXPECT_EQ(static_cast<int>(back.body_case()), field->number()) << field->name();
  }
}

TEST(ProtoTest, DataRequestsCarryNoPayloadBytes) {
  for (const auto* d :
       {WriteRequest::descriptor(), ReadRequest::descriptor(), FlushRequest::descriptor(),
        CompleteRequest::descriptor(), EncodeRequest::descriptor(),
        PlaceRequest::descriptor(), AdoptRequest::descriptor()}) {
    for (int i = 0; i < d->field_count(); ++i) {
      EXPECT_NE(d->field(i)->type(), google::protobuf::FieldDescriptor::TYPE_BYTES)
          << d->name() << "." << d->field(i)->name();
    }
  }
}

TEST(ProtoTest, StableFieldNumbers) {
  EXPECT_EQ(Envelope::kHelloFieldNumber, 10);
  EXPECT_EQ(Envelope::kWriteFieldNumber, 30);
  EXPECT_EQ(Envelope::kReplyFieldNumber, 50);
  EXPECT_EQ(PROTOCOL_VERSION_CURRENT, 3);
  EXPECT_EQ(Envelope::kBatchFieldNumber, 51);
  // PositionRequest (34) was specified but never sent: removed in version 3, its number reserved.
  EXPECT_EQ(Envelope::descriptor()->FindFieldByNumber(34), nullptr);
  EXPECT_EQ(Reply::descriptor()->FindFieldByNumber(7), nullptr);
  EXPECT_EQ(Envelope::kEncodeFieldNumber, 35);
  EXPECT_EQ(Envelope::kAdoptFieldNumber, 37);
  EXPECT_EQ(ManifestFile::kBodyXxh64FieldNumber, 4);
  EXPECT_EQ(ManifestFile::descriptor()->FindFieldByName("body_xxh64")->type(),
            google::protobuf::FieldDescriptor::TYPE_FIXED64);
}

TEST(ProtoTest, ReplyCarriesStatusAndWin32Code) {
  Envelope env;
  env.set_protocol_version(PROTOCOL_VERSION_CURRENT);
  Reply* r = env.mutable_reply();
  r->set_device(2);
  r->set_command_seq(9);
  r->set_buffer_handle(5);
  r->set_status(6);             // kTargetIo
  r->set_completion_code(112);  // ERROR_DISK_FULL
  r->set_message("target full");
  std::string bytes = env.SerializeAsString();
  Envelope back;
  ASSERT_TRUE(back.ParseFromString(bytes));
  EXPECT_EQ(back.reply().completion_code(), 112u);
  EXPECT_EQ(back.reply().status(), 6u);
}

}  // namespace
}  // namespace vdibk::proto
