// OpenRegularFile: a regular file opens (also created, also through a symlink unless refused);
// a FIFO, socket, device, directory or refused symlink is kMissing naming it, at once.
#include "shared/base/regular_file.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "tests/harness/fifo_guard.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk {
namespace {

using namespace std::chrono_literals;
using vdibk::testing::MakeFifo;
using vdibk::testing::ReturnsWithin;

class RegularFileTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Join(name); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(Path(name), std::ios::binary) << text;
  }
  // Opens `path` with `flags` on a thread: it must return within 5 s (a FIFO is released if not).
  Status OpenBounded(const std::string& path, int flags, const RegularFileOptions& o = {}) {
    Status st;
    const bool returned = ReturnsWithin(
        [&] {
          Result<UniqueFd> fd = OpenRegularFile(path, flags, 0600, o);
          st = fd.ok() ? Status::Ok() : fd.status();
        },
        5s, {path});
    EXPECT_TRUE(returned) << "open of " << path << " blocked";
    return st;
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(RegularFileTest, OpensARegularFileInBlockingMode) {
  Write("f", "hello");
  Result<UniqueFd> fd = OpenRegularFile(Path("f"), O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_EQ(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 0);
  char buf[8] = {};
  EXPECT_EQ(::read(fd->get(), buf, sizeof(buf)), 5);
  EXPECT_STREQ(buf, "hello");
}

TEST_F(RegularFileTest, CreatesAMissingFileWithOCreat) {
  Result<UniqueFd> fd = OpenRegularFile(Path("new"), O_RDWR | O_CREAT, 0600);
  ASSERT_OK(fd);
  struct stat st {};
  ASSERT_EQ(::stat(Path("new").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(RegularFileTest, MissingFileIsKMissing) {
  Result<UniqueFd> fd = OpenRegularFile(Path("nope"), O_RDONLY);
  EXPECT_EQ(fd.status().code(), ErrorCode::kMissing);
  EXPECT_NE(fd.status().message().find(Path("nope")), std::string::npos);
}

// Read-only, read-write and write-only opens of a FIFO would each block (or fail later); all
// are refused at once, naming the path and what it is.
TEST_F(RegularFileTest, FifoIsRefusedAtOnceForEveryAccessMode) {
  ASSERT_TRUE(MakeFifo(Path("fifo")));
  for (int flags : {O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_CREAT}) {
    Status st = OpenBounded(Path("fifo"), flags);
    EXPECT_EQ(st.code(), ErrorCode::kMissing) << flags << " " << st.ToString();
    EXPECT_NE(st.message().find(Path("fifo") + " is a FIFO, not a regular file"), std::string::npos)
        << st.ToString();
  }
}

TEST_F(RegularFileTest, SocketDeviceAndDirectoryAreRefused) {
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock = Path("sock");
  ASSERT_LT(sock.size(), sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  Status st = OpenBounded(sock, O_RDONLY);
  ::close(s);
  EXPECT_EQ(st.code(), ErrorCode::kMissing);
  EXPECT_NE(st.message().find("is a socket"), std::string::npos) << st.ToString();

  st = OpenBounded("/dev/null", O_RDONLY);
  EXPECT_EQ(st.code(), ErrorCode::kMissing);
  EXPECT_NE(st.message().find("/dev/null is a character device"), std::string::npos)
      << st.ToString();

  ASSERT_EQ(::mkdir(Path("d").c_str(), 0700), 0);
  st = OpenBounded(Path("d"), O_RDONLY);
  EXPECT_EQ(st.code(), ErrorCode::kMissing);
  EXPECT_NE(st.message().find("is a directory"), std::string::npos) << st.ToString();
}

TEST_F(RegularFileTest, SymlinksAreFollowedUnlessRefused) {
  Write("target", "x");
  ASSERT_EQ(::symlink(Path("target").c_str(), Path("link").c_str()), 0);
  EXPECT_OK(OpenRegularFile(Path("link"), O_RDONLY));
  RegularFileOptions nofollow;
  nofollow.follow_symlinks = false;
  for (int flags : {O_RDONLY, O_RDWR | O_CREAT}) {
    Result<UniqueFd> fd = OpenRegularFile(Path("link"), flags, 0600, nofollow);
    EXPECT_EQ(fd.status().code(), ErrorCode::kMissing);
    EXPECT_NE(fd.status().message().find(Path("link") + " is a symbolic link"), std::string::npos)
        << fd.status().ToString();
  }
  // A dangling symlink is never created through either.
  ASSERT_EQ(::symlink(Path("elsewhere").c_str(), Path("dangling").c_str()), 0);
  Result<UniqueFd> fd = OpenRegularFile(Path("dangling"), O_RDWR | O_CREAT, 0600, nofollow);
  EXPECT_EQ(fd.status().code(), ErrorCode::kMissing) << fd.status().ToString();
  EXPECT_NE(::access(Path("elsewhere").c_str(), F_OK), 0);
  // A symlink to a FIFO is a FIFO when followed.
  ASSERT_TRUE(MakeFifo(Path("fifo")));
  ASSERT_EQ(::symlink(Path("fifo").c_str(), Path("to-fifo").c_str()), 0);
  Status st = OpenBounded(Path("to-fifo"), O_RDONLY);
  EXPECT_NE(st.message().find("is a FIFO"), std::string::npos) << st.ToString();
}

TEST_F(RegularFileTest, UniqueFdClosesAndMoves) {
  Write("f", "x");
  int raw = -1;
  {
    Result<UniqueFd> fd = OpenRegularFile(Path("f"), O_RDONLY);
    ASSERT_OK(fd);
    UniqueFd moved = std::move(fd).value();
    raw = moved.get();
    EXPECT_GE(::fcntl(raw, F_GETFD), 0);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed with its owner
}

}  // namespace
}  // namespace vdibk
