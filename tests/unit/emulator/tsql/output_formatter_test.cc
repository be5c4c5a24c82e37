// Golden-string tests of sqlcmd-style output: messages, errors and result sets.
#include "emulator/tsql/output_formatter.h"

#include <gtest/gtest.h>

#include "emulator/tsql/messages.h"

namespace vdibk::emulator::tsql {
namespace {

TEST(OutputFormatterTest, InformationalMessagesArePlainLines) {
  SqlcmdFormatter f;
  EXPECT_EQ(f.FormatMessage(msg::ProcessedPages(344, "db1", "db1"), "srv"),
            "Processed 344 pages for database 'db1', file 'db1' on file 1.\n");
  EXPECT_EQ(f.FormatMessage(msg::PercentProcessed(10), "srv"), "10 percent processed.\n");
}

TEST(OutputFormatterTest, ErrorsHaveTheMsgHeader) {
  SqlcmdFormatter f;
  SqlError e = msg::TerminatingAbnormally("BACKUP DATABASE");
  EXPECT_EQ(f.FormatMessage(e, "emuhost"),
            "Msg 3013, Level 16, State 1, Server emuhost, Line 1\n"
            "BACKUP DATABASE is terminating abnormally.\n");
  e.procedure = "sp_x";
  e.line = 7;
  EXPECT_EQ(f.FormatMessage(e, "h"),
            "Msg 3013, Level 16, State 1, Server h, Procedure sp_x, Line 7\n"
            "BACKUP DATABASE is terminating abnormally.\n");
}

TEST(OutputFormatterTest, HeaderLevelMinusOneShowsHeadersForInfo) {
  SqlcmdFormatter f(OutputOptions{.header_level = -1});
  EXPECT_EQ(f.FormatMessage(msg::BackupSetValid(1), "s"),
            "Msg 3262, Level 0, State 1, Server s, Line 1\nThe backup set on file 1 is valid.\n");
}

TEST(OutputFormatterTest, SelectOneGolden) {
  SqlcmdFormatter f;
  ResultSet r{{IntColumn("")}, {{"1"}}};
  EXPECT_EQ(f.FormatResultSet(r),
            "           \n"
            "-----------\n"
            "          1\n"
            "\n"
            "(1 rows affected)\n");
}

TEST(OutputFormatterTest, MixedColumnsPaddingAndNull) {
  SqlcmdFormatter f;
  ResultSet r{{NVarCharColumn("LogicalName", 12), TinyIntColumn("Type"), BigIntColumn("Size")},
              {{"db", "0", "8388608"}, {"db_log", std::nullopt, "1"}}};
  EXPECT_EQ(f.FormatResultSet(r),
            "LogicalName  Type Size                \n"
            "------------ ---- --------------------\n"
            "db              0              8388608\n"
            "db_log       NULL                    1\n"
            "\n"
            "(2 rows affected)\n");
}

TEST(OutputFormatterTest, NoHeadersTrimAndSeparator) {
  SqlcmdFormatter f(OutputOptions{.headers = false, .trim_spaces = true, .separator = ","});
  ResultSet r{{NVarCharColumn("a", 10), IntColumn("b")}, {{"x", "5"}}};
  EXPECT_EQ(f.FormatResultSet(r), "x,5\n\n(1 rows affected)\n");
  SqlcmdFormatter w(OutputOptions{.trim_spaces = true});
  EXPECT_EQ(w.FormatResultSet(r), "a b\n- -\nx 5\n\n(1 rows affected)\n");
  SqlcmdFormatter nocount;
  EXPECT_EQ(nocount.FormatResultSet(ResultSet{{BitColumn("ok")}, {{"1"}}}, /*nocount=*/true),
            "ok\n--\n 1\n");
}

TEST(OutputFormatterTest, EmptyResult) {
  SqlcmdFormatter f;
  EXPECT_EQ(f.FormatResultSet(ResultSet{{SmallIntColumn("Position")}, {}}),
            "Position\n--------\n\n(0 rows affected)\n");
}

}  // namespace
}  // namespace vdibk::emulator::tsql
