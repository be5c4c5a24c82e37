// EmulatorFixture (see emulator_fixture.h).
#include "tests/harness/emulator_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>

namespace vdibk::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

EmulatorFixture::EmulatorFixture()
    : data_(dir_.Join("data")),
      repo_(dir_.Join("repo")),
      endpoint_("ipc://" + dir_.Join("sql.sock")) {
  fs::create_directories(repo_);
}

void EmulatorFixture::TearDown() {
  StopServer();
  // The tests check that nothing is left in /dev/shm; whatever a failed one left goes here.
  for (const std::string& name : set_names_) {
    std::istringstream left(ShmLeftovers(name));
    std::error_code ec;
    for (std::string file; left >> file;) fs::remove("/dev/shm/" + file, ec);
  }
}

void EmulatorFixture::CreateDatabase(const std::string& name, const std::string& size) {
  Outcome c = RunMerged(
      {Bin("vdi-emulator"), "create-database", name, "--data-dir", data_, "--size", size});
  ASSERT_EQ(c.exit_code, 0) << c.out;
}

void EmulatorFixture::StartServer(const std::vector<std::string>& extra) {
  server_ = ServeEmulator(data_, endpoint_, extra, &server_ready_line_);
  ASSERT_TRUE(server_) << "vdi-emulator serve did not get ready";
}

std::vector<std::string> EmulatorFixture::FaultArgs(const std::string& fault) {
  if (fault.empty()) return {};
  return {"--fault", fault};
}

void EmulatorFixture::StopServer() {
  if (!server_) return;
  server_->Kill(SIGTERM);
  EXPECT_TRUE(server_->Wait(20s)) << "vdi-emulator did not end on SIGTERM";
  server_.reset();
}

Outcome EmulatorFixture::Sql(const std::string& query) const {
  return RunProgram({Bin("sqlcmd"), "-S", endpoint_, "-b", "-Q", query});
}

std::string EmulatorFixture::HistoryPath() const { return data_ + "/.vdi-emulator/backupset"; }

int EmulatorFixture::HistoryEntries(const std::string& history, const std::string& database) {
  const std::string field = "\t" + database + "\t";
  std::istringstream in(history);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(field) != std::string::npos;
  return n;
}

std::vector<std::string> EmulatorFixture::Environment() const {
  return {"VDI_EMULATOR_ENDPOINT=" + endpoint_};
}

std::string EmulatorFixture::TestSetName(const std::string& prefix) {
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string name = prefix + std::to_string(getpid()) + "_" + std::to_string(now % 1000000007);
  set_names_.push_back(name);
  return name;
}

}  // namespace vdibk::testing
