//! The simulation's IRQL tracking: a call above its documented IRQL fails the test, and the
//! driver's own IRQL discipline holds.

use super::*;
use crate::sys::{NTSTATUS, STATUS_SUCCESS, ntddk};

#[test]
fn a_registry_call_at_dispatch_level_is_recorded_as_a_violation() {
    let machine = booted();
    // SAFETY: raising from PASSIVE_LEVEL to DISPATCH_LEVEL on this simulated processor.
    let old = unsafe { ntddk::KfRaiseIrql(2) };
    // SAFETY: a bogus handle: the simulation reports it rather than touching anything.
    let status: NTSTATUS = unsafe { ntddk::ZwFlushKey(core::ptr::null_mut()) };
    // SAFETY: back to where this thread was.
    unsafe { ntddk::KeLowerIrql(old) };
    assert!(status < 0);
    let violations = machine.take_violations();
    assert!(
        violations
            .iter()
            .any(|v| v.contains("ZwFlushKey called at IRQL 2")),
        "{violations:?}"
    );
}

#[test]
fn lowering_with_a_raise_and_leaking_a_raised_irql_are_caught() {
    let machine = booted();
    // SAFETY: simulated IRQL changes on this thread.
    unsafe {
        ntddk::KfRaiseIrql(2);
    }
    // SAFETY: as above.
    unsafe {
        ntddk::KfRaiseIrql(1);
    }
    // SAFETY: as above.
    unsafe { ntddk::KeLowerIrql(0) };
    let violations = machine.take_violations();
    assert!(
        violations
            .iter()
            .any(|v| v.contains("IRQL_NOT_GREATER_OR_EQUAL")),
        "{violations:?}"
    );
}

#[test]
fn every_routine_the_driver_calls_runs_at_an_irql_its_documentation_allows() {
    // Methods, a stop (which waits out a grace period) and a restart: every simulated
    // routine checked the calling thread's IRQL against its header or DDI page.
    let mut machine = booted();
    for i in 0..10u8 {
        call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 1, &[10, 0, 0, i], b"key"),
        );
        call(&machine, method::GET_PSK, &get_psk(0, 1, &[10, 0, 0, i]));
    }
    call(&machine, method::CLEAR_CACHE, &[]);
    machine.stop_device();
    assert!(
        machine.counter("KeFlushQueuedDpcs") > 0,
        "retired keys went through grace periods"
    );
    assert_nt(machine.start_device(), STATUS_SUCCESS);
    machine.assert_clean();
}
