// A pipe-like VDI client written only against the documented API in vdi.h / vdierror.h, in the
// shape of Microsoft's Linux sample (one device, Create -> GetConfiguration -> OpenDevice ->
// GetCommand loop). Building it is the source-compatibility test; running it against the
// vdi_test_peer server is the behaviour test.  Usage: sample_pipe_client SETNAME OUTFILE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vdi.h"
#include "vdierror.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SETNAME OUTFILE\n", argv[0]);
    return 2;
  }
  umask(0);
  ClientVirtualDeviceSet* vds = new ClientVirtualDeviceSet();
  VDConfig config;
  memset(&config, 0, sizeof(config));
  config.deviceCount = 1;
  int hr = vds->Create(argv[1], &config);
  if (hr != 0) {
    printf("Create failed: x%X\n", hr);
    return 1;
  }
  printf("CREATED\n");
  fflush(stdout);
  hr = vds->GetConfiguration(10000, &config);
  if (hr != 0) {
    printf("GetConfiguration failed: x%X\n", hr);
    if (hr == VD_E_TIMEOUT) printf("Timeout: the T-SQL did not reach the server\n");
    return 1;
  }
  ClientVirtualDevice* vd = nullptr;
  hr = vds->OpenDevice(argv[1], &vd);
  if (hr != 0) {
    printf("OpenDevice failed: x%X\n", hr);
    return 1;
  }
  FILE* out = fopen(argv[2], "wb");
  if (!out) return 1;
  VDC_Command* cmd = nullptr;
  unsigned long total = 0;
  while ((hr = vd->GetCommand(90000, &cmd)) == NOERROR) {
    int completion = ERROR_SUCCESS;
    unsigned long bytes = 0;
    switch (cmd->commandCode) {
      case VDC_Write:
        bytes = fwrite(cmd->buffer, 1, static_cast<size_t>(cmd->size), out);
        if (bytes != static_cast<unsigned long>(cmd->size)) completion = ERROR_DISK_FULL;
        total += bytes;
        break;
      case VDC_Flush:
        fflush(out);
        break;
      case VDC_ClearError:
        break;
      default:
        completion = ERROR_NOT_SUPPORTED;
    }
    hr = vd->CompleteCommand(cmd, completion, bytes, 0);
    if (hr != NOERROR) break;
  }
  fclose(out);
  if (hr != VD_E_CLOSE) {
    printf("Unexpected termination: x%X\n", hr);
    vds->SignalAbort();
    vds->Close();
    return 1;
  }
  printf("BYTES %lu\n", total);
  vds->Close();
  delete vds;
  return 0;
}
