// Recursive-descent JSON checker (no values are built).
#include "shared/base/json_check.h"

#include <cstddef>
#include <cstdint>

namespace vdibk {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view s) : s_(s) {}

  bool Text() {
    Blank();
    if (!Value(0)) return false;
    Blank();
    return pos_ == s_.size();
  }

 private:
  bool At(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool Eat(char c) {
    if (!At(c)) return false;
    ++pos_;
    return true;
  }
  bool Digit() const { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; }
  bool Hex() const {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  void Digits() {
    while (Digit()) ++pos_;
  }
  void Blank() {
    while (At(' ') || At('\t') || At('\n') || At('\r')) ++pos_;
  }
  bool Word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  bool Value(int depth) {
    if (depth > 200) return false;
    if (At('{')) return Members(depth, '}', true);
    if (At('[')) return Members(depth, ']', false);
    if (At('"')) return String();
    if (At('t')) return Word("true");
    if (At('f')) return Word("false");
    if (At('n')) return Word("null");
    return Number();
  }
  // An object ("key": value, ...) or an array (value, ...) after its opening bracket.
  bool Members(int depth, char close, bool keys) {
    ++pos_;
    Blank();
    if (Eat(close)) return true;
    do {
      Blank();
      if (keys) {
        if (!String()) return false;
        Blank();
        if (!Eat(':')) return false;
        Blank();
      }
      if (!Value(depth + 1)) return false;
      Blank();
    } while (Eat(','));
    return Eat(close);
  }
  bool Number() {
    Eat('-');
    if (!Eat('0')) {
      if (!Digit()) return false;
      Digits();
    }
    if (Eat('.')) {
      if (!Digit()) return false;
      Digits();
    }
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (!Digit()) return false;
      Digits();
    }
    return true;
  }
  bool String() {
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        ++pos_;
        if (Eat('u')) {
          for (int i = 0; i < 4; ++i, ++pos_) {
            if (!Hex()) return false;
          }
        } else if (!(Eat('"') || Eat('\\') || Eat('/') || Eat('b') || Eat('f') || Eat('n') ||
                     Eat('r') || Eat('t'))) {
          return false;
        }
      } else if (!Utf8()) {
        return false;
      }
    }
    return false;
  }
  // One UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF).
  bool Utf8() {
    const auto at = [&](size_t k) { return static_cast<unsigned char>(s_[pos_ + k]); };
    const unsigned char c = at(0);
    const size_t n = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
    if (n == 0 || pos_ + n > s_.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      if ((at(k) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (at(k) & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    pos_ += n;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

bool IsJsonText(std::string_view text) { return Checker(text).Text(); }

}  // namespace vdibk
