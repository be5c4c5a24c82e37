// create-database: builds a new database of generated pages (NAME.mdf, optional NAME_<n>.ndf, and
// NAME_log.ldf) in a staging directory and renames it into the data directory when complete.
#ifndef VDIBK_EMULATOR_DB_DATABASE_GENERATOR_H_
#define VDIBK_EMULATOR_DB_DATABASE_GENERATOR_H_

#include <cstdint>
#include <string>

#include "emulator/db/catalog.h"
#include "emulator/db/page_generator.h"

namespace vdibk::emulator {

struct CreateDatabaseOptions {
  uint64_t size_bytes = 8 << 20;  // total data-file size, rounded up to whole pages; Default: 8 MiB
  PageProfile profile = PageProfile::kOltp;  // Default: oltp
  uint64_t seed = 1;                         // same seed + options = same bytes; Default: 1
  uint32_t ndf_files = 0;                    // secondary data files; Default: 0
  bool with_log = true;  // false: no .ldf, i.e. the SIMPLE recovery model; Default: true
};

// Error 1801 if the database exists. The data is split evenly over the .mdf and .ndf files.
Result<Database> CreateDatabase(const Catalog& catalog, const std::string& name,
                                const CreateDatabaseOptions& options);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_DATABASE_GENERATOR_H_
