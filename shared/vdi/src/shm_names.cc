// Naming of a set's shared-memory objects.
#include "shm_names.h"

#include <cstdio>
#include <filesystem>

namespace vdibk::vdi {

std::string EncodeSetName(std::string_view set_name) {
  std::string out;
  out.reserve(set_name.size());
  for (unsigned char c : set_name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string ControlShmName(std::string_view set_name) {
  return std::string("/") + kShmPrefix + EncodeSetName(set_name) + ".ctl";
}

std::string BufferShmName(std::string_view set_name, uint32_t set_tag, uint32_t segment) {
  char tag[16];
  std::snprintf(tag, sizeof tag, "%08x", set_tag);
  return std::string("/") + kShmPrefix + EncodeSetName(set_name) + "." + tag + ".buf" +
         std::to_string(segment);
}

std::string ShmPath(const std::string& shm_name) { return std::string(kShmDir) + shm_name; }

std::vector<std::string> ListSetObjects(std::string_view set_name) {
  return ListEncodedSetObjects(EncodeSetName(set_name));
}

std::vector<std::string> ListEncodedSetObjects(std::string_view encoded) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kShmDir, ec)) {
    std::string name = e.path().filename().string();
    // A longer set name sharing our prefix must not match: the encoded names are compared whole.
    std::optional<ShmObjectName> parsed = ParseShmObjectName(name);
    if (parsed && parsed->encoded == encoded) out.push_back("/" + name);
  }
  return out;
}

std::optional<ShmObjectName> ParseShmObjectName(std::string_view file_name) {
  const std::string_view prefix = kShmPrefix;
  if (file_name.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = file_name.substr(prefix.size());
  // Encoded names hold no '.', so the first one ends the set name.
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  ShmObjectName out;
  out.encoded = std::string(rest.substr(0, dot));
  rest = rest.substr(dot + 1);
  if (rest == "ctl") {
    out.control = true;
    return out;
  }
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (rest.size() <= 12 || rest[8] != '.' || rest.substr(9, 3) != "buf") return std::nullopt;
  for (size_t i = 0; i < 8; ++i) {
    if (!hex(rest[i])) return std::nullopt;
  }
  for (char c : rest.substr(12)) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return out;
}

std::string DecodeSetName(std::string_view encoded) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && nibble(encoded[i + 1]) >= 0 &&
        nibble(encoded[i + 2]) >= 0) {
      out += static_cast<char>(nibble(encoded[i + 1]) * 16 + nibble(encoded[i + 2]));
      i += 2;
    } else {
      out += encoded[i];
    }
  }
  return out;
}

}  // namespace vdibk::vdi
