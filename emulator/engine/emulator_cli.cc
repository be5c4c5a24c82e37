// vdi-emulator subcommands. `serve` runs the SQL listener with the emulator's executor until
// SIGTERM/SIGINT; it prints one readiness line ("vdi-emulator: listening on ...") on stdout.
#include "emulator/engine/emulator_cli.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/workload.h"
#include "emulator/engine/database_freeze.h"
#include "emulator/engine/executor.h"
#include "emulator/frontend/endpoint.h"
#include "emulator/frontend/sql_listener.h"
#include "emulator/frontend/sqlcmd.h"
#include "shared/base/error_code.h"

namespace vdibk::emulator {
namespace {

constexpr const char* kUsage =
    "usage: vdi-emulator COMMAND [options]\n"
    "  serve --data-dir DIR [--listen ENDPOINT] [--fault SPEC] [--password PW] [--direct-io]\n"
    "                  (--direct-io: BACKUP and RESTORE read and write data files with O_DIRECT,\n"
    "                  as SQL Server does)\n"
    "  sql [sqlcmd options]              (the sqlcmd-compatible client; also built as `sqlcmd`)\n"
    "  create-database NAME --data-dir DIR [--size BYTES] [--profile "
    "oltp|text|mixed|random|zeros]\n"
    "                  [--seed N] [--ndf N] [--no-log]\n"
    "  workload NAME --data-dir DIR [--changes N] [--seed N] [--freeze-wait-ms MS]\n"
    "                  (waits while a BACKUP WITH SNAPSHOT has the database frozen)\n"
    "  list --data-dir DIR\n"
    "ENDPOINT: ipc://PATH or tcp://127.0.0.1:PORT (default $VDI_EMULATOR_ENDPOINT or the "
    "built-in).\n"
    "SPEC: extra-flushes=N,abort-after=BYTES,stall-device=I,slow-device=I:MS,timeout-ms=MS,\n"
    "      unexpected-command=CODE,commit-stall-ms=MS,drop-after-commit=1\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "vdi-emulator: %s\n", error.c_str());
  std::fprintf(stderr, "%s", kUsage);
  return ExitCodeFor(ErrorCode::kUsage);
}

int Fail(const Status& st) {
  std::fprintf(stderr, "vdi-emulator: %s\n", st.message().c_str());
  return ExitCodeFor(st.code());
}

// --name value pairs and bare flags after the positional arguments.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool Has(const std::string& k) const { return options.count(k) != 0; }
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = options.find(k);
    return it == options.end() ? def : it->second;
  }
};

bool ParseArgs(int argc, char** argv, const std::vector<std::string>& flags, Args* out,
               std::string* error) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) {
      out->positional.push_back(a);
      continue;
    }
    std::string key = a.substr(2);
    if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
      out->options[key] = "1";
      continue;
    }
    if (i + 1 >= argc) {
      *error = "option " + a + " needs a value";
      return false;
    }
    out->options[key] = argv[++i];
  }
  return true;
}

bool ParseSize(const std::string& text, uint64_t* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0) return false;
  std::string suffix(end);
  uint64_t mult = 1;
  if (suffix == "K" || suffix == "KiB" || suffix == "k")
    mult = 1ull << 10;
  else if (suffix == "M" || suffix == "MiB")
    mult = 1ull << 20;
  else if (suffix == "G" || suffix == "GiB")
    mult = 1ull << 30;
  else if (!suffix.empty())
    return false;
  *out = static_cast<uint64_t>(v * static_cast<double>(mult));
  return true;
}

int Serve(const Args& args) {
  if (!args.Has("data-dir")) return Usage("serve needs --data-dir");
  ExecutorOptions eo;
  eo.data_dir = args.Get("data-dir");
  if (args.Has("fault")) {
    auto plan = FaultPlan::Parse(args.Get("fault"));
    if (!plan.ok()) return Fail(plan.status());
    eo.faults = *plan;
  }
  eo.direct_io = args.Has("direct-io");
  Catalog catalog(eo.data_dir);
  Status init = catalog.Init();
  if (!init.ok()) return Fail(init);
  // Block the stop signals before any thread starts, so only sigwait() below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  EmulatorExecutor executor(eo);
  frontend::SqlListenerOptions lo;
  lo.endpoint = args.Get("listen", frontend::DefaultEndpoint());
  if (args.Has("password")) lo.password = args.Get("password");
  auto listener = frontend::SqlListener::Start(lo, &executor);
  if (!listener.ok()) return Fail(listener.status());
  std::printf("vdi-emulator: listening on %s (data dir %s%s%s%s)\n", lo.endpoint.c_str(),
              eo.data_dir.c_str(), eo.direct_io ? ", direct I/O" : "",
              eo.faults.empty() ? "" : ", faults ", eo.faults.ToString().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  (*listener)->Stop();
  return 0;
}

int CreateDb(const Args& args) {
  if (args.positional.size() != 1 || !args.Has("data-dir")) {
    return Usage("create-database needs NAME and --data-dir");
  }
  Catalog catalog(args.Get("data-dir"));
  Status init = catalog.Init();
  if (!init.ok()) return Fail(init);
  CreateDatabaseOptions o;
  if (args.Has("size") && !ParseSize(args.Get("size"), &o.size_bytes)) return Usage("bad --size");
  if (args.Has("profile")) {
    auto p = ParsePageProfile(args.Get("profile"));
    if (!p.ok()) return Fail(p.status());
    o.profile = *p;
  }
  o.seed = std::strtoull(args.Get("seed", "1").c_str(), nullptr, 10);
  o.ndf_files = static_cast<uint32_t>(std::strtoul(args.Get("ndf", "0").c_str(), nullptr, 10));
  o.with_log = !args.Has("no-log");
  auto db = CreateDatabase(catalog, args.positional[0], o);
  if (!db.ok()) return Fail(db.status());
  std::printf("created database %s: %llu bytes in %zu files\n", args.positional[0].c_str(),
              static_cast<unsigned long long>(db->total_size()), db->files().size());
  return 0;
}

int Workload(const Args& args) {
  if (args.positional.size() != 1 || !args.Has("data-dir")) {
    return Usage("workload needs NAME and --data-dir");
  }
  Catalog catalog(args.Get("data-dir"));
  auto db = catalog.Open(args.positional[0]);
  if (!db.ok()) return Fail(db.status());
  WorkloadOptions o;
  o.changes = std::strtoull(args.Get("changes", "100").c_str(), nullptr, 10);
  o.seed = std::strtoull(args.Get("seed", "1").c_str(), nullptr, 10);
  const auto wait_ms =
      static_cast<uint32_t>(std::strtoul(args.Get("freeze-wait-ms", "60000").c_str(), nullptr, 10));
  auto r = RunWorkloadRespectingFreeze(catalog, args.positional[0], o, wait_ms);
  if (!r.ok()) return Fail(r.status());
  std::printf(
      "changed %llu pages (LSN %llu..%llu)\n", static_cast<unsigned long long>(r->pages_changed),
      static_cast<unsigned long long>(r->first_lsn), static_cast<unsigned long long>(r->next_lsn));
  return 0;
}

int List(const Args& args) {
  if (!args.Has("data-dir")) return Usage("list needs --data-dir");
  Catalog catalog(args.Get("data-dir"));
  auto names = catalog.List();
  if (!names.ok()) return Fail(names.status());
  for (const auto& n : *names) {
    auto db = catalog.Open(n);
    if (!db.ok()) continue;
    std::printf("%-32s %12llu bytes  %zu files  %s\n", n.c_str(),
                static_cast<unsigned long long>(db->total_size()), db->files().size(),
                std::string(DbStateName(db->state())).c_str());
  }
  return 0;
}

}  // namespace

int EmulatorMain(int argc, char** argv) {
  if (argc < 2) return Usage("");
  std::string cmd = argv[1];
  if (cmd == "sql") {
    std::vector<char*> sub;
    static char name[] = "sqlcmd";
    sub.push_back(name);
    for (int i = 2; i < argc; ++i) sub.push_back(argv[i]);
    return frontend::SqlcmdMain(static_cast<int>(sub.size()), sub.data());
  }
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::printf("%s", kUsage);
    return 0;
  }
  Args args;
  std::string error;
  if (!ParseArgs(argc - 2, argv + 2, {"no-log", "direct-io"}, &args, &error)) return Usage(error);
  if (cmd == "serve") return Serve(args);
  if (cmd == "create-database") return CreateDb(args);
  if (cmd == "workload") return Workload(args);
  if (cmd == "list") return List(args);
  return Usage("unknown command '" + cmd + "'");
}

}  // namespace vdibk::emulator
