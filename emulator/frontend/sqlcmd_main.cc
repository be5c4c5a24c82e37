// The `sqlcmd` program: the sqlcmd-compatible client of vdi-emulator (all logic in SqlcmdMain).
#include "emulator/frontend/sqlcmd.h"

int main(int argc, char** argv) { return vdibk::emulator::frontend::SqlcmdMain(argc, argv); }
