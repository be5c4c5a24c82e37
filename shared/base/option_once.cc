// OptionOnce: a set of the options seen so far.
#include "shared/base/option_once.h"

namespace vdibk {

OptionOnce::OptionOnce(std::initializer_list<const char*> repeatable) {
  for (const char* r : repeatable) repeatable_.insert(r);
}

Status OptionOnce::See(const std::string& option) {
  if (option.rfind("--", 0) != 0 || repeatable_.count(option)) return Status::Ok();
  if (!seen_.insert(option).second) {
    return Status::Usage(option + " given twice (each option may be given once)");
  }
  return Status::Ok();
}

}  // namespace vdibk
