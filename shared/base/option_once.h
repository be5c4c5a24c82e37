// OptionOnce: the rule every hand-written command-line parser of vdibackup follows: an option is
// given at most once, except the repeatable ones the parser names; a second one is a usage error
// naming it, never a silent "the last one wins".
#ifndef VDIBK_SHARED_BASE_OPTION_ONCE_H_
#define VDIBK_SHARED_BASE_OPTION_ONCE_H_

#include <initializer_list>
#include <set>
#include <string>

#include "shared/base/status.h"

namespace vdibk {

// Not thread-safe; one per parse.
class OptionOnce {
 public:
  // `repeatable`: the options that may be given several times (e.g. "--target").
  explicit OptionOnce(std::initializer_list<const char*> repeatable = {});
  // Call with every option (an argument starting with "--") before parsing it. kUsage
  // "<option> given twice" the second time a non-repeatable option is seen.
  Status See(const std::string& option);

 private:
  std::set<std::string> repeatable_;
  std::set<std::string> seen_;
};

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_OPTION_ONCE_H_
