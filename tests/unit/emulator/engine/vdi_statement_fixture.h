// A test fixture for the emulator as a VDI server driven by T-SQL: a catalog in a temp dir with a
// small database `sales`, an EmulatorExecutor, and RunWith() running one BACKUP/RESTORE statement
// against a MemoryVdiClient (the VIRTUAL_DEVICE clauses are the client's devices).
#ifndef VDIBK_TESTS_UNIT_EMULATOR_ENGINE_VDI_STATEMENT_FIXTURE_H_
#define VDIBK_TESTS_UNIT_EMULATOR_ENGINE_VDI_STATEMENT_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/engine/executor.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator::testing {

class VdiStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 3 << 20;
    o.ndf_files = 1;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
    ExecutorOptions eo;
    eo.data_dir = dir_.path();
    eo.freeze_wait_ms = 2000;
    executor_ = std::make_unique<EmulatorExecutor>(eo);
  }
  // Starts `client`, runs `head` + " VIRTUAL_DEVICE='d0', ... " + `tail`, waits for the client.
  void RunWith(MemoryVdiClient& client, const std::string& head, const std::string& tail,
               RecordingSink& sink) {
    ASSERT_EQ(client.Start(), NOERROR);
    std::string devices;
    for (const std::string& n : client.DeviceNames()) {
      devices += (devices.empty() ? "" : ", ") + std::string("VIRTUAL_DEVICE='") + n + "'";
    }
    testing::Run(*executor_, head + " " + devices + " " + tail, sink);
    client.Join();
  }
  // A fresh client named after `tag` with `options`.
  static std::unique_ptr<MemoryVdiClient> Client(const std::string& tag,
                                                 MemoryClientOptions options = {}) {
    return std::make_unique<MemoryVdiClient>(vdibk::testing::UniqueName(tag), options);
  }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<EmulatorExecutor> executor_;
};

}  // namespace vdibk::emulator::testing

#endif  // VDIBK_TESTS_UNIT_EMULATOR_ENGINE_VDI_STATEMENT_FIXTURE_H_
