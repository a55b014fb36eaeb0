//! The simulated WDF and kernel (non-Windows builds): runs the driver's callbacks in tests.
//!
//! ```text
//!   tests ──► Machine (this module): load driver, add/start/stop/remove device, crash, WMI,
//!             query interface, inspect the registry
//!   driver ──► sys::ntddk::*  ──► kernel.rs (exported symbols of the stand-in declarations)
//!          ──► call_unsafe_wdf_function_binding! ──► wdf.rs (the function table)
//!   state: objects.rs (WDF objects, contexts), registry.rs (keys, values, flushes, crash),
//!          dpc.rs (processors, IRQL, DPCs), alloc.rs (allocation failures, wipe checks)
//! ```
//!
//! Every simulated routine checks the IRQL its documentation allows (the header's
//! `_IRQL_requires_max_`, or the DDI page) against the calling thread's simulated IRQL; a call
//! above it is recorded as a violation, and [`Machine::assert_clean`] (run when a machine is
//! dropped) fails the test. Behaviour the framework defines (WMI dispatch, query-interface
//! copies, object cleanup order) follows `Windows-Driver-Frameworks` at the lines cited where
//! it is implemented. Nothing here runs on Windows.

#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "test infrastructure (the simulated WDF): a broken invariant here fails a test; \
              none of this is driver code or runs on Windows"
)]
#![cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "the parts only the test-facing Machine drives are unused in the cdylib build"
    )
)]

extern crate std;

pub(crate) mod alloc;
pub(crate) mod dpc;
pub(crate) mod kernel;
pub(crate) mod objects;
pub(crate) mod registry;
pub(crate) mod wdf;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::format;
use std::string::String;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::vec::Vec;

use crate::sys::{KIRQL, NTSTATUS};

#[cfg(test)]
pub(crate) use self::machine::{
    Machine, STATUS_INVALID_BUFFER_SIZE, STATUS_NOT_SUPPORTED, WmiAnswer,
};

#[cfg(test)]
mod machine;

/// Everything one simulated computer holds.
pub(crate) struct Inner {
    /// Index in the allocator's per-machine tables (1-based; 0 means "no machine").
    pub(crate) id: u32,
    pub(crate) processors: u32,
    pub(crate) state: Mutex<State>,
    /// Signalled on every change a waiter may wait for (locks, work items, processors).
    pub(crate) changed: Condvar,
    next_processor: AtomicU32,
}

/// The mutable state of a machine.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) violations: Vec<String>,
    pub(crate) trace: Vec<(String, NTSTATUS)>,
    pub(crate) objects: objects::Objects,
    pub(crate) registry: registry::Registry,
    pub(crate) cpus: Vec<dpc::Cpu>,
    pub(crate) dpcs: dpc::DpcQueue,
    /// Fail the k-th WDF object creation from now (0: the next) with
    /// STATUS_INSUFFICIENT_RESOURCES.
    pub(crate) fail_object_creation_at: Option<u32>,
    /// WDF objects created so far.
    pub(crate) objects_created: u32,
    /// Fail registry writes/flushes from now on (a read-only store).
    pub(crate) fail_registry_writes: bool,
    /// Counters tests read.
    pub(crate) counters: BTreeMap<&'static str, u64>,
    /// Bytes BCryptGenRandom produced, for the test that checks it was called.
    pub(crate) random_bytes: u64,
    /// The WDF driver object and its configuration, once WdfDriverCreate ran.
    pub(crate) driver: Option<DriverRecord>,
    /// WDFDEVICE_INIT structures handed to EvtDriverDeviceAdd, by address.
    pub(crate) device_inits: BTreeMap<usize, objects::Device>,
    /// The device, once created.
    pub(crate) device: Option<usize>,
    /// Work-item threads to join.
    pub(crate) workers: Vec<std::thread::JoinHandle<()>>,
}

/// What WdfDriverCreate recorded.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "read by the test-facing Machine only")
)]
pub(crate) struct DriverRecord {
    pub(crate) handle: usize,
    pub(crate) device_add: crate::sys::PFN_WDF_DRIVER_DEVICE_ADD,
    pub(crate) unload: crate::sys::PFN_WDF_DRIVER_UNLOAD,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn violation(&self, text: String) {
        self.lock().violations.push(text);
        self.changed.notify_all();
    }

    pub(crate) fn count(&self, what: &'static str) {
        *self.lock().counters.entry(what).or_insert(0) += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Per-thread simulated CPU state
// ---------------------------------------------------------------------------------------------

std::thread_local! {
    static MACHINE: RefCell<Option<Arc<Inner>>> = const { RefCell::new(None) };
    static IRQL: Cell<KIRQL> = const { Cell::new(0) };
    static PROCESSOR: Cell<u32> = const { Cell::new(0) };
    /// > 0 while the thread runs driver code (a callback the simulation invoked).
    static DRIVER_DEPTH: Cell<u32> = const { Cell::new(0) };
    /// > 0 while the thread runs simulation code called from the driver.
    static SIM_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// The machine the calling thread belongs to.
pub(crate) fn current() -> Option<Arc<Inner>> {
    MACHINE.with(|m| m.borrow().clone())
}

/// The machine id of the calling thread for allocation tagging (0 outside driver code).
pub(crate) fn allocation_owner() -> u32 {
    let in_driver = DRIVER_DEPTH.try_with(Cell::get).unwrap_or(0) > 0
        && SIM_DEPTH.try_with(Cell::get).unwrap_or(1) == 0;
    if !in_driver {
        return 0;
    }
    MACHINE
        .try_with(|m| m.try_borrow().ok().and_then(|m| m.as_ref().map(|i| i.id)))
        .ok()
        .flatten()
        .unwrap_or(0)
}

/// The simulated IRQL of the calling thread.
pub(crate) fn irql() -> KIRQL {
    IRQL.with(Cell::get)
}

/// The simulated processor the calling thread runs on.
pub(crate) fn processor() -> u32 {
    PROCESSOR.with(Cell::get)
}

/// Sets the calling thread's IRQL, keeping the per-processor DISPATCH_LEVEL accounting.
pub(crate) fn set_irql(machine: &Inner, new: KIRQL) {
    let old = irql();
    IRQL.with(|c| c.set(new));
    dpc::irql_changed(machine, processor(), old, new);
}

/// Joins the calling thread to `machine` on a processor of its own choosing (round robin).
pub(crate) fn enter(machine: &Arc<Inner>) -> ThreadGuard {
    let cpu = machine.next_processor.fetch_add(1, Ordering::Relaxed) % machine.processors;
    enter_on(machine, cpu)
}

/// Joins the calling thread to `machine` on processor `cpu` at PASSIVE_LEVEL.
pub(crate) fn enter_on(machine: &Arc<Inner>, cpu: u32) -> ThreadGuard {
    let previous = MACHINE.with(|m| m.borrow_mut().replace(Arc::clone(machine)));
    let saved = (IRQL.with(Cell::get), PROCESSOR.with(Cell::get));
    IRQL.with(|c| c.set(0));
    PROCESSOR.with(|c| c.set(cpu));
    ThreadGuard { previous, saved }
}

/// Restores the thread's previous machine when dropped.
pub(crate) struct ThreadGuard {
    previous: Option<Arc<Inner>>,
    saved: (KIRQL, u32),
}

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        if let (Some(machine), true) = (current(), irql() != 0) {
            machine.violation(format!(
                "thread left the machine at IRQL {} (a raise without a lower)",
                irql()
            ));
            set_irql(&machine, 0);
        }
        MACHINE.with(|m| *m.borrow_mut() = self.previous.take());
        IRQL.with(|c| c.set(self.saved.0));
        PROCESSOR.with(|c| c.set(self.saved.1));
    }
}

/// Marks the thread as running simulation code (its allocations are not the driver's).
pub(crate) struct SimScope(());

impl SimScope {
    pub(crate) fn enter() -> SimScope {
        SIM_DEPTH.with(|d| d.set(d.get() + 1));
        SimScope(())
    }
}

impl Drop for SimScope {
    fn drop(&mut self) {
        SIM_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Marks the thread as running driver code (a callback), with simulation scope suspended.
pub(crate) struct DriverScope {
    sim_depth: u32,
}

impl DriverScope {
    pub(crate) fn enter() -> DriverScope {
        DRIVER_DEPTH.with(|d| d.set(d.get() + 1));
        let sim_depth = SIM_DEPTH.with(|d| d.replace(0));
        DriverScope { sim_depth }
    }
}

impl Drop for DriverScope {
    fn drop(&mut self) {
        DRIVER_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        SIM_DEPTH.with(|d| d.set(self.sim_depth));
    }
}

/// Runs a driver callback at `level` on the calling thread, as the framework would.
pub(crate) fn call_driver<R>(machine: &Inner, level: KIRQL, f: impl FnOnce() -> R) -> R {
    let before = irql();
    if before != level {
        set_irql(machine, level);
    }
    let result = {
        let _driver = DriverScope::enter();
        f()
    };
    if irql() != level {
        machine.violation(format!(
            "a callback returned at IRQL {} though it was called at {level}",
            irql()
        ));
    }
    if before != level || irql() != before {
        set_irql(machine, before);
    }
    result
}

/// The entry check of every simulated routine: the thread must belong to a machine and run
/// at or below `max_irql`. Returns the machine and a simulation scope.
pub(crate) fn routine(name: &str, max_irql: u32) -> Option<(Arc<Inner>, SimScope)> {
    let scope = SimScope::enter();
    let Some(machine) = current() else {
        std::eprintln!("sim: {name} called on a thread outside any simulated machine");
        return None;
    };
    let level = irql();
    if u32::from(level) > max_irql {
        machine.violation(format!(
            "{name} called at IRQL {level}; its documentation allows at most {max_irql}"
        ));
    }
    Some((machine, scope))
}

/// `sys::trace` on the simulation: recorded per machine.
pub(crate) fn trace(event: &'static str, status: NTSTATUS) {
    let _scope = SimScope::enter();
    if let Some(machine) = current() {
        machine.lock().trace.push((String::from(event), status));
    }
}
