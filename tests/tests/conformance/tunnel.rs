//! SPEC §4 SetTunnelModeOuterAddress (method 4): port check, address types, text rules,
//! removal by an EMPTY outer address, and how destinations are compared.

use crate::common::*;

fn refused(t: &Iscsisec, status: u32, port: u32, destination: &Addr, outer: &Addr) {
    let before = show(t);
    assert_eq!(
        t.set_tunnel(port, destination, outer),
        status,
        "port {port:#x} destination {destination:?} outer {outer:?}"
    );
    assert_eq!(show(t), before, "an error changed the state");
}

fn v6(flow: u32, scope: u32) -> Addr {
    Addr::V6 {
        address: V6,
        flow,
        scope,
    }
}

#[test]
fn destination_types_text_ipv4_and_ipv6_are_accepted() {
    let t = iscsisec!();
    let a = t.exec(
        SECURITY_CONFIG,
        method::SET_TUNNEL,
        &tunnel_in(0, &Addr::text("Target.Example.COM"), &Addr::V4(V4_OUTER)),
    );
    assert_eq!(
        (a.ntstatus, a.used, a.out.clone()),
        (nt::SUCCESS, 4, status_out(0))
    );
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(0, &Addr::v6(V6), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        tunnels(&t),
        vec![
            tunnel("0", V4_TEXT, "198.51.100.1"),
            tunnel("0", V6_TEXT, "198.51.100.1"),
            tunnel("0", "target.example.com", "198.51.100.1"),
        ]
    );
}

#[test]
fn destination_types_empty_and_unknown_are_invalid_parameter() {
    let t = iscsisec!();
    for destination in [
        Addr::Empty,
        Addr::Type(4),
        Addr::Type(5),
        Addr::Type(0xFFFF_FFFF),
    ] {
        refused(
            &t,
            isdsc::INVALID_PARAMETER,
            0,
            &destination,
            &Addr::V4(V4_OUTER),
        );
    }
}

#[test]
fn outer_types_text_ipv4_ipv6_are_accepted_and_others_refused() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(1, &Addr::V4(V4), &Addr::text("GW.Example.com")),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("1", V4_TEXT, "gw.example.com")]);
    assert_eq!(
        t.set_tunnel(1, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("1", V4_TEXT, "198.51.100.1")]);
    assert_eq!(
        t.set_tunnel(1, &Addr::V4(V4), &Addr::v6(V6)),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("1", V4_TEXT, V6_TEXT)]);
    for outer in [Addr::Type(4), Addr::Type(7), Addr::Type(0xFFFF_FFFF)] {
        refused(&t, isdsc::INVALID_PARAMETER, 1, &Addr::V4(V4), &outer);
    }
}

#[test]
fn an_empty_outer_address_removes_the_mapping() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(1, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(t.set_tunnel(0, &Addr::V4(V4), &Addr::Empty), isdsc::SUCCESS);
    assert_eq!(tunnels(&t), vec![tunnel("1", V4_TEXT, "198.51.100.1")]);
    // Removing a mapping that does not exist is not an error.
    assert_eq!(t.set_tunnel(0, &Addr::V4(V4), &Addr::Empty), isdsc::SUCCESS);
    assert_eq!(
        t.set_tunnel(ALL_PORTS, &Addr::text("nothing.example"), &Addr::Empty),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t).len(), 1);
    // Removal still validates the destination.
    refused(&t, isdsc::INVALID_PARAMETER, 1, &Addr::Empty, &Addr::Empty);
}

#[test]
fn empty_text_addresses_are_refused() {
    let t = iscsisec!();
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        &Addr::text(""),
        &Addr::V4(V4_OUTER),
    );
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        &Addr::V4(V4),
        &Addr::text(""),
    );
}

#[test]
fn text_addresses_must_be_nul_terminated_within_257_units() {
    let t = iscsisec!();
    let unterminated = Addr::TextUnits(vec![u16::from(b'a'); 257]);
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        &unterminated,
        &Addr::V4(V4_OUTER),
    );
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        &Addr::V4(V4),
        &unterminated,
    );
    // 256 units and the NUL in the last one is the longest text address.
    let mut longest = vec![u16::from(b'b'); 256];
    longest.push(0);
    assert_eq!(
        t.set_tunnel(
            0,
            &Addr::TextUnits(longest.clone()),
            &Addr::TextUnits(longest)
        ),
        isdsc::SUCCESS
    );
    let b256 = "b".repeat(256);
    assert_eq!(tunnels(&t), vec![tunnel("0", &b256, &b256)]);
}

#[test]
fn tunnel_checks_the_port_first() {
    let t = iscsisec!();
    refused(
        &t,
        isdsc::INVALID_PORT_NUMBER,
        2,
        &Addr::V4(V4),
        &Addr::V4(V4_OUTER),
    );
    refused(
        &t,
        isdsc::INVALID_PORT_NUMBER,
        2,
        &Addr::Type(4),
        &Addr::Type(4),
    );
    refused(
        &t,
        isdsc::INVALID_PORT_NUMBER,
        0xFFFF_FFFE,
        &Addr::text(""),
        &Addr::Empty,
    );
    let t4 = iscsisec!().ports(4);
    assert_eq!(
        t4.set_tunnel(3, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        t4.set_tunnel(ALL_PORTS, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        tunnels(&t4),
        vec![
            tunnel("*", V4_TEXT, "198.51.100.1"),
            tunnel("3", V4_TEXT, "198.51.100.1")
        ]
    );
}

#[test]
fn ipv4_destinations_compare_as_their_four_raw_bytes() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::text("one")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::text("two")),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("0", V4_TEXT, "two")]);
    assert_eq!(
        t.set_tunnel(0, &Addr::V4([10, 2, 0, 192]), &Addr::text("three")),
        isdsc::SUCCESS
    );
    assert_eq!(
        tunnels(&t),
        vec![
            tunnel("0", "10.2.0.192", "three"),
            tunnel("0", V4_TEXT, "two")
        ]
    );
}

#[test]
fn ipv6_destinations_ignore_flow_info_and_scope() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(1, &v6(1, 2), &Addr::text("one")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(1, &v6(0x000F_FFFF, 0), &Addr::text("two")),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("1", V6_TEXT, "two")]);
    assert_eq!(t.set_tunnel(1, &v6(9, 9), &Addr::Empty), isdsc::SUCCESS);
    assert!(tunnels(&t).is_empty());
}

#[test]
fn text_destinations_compare_without_regard_to_ascii_case() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(
            ALL_PORTS,
            &Addr::text("Target.Example.COM"),
            &Addr::text("one")
        ),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(
            ALL_PORTS,
            &Addr::text("target.example.com"),
            &Addr::text("two")
        ),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("*", "target.example.com", "two")]);
    assert_eq!(
        t.set_tunnel(ALL_PORTS, &Addr::text("TARGET.EXAMPLE.COM"), &Addr::Empty),
        isdsc::SUCCESS
    );
    assert!(tunnels(&t).is_empty());
}

#[test]
fn destinations_of_different_types_or_ports_are_different_mappings() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::text("a")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(0, &Addr::text(V4_TEXT), &Addr::text("b")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(1, &Addr::V4(V4), &Addr::text("c")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(ALL_PORTS, &Addr::V4(V4), &Addr::text("d")),
        isdsc::SUCCESS
    );
    let list = tunnels(&t);
    assert_eq!(list.len(), 4, "{list:?}");
    let outers: Vec<&str> = list.iter().map(|m| m.outer.as_str()).collect();
    for o in ["a", "b", "c", "d"] {
        assert!(outers.contains(&o), "{list:?}");
    }
}

#[test]
fn only_ascii_letters_fold_in_text_destinations() {
    let t = iscsisec!();
    // U+00C4 and U+00E4 differ outside ASCII: two mappings; ASCII letters around them fold.
    assert_eq!(
        t.set_tunnel(0, &Addr::text("\u{c4}BC"), &Addr::text("one")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(0, &Addr::text("\u{e4}bc"), &Addr::text("two")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(0, &Addr::text("\u{c4}bc"), &Addr::text("three")),
        isdsc::SUCCESS
    );
    assert_eq!(
        tunnels(&t),
        vec![
            tunnel("0", "\u{c4}bc", "three"),
            tunnel("0", "\u{e4}bc", "two")
        ]
    );
}
