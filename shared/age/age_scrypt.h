// The scrypt recipient type (passphrase encryption): salt = label || 16 random bytes, N = 2^log_n,
// r = 8, p = 1. A header with a scrypt stanza must hold no other stanza.
#ifndef VDIBK_SHARED_AGE_AGE_SCRYPT_H_
#define VDIBK_SHARED_AGE_AGE_SCRYPT_H_

#include <string_view>

#include "shared/age/age_recipient.h"
#include "shared/age/secret_bytes.h"

namespace vdibk::age {

inline constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";
inline constexpr int kScryptDefaultLogN = 18;  // what `age -p` uses
inline constexpr int kScryptMaxLogN = 22;      // the most a reader accepts by default

class ScryptRecipient : public Recipient {
 public:
  // Copies the passphrase into a SecretBytes. `log_n` in [1, 30].
  ScryptRecipient(std::string_view passphrase, int log_n = kScryptDefaultLogN);
  Result<std::vector<Stanza>> Wrap(const SecretBytes& file_key) const override;
  bool MustBeAlone() const override { return true; }

 private:
  SecretBytes passphrase_;
  int log_n_;
};

class ScryptIdentity : public Identity {
 public:
  // Refuses (kConfiguration) stanzas whose work factor exceeds `max_log_n`.
  ScryptIdentity(std::string_view passphrase, int max_log_n = kScryptMaxLogN);
  // A wrong passphrase is "no match" (nullopt), like an X25519 stanza for someone else.
  Result<std::optional<SecretBytes>> Unwrap(const std::vector<Stanza>& stanzas) const override;
  std::string StanzaType() const override { return "scrypt"; }

 private:
  SecretBytes passphrase_;
  int max_log_n_;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_SCRYPT_H_
