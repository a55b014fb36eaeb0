//! SPEC §4 SetPresharedKeyForId (method 1): checks in order port → flags → identifier (type →
//! size → bytes) → key, one negative test per branch with its exact ISDSC code; removal,
//! replacement, capacity, case-insensitive names.

use crate::common::*;

/// Sets, expects `status`, and when it is an error checks nothing was stored.
fn refused(t: &Iscsisec, status: u32, port: u32, flags: u64, ty: u8, id: &[u8], key: &[u8]) {
    let before = show(t);
    let got = t.set_psk(port, flags, ty, id, key);
    assert_eq!(
        got,
        status,
        "port {port:#x} flags {flags:#x} type {ty} id {:02x?} ({} bytes) key {} bytes: got {got:#010x}",
        &id[..id.len().min(8)],
        id.len(),
        key.len()
    );
    assert_eq!(show(t), before, "an error changed the state");
}

#[test]
fn ports_below_the_port_count_and_all_ports_are_accepted() {
    let t = iscsisec!();
    for port in [0, 1, ALL_PORTS] {
        assert_eq!(t.set_psk(port, 1, id_type::IPV4, &V4, b"k"), isdsc::SUCCESS);
    }
    assert_eq!(
        psks(&t),
        vec![
            psk("*", 1, V4_TEXT, 1),
            psk("0", 1, V4_TEXT, 1),
            psk("1", 1, V4_TEXT, 1)
        ]
    );
    let t4 = iscsisec!().ports(4);
    assert_eq!(t4.set_psk(3, 1, id_type::IPV4, &V4, b"k"), isdsc::SUCCESS);
    refused(
        &t4,
        isdsc::INVALID_PORT_NUMBER,
        4,
        1,
        id_type::IPV4,
        &V4,
        b"k",
    );
}

#[test]
fn a_port_not_below_the_port_count_is_invalid_port_number() {
    let t = iscsisec!();
    for port in [2, 3, 0x7FFF_FFFF, 0xFFFF_FFFE] {
        refused(
            &t,
            isdsc::INVALID_PORT_NUMBER,
            port,
            1,
            id_type::IPV4,
            &V4,
            b"k",
        );
    }
    let t1 = iscsisec!().ports(1);
    refused(
        &t1,
        isdsc::INVALID_PORT_NUMBER,
        1,
        1,
        id_type::IPV4,
        &V4,
        b"k",
    );
}

#[test]
fn port_is_checked_before_flags_identifier_and_key() {
    let t = iscsisec!();
    refused(&t, isdsc::INVALID_PORT_NUMBER, 2, 0x80, 4, &[], &[0; 300]);
    refused(
        &t,
        isdsc::INVALID_PORT_NUMBER,
        2,
        0x60,
        id_type::IPV4,
        &V4,
        b"k",
    );
}

#[test]
fn undefined_security_flag_bits_are_invalid_parameter() {
    let t = iscsisec!();
    for flags in [0x80, 0x81, 0x100, 1 << 32, 1 << 63, u64::MAX] {
        refused(
            &t,
            isdsc::INVALID_PARAMETER,
            0,
            flags,
            id_type::IPV4,
            &V4,
            b"k",
        );
    }
}

#[test]
fn transport_and_tunnel_mode_preferred_together_are_refused() {
    let t = iscsisec!();
    for flags in [0x60, 0x61, 0x7F] {
        refused(
            &t,
            isdsc::INVALID_PARAMETER,
            0,
            flags,
            id_type::IPV4,
            &V4,
            b"k",
        );
    }
}

#[test]
fn every_defined_flag_combination_is_stored_verbatim() {
    let t = iscsisec!();
    for flags in [0u64, 0x01, 0x20, 0x40, 0x3F, 0x5F, 0x1F] {
        assert_eq!(
            t.set_psk(1, flags, id_type::FQDN, b"flags.example", b"k"),
            isdsc::SUCCESS,
            "{flags:#x}"
        );
        assert_eq!(
            t.get_psk(1, id_type::FQDN, b"flags.example"),
            (isdsc::SUCCESS, flags),
            "{flags:#x}"
        );
        assert_eq!(psks(&t), vec![psk("1", 2, "flags.example", flags)]);
    }
}

#[test]
fn flags_are_checked_before_the_identifier() {
    let t = iscsisec!();
    refused(&t, isdsc::INVALID_PARAMETER, 0, 0x80, 4, b"x", b"k");
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        0x60,
        id_type::IPV4,
        &[1, 2],
        b"k",
    );
}

#[test]
fn an_unsupported_id_type_is_type_not_supported() {
    let t = iscsisec!();
    for ty in [0u8, 4, 6, 7, 9, 11, 255] {
        refused(
            &t,
            isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
            0,
            1,
            ty,
            &V4,
            b"k",
        );
    }
}

#[test]
fn id_type_is_checked_before_id_size() {
    let t = iscsisec!();
    for (ty, id) in [(4u8, vec![]), (0, vec![0; 300]), (6, vec![b'a'; 3])] {
        refused(
            &t,
            isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
            0,
            1,
            ty,
            &id,
            b"k",
        );
    }
}

#[test]
fn a_wrong_id_size_for_its_type_is_incorrect_size() {
    let t = iscsisec!();
    let cases: [(u8, usize); 11] = [
        (id_type::IPV4, 0),
        (id_type::IPV4, 3),
        (id_type::IPV4, 5),
        (id_type::IPV4, 16),
        (id_type::IPV6, 4),
        (id_type::IPV6, 15),
        (id_type::IPV6, 17),
        (id_type::FQDN, 0),
        (id_type::FQDN, 256),
        (id_type::USER_FQDN, 0),
        (id_type::USER_FQDN, 256),
    ];
    for (ty, len) in cases {
        refused(
            &t,
            isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
            0,
            1,
            ty,
            &vec![b'a'; len],
            b"k",
        );
    }
}

#[test]
fn id_size_is_checked_before_id_bytes() {
    let t = iscsisec!();
    // 256 bytes, none of them printable: the size answers.
    refused(
        &t,
        isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        0,
        1,
        id_type::FQDN,
        &[b' '; 256],
        b"k",
    );
    refused(
        &t,
        isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        0,
        1,
        id_type::USER_FQDN,
        &[0; 300],
        b"k",
    );
}

#[test]
fn a_name_byte_outside_printable_ascii_is_invalid_parameter() {
    let t = iscsisec!();
    for id in [
        &b"a b"[..],
        b"host\x7f",
        b"host\0",
        b"\x20",
        b"tab\there",
        b"\x80",
        "h\u{e9}te".as_bytes(),
        b"host.example.com\n",
    ] {
        refused(&t, isdsc::INVALID_PARAMETER, 0, 1, id_type::FQDN, id, b"k");
        refused(
            &t,
            isdsc::INVALID_PARAMETER,
            0,
            1,
            id_type::USER_FQDN,
            id,
            b"k",
        );
    }
}

#[test]
fn name_bounds_are_accepted() {
    let t = iscsisec!();
    for id in [
        &b"!"[..],
        b"~",
        &[b'a'; 255],
        b"!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~",
    ] {
        assert_eq!(
            t.set_psk(0, 1, id_type::FQDN, id, b"k"),
            isdsc::SUCCESS,
            "{id:?}"
        );
        assert_eq!(t.get_psk(0, id_type::FQDN, id), (isdsc::SUCCESS, 1));
    }
    // Addresses may hold any byte.
    assert_eq!(
        t.set_psk(0, 1, id_type::IPV4, &[0, 0x20, 0x7f, 0xff], b"k"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(0, 1, id_type::IPV6, &[0xff; 16], b"k"),
        isdsc::SUCCESS
    );
}

#[test]
fn the_identifier_is_checked_before_the_key() {
    let t = iscsisec!();
    let long_key = [7u8; 257];
    refused(
        &t,
        isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
        0,
        1,
        4,
        &V4,
        &long_key,
    );
    refused(
        &t,
        isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        0,
        1,
        id_type::IPV4,
        &[1, 2, 3],
        &long_key,
    );
}

#[test]
fn key_sizes_1_and_256_are_accepted_257_is_invalid_parameter() {
    let t = iscsisec!();
    let binary: Vec<u8> = (0..=255u8).collect();
    assert_eq!(t.set_psk(0, 1, id_type::IPV4, &V4, &[0]), isdsc::SUCCESS);
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!(l.line(), "source=port key=00");
    assert_eq!(t.set_psk(0, 1, id_type::IPV4, &V4, &binary), isdsc::SUCCESS);
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!(l.line(), format!("source=port key={}", hex(&binary)));
    // A too-long key is refused and the stored one stays.
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        1,
        id_type::IPV4,
        &V4,
        &[0x11; 257],
    );
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        1,
        id_type::FQDN,
        b"new.example",
        &[0x11; 1000],
    );
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!(l.line(), format!("source=port key={}", hex(&binary)));
}

#[test]
fn key_size_0_removes_the_explicit_key() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(1, 3, id_type::USER_FQDN, USER_FQDN, b"k"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(ALL_PORTS, 5, id_type::USER_FQDN, USER_FQDN, b"a"),
        isdsc::SUCCESS
    );
    // Flags of a removal do not matter beyond being valid.
    assert_eq!(
        t.set_psk(1, 0, id_type::USER_FQDN, USER_FQDN, b""),
        isdsc::SUCCESS
    );
    assert_eq!(
        psks(&t),
        vec![psk(
            "*",
            id_type::USER_FQDN,
            "iscsi@initiator.example.com",
            5
        )]
    );
    // Get on port 1 now falls back to the all-ports entry.
    assert_eq!(
        t.get_psk(1, id_type::USER_FQDN, USER_FQDN),
        (isdsc::SUCCESS, 5)
    );
    assert_eq!(
        t.set_psk(ALL_PORTS, 0, id_type::USER_FQDN, USER_FQDN, b""),
        isdsc::SUCCESS
    );
    assert!(psks(&t).is_empty());
    assert_eq!(
        t.get_psk(1, id_type::USER_FQDN, USER_FQDN),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn removing_an_absent_key_succeeds() {
    let t = iscsisec!();
    assert_eq!(t.set_psk(0, 1, id_type::IPV4, &V4, b""), isdsc::SUCCESS);
    assert_eq!(
        t.set_psk(ALL_PORTS, 1, id_type::IPV6, &V6, b""),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(ALL_PORTS, 1, id_type::FQDN, FQDN, b"k"),
        isdsc::SUCCESS
    );
    // Removing the port entry of an identifier that only has an all-ports entry.
    assert_eq!(t.set_psk(0, 1, id_type::FQDN, FQDN, b""), isdsc::SUCCESS);
    assert_eq!(psks(&t), vec![psk("*", 2, "initiator.example.com", 1)]);
}

#[test]
fn a_removal_still_runs_every_check() {
    let t = iscsisec!();
    assert_eq!(t.set_psk(0, 1, id_type::IPV4, &V4, b"k"), isdsc::SUCCESS);
    refused(
        &t,
        isdsc::INVALID_PORT_NUMBER,
        2,
        1,
        id_type::IPV4,
        &V4,
        b"",
    );
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        0x60,
        id_type::IPV4,
        &V4,
        b"",
    );
    refused(
        &t,
        isdsc::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
        0,
        1,
        4,
        &V4,
        b"",
    );
    refused(
        &t,
        isdsc::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        0,
        1,
        id_type::IPV4,
        &V4[..3],
        b"",
    );
    assert_eq!(psks(&t), vec![psk("0", 1, V4_TEXT, 1)]);
}

#[test]
fn setting_again_replaces_key_and_flags() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 0x01, id_type::IPV6, &V6, b"old key"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(0, 0x05, id_type::IPV6, &V6, b"new key"),
        isdsc::SUCCESS
    );
    assert_eq!(psks(&t), vec![psk("0", id_type::IPV6, V6_TEXT, 5)]);
    assert_eq!(t.get_psk(0, id_type::IPV6, &V6), (isdsc::SUCCESS, 5));
    let l = t.lookup("0", "ipv6", V6_TEXT, true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"new key")));
}

#[test]
fn names_are_compared_without_regard_to_ascii_case() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"Host.Example.COM", b"one"),
        isdsc::SUCCESS
    );
    for id in [
        &b"host.example.com"[..],
        b"HOST.EXAMPLE.COM",
        b"hOsT.eXaMpLe.CoM",
    ] {
        assert_eq!(
            t.get_psk(0, id_type::FQDN, id),
            (isdsc::SUCCESS, 1),
            "{id:?}"
        );
    }
    // Setting with another case replaces the same entry.
    assert_eq!(
        t.set_psk(0, 3, id_type::FQDN, b"HOST.example.com", b"two"),
        isdsc::SUCCESS
    );
    assert_eq!(psks(&t), vec![psk("0", 2, "host.example.com", 3)]);
    let l = t.lookup("0", "fqdn", "HOST.EXAMPLE.COM", true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"two")));
    // And removing with a third case removes it.
    assert_eq!(
        t.set_psk(0, 0, id_type::FQDN, b"host.EXAMPLE.com", b""),
        isdsc::SUCCESS
    );
    assert!(psks(&t).is_empty());
    // USER_FQDN too.
    assert_eq!(
        t.set_psk(1, 1, id_type::USER_FQDN, b"Me@Example.ORG", b"u"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.get_psk(1, id_type::USER_FQDN, b"me@example.org"),
        (isdsc::SUCCESS, 1)
    );
    assert_eq!(psks(&t), vec![psk("1", 3, "me@example.org", 1)]);
}

#[test]
fn fqdn_and_user_fqdn_of_the_same_text_are_different_identifiers() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"same.example", b"f"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.get_psk(0, id_type::USER_FQDN, b"same.example"),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    assert_eq!(
        t.set_psk(0, 9, id_type::USER_FQDN, b"same.example", b"u"),
        isdsc::SUCCESS
    );
    assert_eq!(
        psks(&t),
        vec![
            psk("0", 2, "same.example", 1),
            psk("0", 3, "same.example", 9)
        ]
    );
}

#[test]
fn address_identifiers_are_their_raw_bytes() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 1, id_type::IPV4, &[10, 0, 0, 1], b"k"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.get_psk(0, id_type::IPV4, &[1, 0, 0, 10]),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    assert_eq!(t.set_psk(0, 1, id_type::IPV6, &V6, b"k"), isdsc::SUCCESS);
    assert_eq!(
        psks(&t),
        vec![psk("0", 1, "10.0.0.1", 1), psk("0", 5, V6_TEXT, 1)]
    );
}

// ----- capacity (--max-entries) -----

#[test]
fn a_new_entry_in_a_full_table_is_cache_full() {
    let t = iscsisec!().max_entries(2);
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"a.example", b"a"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(ALL_PORTS, 1, id_type::FQDN, b"b.example", b"b"),
        isdsc::SUCCESS
    );
    refused(
        &t,
        isdsc::HBA_SECURITY_CACHE_FULL,
        0,
        1,
        id_type::FQDN,
        b"c.example",
        b"c",
    );
    refused(
        &t,
        isdsc::HBA_SECURITY_CACHE_FULL,
        1,
        1,
        id_type::FQDN,
        b"a.example",
        b"c",
    );
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"c.example"),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    // Validation comes first: an invalid new entry gets its own error, not CACHE_FULL.
    refused(
        &t,
        isdsc::INVALID_PORT_NUMBER,
        2,
        1,
        id_type::FQDN,
        b"c.example",
        b"c",
    );
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        1,
        id_type::FQDN,
        b"c.example",
        &[1; 257],
    );
}

#[test]
fn replacing_an_entry_in_a_full_table_never_fails_for_capacity() {
    let t = iscsisec!().max_entries(2);
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"a.example", b"a"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"b.example", b"b"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(0, 0x11, id_type::FQDN, b"A.EXAMPLE", b"a2"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"a.example"),
        (isdsc::SUCCESS, 0x11)
    );
    let l = t.lookup("0", "fqdn", "a.example", true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"a2")));
    // Removing makes room.
    assert_eq!(
        t.set_psk(0, 0, id_type::FQDN, b"b.example", b""),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"c.example", b"c"),
        isdsc::SUCCESS
    );
    assert_eq!(
        psks(&t),
        vec![psk("0", 2, "a.example", 0x11), psk("0", 2, "c.example", 1)]
    );
}

#[test]
fn capacity_limits_explicit_keys_only() {
    let t = iscsisec!().max_entries(1);
    assert_eq!(t.set_psk(0, 1, id_type::IPV4, &V4, b"k"), isdsc::SUCCESS);
    assert_eq!(t.set_group_key(b"group"), isdsc::SUCCESS);
    assert_eq!(t.set_chap(b"0123456789abcd"), isdsc::SUCCESS);
    assert_eq!(t.set_guid(GUID), isdsc::SUCCESS);
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    refused(
        &t,
        isdsc::HBA_SECURITY_CACHE_FULL,
        0,
        1,
        id_type::IPV6,
        &V6,
        b"k",
    );
}

#[test]
fn entries_beyond_a_lowered_maximum_load_and_new_ones_wait_until_below_it() {
    let mut t = iscsisec!();
    for name in ["a.example", "b.example", "c.example"] {
        assert_eq!(
            t.set_psk(0, 1, id_type::FQDN, name.as_bytes(), b"k"),
            isdsc::SUCCESS
        );
    }
    t.set_max_entries(2);
    let set = |flags, name: &[u8], key: &[u8]| t.set_psk(0, flags, id_type::FQDN, name, key);
    let new_one_is_refused = || {
        refused(
            &t,
            isdsc::HBA_SECURITY_CACHE_FULL,
            0,
            1,
            id_type::FQDN,
            b"d.example",
            b"d",
        );
    };
    assert_eq!(psks(&t).len(), 3, "loading never drops a valid record");
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"c.example"),
        (isdsc::SUCCESS, 1)
    );
    new_one_is_refused();
    // Replacing is no new entry; one removal leaves the table still at its maximum.
    assert_eq!(set(7, b"c.example", b"k2"), isdsc::SUCCESS);
    assert_eq!(set(0, b"a.example", b""), isdsc::SUCCESS);
    new_one_is_refused();
    assert_eq!(set(0, b"b.example", b""), isdsc::SUCCESS);
    assert_eq!(set(1, b"d.example", b"d"), isdsc::SUCCESS);
    assert_eq!(
        psks(&t),
        vec![psk("0", 2, "c.example", 7), psk("0", 2, "d.example", 1)]
    );
}
