// Command line of the sqlcmd-compatible client: the subset of Microsoft sqlcmd's options that
// backup tools use, parsed the way sqlcmd does ("-S x" and "-Sx", "-h -1" and "-h-1").
#ifndef VDIBK_EMULATOR_FRONTEND_SQLCMD_OPTIONS_H_
#define VDIBK_EMULATOR_FRONTEND_SQLCMD_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::emulator::frontend {

struct SqlcmdOptions {
  std::string server;                    // -S (default: $SQLCMDSERVER or ".")
  std::string user;                      // -U (default: $SQLCMDUSER)
  std::string password;                  // -P (default: $SQLCMDPASSWORD)
  std::string database;                  // -d
  std::optional<std::string> query;      // -Q (run and exit) or -q (run, then read stdin)
  bool exit_after_query = false;         // true for -Q
  std::vector<std::string> input_files;  // -i a.sql[,b.sql] (repeatable)
  std::string output_file;               // -o
  bool exit_on_error = false;            // -b
  int error_severity = 0;                // -V: minimum level that counts for -b (errors are >= 11)
  int header_rows = 0;                   // -h: -1 = no headers
  bool trim_spaces = false;              // -W
  std::string separator = " ";           // -s
  int message_level = 11;                // -m: level from which messages get the "Msg" header
  int redirect_errors = -1;              // -r: -1 off, 0 errors to stderr, 1 all messages to stderr
  int login_timeout_s = 8;               // -l (0 = none), 0..65534
  int query_timeout_s = 0;               // -t (0 = none), 0..65534
  bool echo_input = false;               // -e
  bool help = false;                     // -?
};

// Parses argv[1..]. Usage errors come back as Status kUsage whose message is sqlcmd's text,
// e.g. "Sqlcmd: '-z': Unknown Option. Enter '-?' for help." (the caller prints it, exit 1).
Result<SqlcmdOptions> ParseSqlcmdOptions(int argc, const char* const* argv);

// The -? text.
std::string SqlcmdUsage();

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_SQLCMD_OPTIONS_H_
