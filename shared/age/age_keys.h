// X25519 recipients ("age1...") and identities ("AGE-SECRET-KEY-1..."): Bech32 parsing and
// formatting, the X25519 stanza, and the identity / recipients files `age -i` / `age -R` read.
#ifndef VDIBK_SHARED_AGE_AGE_KEYS_H_
#define VDIBK_SHARED_AGE_AGE_KEYS_H_

#include <string>
#include <string_view>
#include <vector>

#include "shared/age/age_crypto.h"
#include "shared/age/age_recipient.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"

namespace vdibk::age {

inline constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";

class X25519Recipient : public Recipient {
 public:
  explicit X25519Recipient(const Bytes32& share) : share_(share) {}
  // "age1..." (Bech32, HRP "age", lower case). Errors: kUsage naming the problem.
  static Result<X25519Recipient> Parse(std::string_view text);
  std::string String() const;
  const Bytes32& share() const { return share_; }
  Result<std::vector<Stanza>> Wrap(const SecretBytes& file_key) const override;

 private:
  Bytes32 share_;
};

// Move-only: holds the 32-byte scalar in SecretBytes.
class X25519Identity : public Identity {
 public:
  static Result<X25519Identity> Generate();
  // "AGE-SECRET-KEY-1..." (Bech32 upper case). Errors: kUsage; the message never echoes the key.
  static Result<X25519Identity> Parse(std::string_view text);
  // The upper-case Bech32 form. The returned string holds the secret: callers wipe it.
  std::string String() const;
  const X25519Recipient& recipient() const { return recipient_; }
  Result<std::optional<SecretBytes>> Unwrap(const std::vector<Stanza>& stanzas) const override;
  std::string StanzaType() const override { return "X25519"; }

 private:
  X25519Identity(SecretBytes scalar, const Bytes32& share)
      : scalar_(std::move(scalar)), recipient_(share) {}
  SecretBytes scalar_;
  X25519Recipient recipient_;
};

// An identity file as `age -i` reads it: one key per line, lines starting with '#' and blank lines
// skipped, "\r\n" accepted. Errors: kUsage naming the line (never its text); no key at all is an
// error too. `text` is left to the caller to wipe.
Result<std::vector<X25519Identity>> ParseIdentityFile(std::string_view text);
// A recipients file as `age -R` reads it (same comment and blank-line rules).
Result<std::vector<X25519Recipient>> ParseRecipientsFile(std::string_view text);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_KEYS_H_
