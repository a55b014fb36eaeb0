//! Grace periods for the kernel: memory retired by a writer is dropped only after every
//! processor has run a DPC, from a work item at PASSIVE_LEVEL.
//!
//! ```text
//!   writer (PASSIVE) ── defer(chain) ──► pending chain (spin lock) ──► WdfWorkItemEnqueue
//!   work item (PASSIVE): take chain ─► one targeted DPC per active processor
//!                        ─► KeFlushQueuedDpcs ─► drop chain (wipes and frees)
//! ```
//!
//! A lookup runs raised to DISPATCH_LEVEL for its whole duration, so it cannot be preempted
//! on its processor; a DPC targeted at that processor runs only once the processor drops below
//! DISPATCH_LEVEL, i.e. after the lookup has finished. When `KeFlushQueuedDpcs` returns, every
//! DPC queued before has run, so every lookup that could have seen the retired memory is over.
//! `KeIpiGenericCall` would be no grace period: its worker runs at IPI_LEVEL and interrupts
//! DISPATCH-level code (wdf-standin.md §3.6). The KDPC array is allocated at device add for
//! the largest processor count the system can have (`KeQueryMaximumProcessorCountEx`), so
//! `defer` and the work item never allocate.

use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ptr;
use core::sync::atomic::{AtomicU64, Ordering};

use crate::context::attributes;
use crate::layout::WORKITEM_CONFIG_SIZE;
use crate::lock::{SpinLock, WaitLock};
use crate::memory::try_zeroed_vec;
use crate::status::{self, DriverError};
use crate::sys::{
    ALL_PROCESSOR_GROUPS, BOOLEAN, KDPC, NT_SUCCESS, NTSTATUS, PFN_WDF_WORKITEM, PKDPC,
    PROCESSOR_NUMBER, PVOID, USHORT, WDF_WORKITEM_CONFIG, WDFDEVICE, WDFOBJECT, WDFWORKITEM,
    call_unsafe_wdf_function_binding, ntddk,
};

/// Retired memory that can be chained without allocating.
pub(crate) trait Chain: Send {
    /// Appends `later` to this chain (O(1), no allocation).
    fn append(&mut self, later: Self);
}

/// The device's reclaimer: the pending chain, the work item that reclaims it and the DPCs.
pub(crate) struct Reclaimer<C> {
    /// Guards `pending` (taken at <= DISPATCH_LEVEL).
    lock: SpinLock,
    pending: UnsafeCell<Option<C>>,
    work_item: WDFWORKITEM,
    /// Serialises grace periods, so that the KDPCs are reused only after they have run.
    grace: WaitLock,
    /// One KDPC per possible processor; only touched with `grace` held.
    dpcs: UnsafeCell<Vec<KDPC>>,
    /// Grace periods completed.
    periods: AtomicU64,
    /// DPCs that have run (each proves one processor passed DISPATCH_LEVEL).
    dpcs_run: AtomicU64,
}

// SAFETY: `pending` is only accessed with `lock` held and `dpcs` only with `grace` held; the
// handles are WDF objects usable from any thread; `C: Send`.
unsafe impl<C: Send> Send for Reclaimer<C> {}
// SAFETY: as above: every shared mutable field is behind a lock or atomic.
unsafe impl<C: Send> Sync for Reclaimer<C> {}

impl<C: Chain> Reclaimer<C> {
    /// Creates the reclaimer's locks, work item (running `work_item_callback`, which must call
    /// [`Reclaimer::reclaim`]) and KDPCs, all owned by `device`. PASSIVE_LEVEL.
    ///
    /// # Errors
    ///
    /// The status of the WDF call or allocation that failed.
    pub(crate) fn create(
        device: WDFDEVICE,
        work_item_callback: PFN_WDF_WORKITEM,
    ) -> Result<Reclaimer<C>, NTSTATUS> {
        let lock = SpinLock::create(device)?;
        let grace = WaitLock::create(device)?;
        // SAFETY: callable at any IRQL; ALL_PROCESSOR_GROUPS counts every group.
        let max = unsafe { ntddk::KeQueryMaximumProcessorCountEx(group_all()) };
        let dpcs = try_zeroed_vec::<KDPC>(usize::try_from(max).unwrap_or(0))
            .map_err(|e| status::driver_error(DriverError::from(e)))?;
        let mut config = WDF_WORKITEM_CONFIG {
            Size: WORKITEM_CONFIG_SIZE,
            EvtWorkItemFunc: work_item_callback,
            // The callback takes its own locks; no framework serialisation with the device.
            AutomaticSerialization: 0,
        };
        let mut attrs = attributes(None, None, device as WDFOBJECT);
        let mut work_item: WDFWORKITEM = ptr::null_mut();
        // SAFETY: `config` and `attrs` are valid for the call; the parent is the live device.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(
                WdfWorkItemCreate,
                &mut config,
                &mut attrs,
                &mut work_item
            )
        };
        if !NT_SUCCESS(status) {
            return Err(status);
        }
        Ok(Reclaimer {
            lock,
            pending: UnsafeCell::new(None),
            work_item,
            grace,
            dpcs: UnsafeCell::new(dpcs),
            periods: AtomicU64::new(0),
            dpcs_run: AtomicU64::new(0),
        })
    }

    /// Adds `chain` to the pending chain and queues the work item. Never blocks on readers,
    /// never allocates. IRQL <= DISPATCH_LEVEL.
    pub(crate) fn defer(&self, chain: C) {
        {
            let _guard = self.lock.acquire();
            // SAFETY: `pending` is only touched with `lock` held, which it is.
            let pending = unsafe { &mut *self.pending.get() };
            match pending {
                Some(existing) => existing.append(chain),
                None => *pending = Some(chain),
            }
        }
        // SAFETY: the work item is live while the device is; enqueueing a queued item is a
        // no-op, and one enqueued while its callback runs runs again afterwards.
        unsafe { call_unsafe_wdf_function_binding!(WdfWorkItemEnqueue, self.work_item) };
    }

    /// The work item's body: waits out a grace period for everything pending, then drops it.
    /// PASSIVE_LEVEL. What is deferred meanwhile waits for the next round.
    pub(crate) fn reclaim(&self) {
        loop {
            let taken = {
                let _guard = self.lock.acquire();
                // SAFETY: `pending` is only touched with `lock` held, which it is.
                unsafe { (*self.pending.get()).take() }
            };
            let Some(chain) = taken else { return };
            if let Err(status) = self.synchronize() {
                // No grace period, no free: keep the chain for the next round (or for the
                // device's removal, when no lookup can reach it any more).
                crate::sys::trace("grace period failed; retired memory kept", status);
                let _guard = self.lock.acquire();
                // SAFETY: `pending` is only touched with `lock` held, which it is.
                let pending = unsafe { &mut *self.pending.get() };
                let mut chain = chain;
                if let Some(later) = pending.take() {
                    chain.append(later);
                }
                *pending = Some(chain);
                return;
            }
            drop(chain);
        }
    }

    /// Waits until every processor has run a DPC queued after this call began: every
    /// DISPATCH_LEVEL section begun before then has ended. PASSIVE_LEVEL.
    ///
    /// # Errors
    ///
    /// A processor could not be targeted (then nothing may be freed).
    pub(crate) fn synchronize(&self) -> Result<(), NTSTATUS> {
        let _grace = self.grace.acquire();
        // SAFETY: `dpcs` is only touched with `grace` held, which it is.
        let dpcs = unsafe { &mut *self.dpcs.get() };
        // SAFETY: callable at any IRQL.
        let active = unsafe { ntddk::KeQueryActiveProcessorCountEx(group_all()) };
        let context: PVOID = (&raw const self.dpcs_run).cast_mut().cast();
        let mut queued: usize = 0;
        let mut failure = None;
        for index in 0..active {
            let Some(dpc) = dpcs.get_mut(usize::try_from(index).unwrap_or(usize::MAX)) else {
                failure = Some(status::driver_error(DriverError::OutOfMemory));
                break;
            };
            let mut number = PROCESSOR_NUMBER::default();
            // SAFETY: `number` is writable; any IRQL.
            let found = unsafe { ntddk::KeGetProcessorNumberFromIndex(index, &mut number) };
            if !NT_SUCCESS(found) {
                failure = Some(found);
                break;
            }
            let dpc: PKDPC = dpc;
            // SAFETY: `dpc` is this reclaimer's KDPC, not queued (the last flush finished
            // every DPC and `grace` is held); `grace_dpc` only touches the atomic `context`,
            // which lives as long as `self`.
            unsafe { ntddk::KeInitializeDpc(dpc, Some(grace_dpc), context) };
            // SAFETY: `dpc` was initialised above; `number` names an active processor.
            let targeted = unsafe { ntddk::KeSetTargetProcessorDpcEx(dpc, &mut number) };
            if !NT_SUCCESS(targeted) {
                failure = Some(targeted);
                break;
            }
            // SAFETY: `dpc` is initialised and targeted; it stays valid until flushed below.
            let inserted: BOOLEAN =
                unsafe { ntddk::KeInsertQueueDpc(dpc, ptr::null_mut(), ptr::null_mut()) };
            if inserted != 0 {
                queued = queued.saturating_add(1);
            }
        }
        // Whatever was queued must finish before the KDPCs can be touched again.
        // SAFETY: PASSIVE_LEVEL (the callers: the work item, the device's stop).
        unsafe { ntddk::KeFlushQueuedDpcs() };
        match failure {
            Some(status) => Err(status),
            None => {
                self.periods.fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
        }
    }

    /// Waits for a running work item, then reclaims what is still pending. PASSIVE_LEVEL;
    /// called when the device stops, after the provider and its readers are gone.
    pub(crate) fn drain(&self) {
        // SAFETY: the work item is live while the device is; PASSIVE_LEVEL.
        unsafe { call_unsafe_wdf_function_binding!(WdfWorkItemFlush, self.work_item) };
        self.reclaim();
    }

    /// Grace periods completed so far.
    #[cfg(all(test, not(windows)))]
    pub(crate) fn periods(&self) -> u64 {
        self.periods.load(Ordering::Acquire)
    }

    /// DPCs run so far.
    #[cfg(all(test, not(windows)))]
    pub(crate) fn dpcs_run(&self) -> u64 {
        self.dpcs_run.load(Ordering::Acquire)
    }

    /// Whether retired memory is waiting for a grace period.
    #[cfg(all(test, not(windows)))]
    pub(crate) fn has_pending(&self) -> bool {
        let _guard = self.lock.acquire();
        // SAFETY: `pending` is only touched with `lock` held, which it is.
        unsafe { (*self.pending.get()).is_some() }
    }
}

/// The DPC each processor runs: it only counts; that it ran is the proof.
unsafe extern "C" fn grace_dpc(_dpc: PKDPC, context: PVOID, _arg1: PVOID, _arg2: PVOID) {
    // SAFETY: `context` is the reclaimer's `dpcs_run` counter, alive until the reclaimer is
    // dropped, which happens only after the DPCs were flushed.
    let counter = unsafe { &*context.cast::<AtomicU64>() };
    counter.fetch_add(1, Ordering::AcqRel);
}

fn group_all() -> USHORT {
    USHORT::try_from(ALL_PROCESSOR_GROUPS).unwrap_or(USHORT::MAX)
}
