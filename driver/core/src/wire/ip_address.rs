//! `ISCSI_IP_Address` (`iscsidef.h`), embedded twice in `SetTunnelModeOuterAddress_IN`.
//!
//! ```text
//!   0: u32 Type   4: u32 IpV4Address   8: u8 IpV6Address[16]   24: u32 IpV6FlowInfo
//!  28: u32 IpV6ScopeId   32: u16 L   34: u8 TextAddress[L]                  (34 + L bytes)
//! ```
//!
//! `TextAddress` is a WMI counted string (`MaxLen(256) string` in the MOF): a `u16` holding
//! its length in **bytes**, then that many bytes of UTF-16LE, which may include a terminating
//! NUL and padding. The struct ends right after the text; whatever follows it starts at the
//! next multiple of 4 (SPEC §2).
//!
//! The C header spells the same bytes `WCHAR TextAddress[256 + 1]`: its first element is the
//! length and the other 256 hold the text. Only a C caller filling that struct (the fixed
//! stride of [`super::set_tunnel_mode_outer_address`]) gives the struct its C `sizeof`,
//! [`C_LEN`] = 548 bytes; WMI's own marshalling packs it to `34 + L`. This file reads and writes
//! one address at its real length; where the next item starts is the caller's business.

use super::{WireError, bytes, put, u32_at};

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const TYPE: Field = 0..4;
    pub const IPV4_ADDRESS: Field = 4..8;
    pub const IPV6_ADDRESS: Field = 8..24;
    pub const IPV6_FLOW_INFO: Field = 24..28;
    pub const IPV6_SCOPE_ID: Field = 28..32;
    /// The counted string's length in bytes (the C array's first element).
    pub const TEXT_ADDRESS_LENGTH: Field = 32..34;
}

/// Bytes before the text: every fixed field and the text's length. The text starts here.
pub const HEADER_LEN: usize = field::TEXT_ADDRESS_LENGTH.end;
/// `MAX_ISCSI_TEXT_ADDRESS_LEN`: the most UTF-16 units a text address holds (`MaxLen(256)`).
pub const MAX_TEXT_ADDRESS_UNITS: usize = 256;
/// The longest valid `TextAddress` length, in bytes.
pub const MAX_TEXT_ADDRESS_LEN: usize = 2 * MAX_TEXT_ADDRESS_UNITS;
/// `sizeof(ISCSI_IP_Address)` in C: the 34-byte header, the room for 256 units, two bytes of
/// padding. Only the fixed stride lays addresses out this way.
pub const C_LEN: usize = (HEADER_LEN + MAX_TEXT_ADDRESS_LEN).next_multiple_of(4);

/// The raw fields of an `ISCSI_IP_Address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IscsiIpAddress<'a> {
    /// `Type`: 0 text, 1 IPv4, 2 IPv6, 3 empty (`ISCSIIPADDRESSTYPE`).
    pub address_type: u32,
    /// `IpV4Address`, its four bytes as they sit in memory (network order by convention).
    pub ipv4_address: [u8; 4],
    /// `IpV6Address`, network order.
    pub ipv6_address: [u8; 16],
    /// `IpV6FlowInfo`.
    pub ipv6_flow_info: u32,
    /// `IpV6ScopeId`.
    pub ipv6_scope_id: u32,
    /// `TextAddress`: the `L` bytes of the counted string as sent (UTF-16LE, possibly with a
    /// NUL and padding); its length is `L`. The wire allows any `L` up to 65,535; whether it
    /// is valid (even, at most [`MAX_TEXT_ADDRESS_LEN`]) is [`crate::domain`]'s decision.
    pub text_address: &'a [u8],
}

impl IscsiIpAddress<'static> {
    /// An all-zero address of the given type with an empty text (`L` = 0).
    #[must_use]
    pub const fn zeroed(address_type: u32) -> IscsiIpAddress<'static> {
        IscsiIpAddress {
            address_type,
            ipv4_address: [0; 4],
            ipv6_address: [0; 16],
            ipv6_flow_info: 0,
            ipv6_scope_id: 0,
            text_address: &[],
        }
    }
}

impl<'a> IscsiIpAddress<'a> {
    /// Reads the address at the start of `buf`: the header, then `L` bytes of text. Bytes
    /// after the text are not read.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` ends before the header does, or before the `L` bytes of text do.
    pub fn parse(buf: &'a [u8]) -> Result<IscsiIpAddress<'a>, WireError> {
        let length = bytes(buf, field::TEXT_ADDRESS_LENGTH)?;
        let length = u16::from_le_bytes(length.try_into().map_err(|_| WireError::Truncated)?);
        let text = HEADER_LEN..HEADER_LEN.saturating_add(usize::from(length));
        Ok(IscsiIpAddress {
            address_type: u32_at(buf, field::TYPE)?,
            ipv4_address: bytes(buf, field::IPV4_ADDRESS)?
                .try_into()
                .map_err(|_| WireError::Truncated)?,
            ipv6_address: bytes(buf, field::IPV6_ADDRESS)?
                .try_into()
                .map_err(|_| WireError::Truncated)?,
            ipv6_flow_info: u32_at(buf, field::IPV6_FLOW_INFO)?,
            ipv6_scope_id: u32_at(buf, field::IPV6_SCOPE_ID)?,
            text_address: bytes(buf, text)?,
        })
    }

    /// Bytes [`Self::emit`] writes: the header and the text, no padding (`34 + L`).
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN.saturating_add(self.text_address.len())
    }

    /// Writes the header and the text at the start of `buf`; nothing after them.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`Self::buffer_len`], or if the text is longer than
    /// a `u16` length can say.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        let length = u16::try_from(self.text_address.len()).map_err(|_| WireError::NoRoom)?;
        put(buf, field::TYPE, &self.address_type.to_le_bytes())?;
        put(buf, field::IPV4_ADDRESS, &self.ipv4_address)?;
        put(buf, field::IPV6_ADDRESS, &self.ipv6_address)?;
        put(
            buf,
            field::IPV6_FLOW_INFO,
            &self.ipv6_flow_info.to_le_bytes(),
        )?;
        put(buf, field::IPV6_SCOPE_ID, &self.ipv6_scope_id.to_le_bytes())?;
        put(buf, field::TEXT_ADDRESS_LENGTH, &length.to_le_bytes())?;
        put(buf, HEADER_LEN..self.buffer_len(), self.text_address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv6 address with flow info and scope, and a text of two units ("h", U+263A) with
    /// its NUL counted in L = 6: 40 bytes, as WMI packs it.
    static PACKED_IPV6: [u8; 40] = [
        0x02, 0x00, 0x00, 0x00, // Type 2
        0x0a, 0x00, 0x00, 0x01, // IpV4Address (ignored for type 2, still carried)
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // IpV6Address
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, //
        0x34, 0x12, 0x00, 0x00, // IpV6FlowInfo 0x1234
        0x07, 0x00, 0x00, 0x00, // IpV6ScopeId 7
        0x06, 0x00, // L = 6 bytes
        0x68, 0x00, 0x3a, 0x26, 0x00, 0x00, // "h", U+263A, NUL
    ];

    #[test]
    fn packed_both_directions() {
        let a = IscsiIpAddress::parse(&PACKED_IPV6).unwrap();
        assert_eq!(a.address_type, 2);
        assert_eq!(a.ipv4_address, [10, 0, 0, 1]);
        assert_eq!(a.ipv6_address[..4], [0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(a.ipv6_address[15], 1);
        assert_eq!((a.ipv6_flow_info, a.ipv6_scope_id), (0x1234, 7));
        assert_eq!(a.text_address, &PACKED_IPV6[34..]);
        assert_eq!(a.buffer_len(), 40);
        let mut out = [0xa5u8; 41];
        a.emit(&mut out).unwrap();
        assert_eq!(out[..40], PACKED_IPV6);
        assert_eq!(out[40], 0xa5, "nothing written past the text");
        // Bytes after the text are not part of it.
        let mut padded = PACKED_IPV6.to_vec();
        padded.extend_from_slice(&[0xEE; 8]);
        assert_eq!(IscsiIpAddress::parse(&padded), Ok(a));
    }

    /// The C struct as `iSpReadTCPConfigInfo` fills it: L = 512 whatever the text, the text
    /// ("gw" and NULs) in the 256 units after it, two bytes of padding: 548 bytes.
    fn c_struct() -> [u8; C_LEN] {
        let mut c = [0u8; C_LEN];
        c[0] = 0; // Type 0, text
        c[32..34].copy_from_slice(&512u16.to_le_bytes());
        c[34..38].copy_from_slice(&[b'g', 0, b'w', 0]);
        c
    }

    #[test]
    fn c_struct_both_directions() {
        let c = c_struct();
        let a = IscsiIpAddress::parse(&c).unwrap();
        assert_eq!(a.address_type, 0);
        assert_eq!(a.text_address.len(), 512);
        assert_eq!(a.text_address[..6], [b'g', 0, b'w', 0, 0, 0]);
        assert_eq!(
            a.buffer_len(),
            546,
            "the C struct's two bytes of padding are not read"
        );
        let mut out = [0xa5u8; C_LEN];
        a.emit(&mut out).unwrap();
        assert_eq!(out[..546], c[..546]);
        assert_eq!(out[546..], [0xa5, 0xa5], "the padding is the caller's");
    }

    #[test]
    fn truncated_header_or_text() {
        assert_eq!(
            IscsiIpAddress::parse(&PACKED_IPV6[..33]),
            Err(WireError::Truncated)
        );
        assert_eq!(
            IscsiIpAddress::parse(&PACKED_IPV6[..39]),
            Err(WireError::Truncated),
            "L says 6 bytes, 5 are there"
        );
        assert!(IscsiIpAddress::parse(&c_struct()[..545]).is_err());
        // L = 0xFFFF reaches 65,569 bytes: any shorter buffer is truncated, without overflow.
        let mut big = PACKED_IPV6;
        big[32..34].copy_from_slice(&[0xFF, 0xFF]);
        assert_eq!(IscsiIpAddress::parse(&big), Err(WireError::Truncated));
        // An odd or oversized L is still read: validation refuses it, not the wire.
        let mut odd = PACKED_IPV6;
        odd[32] = 5;
        assert_eq!(IscsiIpAddress::parse(&odd).unwrap().text_address.len(), 5);
    }

    #[test]
    fn emit_needs_room_and_a_u16_length() {
        let a = IscsiIpAddress::parse(&PACKED_IPV6).unwrap();
        assert_eq!(a.emit(&mut [0u8; 39]), Err(WireError::NoRoom));
        let long = alloc::vec![0u8; 65_536];
        let mut out = alloc::vec![0u8; 65_600];
        let mut too_long = IscsiIpAddress::zeroed(0);
        too_long.text_address = &long;
        assert_eq!(too_long.emit(&mut out), Err(WireError::NoRoom));
        too_long.text_address = &long[..65_535];
        assert!(too_long.emit(&mut out).is_ok());
    }
}
