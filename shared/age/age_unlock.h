// UnlockFileKey: from a parsed header and the identities at hand to the verified file key (the
// step the random-access reader and the streaming decryptor share).
#ifndef VDIBK_SHARED_AGE_AGE_UNLOCK_H_
#define VDIBK_SHARED_AGE_AGE_UNLOCK_H_

#include <span>

#include "shared/age/age_header.h"
#include "shared/age/age_recipient.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"

namespace vdibk::age {

// Errors: kUsage (no identities), kIntegrity (a scrypt stanza among others, a malformed stanza,
// header MAC mismatch), kConfiguration (no identity matches: the message names the file's
// stanza types and counts and the identities' types; a refused scrypt work factor).
Result<SecretBytes> UnlockFileKey(const Header& header,
                                  std::span<const Identity* const> identities);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_UNLOCK_H_
