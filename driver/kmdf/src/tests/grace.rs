//! Grace periods in the kernel: retired keys are freed only after every processor has run a
//! DPC, so a reader at DISPATCH_LEVEL holds them up; never KeIpiGenericCall.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::*;
use crate::sim::Machine;
use crate::sys::ntddk;

#[test]
fn a_replaced_key_is_not_freed_while_a_reader_is_at_dispatch_level() {
    let machine = booted();
    let key = watched_key(&machine, 3);
    call(
        &machine,
        method::SET_PSK,
        &set_psk(0, 0, 2, b"held.example", &key),
    );
    let before = machine.with_state(|s| s.reclaimer().periods());
    let inner = std::sync::Arc::clone(machine.inner());
    let (raised, release) = (AtomicBool::new(false), AtomicBool::new(false));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _cpu = crate::sim::enter_on(&inner, 2);
            // SAFETY: simulated IRQL change on this thread: processor 2 stays at DISPATCH.
            let previous = unsafe { ntddk::KfRaiseIrql(2) };
            raised.store(true, Ordering::Release);
            while !release.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(5));
            }
            // SAFETY: as above.
            unsafe { ntddk::KeLowerIrql(previous) };
        });
        while !raised.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        // Replacing the key retires its node; the work item's DPC for processor 2 must wait.
        call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"held.example", b"replacement"),
        );
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(
            machine.with_state(|s| s.reclaimer().periods()),
            before,
            "no grace period yet"
        );
        assert!(
            !machine.dpc_runs().is_empty(),
            "the other processors' DPCs ran"
        );
        assert!(
            !machine.dpc_runs().contains(&2),
            "processor 2's DPC waits for the reader"
        );
        assert_eq!(machine.secret_leaks(), 0);
        release.store(true, Ordering::Release);
    });
    // The reader left DISPATCH_LEVEL: the grace period completes and the node is wiped.
    for _ in 0..200 {
        if machine.with_state(|s| s.reclaimer().periods() > before && !s.reclaimer().has_pending())
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(machine.with_state(|s| s.reclaimer().periods()) > before);
    assert!(machine.dpc_runs().contains(&2));
    assert_eq!(
        machine.secret_leaks(),
        0,
        "the retired key was wiped before it was freed"
    );
}

#[test]
fn each_grace_period_runs_one_dpc_on_every_processor() {
    let mut machine = Machine::with_processors(3);
    machine.boot();
    call(&machine, method::SET_GROUP_KEY, &sized(b"first"));
    call(&machine, method::SET_GROUP_KEY, &sized(b"second"));
    machine.stop_device();
    let runs = machine.dpc_runs();
    for cpu in 0..3 {
        assert!(runs.contains(&cpu), "processor {cpu}: {runs:?}");
    }
    let (periods, dpcs) =
        machine.with_state(|s| (s.reclaimer().periods(), s.reclaimer().dpcs_run()));
    assert!(periods >= 1);
    assert_eq!(dpcs, periods * 3, "one DPC per processor per grace period");
}
