// sqlcmd front end: reads batches (-Q/-q, -i files, stdin with GO/EXIT), sends them through
// SqlClient and prints the streamed events with SqlcmdFormatter as they arrive.
#include "emulator/frontend/sqlcmd.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "emulator/frontend/endpoint.h"
#include "emulator/frontend/sql_client.h"
#include "emulator/frontend/sqlcmd_options.h"
#include "emulator/tsql/batch_splitter.h"
#include "emulator/tsql/output_formatter.h"
#include "emulator/tsql/token.h"

namespace vdibk::emulator::frontend {
namespace {

constexpr char kDriver[] = "Sqlcmd: Error: vdi-emulator : ";

enum class BatchResult { kOk, kSqlError, kFatal };

class Session {
 public:
  Session(const SqlcmdOptions& options, FILE* out)
      : options_(options),
        out_(out),
        formatter_(tsql::OutputOptions{.headers = options.header_rows >= 0,
                                       .trim_spaces = options.trim_spaces,
                                       .separator = options.separator,
                                       .header_level = options.message_level}) {}

  bool Connect(const std::string& endpoint) {
    SqlClientOptions c;
    c.endpoint = endpoint;
    c.login = options_.user;
    c.password = options_.password;
    c.database = options_.database;
    c.login_timeout = std::chrono::seconds(options_.login_timeout_s);  // 0: no limit
    c.query_timeout = std::chrono::seconds(options_.query_timeout_s);
    auto client = SqlClient::Connect(std::move(c));
    if (!client.ok()) {
      Fatal(client.status().message());
      return false;
    }
    client_ = std::move(client).value();
    endpoint_ = endpoint;
    return true;
  }

  // Runs one batch `repeat` times. kFatal ends sqlcmd with exit 1.
  BatchResult Run(const std::string& text, int repeat) {
    BatchResult result = BatchResult::kOk;
    for (int i = 0; i < repeat; ++i) {
      if (options_.echo_input)
        Write(out_, text + (text.empty() || text.back() == '\n' ? "" : "\n"));
      bool error_seen = false;
      auto outcome = client_->Execute(text, [&](const SqlEvent& e) { OnEvent(e, &error_seen); });
      std::fflush(out_);
      if (!outcome.ok()) {
        Fatal(outcome.status().message());
        return BatchResult::kFatal;
      }
      switch (outcome->failure) {
        case ClientFailure::kNone:
          break;
        case ClientFailure::kLoginTimeout:
          Fatal("Login timeout expired");
          Fatal("Unable to complete login process due to delay in opening server connection (" +
                endpoint_ + ")");
          return BatchResult::kFatal;
        case ClientFailure::kLoginFailed:
          Fatal(outcome->message);
          return BatchResult::kFatal;
        case ClientFailure::kLinkFailure:  // what was lost, then the ODBC driver's summary
          Fatal(outcome->detail);
          Fatal(outcome->message);
          return BatchResult::kFatal;
        case ClientFailure::kQueryTimeout:
          Write(ErrStream(16), "Sqlcmd: Warning: vdi-emulator : Query timeout expired.\n");
          error_seen = true;
          if (max_level_ < 16) max_level_ = 16;
          break;
      }
      if (error_seen) result = BatchResult::kSqlError;
    }
    return result;
  }

  // The exit-on-error decision for -b: true when this batch's errors end sqlcmd.
  bool ShouldExit(BatchResult r) const {
    return r == BatchResult::kSqlError && options_.exit_on_error &&
           max_level_ >= std::max(11, options_.error_severity);
  }

  void Fatal(const std::string& text) {
    std::string line = kDriver + text;
    if (line.empty() || line.back() != '.') line += '.';
    Write(ErrStream(20), line + "\n");
  }

 private:
  FILE* ErrStream(int level) const {
    if (options_.redirect_errors == 1 || (options_.redirect_errors == 0 && level > 10))
      return stderr;
    return out_;
  }
  static void Write(FILE* f, const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), f);
    if (f == stderr) std::fflush(f);
  }

  void OnEvent(const SqlEvent& e, bool* error_seen) {
    switch (e.type) {
      case EventType::kAccepted:
        server_ = e.server_name;
        break;
      case EventType::kMessage:
      case EventType::kError: {
        FILE* f = options_.redirect_errors == 1 ? stderr : out_;
        if (e.message.IsError()) {
          *error_seen = true;
          if (e.message.level > max_level_) max_level_ = e.message.level;
          f = ErrStream(e.message.level);
        }
        Write(f, formatter_.FormatMessage(e.message, server_));
        std::fflush(out_);  // progress lines appear as they arrive
        break;
      }
      case EventType::kResultBegin:
        Write(out_, formatter_.BeginResult(e.columns));
        break;
      case EventType::kRow:
        Write(out_, formatter_.FormatRow(e.row));
        break;
      case EventType::kResultEnd:
        Write(out_, formatter_.EndResult(e.row_count, !e.has_count));
        break;
      default:
        break;
    }
  }

  const SqlcmdOptions& options_;
  FILE* out_;
  tsql::SqlcmdFormatter formatter_;
  std::unique_ptr<SqlClient> client_;
  std::string server_;
  std::string endpoint_;
  int max_level_ = 0;
};

// Feeds a script through the session batch by batch. Returns the exit code, or -1 to go on.
int RunScript(Session& session, const std::string& script) {
  for (const auto& batch : tsql::SplitBatches(script)) {
    BatchResult r = session.Run(batch.text, batch.repeat);
    if (r == BatchResult::kFatal || session.ShouldExit(r)) return 1;
  }
  return -1;
}

// Interactive / piped input: GO [n] runs the batch, EXIT/QUIT end, RESET clears.
int RunStdin(Session& session) {
  bool tty = isatty(STDIN_FILENO) != 0;
  std::string batch;
  int line_in_batch = 1;
  std::string line;
  for (;;) {
    if (tty) {
      std::printf("%d> ", line_in_batch);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r'))
      trimmed.pop_back();
    size_t first = trimmed.find_first_not_of(" \t");
    std::string word = first == std::string::npos ? "" : tsql::ToUpperAscii(trimmed.substr(first));
    int count = 1;
    if (tsql::IsGoLine(line, &count)) {
      BatchResult r = session.Run(batch, count);
      if (r == BatchResult::kFatal || session.ShouldExit(r)) return 1;
      batch.clear();
      line_in_batch = 1;
      continue;
    }
    if (word == "EXIT" || word == "QUIT" || word == ":EXIT" || word == ":QUIT") return -1;
    if (word == "RESET" || word == ":RESET") {
      batch.clear();
      line_in_batch = 1;
      continue;
    }
    batch += line + "\n";
    ++line_in_batch;
  }
  if (batch.find_first_not_of(" \t\r\n") != std::string::npos) {
    BatchResult r = session.Run(batch, 1);
    if (r == BatchResult::kFatal || session.ShouldExit(r)) return 1;
  }
  return -1;
}

}  // namespace

int SqlcmdMain(int argc, char** argv) {
  auto parsed = ParseSqlcmdOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.status().message().c_str());
    return 1;
  }
  const SqlcmdOptions& options = *parsed;
  if (options.help) {
    std::fputs(SqlcmdUsage().c_str(), stdout);
    return 0;
  }
  FILE* out = stdout;
  if (!options.output_file.empty()) {
    out = std::fopen(options.output_file.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr,
                   "Sqlcmd: Error: Error occurred while opening or operating on file %s "
                   "(Reason: Access is denied).\n",
                   options.output_file.c_str());
      return 1;
    }
  }
  struct Closer {
    FILE* f;
    ~Closer() {
      if (f != stdout) std::fclose(f);
    }
  } closer{out};
  Session session(options, out);
  auto endpoint = ResolveServer(options.server);
  if (!endpoint.ok()) {
    session.Fatal(
        "A network-related or instance-specific error has occurred while establishing a "
        "connection to the server: " +
        endpoint.status().message());
    return 1;
  }
  if (!session.Connect(*endpoint)) return 1;

  if (options.query) {
    int rc = RunScript(session, *options.query);
    if (rc >= 0) return rc;
    if (options.exit_after_query) return 0;
  }
  for (const auto& file : options.input_files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(out,
                   "Sqlcmd: Error: Error occurred while opening or operating on file %s "
                   "(Reason: The system cannot find the file specified).\n",
                   file.c_str());
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    int rc = RunScript(session, text.str());
    if (rc >= 0) return rc;
  }
  if (options.input_files.empty()) {
    int rc = RunStdin(session);
    if (rc >= 0) return rc;
  }
  return 0;
}

}  // namespace vdibk::emulator::frontend
