// The vdi-emulator command line: serve, sql, create-database, workload, list.
#ifndef VDIBK_EMULATOR_ENGINE_EMULATOR_CLI_H_
#define VDIBK_EMULATOR_ENGINE_EMULATOR_CLI_H_

namespace vdibk::emulator {

// Runs one vdi-emulator subcommand; returns the process exit code (DESIGN.md §7 table).
int EmulatorMain(int argc, char** argv);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_EMULATOR_CLI_H_
