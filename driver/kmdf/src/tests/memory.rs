//! No allocation failure may bugcheck: every allocation the driver and the core make on a
//! method or start path is made to fail in turn, and each time the call gets an answer.

use super::*;
use crate::sim::Machine;
use crate::sim::alloc::{
    clear_allocation_failure, driver_allocation_attempts, fail_driver_allocation_at,
};
use crate::sys::STATUS_SUCCESS;

/// Driver allocations one call of `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> u64 {
    let before = driver_allocation_attempts();
    f();
    driver_allocation_attempts() - before
}

#[test]
fn every_failed_allocation_in_a_method_call_gives_an_answer_and_changes_nothing() {
    let probe = booted();
    let n = allocations(|| {
        let answer = call(
            &probe,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"oom.example", b"key"),
        );
        assert_eq!(out_status(&answer), isdsc::SUCCESS);
    });
    assert!(n >= 1, "a new entry allocates (its node)");
    drop(probe);
    for k in 0..n {
        let machine = booted();
        fail_driver_allocation_at(k);
        let answer = call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"oom.example", b"key"),
        );
        clear_allocation_failure();
        let status = out_status(&answer);
        assert_eq!(
            status,
            isdsc::NON_SPECIFIC_ERROR,
            "allocation {k} of {n} failed"
        );
        assert!(
            machine.store_values().is_empty(),
            "allocation {k}: nothing stored"
        );
        let get = call(&machine, method::GET_PSK, &get_psk(0, 2, b"oom.example"));
        assert_eq!(out_status(&get), isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE);
        // And the provider still works afterwards.
        let retry = call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"oom.example", b"key"),
        );
        assert_eq!(out_status(&retry), isdsc::SUCCESS);
    }
}

#[test]
fn every_failed_allocation_at_device_start_fails_the_start_cleanly() {
    let mut seed = booted();
    for i in 0..8u8 {
        call(
            &seed,
            method::SET_PSK,
            &set_psk(0, 0, 1, &[10, 0, 0, i], b"stored key"),
        );
    }
    call(&seed, method::SET_GROUP_KEY, &sized(b"group"));
    seed.stop_device();
    let n = allocations(|| assert_nt(seed.start_device(), STATUS_SUCCESS));
    assert!(n >= 3, "the table, its nodes and the reader box: {n}");
    for k in 0..n {
        seed.stop_device();
        fail_driver_allocation_at(k);
        let status = seed.start_device();
        clear_allocation_failure();
        if status == STATUS_SUCCESS {
            // The failed allocation was the stop's or an optional one; the start still worked.
            continue;
        }
        assert_nt(status, nt::INSUFFICIENT_RESOURCES);
        assert!(seed.device().is_none(), "a failed start removes the device");
        // A fresh add and start serves everything that was stored.
        assert_nt(seed.add_device(), STATUS_SUCCESS);
        assert_nt(seed.start_device(), STATUS_SUCCESS);
        let answer = call(&seed, method::GET_PSK, &get_psk(0, 1, &[10, 0, 0, 7]));
        assert_eq!(
            out_status(&answer),
            isdsc::SUCCESS,
            "after failing allocation {k}"
        );
    }
    seed.unload_driver();
    assert_eq!(seed.live_driver_bytes(), 0);
}

#[test]
fn a_failed_allocation_while_loading_leaves_nothing_behind() {
    let mut machine = booted();
    for i in 0..4u8 {
        call(
            &machine,
            method::SET_PSK,
            &set_psk(1, 0, 1, &[10, 9, 9, i], b"key"),
        );
    }
    machine.remove_device();
    assert_nt(machine.add_device(), STATUS_SUCCESS);
    fail_driver_allocation_at(0);
    let status = machine.start_device();
    clear_allocation_failure();
    assert_nt(status, nt::INSUFFICIENT_RESOURCES);
    machine.unload_driver();
    assert_eq!(machine.live_driver_bytes(), 0);
    assert!(Machine::new().violations().is_empty());
}

#[test]
fn the_leak_check_itself_sees_a_secret_freed_unwiped() {
    // Not vacuous: a block the driver frees with the watched bytes in it is counted.
    let machine = Machine::new();
    let key = watched_key(&machine, 9);
    {
        let _driver = crate::sim::DriverScope::enter();
        let copy = key.clone();
        drop(copy);
    }
    assert_eq!(machine.secret_leaks(), 1);
}
