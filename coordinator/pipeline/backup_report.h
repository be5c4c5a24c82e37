// BackupReport: what one backup produced, and its text / JSON renderings for the CLI.
#ifndef VDIBK_COORDINATOR_PIPELINE_BACKUP_REPORT_H_
#define VDIBK_COORDINATOR_PIPELINE_BACKUP_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace vdibk::coordinator {

struct DeviceReport {
  uint32_t index = 0;
  std::string device_name;
  std::string stripe_file;
  std::string worker;
  uint64_t raw_bytes = 0;
  uint64_t compressed_bytes = 0;  // stripe file size
  std::string raw_digest;         // 8 bytes, big-endian XXH64
  std::string file_digest;
  std::string location;    // manifest location: "" = the set dir, else the --target root
  std::string stripe_dir;  // directory of the stripe ("" with --target null)
};

struct BackupReport {
  std::string database;
  std::string set_dir;
  std::string set_name;
  uint32_t vdi_features = 0;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  double seconds = 0;
  std::vector<DeviceReport> devices;  // ordered by index
  std::vector<std::string> targets;   // --target roots (absolute); empty: stripes in set_dir
  bool discarded = false;             // --target null: nothing was kept (no set_dir)
  // What went wrong without costing the backup (exit 1), e.g. the connection to the server was
  // lost after the commit and the set was confirmed from the server's backup history.
  std::vector<std::string> warnings;
  uint64_t raw_bytes() const;
  uint64_t compressed_bytes() const;
};

// Human summary: totals (bytes, compressed, ratio, seconds, MB/s) and one line per device.
std::string FormatReportText(const BackupReport& r);
// One JSON object with the same facts ("status": "ok", or "warning" with "warnings": [...]).
std::string FormatReportJson(const BackupReport& r);
// {"status":"error","code":N,"error":"name","message":"..."} for --json failures.
std::string FormatErrorJson(uint32_t code, const std::string& name, const std::string& message);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_BACKUP_REPORT_H_
