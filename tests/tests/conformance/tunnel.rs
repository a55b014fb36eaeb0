//! SPEC §4 SetTunnelModeOuterAddress (method 4): port check, address types, text rules,
//! removal by an EMPTY outer address, and how destinations are compared; and SPEC §2's two
//! shapes (WMI's packed marshalling of the counted strings, the C structs' fixed stride with
//! real lengths and with L = 512), each built byte by byte in `iscsisec_tests`.

use crate::common::*;

fn refused(t: &Iscsisec, status: u32, port: u32, destination: &Addr, outer: &Addr) {
    refused_as(t, Shape::Packed, status, port, destination, outer);
}

fn refused_as(
    t: &Iscsisec,
    shape: Shape,
    status: u32,
    port: u32,
    destination: &Addr,
    outer: &Addr,
) {
    let before = show(t);
    assert_eq!(
        t.set_tunnel_as(shape, port, destination, outer),
        status,
        "{shape:?} port {port:#x} destination {destination:?} outer {outer:?}"
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
fn every_address_type_in_every_shape() {
    let destinations = [
        (Addr::V4(V4), V4_TEXT),
        (Addr::v6(V6), V6_TEXT),
        (Addr::text("Target.Example.COM"), "target.example.com"),
    ];
    let outers = [
        (Addr::V4(V4_OUTER), "198.51.100.1"),
        (v6(0x0001_2345, 5), "2001:db8::10%5"),
        (Addr::text("GW.Example"), "gw.example"),
    ];
    for shape in SHAPES {
        let t = iscsisec!();
        for (d, d_text) in &destinations {
            for (o, o_text) in &outers {
                assert_eq!(
                    t.set_tunnel_as(shape, 0, d, o),
                    isdsc::SUCCESS,
                    "{shape:?} {d:?} -> {o:?}"
                );
                assert!(
                    tunnels(&t).contains(&tunnel("0", d_text, o_text)),
                    "{shape:?} {d:?} -> {o:?}: {:?}",
                    tunnels(&t)
                );
            }
        }
        assert_eq!(
            tunnels(&t),
            vec![
                tunnel("0", V4_TEXT, "gw.example"),
                tunnel("0", V6_TEXT, "gw.example"),
                tunnel("0", "target.example.com", "gw.example"),
            ],
            "{shape:?}: one mapping per destination, the last outer address"
        );
        // An EMPTY outer address removes each, in this shape too.
        for (d, _) in &destinations {
            assert_eq!(
                t.set_tunnel_as(shape, 0, d, &Addr::Empty),
                isdsc::SUCCESS,
                "{shape:?} {d:?}"
            );
        }
        assert!(tunnels(&t).is_empty(), "{shape:?}");
    }
}

#[test]
fn a_mapping_set_in_one_shape_is_replaced_and_removed_in_another() {
    let t = iscsisec!();
    let target = Addr::text("Target.Example");
    assert_eq!(
        t.set_tunnel_as(Shape::Packed, 1, &target, &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel_as(
            Shape::FixedStride512,
            1,
            &Addr::text("TARGET.example"),
            &Addr::text("gw")
        ),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("1", "target.example", "gw")]);
    assert_eq!(
        t.set_tunnel_as(Shape::FixedStride, 1, &target, &Addr::Empty),
        isdsc::SUCCESS
    );
    assert!(tunnels(&t).is_empty());
}

#[test]
fn texts_of_0_1_255_and_256_units() {
    for shape in SHAPES {
        let t = iscsisec!();
        refused_as(
            &t,
            shape,
            isdsc::INVALID_PARAMETER,
            0,
            &Addr::text(""),
            &Addr::V4(V4_OUTER),
        );
        refused_as(
            &t,
            shape,
            isdsc::INVALID_PARAMETER,
            0,
            &Addr::V4(V4),
            &Addr::text(""),
        );
        let mut expected = Vec::new();
        for n in [1, 255, 256] {
            let (d, o) = ("D".repeat(n), "o".repeat(n));
            assert_eq!(
                t.set_tunnel_as(shape, 0, &Addr::text(&d), &Addr::text(&o)),
                isdsc::SUCCESS,
                "{shape:?}, {n} units"
            );
            expected.push(tunnel("0", &d.to_ascii_lowercase(), &o));
        }
        expected.sort();
        assert_eq!(tunnels(&t), expected, "{shape:?}");
    }
}

#[test]
fn odd_or_oversized_lengths_are_refused_whatever_the_type() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::text("kept")),
        isdsc::SUCCESS
    );
    let before = show(&t);
    let bad_lengths = [1usize, 3, 511, 513, 514, 1024];
    for l in bad_lengths {
        let bytes = vec![b'a'; l];
        for shape in [Shape::Packed, Shape::FixedStride] {
            // A destination text over 514 bytes does not fit the fixed stride's slot.
            if shape == Shape::Packed || l <= 514 {
                for ty in [0, 1, 2, 3] {
                    let d = Addr::TypeWithText(ty, bytes.clone());
                    assert_eq!(
                        t.set_tunnel_as(shape, 0, &d, &Addr::V4(V4_OUTER)),
                        isdsc::INVALID_PARAMETER,
                        "{shape:?}: destination type {ty}, L1 = {l}"
                    );
                }
            }
            // An EMPTY outer address with a bad length does not remove the mapping.
            for ty in [0, 1, 2, 3] {
                let o = Addr::TypeWithText(ty, bytes.clone());
                assert_eq!(
                    t.set_tunnel_as(shape, 0, &Addr::V4(V4), &o),
                    isdsc::INVALID_PARAMETER,
                    "{shape:?}: outer type {ty}, L2 = {l}"
                );
            }
        }
    }
    assert_eq!(show(&t), before, "an error changed the state");
    // Even lengths up to 512 are fine under a type that is not text (the bytes are ignored).
    for l in [2usize, 510, 512] {
        let bytes = vec![b'a'; l];
        assert_eq!(
            t.set_tunnel(
                0,
                &Addr::TypeWithText(1, bytes.clone()),
                &Addr::TypeWithText(1, bytes.clone())
            ),
            isdsc::SUCCESS,
            "L = {l}"
        );
    }
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::TypeWithText(3, vec![0; 512])),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("0", "0.0.0.0", "0.0.0.0")]);
}

#[test]
fn the_text_is_the_units_before_the_first_nul_within_l() {
    let t = iscsisec!();
    // A NUL and padding counted in L are not text.
    let mut padded = utf16("GW.example");
    padded.extend_from_slice(&[0, 0, b'x', 0, 0xFF, 0xFF]);
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::TextBytes(padded)),
        isdsc::SUCCESS
    );
    assert_eq!(tunnels(&t), vec![tunnel("0", V4_TEXT, "gw.example")]);
    // A destination with its NUL counted is the same destination as without.
    let mut terminated = utf16("Target");
    terminated.extend_from_slice(&[0, 0]);
    assert_eq!(
        t.set_tunnel(1, &Addr::TextBytes(terminated), &Addr::text("one")),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(1, &Addr::text("target"), &Addr::text("two")),
        isdsc::SUCCESS
    );
    assert_eq!(
        tunnels(&t),
        vec![
            tunnel("0", V4_TEXT, "gw.example"),
            tunnel("1", "target", "two")
        ]
    );
    // A NUL first leaves no text, whatever follows it.
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        &Addr::TextBytes(vec![0, 0, b'a', 0]),
        &Addr::V4(V4_OUTER),
    );
    refused(
        &t,
        isdsc::INVALID_PARAMETER,
        0,
        &Addr::V4(V4),
        &Addr::TextBytes(vec![0; 512]),
    );
}

#[test]
fn the_outer_address_follows_the_destination_at_the_next_multiple_of_4() {
    let t = iscsisec!();
    // 38 + L1 for "a", "ab", "abc", "abcd": 40, 42, 44, 46, so ≡ 0, 2, 0, 2 (mod 4); the
    // builder fills the padding with 0xA5, which must not be read.
    let cases = [
        ("a", 1u8, 0usize),
        ("ab", 2, 2),
        ("abc", 3, 0),
        ("abcd", 4, 2),
    ];
    for (dest, last, padding) in cases {
        let input = tunnel_in(0, &Addr::text(dest), &Addr::V4([198, 51, 100, last]));
        let l1 = 2 * dest.len();
        assert_eq!((38 + l1) % 4, padding);
        assert_eq!(input.len(), packed_outer_at(l1) + 34);
        assert_eq!(t.call(method::SET_TUNNEL, &input), isdsc::SUCCESS, "{dest}");
        // And with a text outer address of odd unit count after it.
        let input = tunnel_in(
            1,
            &Addr::text(dest),
            &Addr::text(&"g".repeat(usize::from(last))),
        );
        assert_eq!(t.call(method::SET_TUNNEL, &input), isdsc::SUCCESS, "{dest}");
    }
    assert_eq!(
        tunnels(&t),
        vec![
            tunnel("0", "a", "198.51.100.1"),
            tunnel("0", "ab", "198.51.100.2"),
            tunnel("0", "abc", "198.51.100.3"),
            tunnel("0", "abcd", "198.51.100.4"),
            tunnel("1", "a", "g"),
            tunnel("1", "ab", "gg"),
            tunnel("1", "abc", "ggg"),
            tunnel("1", "abcd", "gggg"),
        ]
    );
}

#[test]
fn the_fixed_stride_puts_the_outer_address_at_552_whatever_l1_says() {
    let t = iscsisec!();
    // Real lengths: L1 = 4 would put a packed outer address at 44; in 1100 bytes it is at 552,
    // and 44..552 is zero (a packed reader would find a text address with no text there).
    let input = tunnel_in_fixed(0, &Addr::text("ab"), &Addr::V4(V4_OUTER));
    assert_eq!(input.len(), FIXED_STRIDE_LEN);
    assert_eq!(t.call(method::SET_TUNNEL, &input), isdsc::SUCCESS);
    assert_eq!(tunnels(&t), vec![tunnel("0", "ab", "198.51.100.1")]);
    // Bytes past 1100 are ignored and do not change the shape.
    let mut longer = tunnel_in_fixed(0, &Addr::text("ab"), &Addr::text("gw"));
    longer.extend_from_slice(&[0x33; 100]);
    assert_eq!(t.call(method::SET_TUNNEL, &longer), isdsc::SUCCESS);
    assert_eq!(tunnels(&t), vec![tunnel("0", "ab", "gw")]);
}

#[test]
fn an_in_buffer_under_1100_bytes_is_packed() {
    let t = iscsisec!();
    // The C form with L1 = L2 = 512, cut to 1098 bytes (the outer text's end): read as
    // packed, the outer address is at align4(38 + 512) = 552 as well.
    let c = tunnel_in_c(0, &Addr::text("ab"), &Addr::text("gw"));
    assert_eq!(t.call(method::SET_TUNNEL, &c[..1098]), isdsc::SUCCESS);
    assert_eq!(tunnels(&t), vec![tunnel("0", "ab", "gw")]);
    // The real-length fixed stride cut to 1099 bytes: read as packed, the outer address is at
    // 44, all zero: a text address with no text.
    let before = show(&t);
    let f = tunnel_in_fixed(0, &Addr::text("ab"), &Addr::V4(V4_OUTER));
    let a = t.exec(SECURITY_CONFIG, method::SET_TUNNEL, &f[..1099]);
    assert_eq!(
        (a.ntstatus, a.used, a.out),
        (nt::SUCCESS, 4, status_out(isdsc::INVALID_PARAMETER))
    );
    assert_eq!(show(&t), before);
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
