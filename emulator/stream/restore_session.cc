// RestoreSession implementation: per-device parsers, cross-device media-set checks, finish.
#include "emulator/stream/restore_session.h"

#include "emulator/base/sql_error.h"
#include "emulator/db/meta_lock.h"

namespace vdibk::emulator {

RestoreSession::RestoreSession(const Catalog& catalog, RestoreRequest options)
    : catalog_(catalog), options_(std::move(options)) {}

RestoreSession::~RestoreSession() = default;

Result<std::unique_ptr<RestoreSession>> RestoreSession::Begin(const Catalog& catalog,
                                                              RestoreRequest options) {
  if (options.device_count < 1 || options.device_count > 64) {
    return Status::Usage("restore device count must be 1..64");
  }
  while (options.device_names.size() < options.device_count) {
    options.device_names.push_back("device" + std::to_string(options.device_names.size()));
  }
  std::unique_ptr<RestoreSession> s(new RestoreSession(catalog, std::move(options)));
  for (uint32_t d = 0; d < s->options_.device_count; ++d) {
    s->parsers_.push_back(std::make_unique<DeviceParser>(d, s->options_.device_names[d],
                                                         static_cast<ParserSink*>(s.get())));
  }
  return s;
}

Status RestoreSession::Fail(Status s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.ok()) error_ = s;
  failed_ = true;
  return error_;
}

Status RestoreSession::Consume(uint32_t device, const uint8_t* data, size_t len) {
  if (device >= parsers_.size()) return Status::Usage("no such restore device");
  if (failed_) {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  if (header_mode() && have_info_) return Status::Ok();  // the rest is not needed
  Status s = parsers_[device]->Consume(data, len);
  if (!s.ok()) return Fail(s);
  return Status::Ok();
}

bool RestoreSession::WantsMore(uint32_t device) const {
  if (failed_ || device >= parsers_.size()) return false;
  if (header_mode()) return !have_info_;
  return !parsers_[device]->complete();
}

uint64_t RestoreSession::expected_bytes() const {
  if (!have_info_) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  return first_info_.backup_size;
}

Status RestoreSession::OnSetInfo(uint32_t device, const BackupSetInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& name = options_.device_names[device];
  if (!first_info_seen_) {
    if (!header_mode()) {
      if (info.family_count > options_.device_count) {
        return SqlErrorStatus(3132,
                              "The media set has " + std::to_string(info.family_count) +
                                  " media families but only " +
                                  std::to_string(options_.device_count) +
                                  " are provided. All members must be provided.",
                              ErrorCode::kMissing);
      }
      if (info.family_count < options_.device_count) {
        return SqlErrorStatus(3231,
                              "The media loaded on \"" + name + "\" is formatted to support " +
                                  std::to_string(info.family_count) + " media families, but " +
                                  std::to_string(options_.device_count) +
                                  " media families are expected according to the backup device "
                                  "specification.",
                              ErrorCode::kMissing);
      }
    }
    first_info_seen_ = true;
    first_info_ = info;
    family_seen_.assign(info.family_count, false);
    if (options_.mode == RestoreMode::kDatabase || options_.mode == RestoreMode::kLog) {
      VDIBK_ASSIGN_OR_RETURN(staging_, RestoreStaging::Prepare(catalog_, options_, info));
    }
  } else {
    // Same media set, same backup set, a family not seen yet.
    BackupSetInfo a = first_info_, b = info;
    a.family_index = b.family_index = 0;
    a.media_family_id = b.media_family_id = 0;
    if (!(a.set_guid == b.set_guid) || a.Serialize() != b.Serialize()) {
      return SqlErrorStatus(3241,
                            "The media family on device '" + name +
                                "' is incorrectly formed. SQL "
                                "Server cannot process this media family.",
                            ErrorCode::kIntegrity)
          .WithContext(name + ": belongs to a different backup set");
    }
  }
  if (info.family_index >= family_seen_.size() || family_seen_[info.family_index]) {
    return SqlErrorStatus(3241,
                          "The media family on device '" + name +
                              "' is incorrectly formed. SQL "
                              "Server cannot process this media family.",
                          ErrorCode::kIntegrity)
        .WithContext(name + ": media family " + std::to_string(info.family_index + 1) +
                     " given twice");
  }
  family_seen_[info.family_index] = true;
  have_info_ = true;
  return Status::Ok();
}

Status RestoreSession::OnRunData(uint32_t device, const RunHeader& run, bool log,
                                 uint64_t offset_in_run, const uint8_t* data, size_t len) {
  if (!staging_) return Status::Ok();  // VERIFYONLY (or header modes): verify, write nothing
  return staging_->WriteRun(device, run, log, offset_in_run, data, len);
}

Result<RestoreResult> RestoreSession::Finish() {
  auto fail = [&](Status s) -> Result<RestoreResult> {
    staging_.reset();  // removes the staged files
    return Fail(std::move(s));
  };
  if (failed_) {
    std::lock_guard<std::mutex> lock(mu_);
    staging_.reset();
    return error_;
  }
  RestoreResult r;
  for (const auto& p : parsers_) {
    r.pages += p->pages();
    r.bytes += p->position();
  }
  if (!have_info_) {
    for (const auto& p : parsers_) {
      if (!p->has_info()) return fail(p->CheckComplete());
    }
  }
  r.header = first_info_;
  r.file_list = first_info_.files;
  if (header_mode()) return r;
  for (const auto& p : parsers_) {
    Status s = p->CheckComplete();
    if (!s.ok()) return fail(s);
  }
  for (size_t i = 0; i < family_seen_.size(); ++i) {
    if (!family_seen_[i]) {
      return fail(SqlErrorStatus(3132,
                                 "The media set has " + std::to_string(family_seen_.size()) +
                                     " media families but only " +
                                     std::to_string(options_.device_count) +
                                     " are provided. All members must be provided.",
                                 ErrorCode::kMissing));
    }
  }
  if (options_.mode == RestoreMode::kVerifyOnly) return r;
  Status s = staging_->Commit(options_.recovery);
  if (!s.ok()) return fail(s);
  r.database = staging_->target();
  r.direct_bytes = staging_->direct_bytes();
  r.state = options_.recovery ? DbState::kOnline : DbState::kRestoring;
  staging_.reset();
  return r;
}

Status RecoverDatabase(const Catalog& catalog, const std::string& name) {
  VDIBK_ASSIGN_OR_RETURN(MetaLock lock, MetaLock::Acquire(catalog.MetaPath(name)));
  VDIBK_ASSIGN_OR_RETURN(Database db, catalog.Open(name));
  if (db.state() == DbState::kOnline) {
    return SqlErrorStatus(3153, "The database is already fully recovered.");
  }
  db.mutable_meta().state = DbState::kOnline;
  return db.SaveMeta();
}

}  // namespace vdibk::emulator
