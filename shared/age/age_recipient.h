// Recipient and Identity: the two sides of an age stanza type. A Recipient wraps a file key into
// stanzas; an Identity finds and unwraps the stanza meant for it. X25519 (age_keys.h) and scrypt
// (age_scrypt.h) implement them; tests may add fakes.
#ifndef VDIBK_SHARED_AGE_AGE_RECIPIENT_H_
#define VDIBK_SHARED_AGE_AGE_RECIPIENT_H_

#include <optional>
#include <string>
#include <vector>

#include "shared/age/age_header.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"

namespace vdibk::age {

// Thread-compatible; const methods may be called concurrently.
class Recipient {
 public:
  virtual ~Recipient() = default;
  // Stanzas that give `file_key` (16 bytes) to this recipient.
  virtual Result<std::vector<Stanza>> Wrap(const SecretBytes& file_key) const = 0;
  // A recipient whose stanza must be the only one in a header (scrypt).
  virtual bool MustBeAlone() const { return false; }
};

class Identity {
 public:
  virtual ~Identity() = default;
  // The file key from the first stanza meant for this identity; nullopt when none is. Errors:
  // kIntegrity for a stanza of this identity's type that is malformed (the header is then bad
  // whoever reads it), kConfiguration for a stanza this identity refuses (scrypt work factor).
  virtual Result<std::optional<SecretBytes>> Unwrap(const std::vector<Stanza>& stanzas) const = 0;
  // For messages: the stanza type it reads, e.g. "X25519".
  virtual std::string StanzaType() const = 0;
};

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_RECIPIENT_H_
