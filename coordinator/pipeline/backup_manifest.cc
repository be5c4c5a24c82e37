// BuildManifest: BackupReport + options -> proto::Manifest.
#include "coordinator/pipeline/backup_manifest.h"

namespace vdibk::coordinator {

proto::Manifest BuildManifest(const BackupSpec& options, const BackupReport& report,
                              const std::array<uint8_t, 16>& set_id) {
  proto::Manifest m;
  m.set_format_version(1);
  m.set_set_id(std::string(set_id.begin(), set_id.end()));
  m.set_database(options.database);
  m.set_backup_type(ManifestBackupType(options.type));
  m.set_copy_only(options.copy_only);
  m.set_started_unix_ms(report.started_unix_ms);
  m.set_finished_unix_ms(report.finished_unix_ms);
  m.set_server_name(options.server);
  m.set_device_count(static_cast<uint32_t>(report.devices.size()));
  proto::VdiConfig* vdi = m.mutable_vdi();
  vdi->set_block_size(options.block_size);
  vdi->set_max_transfer_size(options.max_transfer_size);
  vdi->set_buffer_count(options.buffer_count);
  vdi->set_features(report.vdi_features);
  m.set_compression(options.compression == CompressionKind::kNone ? proto::COMPRESSION_NONE
                                                                  : proto::COMPRESSION_LZ4);
  m.set_compression_level(options.lz4_level);
  for (const DeviceReport& d : report.devices) {
    proto::StripeEntry* s = m.add_stripes();
    s->set_index(d.index);
    s->set_file_name(d.stripe_file);
    s->set_raw_bytes(d.raw_bytes);
    s->set_compressed_bytes(d.compressed_bytes);
    s->set_raw_digest(d.raw_digest);
    s->set_file_digest(d.file_digest);
    s->set_device_name(d.device_name);
    s->set_location(d.location);  // "" = the set directory, else the --target root
  }
  m.set_history_name(BackupSetHistoryName(set_id));
  m.set_state(proto::MANIFEST_STATE_PENDING);
  m.set_tool_version("0.1.0");
  return m;
}

}  // namespace vdibk::coordinator
