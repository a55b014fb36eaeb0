//! Stand-in for the subset of `wdk-sys` 0.5.2 this driver uses (non-Windows builds only).
//!
//! ```text
//!   driver roles ──► sys (facade) ──► wdk_sys            (Windows)
//!                                └──► standin (this) ──► sim   (elsewhere: the simulated WDF)
//! ```
//!
//! Every item has the name, integer widths, `repr`, derives and module path that bindgen gives
//! it in `wdk-sys` (see `shared/reference/wdf-standin.md` §1): integer typedefs use the widths
//! they have on Windows (`ULONG` is `u32` here, never `c_ulong`), handles are distinct pointer
//! types, enums are `c_int` constant modules, callbacks are `Option<unsafe extern "C" fn>`,
//! and `default()` is all-zero. Each item names the header and lines it was transcribed from:
//! WDF = microsoft/Windows-Driver-Frameworks @b6191d9 `src/publicinc/wdf/kmdf/1.33/`,
//! WDK19 = the RS5-era WDK `km/` headers (MuAlphaOmegaEpsilon/wdk-10 @951d29a; line numbers of
//! current WDKs differ), SDK = Windows SDK 10.0.22000 `shared/` (marlersoft/
//! microsoft_windows_sdk_cpp @16b5359), SYS = wdk-sys 0.5.2 `src/constants.rs` (hand-written
//! constants). Only what the driver uses is declared; `driver/kmdf/REVIEW.md` lists them all.

#![expect(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    clippy::upper_case_acronyms,
    reason = "the names are the C names, as bindgen keeps them"
)]

pub mod ntddk;
mod wdf;

pub use wdf::*;

use core::ffi::{c_int, c_void};

// ---------------------------------------------------------------------------------------------
// Base types (SDK ntdef.h, basetsd.h; widths as on Windows x64, wdf-standin.md §1.3)
// ---------------------------------------------------------------------------------------------

/// SDK ntdef.h:723 (`unsigned long`, 32 bits on Windows).
pub type ULONG = u32;
/// SDK ntdef.h:724.
pub type PULONG = *mut ULONG;
/// SDK ntdef.h (`long`, 32 bits on Windows).
pub type LONG = i32;
/// SDK ntdef.h:1013.
pub type NTSTATUS = LONG;
/// SDK ntdef.h.
pub type USHORT = u16;
/// SDK ntdef.h.
pub type UCHAR = u8;
/// SDK ntdef.h.
pub type PUCHAR = *mut UCHAR;
/// SDK ntdef.h.
pub type CHAR = i8;
/// SDK ntdef.h:1639.
pub type BOOLEAN = UCHAR;
/// WDK19 wdm.h (`typedef UCHAR KIRQL`).
pub type KIRQL = UCHAR;
/// SDK ntdef.h.
pub type LONGLONG = i64;
/// SDK ntdef.h.
pub type PLONGLONG = *mut LONGLONG;
/// SDK ntdef.h:546 (`wchar_t`, 16 bits on Windows).
pub type WCHAR = u16;
/// SDK ntdef.h.
pub type PWCH = *mut WCHAR;
/// SDK ntdef.h.
pub type LPCSTR = *const CHAR;
/// SDK ntdef.h.
pub type PVOID = *mut c_void;
/// SDK ntdef.h:814 (`typedef void *HANDLE` under STRICT).
pub type HANDLE = *mut c_void;
/// SDK basetsd.h:129 (`unsigned __int64` on Win64).
pub type ULONG_PTR = u64;
/// WDK19 wdm.h (`typedef ULONG_PTR KAFFINITY`).
pub type KAFFINITY = ULONG_PTR;
/// WDK19 wdm.h (`typedef ULONG ACCESS_MASK`).
pub type ACCESS_MASK = ULONG;
/// WDK19 wdm.h (`typedef ULONG SECURITY_INFORMATION`).
pub type SECURITY_INFORMATION = ULONG;
/// WDK19 wdm.h (`typedef PVOID PSID`).
pub type PSID = PVOID;
/// WDK19 wdm.h (`typedef PVOID PSECURITY_DESCRIPTOR`).
pub type PSECURITY_DESCRIPTOR = PVOID;
/// WDK19 wdm.h (`typedef USHORT SECURITY_DESCRIPTOR_CONTROL`).
pub type SECURITY_DESCRIPTOR_CONTROL = USHORT;

/// SDK guiddef.h:22-27.
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _GUID {
    pub Data1: ULONG,
    pub Data2: USHORT,
    pub Data3: USHORT,
    pub Data4: [UCHAR; 8],
}
pub type GUID = _GUID;
pub type LPGUID = *mut GUID;

/// SDK ntdef.h:1586-1596.
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _UNICODE_STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: PWCH,
}
impl Default for _UNICODE_STRING {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type UNICODE_STRING = _UNICODE_STRING;
pub type PCUNICODE_STRING = *const _UNICODE_STRING;

/// SDK ntdef.h:778-782.
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _PROCESSOR_NUMBER {
    pub Group: USHORT,
    pub Number: UCHAR,
    pub Reserved: UCHAR,
}
pub type PROCESSOR_NUMBER = _PROCESSOR_NUMBER;
pub type PPROCESSOR_NUMBER = *mut _PROCESSOR_NUMBER;

/// WDK19 wdm.h:28731 `_DRIVER_OBJECT` (336 bytes on x64). The driver only passes the pointer
/// through to `WdfDriverCreate`, so the stand-in keeps the size and alignment, not the fields.
#[repr(C, align(8))]
#[derive(Debug, Copy, Clone)]
pub struct _DRIVER_OBJECT {
    pub _opaque: [u8; 336],
}
impl Default for _DRIVER_OBJECT {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type PDRIVER_OBJECT = *mut _DRIVER_OBJECT;

// ---------------------------------------------------------------------------------------------
// Constants (bindgen types `#define` integers by value: non-negative -> u32)
// ---------------------------------------------------------------------------------------------

/// SDK ntdef.h:1893.
pub const TRUE: u32 = 1;
/// SDK ntdef.h:1892.
pub const FALSE: u32 = 0;
/// WDK19 wdm.h:194 (AMD64).
pub const PASSIVE_LEVEL: u32 = 0;
/// WDK19 wdm.h:196 (AMD64).
pub const APC_LEVEL: u32 = 1;
/// WDK19 wdm.h:197 (AMD64).
pub const DISPATCH_LEVEL: u32 = 2;
/// WDK19 wdm.h:205 (AMD64).
pub const HIGH_LEVEL: u32 = 15;
/// SDK ntdef.h:771.
pub const ALL_PROCESSOR_GROUPS: u32 = 0xffff;
/// WDK19 wdm.h:5198.
pub const WRITE_DAC: u32 = 0x0004_0000;
/// WDK19 wdm.h:7198.
pub const KEY_QUERY_VALUE: u32 = 0x0001;
/// WDK19 wdm.h:7208-7214 (STANDARD_RIGHTS_READ | QUERY_VALUE | ENUMERATE_SUB_KEYS | NOTIFY).
pub const KEY_READ: u32 = 0x0002_0019;
/// WDK19 wdm.h:7216-7220 (STANDARD_RIGHTS_WRITE | SET_VALUE | CREATE_SUB_KEY).
pub const KEY_WRITE: u32 = 0x0002_0006;
/// WDK19 wdm.h:7226-7234.
pub const KEY_ALL_ACCESS: u32 = 0x000F_003F;
/// WDK19 wdm.h:7244.
pub const REG_OPTION_NON_VOLATILE: u32 = 0;
/// WDK19 wdm.h:7283.
pub const REG_CREATED_NEW_KEY: u32 = 1;
/// WDK19 wdm.h:7284.
pub const REG_OPENED_EXISTING_KEY: u32 = 2;
/// WDK19 wdm.h:9950.
pub const REG_BINARY: u32 = 3;
/// WDK19 wdm.h:34332.
pub const PLUGPLAY_REGKEY_DEVICE: u32 = 1;
/// WDK19 wdm.h:5296.
pub const SECURITY_DESCRIPTOR_REVISION: u32 = 1;
/// WDK19 wdm.h:5270.
pub const ACL_REVISION: u32 = 2;
/// WDK19 wdm.h:5439.
pub const DACL_SECURITY_INFORMATION: u32 = 0x0000_0004;
/// WDK19 wdm.h:5448.
pub const PROTECTED_DACL_SECURITY_INFORMATION: u32 = 0x8000_0000;

/// SYS constants.rs:2134.
pub const STATUS_SUCCESS: NTSTATUS = 0_i32;
/// SYS constants.rs:234 (0x80000005).
pub const STATUS_BUFFER_OVERFLOW: NTSTATUS = -2_147_483_643_i32;
/// SYS constants.rs:235 (0xC0000023).
pub const STATUS_BUFFER_TOO_SMALL: NTSTATUS = -1_073_741_789_i32;
/// SYS constants.rs:1688 (0x8000001A).
pub const STATUS_NO_MORE_ENTRIES: NTSTATUS = -2_147_483_622_i32;
/// SYS constants.rs:1731 (0xC0000034).
pub const STATUS_OBJECT_NAME_NOT_FOUND: NTSTATUS = -1_073_741_772_i32;
/// SYS constants.rs:1312 (0xC000000D).
pub const STATUS_INVALID_PARAMETER: NTSTATUS = -1_073_741_811_i32;
/// SYS constants.rs:1267 (0xC0000010).
pub const STATUS_INVALID_DEVICE_REQUEST: NTSTATUS = -1_073_741_808_i32;
/// SYS constants.rs:1268 (0xC0000184).
pub const STATUS_INVALID_DEVICE_STATE: NTSTATUS = -1_073_741_436_i32;
/// SYS constants.rs:1239 (0xC000009A).
pub const STATUS_INSUFFICIENT_RESOURCES: NTSTATUS = -1_073_741_670_i32;
/// SYS constants.rs:2495 (0xC0000001).
pub const STATUS_UNSUCCESSFUL: NTSTATUS = -1_073_741_823_i32;
/// SYS constants.rs:1632 (0xC0000225).
pub const STATUS_NOT_FOUND: NTSTATUS = -1_073_741_275_i32;
/// SYS constants.rs:500 (0xC00000A3).
pub const STATUS_DEVICE_NOT_READY: NTSTATUS = -1_073_741_661_i32;
/// SYS constants.rs:668 (0xC0000102).
pub const STATUS_FILE_CORRUPT_ERROR: NTSTATUS = -1_073_741_566_i32;

// ---------------------------------------------------------------------------------------------
// Registry, security and DPC structures (WDK19)
// ---------------------------------------------------------------------------------------------

/// WDK19 wdm.h:7465-7473.
pub mod _KEY_VALUE_INFORMATION_CLASS {
    pub type Type = ::core::ffi::c_int;
    pub const KeyValueBasicInformation: Type = 0;
    pub const KeyValueFullInformation: Type = 1;
}
pub use self::_KEY_VALUE_INFORMATION_CLASS::Type as KEY_VALUE_INFORMATION_CLASS;

/// WDK19 wdm.h:7423-7428 (16 bytes; `Name` at 12).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _KEY_VALUE_BASIC_INFORMATION {
    pub TitleIndex: ULONG,
    pub Type: ULONG,
    pub NameLength: ULONG,
    pub Name: [WCHAR; 1],
}
pub type KEY_VALUE_BASIC_INFORMATION = _KEY_VALUE_BASIC_INFORMATION;

/// WDK19 wdm.h:7430-7438 (24 bytes; `Name` at 20, data at `DataOffset`).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _KEY_VALUE_FULL_INFORMATION {
    pub TitleIndex: ULONG,
    pub Type: ULONG,
    pub DataOffset: ULONG,
    pub DataLength: ULONG,
    pub NameLength: ULONG,
    pub Name: [WCHAR; 1],
}
pub type KEY_VALUE_FULL_INFORMATION = _KEY_VALUE_FULL_INFORMATION;

/// WDK19 ntifs.h:975-984 (absolute form, 40 bytes on x64).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _SECURITY_DESCRIPTOR {
    pub Revision: UCHAR,
    pub Sbz1: UCHAR,
    pub Control: SECURITY_DESCRIPTOR_CONTROL,
    pub Owner: PSID,
    pub Group: PSID,
    pub Sacl: PACL,
    pub Dacl: PACL,
}
impl Default for _SECURITY_DESCRIPTOR {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type SECURITY_DESCRIPTOR = _SECURITY_DESCRIPTOR;

/// WDK19 wdm.h:5283-5290 (8 bytes; the ACEs follow in the same buffer).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _ACL {
    pub AclRevision: UCHAR,
    pub Sbz1: UCHAR,
    pub AclSize: USHORT,
    pub AceCount: USHORT,
    pub Sbz2: USHORT,
}
pub type ACL = _ACL;
pub type PACL = *mut _ACL;

/// WDK19 wdm.h:16312-16326 (`KDEFERRED_ROUTINE`).
pub type PKDEFERRED_ROUTINE = ::core::option::Option<
    unsafe extern "C" fn(
        Dpc: *mut _KDPC,
        DeferredContext: PVOID,
        SystemArgument1: PVOID,
        SystemArgument2: PVOID,
    ),
>;

/// WDK19 wdm.h (`SINGLE_LIST_ENTRY`).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _SINGLE_LIST_ENTRY {
    pub Next: *mut _SINGLE_LIST_ENTRY,
}
impl Default for _SINGLE_LIST_ENTRY {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type SINGLE_LIST_ENTRY = _SINGLE_LIST_ENTRY;

/// WDK19 wdm.h:16401-16408, the anonymous union at the start of `KDPC`.
#[repr(C)]
#[derive(Copy, Clone)]
pub union _KDPC__bindgen_ty_1 {
    pub TargetInfoAsUlong: ULONG,
    pub __bindgen_anon_1: _KDPC__bindgen_ty_1__bindgen_ty_1,
}
/// WDK19 wdm.h:16403-16407.
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _KDPC__bindgen_ty_1__bindgen_ty_1 {
    pub Type: UCHAR,
    pub Importance: UCHAR,
    pub Number: USHORT,
}

/// WDK19 wdm.h:16400-16417 (64 bytes on x64). The driver never reads a field; the kernel
/// initialises it in `KeInitializeDpc`.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct _KDPC {
    pub __bindgen_anon_1: _KDPC__bindgen_ty_1,
    pub DpcListEntry: SINGLE_LIST_ENTRY,
    pub ProcessorHistory: KAFFINITY,
    pub DeferredRoutine: PKDEFERRED_ROUTINE,
    pub DeferredContext: PVOID,
    pub SystemArgument1: PVOID,
    pub SystemArgument2: PVOID,
    pub DpcData: PVOID,
}
impl Default for _KDPC {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type KDPC = _KDPC;
pub type PKDPC = *mut _KDPC;
pub type PRKDPC = *mut _KDPC;

/// WDK19 wdm.h:7103 (`PINTERFACE_REFERENCE`), and `PINTERFACE_DEREFERENCE` beside it.
pub type PINTERFACE_REFERENCE = ::core::option::Option<unsafe extern "C" fn(Context: PVOID)>;
pub type PINTERFACE_DEREFERENCE = ::core::option::Option<unsafe extern "C" fn(Context: PVOID)>;

/// WDK19 wdm.h:29427-29434 (32 bytes; a driver's interface begins with it).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _INTERFACE {
    pub Size: USHORT,
    pub Version: USHORT,
    pub Context: PVOID,
    pub InterfaceReference: PINTERFACE_REFERENCE,
    pub InterfaceDereference: PINTERFACE_DEREFERENCE,
}
impl Default for _INTERFACE {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type INTERFACE = _INTERFACE;
pub type PINTERFACE = *mut _INTERFACE;

/// bindgen's `impl Default` for structs with raw-pointer fields: all bytes zero.
fn zeroed_default<T>() -> T {
    let s = ::core::mem::MaybeUninit::<T>::zeroed();
    // SAFETY: every type this is used for is a `repr(C)` struct of integers, raw pointers and
    // `Option<fn>`s, for which all-zero bytes are a valid value (what bindgen's generated
    // `Default` relies on too).
    unsafe { s.assume_init() }
}

// The stand-in must not drift from the Windows widths (wdf-standin.md §7 risk 1).
const _: () = assert!(size_of::<ULONG>() == 4 && size_of::<LONG>() == 4);
const _: () = assert!(size_of::<c_int>() == 4 && size_of::<WCHAR>() == 2);

/// wdk-sys `src/lib.rs:173-177` (`NT_SUCCESS` from ntdef.h, a `const fn`).
#[must_use]
pub const fn NT_SUCCESS(nt_status: NTSTATUS) -> bool {
    nt_status >= 0
}
