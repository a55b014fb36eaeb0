//! The store subkey's DACL: SYSTEM and Administrators only, protected from inheritance.
//!
//! ```text
//!   registry.rs ──► security (this file) ──► Rtl* security routines, ZwSetSecurityObject
//! ```
//!
//! WDF registry calls take no security descriptor (wdf-standin.md §3.8), so the driver builds
//! an absolute descriptor with one DACL of two access-allowed ACEs and sets it on the key's
//! handle. The two SIDs are the well-known S-1-5-18 and S-1-5-32-544, written out as bytes
//! (`SID`: revision 1, sub-authority count, 6-byte big-endian authority, little-endian RIDs).

use core::ffi::c_void;

use crate::sys::{
    ACL, ACL_REVISION, DACL_SECURITY_INFORMATION, FALSE, HANDLE, KEY_ALL_ACCESS, NT_SUCCESS,
    NTSTATUS, PROTECTED_DACL_SECURITY_INFORMATION, SECURITY_DESCRIPTOR,
    SECURITY_DESCRIPTOR_REVISION, TRUE, ULONG, ntddk,
};

/// A SID's bytes, aligned as the `SID` structure (its sub-authorities are ULONGs).
#[repr(C, align(4))]
struct SidBytes<const N: usize>([u8; N]);

/// S-1-5-18, LocalSystem.
static LOCAL_SYSTEM: SidBytes<12> = SidBytes([1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]);
/// S-1-5-32-544, BUILTIN\Administrators.
static ADMINISTRATORS: SidBytes<16> =
    SidBytes([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0]);

/// `sizeof(ACCESS_ALLOWED_ACE) - sizeof(ULONG)`: the ACE header and mask before the SID.
const ACE_FIXED: usize = 8;
/// `sizeof(ACL)` plus both ACEs (DDI `RtlCreateAcl`: header plus, per ACE, the fixed part
/// and the SID's length).
const ACL_LEN: usize =
    size_of::<ACL>() + ACE_FIXED + LOCAL_SYSTEM.0.len() + ACE_FIXED + ADMINISTRATORS.0.len();

/// Storage for the ACL, aligned for its `ULONG`-sized ACE fields.
#[repr(C, align(4))]
struct AclBuffer([u8; ACL_LEN]);

/// Every SID the DACL names, for tests: (SID text, access mask).
#[cfg(all(test, not(windows)))]
pub(crate) const GRANTED: [(&str, ULONG); 2] = [
    ("S-1-5-18", KEY_ALL_ACCESS),
    ("S-1-5-32-544", KEY_ALL_ACCESS),
];

/// Replaces the DACL of the open key `handle` (opened with `WRITE_DAC`) with one that grants
/// `KEY_ALL_ACCESS` to SYSTEM and Administrators and nothing to anyone else, protected from
/// inherited ACEs. PASSIVE_LEVEL.
///
/// # Errors
///
/// The status of the first routine that failed.
pub(crate) fn restrict_to_system_and_administrators(handle: HANDLE) -> Result<(), NTSTATUS> {
    let mut acl = AclBuffer([0; ACL_LEN]);
    let acl_ptr = acl.0.as_mut_ptr().cast::<ACL>();
    let acl_len = ULONG::try_from(ACL_LEN).unwrap_or(0);
    // SAFETY: `acl_ptr` points to `ACL_LEN` writable, 4-aligned bytes.
    check(unsafe { ntddk::RtlCreateAcl(acl_ptr, acl_len, ACL_REVISION) })?;
    for sid in [LOCAL_SYSTEM.0.as_ptr(), ADMINISTRATORS.0.as_ptr()] {
        // SAFETY: `acl_ptr` is the ACL initialised above, sized for both ACEs; `sid` points
        // to a well-formed, 4-aligned SID in a static that the routine only reads.
        check(unsafe {
            ntddk::RtlAddAccessAllowedAce(
                acl_ptr,
                ACL_REVISION,
                KEY_ALL_ACCESS,
                sid.cast_mut().cast::<c_void>(),
            )
        })?;
    }
    let mut descriptor = SECURITY_DESCRIPTOR::default();
    let descriptor_ptr = (&raw mut descriptor).cast::<c_void>();
    // SAFETY: `descriptor_ptr` points to a writable absolute SECURITY_DESCRIPTOR.
    check(unsafe {
        ntddk::RtlCreateSecurityDescriptor(descriptor_ptr, SECURITY_DESCRIPTOR_REVISION)
    })?;
    // SAFETY: the descriptor was initialised above; `acl` outlives every use of the
    // descriptor in this function.
    check(unsafe {
        ntddk::RtlSetDaclSecurityDescriptor(descriptor_ptr, bool_u8(true), acl_ptr, bool_u8(false))
    })?;
    // SAFETY: `handle` is an open key handle with WRITE_DAC (the caller's); the descriptor and
    // its ACL are valid for the call, which copies them.
    check(unsafe {
        ntddk::ZwSetSecurityObject(
            handle,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            descriptor_ptr,
        )
    })?;
    // SAFETY: `handle` is an open key handle.
    check(unsafe { ntddk::ZwFlushKey(handle) })
}

fn bool_u8(value: bool) -> u8 {
    let flag = if value { TRUE } else { FALSE };
    u8::try_from(flag).unwrap_or(0)
}

fn check(status: NTSTATUS) -> Result<(), NTSTATUS> {
    if NT_SUCCESS(status) {
        Ok(())
    } else {
        Err(status)
    }
}
