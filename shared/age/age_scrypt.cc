// scrypt stanzas: "-> scrypt <base64 salt> <log_n>" and a ChaCha20-Poly1305-wrapped file key.
#include "shared/age/age_scrypt.h"

#include <cstring>
#include <string>

#include "shared/age/age_crypto.h"

namespace vdibk::age {
namespace {

constexpr size_t kSaltSize = 16;

SecretBytes CopyPassphrase(std::string_view p) {
  return SecretBytes(reinterpret_cast<const uint8_t*>(p.data()), p.size());
}

std::string_view View(const SecretBytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Status DeriveKey(const SecretBytes& passphrase, std::span<const uint8_t> salt, int log_n,
                 SecretBytes* key) {
  std::vector<uint8_t> full(kScryptLabel.begin(), kScryptLabel.end());
  full.insert(full.end(), salt.begin(), salt.end());
  *key = SecretBytes(32);
  return Scrypt(View(passphrase), full, log_n, {key->data(), key->size()});
}

}  // namespace

ScryptRecipient::ScryptRecipient(std::string_view passphrase, int log_n)
    : passphrase_(CopyPassphrase(passphrase)), log_n_(log_n) {}

Result<std::vector<Stanza>> ScryptRecipient::Wrap(const SecretBytes& file_key) const {
  if (log_n_ < 1 || log_n_ > 30) return Status::Usage("age: scrypt work factor out of range");
  uint8_t salt[kSaltSize];
  VDIBK_RETURN_IF_ERROR(RandomBytes(salt));
  SecretBytes key;
  VDIBK_RETURN_IF_ERROR(DeriveKey(passphrase_, salt, log_n_, &key));
  Stanza s;
  s.type = "scrypt";
  s.args = {Base64Encode(salt), std::to_string(log_n_)};
  s.body.resize(file_key.size() + kAeadTagSize);
  VDIBK_RETURN_IF_ERROR(AeadSeal(key.span(), AeadNonce{}, file_key.span(), s.body.data()));
  std::vector<Stanza> out;
  out.push_back(std::move(s));
  return out;
}

ScryptIdentity::ScryptIdentity(std::string_view passphrase, int max_log_n)
    : passphrase_(CopyPassphrase(passphrase)), max_log_n_(max_log_n) {}

Result<std::optional<SecretBytes>> ScryptIdentity::Unwrap(
    const std::vector<Stanza>& stanzas) const {
  for (const Stanza& s : stanzas) {
    if (s.type != "scrypt") continue;
    if (stanzas.size() != 1)
      return Status::Integrity("age: a scrypt stanza must be the only stanza");
    if (s.args.size() != 2) return Status::Integrity("age: scrypt stanza: wrong argument count");
    auto salt = Base64Decode(s.args[0]);
    if (!salt.ok() || salt->size() != kSaltSize)
      return Status::Integrity("age: scrypt stanza: invalid salt");
    const std::string& w = s.args[1];
    if (w.empty() || w.size() > 2 || w[0] == '0' ||
        w.find_first_not_of("0123456789") != std::string::npos)
      return Status::Integrity("age: scrypt stanza: invalid work factor");
    const int log_n = std::stoi(w);
    if (log_n > max_log_n_)
      return Status::Configuration("age: scrypt work factor " + w + " exceeds the limit " +
                                   std::to_string(max_log_n_));
    if (s.body.size() != kFileKeySize + kAeadTagSize)
      return Status::Integrity("age: scrypt stanza: body is not 32 bytes");
    SecretBytes key;
    VDIBK_RETURN_IF_ERROR(DeriveKey(passphrase_, *salt, log_n, &key));
    SecretBytes file_key(kFileKeySize);
    if (AeadOpen(key.span(), AeadNonce{}, s.body, file_key.data()).ok())
      return std::optional<SecretBytes>(std::move(file_key));
  }
  return std::optional<SecretBytes>();
}

}  // namespace vdibk::age
