// vdibackup libsqlvdi: the VDI client API (ClientVirtualDeviceSet / ClientVirtualDevice),
// structures, feature bits and command codes, source- and ABI-compatible with Microsoft's SQL
// Server on Linux VDI client SDK (same names, values, layouts and mangled member names). Written
// for vdibackup from the published facts (docs/vdi.md); contracts of every call are in docs/vdi.md.
#ifndef VDIBK_VDI_H_
#define VDIBK_VDI_H_

#include <stdint.h>
#include <time.h>

#if defined(__GNUC__)
#define VDIBK_SQLVDI_EXPORT __attribute__((visibility("default")))
#else
#define VDIBK_SQLVDI_EXPORT
#endif

#pragma pack(push, 8)

#ifdef __cplusplus
extern "C" {
#endif

// Win32 completion codes used with CompleteCommand (guarded: programs may define them too).
#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS 0
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE 6
#endif
#ifndef ERROR_ARENA_TRASHED
#define ERROR_ARENA_TRASHED 7
#endif
#ifndef ERROR_HANDLE_EOF
#define ERROR_HANDLE_EOF 38
#endif
#ifndef ERROR_HANDLE_DISK_FULL
#define ERROR_HANDLE_DISK_FULL 39
#endif
#ifndef ERROR_NOT_SUPPORTED
#define ERROR_NOT_SUPPORTED 50
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER 87
#endif
#ifndef ERROR_DISK_FULL
#define ERROR_DISK_FULL 112
#endif
#ifndef ERROR_OPERATION_ABORTED
#define ERROR_OPERATION_ABORTED 995
#endif
#ifndef ERROR_END_OF_MEDIA
#define ERROR_END_OF_MEDIA 1100
#endif
#ifndef ERROR_FILEMARK_DETECTED
#define ERROR_FILEMARK_DETECTED 1101
#endif
#ifndef ERROR_NO_DATA_DETECTED
#define ERROR_NO_DATA_DETECTED 1104
#endif
#ifndef ERROR_IO_DEVICE
#define ERROR_IO_DEVICE 1117
#endif
#ifndef ERROR_EOM_OVERFLOW
#define ERROR_EOM_OVERFLOW 1129
#endif
#ifndef ERROR_NO_SYSTEM_RESOURCES
#define ERROR_NO_SYSTEM_RESOURCES 1450
#endif

// Configuration of a virtual device set: 11 x uint32, 44 bytes.
struct VDConfig {
  uint32_t deviceCount;     // client: 1..64
  uint32_t features;        // client in; server adds VDF_WriteMedia/ReadMedia/CompleteEnabled
  uint32_t prefixZoneSize;  // client: bytes usable before each data buffer
  uint32_t alignment;       // client: minimum data alignment (power of 2, 0 = none)
  uint32_t softFileMarkBlockSize;  // client (with VDF_FileMarks)
  uint32_t EOMWarningSize;         // client
  uint32_t serverTimeOut;          // client: ms; 0 = no server watchdog
  uint32_t blockSize;              // server: every transfer is a multiple of it
  uint32_t maxIODepth;             // server: always 4
  uint32_t maxTransferSize;        // server: largest transfer
  uint32_t bufferAreaSize;         // server: maxTransferSize * 4 * deviceCount
};

enum VDFeatures {
  VDF_Removable = 0x1,
  VDF_Rewind = 0x02,
  VDF_Position = 0x10,
  VDF_SkipBlocks = 0x20,
  VDF_ReversePosition = 0x40,
  VDF_Discard = 0x80,
  VDF_FileMarks = 0x100,
  VDF_RandomAccess = 0x200,
  VDF_SnapshotPrepare = 0x400,
  VDF_EnumFrozenFiles = 0x800,
  VDF_VSSWriter = 0x1000,
  VDF_RequestComplete = 0x2000,
  VDF_WriteMedia = 0x10000,
  VDF_ReadMedia = 0x20000,
  VDF_CompleteEnabled = 0x40000,
  VDF_LatchStats = 0x80000000,
  VDF_LikePipe = 0,
  VDF_LikeTape = (VDF_FileMarks | VDF_Removable | VDF_Rewind | VDF_Position | VDF_SkipBlocks |
                  VDF_ReversePosition),
  VDF_LikeDisk = VDF_RandomAccess
};

enum VDCommands {
  VDC_Read = 1,
  VDC_Write = 2,
  VDC_ClearError = 3,
  VDC_Rewind = 4,
  VDC_WriteMark = 5,
  VDC_SkipMarks = 6,
  VDC_SkipBlocks = 7,
  VDC_Load = 8,
  VDC_GetPosition = 9,
  VDC_SetPosition = 10,
  VDC_Discard = 11,
  VDC_Flush = 12,
  VDC_Snapshot = 13,
  VDC_MountSnapshot = 14,
  VDC_PrepareToFreeze = 15,
  VDC_FileInfoBegin = 16,
  VDC_FileInfoEnd = 17,
  VDC_GetError = 18,
  VDC_Complete = 19
};

enum VDWhence { VDC_Beginning = 0, VDC_Current = 1, VDC_End = 2 };

// A command as the client sees it (24 bytes on LP64). Read-only for the client except *buffer.
struct VDC_Command {
  int32_t commandCode;
  int32_t size;
  int64_t position;
  uint8_t* buffer;
};

// A command as the server sends it (56 bytes on LP64).
struct VDS_Command {
  uint32_t commandCode;
  uint32_t size;
  uint64_t inPosition;
  uint64_t outPosition;
  uint8_t* buffer;
  void* completionRoutine;  // void (*)(VDS_Command*)
  void* completionContext;
  uint32_t completionCode;
  uint32_t bytesTransferred;
};

class CVD;
class CVDS;

// One device (stream) of a set, returned by ClientVirtualDeviceSet::OpenDevice and owned by the
// set. Drive each device from one thread. Timeouts are milliseconds; negative = infinite, 0 = poll.
class VDIBK_SQLVDI_EXPORT ClientVirtualDevice {
 public:
  ClientVirtualDevice();
  ~ClientVirtualDevice();
  // Next command of this device (FIFO). NOERROR, VD_E_CLOSE (normal end), VD_E_TIMEOUT, VD_E_ABORT.
  int GetCommand(time_t timeOut, VDC_Command** ppCmd);
  // Completes a command delivered by GetCommand, in any order. NOERROR, VD_E_INVALID, VD_E_ABORT.
  int CompleteCommand(VDC_Command* pCmd, int completionCode, unsigned long bytesTransferred,
                      int64_t position);

 private:
  CVD* cvd;
  friend class CVDS;
};

// A virtual device set. Primary: Create, GetConfiguration, OpenDevice, ..., Close.
// Secondary process: OpenInSecondary, GetConfiguration, OpenDevice / MapBufferHandle, ..., Close.
class VDIBK_SQLVDI_EXPORT ClientVirtualDeviceSet {
 public:
  ClientVirtualDeviceSet();
  ~ClientVirtualDeviceSet();
  int Create(char* name, VDConfig* cfg);
  int GetConfiguration(time_t timeout, VDConfig* cfg);
  int OpenDevice(char* name, ClientVirtualDevice** ppVirtualDevice);
  int Close();
  int SignalAbort();
  int OpenInSecondary(char* setName);
  int GetBufferHandle(uint8_t* pBuffer, unsigned int* pBufferHandle);
  int MapBufferHandle(int dwBuffer, uint8_t** ppBuffer);
  void RegisterDeviceClosed();

 private:
  CVDS* cvds;
};

#ifdef __cplusplus
}
#endif

#pragma pack(pop)

#endif  // VDIBK_VDI_H_
