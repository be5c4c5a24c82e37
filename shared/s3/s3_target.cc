// S3Target: names to keys under the prefix, the create-time existence check, and the files.
#include "shared/s3/s3_target.h"

#include "shared/s3/s3_readable_file.h"
#include "shared/s3/s3_writable_file.h"

namespace vdibk::s3 {
namespace {

bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

S3ClientFactory CurlClientFactory(S3Config config) {
  return [config = std::move(config)]() { return S3Client::Create(config); };
}

S3Target::S3Target(S3Location location, S3ClientFactory clients, S3TargetOptions options)
    : location_(std::move(location)), clients_(std::move(clients)), options_(options) {}

std::string S3Target::Describe() const { return location_.ToString(); }

Result<std::unique_ptr<stripe::WritableFile>> S3Target::Create(
    const std::string& name, const stripe::CreateOptions& options) {
  if (!ValidName(name)) return Status::Usage("invalid file name '" + name + "'");
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> control, clients_());
  const std::string key = location_.Key(name);
  if (!options.replace) {
    Result<ObjectInfo> head = control->HeadObject(location_.bucket, key);
    if (head.ok())
      return Status::TargetIo("s3://" + location_.bucket + "/" + key + " already exists");
    if (head.status().code() != ErrorCode::kMissing) return head.status();
  }
  return std::unique_ptr<stripe::WritableFile>(std::make_unique<S3WritableFile>(
      location_.bucket, key, name, std::move(control), clients_, options_, options.replace));
}

Result<std::unique_ptr<stripe::ReadableFile>> S3Target::Open(const std::string& name) {
  if (!ValidName(name)) return Status::Usage("invalid file name '" + name + "'");
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> control, clients_());
  const std::string key = location_.Key(name);
  VDIBK_ASSIGN_OR_RETURN(ObjectInfo head, control->HeadObject(location_.bucket, key));
  return std::unique_ptr<stripe::ReadableFile>(std::make_unique<S3ReadableFile>(
      location_.bucket, key, name, head.size, std::move(control), clients_, options_));
}

Result<std::unique_ptr<stripe::PlacementFile>> S3Target::OpenForPlacement(const std::string&) {
  return Status::Configuration(
      "fan-out (--workers > --devices) is not supported on S3 repositories yet (" + Describe() +
      ")");
}

}  // namespace vdibk::s3
