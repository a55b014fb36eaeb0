//! `ISCSI_IP_Address` (`iscsidef.h`), embedded twice in `SetTunnelModeOuterAddress_IN`.
//!
//! ```text
//!   0: u32 Type   4: u32 IpV4Address   8: u8 IpV6Address[16]   24: u32 IpV6FlowInfo
//!  28: u32 IpV6ScopeId   32: u16 TextAddress[257]   546: 2 bytes of padding   (548 bytes)
//! ```

use super::{Field, WireError, bytes, clear, put, u32_at};

mod field {
    use crate::wire::Field;
    pub const TYPE: Field = 0..4;
    pub const IPV4_ADDRESS: Field = 4..8;
    pub const IPV6_ADDRESS: Field = 8..24;
    pub const IPV6_FLOW_INFO: Field = 24..28;
    pub const IPV6_SCOPE_ID: Field = 28..32;
    pub const TEXT_ADDRESS: Field = 32..(32 + 2 * super::TEXT_ADDRESS_UNITS);
}

/// UTF-16 units in `TextAddress` (`MAX_ISCSI_TEXT_ADDRESS_LEN` + 1).
pub const TEXT_ADDRESS_UNITS: usize = 257;
/// `sizeof(ISCSI_IP_Address)`: the struct is 4-byte aligned, so `TextAddress` is followed by
/// two bytes of padding.
pub const LEN: usize = field::TEXT_ADDRESS.end.next_multiple_of(4);

pub(super) mod offsets {
    //! Field offsets for the compile-time layout check.
    use super::field;
    pub const TYPE: usize = field::TYPE.start;
    pub const IPV4_ADDRESS: usize = field::IPV4_ADDRESS.start;
    pub const IPV6_ADDRESS: usize = field::IPV6_ADDRESS.start;
    pub const IPV6_FLOW_INFO: usize = field::IPV6_FLOW_INFO.start;
    pub const IPV6_SCOPE_ID: usize = field::IPV6_SCOPE_ID.start;
    pub const TEXT_ADDRESS: usize = field::TEXT_ADDRESS.start;
}

/// The raw fields of an `ISCSI_IP_Address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IscsiIpAddress {
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
    /// `TextAddress`, UTF-16 units, NUL-terminated when valid.
    pub text_address: [u16; TEXT_ADDRESS_UNITS],
}

impl IscsiIpAddress {
    /// An all-zero address of the given type (the host's builder starts from this).
    #[must_use]
    pub const fn zeroed(address_type: u32) -> IscsiIpAddress {
        IscsiIpAddress {
            address_type,
            ipv4_address: [0; 4],
            ipv6_address: [0; 16],
            ipv6_flow_info: 0,
            ipv6_scope_id: 0,
            text_address: [0; TEXT_ADDRESS_UNITS],
        }
    }

    /// Reads the struct from the first [`LEN`] bytes of `buf` (the padding is not read).
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` ends before `TextAddress` does.
    pub fn parse(buf: &[u8]) -> Result<IscsiIpAddress, WireError> {
        let mut out = IscsiIpAddress::zeroed(u32_at(buf, field::TYPE)?);
        out.ipv4_address = bytes(buf, field::IPV4_ADDRESS)?
            .try_into()
            .map_err(|_| WireError::Truncated)?;
        out.ipv6_address = bytes(buf, field::IPV6_ADDRESS)?
            .try_into()
            .map_err(|_| WireError::Truncated)?;
        out.ipv6_flow_info = u32_at(buf, field::IPV6_FLOW_INFO)?;
        out.ipv6_scope_id = u32_at(buf, field::IPV6_SCOPE_ID)?;
        let text = bytes(buf, field::TEXT_ADDRESS)?;
        for (unit, pair) in out.text_address.iter_mut().zip(text.chunks_exact(2)) {
            *unit = u16::from_le_bytes([
                pair.first().copied().unwrap_or(0),
                pair.get(1).copied().unwrap_or(0),
            ]);
        }
        Ok(out)
    }

    /// Writes the whole struct, padding as zero.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`LEN`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        clear(buf, LEN)?;
        put(buf, field::TYPE, &self.address_type.to_le_bytes())?;
        put(buf, field::IPV4_ADDRESS, &self.ipv4_address)?;
        put(buf, field::IPV6_ADDRESS, &self.ipv6_address)?;
        put(
            buf,
            field::IPV6_FLOW_INFO,
            &self.ipv6_flow_info.to_le_bytes(),
        )?;
        put(buf, field::IPV6_SCOPE_ID, &self.ipv6_scope_id.to_le_bytes())?;
        let text: Field = field::TEXT_ADDRESS;
        let dst = buf.get_mut(text).ok_or(WireError::NoRoom)?;
        for (pair, unit) in dst.chunks_exact_mut(2).zip(self.text_address.iter()) {
            pair.copy_from_slice(&unit.to_le_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_matches_c() {
        assert_eq!(LEN, 548);
    }

    #[test]
    fn both_directions() {
        let mut c = [0u8; LEN];
        c[0] = 2; // Type IPv6
        c[4..8].copy_from_slice(&[10, 0, 0, 1]);
        c[8..24].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        c[24..28].copy_from_slice(&0x1234u32.to_le_bytes());
        c[28..32].copy_from_slice(&7u32.to_le_bytes());
        c[32..34].copy_from_slice(&(u16::from(b'h')).to_le_bytes());
        c[34..36].copy_from_slice(&0x263Au16.to_le_bytes());
        c[544..546].copy_from_slice(&0xFFFFu16.to_le_bytes()); // last text unit
        let a = IscsiIpAddress::parse(&c).unwrap();
        assert_eq!(a.address_type, 2);
        assert_eq!(a.ipv4_address, [10, 0, 0, 1]);
        assert_eq!(a.ipv6_address[..4], [0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!((a.ipv6_flow_info, a.ipv6_scope_id), (0x1234, 7));
        assert_eq!(a.text_address[..3], [u16::from(b'h'), 0x263A, 0]);
        assert_eq!(a.text_address[256], 0xFFFF);
        let mut out = [0xa5u8; LEN + 1];
        a.emit(&mut out).unwrap();
        assert_eq!(out[..LEN], c);
        assert_eq!(out[LEN], 0xa5);
        assert_eq!(IscsiIpAddress::parse(&c[..545]), Err(WireError::Truncated));
        assert!(IscsiIpAddress::parse(&c[..546]).is_ok());
    }
}
