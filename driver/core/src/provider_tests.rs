//! Provider tests: SPEC §3 transport rules, §4 semantics, §5 precedence, §6 persistence.

use super::*;
use crate::fuzzing::{Call, Class};
use crate::store::MemoryStore;
use crate::testing::buffers::{
    Address, chap_secret_in, get_psk_in, group_key_in, set_psk_in, tunnel_in,
};
use crate::testing::{FaultStore, Scenario, TestPlatform, fingerprint, test_platform};
use crate::wire::set_tunnel_mode_outer_address::Shape;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

const SEC: Guid = SECURITY_CONFIG_OPERATIONS_GUID;
const OPS: Guid = OPERATIONS_GUID;
const ALL: u32 = 0xFFFF_FFFF;

type P = Provider<MemoryStore, TestPlatform>;

/// The host's default settings; under Miri a small table, since every scan of the default
/// 4096 buckets costs seconds there (SPEC behaviour does not depend on the capacity beyond the
/// tests that set their own).
fn config() -> AdapterConfig {
    if cfg!(miri) {
        AdapterConfig {
            port_count: 2,
            max_entries: 16,
        }
    } else {
        AdapterConfig::default()
    }
}

fn provider() -> P {
    Provider::start(MemoryStore::new(), config(), test_platform())
        .unwrap()
        .0
}

fn restart(p: P) -> P {
    let config = p.config();
    Provider::start(p.into_store(), config, test_platform())
        .unwrap()
        .0
}

/// Calls a method with a buffer exactly as long as the input or the OUT, whichever is larger,
/// its bytes past the input dirty (0xa5).
fn call(p: &mut P, class: Guid, method: u32, input: &[u8]) -> (MethodResult, Vec<u8>) {
    let out = out_size(&class, method).unwrap_or(0);
    let len = input.len().max(out as usize);
    let mut buf = vec![0xa5; len];
    buf[..input.len()].copy_from_slice(input);
    let r = p.execute_method(&class, method, &mut buf, input.len() as u32, out);
    (r, buf)
}

fn status_of(p: &mut P, class: Guid, method: u32, input: &[u8]) -> IsdscStatus {
    let (r, buf) = call(p, class, method, input);
    assert_eq!(r.status, NtStatus::SUCCESS, "transport status");
    StatusOut::parse(&buf).unwrap().status
}

fn set_psk(p: &mut P, port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> IsdscStatus {
    status_of(p, SEC, 1, &set_psk_in(port, flags, id_type, id, key))
}

fn get_psk(p: &mut P, port: u32, id_type: u8, id: &[u8]) -> (IsdscStatus, u64) {
    let (res, buf) = call(p, SEC, 2, &get_psk_in(port, id_type, id));
    assert_eq!(
        res,
        MethodResult {
            status: NtStatus::SUCCESS,
            used: 16
        }
    );
    assert_eq!(buf[4..8], [0, 0, 0, 0], "padding is written as zero");
    let out = GetPresharedKeyForIdOut::parse(&buf).unwrap();
    (out.status, out.security_flags)
}

fn group(p: &mut P, key: &[u8]) -> IsdscStatus {
    status_of(p, SEC, 3, &group_key_in(key))
}

fn chap(p: &mut P, secret: &[u8]) -> IsdscStatus {
    status_of(p, OPS, 71, &chap_secret_in(secret))
}

fn clear_cache(p: &mut P) -> IsdscStatus {
    status_of(p, SEC, 5, &[])
}

/// Method 4 as WMI sends it (packed).
fn tunnel(p: &mut P, port: u32, dest: &Address, outer: &Address) -> IsdscStatus {
    status_of(p, SEC, 4, &tunnel_in(Shape::Packed, port, dest, outer))
}

fn fqdn(s: &str) -> Identifier {
    Identifier::parse(2, s.as_bytes()).unwrap()
}

fn look(p: &P, port: PortSelector, id: &Identifier) -> Result<(KeySource, Vec<u8>), LookupMiss> {
    let mut out = KeyBuffer::new();
    let source = p.lookup(port, id, &mut out)?;
    Ok((source, out.expose_secret().to_vec()))
}

// ---------------------------------------------------------------- §3 transport rules

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
            buf.resize(input.len().max(out_len as usize), 0);
            let r = p.execute_method(&class, id, &mut buf, input.len() as u32, short);
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
        (SEC, 2, {
            let mut v = vec![0; 12];
            v[4] = 2;
            v[8] = 3;
            v.extend_from_slice(b"abc");
            v
        }),
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
            let r = p.execute_method(&class, id, &mut buf, cut as u32, 16);
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
    // The fixed parts of SPEC §3: 28, 12, 4, 38, 0, 16, 4.
    assert_eq!(wire::set_preshared_key_for_id::FIXED_LEN, 28);
    assert_eq!(wire::get_preshared_key_for_id::FIXED_LEN, 12);
    assert_eq!(wire::set_group_preshared_key::FIXED_LEN, 4);
    assert_eq!(wire::set_tunnel_mode_outer_address::FIXED_LEN, 38);
    assert_eq!(wire::set_generational_guid::FIXED_LEN, 16);
    assert_eq!(wire::set_chap_shared_secret::FIXED_LEN, 4);
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

// ---------------------------------------------------------------- §4 semantics

#[test]
fn set_psk_checks_in_spec_order() {
    let mut p = provider();
    // port before flags before identifier before key
    assert_eq!(
        set_psk(&mut p, 2, 0x60, 9, b"", &[0; 300]),
        IsdscStatus::INVALID_PORT_NUMBER
    );
    assert_eq!(
        set_psk(&mut p, 0, 0x60, 9, b"", &[0; 300]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(
        set_psk(&mut p, 0, 0x80, 9, b"", &[0; 300]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 9, b"", &[0; 300]),
        IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 4, b"1234", b"k"),
        IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 1, b"", &[0; 300]),
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 5, &[0; 4], b"k"),
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, &[b'a'; 256], b"k"),
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 3, b"a b", &[0; 300]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 3, b"ab", &[0; 257]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.store().is_empty());
    assert_eq!(
        set_psk(&mut p, 0, 1, 3, b"ab", &[0; 256]),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        set_psk(&mut p, ALL, 0x5f, 1, &[10, 0, 0, 1], b"\0binary\xff"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 2);
}

#[test]
fn set_psk_replace_remove_and_remove_absent() {
    let mut p = provider();
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"Host.Example", b"one"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        set_psk(&mut p, 0, 3, 2, b"host.example", b"two"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        p.table().psk_count(),
        1,
        "names are compared without ASCII case"
    );
    assert_eq!(
        get_psk(&mut p, 0, 2, b"HOST.example"),
        (IsdscStatus::SUCCESS, 3)
    );
    assert_eq!(
        look(&p, PortSelector::Port(0), &fqdn("host.example"))
            .unwrap()
            .1,
        b"two"
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"HOST.EXAMPLE", b""),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.store().is_empty());
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"never.set", b""),
        IsdscStatus::SUCCESS
    );
    // Removal still checks port, flags and identifier.
    assert_eq!(
        set_psk(&mut p, 5, 1, 2, b"x", b""),
        IsdscStatus::INVALID_PORT_NUMBER
    );
}

#[test]
fn capacity_refuses_new_entries_only() {
    let config = AdapterConfig {
        port_count: 2,
        max_entries: 2,
    };
    let mut p = Provider::start(MemoryStore::new(), config, test_platform())
        .unwrap()
        .0;
    assert_eq!(set_psk(&mut p, 0, 1, 2, b"a", b"1"), IsdscStatus::SUCCESS);
    assert_eq!(set_psk(&mut p, 1, 1, 2, b"a", b"2"), IsdscStatus::SUCCESS);
    assert_eq!(
        set_psk(&mut p, ALL, 1, 2, b"a", b"3"),
        IsdscStatus::HBA_SECURITY_CACHE_FULL
    );
    assert_eq!(
        set_psk(&mut p, 0, 5, 2, b"A", b"replaced"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 2);
    assert_eq!(set_psk(&mut p, 0, 1, 2, b"a", b""), IsdscStatus::SUCCESS);
    assert_eq!(set_psk(&mut p, ALL, 1, 2, b"a", b"3"), IsdscStatus::SUCCESS);
    // Tunnel mappings have the same limit, counted separately.
    let outer = &Address::ipv4([10, 0, 0, 1]);
    assert_eq!(
        tunnel(&mut p, 0, &Address::ipv4([1, 1, 1, 1]), outer),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        tunnel(&mut p, 0, &Address::ipv4([1, 1, 1, 2]), outer),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        tunnel(&mut p, 0, &Address::ipv4([1, 1, 1, 3]), outer),
        IsdscStatus::HBA_SECURITY_CACHE_FULL
    );
    assert_eq!(
        tunnel(
            &mut p,
            0,
            &Address::ipv4([1, 1, 1, 2]),
            &Address::ipv4([9, 9, 9, 9])
        ),
        IsdscStatus::SUCCESS
    );
}

#[test]
fn get_psk_precedence_and_statuses() {
    let mut p = provider();
    assert_eq!(
        get_psk(&mut p, 3, 2, b"x"),
        (IsdscStatus::INVALID_PORT_NUMBER, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 4, b"x"),
        (IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 1, b"x"),
        (IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 2, b"a\tb"),
        (IsdscStatus::INVALID_PARAMETER, 0)
    );
    assert_eq!(group(&mut p, b"group"), IsdscStatus::SUCCESS);
    assert_eq!(
        get_psk(&mut p, 0, 2, b"h"),
        (IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    assert_eq!(
        set_psk(&mut p, ALL, 0x09, 2, b"h", b"all"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(get_psk(&mut p, 0, 2, b"h"), (IsdscStatus::SUCCESS, 0x09));
    assert_eq!(get_psk(&mut p, ALL, 2, b"h"), (IsdscStatus::SUCCESS, 0x09));
    assert_eq!(
        set_psk(&mut p, 1, 0x05, 2, b"h", b"one"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(get_psk(&mut p, 1, 2, b"h"), (IsdscStatus::SUCCESS, 0x05));
    assert_eq!(get_psk(&mut p, 0, 2, b"h"), (IsdscStatus::SUCCESS, 0x09));
}

#[test]
fn lookup_precedence_table() {
    let mut p = provider();
    let id = fqdn("init.example");
    let (p0, p1, all) = (
        PortSelector::Port(0),
        PortSelector::Port(1),
        PortSelector::All,
    );
    assert_eq!(look(&p, p0, &id), Err(LookupMiss::NoKey));
    assert_eq!(group(&mut p, b"G"), IsdscStatus::SUCCESS);
    assert_eq!(look(&p, p0, &id), Ok((KeySource::Group, b"G".to_vec())));
    assert_eq!(look(&p, all, &id), Ok((KeySource::Group, b"G".to_vec())));
    assert_eq!(
        set_psk(&mut p, ALL, 1, 2, b"init.example", b"A"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(look(&p, p0, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    assert_eq!(look(&p, all, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"init.example", b"P"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(look(&p, p0, &id), Ok((KeySource::Port, b"P".to_vec())));
    assert_eq!(look(&p, p1, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    assert_eq!(look(&p, all, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
    // Another id type with the same text is another identifier.
    let user = Identifier::parse(3, b"init.example").unwrap();
    assert_eq!(look(&p, p0, &user), Ok((KeySource::Group, b"G".to_vec())));
    assert_eq!(group(&mut p, b""), IsdscStatus::SUCCESS);
    assert_eq!(look(&p, p0, &user), Err(LookupMiss::NoKey));
    // Everything survives a restart.
    let p = restart(p);
    assert_eq!(look(&p, p0, &id), Ok((KeySource::Port, b"P".to_vec())));
    assert_eq!(look(&p, p1, &id), Ok((KeySource::AllPorts, b"A".to_vec())));
}

#[test]
fn group_key_sizes() {
    let mut p = provider();
    assert_eq!(group(&mut p, &[1; 257]), IsdscStatus::INVALID_PARAMETER);
    assert!(p.table().group_key().is_none());
    assert_eq!(group(&mut p, &[1; 256]), IsdscStatus::SUCCESS);
    assert_eq!(group(&mut p, &[2; 1]), IsdscStatus::SUCCESS);
    assert_eq!(p.table().group_key().unwrap().expose_secret(), &[2]);
    assert_eq!(group(&mut p, &[]), IsdscStatus::SUCCESS);
    assert!(p.table().group_key().is_none());
    assert_eq!(
        group(&mut p, &[]),
        IsdscStatus::SUCCESS,
        "clearing an unset key succeeds"
    );
}

#[test]
fn chap_secret_sizes() {
    let mut p = provider();
    assert_eq!(
        chap(&mut p, &[1; 17]),
        IsdscStatus::INVALID_INITIATOR_CHAP_SECRET
    );
    assert!(p.table().chap_secret().is_none());
    assert_eq!(chap(&mut p, &[1; 1]), IsdscStatus::SHORT_CHAP_SECRET);
    assert_eq!(chap(&mut p, &[1; 11]), IsdscStatus::SHORT_CHAP_SECRET);
    assert_eq!(
        p.table().chap_secret().unwrap().len(),
        11,
        "a warning means it was stored"
    );
    let p2 = restart(p);
    assert_eq!(
        p2.table().chap_secret().unwrap().len(),
        11,
        "and is durable"
    );
    let mut p = p2;
    assert_eq!(chap(&mut p, &[1; 12]), IsdscStatus::SUCCESS);
    assert_eq!(chap(&mut p, &[1; 16]), IsdscStatus::SUCCESS);
    assert_eq!(
        chap(&mut p, &[1; 17]),
        IsdscStatus::INVALID_INITIATOR_CHAP_SECRET
    );
    assert_eq!(
        p.table().chap_secret().unwrap().len(),
        16,
        "an error changed nothing"
    );
    assert_eq!(chap(&mut p, &[]), IsdscStatus::SUCCESS);
    assert!(p.table().chap_secret().is_none());
}

/// SPEC §4 method 4 in one shape of SPEC §2 (both must answer alike).
fn tunnel_address_rules_in(shape: Shape) {
    let mut p = provider();
    let tunnel = |p: &mut P, port, dest: &Address, outer: &Address| {
        status_of(p, SEC, 4, &tunnel_in(shape, port, dest, outer))
    };
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
    tunnel_address_rules_in(Shape::Packed);
}

#[test]
fn tunnel_address_rules_fixed_stride() {
    tunnel_address_rules_in(Shape::FixedStride);
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
        let r = p.execute_method(&SEC, 4, &mut buf, input.len() as u32, 4);
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

#[test]
fn generational_guid_is_stored_and_survives() {
    let mut p = provider();
    assert_eq!(p.table().generational_guid(), [0; 16]);
    let g: [u8; 16] = core::array::from_fn(|i| i as u8);
    assert_eq!(status_of(&mut p, SEC, 6, &g), IsdscStatus::SUCCESS);
    assert_eq!(restart(p).table().generational_guid(), g);
}

#[test]
fn clear_cache_clears_keys_and_secret_and_keeps_tunnels_and_guid() {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"a", b"1");
    set_psk(&mut p, ALL, 1, 1, &[1, 2, 3, 4], b"2");
    group(&mut p, b"g");
    chap(&mut p, b"0123456789ab");
    tunnel(
        &mut p,
        0,
        &Address::ipv4([1, 1, 1, 1]),
        &Address::ipv4([2, 2, 2, 2]),
    );
    status_of(&mut p, SEC, 6, &[5; 16]);
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    let check = |p: &P| {
        assert_eq!(p.table().psk_count(), 0);
        assert!(p.table().group_key().is_none());
        assert!(p.table().chap_secret().is_none());
        assert_eq!(p.table().tunnel_entries().len(), 1);
        assert_eq!(p.table().generational_guid(), [5; 16]);
        assert_eq!(p.store().len(), 2);
    };
    check(&p);
    check(&restart(p));
}

// ---------------------------------------------------------------- secrets

#[test]
fn secret_bearing_input_is_wiped_from_the_buffer() {
    let mut p = provider();
    let key = b"do-not-leave-me-in-the-buffer";
    let input = set_psk_in(0, 1, 2, b"wipe.example", key);
    let mut buf = input.clone();
    let r = p.execute_method(&SEC, 1, &mut buf, input.len() as u32, input.len() as u32);
    assert_eq!(r.status, NtStatus::SUCCESS);
    assert!(buf.iter().all(|&b| b == 0), "only the zero status remains");
    // Also when the call is refused: a too-small OUT and a bad port.
    for (port, out) in [(0, 0), (9, 4)] {
        let input = set_psk_in(port, 1, 2, b"wipe.example", key);
        let mut buf = input.clone();
        p.execute_method(&SEC, 1, &mut buf, input.len() as u32, out);
        assert!(!buf.windows(key.len()).any(|w| w == key));
    }
    let mut g = group_key_in(b"group-secret-bytes");
    let len = g.len() as u32;
    p.execute_method(&SEC, 3, &mut g, len, 4);
    assert!(g[4..].iter().all(|&b| b == 0));
    let mut c = chap_secret_in(b"chap-secret-16b!");
    let len = c.len() as u32;
    p.execute_method(&OPS, 71, &mut c, len, 4);
    assert!(c[4..].iter().all(|&b| b == 0));
}

#[test]
fn debug_output_of_provider_and_records_holds_no_secret() {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"a", b"SECRET-PSK-BYTES");
    group(&mut p, b"SECRET-GROUP-KEY");
    chap(&mut p, b"SECRET-CHAP-1234");
    let text = alloc::format!("{p:?}");
    assert!(!text.contains("SECRET"), "{text}");
    let hex: String = b"SECRET".iter().map(|b| alloc::format!("{b}, ")).collect();
    assert!(!text.contains(hex.trim_end_matches(", ")));
}

// ---------------------------------------------------------------- §6 storage

#[test]
fn a_failed_store_write_changes_nothing() {
    let (store, fault) = FaultStore::new(MemoryStore::new());
    let mut p = Provider::start(store, config(), test_platform()).unwrap().0;
    let ok = |p: &mut Provider<FaultStore, TestPlatform>, m: u32, class: Guid, input: &[u8]| {
        let mut buf = input.to_vec();
        buf.resize(input.len().max(16), 0);
        let r = p.execute_method(&class, m, &mut buf, input.len() as u32, 16);
        assert_eq!(r.status, NtStatus::SUCCESS);
        StatusOut::parse(&buf).unwrap().status
    };
    assert_eq!(
        ok(&mut p, 1, SEC, &set_psk_in(0, 1, 2, b"a", b"old")),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        ok(&mut p, 3, SEC, &group_key_in(b"gold")),
        IsdscStatus::SUCCESS
    );
    let before = fingerprint(p.table());
    let stored_before = fault.durable();
    fault.set(Scenario::Failing);
    let tun = tunnel_in(
        Shape::Packed,
        0,
        &Address::ipv4([1, 1, 1, 1]),
        &Address::ipv4([2, 2, 2, 2]),
    );
    let calls: [(u32, Guid, Vec<u8>); 8] = [
        (1, SEC, set_psk_in(0, 1, 2, b"a", b"new")),
        (1, SEC, set_psk_in(0, 1, 2, b"b", b"new")),
        (1, SEC, set_psk_in(0, 1, 2, b"a", b"")),
        (3, SEC, group_key_in(b"gnew")),
        (3, SEC, group_key_in(b"")),
        (4, SEC, tun),
        (6, SEC, vec![1; 16]),
        (71, OPS, chap_secret_in(b"0123456789ab")),
    ];
    for (m, class, input) in calls {
        assert_eq!(
            ok(&mut p, m, class, &input),
            IsdscStatus::NON_SPECIFIC_ERROR,
            "method {m}"
        );
    }
    assert_eq!(ok(&mut p, 5, SEC, &[]), IsdscStatus::NON_SPECIFIC_ERROR);
    assert_eq!(fingerprint(p.table()), before);
    assert!(fault.durable() == stored_before);
    fault.set(Scenario::Healthy);
    let id = fqdn("a");
    let mut out = KeyBuffer::new();
    assert_eq!(
        p.lookup(PortSelector::Port(0), &id, &mut out),
        Ok(KeySource::Port)
    );
    assert_eq!(out.expose_secret(), b"old");
}

#[test]
fn clear_cache_interrupted_by_storage_finishes_next_time() {
    let (store, fault) = FaultStore::new(MemoryStore::new());
    let mut p = Provider::start(store, config(), test_platform()).unwrap().0;
    let run = |p: &mut Provider<FaultStore, TestPlatform>, m: u32, class: Guid, input: &[u8]| {
        let mut buf = input.to_vec();
        buf.resize(input.len().max(4), 0);
        p.execute_method(&class, m, &mut buf, input.len() as u32, 4);
        StatusOut::parse(&buf).unwrap().status
    };
    for i in 0..5u8 {
        run(&mut p, 1, SEC, &set_psk_in(0, 1, 2, &[b'a' + i], b"k"));
    }
    run(&mut p, 3, SEC, &group_key_in(b"g"));
    fault.set(Scenario::FailAfter(3));
    assert_eq!(run(&mut p, 5, SEC, &[]), IsdscStatus::NON_SPECIFIC_ERROR);
    assert_eq!(p.table().psk_count(), 2, "what was removed stays removed");
    assert_eq!(fault.durable().len(), 3, "memory and storage agree");
    fault.set(Scenario::Healthy);
    assert_eq!(run(&mut p, 5, SEC, &[]), IsdscStatus::SUCCESS);
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.table().group_key().is_none());
    assert!(fault.durable().is_empty());
}

fn populated() -> P {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"port.example", b"port-key");
    set_psk(&mut p, ALL, 3, 2, b"port.example", b"all-key");
    set_psk(&mut p, ALL, 7, 1, &[192, 0, 2, 1], b"v4-key");
    set_psk(
        &mut p,
        1,
        0x41,
        5,
        &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9],
        b"v6-key",
    );
    group(&mut p, b"group-key");
    chap(&mut p, b"chap-secret-123");
    tunnel(
        &mut p,
        0,
        &Address::text("tgt.example"),
        &Address::ipv4([10, 1, 1, 1]),
    );
    status_of(&mut p, SEC, 6, &[3; 16]);
    p
}

#[test]
fn restart_rebuilds_exactly_the_same_table() {
    let p = populated();
    let fp = fingerprint(p.table());
    let (p2, report) = Provider::start(p.into_store(), config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 8,
            corrupt: 0,
            foreign: 0,
        }
    );
    assert_eq!(fingerprint(p2.table()), fp);
}

#[test]
fn flipping_any_byte_of_any_record_never_serves_a_wrong_key() {
    let p = populated();
    let store = p.into_store();
    let names: Vec<String> = store
        .names()
        .map(|n| String::from_utf8(n.to_vec()).unwrap())
        .collect();
    let ids = [
        (PortSelector::Port(0), fqdn("port.example")),
        (PortSelector::Port(1), fqdn("port.example")),
        (
            PortSelector::Port(0),
            Identifier::parse(1, &[192, 0, 2, 1]).unwrap(),
        ),
        (
            PortSelector::Port(1),
            Identifier::parse(5, &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]).unwrap(),
        ),
        (PortSelector::Port(0), fqdn("other.example")),
    ];
    let intact = Provider::start(store.clone(), config(), test_platform())
        .unwrap()
        .0;
    let expected: Vec<_> = ids
        .iter()
        .map(|(port, id)| look(&intact, *port, id))
        .collect();
    let mut trials = 0;
    for name in &names {
        let len = store.get(name.as_bytes()).unwrap().len();
        // Under Miri (thousands of times slower) one position per record, a different part
        // of each: the header, the payload or the checksum.
        let positions: Vec<usize> = if cfg!(miri) {
            vec![[4, len / 2, len - 1][trials % 3]]
        } else {
            (0..len).collect()
        };
        let bits: &[u8] = if cfg!(miri) { &[0x01] } else { &[0x01, 0x80] };
        for i in positions {
            for &bit in bits {
                let mut damaged = store.clone();
                damaged.get_mut(name.as_bytes()).unwrap()[i] ^= bit;
                let (mut p, report) = Provider::start(damaged, config(), test_platform()).unwrap();
                assert_eq!(
                    report,
                    LoadReport {
                        loaded: 7,
                        corrupt: 1,
                        foreign: 0,
                    },
                    "{name} byte {i}"
                );
                for ((port, id), want) in ids.iter().zip(&expected) {
                    if let Ok(got) = look(&p, *port, id) {
                        assert_eq!(&Ok(got), want, "{name} byte {i} served a wrong key");
                    }
                }
                // GetPresharedKeyForId reports the damage when an entry is missing.
                let damaged_entry_missing = get_psk(&mut p, 0, 2, b"nothing.here");
                assert_eq!(damaged_entry_missing, (IsdscStatus::CACHE_CORRUPTED, 0));
                trials += 1;
            }
        }
    }
    assert!(trials > if cfg!(miri) { 7 } else { 500 }, "{trials}");
}

#[test]
fn a_damaged_explicit_key_does_not_fall_back_to_the_group_key() {
    let p = populated();
    let mut store = p.into_store();
    let name = RecordName::psk(PortSelector::Port(0), &fqdn("port.example"));
    store.get_mut(name.as_str().as_bytes()).unwrap()[20] ^= 1;
    let (mut p, _) = Provider::start(store, config(), test_platform()).unwrap();
    let id = fqdn("port.example");
    assert_eq!(
        look(&p, PortSelector::Port(0), &id),
        Err(LookupMiss::Damaged)
    );
    // Port 1 never had its own key: the all-ports key is still the right answer there.
    assert_eq!(look(&p, PortSelector::Port(1), &id).unwrap().1, b"all-key");
    // GetPresharedKeyForId answers for the entry the lookup would use: none, damaged.
    assert_eq!(
        get_psk(&mut p, 0, 2, b"port.example"),
        (IsdscStatus::CACHE_CORRUPTED, 0)
    );
    assert_eq!(
        get_psk(&mut p, 1, 2, b"port.example"),
        (IsdscStatus::SUCCESS, 3)
    );
    // Setting the key again replaces the damaged record.
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"port.example", b"fresh"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().corrupt_records().len(), 0);
    assert_eq!(look(&p, PortSelector::Port(0), &id).unwrap().1, b"fresh");
    assert_eq!(restart(p).table().corrupt_records().len(), 0);
}

#[test]
fn clear_cache_removes_damaged_records_of_every_kind() {
    let p = populated();
    let mut store = p.into_store();
    for bytes in store.bytes_mut() {
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
    }
    let junk_name = RecordName::psk(PortSelector::Port(1), &fqdn("never.example"));
    store.plant(junk_name.as_str().as_bytes(), b"junk").unwrap();
    store.plant(b"stray-name", b"junk").unwrap();
    let (mut p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 0,
            corrupt: 9,
            foreign: 1,
        }
    );
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    // Only the foreign entry is left: it is not the provider's to remove.
    assert_eq!(p.store().names().collect::<Vec<_>>(), [&b"stray-name"[..]]);
    assert_eq!(
        get_psk(&mut p, 0, 2, b"x"),
        (IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn foreign_entries_are_reported_and_left_alone() {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"a.example", b"key");
    let mut store = p.into_store();
    // Names no record has: what a file system or an administrator may leave in the directory.
    let foreign: [&[u8]; 6] = [
        b"lost+found",
        b"notes.txt",
        b"psk\\0123",
        b"bad-\xff-name",
        b"bad-\xfe-name",
        b"psk-0123456789ABCDEF0123456789ABCDEF",
    ];
    for name in foreign {
        store.plant(name, b"anything").unwrap();
    }
    let (mut p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 1,
            corrupt: 0,
            foreign: 6,
        }
    );
    assert_eq!(p.table().corrupt_records().len(), 0);
    // Never a reason for CACHE_CORRUPTED.
    assert_eq!(
        get_psk(&mut p, 0, 2, b"missing.example"),
        (IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    // ClearCache neither fails because of them nor deletes them, every time.
    for _ in 0..2 {
        assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
        assert_eq!(p.store().len(), 6);
    }
    let (_, report) = Provider::start(p.into_store(), config(), test_platform()).unwrap();
    assert_eq!((report.loaded, report.corrupt, report.foreign), (0, 0, 6));
}

#[test]
fn a_record_moved_to_another_records_name_damages_both_identities() {
    let mut p = provider();
    let x = fqdn("x.example");
    let y = fqdn("y.example");
    set_psk(&mut p, 0, 1, 2, b"x.example", b"x-port-key");
    set_psk(&mut p, ALL, 1, 2, b"x.example", b"x-all-key");
    set_psk(&mut p, 0, 1, 2, b"y.example", b"y-port-key");
    group(&mut p, b"group-key");
    let mut store = p.into_store();
    let x_name = RecordName::psk(PortSelector::Port(0), &x);
    let y_name = RecordName::psk(PortSelector::Port(0), &y);
    // Rename x's port-0 record over y's.
    let moved = store.get(x_name.as_str().as_bytes()).unwrap().to_vec();
    store.unplant(x_name.as_str().as_bytes());
    store.plant(y_name.as_str().as_bytes(), &moved).unwrap();
    let (mut p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!((report.loaded, report.corrupt), (2, 1));
    // Neither x on port 0 (whose record it is) nor y (where it was found) may be answered from
    // a lower level: not x's all-ports key, not the group key.
    assert_eq!(
        look(&p, PortSelector::Port(0), &x),
        Err(LookupMiss::Damaged)
    );
    assert_eq!(
        look(&p, PortSelector::Port(0), &y),
        Err(LookupMiss::Damaged)
    );
    assert_eq!(
        get_psk(&mut p, 0, 2, b"x.example"),
        (IsdscStatus::CACHE_CORRUPTED, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 2, b"y.example"),
        (IsdscStatus::CACHE_CORRUPTED, 0)
    );
    // Port 1 never had a key of its own for x: the all-ports key is right there.
    assert_eq!(
        look(&p, PortSelector::Port(1), &x).unwrap(),
        (KeySource::AllPorts, b"x-all-key".to_vec())
    );
    // Setting x again ends x's damage; y's stays until y is set or the cache is cleared.
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"x.example", b"x-new"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(look(&p, PortSelector::Port(0), &x).unwrap().1, b"x-new");
    assert_eq!(
        look(&p, PortSelector::Port(0), &y),
        Err(LookupMiss::Damaged)
    );
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    assert_eq!(p.table().corrupt_records().len(), 0);
    assert!(p.store().is_empty());
}

#[test]
fn loading_keeps_every_valid_record_beyond_capacity() {
    let mut p = provider();
    for i in 0..10u8 {
        assert_eq!(
            set_psk(&mut p, 0, 1, 2, &[b'a' + i], b"k"),
            IsdscStatus::SUCCESS
        );
    }
    let small = AdapterConfig {
        port_count: 2,
        max_entries: 4,
    };
    let (mut p, report) = Provider::start(p.into_store(), small, test_platform()).unwrap();
    assert_eq!(report.loaded, 10);
    assert_eq!(p.table().psk_count(), 10);
    assert_eq!(
        set_psk(&mut p, 1, 1, 2, b"new", b"k"),
        IsdscStatus::HBA_SECURITY_CACHE_FULL
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"a", b"replace"),
        IsdscStatus::SUCCESS
    );
    // Records for ports the adapter no longer has are kept too.
    let (p, _) = Provider::start(
        p.into_store(),
        AdapterConfig {
            port_count: 0,
            max_entries: 4,
        },
        test_platform(),
    )
    .unwrap();
    assert_eq!(p.table().psk_count(), 10);
}

#[test]
fn unreadable_records_are_counted_not_fatal() {
    let mut p = provider();
    group(&mut p, b"group-key");
    let (store, fault) = FaultStore::with(p.into_store(), Scenario::UnreadableOnLoad);
    let (p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 0,
            corrupt: 1,
            foreign: 0,
        }
    );
    assert_eq!(
        p.table().corrupt_records().collect::<Vec<_>>(),
        ["group-key"]
    );
    let (store, _) = FaultStore::with(fault.durable(), Scenario::LoadFails);
    assert_eq!(
        Provider::start(store, config(), test_platform()).unwrap_err(),
        StartError::Store(StoreError {
            what: "injected: cannot enumerate"
        })
    );
}

#[test]
fn the_fuzz_oracle_holds_on_the_seed_like_inputs() {
    // One call of each method, in the fuzz input format; the group key's store fails.
    let group_key = Call {
        store_fails: true,
        ..Call::security_config(method::SET_GROUP_PRESHARED_KEY, group_key_in(b"g"))
    };
    let calls = [
        Call::security_config(
            method::SET_PRESHARED_KEY_FOR_ID,
            set_psk_in(0, 1, 2, b"a", b"k"),
        ),
        group_key,
        Call::security_config(method::GET_PRESHARED_KEY_FOR_ID, get_psk_in(0, 2, b"a")),
        Call::new(
            Class::Operations,
            method::SET_CHAP_SHARED_SECRET,
            chap_secret_in(b"short"),
        ),
        Call::security_config(method::CLEAR_CACHE, Vec::new()),
    ];
    let mut data = Vec::new();
    for c in &calls {
        c.encode(&mut data).unwrap();
    }
    crate::fuzzing::execute_methods(&data);
}
