//! A sample of SPEC §4 through the ExecuteMethod callback (the core's conformance suite covers
//! all of it; these show the driver hands every field through intact).

use std::vec::Vec;

use super::transport::tunnel_fixed;
use super::*;

#[test]
fn set_then_get_preshared_key_for_id_with_flags_case_folded_names_and_port_checks() {
    let machine = booted();
    let input = set_psk(
        1,
        0x0000_0000_0000_0007,
        2,
        b"Initiator.Example",
        b"port-one-key",
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_PSK, &input)),
        isdsc::SUCCESS
    );
    let answer = call(
        &machine,
        method::GET_PSK,
        &get_psk(1, 2, b"initiator.EXAMPLE"),
    );
    assert_eq!(out_status(&answer), isdsc::SUCCESS);
    assert_eq!(u64::from_le_bytes(answer.out[8..16].try_into().unwrap()), 7);
    // Port 2 is not one of the adapter's two ports; all ports (0xFFFFFFFF) is.
    let answer = call(
        &machine,
        method::GET_PSK,
        &get_psk(2, 2, b"initiator.example"),
    );
    assert_eq!(out_status(&answer), isdsc::INVALID_PORT_NUMBER);
    let answer = call(
        &machine,
        method::GET_PSK,
        &get_psk(0xFFFF_FFFF, 2, b"initiator.example"),
    );
    assert_eq!(out_status(&answer), isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE);
}

#[test]
fn identifiers_and_flags_are_checked_in_spec_order() {
    let machine = booted();
    type Case<'a> = (u32, u64, u8, &'a [u8], &'a [u8], u32);
    let cases: [Case<'_>; 7] = [
        (5, 0, 9, b"x", b"k", isdsc::INVALID_PORT_NUMBER),
        (0, 0x80, 9, b"x", b"k", isdsc::INVALID_PARAMETER),
        (0, 0x60, 1, &[1, 2, 3, 4], b"k", isdsc::INVALID_PARAMETER),
        (
            0,
            0,
            4,
            &[1, 2, 3, 4],
            b"k",
            isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
        ),
        (
            0,
            0,
            1,
            &[1, 2, 3],
            b"k",
            isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        ),
        (0, 0, 2, b"bad name", b"k", isdsc::INVALID_PARAMETER),
        (0, 0, 5, &[0; 16], &[0x55; 257], isdsc::INVALID_PARAMETER),
    ];
    for (port, flags, id_type, id, key, expected) in cases {
        let answer = call(
            &machine,
            method::SET_PSK,
            &set_psk(port, flags, id_type, id, key),
        );
        assert_eq!(
            out_status(&answer),
            expected,
            "port {port} flags {flags:#x} type {id_type}"
        );
    }
    assert!(
        machine.store_values().is_empty(),
        "an error status changes nothing"
    );
}

#[test]
fn group_key_and_chap_secret_set_warn_refuse_and_clear() {
    let machine = booted();
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_GROUP_KEY,
            &sized(b"the group key")
        )),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(&[1; 257]))),
        isdsc::INVALID_PARAMETER
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_CHAP, &sized(b"short"))),
        isdsc::SHORT_CHAP_SECRET
    );
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_CHAP,
            &sized(b"sixteen-bytes-ok")
        )),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(
            &machine,
            method::SET_CHAP,
            &sized(b"seventeen-bytes-x")
        )),
        isdsc::INVALID_INITIATOR_CHAP_SECRET
    );
    let stored = machine.store_values().len();
    assert_eq!(stored, 2, "group key and CHAP secret");
    assert_eq!(
        out_status(&call(&machine, method::SET_CHAP, &sized(b""))),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(b""))),
        isdsc::SUCCESS
    );
    assert!(
        machine.store_values().is_empty(),
        "size 0 clears, in the registry too"
    );
}

#[test]
fn clear_cache_removes_keys_and_secret_but_keeps_tunnels_and_the_generational_guid() {
    let machine = booted();
    for (port, id) in [
        (0u32, &b"a.example"[..]),
        (1, b"b.example"),
        (0xFFFF_FFFF, b"c.example"),
    ] {
        assert_eq!(
            out_status(&call(
                &machine,
                method::SET_PSK,
                &set_psk(port, 0, 2, id, b"key")
            )),
            isdsc::SUCCESS
        );
    }
    assert_eq!(
        out_status(&call(&machine, method::SET_GROUP_KEY, &sized(b"group"))),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_CHAP, &sized(b"a-chap-secret"))),
        isdsc::SUCCESS
    );
    assert_eq!(
        out_status(&call(&machine, method::SET_GUID, &[9; 16])),
        isdsc::SUCCESS
    );
    let tunnel = tunnel_fixed(0, 1, [192, 0, 2, 1], 1, [198, 51, 100, 1]);
    assert_eq!(
        out_status(&call(&machine, method::SET_TUNNEL, &tunnel)),
        isdsc::SUCCESS
    );
    assert_eq!(machine.store_values().len(), 7);
    assert_eq!(
        out_status(&call(&machine, method::CLEAR_CACHE, &[])),
        isdsc::SUCCESS
    );
    let mut left: Vec<_> = machine.store_values().into_iter().map(|v| v.name).collect();
    left.sort();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|n| n == "generational-guid"));
    assert!(left.iter().any(|n| n.starts_with("tunnel-")));
    let answer = call(&machine, method::GET_PSK, &get_psk(0, 2, b"a.example"));
    assert_eq!(out_status(&answer), isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE);
}

#[test]
fn tunnel_mappings_are_stored_and_removed_with_an_empty_outer_address() {
    let machine = booted();
    let set = tunnel_fixed(1, 1, [192, 0, 2, 7], 1, [198, 51, 100, 7]);
    assert_eq!(
        out_status(&call(&machine, method::SET_TUNNEL, &set)),
        isdsc::SUCCESS
    );
    assert_eq!(machine.store_values().len(), 1);
    // Destination of type EMPTY is refused; outer of type EMPTY removes the mapping.
    let bad = tunnel_fixed(1, 3, [0; 4], 1, [198, 51, 100, 7]);
    assert_eq!(
        out_status(&call(&machine, method::SET_TUNNEL, &bad)),
        isdsc::INVALID_PARAMETER
    );
    let remove = tunnel_fixed(1, 1, [192, 0, 2, 7], 3, [0; 4]);
    assert_eq!(
        out_status(&call(&machine, method::SET_TUNNEL, &remove)),
        isdsc::SUCCESS
    );
    assert!(machine.store_values().is_empty());
}

#[test]
fn a_full_table_refuses_new_entries_but_replaces_existing_ones() {
    let machine = booted();
    let capacity = iscsisec_core::AdapterConfig::default().max_entries;
    for i in 0..capacity {
        let id = (i as u32).to_be_bytes();
        let answer = call(&machine, method::SET_PSK, &set_psk(0, 0, 1, &id, b"k"));
        assert_eq!(out_status(&answer), isdsc::SUCCESS, "entry {i}");
    }
    let answer = call(
        &machine,
        method::SET_PSK,
        &set_psk(1, 0, 1, &[1, 1, 1, 1], b"k"),
    );
    assert_eq!(out_status(&answer), isdsc::HBA_SECURITY_CACHE_FULL);
    let answer = call(
        &machine,
        method::SET_PSK,
        &set_psk(0, 0, 1, &0u32.to_be_bytes(), b"new"),
    );
    assert_eq!(
        out_status(&answer),
        isdsc::SUCCESS,
        "replacing never fails for capacity"
    );
}
