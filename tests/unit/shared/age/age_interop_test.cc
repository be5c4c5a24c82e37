// Interop with the `age` CLI (Debian's age 1.1.x): our files decrypt with `age -d`, its files
// decrypt with us, `age-keygen` identity files parse. Passphrase prompts read /dev/tty, so the
// scrypt cases run age under `script` (a real pseudo-terminal that types the passphrase).
// Every test skips, saying why, when `age` (or `script`) is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "shared/age/age_keys.h"
#include "shared/age/age_scrypt.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/shared/age/age_test_util.h"

namespace vdibk::age {
namespace {

using testing::Decrypt;
using testing::Encrypt;
using testing::Pattern;

bool HaveCommand(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs `cmd` with /bin/sh; returns its exit code (-1 if it did not exit normally).
int Shell(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

class AgeInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveCommand("age") || !HaveCommand("age-keygen"))
      GTEST_SKIP() << "the age CLI is not installed (apt-get install age)";
  }
  ::vdibk::testing::TempDir dir_;
};

TEST_F(AgeInteropTest, OurFileDecryptsWithAge) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  WriteFile(dir_.Join("key.txt"), "# ours\n" + id->String() + "\n");
  for (size_t size : {size_t{0}, size_t{1}, size_t{65536}, size_t{3 * 65536 + 7}}) {
    const std::string plain = Pattern(size, 31);
    auto file = Encrypt({&id->recipient()}, plain);
    ASSERT_OK(file);
    WriteFile(dir_.Join("ours.age"), *file);
    ASSERT_EQ(Shell("age -d -i " + dir_.Join("key.txt") + " -o " + dir_.Join("out") + " " +
                    dir_.Join("ours.age") + " 2>" + dir_.Join("err")),
              0)
        << ReadFile(dir_.Join("err"));
    EXPECT_EQ(ReadFile(dir_.Join("out")), plain) << size;
  }
}

TEST_F(AgeInteropTest, AgeFileToOurRecipientDecryptsWithUs) {
  std::vector<X25519Identity> ids;
  for (int i = 0; i < 2; ++i) ids.push_back(X25519Identity::Generate().value());
  WriteFile(dir_.Join("recipients.txt"),
            "# two\n" + ids[0].recipient().String() + "\n\n" + ids[1].recipient().String() + "\n");
  for (size_t size : {size_t{0}, size_t{65535}, size_t{65537}, size_t{3 * 65536}}) {
    const std::string plain = Pattern(size, 41);
    WriteFile(dir_.Join("plain"), plain);
    ASSERT_EQ(Shell("age -e -r " + ids[0].recipient().String() + " -o " + dir_.Join("a.age") + " " +
                    dir_.Join("plain")),
              0);
    auto back = Decrypt(ReadFile(dir_.Join("a.age")), {&ids[0]});
    ASSERT_OK(back);
    EXPECT_EQ(*back, plain) << size;
    ASSERT_EQ(Shell("age -e -R " + dir_.Join("recipients.txt") + " -o " + dir_.Join("b.age") + " " +
                    dir_.Join("plain")),
              0);
    auto second = Decrypt(ReadFile(dir_.Join("b.age")), {&ids[1]});
    ASSERT_OK(second);
    EXPECT_EQ(*second, plain);
  }
}

TEST_F(AgeInteropTest, AgeKeygenIdentityFileReadsAndMatches) {
  const std::string key = dir_.Join("keygen.txt");
  ASSERT_EQ(Shell("age-keygen -o " + key + " 2>/dev/null"), 0);
  const std::string text = ReadFile(key);
  auto ids = ParseIdentityFile(text);
  ASSERT_OK(ids);
  ASSERT_EQ(ids->size(), 1u);
  ASSERT_EQ(Shell("age-keygen -y -o " + dir_.Join("pub") + " " + key), 0);
  std::string pub = ReadFile(dir_.Join("pub"));
  while (!pub.empty() && pub.back() == '\n') pub.pop_back();
  EXPECT_EQ((*ids)[0].recipient().String(), pub);  // our X25519 public key = age-keygen's
  EXPECT_NE(text.find("# public key: " + pub), std::string::npos);
  WriteFile(dir_.Join("plain"), "from age");
  ASSERT_EQ(Shell("age -e -i " + key + " -o " + dir_.Join("k.age") + " " + dir_.Join("plain")), 0);
  auto back = Decrypt(ReadFile(dir_.Join("k.age")), {&(*ids)[0]});
  ASSERT_OK(back);
  EXPECT_EQ(*back, "from age");
  // Our recipients file is read by `age -R`, our String() by `age -r`: covered above.
}

// age prompts for passphrases on /dev/tty; `script` gives it a pseudo-terminal and types them.
class AgeScryptInteropTest : public AgeInteropTest {
 protected:
  void SetUp() override {
    AgeInteropTest::SetUp();
    if (IsSkipped()) return;
    if (!HaveCommand("script"))
      GTEST_SKIP() << "`script` (util-linux) is not installed: age reads passphrases from a TTY";
  }
  int RunOnTty(const std::string& typed, const std::string& cmd) {
    WriteFile(dir_.Join("typed"), typed);
    return Shell("script -qec '" + cmd + "' /dev/null <" + dir_.Join("typed") + " >" +
                 dir_.Join("tty.log") + " 2>&1");
  }
};

TEST_F(AgeScryptInteropTest, OurScryptFileDecryptsWithAge) {
  const std::string plain = Pattern(70000, 51);
  ScryptRecipient r("interop passphrase", 12);
  auto file = Encrypt({&r}, plain);
  ASSERT_OK(file);
  WriteFile(dir_.Join("s.age"), *file);
  ASSERT_EQ(
      RunOnTty("interop passphrase\n", "age -d -o " + dir_.Join("out") + " " + dir_.Join("s.age")),
      0)
      << ReadFile(dir_.Join("tty.log"));
  EXPECT_EQ(ReadFile(dir_.Join("out")), plain);
}

TEST_F(AgeScryptInteropTest, AgePassphraseFileDecryptsWithUs) {
  const std::string plain = Pattern(65536, 61);
  WriteFile(dir_.Join("plain"), plain);
  ASSERT_EQ(RunOnTty("interop passphrase\ninterop passphrase\n",
                     "age -p -o " + dir_.Join("p.age") + " " + dir_.Join("plain")),
            0)
      << ReadFile(dir_.Join("tty.log"));
  ScryptIdentity id("interop passphrase");
  auto back = Decrypt(ReadFile(dir_.Join("p.age")), {&id});
  ASSERT_OK(back);
  EXPECT_EQ(*back, plain);
}

}  // namespace
}  // namespace vdibk::age
