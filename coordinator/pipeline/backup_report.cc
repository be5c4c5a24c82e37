// Text and JSON renderings of a BackupReport.
#include "coordinator/pipeline/backup_report.h"

#include <cstdio>

#include "shared/base/json_text.h"
#include "shared/stripe/stripe_format.h"

namespace vdibk::coordinator {
namespace {

std::string Hex(const std::string& bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", c);
    out += buf;
  }
  return out;
}

double Ratio(uint64_t raw, uint64_t comp) {
  return comp == 0 ? 0.0 : static_cast<double>(raw) / static_cast<double>(comp);
}

double MbPerSec(uint64_t bytes, double secs) {
  return secs <= 0 ? 0.0 : static_cast<double>(bytes) / 1e6 / secs;
}

}  // namespace

uint64_t BackupReport::raw_bytes() const {
  uint64_t n = 0;
  for (const DeviceReport& d : devices) n += d.raw_bytes;
  return n;
}

uint64_t BackupReport::compressed_bytes() const {
  uint64_t n = 0;
  for (const DeviceReport& d : devices) n += d.compressed_bytes;
  return n;
}

std::string FormatReportText(const BackupReport& r) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof(line),
                "backup of %s: %llu bytes -> %llu bytes (ratio %.2f) in %.2f s, %.1f MB/s\n",
                r.database.c_str(), static_cast<unsigned long long>(r.raw_bytes()),
                static_cast<unsigned long long>(r.compressed_bytes()),
                Ratio(r.raw_bytes(), r.compressed_bytes()), r.seconds,
                MbPerSec(r.raw_bytes(), r.seconds));
  out += line;
  if (r.discarded) {
    out += "nothing kept (--target null): the stripes were compressed, counted and discarded\n";
  } else {
    out += "set: " + r.set_dir + "\n";
  }
  if (!r.targets.empty()) {
    out += "targets:";
    for (const std::string& t : r.targets) out += " " + t;
    out += "\n";
  }
  for (const DeviceReport& d : r.devices) {
    std::snprintf(
        line, sizeof(line), "  device %u (%s, %s): %llu -> %llu bytes, %.1f MB/s\n", d.index,
        d.stripe_file.c_str(), d.worker.c_str(), static_cast<unsigned long long>(d.raw_bytes),
        static_cast<unsigned long long>(d.compressed_bytes), MbPerSec(d.raw_bytes, r.seconds));
    out += line;
    if (!d.location.empty()) out += "    in " + d.stripe_dir + "\n";
  }
  for (const std::string& w : r.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string FormatReportJson(const BackupReport& r) {
  char num[64];
  std::string out = std::string("{\"status\":") + (r.warnings.empty() ? "\"ok\"" : "\"warning\"") +
                    ",\"database\":" + JsonString(r.database) +
                    ",\"set_dir\":" + JsonString(r.set_dir) +
                    ",\"set_name\":" + JsonString(r.set_name) +
                    ",\"raw_bytes\":" + std::to_string(r.raw_bytes()) +
                    ",\"compressed_bytes\":" + std::to_string(r.compressed_bytes());
  std::snprintf(num, sizeof(num), ",\"ratio\":%.4f,\"seconds\":%.3f,\"mb_per_s\":%.2f",
                Ratio(r.raw_bytes(), r.compressed_bytes()), r.seconds,
                MbPerSec(r.raw_bytes(), r.seconds));
  out += num;
  out += std::string(",\"kept\":") + (r.discarded ? "false" : "true") +
         ",\"target_kind\":" + JsonString(r.discarded ? "null" : "directory") + ",\"targets\":[";
  for (size_t i = 0; i < r.targets.size(); ++i) out += (i ? "," : "") + JsonString(r.targets[i]);
  out += "],\"devices\":[";
  for (size_t i = 0; i < r.devices.size(); ++i) {
    const DeviceReport& d = r.devices[i];
    if (i) out += ",";
    out += "{\"index\":" + std::to_string(d.index) + ",\"device\":" + JsonString(d.device_name) +
           ",\"stripe\":" + JsonString(d.stripe_file) + ",\"worker\":" + JsonString(d.worker) +
           ",\"raw_bytes\":" + std::to_string(d.raw_bytes) +
           ",\"compressed_bytes\":" + std::to_string(d.compressed_bytes);
    std::snprintf(num, sizeof(num), ",\"ratio\":%.4f,\"mb_per_s\":%.2f",
                  Ratio(d.raw_bytes, d.compressed_bytes), MbPerSec(d.raw_bytes, r.seconds));
    out += num;
    out += ",\"location\":" + JsonString(d.location) +
           ",\"stripe_dir\":" + JsonString(d.stripe_dir) +
           ",\"raw_xxh64\":" + JsonString(Hex(d.raw_digest)) +
           ",\"file_xxh64\":" + JsonString(Hex(d.file_digest)) + "}";
  }
  out += "]";
  if (!r.warnings.empty()) {
    out += ",\"warnings\":[";
    for (size_t i = 0; i < r.warnings.size(); ++i)
      out += (i ? "," : "") + JsonString(r.warnings[i]);
    out += "]";
  }
  return out + "}";
}

std::string FormatErrorJson(uint32_t code, const std::string& name, const std::string& message) {
  return "{\"status\":\"error\",\"code\":" + std::to_string(code) +
         ",\"error\":" + JsonString(name) + ",\"message\":" + JsonString(message) + "}";
}

}  // namespace vdibk::coordinator
