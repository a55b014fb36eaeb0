//! SPEC §4 `SetTunnelModeOuterAddress` (method 4) in both shapes of SPEC §2.

use super::*;

/// Method 4 in `shape`.
fn tunnel_as(shape: Shape, p: &mut P, port: u32, dest: &Address, outer: &Address) -> IsdscStatus {
    status_of(p, SEC, 4, &tunnel_in(shape, port, dest, outer))
}

/// SPEC §4 method 4's refusals in one shape of SPEC §2 (both must answer alike).
fn tunnel_refusals_in(shape: Shape) {
    let mut p = provider();
    let tunnel =
        |p: &mut P, port, dest: &Address, outer: &Address| tunnel_as(shape, p, port, dest, outer);
    let outer = &Address::text("Gateway.Example");
    let v4 = &Address::ipv4([1, 2, 3, 4]);
    assert_eq!(
        tunnel(&mut p, 2, v4, outer),
        IsdscStatus::INVALID_PORT_NUMBER
    );
    // A bad port wins over bad addresses.
    assert_eq!(
        tunnel(&mut p, 2, &Address::raw(4, &[]), &Address::raw(0, b"odd")),
        IsdscStatus::INVALID_PORT_NUMBER
    );
    let v4_odd_text = Address {
        text_address: b"a".to_vec(),
        ..Address::ipv4([1, 2, 3, 4])
    };
    for bad_dest in [
        Address::empty(),
        Address::raw(4, &[]),
        Address::text(""),
        Address::raw(0, &[0, 0, 0x61, 0]),
        Address::raw(0, b"odd"),
        Address::text(&"x".repeat(257)),
        v4_odd_text.clone(),
    ] {
        assert_eq!(
            tunnel(&mut p, 0, &bad_dest, outer),
            IsdscStatus::INVALID_PARAMETER,
            "{bad_dest:?}"
        );
    }
    for bad_outer in [
        Address::raw(4, &[]),
        Address::text(""),
        Address::raw(0, b"odd"),
        Address::text(&"x".repeat(257)),
        v4_odd_text,
        Address::empty().padded(514),
    ] {
        assert_eq!(
            tunnel(&mut p, 0, v4, &bad_outer),
            IsdscStatus::INVALID_PARAMETER,
            "{bad_outer:?}"
        );
    }
    assert_eq!(p.table().tunnel_entries().len(), 0);
}

/// SPEC §4 method 4's accepted forms, and removal, in one shape of SPEC §2.
fn tunnel_accepted_forms_in(shape: Shape) {
    let mut p = provider();
    let tunnel =
        |p: &mut P, port, dest: &Address, outer: &Address| tunnel_as(shape, p, port, dest, outer);
    let outer = &Address::text("Gateway.Example");
    assert_eq!(
        tunnel(&mut p, 0, &Address::text("Target.EXAMPLE"), outer),
        IsdscStatus::SUCCESS
    );
    // The same text with its NUL and padding counted in L (as a C caller sends L = 512).
    let padded = Address::text("target.example").padded(512);
    assert_eq!(
        tunnel(&mut p, 0, &padded, &Address::ipv4([10, 0, 0, 9])),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        p.table().tunnel_entries().len(),
        1,
        "text destinations ignore ASCII case, and the NUL ends the text"
    );
    let target = Destination::parse(&Address::text("target.example").view()).unwrap();
    assert_eq!(
        p.table().tunnel(PortSelector::Port(0), &target),
        Some(&OuterAddress::Ipv4([10, 0, 0, 9]))
    );
    // 256 units fill L = 512 without a NUL: the longest text, as destination and outer.
    let longest = &Address::text(&"b".repeat(256));
    assert_eq!(tunnel(&mut p, 1, longest, longest), IsdscStatus::SUCCESS);
    let longest_dest = Destination::parse(&longest.view()).unwrap();
    assert_eq!(
        p.table()
            .tunnel(PortSelector::Port(1), &longest_dest)
            .map(|o| o.to_string().len()),
        Some(256)
    );
    assert_eq!(
        tunnel(&mut p, 1, longest, &Address::empty()),
        IsdscStatus::SUCCESS
    );

    let v6_bytes = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let v6 = &Address::ipv6(v6_bytes, 1, 0);
    assert_eq!(tunnel(&mut p, ALL, v6, outer), IsdscStatus::SUCCESS);
    // Text bytes under a non-text type are carried and ignored (L is still checked).
    let v6b = &Address {
        text_address: b"i\0g\0n\0".to_vec(),
        ..Address::ipv6(v6_bytes, 2, 4)
    };
    assert_eq!(
        tunnel(&mut p, ALL, v6b, &Address::ipv4([10, 0, 0, 6])),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        p.table().tunnel_entries().len(),
        2,
        "IPv6 flow info and scope are ignored"
    );
    let dest6 = Destination::parse(&v6.view()).unwrap();
    assert_eq!(
        p.table().tunnel(PortSelector::Port(1), &dest6),
        Some(&OuterAddress::Ipv4([10, 0, 0, 6]))
    );
    let p2 = restart(p);
    assert_eq!(p2.table().tunnel_entries().len(), 2);
    let mut p = p2;
    // An EMPTY outer address removes the mapping; removing an absent one succeeds.
    for _ in 0..2 {
        assert_eq!(
            tunnel(&mut p, ALL, v6b, &Address::empty()),
            IsdscStatus::SUCCESS
        );
    }
    assert_eq!(p.table().tunnel_entries().len(), 1);
    assert_eq!(restart(p).table().tunnel_entries().len(), 1);
}

#[test]
fn tunnel_address_rules_packed() {
    tunnel_refusals_in(Shape::Packed);
    tunnel_accepted_forms_in(Shape::Packed);
}

#[test]
fn tunnel_address_rules_fixed_stride() {
    tunnel_refusals_in(Shape::FixedStride);
    tunnel_accepted_forms_in(Shape::FixedStride);
}

#[test]
fn tunnel_shapes_by_in_size() {
    let mut p = provider();
    let packed = tunnel_in(
        Shape::Packed,
        0,
        &Address::ipv4([1, 1, 1, 1]),
        &Address::ipv4([2, 2, 2, 2]),
    );
    assert_eq!(packed.len(), 74, "WMI's IPv4 mapping");
    // The same bytes padded to 1100 are read as the fixed stride: the outer address at 552
    // is then all zero, a text address with no text.
    let mut as_fixed = packed.clone();
    as_fixed.resize(1100, 0);
    assert_eq!(
        status_of(&mut p, SEC, 4, &as_fixed),
        IsdscStatus::INVALID_PARAMETER
    );
    // Padded to 1099 they are still packed.
    as_fixed.truncate(1099);
    assert_eq!(status_of(&mut p, SEC, 4, &as_fixed), IsdscStatus::SUCCESS);
    // The fixed stride ignores L1 for where the outer address is.
    let fixed = tunnel_in(
        Shape::FixedStride,
        0,
        &Address::text("t"),
        &Address::ipv4([3, 3, 3, 3]),
    );
    assert_eq!((fixed.len(), fixed[36]), (1100, 2));
    assert_eq!(status_of(&mut p, SEC, 4, &fixed), IsdscStatus::SUCCESS);
    let t = Destination::parse(&Address::text("t").view()).unwrap();
    assert_eq!(
        p.table().tunnel(PortSelector::Port(0), &t),
        Some(&OuterAddress::Ipv4([3, 3, 3, 3]))
    );
}

#[test]
fn tunnel_rule3_steps_change_nothing() {
    let mut p = provider();
    let before = fingerprint(p.table());
    let full = tunnel_in(Shape::Packed, 0, &Address::text("tg"), &Address::text("gw"));
    assert_eq!(full.len(), 44 + 34 + 4);
    let mut long_l1 = full.clone();
    long_l1[36..38].copy_from_slice(&0xFFFEu16.to_le_bytes());
    let mut long_l2 = tunnel_in(
        Shape::FixedStride,
        0,
        &Address::text("tg"),
        &Address::text("gw"),
    );
    long_l2[584..586].copy_from_slice(&0xFFFEu16.to_le_bytes());
    for input in [
        &full[..37],  // before L1
        &full[..41],  // before the end of the destination's text
        &full[..77],  // before L2
        &full[..81],  // before the end of the outer address's text
        &long_l1[..], // 38 + 65534 bytes needed
        &long_l2[..], // 552 + 34 + 65534 bytes needed
    ] {
        let mut buf = input.to_vec();
        buf.resize(input.len().max(4), 0);
        let r = p.execute_method(&SEC, 4, &mut buf, len32(input), 4);
        assert_eq!(
            r,
            MethodResult {
                status: NtStatus::INVALID_PARAMETER,
                used: 0
            },
            "{} bytes",
            input.len()
        );
    }
    assert_eq!(fingerprint(p.table()), before);
}
