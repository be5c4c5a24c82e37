// Minimal process log: timestamped lines on stderr, text or JSON lines (--log-format json).
// Thread-safe; each call writes one whole line.
#ifndef VDIBK_SHARED_BASE_LOG_H_
#define VDIBK_SHARED_BASE_LOG_H_

#include <string_view>

namespace vdibk::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

// Process-wide settings. Defaults: kInfo, component "vdibk", and kJson if the environment has
// VDIBACKUP_LOG_FORMAT=json, else kText.
void SetLevel(Level level);
void SetFormat(Format format);
void SetComponent(std::string_view component);

void Write(Level level, std::string_view message);
inline void Debug(std::string_view m) { Write(Level::kDebug, m); }
inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warn(std::string_view m) { Write(Level::kWarn, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }

// A live status line (a progress display on a terminal) kept below the log lines: Show draws or
// redraws it in place ("\r", text, erase to end of line); every log line first erases it and
// then redraws it, so neither garbles the other. Clear erases it and ends it. Thread-safe.
void ShowStatusLine(std::string_view line);
void ClearStatusLine();

}  // namespace vdibk::log

#endif  // VDIBK_SHARED_BASE_LOG_H_
