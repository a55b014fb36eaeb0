//! SPEC §3: how a method call is answered (class, method id, buffer sizes, OUT).

use super::*;

#[test]
fn rule0_unknown_class() {
    let mut p = provider();
    let mut buf = [0u8; 64];
    let other = Guid::parse("00000000-0000-0000-0000-000000000001").unwrap();
    for class in [Guid::NULL, other] {
        let r = p.execute_method(&class, 1, &mut buf, 64, 64);
        assert_eq!(
            r,
            MethodResult {
                status: NtStatus::WMI_GUID_NOT_FOUND,
                used: 0
            }
        );
    }
    assert_eq!(out_size(&Guid::NULL, 1), Err(NtStatus::WMI_GUID_NOT_FOUND));
}

#[test]
fn rule1_unknown_method_for_each_class() {
    let mut p = provider();
    let mut buf = [0u8; 64];
    for (class, id) in [
        (SEC, 0),
        (SEC, 7),
        (SEC, 71),
        (OPS, 1),
        (OPS, 72),
        (OPS, u32::MAX),
    ] {
        let r = p.execute_method(&class, id, &mut buf, 64, 64);
        assert_eq!(
            r,
            MethodResult {
                status: NtStatus::WMI_ITEMID_NOT_FOUND,
                used: 0
            },
            "{id}"
        );
    }
    assert_eq!(buf, [0u8; 64], "nothing written");
}

#[test]
fn rule2_small_output_buffer_changes_nothing() {
    let mut p = provider();
    assert_eq!(group(&mut p, b"group"), IsdscStatus::SUCCESS);
    let before = fingerprint(p.table());
    let cases: [(Guid, u32, Vec<u8>, u32); 7] = [
        (SEC, 1, set_psk_in(0, 1, 2, b"a.example", b"k"), 4),
        (SEC, 2, vec![0; 16], 16),
        (SEC, 3, group_key_in(b""), 4),
        (SEC, 4, vec![0; 1100], 4),
        (SEC, 5, vec![], 4),
        (SEC, 6, vec![7; 16], 4),
        (OPS, 71, chap_secret_in(b""), 4),
    ];
    for (class, id, input, out_len) in cases {
        for short in [0, out_len - 1] {
            let mut buf = input.clone();
            buf.resize(input.len().max(usize::try_from(out_len).unwrap()), 0);
            let r = p.execute_method(&class, id, &mut buf, len32(&input), short);
            assert_eq!(
                r,
                MethodResult {
                    status: NtStatus::BUFFER_TOO_SMALL,
                    used: out_len
                }
            );
        }
    }
    assert_eq!(fingerprint(p.table()), before);
    assert!(
        p.table().group_key().is_some(),
        "SetGroupPresharedKey with size 0 did not run"
    );
}

#[test]
fn rule3_short_input_for_each_method() {
    let mut p = provider();
    let before = fingerprint(p.table());
    let psk = set_psk_in(0, 1, 2, b"a.example", b"key");
    let cases: [(Guid, u32, Vec<u8>); 6] = [
        (SEC, 1, psk.clone()),
        (SEC, 2, get_psk_in(0, 2, b"abc")),
        (SEC, 3, group_key_in(b"grp")),
        (
            SEC,
            4,
            tunnel_in(
                Shape::Packed,
                0,
                &Address::ipv4([1, 2, 3, 4]),
                &Address::ipv4([5, 6, 7, 8]),
            ),
        ),
        (SEC, 6, vec![1; 16]),
        (OPS, 71, chap_secret_in(b"0123456789abcdef")),
    ];
    for (class, id, input) in cases {
        for cut in [0, 1, input.len() - 1] {
            let mut buf = input.clone();
            buf.resize(input.len().max(16), 0);
            let r = p.execute_method(&class, id, &mut buf, len32(&input[..cut]), 16);
            assert_eq!(
                r,
                MethodResult {
                    status: NtStatus::INVALID_PARAMETER,
                    used: 0
                },
                "method {id} cut {cut}"
            );
        }
    }
    assert_eq!(fingerprint(p.table()), before);
}

#[test]
fn rule3_the_fixed_parts_are_exactly_the_spec_sizes() {
    // SPEC §3: 28, 12, 4, (38,) 0, 16, 4 bytes. One byte short is refused; the fixed part
    // alone, every declared size 0, is read and answered. Method 4's steps past its 38 bytes
    // are `tunnel::tunnel_rule3_steps_change_nothing`; ClearCache's 0 is
    // `clear_cache_accepts_any_input_size` and `rule4_out_is_written_whole_over_a_dirty_buffer`.
    let mut p = provider();
    for (class, id, fixed) in [
        (SEC, 1, 28),
        (SEC, 2, 12),
        (SEC, 3, 4),
        (SEC, 6, 16),
        (OPS, 71, 4),
    ] {
        let mut buf = [0u8; 32];
        let short = p.execute_method(&class, id, &mut buf, fixed - 1, 16);
        let r = MethodResult {
            status: NtStatus::INVALID_PARAMETER,
            used: 0,
        };
        assert_eq!(short, r, "method {id}, {} bytes", fixed - 1);
        let mut buf = [0u8; 32];
        let whole = p.execute_method(&class, id, &mut buf, fixed, 16);
        assert_eq!(
            whole.status,
            NtStatus::SUCCESS,
            "method {id}, {fixed} bytes"
        );
    }
}

#[test]
fn rule3_declared_sizes_that_overflow() {
    let mut p = provider();
    for (id_size, key_size) in [
        (u32::MAX, 1),
        (1, u32::MAX),
        (u32::MAX, u32::MAX),
        (0x8000_0000, 0x8000_0000),
    ] {
        let mut input = set_psk_in(0, 1, 2, b"a", b"k");
        input[20..24].copy_from_slice(&id_size.to_le_bytes());
        input[24..28].copy_from_slice(&key_size.to_le_bytes());
        let (r, _) = call(&mut p, SEC, 1, &input);
        assert_eq!(
            r,
            MethodResult {
                status: NtStatus::INVALID_PARAMETER,
                used: 0
            }
        );
    }
    let mut get = vec![0u8; 12];
    get[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        call(&mut p, SEC, 2, &get).0.status,
        NtStatus::INVALID_PARAMETER
    );
    let mut grp = vec![0xff; 4];
    grp.extend_from_slice(b"pad");
    assert_eq!(
        call(&mut p, SEC, 3, &grp).0.status,
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(
        call(&mut p, OPS, 71, &grp).0.status,
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(p.table().psk_count(), 0);
}

#[test]
fn rule3_bytes_past_declared_sizes_are_ignored() {
    let mut p = provider();
    let mut input = set_psk_in(0, 1, 2, b"pad.example", b"key");
    input.extend_from_slice(&[0xee; 40]);
    assert_eq!(status_of(&mut p, SEC, 1, &input), IsdscStatus::SUCCESS);
    let (_, key) = look(&p, PortSelector::Port(0), &fqdn("pad.example")).unwrap();
    assert_eq!(key, b"key");
    let mut g = group_key_in(b"gk");
    g.extend_from_slice(&[1, 2, 3]);
    assert_eq!(status_of(&mut p, SEC, 3, &g), IsdscStatus::SUCCESS);
    assert_eq!(p.table().group_key().unwrap().expose_secret(), b"gk");
}

#[test]
fn sizes_beyond_the_buffer_are_clamped_not_trusted() {
    let mut p = provider();
    let input = set_psk_in(0, 1, 2, b"a.example", b"key");
    let mut buf = input.clone();
    // The caller claims more than the buffer holds, in both directions.
    let r = p.execute_method(&SEC, 1, &mut buf, u32::MAX, u32::MAX);
    assert_eq!(
        r,
        MethodResult {
            status: NtStatus::SUCCESS,
            used: 4
        }
    );
    let mut tiny = [0u8; 3];
    let r = p.execute_method(&SEC, 5, &mut tiny, u32::MAX, u32::MAX);
    assert_eq!(
        r,
        MethodResult {
            status: NtStatus::BUFFER_TOO_SMALL,
            used: 4
        }
    );
    let mut empty: [u8; 0] = [];
    let r = p.execute_method(&SEC, 2, &mut empty, 100, 100);
    assert_eq!(
        r,
        MethodResult {
            status: NtStatus::BUFFER_TOO_SMALL,
            used: 16
        }
    );
}

#[test]
fn rule4_out_is_written_whole_over_a_dirty_buffer() {
    let mut p = provider();
    let (r, buf) = call(&mut p, SEC, 5, &[]);
    assert_eq!(
        r,
        MethodResult {
            status: NtStatus::SUCCESS,
            used: 4
        }
    );
    assert_eq!(buf[..4], [0, 0, 0, 0]);
    let mut get = vec![0xa5u8; 40];
    get[..12].copy_from_slice(&[0, 0, 0, 0, 2, 0xa5, 0xa5, 0xa5, 3, 0, 0, 0]);
    get[12..15].copy_from_slice(b"abc");
    let r = p.execute_method(&SEC, 2, &mut get, 15, 40);
    assert_eq!(
        r,
        MethodResult {
            status: NtStatus::SUCCESS,
            used: 16
        }
    );
    assert_eq!(
        get[..16],
        [0x27, 0, 0xff, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn clear_cache_accepts_any_input_size() {
    let mut p = provider();
    let mut buf = [9u8; 32];
    let r = p.execute_method(&SEC, 5, &mut buf, 32, 4);
    assert_eq!(
        r,
        MethodResult {
            status: NtStatus::SUCCESS,
            used: 4
        }
    );
    assert_eq!(StatusOut::parse(&buf).unwrap().status, IsdscStatus::SUCCESS);
}
