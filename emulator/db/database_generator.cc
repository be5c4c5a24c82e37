// CreateDatabase implementation.
#include "emulator/db/database_generator.h"

#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/db/file_io.h"
#include "emulator/db/log_file.h"
#include "shared/base/scope_exit.h"

namespace vdibk::emulator {
namespace {

Status WriteDataFile(const std::string& path, uint32_t file_id, uint64_t pages,
                     const PageGenerator& gen) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC));
  constexpr uint64_t kBatch = 128;  // 1 MiB per write
  std::vector<uint8_t> buf(kBatch * kPageSize);
  for (uint64_t p = 0; p < pages; p += kBatch) {
    uint64_t n = pages - p < kBatch ? pages - p : kBatch;
    for (uint64_t i = 0; i < n; ++i) gen.Generate(file_id, p + i, 0, buf.data() + i * kPageSize);
    VDIBK_RETURN_IF_ERROR(PwriteFull(fd.get(), buf.data(), n * kPageSize, p * kPageSize, path));
  }
  return Status::Ok();
}

}  // namespace

Result<Database> CreateDatabase(const Catalog& catalog, const std::string& name,
                                const CreateDatabaseOptions& options) {
  VDIBK_RETURN_IF_ERROR(Catalog::ValidateName(name));
  VDIBK_RETURN_IF_ERROR(catalog.Init());
  if (PathExists(catalog.DatabaseDir(name))) {
    return SqlErrorStatus(
        1801, "Database '" + name + "' already exists. Choose a different database name.");
  }
  std::string staging = catalog.NewWorkPath("create");
  ScopeExit cleanup([&] { (void)RemoveTree(staging); });
  VDIBK_RETURN_IF_ERROR(MakeDirs(staging));

  PageGenerator gen(options.profile, options.seed);
  uint64_t total_pages = (options.size_bytes + kPageSize - 1) / kPageSize;
  if (total_pages == 0) total_pages = 1;
  uint32_t nfiles = 1 + options.ndf_files;
  DbMeta meta;
  for (uint32_t i = 0; i < nfiles; ++i) {
    uint64_t pages = total_pages / nfiles + (i < total_pages % nfiles ? 1 : 0);
    FileIdentity f;
    f.file_id = i == 0 ? kPrimaryFileId : 2 + i;
    f.path = i == 0 ? name + ".mdf" : name + "_" + std::to_string(i + 1) + ".ndf";
    f.logical_name = i == 0 ? name : name + "_" + std::to_string(i + 1);
    VDIBK_RETURN_IF_ERROR(WriteDataFile(staging + "/" + f.path, f.file_id, pages, gen));
    meta.files.push_back(f);
  }
  if (options.with_log) {
    FileIdentity f;
    f.file_id = kLogFileId;
    f.path = name + "_log.ldf";
    f.logical_name = name + "_log";
    VDIBK_RETURN_IF_ERROR(LogFile::Create(staging + "/" + f.path, 1));
    meta.files.push_back(f);
  }
  // Metadata first (a database dir without metadata is still valid; the reverse is harmless).
  VDIBK_RETURN_IF_ERROR(SaveDbMeta(catalog.MetaPath(name), meta));
  VDIBK_RETURN_IF_ERROR(RenamePath(staging, catalog.DatabaseDir(name)));
  cleanup.Dismiss();
  VDIBK_RETURN_IF_ERROR(FsyncDir(catalog.data_dir()));
  return catalog.Open(name);
}

}  // namespace vdibk::emulator
