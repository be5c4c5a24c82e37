// Target: default (unsupported) fan-out operations for targets that do not implement them.
#include "shared/stripe/target.h"

namespace vdibk::stripe {

Status WritableFile::AdoptWritten(uint64_t, const ByteSink&) {
  return Status::Configuration("file " + name() + " cannot take bytes written by another worker");
}

Result<std::unique_ptr<PlacementFile>> Target::OpenForPlacement(const std::string& name) {
  return Status::Configuration("target " + Describe() + " does not support fan-out (" + name + ")");
}

}  // namespace vdibk::stripe
