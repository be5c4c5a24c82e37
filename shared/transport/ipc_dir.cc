// Private ipc directory checks and peer-credential parsing.
#include "shared/transport/ipc_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <vector>

namespace vdibk::transport {

Status CreatePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno(ErrorCode::kConfiguration, "create ipc directory " + path, errno);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::FromErrno(ErrorCode::kConfiguration, "stat ipc directory " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::Configuration("ipc directory " + path + " is not a directory (symlink?)");
  }
  if (st.st_uid != ::getuid()) {
    return Status::Configuration("ipc directory " + path + " is owned by uid " +
                                 std::to_string(st.st_uid) + ", not by us (" +
                                 std::to_string(::getuid()) + ")");
  }
  if ((st.st_mode & 0077) != 0) {
    // mkdir's mode is filtered by umask, never widened: this is a pre-existing directory.
    return Status::Configuration("ipc directory " + path + " is accessible by group/other");
  }
  return Status::Ok();
}

Result<std::string> IpcEndpoint(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return Status::Usage("invalid ipc socket name '" + name + "'");
  }
  std::string path = dir + "/" + name;
  if (path.size() > kMaxIpcPath) {
    return Status::Configuration("ipc path too long (" + std::to_string(path.size()) + " > " +
                                 std::to_string(kMaxIpcPath) + "): " + path);
  }
  return "ipc://" + path;
}

std::optional<PeerCredentials> ParsePeerAddress(std::string_view s) {
  // The last three ':'-separated fields are uid, gid, pid; the host part may itself be empty.
  std::vector<std::string_view> fields;
  for (int i = 0; i < 3; ++i) {
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    fields.push_back(s.substr(colon + 1));
    s = s.substr(0, colon);
  }
  uint64_t v[3];
  for (int i = 0; i < 3; ++i) {
    const auto& f = fields[2 - i];
    if (f.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v[i]);
    if (ec != std::errc() || p != f.data() + f.size() || v[i] > 0xFFFFFFFFu) return std::nullopt;
  }
  return PeerCredentials{static_cast<uid_t>(v[0]), static_cast<gid_t>(v[1]),
                         static_cast<pid_t>(v[2])};
}

}  // namespace vdibk::transport
