// Splits a sqlcmd script into batches at "GO [count]" lines, as sqlcmd does before sending text.
#ifndef VDIBK_EMULATOR_TSQL_BATCH_SPLITTER_H_
#define VDIBK_EMULATOR_TSQL_BATCH_SPLITTER_H_

#include <string>
#include <string_view>
#include <vector>

namespace vdibk::emulator::tsql {

struct BatchText {
  std::string text;    // the batch without its GO line
  int first_line = 1;  // line of the batch's first line in the script
  int repeat = 1;      // GO n runs the batch n times
};

// True when `line` is a batch separator: optional blanks, GO (any case), an optional positive
// count, optional blanks and an optional "--" comment. Sets *count (1 without a number).
bool IsGoLine(std::string_view line, int* count);

// Line-based split (GO inside a string or /* */ comment still separates, as in sqlcmd). Batches
// with nothing but blanks are dropped. The text after the last GO is the final batch.
std::vector<BatchText> SplitBatches(std::string_view script);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_BATCH_SPLITTER_H_
