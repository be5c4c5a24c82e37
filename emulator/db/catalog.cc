// Catalog implementation.
#include "emulator/db/catalog.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "emulator/base/sql_error.h"
#include "emulator/db/file_io.h"

namespace vdibk::emulator {

Catalog::Catalog(std::string data_dir) : data_dir_(std::move(data_dir)) {
  while (data_dir_.size() > 1 && data_dir_.back() == '/') data_dir_.pop_back();
}

Status Catalog::Init() const {
  VDIBK_RETURN_IF_ERROR(MakeDirs(data_dir_));
  return MakeDirs(WorkDir());
}

std::string Catalog::MetaPath(const std::string& name) const {
  return WorkDir() + "/" + name + ".meta";
}

std::string Catalog::NewWorkPath(const std::string& tag) const {
  static std::atomic<uint64_t> counter{0};
  for (;;) {
    std::string p = WorkDir() + "/" + tag + "-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter.fetch_add(1));
    if (!PathExists(p)) return p;
  }
}

Status Catalog::ValidateName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.' || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return Status::Usage("invalid database name '" + name + "'");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Catalog::List() const {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(data_dir_, ec), end;
  if (ec) return Status::Failed("list " + data_dir_ + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::Failed("list " + data_dir_ + ": " + ec.message());
    std::string n = it->path().filename().string();
    if (n.empty() || n[0] == '.') continue;
    if (it->is_directory(ec)) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Catalog::Exists(const std::string& name) const {
  return ValidateName(name).ok() && IsDirectory(DatabaseDir(name));
}

Result<Database> Catalog::Open(const std::string& name) const {
  return Database::Open(data_dir_, name);
}

Result<Database> Catalog::CreateEmpty(const std::string& name) const {
  VDIBK_RETURN_IF_ERROR(ValidateName(name));
  VDIBK_RETURN_IF_ERROR(Init());
  if (PathExists(DatabaseDir(name))) {
    return SqlErrorStatus(
        1801, "Database '" + name + "' already exists. Choose a different database name.");
  }
  VDIBK_RETURN_IF_ERROR(RemoveTree(MetaPath(name)));  // stale metadata of a vanished database
  VDIBK_RETURN_IF_ERROR(MakeDirs(DatabaseDir(name)));
  return Open(name);
}

Status Catalog::Drop(const std::string& name) const {
  if (!Exists(name)) {
    return SqlErrorStatus(3701,
                          "Cannot drop the database '" + name +
                              "', because it does not exist or you do not have permission.",
                          ErrorCode::kSqlError, 11);
  }
  Result<Database> db = Open(name);
  if (db.ok()) {
    for (const DbFile& f : db->files()) {
      if (f.external) VDIBK_RETURN_IF_ERROR(RemoveTree(f.full_path));
    }
  }
  // Rename first so the database disappears atomically, then delete.
  std::string trash = NewWorkPath("drop");
  VDIBK_RETURN_IF_ERROR(Init());
  VDIBK_RETURN_IF_ERROR(RenamePath(DatabaseDir(name), trash));
  VDIBK_RETURN_IF_ERROR(RemoveTree(MetaPath(name)));
  return RemoveTree(trash);
}

}  // namespace vdibk::emulator
