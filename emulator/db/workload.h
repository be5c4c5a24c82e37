// workload: changes N pages of a database's data files and logs each change (page after-image)
// in the .ldf, so full + differential + log backups can reproduce the result exactly.
#ifndef VDIBK_EMULATOR_DB_WORKLOAD_H_
#define VDIBK_EMULATOR_DB_WORKLOAD_H_

#include <cstdint>

#include "emulator/db/database.h"

namespace vdibk::emulator {

struct WorkloadOptions {
  uint64_t changes = 100;  // pages to change; Default: 100
  uint64_t seed = 1;       // with the database's LSN picks pages and edits; Default: 1
};

struct WorkloadResult {
  uint64_t pages_changed = 0;
  uint64_t first_lsn = 0;  // LSN of the first change
  uint64_t next_lsn = 0;   // LSN after the last change
};

// Each change picks a data file (weighted by size) and a page, rewrites a few row-sized spans
// with plausible bytes, stamps the LSN into the page header (full 8 KiB pages only), writes the
// page and appends its after-image to the log. Without a log file only the LSN counter in the
// metadata advances. Requires an ONLINE database (error 927). Holds the database's MetaLock, works
// on freshly re-read metadata (db is reloaded), marks the extents it wrote (data pages, the log's
// header and appended records) in the changed-extent maps with each file's new stamp, and saves
// the metadata. A file whose stamp shows a change by someone else becomes wholly changed.
Result<WorkloadResult> RunWorkload(Database& db, const WorkloadOptions& options);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_WORKLOAD_H_
