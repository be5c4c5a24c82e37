// Test helper of the parser tests: the first error of a batch that must not parse.
#ifndef VDIBK_TESTS_UNIT_EMULATOR_TSQL_PARSE_ERROR_H_
#define VDIBK_TESTS_UNIT_EMULATOR_TSQL_PARSE_ERROR_H_

#include <gtest/gtest.h>

#include <string_view>

#include "emulator/tsql/parser.h"

namespace vdibk::emulator::tsql {

// The first error Parse(sql) reports; a test failure naming `sql` (and an empty error) if it
// parses.
inline SqlError FirstError(std::string_view sql) {
  ParseOutput out = Parse(sql);
  EXPECT_FALSE(out.ok()) << sql;
  return out.ok() ? SqlError{} : out.errors.items()[0];
}

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_TESTS_UNIT_EMULATOR_TSQL_PARSE_ERROR_H_
