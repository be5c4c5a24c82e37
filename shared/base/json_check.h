// IsJsonText: a strict RFC 8259 check of one JSON text (the agent embeds a child's summary line in
// its responses as is, and protobuf's JSON parser, which reads it, accepts more than JSON).
#ifndef VDIBK_SHARED_BASE_JSON_CHECK_H_
#define VDIBK_SHARED_BASE_JSON_CHECK_H_

#include <string_view>

namespace vdibk {

// True when `text` is exactly one JSON value with optional surrounding whitespace: UTF-8 without
// overlongs or surrogates, no raw control bytes in strings, no NaN, single quotes or bare keys.
// Nesting deeper than 200 is refused.
bool IsJsonText(std::string_view text);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_JSON_CHECK_H_
