// ServerVerifier: `vdibackup verify --sql`, the server's half of a verify: a backup set whose
// stripes verified is streamed to the server as RESTORE VERIFYONLY FROM VIRTUAL_DEVICE through
// workers, with the restore machinery (RestoreJob with verify_only), so nothing is written there.
#ifndef VDIBK_COORDINATOR_CLI_VERIFY_SQL_H_
#define VDIBK_COORDINATOR_CLI_VERIFY_SQL_H_

#include <atomic>
#include <optional>

#include "coordinator/sql/sql_runner.h"
#include "coordinator/cli/verify_options.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/repo/set_verification.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// One per verify run; used from one thread. `options` and `stop` must outlive it.
class ServerVerifier {
 public:
  ServerVerifier(const VerifyOptions& options, const std::atomic<bool>* stop);

  // For a set of `store` that VerifySet checked: when it has no problem, reloads its plan
  // (LoadRestoreSet),
  // runs vdibackup doctor's fatal checks once per run (the first set), then RESTORE VERIFYONLY
  // with one device per stripe and min(--workers, stripes) workers; sets v->sql to "valid", or
  // to "failed" with a problem whose code is the cause's (kIntegrity: a stripe failed its
  // checksums in a worker; kAborted: a worker died or went silent, or a signal; kSqlError: the
  // server refused the set; kConfiguration: the preflight or the device set). A set with
  // problems, or skipped, gets "not run". Blocking.
  void Verify(const RepoStore& store, SetVerification* v);

 private:
  const VerifyOptions& options_;
  const std::atomic<bool>* stop_;
  SqlcmdRunner sql_;
  std::optional<Status> preflight_;  // the preflight's verdict, once run
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_VERIFY_SQL_H_
