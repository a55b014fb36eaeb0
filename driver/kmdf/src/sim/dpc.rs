//! Simulated processors: which are at DISPATCH_LEVEL, and the DPC queue.
//!
//! ```text
//!   KfRaiseIrql / KeLowerIrql / spin locks ──► irql_changed: busy count and epoch per CPU
//!   KeInsertQueueDpc ──► queue (target, epoch at insertion)
//!   KeFlushQueuedDpcs ──► runs each DPC once its processor has been below DISPATCH_LEVEL
//! ```
//!
//! A thread belongs to one simulated processor for its life. A processor is busy while any
//! of its threads runs at DISPATCH_LEVEL or above (a reader inside a lookup); its epoch counts
//! the times it became free. A DPC targeted at a processor may run when the processor is free
//! or has been free since the DPC was queued — as on Windows, where the DPC runs when the
//! processor drops below DISPATCH_LEVEL — and runs at DISPATCH_LEVEL "on" that processor.

extern crate std;
use std::format;
use std::time::{Duration, Instant};
use std::vec::Vec;

use super::{Inner, call_driver, irql, processor};
use crate::sys::{KIRQL, PKDEFERRED_ROUTINE, PKDPC, PVOID};

/// DISPATCH_LEVEL as a KIRQL.
pub(crate) const DISPATCH: KIRQL = 2;

/// One simulated processor.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Cpu {
    /// Threads of this processor at DISPATCH_LEVEL or above.
    pub(crate) busy: u32,
    /// Times the processor dropped below DISPATCH_LEVEL.
    pub(crate) epoch: u64,
}

/// A queued DPC.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Queued {
    pub(crate) dpc: usize,
    pub(crate) target: u32,
    pub(crate) epoch: u64,
    pub(crate) routine: PKDEFERRED_ROUTINE,
    pub(crate) context: usize,
    pub(crate) arguments: (usize, usize),
}

/// The DPC queue and the targets set on KDPCs.
#[derive(Debug, Default)]
pub(crate) struct DpcQueue {
    pub(crate) queued: Vec<Queued>,
    /// KDPC address -> target processor (`KeSetTargetProcessorDpcEx`).
    pub(crate) targets: Vec<(usize, u32)>,
    /// Every DPC run: (target processor, processor's epoch when it ran).
    pub(crate) runs: Vec<u32>,
}

/// Keeps the busy counts when a thread of `cpu` moves from `old` to `new` IRQL.
pub(crate) fn irql_changed(machine: &Inner, cpu: u32, old: KIRQL, new: KIRQL) {
    let mut state = machine.lock();
    let Some(slot) = state
        .cpus
        .get_mut(usize::try_from(cpu).unwrap_or(usize::MAX))
    else {
        return;
    };
    if old < DISPATCH && new >= DISPATCH {
        slot.busy += 1;
    } else if old >= DISPATCH && new < DISPATCH {
        slot.busy = slot.busy.saturating_sub(1);
        if slot.busy == 0 {
            slot.epoch += 1;
        }
    }
    drop(state);
    machine.changed.notify_all();
}

/// `KeFlushQueuedDpcs`: runs every queued DPC once its processor allows it.
pub(crate) fn flush(machine: &Inner) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut state = machine.lock();
        let eligible = state.dpcs.queued.iter().position(|q| {
            state
                .cpus
                .get(usize::try_from(q.target).unwrap_or(usize::MAX))
                .is_some_and(|cpu| cpu.busy == 0 || cpu.epoch > q.epoch)
        });
        match eligible {
            Some(index) => {
                let queued = state.dpcs.queued.remove(index);
                state.dpcs.runs.push(queued.target);
                drop(state);
                run(machine, queued);
            }
            None if state.dpcs.queued.is_empty() => return,
            None => {
                if Instant::now() > deadline {
                    let stuck = state.dpcs.queued.first().map_or(0, |q| q.target);
                    state.violations.push(format!(
                        "KeFlushQueuedDpcs: processor {stuck} never left DISPATCH_LEVEL"
                    ));
                    state.dpcs.queued.clear();
                    return;
                }
                let (state, _) = machine
                    .changed
                    .wait_timeout(state, Duration::from_millis(20))
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                drop(state);
            }
        }
    }
}

/// Runs one DPC at DISPATCH_LEVEL as processor `queued.target`.
fn run(machine: &Inner, queued: Queued) {
    let Some(routine) = queued.routine else {
        machine.violation(format!("DPC {:#x} queued without a routine", queued.dpc));
        return;
    };
    let own = processor();
    let own_irql = irql();
    super::set_irql(machine, 0);
    super::PROCESSOR.with(|c| c.set(queued.target));
    call_driver(machine, DISPATCH, || {
        // SAFETY: the routine and its context are what the driver gave KeInitializeDpc for
        // this KDPC; the arguments are those of KeInsertQueueDpc.
        unsafe {
            routine(
                queued.dpc as PKDPC,
                queued.context as PVOID,
                queued.arguments.0 as PVOID,
                queued.arguments.1 as PVOID,
            );
        }
    });
    super::PROCESSOR.with(|c| c.set(own));
    super::set_irql(machine, own_irql);
}
