//! `SetTunnelModeOuterAddress_IN` (method 4), in the two shapes callers send.
//!
//! ```text
//!   packed (InBufferSize < 1100), as WMI marshals the in-parameters:
//!     0: u32 PortNumber   4: DestinationAddress (34 + L1)   A = align4(38 + L1):
//!     A: TunnelModeOuterAddress (34 + L2)                          (A + 34 + L2 bytes)
//!
//!   fixed stride (InBufferSize >= 1100), the C structs of iscsiop.h as a C caller fills them:
//!     0: u32 PortNumber   4: DestinationAddress (548)   552: TunnelModeOuterAddress (548)
//!                                                                  (1100 bytes)
//! ```
//!
//! Each address is an [`IscsiIpAddress`] whose `TextAddress` is a counted string (`L1`, `L2`
//! bytes). `InBufferSize` alone tells the shapes apart: the longest packed buffer with valid
//! lengths is 1,098 bytes (`L1` = `L2` = 512, where both shapes put the outer address at 552).
//! In the fixed stride the outer address is at 552 whatever `L1` says. SPEC §3 rule 3 is
//! checked step by step, each without overflow: 38 bytes (up to `L1`), `38 + L1`, `A + 34`
//! (up to `L2`), `A + 34 + L2`.
//!
//! The OUT struct is [`super::StatusOut`].

use super::ip_address::{self, IscsiIpAddress};
use super::{WireError, clear, put, u32_at};

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const PORT_NUMBER: Field = 0..4;
    /// Where the destination starts, in both shapes.
    pub const DESTINATION_ADDRESS: usize = PORT_NUMBER.end;
}

/// The fixed part of SPEC §3 rule 3: the offset of the destination's text (38), the first
/// variable field, in both shapes.
pub const FIXED_LEN: usize = field::DESTINATION_ADDRESS + ip_address::HEADER_LEN;
/// `sizeof(SetTunnelModeOuterAddress_IN)` in C (1100): an `InBufferSize` at least this large is
/// the fixed stride.
pub const FIXED_STRIDE_LEN: usize = FIXED_STRIDE_OUTER_ADDRESS + ip_address::C_LEN;
/// Offset of the outer address in the fixed stride (552), whatever `L1` says.
pub const FIXED_STRIDE_OUTER_ADDRESS: usize =
    (field::DESTINATION_ADDRESS + ip_address::C_LEN).next_multiple_of(4);

/// Which of the two shapes of SPEC §2 a buffer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// WMI's marshalling: each string at its real length, the outer address at
    /// `align4(38 + L1)`. What a caller whose buffer WMI builds sends.
    Packed,
    /// The C structs' fixed stride: the outer address at 552, the buffer at least 1,100 bytes.
    FixedStride,
}

impl Shape {
    /// The shape of an IN buffer of `in_size` bytes.
    #[must_use]
    pub const fn of(in_size: usize) -> Shape {
        if in_size >= FIXED_STRIDE_LEN {
            Shape::FixedStride
        } else {
            Shape::Packed
        }
    }
}

/// The raw fields of a `SetTunnelModeOuterAddress_IN`, and the shape they came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetTunnelModeOuterAddressIn<'a> {
    /// `PortNumber`: a port, or `0xFFFFFFFF` for all ports.
    pub port_number: u32,
    /// `DestinationAddress`: the target the mapping is for.
    pub destination_address: IscsiIpAddress<'a>,
    /// `TunnelModeOuterAddress`: the outer address to use; type EMPTY removes the mapping.
    pub tunnel_mode_outer_address: IscsiIpAddress<'a>,
    /// Where the outer address sits, and how long the buffer is.
    pub shape: Shape,
}

impl<'a> SetTunnelModeOuterAddressIn<'a> {
    /// The call as WMI marshals it: [`Shape::Packed`]. If that would make 1,100 bytes or more
    /// (only with a text over 512 bytes, which WMI never sends), a reader would take it for the
    /// fixed stride and look for the outer address at 552, so it is built in the fixed stride
    /// instead: both lengths then read back as built, and with them the answer (a length over
    /// 512 is refused). Only a destination text over 514 bytes, which runs into the outer
    /// address there, does not read back byte for byte.
    #[must_use]
    pub fn new(
        port_number: u32,
        destination_address: IscsiIpAddress<'a>,
        tunnel_mode_outer_address: IscsiIpAddress<'a>,
    ) -> SetTunnelModeOuterAddressIn<'a> {
        let mut repr = SetTunnelModeOuterAddressIn {
            port_number,
            destination_address,
            tunnel_mode_outer_address,
            shape: Shape::Packed,
        };
        if repr.buffer_len() >= FIXED_STRIDE_LEN {
            repr.shape = Shape::FixedStride;
        }
        repr
    }

    /// Reads the IN struct; the shape is [`Shape::of`] `buf.len()`, so `buf` must be exactly
    /// the `InBufferSize` bytes of the call.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` ends before 38 bytes, before `38 + L1`, before the outer
    /// address's `L2` or before `A + 34 + L2`.
    pub fn parse(buf: &'a [u8]) -> Result<SetTunnelModeOuterAddressIn<'a>, WireError> {
        let port_number = u32_at(buf, field::PORT_NUMBER)?;
        let destination_address = IscsiIpAddress::parse(
            buf.get(field::DESTINATION_ADDRESS..)
                .ok_or(WireError::Truncated)?,
        )?;
        let shape = Shape::of(buf.len());
        let at = outer_offset(shape, &destination_address).ok_or(WireError::Truncated)?;
        let tunnel_mode_outer_address =
            IscsiIpAddress::parse(buf.get(at..).ok_or(WireError::Truncated)?)?;
        Ok(SetTunnelModeOuterAddressIn {
            port_number,
            destination_address,
            tunnel_mode_outer_address,
            shape,
        })
    }

    /// Bytes [`Self::emit`] writes: `A + 34 + L2` packed; in the fixed stride 1,100, or more
    /// if a text runs past its C struct.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        let outer_end = outer_offset(self.shape, &self.destination_address)
            .map_or(usize::MAX, |at| {
                at.saturating_add(self.tunnel_mode_outer_address.buffer_len())
            });
        match self.shape {
            Shape::Packed => outer_end,
            Shape::FixedStride => {
                let destination_end = field::DESTINATION_ADDRESS
                    .saturating_add(self.destination_address.buffer_len());
                FIXED_STRIDE_LEN.max(destination_end).max(outer_end)
            }
        }
    }

    /// Writes the IN struct in its [`Shape`], every byte between and after the addresses
    /// as zero.
    ///
    /// A packed struct of 1,100 bytes or more reads back as the fixed stride. In the fixed
    /// stride a destination text over 514 bytes runs into the outer address: the destination
    /// is written first and the outer address over it (in a parsed buffer the two agree).
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`Self::buffer_len`] or a text is longer than a `u16`
    /// length can say.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        clear(buf, self.buffer_len())?;
        put(buf, field::PORT_NUMBER, &self.port_number.to_le_bytes())?;
        let destination = buf
            .get_mut(field::DESTINATION_ADDRESS..)
            .ok_or(WireError::NoRoom)?;
        self.destination_address.emit(destination)?;
        let at = outer_offset(self.shape, &self.destination_address).ok_or(WireError::NoRoom)?;
        let outer = buf.get_mut(at..).ok_or(WireError::NoRoom)?;
        self.tunnel_mode_outer_address.emit(outer)
    }
}

/// `A`: where the outer address starts. `None` only if the arithmetic would overflow.
fn outer_offset(shape: Shape, destination: &IscsiIpAddress<'_>) -> Option<usize> {
    match shape {
        Shape::FixedStride => Some(FIXED_STRIDE_OUTER_ADDRESS),
        Shape::Packed => field::DESTINATION_ADDRESS
            .checked_add(destination.buffer_len())?
            .checked_next_multiple_of(4),
    }
}

// With valid lengths, a packed buffer is always shorter than the fixed stride.
const _: () = assert!(
    (FIXED_LEN + ip_address::MAX_TEXT_ADDRESS_LEN).next_multiple_of(4)
        + ip_address::HEADER_LEN
        + ip_address::MAX_TEXT_ADDRESS_LEN
        < FIXED_STRIDE_LEN
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Packed, as WMI marshals `PortNumber = 1`, an IPv4 destination 192.0.2.10 (`L1` = 0)
    /// and an IPv4 outer address 198.51.100.1: the outer address at align4(38) = 40; 74
    /// bytes.
    static PACKED_IPV4: [u8; 74] = [
        0x01, 0x00, 0x00, 0x00, // PortNumber 1
        0x01, 0x00, 0x00, 0x00, // Destination: Type 1
        0xc0, 0x00, 0x02, 0x0a, // IpV4Address
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IpV6Address
        0, 0, 0, 0, 0, 0, 0, 0, // flow info, scope id
        0x00, 0x00, // L1 = 0
        0x00, 0x00, // padding to 40
        0x01, 0x00, 0x00, 0x00, // Outer: Type 1
        0xc6, 0x33, 0x64, 0x01, // IpV4Address
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IpV6Address
        0, 0, 0, 0, 0, 0, 0, 0, // flow info, scope id
        0x00, 0x00, // L2 = 0
    ];

    /// Packed, port all, a text destination "tgt" with no NUL (`L1` = 6: 38 + 6 = 44, a
    /// multiple of 4, no padding) and a text outer address "gw" with its NUL (`L2` = 6): 84
    /// bytes.
    static PACKED_TEXT: [u8; 84] = [
        0xff, 0xff, 0xff, 0xff, // PortNumber all
        0x00, 0x00, 0x00, 0x00, // Destination: Type 0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IPv4, IPv6
        0, 0, 0, 0, 0, 0, 0, 0, // flow info, scope id
        0x06, 0x00, // L1 = 6
        b't', 0, b'g', 0, b't', 0, // "tgt"
        0x00, 0x00, 0x00, 0x00, // Outer (at 44): Type 0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IPv4, IPv6
        0, 0, 0, 0, 0, 0, 0, 0, // flow info, scope id
        0x06, 0x00, // L2 = 6
        b'g', 0, b'w', 0, 0, 0, // "gw", NUL
    ];

    /// The fixed stride as a C caller fills it: port 0, a text destination "tgt" with
    /// `L1` = 512 (as `iSpReadTCPConfigInfo` writes it) and an IPv6 outer address `::1` with
    /// flow info 9 and scope 3 (`L2` = 0) at 552.
    fn fixed_stride() -> Vec<u8> {
        let mut c = vec![0u8; FIXED_STRIDE_LEN];
        c[36..38].copy_from_slice(&512u16.to_le_bytes());
        c[38..44].copy_from_slice(&[b't', 0, b'g', 0, b't', 0]);
        c[552..556].copy_from_slice(&2u32.to_le_bytes());
        c[575] = 1;
        c[576..580].copy_from_slice(&9u32.to_le_bytes());
        c[580..584].copy_from_slice(&3u32.to_le_bytes());
        c
    }

    fn round_trip(c: &[u8]) -> SetTunnelModeOuterAddressIn<'_> {
        let r = SetTunnelModeOuterAddressIn::parse(c).unwrap();
        assert_eq!(r.buffer_len(), c.len());
        let mut out = vec![0xa5u8; c.len() + 1];
        r.emit(&mut out).unwrap();
        assert_eq!(out[..c.len()], *c);
        assert_eq!(out[c.len()], 0xa5, "nothing written past the struct");
        r
    }

    #[test]
    fn packed_ipv4_both_directions() {
        let r = round_trip(&PACKED_IPV4);
        assert_eq!(r.shape, Shape::Packed);
        assert_eq!(r.port_number, 1);
        let (d, o) = (r.destination_address, r.tunnel_mode_outer_address);
        assert_eq!((d.address_type, d.ipv4_address), (1, [192, 0, 2, 10]));
        assert_eq!((o.address_type, o.ipv4_address), (1, [198, 51, 100, 1]));
        assert!(d.text_address.is_empty() && o.text_address.is_empty());
        let built = SetTunnelModeOuterAddressIn::new(1, d, o);
        assert_eq!(built, r, "new builds WMI's shape");
    }

    #[test]
    fn packed_text_both_directions() {
        let r = round_trip(&PACKED_TEXT);
        assert_eq!(r.shape, Shape::Packed);
        assert_eq!(r.port_number, 0xFFFF_FFFF);
        assert_eq!(r.destination_address.text_address, b"t\0g\0t\0");
        assert_eq!(r.tunnel_mode_outer_address.text_address, b"g\0w\0\0\0");
    }

    #[test]
    fn packed_destination_ending_at_2_mod_4_is_padded() {
        // "tg": 38 + 4 = 42, so the outer address starts at 44 after two bytes of padding.
        let mut c = PACKED_TEXT[..42].to_vec();
        c[36] = 4;
        c.extend_from_slice(&[0xEE, 0xEE]); // padding: not read, written as zero
        c.extend_from_slice(&PACKED_TEXT[44..]);
        let r = SetTunnelModeOuterAddressIn::parse(&c).unwrap();
        assert_eq!(r.destination_address.text_address, b"t\0g\0");
        assert_eq!(r.tunnel_mode_outer_address.text_address, b"g\0w\0\0\0");
        let mut out = vec![0xa5u8; c.len()];
        r.emit(&mut out).unwrap();
        c[42..44].fill(0);
        assert_eq!(out, c);
    }

    #[test]
    fn fixed_stride_both_directions() {
        let c = fixed_stride();
        let r = round_trip(&c);
        assert_eq!(r.shape, Shape::FixedStride);
        assert_eq!(r.port_number, 0);
        let (d, o) = (r.destination_address, r.tunnel_mode_outer_address);
        assert_eq!(d.address_type, 0);
        assert_eq!(d.text_address.len(), 512);
        assert_eq!(d.text_address[..8], *b"t\0g\0t\0\0\0");
        assert_eq!(o.address_type, 2);
        assert_eq!(o.ipv6_address[15], 1);
        assert_eq!((o.ipv6_flow_info, o.ipv6_scope_id), (9, 3));
        assert!(o.text_address.is_empty());
    }

    #[test]
    fn fixed_stride_puts_the_outer_address_at_552_whatever_l1_says() {
        // The real length of "tgt" (6): a packed reader would look at 44; the C layout at 552.
        let mut c = fixed_stride();
        c[36..38].copy_from_slice(&6u16.to_le_bytes());
        let r = round_trip(&c);
        assert_eq!(r.destination_address.text_address, b"t\0g\0t\0");
        assert_eq!(r.tunnel_mode_outer_address.address_type, 2);
        // Bytes past 1100 are ignored, and keep the shape.
        let mut longer = c.clone();
        longer.extend_from_slice(&[0xEE; 100]);
        assert_eq!(SetTunnelModeOuterAddressIn::parse(&longer), Ok(r));
    }

    #[test]
    fn longest_packed_buffer_is_shorter_than_the_fixed_stride() {
        let text = [0x61u8; 512];
        let mut d = IscsiIpAddress::zeroed(0);
        d.text_address = &text;
        let r = SetTunnelModeOuterAddressIn::new(0, d, d);
        assert_eq!((r.shape, r.buffer_len()), (Shape::Packed, 1098));
        let mut buf = vec![0xa5u8; 1098];
        r.emit(&mut buf).unwrap();
        assert_eq!(SetTunnelModeOuterAddressIn::parse(&buf), Ok(r));
        // L1 = 510: the outer address at 548, four bytes before the fixed stride's 552.
        d.text_address = &text[..510];
        let r = SetTunnelModeOuterAddressIn::new(0, d, IscsiIpAddress::zeroed(3));
        assert_eq!(r.buffer_len(), 548 + 34);
    }

    #[test]
    fn new_falls_back_to_the_fixed_stride_for_texts_wmi_would_not_send() {
        let text = [0x61u8; 1200];
        let mut o = IscsiIpAddress::zeroed(0);
        o.text_address = &text;
        let r = SetTunnelModeOuterAddressIn::new(0, IscsiIpAddress::zeroed(1), o);
        assert_eq!(r.shape, Shape::FixedStride);
        assert_eq!(r.buffer_len(), 552 + 34 + 1200);
        let mut buf = vec![0u8; r.buffer_len()];
        r.emit(&mut buf).unwrap();
        assert_eq!(SetTunnelModeOuterAddressIn::parse(&buf), Ok(r));
    }

    #[test]
    fn rule3_steps() {
        fn cut(c: &[u8], n: usize) -> Result<SetTunnelModeOuterAddressIn<'_>, WireError> {
            SetTunnelModeOuterAddressIn::parse(&c[..n])
        }
        // Before L1, before the end of the destination's text, before L2, before the end.
        for n in [0, 3, 37] {
            assert_eq!(cut(&PACKED_TEXT, n), Err(WireError::Truncated), "{n}");
        }
        for n in [38, 43, 44, 77, 83] {
            assert_eq!(cut(&PACKED_TEXT, n), Err(WireError::Truncated), "{n}");
        }
        assert!(cut(&PACKED_TEXT, 84).is_ok());
        for n in [41, 73] {
            assert_eq!(cut(&PACKED_IPV4, n), Err(WireError::Truncated), "{n}");
        }
        // 1099 bytes of a fixed-stride buffer are read as packed: L1 = 512 puts the outer
        // address at 552 there too, and it ends at 586.
        assert!(cut(&fixed_stride(), 1099).is_ok());
        // L1 = 0xFFFF: 38 + 65535 bytes are needed, whatever the shape.
        let mut big = fixed_stride();
        big[36..38].copy_from_slice(&[0xFF, 0xFF]);
        assert_eq!(
            SetTunnelModeOuterAddressIn::parse(&big),
            Err(WireError::Truncated)
        );
        big.resize(38 + 0xFFFF, 0);
        assert!(SetTunnelModeOuterAddressIn::parse(&big).is_ok());
        // L2 = 0xFFFF in the fixed stride: 552 + 34 + 65535.
        let mut big = fixed_stride();
        big[584..586].copy_from_slice(&[0xFF, 0xFF]);
        assert_eq!(
            SetTunnelModeOuterAddressIn::parse(&big),
            Err(WireError::Truncated)
        );
        big.resize(586 + 0xFFFF, 0);
        assert!(SetTunnelModeOuterAddressIn::parse(&big).is_ok());
    }

    #[test]
    fn emit_needs_room() {
        let r = SetTunnelModeOuterAddressIn::parse(&PACKED_TEXT).unwrap();
        assert_eq!(r.emit(&mut [0u8; 83]), Err(WireError::NoRoom));
        let c = fixed_stride();
        let r = SetTunnelModeOuterAddressIn::parse(&c).unwrap();
        assert_eq!(r.emit(&mut [0u8; 1099]), Err(WireError::NoRoom));
    }
}
