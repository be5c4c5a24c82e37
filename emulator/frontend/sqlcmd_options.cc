// sqlcmd option parsing: attached or separate values, env defaults, sqlcmd's error wording.
#include "emulator/frontend/sqlcmd_options.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace vdibk::emulator::frontend {
namespace {

// Options that take a value, and flags accepted for compatibility that change nothing here.
constexpr std::string_view kWithValue = "SUPdQqiolthsmVwyYaAcHfvLkz";
constexpr std::string_view kIgnoredFlags = "ECNXIxjpRuKMg";

Status Unknown(std::string_view opt) {
  return Status::Usage("Sqlcmd: '" + std::string(opt) + "': Unknown Option. Enter '-?' for help.");
}
Status Missing(std::string_view opt) {
  return Status::Usage("Sqlcmd: '" + std::string(opt) +
                       "': Missing argument. Enter '-?' for help.");
}
Status BadValue(std::string_view opt) {
  return Status::Usage("Sqlcmd: '" + std::string(opt) +
                       "': Unexpected argument. Argument value has to be a valid number.");
}

// -l and -t: seconds, 0 = no limit.
constexpr int kMaxTimeout = 65534;
Status OutOfRange(std::string_view opt) {
  return Status::Usage("Sqlcmd: '" + std::string(opt) +
                       "': value must be greater than or equal to 0 and less than or equal to " +
                       std::to_string(kMaxTimeout) + ".");
}

bool ToInt(const std::string& s, int* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < -1000000 || v > 1000000) return false;
  *out = static_cast<int>(v);
  return true;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

Result<SqlcmdOptions> ParseSqlcmdOptions(int argc, const char* const* argv) {
  SqlcmdOptions o;
  o.server = Env("SQLCMDSERVER");
  if (o.server.empty()) o.server = ".";
  o.user = Env("SQLCMDUSER");
  o.password = Env("SQLCMDPASSWORD");
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.size() < 2 || (arg[0] != '-' && arg[0] != '/')) return Unknown(arg);
    char letter = arg[1];
    std::string opt = std::string("-") + letter;
    if (letter == '?') {
      o.help = true;
      continue;
    }
    if (letter == 'b' || letter == 'W' || letter == 'e') {
      if (arg.size() != 2) return Unknown(arg);
      if (letter == 'b') o.exit_on_error = true;
      if (letter == 'W') o.trim_spaces = true;
      if (letter == 'e') o.echo_input = true;
      continue;
    }
    if (letter == 'r') {  // optional 0|1
      std::string v(arg.substr(2));
      if (v.empty() && i + 1 < argc &&
          (std::strcmp(argv[i + 1], "0") == 0 || std::strcmp(argv[i + 1], "1") == 0)) {
        v = argv[++i];
      }
      o.redirect_errors = v == "1" ? 1 : 0;
      continue;
    }
    if (kIgnoredFlags.find(letter) != std::string_view::npos) continue;
    if (kWithValue.find(letter) == std::string_view::npos) return Unknown(opt);
    std::string value;
    if (arg.size() > 2) {
      value = std::string(arg.substr(2));
    } else {
      // "-h -1" is a value; "-S -Q" is not.
      bool next_is_value =
          i + 1 < argc && (argv[i + 1][0] != '-' ||
                           (std::strlen(argv[i + 1]) > 1 &&
                            (std::isdigit(static_cast<unsigned char>(argv[i + 1][1])) != 0)));
      if (!next_is_value) return Missing(opt);
      value = argv[++i];
    }
    switch (letter) {
      case 'S':
        o.server = value;
        break;
      case 'U':
        o.user = value;
        break;
      case 'P':
        o.password = value;
        break;
      case 'd':
        o.database = value;
        break;
      case 'Q':
        o.query = value;
        o.exit_after_query = true;
        break;
      case 'q':
        o.query = value;
        o.exit_after_query = false;
        break;
      case 'o':
        o.output_file = value;
        break;
      case 's':
        o.separator = value.substr(0, 1);
        break;
      case 'i': {
        size_t start = 0;
        while (start <= value.size()) {
          size_t comma = value.find(',', start);
          std::string file =
              value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          if (!file.empty()) o.input_files.push_back(file);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        break;
      }
      case 'h':
        if (!ToInt(value, &o.header_rows)) return BadValue(opt);
        break;
      case 'm':
        if (!ToInt(value, &o.message_level)) return BadValue(opt);
        break;
      case 'V':
        if (!ToInt(value, &o.error_severity)) return BadValue(opt);
        break;
      case 'l':
        if (!ToInt(value, &o.login_timeout_s)) return BadValue(opt);
        if (o.login_timeout_s < 0 || o.login_timeout_s > kMaxTimeout) return OutOfRange(opt);
        break;
      case 't':
        if (!ToInt(value, &o.query_timeout_s)) return BadValue(opt);
        if (o.query_timeout_s < 0 || o.query_timeout_s > kMaxTimeout) return OutOfRange(opt);
        break;
      default:
        break;  // accepted and ignored: -w -y -Y -a -A -c -H -f -v -L -k -z
    }
  }
  if (o.query && o.exit_after_query && !o.input_files.empty()) {
    return Status::Usage("Sqlcmd: The i and the Q options are mutually exclusive.");
  }
  return o;
}

std::string SqlcmdUsage() {
  return "usage: sqlcmd [-S server] [-U login] [-P password] [-d database]\n"
         "              [-Q \"cmdline query\" and exit | -q \"cmdline query\"] [-i inputfile]\n"
         "              [-o outputfile] [-b exit on error] [-V severity] [-m error level]\n"
         "              [-h headers (-1: none)] [-W remove trailing spaces] [-s colseparator]\n"
         "              [-r[0|1] messages to stderr] [-l login timeout] [-t query timeout]\n"
         "              [-e echo input] [-? show this help]\n"
         "  -S accepts ., localhost, (local), tcp:host,port, host,port, ipc://PATH or\n"
         "  tcp://127.0.0.1:PORT; the default endpoint is $VDI_EMULATOR_ENDPOINT or\n"
         "  ipc:///tmp/vdi-emulator/sql.sock (the local vdi-emulator).\n";
}

}  // namespace vdibk::emulator::frontend
