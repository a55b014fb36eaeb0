//! What the core needs from the kernel: read-side sections at DISPATCH_LEVEL, grace periods
//! for retired memory, and random bytes.
//!
//! ```text
//!   core (Reader::lookup, writers) ──► platform (this file)
//!        read_lock  ──► KfRaiseIrql(DISPATCH_LEVEL) … KeLowerIrql
//!        defer      ──► grace::Reclaimer (DPC on every processor, from a work item)
//!        fill_random──► BCryptGenRandom (system-preferred RNG, PASSIVE_LEVEL)
//! ```

use core::ptr::NonNull;

use iscsisec_core::reclaim::Retired;
use iscsisec_core::{Platform, RandomError};

use crate::grace::{Chain, Reclaimer};
use crate::sys::{DISPATCH_LEVEL, KIRQL, NT_SUCCESS, NTSTATUS, PUCHAR, PVOID, ULONG, ntddk};

/// The reclaimer every device keeps for its provider's retired memory.
pub(crate) type DeviceReclaimer = Reclaimer<Retired>;

impl Chain for Retired {
    fn append(&mut self, later: Retired) {
        Retired::append(self, later);
    }
}

/// The core's [`Platform`] in the kernel: one per device, pointing at the device's reclaimer.
///
/// The provider (and every `Reader` of it) owns one. Only `defer` uses the reclaimer, and the
/// core calls `defer` from the writer alone, i.e. from the device's callbacks, while the
/// device context (which holds the reclaimer) exists; `read` and `fill_random` touch nothing
/// of the device, so a reader that outlives the device stays harmless.
#[derive(Debug)]
pub(crate) struct KernelPlatform {
    reclaimer: NonNull<DeviceReclaimer>,
}

// SAFETY: the reclaimer is `Sync` (its shared state is behind a spin lock and atomics) and
// outlives every use of this pointer (see the type's documentation).
unsafe impl Send for KernelPlatform {}
// SAFETY: as above.
unsafe impl Sync for KernelPlatform {}

impl KernelPlatform {
    /// The platform of the device whose reclaimer is `reclaimer`.
    pub(crate) fn new(reclaimer: &DeviceReclaimer) -> KernelPlatform {
        KernelPlatform {
            reclaimer: NonNull::from(reclaimer),
        }
    }
}

// SAFETY: `read` runs `f` with the processor raised to DISPATCH_LEVEL for the whole call, so
// the section cannot be preempted on its processor, never blocks, never allocates and may nest
// (raising to DISPATCH_LEVEL at DISPATCH_LEVEL keeps it). `defer` hands the chain to the
// device's reclaimer, whose work item takes every chain deferred so far, then queues one DPC
// on every active processor and waits for all of them (`KeFlushQueuedDpcs`) before dropping
// it: a DPC runs on a processor only once it has left DISPATCH_LEVEL, so every section begun
// before `defer` was called has ended. `defer` itself only takes a spin lock and enqueues the
// work item. `fill_random` uses the system-preferred RNG (BCryptGenRandom), PASSIVE_LEVEL.
unsafe impl Platform for KernelPlatform {
    #[inline]
    fn read<R>(&self, f: impl FnOnce() -> R) -> R {
        let _section = DispatchSection::enter();
        f()
    }

    fn defer(&self, retired: Retired) {
        // SAFETY: the reclaimer lives in the device context, which outlives the provider that
        // calls `defer` (see `KernelPlatform`).
        let reclaimer = unsafe { self.reclaimer.as_ref() };
        reclaimer.defer(retired);
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        fill_random(out).map_err(|status| {
            crate::sys::trace("BCryptGenRandom failed", status);
            RandomError
        })
    }
}

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
