// Message codec: field-by-field mapping of each body, the received-message checks, byte bounds.
#include "shared/transport/message_codec.h"

#include <google/protobuf/stubs/logging.h>

#include "proto/envelope.pb.h"

namespace vdibk::transport {
namespace {

void PutHeader(const RequestHeader& h, proto::RequestHeader* p) {
  p->set_device(h.device);
  p->set_command_seq(h.command_seq);
}

RequestHeader TakeHeader(const proto::RequestHeader& p) { return {p.device(), p.command_seq()}; }

// Sets env's body to `body` (a Batch's items recursively).
void PutBody(const Body& body, proto::Envelope& env) {
  struct Put {
    proto::Envelope& e;
    void operator()(const Hello& m) {
      proto::Hello* p = e.mutable_hello();
      p->set_worker_id(m.worker_id);
      p->set_pid(m.pid);
      p->set_uid(m.uid);
      p->set_version(m.version);
      p->set_capabilities(m.capabilities);
    }
    void operator()(const Ready& m) {
      proto::Ready* p = e.mutable_ready();
      for (uint32_t d : m.device_indexes) p->add_device_indexes(d);
    }
    void operator()(const Assign& m) {
      proto::Assign* p = e.mutable_assign();
      p->set_set_name(m.set_name);
      p->set_backup_set_id(m.backup_set_id);
      p->set_database(m.database);
      p->set_backup_type(static_cast<proto::BackupType>(m.backup_type));
      p->set_direction(static_cast<proto::Direction>(m.direction));
      p->set_target_kind(static_cast<proto::TargetKind>(m.target_kind));
      p->set_target_dir(m.target_dir);
      p->set_compression(static_cast<proto::Compression>(m.compression));
      p->set_compression_level(m.compression_level);
      p->set_device_count(m.device_count);
      for (const DeviceAssignment& d : m.devices) {
        proto::DeviceAssignment* pd = p->add_devices();
        pd->set_device_index(d.device_index);
        pd->set_device_name(d.device_name);
        pd->set_stripe_file(d.stripe_file);
        pd->set_target_dir(d.target_dir);
        pd->set_role(static_cast<proto::DeviceRole>(d.role));
      }
      p->set_max_transfer_size(m.max_transfer_size);
    }
    void operator()(const Heartbeat&) { e.mutable_heartbeat(); }
    void operator()(const Abort& m) {
      e.mutable_abort()->set_code(m.code);
      e.mutable_abort()->set_message(m.message);
    }
    void operator()(const Shutdown& m) { e.mutable_shutdown()->set_reason(m.reason); }
    void operator()(const WriteRequest& m) {
      proto::WriteRequest* p = e.mutable_write();
      PutHeader(m.header, p->mutable_header());
      p->set_buffer_handle(m.buffer_handle);
      p->set_size(m.size);
      p->set_position(m.position);
    }
    void operator()(const ReadRequest& m) {
      proto::ReadRequest* p = e.mutable_read();
      PutHeader(m.header, p->mutable_header());
      p->set_buffer_handle(m.buffer_handle);
      p->set_size(m.size);
      p->set_position(m.position);
    }
    void operator()(const FlushRequest& m) {
      PutHeader(m.header, e.mutable_flush()->mutable_header());
    }
    void operator()(const CompleteRequest& m) {
      PutHeader(m.header, e.mutable_complete()->mutable_header());
    }
    void operator()(const EncodeRequest& m) {
      proto::EncodeRequest* p = e.mutable_encode();
      PutHeader(m.header, p->mutable_header());
      p->set_buffer_handle(m.buffer_handle);
      p->set_size(m.size);
    }
    void operator()(const PlaceRequest& m) {
      proto::PlaceRequest* p = e.mutable_place();
      PutHeader(m.header, p->mutable_header());
      p->set_frame_offset(m.frame_offset);
    }
    void operator()(const AdoptRequest& m) {
      proto::AdoptRequest* p = e.mutable_adopt();
      PutHeader(m.header, p->mutable_header());
      p->set_buffer_handle(m.buffer_handle);
      p->set_size(m.size);
      p->set_frame_offset(m.frame_offset);
      p->set_frame_bytes(m.frame_bytes);
    }
    void operator()(const Reply& m) {
      proto::Reply* p = e.mutable_reply();
      p->set_device(m.device);
      p->set_command_seq(m.command_seq);
      p->set_buffer_handle(m.buffer_handle);
      p->set_status(m.status);
      p->set_completion_code(m.completion_code);
      p->set_bytes(m.bytes);
      p->set_digest(m.digest);
      p->set_message(m.message);
      p->set_compressed_bytes(m.compressed_bytes);
      p->set_file_digest(m.file_digest);
    }
    void operator()(const Batch& m) {
      proto::Batch* p = e.mutable_batch();
      p->mutable_items()->Reserve(static_cast<int>(m.items.size()));
      for (const Body& item : m.items) PutBody(item, *p->add_items());
    }
  };
  std::visit(Put{env}, body);
}

Reply TakeReply(const proto::Reply& p) {
  Reply r;
  r.device = p.device();
  r.command_seq = p.command_seq();
  r.buffer_handle = p.buffer_handle();
  r.status = p.status();
  r.completion_code = p.completion_code();
  r.bytes = p.bytes();
  r.digest = p.digest();
  r.message = p.message();
  r.compressed_bytes = p.compressed_bytes();
  r.file_digest = p.file_digest();
  return r;
}

Assign TakeAssign(const proto::Assign& p) {
  Assign a;
  a.set_name = p.set_name();
  a.backup_set_id = p.backup_set_id();
  a.database = p.database();
  a.backup_type = static_cast<BackupType>(p.backup_type());
  a.direction = static_cast<Direction>(p.direction());
  a.target_kind = static_cast<TargetKind>(p.target_kind());
  a.target_dir = p.target_dir();
  a.compression = static_cast<Compression>(p.compression());
  a.compression_level = p.compression_level();
  a.device_count = p.device_count();
  a.devices.reserve(static_cast<size_t>(p.devices_size()));
  for (const proto::DeviceAssignment& d : p.devices()) {
    a.devices.push_back({d.device_index(), d.device_name(), d.stripe_file(), d.target_dir(),
                         static_cast<DeviceRole>(d.role())});
  }
  a.max_transfer_size = p.max_transfer_size();
  return a;
}

// The body of `e`, whose body is set (a Batch's items are checked by the caller).
Body TakeBody(const proto::Envelope& e) {
  switch (e.body_case()) {
    case proto::Envelope::kHello: {
      const proto::Hello& p = e.hello();
      return Hello{p.worker_id(), p.pid(), p.uid(), p.version(), p.capabilities()};
    }
    case proto::Envelope::kReady:
      return Ready{{e.ready().device_indexes().begin(), e.ready().device_indexes().end()}};
    case proto::Envelope::kAssign:
      return TakeAssign(e.assign());
    case proto::Envelope::kHeartbeat:
      return Heartbeat{};
    case proto::Envelope::kAbort:
      return Abort{e.abort().code(), e.abort().message()};
    case proto::Envelope::kShutdown:
      return Shutdown{e.shutdown().reason()};
    case proto::Envelope::kWrite: {
      const proto::WriteRequest& p = e.write();
      return WriteRequest{TakeHeader(p.header()), p.buffer_handle(), p.size(), p.position()};
    }
    case proto::Envelope::kRead: {
      const proto::ReadRequest& p = e.read();
      return ReadRequest{TakeHeader(p.header()), p.buffer_handle(), p.size(), p.position()};
    }
    case proto::Envelope::kFlush:
      return FlushRequest{TakeHeader(e.flush().header())};
    case proto::Envelope::kComplete:
      return CompleteRequest{TakeHeader(e.complete().header())};
    case proto::Envelope::kEncode: {
      const proto::EncodeRequest& p = e.encode();
      return EncodeRequest{TakeHeader(p.header()), p.buffer_handle(), p.size()};
    }
    case proto::Envelope::kPlace:
      return PlaceRequest{TakeHeader(e.place().header()), e.place().frame_offset()};
    case proto::Envelope::kAdopt: {
      const proto::AdoptRequest& p = e.adopt();
      return AdoptRequest{TakeHeader(p.header()), p.buffer_handle(), p.size(), p.frame_offset(),
                          p.frame_bytes()};
    }
    case proto::Envelope::kReply:
      return TakeReply(e.reply());
    case proto::Envelope::kBatch: {
      Batch b;
      b.items.reserve(static_cast<size_t>(e.batch().items_size()));
      for (const proto::Envelope& item : e.batch().items()) b.items.push_back(TakeBody(item));
      return b;
    }
    case proto::Envelope::BODY_NOT_SET:
      break;
  }
  return Heartbeat{};  // not reached: FromEnvelope refuses an envelope without a body
}

}  // namespace

void ToEnvelope(const Message& m, proto::Envelope& env) {
  env.Clear();
  env.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
  env.set_sender(m.sender);
  env.set_seq(m.seq);
  PutBody(m.body, env);
}

Result<Message> FromEnvelope(const proto::Envelope& env) {
  if (env.protocol_version() != proto::PROTOCOL_VERSION_CURRENT) {
    return Status::Configuration("protocol version " + std::to_string(env.protocol_version()) +
                                 ", this build speaks " +
                                 std::to_string(proto::PROTOCOL_VERSION_CURRENT));
  }
  if (env.body_case() == proto::Envelope::BODY_NOT_SET) {
    return Status::Integrity("envelope without a (known) body");
  }
  for (const proto::Envelope& item : env.batch().items()) {
    if (item.body_case() == proto::Envelope::BODY_NOT_SET ||
        item.body_case() == proto::Envelope::kBatch) {
      return Status::Integrity("batch item without a (known) body, or a nested batch");
    }
  }
  return Message{env.sender(), env.seq(), TakeBody(env)};
}

Status EncodeMessage(const Message& m, std::string& out, size_t max_bytes) {
  thread_local proto::Envelope env;  // reused: the hot path sends one per VDI command
  ToEnvelope(m, env);
  const size_t size = env.ByteSizeLong();
  if (size > max_bytes) {
    return Status::Failed("envelope of " + std::to_string(size) + " bytes exceeds the limit " +
                          std::to_string(max_bytes));
  }
  out.resize(size);
  if (!env.SerializeToArray(out.data(), static_cast<int>(size))) {
    return Status::Failed("envelope serialization failed");
  }
  return Status::Ok();
}

Result<Message> DecodeMessage(const void* data, size_t size, size_t max_bytes) {
  if (size > max_bytes) {
    return Status::Integrity("envelope of " + std::to_string(size) + " bytes exceeds the limit " +
                             std::to_string(max_bytes));
  }
  // Untrusted bytes: protobuf would log invalid UTF-8 per message; the Status says it all.
  google::protobuf::LogSilencer silence;
  thread_local proto::Envelope env;
  if (!env.ParseFromArray(data, static_cast<int>(size))) {
    return Status::Integrity("malformed envelope (" + std::to_string(size) + " bytes)");
  }
  return FromEnvelope(env);
}

}  // namespace vdibk::transport
