// Private ipc directory rules, endpoint length, Peer-Address parsing.
#include "shared/transport/ipc_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::transport {
namespace {

TEST(IpcDirTest, CreatesA0700DirectoryAndAcceptsItAgain) {
  vdibk::testing::TempDir tmp;
  std::string d = tmp.Join("ipc");
  ASSERT_OK(CreatePrivateDir(d));
  struct stat st;
  ASSERT_EQ(::stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_OK(CreatePrivateDir(d));
}

TEST(IpcDirTest, RejectsOpenDirectoriesSymlinksAndFiles) {
  vdibk::testing::TempDir tmp;
  std::string open_dir = tmp.Join("open");
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0755), 0);
  EXPECT_EQ(CreatePrivateDir(open_dir).code(), ErrorCode::kConfiguration);
  std::string link = tmp.Join("link");
  ASSERT_EQ(::symlink(open_dir.c_str(), link.c_str()), 0);
  EXPECT_EQ(CreatePrivateDir(link).code(), ErrorCode::kConfiguration);
  EXPECT_EQ(CreatePrivateDir(tmp.Join("no/parent")).code(), ErrorCode::kConfiguration);
}

TEST(IpcDirTest, EndpointLengthIsChecked) {
  auto ok = IpcEndpoint("/run/vdibk", "coord.sock");
  ASSERT_OK(ok);
  EXPECT_EQ(*ok, "ipc:///run/vdibk/coord.sock");
  EXPECT_EQ(IpcEndpoint("/" + std::string(120, 'd'), "s").status().code(),
            ErrorCode::kConfiguration);
  EXPECT_EQ(IpcEndpoint("/run", "a/b").status().code(), ErrorCode::kUsage);
}

TEST(IpcDirTest, ParsesPeerAddress) {
  auto c = ParsePeerAddress("localhost:1000:1001:4242");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->uid, 1000u);
  EXPECT_EQ(c->gid, 1001u);
  EXPECT_EQ(c->pid, 4242);
  EXPECT_TRUE(ParsePeerAddress(":0:0:1").has_value());
  EXPECT_FALSE(ParsePeerAddress("127.0.0.1").has_value());
  EXPECT_FALSE(ParsePeerAddress("h:1:2:x").has_value());
  EXPECT_FALSE(ParsePeerAddress("h:1::3").has_value());
  EXPECT_FALSE(ParsePeerAddress("").has_value());
}

}  // namespace
}  // namespace vdibk::transport
