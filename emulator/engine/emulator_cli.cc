// vdi-emulator subcommands. `serve` runs the SQL listener with the emulator's executor until
// SIGTERM/SIGINT; it prints one readiness line ("vdi-emulator: listening on ...") on stdout.
#include "emulator/engine/emulator_cli.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
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
#include "shared/base/command_line.h"
#include "shared/base/error_code.h"

namespace vdibk::emulator {
namespace {

int UsageError(const std::string& command, const Status& st) {
  std::fprintf(stderr, "vdi-emulator%s%s: %s\n(vdi-emulator%s%s --help lists the options)\n",
               command.empty() ? "" : " ", command.c_str(), st.message().c_str(),
               command.empty() ? "" : " ", command.c_str());
  return ExitCodeFor(ErrorCode::kUsage);
}

int Fail(const Status& st) {
  std::fprintf(stderr, "vdi-emulator: %s\n", st.message().c_str());
  return ExitCodeFor(st.code());
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
  const double bytes = v * static_cast<double>(mult);
  if (!(bytes < 18446744073709551616.0)) return false;  // 2^64: not a uint64_t (or NaN)
  *out = static_cast<uint64_t>(bytes);
  return true;
}

struct ServeArgs {
  ExecutorOptions eo;
  std::string listen, password, fault;
};

CommandLine ServeCommandLine(ServeArgs& a) {
  CommandLine cl("vdi-emulator serve",
                 "Run the emulated SQL Server until SIGTERM/SIGINT; prints \"vdi-emulator: "
                 "listening on ...\" once ready");
  cl.Text("--data-dir", &a.eo.data_dir, "DIR", "The directory of the databases");
  cl.Require("--data-dir");
  cl.Text("--listen", &a.listen, "ENDPOINT",
          "ipc://PATH or tcp://127.0.0.1:PORT (default: $VDI_EMULATOR_ENDPOINT, else "
          "ipc:///tmp/vdi-emulator/sql.sock)");
  cl.Text("--fault", &a.fault, "SPEC",
          "Fault injection: extra-flushes=N,abort-after=BYTES,stall-device=I,slow-device=I:MS,"
          "timeout-ms=MS,unexpected-command=CODE,commit-stall-ms=MS,drop-after-commit=1 "
          "(default: none)");
  cl.Text("--password", &a.password, "PW", "The password clients must give (default: none)");
  cl.Flag("--direct-io", &a.eo.direct_io,
          "BACKUP and RESTORE read and write data files with O_DIRECT, as SQL Server does");
  return cl;
}

int Serve(const std::vector<std::string>& args) {
  ServeArgs a;
  CommandLine cl = ServeCommandLine(a);
  if (Status st = cl.Parse(args); !st.ok()) return UsageError("serve", st);
  ExecutorOptions eo = a.eo;
  if (cl.Given("--fault")) {
    auto plan = FaultPlan::Parse(a.fault);
    if (!plan.ok()) return Fail(plan.status());
    eo.faults = *plan;
  }
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
  lo.endpoint = cl.Given("--listen") ? a.listen : frontend::DefaultEndpoint();
  if (cl.Given("--password")) lo.password = a.password;
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

struct CreateArgs {
  std::string name, data_dir, size, profile;
  CreateDatabaseOptions o;
  bool no_log = false;
};

CommandLine CreateCommandLine(CreateArgs& a) {
  CommandLine cl("vdi-emulator create-database", "Create a database of generated pages");
  cl.Positional("NAME", &a.name, "The database's name");
  cl.Require("NAME");
  cl.Text("--data-dir", &a.data_dir, "DIR", "The directory of the databases");
  cl.Require("--data-dir");
  cl.Text("--size", &a.size, "BYTES",
          "Size, with an optional K, M or G suffix (default: " +
              std::to_string(a.o.size_bytes >> 20) + "M)");
  cl.Text("--profile", &a.profile, "oltp|text|mixed|random|zeros",
          "What the pages hold (default: oltp)");
  cl.U64("--seed", &a.o.seed, "N", "Seed of the generated pages (default: 1)");
  cl.U32("--ndf", &a.o.ndf_files, "N", "Secondary data files (default: 0)");
  cl.Flag("--no-log", &a.no_log, "No log file: the database uses the simple recovery model");
  return cl;
}

int CreateDb(const std::vector<std::string>& args) {
  CreateArgs a;
  CommandLine cl = CreateCommandLine(a);
  if (Status st = cl.Parse(args); !st.ok()) return UsageError("create-database", st);
  CreateDatabaseOptions o = a.o;
  if (cl.Given("--size") && !ParseSize(a.size, &o.size_bytes)) {
    return UsageError("create-database", Status::Usage("bad --size '" + a.size + "'"));
  }
  if (cl.Given("--profile")) {
    auto p = ParsePageProfile(a.profile);
    if (!p.ok()) return Fail(p.status());
    o.profile = *p;
  }
  o.with_log = !a.no_log;
  Catalog catalog(a.data_dir);
  Status init = catalog.Init();
  if (!init.ok()) return Fail(init);
  auto db = CreateDatabase(catalog, a.name, o);
  if (!db.ok()) return Fail(db.status());
  std::printf("created database %s: %llu bytes in %zu files\n", a.name.c_str(),
              static_cast<unsigned long long>(db->total_size()), db->files().size());
  return 0;
}

struct WorkloadArgs {
  std::string name, data_dir;
  WorkloadOptions o;
  uint32_t freeze_wait_ms = 60000;
};

CommandLine WorkloadCommandLine(WorkloadArgs& a) {
  CommandLine cl("vdi-emulator workload",
                 "Change pages of a database (waits while a BACKUP WITH SNAPSHOT has it frozen)");
  cl.Positional("NAME", &a.name, "The database's name");
  cl.Require("NAME");
  cl.Text("--data-dir", &a.data_dir, "DIR", "The directory of the databases");
  cl.Require("--data-dir");
  cl.U64("--changes", &a.o.changes, "N", "Pages to change (default: 100)");
  cl.U64("--seed", &a.o.seed, "N", "Seed of the changes (default: 1)");
  cl.U32("--freeze-wait-ms", &a.freeze_wait_ms, "MS",
         "How long to wait for a frozen database (default: 60000)");
  return cl;
}

int Workload(const std::vector<std::string>& args) {
  WorkloadArgs a;
  CommandLine cl = WorkloadCommandLine(a);
  if (Status st = cl.Parse(args); !st.ok()) return UsageError("workload", st);
  Catalog catalog(a.data_dir);
  auto db = catalog.Open(a.name);
  if (!db.ok()) return Fail(db.status());
  auto r = RunWorkloadRespectingFreeze(catalog, a.name, a.o, a.freeze_wait_ms);
  if (!r.ok()) return Fail(r.status());
  std::printf(
      "changed %llu pages (LSN %llu..%llu)\n", static_cast<unsigned long long>(r->pages_changed),
      static_cast<unsigned long long>(r->first_lsn), static_cast<unsigned long long>(r->next_lsn));
  return 0;
}

CommandLine ListCommandLine(std::string* data_dir) {
  CommandLine cl("vdi-emulator list", "One line per database: size, files, state");
  cl.Text("--data-dir", data_dir, "DIR", "The directory of the databases");
  cl.Require("--data-dir");
  return cl;
}

int List(const std::vector<std::string>& args) {
  std::string data_dir;
  CommandLine cl = ListCommandLine(&data_dir);
  if (Status st = cl.Parse(args); !st.ok()) return UsageError("list", st);
  Catalog catalog(data_dir);
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

struct Subcommand {
  const char* name;
  const char* summary;
  std::function<std::string()> help;
  std::function<int(const std::vector<std::string>&)> run;
};

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> commands = {
      {"serve", "Run the emulated SQL Server",
       [] {
         ServeArgs a;
         return ServeCommandLine(a).Help();
       },
       Serve},
      {"create-database", "Create a database of generated pages",
       [] {
         CreateArgs a;
         return CreateCommandLine(a).Help();
       },
       CreateDb},
      {"workload", "Change pages of a database",
       [] {
         WorkloadArgs a;
         return WorkloadCommandLine(a).Help();
       },
       Workload},
      {"list", "List the databases",
       [] {
         std::string d;
         return ListCommandLine(&d).Help();
       },
       List},
  };
  return commands;
}

CommandLine TopCommandLine() {
  CommandLine cl("vdi-emulator",
                 "A stand-in for SQL Server's side of VDI. `vdi-emulator COMMAND --help` lists a "
                 "command's options");
  for (const Subcommand& c : Subcommands()) cl.Subcommand(c.name, c.summary);
  cl.Subcommand("sql", "The sqlcmd-compatible client (sqlcmd's options; also built as `sqlcmd`)");
  cl.Subcommand("help", "Print this help");
  return cl;
}

}  // namespace

int EmulatorMain(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  CommandLine top = TopCommandLine();
  if (Status st = top.Parse(args); !st.ok()) {
    if (WantsHelp(args)) {
      std::printf("%s", top.Help().c_str());
      return 0;
    }
    return UsageError("", st);
  }
  const std::string cmd = top.Command();
  if (cmd == "sql") {  // sqlcmd parses its own single-dash options
    std::vector<char*> sub;
    static char name[] = "sqlcmd";
    sub.push_back(name);
    for (int i = 2; i < argc; ++i) sub.push_back(argv[i]);
    return frontend::SqlcmdMain(static_cast<int>(sub.size()), sub.data());
  }
  if (cmd == "help") {
    std::printf("%s", top.Help().c_str());
    return 0;
  }
  if (cmd.empty()) {
    std::fprintf(stderr, "%s", top.Help().c_str());
    if (!top.Unparsed().empty()) {
      return UsageError("", Status::Usage("unknown command '" + top.Unparsed().front() + "'"));
    }
    return ExitCodeFor(ErrorCode::kUsage);
  }
  const std::vector<std::string> rest = top.CommandArgs();
  for (const Subcommand& c : Subcommands()) {
    if (cmd != c.name) continue;
    if (WantsHelp(rest)) {
      std::printf("%s", c.help().c_str());
      return 0;
    }
    return c.run(rest);
  }
  return UsageError("", Status::Usage("unknown command '" + cmd + "'"));
}

}  // namespace vdibk::emulator
