// The pipeline protocol's messages as plain C++ structs (proto/README.md §3-§5, §9): what the
// coordinator and the workers send and receive. message_codec.h maps them to the wire Envelope.
#ifndef VDIBK_SHARED_TRANSPORT_PIPELINE_MESSAGES_H_
#define VDIBK_SHARED_TRANSPORT_PIPELINE_MESSAGES_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace vdibk::transport {

// The enums keep control.proto's numbers, and a value this build does not know (a newer peer)
// stays that number.
enum class Direction : int32_t { kUnspecified = 0, kBackup = 1, kRestore = 2 };
enum class TargetKind : int32_t { kUnspecified = 0, kDirectory = 1, kNull = 2, kTape = 3 };
enum class Compression : int32_t { kUnspecified = 0, kNone = 1, kLz4 = 2 };
enum class BackupType : int32_t { kUnspecified = 0, kFull = 1, kDiff = 2, kLog = 3 };
enum class DeviceRole : int32_t { kOwner = 0, kEncoder = 1 };

// Hello::capabilities bits (control.proto Capability).
inline constexpr uint32_t kCapabilityLz4 = 1;
inline constexpr uint32_t kCapabilityRestore = 2;
inline constexpr uint32_t kCapabilityPosition = 4;
inline constexpr uint32_t kCapabilityTape = 8;

// Control (control.proto; the comments there are the fields' contract).
struct Hello {
  std::string worker_id;
  uint32_t pid = 0;
  uint32_t uid = 0;
  std::string version;
  uint32_t capabilities = 0;
  bool operator==(const Hello&) const = default;
};

struct DeviceAssignment {
  uint32_t device_index = 0;
  std::string device_name;
  std::string stripe_file;
  std::string target_dir;  // empty: Assign::target_dir
  DeviceRole role = DeviceRole::kOwner;
  bool operator==(const DeviceAssignment&) const = default;
};

struct Assign {
  std::string set_name;
  std::string backup_set_id;  // 16 bytes
  std::string database;
  BackupType backup_type = BackupType::kUnspecified;
  Direction direction = Direction::kUnspecified;
  TargetKind target_kind = TargetKind::kUnspecified;
  std::string target_dir;
  Compression compression = Compression::kUnspecified;
  int32_t compression_level = 0;
  uint32_t device_count = 0;
  std::vector<DeviceAssignment> devices;
  uint64_t max_transfer_size = 0;
  bool operator==(const Assign&) const = default;
};

struct Ready {
  std::vector<uint32_t> device_indexes;
  bool operator==(const Ready&) const = default;
};

struct Heartbeat {
  bool operator==(const Heartbeat&) const = default;
};

struct Abort {
  uint32_t code = 0;  // vdibk::ErrorCode
  std::string message;
  bool operator==(const Abort&) const = default;
};

struct Shutdown {
  std::string reason;
  bool operator==(const Shutdown&) const = default;
};

// Data requests, coordinator -> worker (data.proto).
struct RequestHeader {
  uint32_t device = 0;
  uint64_t command_seq = 0;
  bool operator==(const RequestHeader&) const = default;
};

struct WriteRequest {
  RequestHeader header;
  uint32_t buffer_handle = 0;
  uint32_t size = 0;
  int64_t position = 0;
  bool operator==(const WriteRequest&) const = default;
};

struct ReadRequest {
  RequestHeader header;
  uint32_t buffer_handle = 0;
  uint32_t size = 0;
  int64_t position = 0;
  bool operator==(const ReadRequest&) const = default;
};

struct FlushRequest {
  RequestHeader header;
  bool operator==(const FlushRequest&) const = default;
};

struct CompleteRequest {
  RequestHeader header;
  bool operator==(const CompleteRequest&) const = default;
};

struct EncodeRequest {
  RequestHeader header;
  uint32_t buffer_handle = 0;
  uint32_t size = 0;
  bool operator==(const EncodeRequest&) const = default;
};

struct PlaceRequest {
  RequestHeader header;
  uint64_t frame_offset = 0;
  bool operator==(const PlaceRequest&) const = default;
};

struct AdoptRequest {
  RequestHeader header;
  uint32_t buffer_handle = 0;
  uint32_t size = 0;
  uint64_t frame_offset = 0;
  uint64_t frame_bytes = 0;
  bool operator==(const AdoptRequest&) const = default;
};

// Worker -> coordinator: the answer to exactly one request.
struct Reply {
  uint32_t device = 0;
  uint64_t command_seq = 0;
  uint32_t buffer_handle = 0;
  uint32_t status = 0;  // vdibk::ErrorCode; 0 = ok
  uint32_t completion_code = 0;
  uint64_t bytes = 0;
  std::string digest;  // Complete: 8 bytes, big-endian
  std::string message;
  uint64_t compressed_bytes = 0;
  std::string file_digest;
  bool operator==(const Reply&) const = default;
};

struct Batch;
// One message's body: the alternatives in the order of Envelope's oneof.
using Body = std::variant<Hello, Ready, Assign, Heartbeat, Abort, Shutdown, WriteRequest,
                          ReadRequest, FlushRequest, CompleteRequest, EncodeRequest, PlaceRequest,
                          AdoptRequest, Reply, Batch>;

// Data requests or Replies of one wake-up, in order (proto/README.md §5.1). A decoded Batch's
// items are never Batches themselves.
struct Batch {
  std::vector<Body> items;
  bool operator==(const Batch& o) const;
};

// One message: the Envelope without its protocol version (the codec's business).
struct Message {
  std::string sender;  // "coordinator" or the worker id
  uint64_t seq = 0;    // per sender (and per data socket), from 1
  Body body;
  bool operator==(const Message&) const = default;
};

// The body's field number in Envelope's oneof (e.g. 10 for Hello): what error texts name.
int BodyNumber(const Body& body);
// True for the bodies a Batch may carry from the coordinator: Write, Read, Flush, Complete,
// Encode, Place, Adopt (proto/README.md §5.1).
bool IsDataRequest(const Body& body);

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_PIPELINE_MESSAGES_H_
