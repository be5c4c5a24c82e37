// The vdi-emulator program (all logic in EmulatorMain).
#include "emulator/engine/emulator_cli.h"

int main(int argc, char** argv) { return vdibk::emulator::EmulatorMain(argc, argv); }
