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
  std::vector<std::string> out;
  const std::string stem = std::string(kShmPrefix) + EncodeSetName(set_name) + ".";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kShmDir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(stem, 0) != 0) continue;
    std::string rest = name.substr(stem.size());
    // Only "ctl" or "<8 hex>.buf<k>": a longer set name sharing our prefix must not match.
    bool ours =
        rest == "ctl" || (rest.size() > 12 && rest[8] == '.' && rest.compare(9, 3, "buf") == 0);
    if (ours) out.push_back("/" + name);
  }
  return out;
}

}  // namespace vdibk::vdi
