// Pipeline messages: body numbers and kinds.
#include "shared/transport/pipeline_messages.h"

#include <iterator>

namespace vdibk::transport {
namespace {

// Envelope's oneof field numbers, in the order of Body's alternatives (envelope.proto).
constexpr int kBodyNumbers[] = {10, 11, 12, 13, 14, 15, 30, 31, 32, 33, 35, 36, 37, 50, 51};
static_assert(std::size(kBodyNumbers) == std::variant_size_v<Body>);

}  // namespace

bool Batch::operator==(const Batch& o) const { return items == o.items; }

int BodyNumber(const Body& body) { return kBodyNumbers[body.index()]; }

bool IsDataRequest(const Body& body) {
  return std::holds_alternative<WriteRequest>(body) || std::holds_alternative<ReadRequest>(body) ||
         std::holds_alternative<FlushRequest>(body) ||
         std::holds_alternative<CompleteRequest>(body) ||
         std::holds_alternative<EncodeRequest>(body) ||
         std::holds_alternative<PlaceRequest>(body) || std::holds_alternative<AdoptRequest>(body);
}

}  // namespace vdibk::transport
