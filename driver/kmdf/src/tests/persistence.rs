//! The registry store: one REG_BINARY value per record, flushed before the method returns,
//! reloaded at start, damage counted and skipped, the subkey's DACL.

use std::vec::Vec;

use super::*;
use crate::sys::{REG_BINARY, STATUS_SUCCESS};

#[test]
fn every_acknowledged_write_and_remove_is_flushed_before_the_callback_returns() {
    let machine = booted();
    let flushes = machine.store_flushes();
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"durable.example", b"key")
        )),
        isdsc::SUCCESS
    );
    let durable = machine.store_durable_values();
    assert_eq!(durable.len(), 1, "on disk when SUCCESS came back");
    assert_eq!(durable[0].kind, REG_BINARY);
    assert!(durable[0].name.starts_with("psk-"), "{}", durable[0].name);
    assert_eq!(&durable[0].data[0..4], b"iSEC", "the core's record format");
    assert_eq!(machine.store_flushes(), flushes + 1);
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"durable.example", b"")
        )),
        isdsc::SUCCESS
    );
    assert!(
        machine.store_durable_values().is_empty(),
        "the removal is on disk too"
    );
    assert_eq!(machine.store_flushes(), flushes + 2);
}

#[test]
fn a_crash_right_after_an_acknowledged_change_loses_nothing() {
    let mut machine = booted();
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0x5, 1, &[10, 1, 2, 3], b"explicit")
        )),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(b"group"))),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_CHAP, &sized(b"chap-secret-12"))),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_GUID, &[0xAB; 16])),
        isdsc::SUCCESS
    );
    machine.crash();
    machine.boot();
    let answer = call(&machine, method::GET_PSK, &get_psk(0, 1, &[10, 1, 2, 3]));
    assert_eq!(out_status(&answer), isdsc::SUCCESS);
    assert_eq!(answer.out[8], 0x5);
    assert_eq!(machine.store_values().len(), 4);
    machine.with_state(|state| {
        state.with_provider(|provider| {
            let provider = provider.expect("started");
            assert_eq!(provider.table().generational_guid(), [0xAB; 16]);
        });
    });
}

#[test]
fn what_was_never_flushed_is_lost_in_a_crash() {
    // The simulation's crash model itself: an unflushed value does not survive.
    let mut machine = booted();
    let path = machine.store_path();
    machine
        .inner()
        .lock()
        .registry
        .set(&path, "unflushed", REG_BINARY, std::vec![1, 2, 3]);
    assert_eq!(machine.store_values().len(), 1);
    machine.crash();
    assert!(machine.store_values().is_empty());
    machine.boot();
}

#[test]
fn a_device_restart_reloads_the_table_from_the_registry() {
    let mut machine = booted();
    for i in 0..20u8 {
        let input = set_psk(
            u32::from(i % 2),
            u64::from(i % 2),
            1,
            &[10, 0, 0, i],
            &[i; 8],
        );
        assert_eq!(
            out_status(&call(&machine, method::SET_PSK, &input)),
            isdsc::SUCCESS
        );
    }
    machine.stop_device();
    assert_nt(machine.start_device(), STATUS_SUCCESS);
    for i in 0..20u8 {
        let answer = call(
            &machine,
            method::GET_PSK,
            &get_psk(u32::from(i % 2), 1, &[10, 0, 0, i]),
        );
        assert_eq!(out_status(&answer), isdsc::SUCCESS, "entry {i}");
        assert_eq!(answer.out[8], i % 2);
    }
}

#[test]
fn damaged_values_are_counted_and_skipped_and_the_rest_loads() {
    let mut machine = booted();
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"damaged.example", b"key-1")
        )),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"intact.example", b"key-2")
        )),
        isdsc::SUCCESS
    );
    let victim = machine
        .store_values()
        .into_iter()
        .find(|v| v.name.starts_with("psk-"))
        .expect("a stored key");
    machine.remove_device();
    machine.unload_driver();
    // Flip a byte of one record; plant a REG_SZ at a record-like name and a value longer than
    // any record.
    let mut flipped = victim.data.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    machine.plant_store_value(&victim.name, REG_BINARY, &flipped);
    machine.plant_store_value(
        "group-key",
        crate::sim::registry::REG_SZ_FOR_TESTS,
        b"t\0e\0x\0t\0\0\0",
    );
    machine.plant_store_value("chap-secret", REG_BINARY, &std::vec![0u8; 64 * 1024]);
    machine.boot();
    let corrupt = machine.with_state(|state| {
        state.with_provider(|provider| provider.expect("started").table().corrupt_records().len())
    });
    assert_eq!(corrupt, 3, "each damaged value counted");
    let answers: Vec<u32> = [&b"damaged.example"[..], b"intact.example"]
        .iter()
        .map(|id| out_status(&call(&machine, method::GET_PSK, &get_psk(0, 2, id))))
        .collect();
    assert!(
        answers.contains(&isdsc::SUCCESS),
        "the intact record loaded: {answers:x?}"
    );
    assert!(
        answers.contains(&isdsc::CACHE_CORRUPTED),
        "the damaged one is reported: {answers:x?}"
    );
    assert!(
        machine
            .trace()
            .iter()
            .any(|(event, _)| event.contains("failed their check")),
        "the driver traced the damage"
    );
}

#[test]
fn the_store_subkey_grants_only_system_and_administrators_and_blocks_inheritance() {
    let machine = booted();
    let dacl = machine.store_dacl().expect("the driver set a DACL");
    assert!(dacl.protected, "PROTECTED_DACL_SECURITY_INFORMATION");
    let granted: Vec<(&str, u32)> = dacl.aces.iter().map(|a| (a.sid.as_str(), a.mask)).collect();
    let expected: Vec<(&str, u32)> = crate::security::GRANTED.to_vec();
    assert_eq!(granted, expected);
    assert!(
        dacl.aces.iter().all(|a| a.kind == 0),
        "access-allowed ACEs only"
    );
    assert_eq!(expected, [("S-1-5-18", 0xF003F), ("S-1-5-32-544", 0xF003F)]);
}

#[test]
fn a_read_only_registry_answers_non_specific_error_and_changes_nothing() {
    let machine = booted();
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(b"before"))),
        isdsc::SUCCESS
    );
    machine.fail_registry_writes(true);
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(b"after"))),
        isdsc::NON_SPECIFIC_ERROR
    );
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"ro.example", b"k")
        )),
        isdsc::NON_SPECIFIC_ERROR
    );
    assert_eq!(
        out_status(&call(
            &machine,
            method::GET_PSK,
            &get_psk(0, 2, b"ro.example")
        )),
        isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE
    );
    machine.fail_registry_writes(false);
    assert_eq!(machine.store_durable_values().len(), 1);
    assert!(
        machine
            .trace()
            .iter()
            .any(|(event, status)| event.contains("registry") && *status < 0),
        "the failing call's status was traced"
    );
}
