// vdibackup libsqlvdi: VDI error codes (VD_E_*), source-compatible with the names and values of
// Microsoft's SQL Server on Linux VDI client SDK. Written for vdibackup from the published facts.
#ifndef VDIBK_VDIERROR_H_
#define VDIBK_VDIERROR_H_

// HRESULT-style composition returning int: severity bit 31, facility in bits 16..26, code below.
#ifndef MAKE_HRESULT
#define MAKE_HRESULT(sev, fac, code) \
  ((int)(((unsigned int)(sev) << 31) | ((unsigned int)(fac) << 16) | ((unsigned int)(code))))
#endif

#ifndef NOERROR
#define NOERROR 0
#endif

// Facility of all VDI errors.
#define VD_FACILITY 0x77

#define VD_E_NOTOPEN MAKE_HRESULT(1, VD_FACILITY, 2)       /* 0x80770002 object not open */
#define VD_E_TIMEOUT MAKE_HRESULT(1, VD_FACILITY, 3)       /* 0x80770003 wait timed out */
#define VD_E_ABORT MAKE_HRESULT(1, VD_FACILITY, 4)         /* 0x80770004 abnormal termination */
#define VD_E_SECURITY MAKE_HRESULT(1, VD_FACILITY, 5)      /* 0x80770005 security setup failed */
#define VD_E_INVALID MAKE_HRESULT(1, VD_FACILITY, 6)       /* 0x80770006 invalid parameter */
#define VD_E_INSTANCE_NAME MAKE_HRESULT(1, VD_FACILITY, 7) /* 0x80770007 bad instance name */
#define VD_E_NOTSUPPORTED MAKE_HRESULT(1, VD_FACILITY, 9)  /* 0x80770009 config not supported */
#define VD_E_MEMORY MAKE_HRESULT(1, VD_FACILITY, 10)       /* 0x8077000A out of memory */
#define VD_E_UNEXPECTED MAKE_HRESULT(1, VD_FACILITY, 11)   /* 0x8077000B internal error */
#define VD_E_PROTOCOL MAKE_HRESULT(1, VD_FACILITY, 12) /* 0x8077000C call invalid in this state */
#define VD_E_OPEN MAKE_HRESULT(1, VD_FACILITY, 13)     /* 0x8077000D all devices open */
#define VD_E_CLOSE MAKE_HRESULT(1, VD_FACILITY, 14)    /* 0x8077000E device closed by server */
#define VD_E_BUSY MAKE_HRESULT(1, VD_FACILITY, 15)     /* 0x8077000F resource busy / queue full */

#endif  // VDIBK_VDIERROR_H_
