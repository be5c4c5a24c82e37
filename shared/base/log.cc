// Process log implementation: one fprintf per line under a mutex.
#include "shared/base/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

#include "shared/base/json_text.h"

namespace vdibk::log {
namespace {

// The default format comes from VDIBACKUP_LOG_FORMAT (text|json) so that child processes (the
// workers of a `vdibackup --log-format json` run) log like their parent.
Format FormatFromEnvironment() {
  const char* env = std::getenv("VDIBACKUP_LOG_FORMAT");
  return env != nullptr && std::string_view(env) == "json" ? Format::kJson : Format::kText;
}

std::mutex g_mu;
Level g_level = Level::kInfo;
Format g_format = FormatFromEnvironment();
std::string g_component = "vdibk";
std::string g_status;  // the live status line, "" = none (ShowStatusLine)
constexpr const char* kEraseLine = "\r\x1b[K";

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLevel(Level level) {
  std::lock_guard l(g_mu);
  g_level = level;
}
void SetFormat(Format format) {
  std::lock_guard l(g_mu);
  g_format = format;
}
void SetComponent(std::string_view component) {
  std::lock_guard l(g_mu);
  g_component = component;
}

void Write(Level level, std::string_view message) {
  std::lock_guard l(g_mu);
  if (level < g_level) return;
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  if (!g_status.empty()) std::fputs(kEraseLine, stderr);
  char ts[96];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ms));
  if (g_format == Format::kJson) {
    std::fprintf(
        stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"%s\",\"pid\":%d,\"msg\":\"%s\"}\n",
        ts, LevelName(level), JsonEscape(g_component).c_str(), static_cast<int>(getpid()),
        JsonEscape(message).c_str());
  } else {
    std::fprintf(stderr, "%s %-5s %s[%d] %.*s\n", ts, LevelName(level), g_component.c_str(),
                 static_cast<int>(getpid()), static_cast<int>(message.size()), message.data());
  }
  if (!g_status.empty()) std::fputs(g_status.c_str(), stderr);
}

void ShowStatusLine(std::string_view line) {
  std::lock_guard l(g_mu);
  g_status.assign(line);
  std::fprintf(stderr, "\r%s\x1b[K", g_status.c_str());
  std::fflush(stderr);
}

void ClearStatusLine() {
  std::lock_guard l(g_mu);
  if (g_status.empty()) return;
  std::fputs(kEraseLine, stderr);
  std::fflush(stderr);
  g_status.clear();
}

}  // namespace vdibk::log
