// Tests of sqlcmd command-line parsing.
#include "emulator/frontend/sqlcmd_options.h"

#include <gtest/gtest.h>

namespace vdibk::emulator::frontend {
namespace {

Result<SqlcmdOptions> P(std::vector<const char*> args) {
  args.insert(args.begin(), "sqlcmd");
  return ParseSqlcmdOptions(static_cast<int>(args.size()), args.data());
}

TEST(SqlcmdOptionsTest, SampleCommandLine) {
  auto o = P({"-U", "sa", "-P", "pw", "-S", ".", "-Q", "BACKUP DATABASE d TO VIRTUAL_DEVICE='x'"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->user, "sa");
  EXPECT_EQ(o->password, "pw");
  EXPECT_EQ(o->server, ".");
  EXPECT_EQ(o->query, "BACKUP DATABASE d TO VIRTUAL_DEVICE='x'");
  EXPECT_TRUE(o->exit_after_query);
}

TEST(SqlcmdOptionsTest, AttachedValuesAndFlags) {
  auto o = P({"-Slocalhost,1433",
              "-h",
              "-1",
              "-W",
              "-s,",
              "-b",
              "-V16",
              "-l",
              "3",
              "-t",
              "10",
              "-d",
              "db",
              "-i",
              "a.sql,b.sql",
              "-m-1",
              "-r1",
              "-C",
              "-N",
              "-e"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->server, "localhost,1433");
  EXPECT_EQ(o->header_rows, -1);
  EXPECT_TRUE(o->trim_spaces);
  EXPECT_EQ(o->separator, ",");
  EXPECT_TRUE(o->exit_on_error);
  EXPECT_EQ(o->error_severity, 16);
  EXPECT_EQ(o->login_timeout_s, 3);
  EXPECT_EQ(o->query_timeout_s, 10);
  EXPECT_EQ(o->input_files, (std::vector<std::string>{"a.sql", "b.sql"}));
  EXPECT_EQ(o->message_level, -1);
  EXPECT_EQ(o->redirect_errors, 1);
  EXPECT_TRUE(o->echo_input);
  EXPECT_FALSE(o->query.has_value());
}

TEST(SqlcmdOptionsTest, Errors) {
  auto u = P({"-n"});
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(u.status().message(), "Sqlcmd: '-n': Unknown Option. Enter '-?' for help.");
  EXPECT_EQ(P({"-S"}).status().message(), "Sqlcmd: '-S': Missing argument. Enter '-?' for help.");
  EXPECT_EQ(P({"-S", "-Q", "x"}).status().message(),
            "Sqlcmd: '-S': Missing argument. Enter '-?' for help.");
  EXPECT_FALSE(P({"-t", "abc"}).ok());
  EXPECT_EQ(P({"-t", "65535"}).status().message(),
            "Sqlcmd: '-t': value must be greater than or equal to 0 and less than or equal to "
            "65534.");
  EXPECT_EQ(P({"-l", "-1"}).status().message(),
            "Sqlcmd: '-l': value must be greater than or equal to 0 and less than or equal to "
            "65534.");
  EXPECT_EQ(P({"-l", "0"})->login_timeout_s, 0);  // no login limit, as sqlcmd
  EXPECT_EQ(P({"-t", "0"})->query_timeout_s, 0);  // no query limit, the default
  EXPECT_EQ(P({})->query_timeout_s, 0);
  EXPECT_FALSE(P({"-Q", "x", "-i", "f"}).ok());
  EXPECT_TRUE(P({"-?"})->help);
}

}  // namespace
}  // namespace vdibk::emulator::frontend
