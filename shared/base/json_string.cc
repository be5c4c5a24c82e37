// JsonString: a JSON string literal for any bytes (RFC 8259 escapes; not UTF-8 -> U+FFFD);
// JsonNumber: a finite double, or null.
#include "shared/base/json_string.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace vdibk {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (no overlongs, surrogates or code points
// above U+10FFFF); 0 if there is none.
size_t Utf8Length(const std::string& s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = at(0);
  const size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((at(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (at(k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else if (c < 0x80) {
          out += static_cast<char>(c);
        } else if (const size_t n = Utf8Length(s, i)) {
          out.append(s, i, n);
          i += n - 1;
        } else {  // JSON is UTF-8: a byte that is not (a path, a child's output) becomes U+FFFD
          out += "\\ufffd";
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

}  // namespace vdibk
