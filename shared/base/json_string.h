// JsonString and JsonNumber: text as a JSON string literal and a double as a JSON number, for every
// hand-written JSON vdibackup prints (reports, the agent's API and audit log).
#ifndef VDIBK_SHARED_BASE_JSON_STRING_H_
#define VDIBK_SHARED_BASE_JSON_STRING_H_

#include <string>

namespace vdibk {

// JSON string literal with escapes; bytes that are not well-formed UTF-8 become \ufffd.
std::string JsonString(const std::string& s);

// A JSON number with `decimals` digits after the point ("12.500"); JSON has no NaN or infinity:
// those are null.
std::string JsonNumber(double v, int decimals = 3);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_JSON_STRING_H_
