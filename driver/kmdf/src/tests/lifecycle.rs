//! DriverEntry, device add, start, stop, removal and unload through the simulated WDF.

use std::string::String;
use std::vec::Vec;

use super::*;
use crate::sim::Machine;
use crate::sys::STATUS_SUCCESS;

#[test]
fn driver_entry_and_device_add_register_both_classes_with_their_guids() {
    let mut machine = Machine::new();
    assert_nt(machine.load_driver(), STATUS_SUCCESS);
    assert_nt(machine.add_device(), STATUS_SUCCESS);
    // KMDF registers instances created with Register = TRUE when the device starts.
    assert!(machine.registered_wmi_guids().is_empty());
    assert_nt(machine.start_device(), STATUS_SUCCESS);
    let mut guids = machine.registered_wmi_guids();
    guids.sort_unstable();
    let mut expected = std::vec![SECURITY, OPERATIONS];
    expected.sort_unstable();
    assert_eq!(guids, expected, "one instance of each class, nothing else");
    assert_eq!(machine.mof_resource().as_deref(), Some("IscsiSecWmi"));
    assert_eq!(
        crate::wmi::MOF_RESOURCE_NAME,
        "IscsiSecWmi",
        "the name inf/iscsisec.rc gives the MOFDATA resource"
    );
}

#[test]
fn a_query_of_either_method_only_class_returns_its_empty_instance() {
    let machine = booted();
    for guid in [SECURITY, OPERATIONS] {
        let answer = machine.wmi_query(&guid, 64);
        assert_nt(answer.status, STATUS_SUCCESS);
        assert_eq!(
            (answer.used, answer.out.as_slice()),
            (4, &[0u8, 0, 0, 0][..])
        );
        // Shorter than MinInstanceBufferSize: the framework answers before the driver.
        let short = machine.wmi_query(&guid, 3);
        assert_nt(short.status, nt::BUFFER_TOO_SMALL);
        assert_eq!(short.used, 4);
    }
}

#[test]
fn methods_of_a_stopped_device_answer_device_not_ready_and_a_restart_serves_again() {
    let mut machine = booted();
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(b"group-key"))),
        isdsc::SUCCESS
    );
    machine.stop_device();
    let answer = call(
        &machine,
        method::GET_PSK,
        &get_psk(0, 2, b"initiator.example"),
    );
    assert_nt(answer.status, nt::DEVICE_NOT_READY);
    assert_eq!(answer.used, 0);
    assert_nt(machine.start_device(), STATUS_SUCCESS);
    let answer = call(
        &machine,
        method::GET_PSK,
        &get_psk(0, 2, b"initiator.example"),
    );
    assert_eq!(out_status(&answer), isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE);
}

#[test]
fn a_wdf_object_that_cannot_be_created_fails_device_add_without_leaking() {
    // Count the objects a successful add creates, then fail each one in turn.
    let mut probe = Machine::new();
    assert_nt(probe.load_driver(), STATUS_SUCCESS);
    let before = probe.objects_created();
    assert_nt(probe.add_device(), STATUS_SUCCESS);
    let per_add = probe.objects_created() - before;
    assert!(
        per_add >= 6,
        "device, wait locks, spin lock, work item, two WMI instances"
    );
    probe.unload_driver();
    drop(probe);

    for k in 0..per_add {
        let mut machine = Machine::new();
        assert_nt(machine.load_driver(), STATUS_SUCCESS);
        machine.fail_object_creation_at(k);
        assert_nt(machine.add_device(), nt::INSUFFICIENT_RESOURCES);
        assert!(
            machine.device().is_none(),
            "the framework deletes a device whose add failed"
        );
        machine.unload_driver();
        assert_eq!(
            machine.live_driver_bytes(),
            0,
            "failing object {k}: memory left behind"
        );
    }
}

#[test]
fn removal_and_unload_free_everything_and_leave_no_secret_in_freed_memory() {
    let mut machine = booted();
    let key = watched_key(&machine, 1);
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"initiator.example", &key)
        )),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0xFFFF_FFFF, 0, 1, &[192, 0, 2, 10], &key)
        )),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(&key))),
        isdsc::SUCCESS
    );
    // Replace one key, so that a node is retired while the provider runs.
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(0, 0, 2, b"initiator.example", b"another key")
        )),
        isdsc::SUCCESS
    );
    assert!(machine.live_driver_bytes() > 0);
    machine.remove_device();
    machine.unload_driver();
    assert_eq!(
        machine.live_driver_bytes(),
        0,
        "every allocation of the driver and the core freed"
    );
    assert_eq!(
        machine.secret_leaks(),
        0,
        "no freed block still held the key"
    );
    let trace: Vec<String> = machine
        .trace()
        .into_iter()
        .map(|(event, _)| event)
        .collect();
    assert!(trace.iter().any(|e| e == "unloaded"), "{trace:?}");
}

#[test]
fn a_second_boot_after_unload_serves_what_the_first_stored() {
    let mut machine = booted();
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_PSK,
            &set_psk(1, 0x3, 2, b"host.example", b"k1")
        )),
        isdsc::SUCCESS
    );
    machine.unload_driver();
    machine.boot();
    let answer = call(&machine, method::GET_PSK, &get_psk(1, 2, b"HOST.example"));
    assert_eq!(out_status(&answer), isdsc::SUCCESS);
    assert_eq!(
        u64::from_le_bytes(answer.out[8..16].try_into().unwrap()),
        0x3
    );
}
