// Catalog: the databases of one emulator data directory DIR. Every non-hidden subdirectory of DIR
// is a database (also ones dropped in by hand, visible at once); DIR/.vdi-emulator holds metadata
// and work areas (staging for restores and creates), never listed as a database.
#ifndef VDIBK_EMULATOR_DB_CATALOG_H_
#define VDIBK_EMULATOR_DB_CATALOG_H_

#include <string>
#include <vector>

#include "emulator/db/database.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// Stateless apart from the directory path: every call looks at the file system. Copyable.
// Concurrent calls are safe as far as the file system operations are (renames are atomic).
class Catalog {
 public:
  explicit Catalog(std::string data_dir);

  // Creates DIR and DIR/.vdi-emulator if missing.
  Status Init() const;

  const std::string& data_dir() const { return data_dir_; }
  std::string DatabaseDir(const std::string& name) const { return data_dir_ + "/" + name; }
  std::string MetaPath(const std::string& name) const;
  std::string WorkDir() const { return data_dir_ + "/.vdi-emulator"; }
  // A fresh, unique, not yet existing path under WorkDir() (for staging), e.g. ".../restore-<n>".
  std::string NewWorkPath(const std::string& tag) const;

  // Database names, sorted.
  Result<std::vector<std::string>> List() const;
  bool Exists(const std::string& name) const;
  Result<Database> Open(const std::string& name) const;
  // Creates an empty database directory; error 1801 if it exists.
  Result<Database> CreateEmpty(const std::string& name) const;
  // Removes the directory, its external files and its metadata; error 3701 if missing.
  Status Drop(const std::string& name) const;

  // Usage error unless `name` is a valid database name (1..128 chars, no '/', not hidden).
  static Status ValidateName(const std::string& name);

 private:
  std::string data_dir_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_CATALOG_H_
