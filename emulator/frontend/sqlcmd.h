// The sqlcmd-compatible client program as a library function, so the `sqlcmd` and
// `vdi-emulator sql` binaries are thin wrappers.
#ifndef VDIBK_EMULATOR_FRONTEND_SQLCMD_H_
#define VDIBK_EMULATOR_FRONTEND_SQLCMD_H_

namespace vdibk::emulator::frontend {

// Runs sqlcmd with argv (argv[0] is the program name) against the emulator's SqlListener.
// Output goes to stdout (or -o file); messages/errors to stdout unless -r. Exit codes as sqlcmd:
// 0 normally (even after SQL errors); 1 with -b when an error of level > 10 (and >= -V) occurred
// (processing stops at that batch); 1 for usage errors, unreachable server, login failure.
int SqlcmdMain(int argc, char** argv);

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_SQLCMD_H_
