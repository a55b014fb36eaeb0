//! WMI IN buffers built byte by byte from SPEC §2, and the reading of OUT bytes.
//!
//! ```text
//!   SPEC §2 layouts ──► buffers (this file: explicit offsets, little-endian) ──► exec's stdin
//! ```
//!
//! Never built with the core's wire emitters, so that the conformance suite checks the layouts
//! independently of the code under test. Padding is filled with 0xA5 where a caller may leave
//! garbage, so that an implementation reading it shows.

/// Reads a little-endian `u32` at `at`.
///
/// # Panics
///
/// If `bytes` is shorter than `at + 4`.
#[must_use]
pub fn u32_le(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// The four little-endian bytes of an OUT `Status`: what stdout carries for a 4-byte OUT.
#[must_use]
pub fn status_out(status: u32) -> Vec<u8> {
    status.to_le_bytes().to_vec()
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

fn len32(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).expect("test buffers are small")
}

/// `SetPresharedKeyForId_IN` with the declared sizes equal to the given bytes.
///
/// `0: u32 PortNumber · 8: u64 SecurityFlags · 16: u8 IdType · 20: u32 IdSize · 24: u32 KeySize
/// · 28: Id · 28+IdSize: Key`. Padding bytes 4..8 and 17..20 are filled with 0xA5: callers may
/// leave garbage there and it must not matter.
#[must_use]
pub fn set_psk_in(port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut tail = id.to_vec();
    tail.extend_from_slice(key);
    set_psk_in_raw(port, flags, id_type, len32(id), len32(key), &tail)
}

/// `SetPresharedKeyForId_IN` with any declared sizes, followed by `tail` (id, key, padding…).
#[must_use]
pub fn set_psk_in_raw(
    port: u32,
    flags: u64,
    id_type: u8,
    id_size: u32,
    key_size: u32,
    tail: &[u8],
) -> Vec<u8> {
    let mut b = vec![0u8; 28];
    put(&mut b, 0, &port.to_le_bytes());
    put(&mut b, 4, &[0xA5; 4]);
    put(&mut b, 8, &flags.to_le_bytes());
    b[16] = id_type;
    put(&mut b, 17, &[0xA5; 3]);
    put(&mut b, 20, &id_size.to_le_bytes());
    put(&mut b, 24, &key_size.to_le_bytes());
    b.extend_from_slice(tail);
    b
}

/// `GetPresharedKeyForId_IN`: `0: u32 PortNumber · 4: u8 IdType · 8: u32 IdSize · 12: Id`.
/// Padding bytes 5..8 are 0xA5, so that an OUT written over them without zeroing its own
/// padding (OUT bytes 4..8) shows.
#[must_use]
pub fn get_psk_in(port: u32, id_type: u8, id: &[u8]) -> Vec<u8> {
    get_psk_in_raw(port, id_type, len32(id), id)
}

/// `GetPresharedKeyForId_IN` with any declared IdSize, followed by `tail`.
#[must_use]
pub fn get_psk_in_raw(port: u32, id_type: u8, id_size: u32, tail: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 12];
    put(&mut b, 0, &port.to_le_bytes());
    b[4] = id_type;
    put(&mut b, 5, &[0xA5; 3]);
    put(&mut b, 8, &id_size.to_le_bytes());
    b.extend_from_slice(tail);
    b
}

/// `0: u32 Size · 4: bytes[Size]`: SetGroupPresharedKey_IN and SetCHAPSharedSecret_IN.
#[must_use]
pub fn sized_in(bytes: &[u8]) -> Vec<u8> {
    sized_in_raw(len32(bytes), bytes)
}

/// A `u32` size followed by `tail`, whatever the size says.
#[must_use]
pub fn sized_in_raw(size: u32, tail: &[u8]) -> Vec<u8> {
    let mut b = size.to_le_bytes().to_vec();
    b.extend_from_slice(tail);
    b
}

/// An `ISCSI_IP_Address` to build.
#[derive(Debug, Clone)]
pub enum Addr {
    /// Type 0 with this text: its UTF-16LE bytes at their real length, no NUL (L = 2 × units).
    Text(String),
    /// Type 0 with exactly these `TextAddress` bytes; L is their length (odd, over 512, with a
    /// NUL and padding: anything).
    TextBytes(Vec<u8>),
    /// Type 1; the four bytes at offset 4 as given.
    V4([u8; 4]),
    /// Type 2 with address, flow info and scope id.
    V6 {
        /// `IpV6Address`.
        address: [u8; 16],
        /// `IpV6FlowInfo`.
        flow: u32,
        /// `IpV6ScopeId`.
        scope: u32,
    },
    /// Type 3 (empty).
    Empty,
    /// Any `Type` value with every other field zero.
    Type(u32),
    /// Any `Type` value, every other field zero, and these `TextAddress` bytes (the length
    /// rule holds whatever the type).
    TypeWithText(u32, Vec<u8>),
}

impl Addr {
    /// `Addr::Text` from a `&str`.
    #[must_use]
    pub fn text(s: &str) -> Addr {
        Addr::Text(s.to_owned())
    }

    /// `Addr::V6` with zero flow info and scope.
    #[must_use]
    pub fn v6(address: [u8; 16]) -> Addr {
        Addr::V6 {
            address,
            flow: 0,
            scope: 0,
        }
    }

    /// The `Type` field.
    #[must_use]
    pub fn address_type(&self) -> u32 {
        match self {
            Addr::Text(_) | Addr::TextBytes(_) => 0,
            Addr::V4(_) => 1,
            Addr::V6 { .. } => 2,
            Addr::Empty => 3,
            Addr::Type(t) | Addr::TypeWithText(t, _) => *t,
        }
    }

    /// The `TextAddress` bytes (L is their length).
    #[must_use]
    pub fn text_bytes(&self) -> Vec<u8> {
        match self {
            Addr::Text(t) => utf16(t),
            Addr::TextBytes(b) | Addr::TypeWithText(_, b) => b.clone(),
            _ => Vec::new(),
        }
    }
}

/// UTF-16LE bytes of `s`, no NUL.
#[must_use]
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The two shapes of SetTunnelModeOuterAddress_IN (SPEC §2), told apart by InBufferSize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// WMI's marshalling: each counted string at its real length, the outer address at
    /// `align4(38 + L1)`; under 1100 bytes.
    Packed,
    /// The C structs' fixed stride (1100 bytes, the outer address at 552), each L the text's
    /// real length.
    FixedStride,
    /// The fixed stride as the WDK sample's `iSpReadTCPConfigInfo` fills it: each L = 512,
    /// the text followed by NULs up to 512 bytes.
    FixedStride512,
}

/// Every shape, for tests that must hold in each.
pub const SHAPES: [Shape; 3] = [Shape::Packed, Shape::FixedStride, Shape::FixedStride512];

/// `sizeof(ISCSI_IP_Address)` in C: only the fixed stride lays addresses out at this size.
pub const C_IP_ADDRESS_LEN: usize = 548;
/// `sizeof(SetTunnelModeOuterAddress_IN)` in C: an IN at least this long is the fixed stride.
pub const FIXED_STRIDE_LEN: usize = 1100;
/// The outer address's offset in the fixed stride.
pub const FIXED_STRIDE_OUTER: usize = 552;
/// Offset of the destination's `TextAddress` length (L1) in both shapes.
pub const L1_AT: usize = 36;

/// Where the packed shape puts the outer address after a destination text of `l1` bytes.
#[must_use]
pub fn packed_outer_at(l1: usize) -> usize {
    (38 + l1).next_multiple_of(4)
}

/// `ISCSI_IP_Address` at its real length, as WMI packs it: `0: u32 Type · 4: u32 IpV4Address ·
/// 8: u8 IpV6Address[16] · 24: u32 IpV6FlowInfo · 28: u32 IpV6ScopeId · 32: u16 L · 34: L bytes
/// of text` (34 + L bytes, no padding).
///
/// # Panics
///
/// If the text is longer than a `u16` length can say.
#[must_use]
pub fn ip_address(a: &Addr) -> Vec<u8> {
    let text = a.text_bytes();
    let l = u16::try_from(text.len()).expect("a TextAddress length is a u16");
    ip_address_with_length(a, l, &text)
}

/// `ISCSI_IP_Address` with `TextAddress` length `l` followed by `text` (any bytes, whatever
/// `l` says).
#[must_use]
pub fn ip_address_with_length(a: &Addr, l: u16, text: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 34];
    put(&mut b, 0, &a.address_type().to_le_bytes());
    match a {
        Addr::V4(v4) => put(&mut b, 4, v4),
        Addr::V6 {
            address,
            flow,
            scope,
        } => {
            put(&mut b, 8, address);
            put(&mut b, 24, &flow.to_le_bytes());
            put(&mut b, 28, &scope.to_le_bytes());
        }
        _ => {}
    }
    put(&mut b, 32, &l.to_le_bytes());
    b.extend_from_slice(text);
    b
}

/// `SetTunnelModeOuterAddress_IN` as WMI marshals it: `0: u32 PortNumber · 4: Destination
/// (34 + L1) · align4(38 + L1): TunnelModeOuterAddress (34 + L2)`. The padding before the
/// outer address is 0xA5: callers may leave garbage there and it must not matter.
///
/// # Panics
///
/// If the result would be 1100 bytes or more (then it would be read as the fixed stride).
#[must_use]
pub fn tunnel_in(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let mut b = port.to_le_bytes().to_vec();
    b.extend_from_slice(&ip_address(destination));
    b.resize(b.len().next_multiple_of(4), 0xA5);
    b.extend_from_slice(&ip_address(outer));
    assert!(
        b.len() < FIXED_STRIDE_LEN,
        "a packed IN is under 1100 bytes"
    );
    b
}

/// `SetTunnelModeOuterAddress_IN` in the C structs' fixed stride: `0: u32 PortNumber · 4:
/// Destination · 552: TunnelModeOuterAddress`, each address in a 548-byte slot whose unused
/// bytes are zero, the L fields the texts' real lengths. 1100 bytes, more if the outer text
/// runs past its slot.
///
/// # Panics
///
/// If the destination's text would run into the outer address (over 514 bytes).
#[must_use]
pub fn tunnel_in_fixed(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let d = ip_address(destination);
    assert!(d.len() <= C_IP_ADDRESS_LEN, "the destination fits its slot");
    fixed_stride(port, &d, &ip_address(outer))
}

/// The fixed stride as `iSpReadTCPConfigInfo` fills it: each L = 512 and each text followed
/// by NULs up to 512 bytes (so the text ends at its first NUL, SPEC §2).
///
/// # Panics
///
/// If a text is longer than 512 bytes.
#[must_use]
pub fn tunnel_in_c(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let slot = |a: &Addr| {
        let mut text = a.text_bytes();
        assert!(text.len() <= 512, "TextAddress holds 512 bytes");
        text.resize(512, 0);
        ip_address_with_length(a, 512, &text)
    };
    fixed_stride(port, &slot(destination), &slot(outer))
}

fn fixed_stride(port: u32, destination: &[u8], outer: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; FIXED_STRIDE_LEN.max(FIXED_STRIDE_OUTER + outer.len())];
    put(&mut b, 0, &port.to_le_bytes());
    put(&mut b, 4, destination);
    put(&mut b, FIXED_STRIDE_OUTER, outer);
    b
}

/// [`tunnel_in`], [`tunnel_in_fixed`] or [`tunnel_in_c`] by shape.
///
/// # Panics
///
/// As the builder of that shape.
#[must_use]
pub fn tunnel_in_shaped(shape: Shape, port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    match shape {
        Shape::Packed => tunnel_in(port, destination, outer),
        Shape::FixedStride => tunnel_in_fixed(port, destination, outer),
        Shape::FixedStride512 => tunnel_in_c(port, destination, outer),
    }
}

/// Lower-case hex of `bytes`, as `lookup --reveal` prints keys.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ALL_PORTS;

    #[test]
    fn hand_built_layouts_have_the_spec_offsets() {
        let b = set_psk_in(1, 0x0102, 2, b"ab", b"k");
        assert_eq!(b.len(), 31);
        assert_eq!(&b[0..4], &[1, 0, 0, 0]);
        assert_eq!(&b[8..16], &[2, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(b[16], 2);
        assert_eq!(&b[20..28], &[2, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&b[28..], b"abk");

        let g = get_psk_in(ALL_PORTS, 5, &[9; 16]);
        assert_eq!(g.len(), 28);
        assert_eq!(&g[0..5], &[0xff, 0xff, 0xff, 0xff, 5]);
        assert_eq!(&g[8..12], &[16, 0, 0, 0]);

        let v6 = Addr::V6 {
            address: [7; 16],
            flow: 2,
            scope: 3,
        };
        // Packed: an IPv4 destination (L1 = 0) ends at 38, the outer address starts at 40.
        let t = tunnel_in(1, &Addr::V4([192, 0, 2, 1]), &v6);
        assert_eq!(t.len(), 74);
        assert_eq!(&t[4..8], &[1, 0, 0, 0]);
        assert_eq!(&t[8..12], &[192, 0, 2, 1]);
        assert_eq!(&t[36..40], &[0, 0, 0xA5, 0xA5]);
        assert_eq!(&t[40..44], &[2, 0, 0, 0]);
        assert_eq!(&t[48..64], &[7; 16]);
        assert_eq!(&t[64..74], &[2, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
        // Packed text: "ab" is L1 = 4, 38 + 4 = 42, so two bytes of padding before 44.
        let t = tunnel_in(0, &Addr::text("ab"), &Addr::text("c"));
        assert_eq!(&t[36..44], &[4, 0, b'a', 0, b'b', 0, 0xA5, 0xA5]);
        assert_eq!(&t[44..48], &[0; 4]);
        assert_eq!(&t[76..80], &[2, 0, b'c', 0]);
        assert_eq!(t.len(), 80);
        assert_eq!(packed_outer_at(4), 44);
        assert_eq!(packed_outer_at(6), 44);
        // Fixed stride, real lengths: the outer address at 552 whatever L1 says.
        let f = tunnel_in_fixed(1, &Addr::text("ab"), &v6);
        assert_eq!(f.len(), 1100);
        assert_eq!(&f[36..42], &[4, 0, b'a', 0, b'b', 0]);
        assert!(f[42..552].iter().all(|&b| b == 0));
        assert_eq!(&f[552..556], &[2, 0, 0, 0]);
        assert_eq!(&f[560..576], &[7; 16]);
        assert_eq!(&f[576..586], &[2, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
        // Fixed stride as the C sample fills it: L = 512, the text, NULs.
        let c = tunnel_in_c(1, &Addr::text("ab"), &Addr::text("c"));
        assert_eq!(c.len(), 1100);
        assert_eq!(&c[36..44], &[0, 2, b'a', 0, b'b', 0, 0, 0]);
        assert_eq!(&c[584..590], &[0, 2, b'c', 0, 0, 0]);
        let x = ip_address(&Addr::text("ab"));
        assert_eq!(x, [&[0u8; 32][..], &[4, 0, b'a', 0, b'b', 0]].concat());
        assert_eq!(sized_in(b"xy"), vec![2, 0, 0, 0, b'x', b'y']);
    }
}
