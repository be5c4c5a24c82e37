// Header encoding and strict parsing (the spec's grammar), base64 without padding, header MAC.
#include "shared/age/age_header.h"

#include <string>

namespace vdibk::age {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kColumns = 64;

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool ValidArg(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < 33 || c > 126) return false;
  return true;
}

Status Malformed(size_t line, std::string_view what) {
  return Status::Integrity("age: malformed header: line " + std::to_string(line) + ": " +
                           std::string(what));
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(v >> s) & 63]);
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
  }
  return out;
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  if (text.size() % 4 == 1) return Status::Integrity("age: invalid base64 length");
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = B64Value(c);
    if (v < 0) return Status::Integrity("age: invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return Status::Integrity("age: non-canonical base64");
  return out;
}

Result<std::string> EncodeHeaderMacInput(const std::vector<Stanza>& stanzas) {
  std::string out(kVersionLine);
  out.push_back('\n');
  for (const Stanza& s : stanzas) {
    if (!ValidArg(s.type)) return Status::Usage("age: invalid stanza type");
    out += "-> " + s.type;
    for (const std::string& a : s.args) {
      if (!ValidArg(a)) return Status::Usage("age: invalid stanza argument");
      out += " " + a;
    }
    out.push_back('\n');
    const std::string body = Base64Encode(s.body);
    // Full 64-column lines, then a final shorter (possibly empty) line.
    size_t pos = 0;
    for (; body.size() - pos >= kColumns; pos += kColumns) out += body.substr(pos, kColumns) + "\n";
    out += body.substr(pos) + "\n";
  }
  out += "---";
  return out;
}

Result<Bytes32> HeaderMac(const SecretBytes& file_key, std::string_view mac_input) {
  SecretBytes key(32);
  VDIBK_RETURN_IF_ERROR(Hkdf(file_key.span(), {}, "header", {key.data(), key.size()}));
  return HmacSha256(key.span(),
                    {reinterpret_cast<const uint8_t*>(mac_input.data()), mac_input.size()});
}

Result<Header> ParseHeader(std::string_view text) {
  Header h;
  size_t pos = 0, line_no = 0;
  // Next '\n'-terminated line without its '\n'; false when the text ends first.
  auto next_line = [&](std::string_view* line) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    *line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    return true;
  };
  std::string_view line;
  if (!next_line(&line)) {
    if (text.size() >= kVersionLine.size() + 1 || kVersionLine.substr(0, text.size()) != text)
      return Status::Integrity("age: not an age file (no version line)");
    return Status::Missing("age: header incomplete");
  }
  if (line != kVersionLine) {
    if (line.starts_with("age-encryption.org/"))
      return Status::Integrity("age: unsupported version \"" + std::string(line.substr(0, 64)) +
                               "\"");
    return Status::Integrity("age: not an age file (no version line)");
  }
  for (;;) {
    const size_t line_start = pos;
    if (!next_line(&line)) return Status::Missing("age: header incomplete");
    if (line.starts_with("---")) {
      if (line.size() < 4 || line[3] != ' ') return Malformed(line_no, "MAC line without a MAC");
      auto mac = Base64Decode(line.substr(4));
      if (!mac.ok() || mac->size() != h.mac.size()) return Malformed(line_no, "invalid MAC");
      std::copy(mac->begin(), mac->end(), h.mac.begin());
      h.mac_input = std::string(text.substr(0, line_start + 3));
      h.encoded_size = pos;
      if (h.stanzas.empty()) return Malformed(line_no, "no recipient stanza");
      return h;
    }
    if (!line.starts_with("-> ")) return Malformed(line_no, "expected a stanza or the MAC line");
    Stanza s;
    std::string_view rest = line.substr(3);
    std::vector<std::string> words;
    for (;;) {
      const size_t sp = rest.find(' ');
      std::string_view w = rest.substr(0, sp);
      if (!ValidArg(w)) return Malformed(line_no, "empty or non-printable stanza argument");
      words.emplace_back(w);
      if (sp == std::string_view::npos) break;
      rest = rest.substr(sp + 1);
    }
    s.type = words.front();
    s.args.assign(words.begin() + 1, words.end());
    std::string body;
    for (;;) {
      if (!next_line(&line)) return Status::Missing("age: header incomplete");
      if (line.size() > kColumns) return Malformed(line_no, "stanza body line too long");
      body += line;
      if (line.size() < kColumns) break;
    }
    auto decoded = Base64Decode(body);
    if (!decoded.ok()) return Malformed(line_no, decoded.status().message());
    s.body = std::move(decoded).value();
    h.stanzas.push_back(std::move(s));
  }
}

}  // namespace vdibk::age
