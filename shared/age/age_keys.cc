// X25519 keys and stanzas: HKDF(shared secret, salt = ephemeral share || recipient, info
// "age-encryption.org/v1/X25519") wraps the file key with ChaCha20-Poly1305 and a zero nonce.
#include "shared/age/age_keys.h"

#include <algorithm>
#include <cstring>

#include "shared/age/bech32.h"

namespace vdibk::age {
namespace {

constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "age-secret-key-";

SecretBytes WrapKey(const SecretBytes& shared, const Bytes32& ephemeral, const Bytes32& recipient,
                    Status* status) {
  uint8_t salt[64];
  std::memcpy(salt, ephemeral.data(), 32);
  std::memcpy(salt + 32, recipient.data(), 32);
  SecretBytes key(32);
  *status = Hkdf(shared.span(), salt, kX25519Label, {key.data(), key.size()});
  return key;
}

// Lines of a key file without comments and blank ones, with their 1-based numbers.
template <typename Fn>
Status ForEachKeyLine(std::string_view text, Fn fn) {
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    VDIBK_RETURN_IF_ERROR(fn(line, line_no));
  }
  return Status::Ok();
}

}  // namespace

Result<X25519Recipient> X25519Recipient::Parse(std::string_view text) {
  auto decoded = Bech32Decode(text);
  if (!decoded.ok()) return Status::Usage("age: invalid recipient: " + decoded.status().message());
  if (decoded->hrp != kRecipientHrp)
    return Status::Usage("age: unsupported recipient type \"" + decoded->hrp +
                         "\" (only age1... X25519 recipients)");
  if (std::any_of(text.begin(), text.end(), ::isupper))
    return Status::Usage("age: invalid recipient: must be lower case");
  if (decoded->data.size() != 32) return Status::Usage("age: invalid recipient: not 32 bytes");
  Bytes32 share{};
  std::copy(decoded->data.begin(), decoded->data.end(), share.begin());
  return X25519Recipient(share);
}

std::string X25519Recipient::String() const {
  return Bech32Encode(kRecipientHrp, share_, false).value();
}

Result<std::vector<Stanza>> X25519Recipient::Wrap(const SecretBytes& file_key) const {
  SecretBytes ephemeral(32);
  VDIBK_RETURN_IF_ERROR(RandomBytes({ephemeral.data(), ephemeral.size()}));
  VDIBK_ASSIGN_OR_RETURN(Bytes32 ephemeral_share, X25519Public(ephemeral.span()));
  VDIBK_ASSIGN_OR_RETURN(SecretBytes shared, X25519Shared(ephemeral.span(), share_));
  Status st;
  SecretBytes key = WrapKey(shared, ephemeral_share, share_, &st);
  VDIBK_RETURN_IF_ERROR(st);
  Stanza s;
  s.type = "X25519";
  s.args.push_back(Base64Encode(ephemeral_share));
  s.body.resize(file_key.size() + kAeadTagSize);
  VDIBK_RETURN_IF_ERROR(AeadSeal(key.span(), AeadNonce{}, file_key.span(), s.body.data()));
  std::vector<Stanza> out;
  out.push_back(std::move(s));
  return out;
}

Result<X25519Identity> X25519Identity::Generate() {
  SecretBytes scalar(32);
  VDIBK_RETURN_IF_ERROR(RandomBytes({scalar.data(), scalar.size()}));
  VDIBK_ASSIGN_OR_RETURN(Bytes32 share, X25519Public(scalar.span()));
  return X25519Identity(std::move(scalar), share);
}

Result<X25519Identity> X25519Identity::Parse(std::string_view text) {
  auto decoded = Bech32Decode(text);
  if (!decoded.ok()) return Status::Usage("age: invalid identity: " + decoded.status().message());
  // The secret bytes are copied out and the decoded vector wiped before anything can fail.
  SecretBytes scalar(decoded->data.data(), decoded->data.size());
  Wipe(decoded->data.data(), decoded->data.size());
  if (decoded->hrp != kIdentityHrp)
    return Status::Usage("age: unsupported identity type (only AGE-SECRET-KEY-1... X25519 keys)");
  if (std::any_of(text.begin(), text.end(), ::islower))
    return Status::Usage("age: invalid identity: must be upper case");
  if (scalar.size() != 32) return Status::Usage("age: invalid identity: not 32 bytes");
  VDIBK_ASSIGN_OR_RETURN(Bytes32 share, X25519Public(scalar.span()));
  return X25519Identity(std::move(scalar), share);
}

std::string X25519Identity::String() const {
  return Bech32Encode(kIdentityHrp, scalar_.span(), true).value();
}

Result<std::optional<SecretBytes>> X25519Identity::Unwrap(
    const std::vector<Stanza>& stanzas) const {
  for (const Stanza& s : stanzas) {
    if (s.type != "X25519") continue;
    if (s.args.size() != 1) return Status::Integrity("age: X25519 stanza: wrong argument count");
    auto share = Base64Decode(s.args[0]);
    if (!share.ok() || share->size() != 32)
      return Status::Integrity("age: X25519 stanza: invalid ephemeral share");
    if (s.body.size() != kFileKeySize + kAeadTagSize)
      return Status::Integrity("age: X25519 stanza: body is not 32 bytes");
    Bytes32 ephemeral{};
    std::copy(share->begin(), share->end(), ephemeral.begin());
    VDIBK_ASSIGN_OR_RETURN(SecretBytes shared, X25519Shared(scalar_.span(), ephemeral));
    Status st;
    SecretBytes key = WrapKey(shared, ephemeral, recipient_.share(), &st);
    VDIBK_RETURN_IF_ERROR(st);
    SecretBytes file_key(kFileKeySize);
    if (AeadOpen(key.span(), AeadNonce{}, s.body, file_key.data()).ok())
      return std::optional<SecretBytes>(std::move(file_key));
  }
  return std::optional<SecretBytes>();
}

Result<std::vector<X25519Identity>> ParseIdentityFile(std::string_view text) {
  std::vector<X25519Identity> out;
  VDIBK_RETURN_IF_ERROR(ForEachKeyLine(text, [&](std::string_view line, size_t n) -> Status {
    auto id = X25519Identity::Parse(line);
    if (!id.ok()) return id.status().WithContext("identity file line " + std::to_string(n));
    out.push_back(std::move(id).value());
    return Status::Ok();
  }));
  if (out.empty()) return Status::Usage("age: identity file holds no identity");
  return out;
}

Result<std::vector<X25519Recipient>> ParseRecipientsFile(std::string_view text) {
  std::vector<X25519Recipient> out;
  VDIBK_RETURN_IF_ERROR(ForEachKeyLine(text, [&](std::string_view line, size_t n) -> Status {
    auto r = X25519Recipient::Parse(line);
    if (!r.ok()) return r.status().WithContext("recipients file line " + std::to_string(n));
    out.push_back(r.value());
    return Status::Ok();
  }));
  if (out.empty()) return Status::Usage("age: recipients file holds no recipient");
  return out;
}

}  // namespace vdibk::age
