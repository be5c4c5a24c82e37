// JSON text pieces written by hand (log lines, reports, API replies): a string's escaped
// characters and numbers. Pure functions, thread-safe.
#ifndef VDIBK_SHARED_BASE_JSON_TEXT_H_
#define VDIBK_SHARED_BASE_JSON_TEXT_H_

#include <string>
#include <string_view>

namespace vdibk {

// The characters of a JSON string holding `s`, without the surrounding quotes: `"` and `\`
// escaped, \n \r \t as such, other control characters as \u00XX. Well-formed UTF-8 passes
// through; any other byte (a path, a child's output) becomes \ufffd, so the text is always JSON.
std::string JsonEscape(std::string_view s);

// A JSON string literal: "\"" + JsonEscape(s) + "\"".
std::string JsonString(std::string_view s);

// `v` with `decimals` (0 to 17) digits after the point ("%.*f"): NumberText(2.5, 3) == "2.500".
std::string NumberText(double v, int decimals);

// A JSON number: NumberText(v, decimals), or null for NaN and infinities (JSON has neither).
std::string JsonNumber(double v, int decimals = 3);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_JSON_TEXT_H_
