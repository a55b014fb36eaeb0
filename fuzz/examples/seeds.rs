//! Writes the seed corpora: `cargo +nightly run --example seeds` (from `fuzz/`).
//!
//! - `corpus/execute_method/seed-*`: real method calls in the input format of
//!   `iscsisec_core::fuzzing::execute_methods` (per call: `op, method, in_size: u16,
//!   out_size: u16, len: u16, len bytes`), IN buffers built by hand from SPEC §2.
//! - `corpus/record/seed-*`: real stored records of every kind, from `RecordRef::encode`.
//!
//! The files are committed; rerun this only when the input format or the record format changes.

use std::fs;
use std::path::Path;

use iscsisec_core::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};
use iscsisec_core::record::{MAX_RECORD_LEN, Record, RecordRef};
use iscsisec_core::store::MemoryStore;
use iscsisec_core::domain::{Destination, Identifier, OuterAddress, PortSelector, SecurityFlags};
use iscsisec_core::wire::IscsiIpAddress;
use iscsisec_core::{AdapterConfig, Guid, Provider};

const ALL_PORTS: u32 = 0xFFFF_FFFF;

// `op` bits of the fuzz input format.
const CLASS_SECURITY_CONFIG: u8 = 0;
const CLASS_OPERATIONS: u8 = 1;
const CLASS_OTHER: u8 = 3;
const OP_IN_SIZE_MAX: u8 = 0x40;
const OP_STORE_FAILS: u8 = 0x80;

// `method` byte of the fuzz input format: 0..=6 as is, 7 means 71.
const M_SET_PSK: u8 = 1;
const M_GET_PSK: u8 = 2;
const M_GROUP: u8 = 3;
const M_TUNNEL: u8 = 4;
const M_CLEAR: u8 = 5;
const M_GUID: u8 = 6;
const M_CHAP: u8 = 7;

/// One call of the fuzz input.
struct Call {
    op: u8,
    method: u8,
    in_size: Option<u16>,
    out_size: u16,
    buffer: Vec<u8>,
}

impl Call {
    /// A call whose InBufferSize is the buffer's length and OutBufferSize the method's OUT size.
    fn new(op: u8, method: u8, buffer: Vec<u8>) -> Call {
        let out_size = if method == M_GET_PSK { 16 } else { 4 };
        // The buffer must be able to hold the OUT struct too (input and output share it).
        let mut buffer = buffer;
        if buffer.len() < usize::from(out_size) {
            buffer.resize(usize::from(out_size), 0);
        }
        let in_size = u16::try_from(buffer.len()).ok();
        Call {
            op,
            method,
            in_size,
            out_size,
            buffer,
        }
    }

    fn sec(method: u8, buffer: Vec<u8>) -> Call {
        Call::new(CLASS_SECURITY_CONFIG, method, buffer)
    }

    fn in_size(mut self, n: u16) -> Call {
        self.in_size = Some(n);
        self
    }

    fn out_size(mut self, n: u16) -> Call {
        self.out_size = n;
        self
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut op = self.op;
        if self.in_size.is_none() {
            op |= OP_IN_SIZE_MAX;
        }
        out.push(op);
        out.push(self.method);
        if let Some(n) = self.in_size {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&self.out_size.to_le_bytes());
        let len = u16::try_from(self.buffer.len()).expect("buffer under 2048 bytes");
        assert!(len < 2048, "the format takes len % 2048");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&self.buffer);
    }
}

fn set_psk(port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 28];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[8..16].copy_from_slice(&flags.to_le_bytes());
    b[16] = id_type;
    b[20..24].copy_from_slice(&u32::try_from(id.len()).unwrap().to_le_bytes());
    b[24..28].copy_from_slice(&u32::try_from(key.len()).unwrap().to_le_bytes());
    b.extend_from_slice(id);
    b.extend_from_slice(key);
    b
}

fn get_psk(port: u32, id_type: u8, id: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 12];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[4] = id_type;
    b[8..12].copy_from_slice(&u32::try_from(id.len()).unwrap().to_le_bytes());
    b.extend_from_slice(id);
    b
}

fn sized(bytes: &[u8]) -> Vec<u8> {
    let mut b = u32::try_from(bytes.len()).unwrap().to_le_bytes().to_vec();
    b.extend_from_slice(bytes);
    b
}

enum Addr<'a> {
    Text(&'a str),
    V4([u8; 4]),
    V6([u8; 16], u32, u32),
    Empty,
    /// Any type with exactly these `TextAddress` bytes (odd or oversized lengths, NULs).
    Raw(u32, Vec<u8>),
}

impl Addr<'_> {
    fn text_bytes(&self) -> Vec<u8> {
        match self {
            Addr::Text(t) => t.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Addr::Raw(_, b) => b.clone(),
            _ => Vec::new(),
        }
    }
}

/// `ISCSI_IP_Address` with `TextAddress` length `l` and then `text` (SPEC §2): 34 + text.len()
/// bytes.
fn ip_address_with(a: &Addr<'_>, l: u16, text: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 34];
    let ty: u32 = match a {
        Addr::Text(_) => 0,
        Addr::V4(_) => 1,
        Addr::V6(..) => 2,
        Addr::Empty => 3,
        Addr::Raw(t, _) => *t,
    };
    b[0..4].copy_from_slice(&ty.to_le_bytes());
    match a {
        Addr::V4(v4) => b[4..8].copy_from_slice(v4),
        Addr::V6(v6, flow, scope) => {
            b[8..24].copy_from_slice(v6);
            b[24..28].copy_from_slice(&flow.to_le_bytes());
            b[28..32].copy_from_slice(&scope.to_le_bytes());
        }
        _ => {}
    }
    b[32..34].copy_from_slice(&l.to_le_bytes());
    b.extend_from_slice(text);
    b
}

/// `ISCSI_IP_Address` at its real length, as WMI packs it.
fn ip_address(a: &Addr<'_>) -> Vec<u8> {
    let text = a.text_bytes();
    ip_address_with(a, u16::try_from(text.len()).unwrap(), &text)
}

/// Method 4 as WMI marshals it: the outer address at align4(38 + L1).
fn tunnel(port: u32, destination: &Addr<'_>, outer: &Addr<'_>) -> Vec<u8> {
    let mut b = port.to_le_bytes().to_vec();
    b.extend_from_slice(&ip_address(destination));
    b.resize(b.len().next_multiple_of(4), 0);
    b.extend_from_slice(&ip_address(outer));
    assert!(b.len() < 1100, "packed");
    b
}

/// Method 4 in the C structs' fixed stride: the outer address at 552, 1100 bytes (more if
/// the outer text runs past its slot).
fn fixed_stride(port: u32, destination: &[u8], outer: &[u8]) -> Vec<u8> {
    assert!(destination.len() <= 548);
    let mut b = vec![0u8; 1100.max(552 + outer.len())];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[4..4 + destination.len()].copy_from_slice(destination);
    b[552..552 + outer.len()].copy_from_slice(outer);
    b
}

/// The fixed stride with each L the text's real length.
fn tunnel_fixed(port: u32, destination: &Addr<'_>, outer: &Addr<'_>) -> Vec<u8> {
    fixed_stride(port, &ip_address(destination), &ip_address(outer))
}

/// The fixed stride as the WDK sample fills it: L = 512, the text, NULs.
fn tunnel_c(port: u32, destination: &Addr<'_>, outer: &Addr<'_>) -> Vec<u8> {
    let slot = |a: &Addr<'_>| {
        let mut text = a.text_bytes();
        text.resize(512, 0);
        ip_address_with(a, 512, &text)
    };
    fixed_stride(port, &slot(destination), &slot(outer))
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
                Call::sec(M_SET_PSK, set_psk(0, 0x07, 1, &V4, key)),
                Call::sec(M_GET_PSK, get_psk(0, 1, &V4)),
            ],
        ),
        (
            "set-psk-fqdn",
            vec![
                Call::sec(M_SET_PSK, set_psk(1, 0x0b, 2, fqdn, key)),
                Call::sec(M_GET_PSK, get_psk(1, 2, b"INITIATOR.example.com")),
            ],
        ),
        (
            "set-psk-user-fqdn",
            vec![Call::sec(
                M_SET_PSK,
                set_psk(ALL_PORTS, 0x27, 3, user, &binary_key),
            )],
        ),
        (
            "set-psk-ipv6",
            vec![Call::sec(M_SET_PSK, set_psk(1, 0x53, 5, &V6, b"k"))],
        ),
        (
            "get-psk",
            vec![
                Call::sec(M_SET_PSK, set_psk(ALL_PORTS, 0x05, 2, fqdn, key)),
                Call::sec(M_GET_PSK, get_psk(0, 2, fqdn)),
                Call::sec(M_GET_PSK, get_psk(1, 1, &V4)),
            ],
        ),
        (
            "set-group-key",
            vec![
                Call::sec(M_GROUP, sized(b"group key")),
                Call::sec(M_GROUP, sized(b"")),
            ],
        ),
        (
            "tunnel-ipv4",
            vec![Call::sec(
                M_TUNNEL,
                tunnel(0, &Addr::V4(V4), &Addr::V4([198, 51, 100, 1])),
            )],
        ),
        (
            "tunnel-ipv6",
            vec![Call::sec(
                M_TUNNEL,
                tunnel(1, &Addr::V6(V6, 7, 3), &Addr::V6(V6, 0x12345, 2)),
            )],
        ),
        (
            "tunnel-text",
            vec![
                Call::sec(
                    M_TUNNEL,
                    tunnel(
                        ALL_PORTS,
                        &Addr::Text("Target.Example.COM"),
                        &Addr::Text("gw.example.com"),
                    ),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(ALL_PORTS, &Addr::Text("target.example.com"), &Addr::Empty),
                ),
            ],
        ),
        (
            "tunnel-fixed-stride",
            vec![
                Call::sec(
                    M_TUNNEL,
                    tunnel_fixed(0, &Addr::V4(V4), &Addr::Text("gw.example.com")),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel_fixed(1, &Addr::Text("Target"), &Addr::V6(V6, 9, 3)),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel_fixed(1, &Addr::Text("target"), &Addr::Empty),
                ),
            ],
        ),
        (
            "tunnel-fixed-stride-512",
            vec![
                Call::sec(
                    M_TUNNEL,
                    tunnel_c(
                        ALL_PORTS,
                        &Addr::Text("Target.Example.COM"),
                        &Addr::Text("gw"),
                    ),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel_c(0, &Addr::V6(V6, 0, 0), &Addr::V4([198, 51, 100, 1])),
                ),
                // Cut to 1098 bytes it is packed, and the outer address is at 552 all the same.
                Call::sec(
                    M_TUNNEL,
                    tunnel_c(1, &Addr::Text("t"), &Addr::Text("g"))[..1098].to_vec(),
                ),
            ],
        ),
        (
            "tunnel-text-lengths",
            // Texts of 0, 1, 255 and 256 units, as destination and outer address, packed.
            [0usize, 1, 255, 256]
                .iter()
                .map(|&n| {
                    let (d, o) = ("D".repeat(n), "o".repeat(n));
                    Call::sec(M_TUNNEL, tunnel(0, &Addr::Text(&d), &Addr::Text(&o)))
                })
                .collect(),
        ),
        (
            "tunnel-text-lengths-fixed-stride",
            // The same in the fixed stride with the real lengths.
            [0usize, 1, 255, 256]
                .iter()
                .map(|&n| {
                    let (d, o) = ("D".repeat(n), "o".repeat(n));
                    Call::sec(M_TUNNEL, tunnel_fixed(1, &Addr::Text(&d), &Addr::Text(&o)))
                })
                .collect(),
        ),
        (
            "tunnel-bad-lengths",
            // Odd and oversized lengths under every type, packed; then an EMPTY outer address
            // with an odd length (refused: the mapping stays).
            vec![
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::Raw(0, vec![b'a'; 1]), &Addr::V4(V4)),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::Raw(1, vec![b'a'; 513]), &Addr::V4(V4)),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::Raw(2, vec![b'a'; 514]), &Addr::V4(V4)),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::Raw(3, vec![b'a'; 3]), &Addr::V4(V4)),
                ),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::V4(V4), &Addr::Text("kept"))),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::V4(V4), &Addr::Raw(0, vec![b'a'; 511])),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::V4(V4), &Addr::Raw(1, vec![b'a'; 1])),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::V4(V4), &Addr::Raw(2, vec![b'a'; 514])),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::V4(V4), &Addr::Raw(3, vec![0; 3])),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(0, &Addr::Raw(0, vec![b'a'; 1024]), &Addr::V4(V4)),
                ),
            ],
        ),
        (
            "tunnel-bad-lengths-fixed-stride",
            vec![
                Call::sec(
                    M_TUNNEL,
                    tunnel_fixed(0, &Addr::Raw(0, vec![b'a'; 513]), &Addr::V4(V4)),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel_fixed(0, &Addr::V4(V4), &Addr::Raw(3, vec![0; 514])),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel_fixed(0, &Addr::V4(V4), &Addr::Raw(1, vec![b'a'; 600])),
                ),
            ],
        ),
        (
            "tunnel-padding-and-nul",
            vec![
                // 38 + L1 = 40, 42, 44, 46: the outer address at 40, 44, 44, 48.
                Call::sec(M_TUNNEL, tunnel(0, &Addr::Text("a"), &Addr::V4(V4))),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::Text("ab"), &Addr::Text("g"))),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::Text("abc"), &Addr::V6(V6, 1, 2))),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::Text("abcd"), &Addr::Text("gw"))),
                // The text ends at its first NUL; a NUL first leaves none.
                Call::sec(
                    M_TUNNEL,
                    tunnel(
                        1,
                        &Addr::Raw(0, b"t\0g\0\0\0x\0".to_vec()),
                        &Addr::Raw(0, b"g\0\0\0".to_vec()),
                    ),
                ),
                Call::sec(
                    M_TUNNEL,
                    tunnel(1, &Addr::Raw(0, b"\0\0t\0".to_vec()), &Addr::V4(V4)),
                ),
            ],
        ),
        ("clear-cache", vec![Call::sec(M_CLEAR, Vec::new())]),
        (
            "set-generational-guid",
            vec![Call::sec(M_GUID, GUID.to_vec())],
        ),
        (
            "chap-10",
            vec![Call::new(CLASS_OPERATIONS, M_CHAP, sized(b"0123456789"))],
        ),
        (
            "chap-16",
            vec![Call::new(
                CLASS_OPERATIONS,
                M_CHAP,
                sized(b"0123456789abcdef"),
            )],
        ),
        (
            "sequence-set-get-clear",
            vec![
                Call::sec(M_SET_PSK, set_psk(0, 0x07, 1, &V4, key)),
                Call::sec(M_SET_PSK, set_psk(ALL_PORTS, 0x09, 2, fqdn, key)),
                Call::sec(M_GROUP, sized(b"group key")),
                Call::new(CLASS_OPERATIONS, M_CHAP, sized(b"0123456789ab")),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::V4(V4), &Addr::Text("gw"))),
                Call::sec(M_GUID, GUID.to_vec()),
                Call::sec(M_GET_PSK, get_psk(0, 1, &V4)),
                Call::sec(M_GET_PSK, get_psk(1, 2, fqdn)),
                Call::sec(M_CLEAR, Vec::new()),
                Call::sec(M_GET_PSK, get_psk(0, 1, &V4)),
            ],
        ),
        (
            "remove-key",
            vec![
                Call::sec(M_SET_PSK, set_psk(1, 0x01, 3, user, key)),
                Call::sec(M_SET_PSK, set_psk(1, 0x01, 3, user, b"")),
                Call::sec(M_SET_PSK, set_psk(1, 0x01, 3, user, b"")),
            ],
        ),
        (
            "capacity",
            // The fuzz provider holds 8 entries; the ninth new one is refused, a replacement
            // is not.
            (0..10u8)
                .map(|i| Call::sec(M_SET_PSK, set_psk(0, 1, 1, &[10, 0, 0, i], key)))
                .chain([Call::sec(
                    M_SET_PSK,
                    set_psk(0, 1, 1, &[10, 0, 0, 0], b"new"),
                )])
                .collect(),
        ),
        (
            "store-failure",
            vec![
                Call::sec(M_SET_PSK, set_psk(0, 0x07, 1, &V4, key)),
                Call {
                    op: CLASS_SECURITY_CONFIG | OP_STORE_FAILS,
                    ..Call::sec(M_SET_PSK, set_psk(0, 0x07, 1, &V4, b"other"))
                },
                Call {
                    op: CLASS_SECURITY_CONFIG | OP_STORE_FAILS,
                    ..Call::sec(M_CLEAR, Vec::new())
                },
            ],
        ),
        (
            "transport-rules",
            vec![
                // Unknown class, unknown method ids.
                Call::new(CLASS_OTHER, M_CLEAR, Vec::new()),
                Call::sec(0, Vec::new()),
                Call::new(CLASS_OPERATIONS, M_SET_PSK, Vec::new()),
                Call::sec(8, Vec::new()),
                // OUT size too small.
                Call::sec(M_GET_PSK, get_psk(0, 1, &V4)).out_size(15),
                Call::sec(M_SET_PSK, set_psk(0, 0, 1, &V4, key)).out_size(3),
                // IN shorter than the fixed part, than the declared sizes; sizes past u32.
                Call::sec(M_SET_PSK, set_psk(0, 0, 1, &V4, key)).in_size(27),
                Call::sec(M_SET_PSK, set_psk(0, 0, 1, &V4, key)).in_size(28 + 4 + 27),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::V4(V4), &Addr::V4(V4))).in_size(37),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::V4(V4), &Addr::V4(V4))).in_size(73),
                // Method 4's lengths running past InBufferSize, packed and fixed stride.
                Call::sec(
                    M_TUNNEL,
                    with_u16(tunnel(0, &Addr::Text("ab"), &Addr::Text("gw")), 36, 46),
                ),
                Call::sec(
                    M_TUNNEL,
                    with_u16(tunnel(0, &Addr::Text("ab"), &Addr::Text("gw")), 76, 0xFFFF),
                ),
                Call::sec(
                    M_TUNNEL,
                    with_u16(tunnel_fixed(0, &Addr::V4(V4), &Addr::V4(V4)), 36, 0xFFFF),
                ),
                Call::sec(
                    M_TUNNEL,
                    with_u16(tunnel_fixed(0, &Addr::V4(V4), &Addr::V4(V4)), 584, 550),
                ),
                // A fixed-stride buffer whose InBufferSize says 1099: read as packed.
                Call::sec(M_TUNNEL, tunnel_fixed(0, &Addr::V4(V4), &Addr::V4(V4))).in_size(1099),
                Call::sec(M_GUID, GUID.to_vec()).in_size(15),
                Call::sec(M_SET_PSK, {
                    let mut b = set_psk(0, 0, 2, b"a", b"k");
                    b[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
                    b
                }),
                Call::new(CLASS_OPERATIONS, M_CHAP, {
                    let mut b = sized(b"0123456789ab");
                    b[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
                    b
                }),
                Call {
                    in_size: None,
                    ..Call::sec(M_GROUP, sized(b"padded"))
                },
            ],
        ),
        (
            "validation-errors",
            vec![
                Call::sec(M_SET_PSK, set_psk(2, 0, 1, &V4, key)),
                Call::sec(M_SET_PSK, set_psk(0, 0x60, 1, &V4, key)),
                Call::sec(M_SET_PSK, set_psk(0, 0x80, 1, &V4, key)),
                Call::sec(M_SET_PSK, set_psk(0, 0, 4, &V4, key)),
                Call::sec(M_SET_PSK, set_psk(0, 0, 1, &V6, key)),
                Call::sec(M_SET_PSK, set_psk(0, 0, 2, b"bad name", key)),
                Call::sec(M_SET_PSK, set_psk(0, 0, 2, b"ok", &[7u8; 257])),
                Call::sec(M_GROUP, sized(&[7u8; 257])),
                Call::new(CLASS_OPERATIONS, M_CHAP, sized(&[7u8; 17])),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::Empty, &Addr::V4(V4))),
                Call::sec(M_TUNNEL, tunnel(0, &Addr::Text(""), &Addr::V4(V4))),
                Call::sec(M_TUNNEL, tunnel(5, &Addr::V4(V4), &Addr::V4(V4))),
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

    let text_bytes = |s: &str| -> &'static [u8] { Addr::Text(s).text_bytes().leak() };
    let text = |s: &str| {
        let mut parsed = IscsiIpAddress::zeroed(0);
        parsed.text_address = text_bytes(s);
        parsed
    };
    let v4 = |a: [u8; 4]| {
        let mut x = IscsiIpAddress::zeroed(1);
        x.ipv4_address = a;
        x
    };
    let v6 = |a: [u8; 16], flow, scope| {
        let mut x = IscsiIpAddress::zeroed(2);
        x.ipv6_address = a;
        x.ipv6_flow_info = flow;
        x.ipv6_scope_id = scope;
        x
    };
    let tunnels = [
        (
            "ipv4-ipv4",
            PortSelector::Port(0),
            v4(V4),
            v4([198, 51, 100, 1]),
        ),
        (
            "ipv6-ipv6",
            PortSelector::Port(1),
            v6(V6, 1, 2),
            v6(V6, 0x12345, 7),
        ),
        (
            "text-text",
            PortSelector::All,
            text("Target.Example.com"),
            text("gw.example.com"),
        ),
        ("ipv4-text", PortSelector::All, v4(V4), text("Gateway")),
        (
            "text-ipv6",
            PortSelector::Port(0),
            text("t\u{263a}"),
            v6(V6, 0, 0),
        ),
    ];
    for (name, port, d, o) in tunnels {
        let destination = Destination::parse(&d).unwrap();
        let outer = OuterAddress::parse(&o).unwrap().unwrap();
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
            call.encode(&mut bytes);
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
    let (mut provider, _) =
        Provider::start(MemoryStore::new(), config, iscsisec_core::fuzzing::test_platform()).unwrap();
    for call in calls {
        let class = match call.op & 3 {
            0 | 2 => SECURITY_CONFIG_OPERATIONS_GUID,
            1 => OPERATIONS_GUID,
            _ => Guid::NULL,
        };
        let method = match call.method {
            m @ 0..=6 => u32::from(m),
            7 => 71,
            m => u32::from(m).wrapping_mul(0x0101_0101),
        };
        let mut buffer = call.buffer.clone();
        let in_size = call.in_size.map_or(u32::MAX, u32::from);
        let r = provider.execute_method(&class, method, &mut buffer, in_size, call.out_size.into());
        let out = if r.status.is_success() {
            format!("{:02x?}", &buffer[..usize::try_from(r.used).unwrap()])
        } else {
            String::new()
        };
        println!(
            "{name}: method {method} -> {:?} used {} {out}",
            r.status, r.used
        );
    }
}
