// JsonString: text as a JSON string literal, for every hand-written JSON vdibackup prints (reports,
// the agent's API and audit log).
#ifndef VDIBK_SHARED_BASE_JSON_STRING_H_
#define VDIBK_SHARED_BASE_JSON_STRING_H_

#include <string>

namespace vdibk {

// JSON string literal with escapes; bytes that are not well-formed UTF-8 become \ufffd.
std::string JsonString(const std::string& s);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_JSON_STRING_H_
