// UnlockFileKey: identity matching, then the header MAC check in constant time.
#include "shared/age/age_unlock.h"

#include <openssl/crypto.h>

#include <map>
#include <string>

namespace vdibk::age {
namespace {

// "X25519 (3), scrypt (1)"
std::string DescribeStanzas(const std::vector<Stanza>& stanzas) {
  std::map<std::string, int> counts;
  for (const Stanza& s : stanzas) ++counts[s.type];
  std::string out;
  for (const auto& [type, n] : counts)
    out += (out.empty() ? "" : ", ") + type + " (" + std::to_string(n) + ")";
  return out;
}

}  // namespace

Result<SecretBytes> UnlockFileKey(const Header& header,
                                  std::span<const Identity* const> identities) {
  if (identities.empty()) return Status::Usage("age: no identities to decrypt with");
  bool scrypt = false;
  for (const Stanza& s : header.stanzas) scrypt |= s.type == "scrypt";
  if (scrypt && header.stanzas.size() != 1)
    return Status::Integrity("age: a scrypt stanza must be the only stanza");
  std::optional<SecretBytes> file_key;
  for (const Identity* id : identities) {
    VDIBK_ASSIGN_OR_RETURN(file_key, id->Unwrap(header.stanzas));
    if (file_key) break;
  }
  if (!file_key) {
    std::string types;
    for (const Identity* id : identities)
      if (types.find(id->StanzaType()) == std::string::npos)
        types += (types.empty() ? "" : ", ") + id->StanzaType();
    return Status::Configuration("age: no identity matches: the file is encrypted to " +
                                 DescribeStanzas(header.stanzas) + "; " +
                                 std::to_string(identities.size()) + " identit" +
                                 (identities.size() == 1 ? "y" : "ies") + " tried (" + types + ")");
  }
  VDIBK_ASSIGN_OR_RETURN(Bytes32 mac, HeaderMac(*file_key, header.mac_input));
  if (CRYPTO_memcmp(mac.data(), header.mac.data(), mac.size()) != 0)
    return Status::Integrity("age: header MAC mismatch (the header was altered)");
  return std::move(*file_key);
}

}  // namespace vdibk::age
