// Bech32 encoding and decoding from BIP 173: polymod checksum, 8-to-5-bit regrouping.
#include "shared/age/bech32.h"

#include <cctype>

#include "shared/age/secret_bytes.h"
#include "shared/base/scope_exit.h"

namespace vdibk::age {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t Polymod(const std::vector<uint8_t>& values) {
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i)
      if ((top >> i) & 1) chk ^= kGen[i];
  }
  return chk;
}

std::vector<uint8_t> HrpExpand(std::string_view hrp) {
  std::vector<uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

bool ValidHrpChar(char c) { return c >= 33 && c <= 126; }

}  // namespace

Result<std::string> Bech32Encode(std::string_view hrp, std::span<const uint8_t> data, bool upper) {
  if (hrp.empty()) return Status::Usage("bech32: empty human-readable part");
  std::string lower_hrp;
  for (char c : hrp) {
    if (!ValidHrpChar(c)) return Status::Usage("bech32: invalid human-readable part");
    lower_hrp.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  std::vector<uint8_t> values;
  values.reserve(data.size() * 2 + 8);  // reserved: no reallocation leaves an unwiped copy
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back((acc >> bits) & 31);
    }
  }
  if (bits > 0) values.push_back((acc << (5 - bits)) & 31);
  std::vector<uint8_t> check = HrpExpand(lower_hrp);
  check.reserve(check.size() + values.size() + 6);
  check.insert(check.end(), values.begin(), values.end());
  check.insert(check.end(), 6, 0);
  const uint32_t mod = Polymod(check) ^ 1;
  for (int i = 0; i < 6; ++i) values.push_back((mod >> (5 * (5 - i))) & 31);
  std::string out = lower_hrp + "1";
  for (uint8_t v : values) out.push_back(kCharset[v]);
  // Identities are secret: no copy of their 5-bit groups stays behind in freed memory.
  Wipe(values.data(), values.size());
  Wipe(check.data(), check.size());
  if (upper)
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<Bech32Data> Bech32Decode(std::string_view text) {
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    if (!ValidHrpChar(c)) return Status::Usage("bech32: invalid character");
    has_lower |= std::islower(static_cast<unsigned char>(c)) != 0;
    has_upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
  }
  if (has_lower && has_upper) return Status::Usage("bech32: mixed case");
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos) return Status::Usage("bech32: no separator '1'");
  if (sep == 0) return Status::Usage("bech32: empty human-readable part");
  if (text.size() - sep - 1 < 6) return Status::Usage("bech32: checksum too short");
  Bech32Data out;
  for (char c : text.substr(0, sep))
    out.hrp.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::vector<uint8_t> values, check;
  values.reserve(text.size());  // reserved: no reallocation leaves an unwiped copy
  check.reserve(2 * text.size() + 1);
  out.data.reserve(text.size());
  ScopeExit wipe([&] {  // identities are secret: no copy stays behind in freed memory
    Wipe(values.data(), values.size());
    Wipe(check.data(), check.size());
  });
  for (char c : text.substr(sep + 1)) {
    const char lc = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const char* p = nullptr;
    for (const char* q = kCharset; *q; ++q)
      if (*q == lc) p = q;
    if (p == nullptr) return Status::Usage("bech32: invalid data character");
    values.push_back(static_cast<uint8_t>(p - kCharset));
  }
  const std::vector<uint8_t> hrp_values = HrpExpand(out.hrp);  // not secret
  check.assign(hrp_values.begin(), hrp_values.end());
  check.insert(check.end(), values.begin(), values.end());
  if (Polymod(check) != 1) return Status::Usage("bech32: checksum mismatch");
  values.resize(values.size() - 6);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t v : values) {
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0)
    return Status::Usage("bech32: invalid padding");
  return out;
}

}  // namespace vdibk::age
