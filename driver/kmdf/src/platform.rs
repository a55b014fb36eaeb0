//! What the core needs from the kernel: read-side sections at DISPATCH_LEVEL, grace periods
//! for retired memory, and random bytes.
//!
//! ```text
//!   core (Reader::lookup, writers) ──► platform (this file)
//!        read_lock  ──► KfRaiseIrql(DISPATCH_LEVEL) … KeLowerIrql
//!        defer      ──► grace::Reclaimer (DPC on every processor, from a work item)
//!        fill_random──► BCryptGenRandom (system-preferred RNG, PASSIVE_LEVEL)
//! ```

use crate::sys::{DISPATCH_LEVEL, KIRQL, NT_SUCCESS, NTSTATUS, PUCHAR, PVOID, ULONG, ntddk};

/// `BCRYPT_USE_SYSTEM_PREFERRED_RNG` (SDK bcrypt.h:1437).
const BCRYPT_USE_SYSTEM_PREFERRED_RNG: ULONG = 0x0000_0002;

// wdk-sys binds no bcrypt.h and links no CNG library (wdf-standin.md §3.7): declared here by
// hand, from SDK bcrypt.h:1439-1446 (`BCRYPT_ALG_HANDLE` is a `PVOID`), and linked from the
// kernel-mode `cng.lib` on Windows. On Linux the simulated kernel defines the symbol.
#[cfg_attr(windows, link(name = "cng"))]
unsafe extern "system" {
    pub(crate) fn BCryptGenRandom(
        hAlgorithm: PVOID,
        pbBuffer: PUCHAR,
        cbBuffer: ULONG,
        dwFlags: ULONG,
    ) -> NTSTATUS;
}

/// A read-side section: the processor stays at DISPATCH_LEVEL until this is dropped.
#[derive(Debug)]
pub(crate) struct DispatchSection {
    previous: KIRQL,
    /// Lowered on the processor that raised it.
    _not_send: core::marker::PhantomData<*const ()>,
}

impl DispatchSection {
    /// Raises to DISPATCH_LEVEL (`KfRaiseIrql`; the caller must be at or below it).
    pub(crate) fn enter() -> DispatchSection {
        let dispatch = KIRQL::try_from(DISPATCH_LEVEL).unwrap_or(2);
        // SAFETY: callers run at IRQL <= DISPATCH_LEVEL (checked by the lookup interface
        // before it enters), so this raises or keeps the level, never lowers it.
        let previous = unsafe { ntddk::KfRaiseIrql(dispatch) };
        DispatchSection {
            previous,
            _not_send: core::marker::PhantomData,
        }
    }
}

impl Drop for DispatchSection {
    fn drop(&mut self) {
        // SAFETY: restores the IRQL saved by `enter` on the same processor (the section
        // cannot migrate: it runs at DISPATCH_LEVEL).
        unsafe { ntddk::KeLowerIrql(self.previous) };
    }
}

/// The current IRQL.
pub(crate) fn current_irql() -> KIRQL {
    // SAFETY: callable at any IRQL.
    unsafe { ntddk::KeGetCurrentIrql() }
}

/// Fills `out` from the system-preferred RNG. PASSIVE_LEVEL.
///
/// # Errors
///
/// The status `BCryptGenRandom` failed with.
pub(crate) fn fill_random(out: &mut [u8]) -> Result<(), NTSTATUS> {
    for chunk in out.chunks_mut(0x1000_0000) {
        let len = ULONG::try_from(chunk.len()).unwrap_or(0);
        // SAFETY: `chunk` is writable for `len` bytes; a NULL algorithm handle with
        // BCRYPT_USE_SYSTEM_PREFERRED_RNG selects the system RNG; PASSIVE_LEVEL (the caller).
        let status = unsafe {
            BCryptGenRandom(
                core::ptr::null_mut(),
                chunk.as_mut_ptr(),
                len,
                BCRYPT_USE_SYSTEM_PREFERRED_RNG,
            )
        };
        if !NT_SUCCESS(status) {
            return Err(status);
        }
    }
    Ok(())
}
