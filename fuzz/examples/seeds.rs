//! Writes the seed corpora: `cargo +nightly run --example seeds` (from `fuzz/`).
//!
//! - `corpus/execute_method/seed-*`: real method calls, each a `iscsisec_core::fuzzing::Call`
//!   (the fuzz input format is documented there), IN buffers from
//!   `iscsisec_core::testing::buffers` (the wire module's emitters).
//! - `corpus/record/seed-*`: real stored records of every kind, from `RecordRef::encode`.
//!
//! The files are committed; rerun this only when the input format or the record format changes.

use std::fs;
use std::path::Path;

use iscsisec_core::consts::method::{
    CLEAR_CACHE, GET_PRESHARED_KEY_FOR_ID as GET_PSK, SET_CHAP_SHARED_SECRET as CHAP,
    SET_GENERATIONAL_GUID as SET_GUID, SET_GROUP_PRESHARED_KEY as GROUP_KEY,
    SET_PRESHARED_KEY_FOR_ID as SET_PSK, SET_TUNNEL_MODE_OUTER_ADDRESS as TUNNEL,
};
use iscsisec_core::domain::{Destination, Identifier, OuterAddress, PortSelector, SecurityFlags};
use iscsisec_core::fuzzing::{Call, Class, UNKNOWN_METHOD_FACTOR};
use iscsisec_core::record::{MAX_RECORD_LEN, Record, RecordRef};
use iscsisec_core::store::MemoryStore;
use iscsisec_core::testing::buffers::{
    Address, chap_secret_in, get_psk_in, group_key_in, set_psk_in, tunnel_in,
};
use iscsisec_core::testing::test_platform;
use iscsisec_core::wire::set_tunnel_mode_outer_address::Shape;
use iscsisec_core::{AdapterConfig, Provider};

const ALL_PORTS: u32 = 0xFFFF_FFFF;

/// A well-formed call to `MSiSCSI_SecurityConfigOperations`.
fn sec(method_id: u32, input: Vec<u8>) -> Call {
    Call::security_config(method_id, input)
}

/// Method 4 with texts of 0, 1, 255 and 256 units as destination and outer address, in the
/// shape `tunnel` builds.
fn text_lengths(port: u32, tunnel: fn(u32, &Address, &Address) -> Vec<u8>) -> Vec<Call> {
    [0usize, 1, 255, 256]
        .iter()
        .map(|&n| {
            let (d, o) = (Address::text(&"D".repeat(n)), Address::text(&"o".repeat(n)));
            sec(TUNNEL, tunnel(port, &d, &o))
        })
        .collect()
}

/// Method 4 as WMI marshals it: the outer address at align4(38 + L1).
fn tunnel(port: u32, destination: &Address, outer: &Address) -> Vec<u8> {
    let buffer = tunnel_in(Shape::Packed, port, destination, outer);
    assert!(buffer.len() < 1100, "packed");
    buffer
}

/// Method 4 in the C structs' fixed stride with each L the text's real length: the outer
/// address at 552, 1100 bytes (more if the outer text runs past its slot).
fn tunnel_fixed(port: u32, destination: &Address, outer: &Address) -> Vec<u8> {
    tunnel_in(Shape::FixedStride, port, destination, outer)
}

/// The fixed stride as the WDK sample fills it: L = 512, the text, NULs.
fn tunnel_c(port: u32, destination: &Address, outer: &Address) -> Vec<u8> {
    let slot = |a: &Address| a.clone().padded(512);
    tunnel_fixed(port, &slot(destination), &slot(outer))
}

/// `buffer` with the little-endian `u16` at `at` replaced.
fn with_u16(mut buffer: Vec<u8>, at: usize, value: u16) -> Vec<u8> {
    buffer[at..at + 2].copy_from_slice(&value.to_le_bytes());
    buffer
}

const V4: [u8; 4] = [192, 0, 2, 10];
const V6: [u8; 16] = [
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];
const GUID: [u8; 16] = [
    0x25, 0x33, 0x1f, 0x39, 0xa3, 0x0b, 0x83, 0x40, 0xa8, 0x61, 0xcf, 0x4f, 0x6f, 0x97, 0xa5, 0x27,
];

fn method_seeds() -> Vec<(&'static str, Vec<Call>)> {
    let fqdn = b"initiator.example.com".as_slice();
    let user = b"iscsi@Initiator.Example.COM".as_slice();
    let key = b"correct horse battery staple".as_slice();
    let binary_key: Vec<u8> = (0..=255u8).collect();
    vec![
        (
            "set-psk-ipv4",
            vec![
                sec(SET_PSK, set_psk_in(0, 0x07, 1, &V4, key)),
                sec(GET_PSK, get_psk_in(0, 1, &V4)),
            ],
        ),
        (
            "set-psk-fqdn",
            vec![
                sec(SET_PSK, set_psk_in(1, 0x0b, 2, fqdn, key)),
                sec(GET_PSK, get_psk_in(1, 2, b"INITIATOR.example.com")),
            ],
        ),
        (
            "set-psk-user-fqdn",
            vec![sec(
                SET_PSK,
                set_psk_in(ALL_PORTS, 0x27, 3, user, &binary_key),
            )],
        ),
        (
            "set-psk-ipv6",
            vec![sec(SET_PSK, set_psk_in(1, 0x53, 5, &V6, b"k"))],
        ),
        (
            "get-psk",
            vec![
                sec(SET_PSK, set_psk_in(ALL_PORTS, 0x05, 2, fqdn, key)),
                sec(GET_PSK, get_psk_in(0, 2, fqdn)),
                sec(GET_PSK, get_psk_in(1, 1, &V4)),
            ],
        ),
        (
            "set-group-key",
            vec![
                sec(GROUP_KEY, group_key_in(b"group key")),
                sec(GROUP_KEY, group_key_in(b"")),
            ],
        ),
        (
            "tunnel-ipv4",
            vec![sec(
                TUNNEL,
                tunnel(0, &Address::ipv4(V4), &Address::ipv4([198, 51, 100, 1])),
            )],
        ),
        (
            "tunnel-ipv6",
            vec![sec(
                TUNNEL,
                tunnel(1, &Address::ipv6(V6, 7, 3), &Address::ipv6(V6, 0x12345, 2)),
            )],
        ),
        (
            "tunnel-text",
            vec![
                sec(
                    TUNNEL,
                    tunnel(
                        ALL_PORTS,
                        &Address::text("Target.Example.COM"),
                        &Address::text("gw.example.com"),
                    ),
                ),
                sec(
                    TUNNEL,
                    tunnel(
                        ALL_PORTS,
                        &Address::text("target.example.com"),
                        &Address::empty(),
                    ),
                ),
            ],
        ),
        (
            "tunnel-fixed-stride",
            vec![
                sec(
                    TUNNEL,
                    tunnel_fixed(0, &Address::ipv4(V4), &Address::text("gw.example.com")),
                ),
                sec(
                    TUNNEL,
                    tunnel_fixed(1, &Address::text("Target"), &Address::ipv6(V6, 9, 3)),
                ),
                sec(
                    TUNNEL,
                    tunnel_fixed(1, &Address::text("target"), &Address::empty()),
                ),
            ],
        ),
        (
            "tunnel-fixed-stride-512",
            vec![
                sec(
                    TUNNEL,
                    tunnel_c(
                        ALL_PORTS,
                        &Address::text("Target.Example.COM"),
                        &Address::text("gw"),
                    ),
                ),
                sec(
                    TUNNEL,
                    tunnel_c(
                        0,
                        &Address::ipv6(V6, 0, 0),
                        &Address::ipv4([198, 51, 100, 1]),
                    ),
                ),
                // Cut to 1098 bytes it is packed, and the outer address is at 552 all the same.
                sec(
                    TUNNEL,
                    tunnel_c(1, &Address::text("t"), &Address::text("g"))[..1098].to_vec(),
                ),
            ],
        ),
        (
            "tunnel-text-lengths",
            // Texts of 0, 1, 255 and 256 units, as destination and outer address, packed.
            text_lengths(0, tunnel),
        ),
        (
            "tunnel-text-lengths-fixed-stride",
            // The same in the fixed stride with the real lengths.
            text_lengths(1, tunnel_fixed),
        ),
        (
            "tunnel-bad-lengths",
            // Odd and oversized lengths under every type, packed; then an EMPTY outer address
            // with an odd length (refused: the mapping stays).
            vec![
                sec(
                    TUNNEL,
                    tunnel(0, &Address::raw(0, &vec![b'a'; 1]), &Address::ipv4(V4)),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::raw(1, &vec![b'a'; 513]), &Address::ipv4(V4)),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::raw(2, &vec![b'a'; 514]), &Address::ipv4(V4)),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::raw(3, &vec![b'a'; 3]), &Address::ipv4(V4)),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::ipv4(V4), &Address::text("kept")),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::ipv4(V4), &Address::raw(0, &vec![b'a'; 511])),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::ipv4(V4), &Address::raw(1, &vec![b'a'; 1])),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::ipv4(V4), &Address::raw(2, &vec![b'a'; 514])),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::ipv4(V4), &Address::raw(3, &vec![0; 3])),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::raw(0, &vec![b'a'; 1024]), &Address::ipv4(V4)),
                ),
            ],
        ),
        (
            "tunnel-bad-lengths-fixed-stride",
            vec![
                sec(
                    TUNNEL,
                    tunnel_fixed(0, &Address::raw(0, &vec![b'a'; 513]), &Address::ipv4(V4)),
                ),
                sec(
                    TUNNEL,
                    tunnel_fixed(0, &Address::ipv4(V4), &Address::raw(3, &vec![0; 514])),
                ),
                sec(
                    TUNNEL,
                    tunnel_fixed(0, &Address::ipv4(V4), &Address::raw(1, &vec![b'a'; 600])),
                ),
            ],
        ),
        (
            "tunnel-padding-and-nul",
            vec![
                // 38 + L1 = 40, 42, 44, 46: the outer address at 40, 44, 44, 48.
                sec(TUNNEL, tunnel(0, &Address::text("a"), &Address::ipv4(V4))),
                sec(TUNNEL, tunnel(0, &Address::text("ab"), &Address::text("g"))),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::text("abc"), &Address::ipv6(V6, 1, 2)),
                ),
                sec(
                    TUNNEL,
                    tunnel(0, &Address::text("abcd"), &Address::text("gw")),
                ),
                // The text ends at its first NUL; a NUL first leaves none.
                sec(
                    TUNNEL,
                    tunnel(
                        1,
                        &Address::raw(0, &b"t\0g\0\0\0x\0".to_vec()),
                        &Address::raw(0, &b"g\0\0\0".to_vec()),
                    ),
                ),
                sec(
                    TUNNEL,
                    tunnel(
                        1,
                        &Address::raw(0, &b"\0\0t\0".to_vec()),
                        &Address::ipv4(V4),
                    ),
                ),
            ],
        ),
        ("clear-cache", vec![sec(CLEAR_CACHE, Vec::new())]),
        ("set-generational-guid", vec![sec(SET_GUID, GUID.to_vec())]),
        (
            "chap-10",
            vec![Call::new(
                Class::Operations,
                CHAP,
                chap_secret_in(b"0123456789"),
            )],
        ),
        (
            "chap-16",
            vec![Call::new(
                Class::Operations,
                CHAP,
                group_key_in(b"0123456789abcdef"),
            )],
        ),
        (
            "sequence-set-get-clear",
            vec![
                sec(SET_PSK, set_psk_in(0, 0x07, 1, &V4, key)),
                sec(SET_PSK, set_psk_in(ALL_PORTS, 0x09, 2, fqdn, key)),
                sec(GROUP_KEY, group_key_in(b"group key")),
                Call::new(Class::Operations, CHAP, chap_secret_in(b"0123456789ab")),
                sec(TUNNEL, tunnel(0, &Address::ipv4(V4), &Address::text("gw"))),
                sec(SET_GUID, GUID.to_vec()),
                sec(GET_PSK, get_psk_in(0, 1, &V4)),
                sec(GET_PSK, get_psk_in(1, 2, fqdn)),
                sec(CLEAR_CACHE, Vec::new()),
                sec(GET_PSK, get_psk_in(0, 1, &V4)),
            ],
        ),
        (
            "remove-key",
            vec![
                sec(SET_PSK, set_psk_in(1, 0x01, 3, user, key)),
                sec(SET_PSK, set_psk_in(1, 0x01, 3, user, b"")),
                sec(SET_PSK, set_psk_in(1, 0x01, 3, user, b"")),
            ],
        ),
        (
            "capacity",
            // The fuzz provider holds 8 entries; the ninth new one is refused, a replacement
            // is not.
            (0..10u8)
                .map(|i| sec(SET_PSK, set_psk_in(0, 1, 1, &[10, 0, 0, i], key)))
                .chain([sec(SET_PSK, set_psk_in(0, 1, 1, &[10, 0, 0, 0], b"new"))])
                .collect(),
        ),
        (
            "store-failure",
            vec![
                sec(SET_PSK, set_psk_in(0, 0x07, 1, &V4, key)),
                Call {
                    store_fails: true,
                    ..sec(SET_PSK, set_psk_in(0, 0x07, 1, &V4, b"other"))
                },
                Call {
                    store_fails: true,
                    ..sec(CLEAR_CACHE, Vec::new())
                },
            ],
        ),
        (
            "transport-rules",
            vec![
                // Unknown class, unknown method ids.
                Call::new(Class::Other, CLEAR_CACHE, Vec::new()),
                sec(0, Vec::new()),
                Call::new(Class::Operations, SET_PSK, Vec::new()),
                sec(8 * UNKNOWN_METHOD_FACTOR, Vec::new()),
                // OUT size too small.
                Call {
                    out_size: Some(15),
                    ..sec(GET_PSK, get_psk_in(0, 1, &V4))
                },
                Call {
                    out_size: Some(3),
                    ..sec(SET_PSK, set_psk_in(0, 0, 1, &V4, key))
                },
                // IN shorter than the fixed part, than the declared sizes; sizes past u32.
                Call {
                    in_size: Some(27),
                    ..sec(SET_PSK, set_psk_in(0, 0, 1, &V4, key))
                },
                Call {
                    in_size: Some(28 + 4 + 27),
                    ..sec(SET_PSK, set_psk_in(0, 0, 1, &V4, key))
                },
                Call {
                    in_size: Some(37),
                    ..sec(TUNNEL, tunnel(0, &Address::ipv4(V4), &Address::ipv4(V4)))
                },
                Call {
                    in_size: Some(73),
                    ..sec(TUNNEL, tunnel(0, &Address::ipv4(V4), &Address::ipv4(V4)))
                },
                // Method 4's lengths running past InBufferSize, packed and fixed stride.
                sec(
                    TUNNEL,
                    with_u16(
                        tunnel(0, &Address::text("ab"), &Address::text("gw")),
                        36,
                        46,
                    ),
                ),
                sec(
                    TUNNEL,
                    with_u16(
                        tunnel(0, &Address::text("ab"), &Address::text("gw")),
                        76,
                        0xFFFF,
                    ),
                ),
                sec(
                    TUNNEL,
                    with_u16(
                        tunnel_fixed(0, &Address::ipv4(V4), &Address::ipv4(V4)),
                        36,
                        0xFFFF,
                    ),
                ),
                sec(
                    TUNNEL,
                    with_u16(
                        tunnel_fixed(0, &Address::ipv4(V4), &Address::ipv4(V4)),
                        584,
                        550,
                    ),
                ),
                // A fixed-stride buffer whose InBufferSize says 1099: read as packed.
                Call {
                    in_size: Some(1099),
                    ..sec(
                        TUNNEL,
                        tunnel_fixed(0, &Address::ipv4(V4), &Address::ipv4(V4)),
                    )
                },
                Call {
                    in_size: Some(15),
                    ..sec(SET_GUID, GUID.to_vec())
                },
                sec(SET_PSK, {
                    let mut b = set_psk_in(0, 0, 2, b"a", b"k");
                    b[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
                    b
                }),
                Call::new(Class::Operations, CHAP, {
                    let mut b = group_key_in(b"0123456789ab");
                    b[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
                    b
                }),
                Call {
                    in_size: None,
                    ..sec(GROUP_KEY, group_key_in(b"padded"))
                },
            ],
        ),
        (
            "validation-errors",
            vec![
                sec(SET_PSK, set_psk_in(2, 0, 1, &V4, key)),
                sec(SET_PSK, set_psk_in(0, 0x60, 1, &V4, key)),
                sec(SET_PSK, set_psk_in(0, 0x80, 1, &V4, key)),
                sec(SET_PSK, set_psk_in(0, 0, 4, &V4, key)),
                sec(SET_PSK, set_psk_in(0, 0, 1, &V6, key)),
                sec(SET_PSK, set_psk_in(0, 0, 2, b"bad name", key)),
                sec(SET_PSK, set_psk_in(0, 0, 2, b"ok", &[7u8; 257])),
                sec(GROUP_KEY, group_key_in(&[7u8; 257])),
                Call::new(Class::Operations, CHAP, chap_secret_in(&[7u8; 17])),
                sec(TUNNEL, tunnel(0, &Address::empty(), &Address::ipv4(V4))),
                sec(TUNNEL, tunnel(0, &Address::text(""), &Address::ipv4(V4))),
                sec(TUNNEL, tunnel(5, &Address::ipv4(V4), &Address::ipv4(V4))),
            ],
        ),
    ]
}

fn record_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut emit = |name: &str, r: RecordRef<'_>| {
        let mut buf = [0u8; MAX_RECORD_LEN];
        let n = r
            .encode(&mut buf)
            .expect("every record fits MAX_RECORD_LEN");
        out.push((name.to_owned(), buf[..n].to_vec()));
    };
    let flags = SecurityFlags::parse(0x07).unwrap();
    let ids = [
        ("ipv4", Identifier::parse(1, &V4).unwrap()),
        (
            "fqdn",
            Identifier::parse(2, b"Initiator.Example.com").unwrap(),
        ),
        (
            "user-fqdn",
            Identifier::parse(3, b"iscsi@initiator.example.com").unwrap(),
        ),
        ("ipv6", Identifier::parse(5, &V6).unwrap()),
        ("fqdn-255", Identifier::parse(2, &[b'a'; 255]).unwrap()),
    ];
    let long_key = [0x5au8; 256];
    for (i, (name, id)) in ids.iter().enumerate() {
        let port = if i % 2 == 0 {
            PortSelector::Port(1)
        } else {
            PortSelector::All
        };
        let key: &[u8] = if *name == "fqdn-255" {
            &long_key
        } else {
            b"psk bytes"
        };
        emit(
            &format!("psk-{name}"),
            RecordRef::Psk {
                port,
                id,
                flags,
                key,
            },
        );
    }
    emit("group-key", RecordRef::GroupKey(b"group key"));
    emit("group-key-1", RecordRef::GroupKey(&[0]));
    emit("generational-guid", RecordRef::GenerationalGuid(&GUID));
    emit("chap-secret-10", RecordRef::ChapSecret(b"0123456789"));
    emit("chap-secret-16", RecordRef::ChapSecret(b"0123456789abcdef"));

    let tunnels = [
        (
            "ipv4-ipv4",
            PortSelector::Port(0),
            Address::ipv4(V4),
            Address::ipv4([198, 51, 100, 1]),
        ),
        (
            "ipv6-ipv6",
            PortSelector::Port(1),
            Address::ipv6(V6, 1, 2),
            Address::ipv6(V6, 0x12345, 7),
        ),
        (
            "text-text",
            PortSelector::All,
            Address::text("Target.Example.com"),
            Address::text("gw.example.com"),
        ),
        (
            "ipv4-text",
            PortSelector::All,
            Address::ipv4(V4),
            Address::text("Gateway"),
        ),
        (
            "text-ipv6",
            PortSelector::Port(0),
            Address::text("t\u{263a}"),
            Address::ipv6(V6, 0, 0),
        ),
    ];
    for (name, port, d, o) in tunnels {
        let destination = Destination::parse(&d.view()).unwrap();
        let outer = OuterAddress::parse(&o.view()).unwrap().unwrap();
        emit(
            &format!("tunnel-{name}"),
            RecordRef::Tunnel {
                port,
                destination: &destination,
                outer: &outer,
            },
        );
    }
    out
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let methods = root.join("execute_method");
    let records = root.join("record");
    fs::create_dir_all(&methods).unwrap();
    fs::create_dir_all(&records).unwrap();
    for (name, calls) in method_seeds() {
        let mut bytes = Vec::new();
        for call in &calls {
            call.encode(&mut bytes)
                .expect("the format carries every seed call");
        }
        // fuzz/run.sh gives execute_method -max_len=8192: a longer seed would be cut.
        assert!(bytes.len() <= 8192, "seed-{name} is {} bytes", bytes.len());
        fs::write(methods.join(format!("seed-{name}")), bytes).unwrap();
        replay(name, &calls);
    }
    for (name, bytes) in record_seeds() {
        assert!(Record::decode_unnamed(&bytes).is_ok(), "{name}");
        fs::write(records.join(format!("seed-{name}")), bytes).unwrap();
    }
}

/// Prints what each call of a seed gets from a provider configured as the fuzz target's (2
/// ports, 8 entries; store failures not injected), so that a seed can be checked to reach the
/// path it is named for.
fn replay(name: &str, calls: &[Call]) {
    let config = AdapterConfig {
        port_count: 2,
        max_entries: 8,
    };
    let (mut provider, _) = Provider::start(MemoryStore::new(), config, test_platform()).unwrap();
    for call in calls {
        let (r, buffer) = call.execute(&mut provider);
        let out = if r.status.is_success() {
            format!("{:02x?}", &buffer[..usize::try_from(r.used).unwrap()])
        } else {
            String::new()
        };
        println!(
            "{name}: method {} -> {:?} used {} {out}",
            call.method_id, r.status, r.used
        );
    }
}
