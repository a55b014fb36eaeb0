//! `SetTunnelModeOuterAddress_IN` (method 4).
//!
//! ```text
//!   0: u32 PortNumber   4: ISCSI_IP_Address DestinationAddress
//! 552: ISCSI_IP_Address TunnelModeOuterAddress                     (1100 bytes)
//! ```
//!
//! The OUT struct is [`super::StatusOut`].

use super::ip_address::{self, IscsiIpAddress};
use super::{WireError, bytes, clear, put, u32_at};

mod field {
    use crate::wire::Field;
    use crate::wire::ip_address::LEN as ADDR;
    pub const PORT_NUMBER: Field = 0..4;
    pub const DESTINATION_ADDRESS: Field = PORT_NUMBER.end..(PORT_NUMBER.end + ADDR);
    pub const TUNNEL_MODE_OUTER_ADDRESS: Field =
        DESTINATION_ADDRESS.end..(DESTINATION_ADDRESS.end + ADDR);
}

/// Size of the IN struct: all of it is fixed (SPEC §3 rule 3).
pub const FIXED_LEN: usize = field::TUNNEL_MODE_OUTER_ADDRESS.end;

pub(super) mod offsets {
    //! Field offsets for the compile-time layout check.
    use super::field;
    pub const PORT_NUMBER: usize = field::PORT_NUMBER.start;
    pub const DESTINATION_ADDRESS: usize = field::DESTINATION_ADDRESS.start;
    pub const TUNNEL_MODE_OUTER_ADDRESS: usize = field::TUNNEL_MODE_OUTER_ADDRESS.start;
}

/// The raw fields of a `SetTunnelModeOuterAddress_IN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetTunnelModeOuterAddressIn {
    /// `PortNumber`: a port, or `0xFFFFFFFF` for all ports.
    pub port_number: u32,
    /// `DestinationAddress`: the target the mapping is for.
    pub destination_address: IscsiIpAddress,
    /// `TunnelModeOuterAddress`: the outer address to use; type EMPTY removes the mapping.
    pub tunnel_mode_outer_address: IscsiIpAddress,
}

impl SetTunnelModeOuterAddressIn {
    /// Reads the IN struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than [`FIXED_LEN`].
    pub fn parse(buf: &[u8]) -> Result<SetTunnelModeOuterAddressIn, WireError> {
        // Check the whole fixed size first: the outer address's padding is part of it.
        bytes(buf, 0..FIXED_LEN)?;
        Ok(SetTunnelModeOuterAddressIn {
            port_number: u32_at(buf, field::PORT_NUMBER)?,
            destination_address: IscsiIpAddress::parse(bytes(buf, field::DESTINATION_ADDRESS)?)?,
            tunnel_mode_outer_address: IscsiIpAddress::parse(bytes(
                buf,
                field::TUNNEL_MODE_OUTER_ADDRESS,
            )?)?,
        })
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        FIXED_LEN
    }

    /// Writes the whole IN struct.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`FIXED_LEN`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        clear(buf, FIXED_LEN)?;
        put(buf, field::PORT_NUMBER, &self.port_number.to_le_bytes())?;
        let dst = buf
            .get_mut(field::DESTINATION_ADDRESS)
            .ok_or(WireError::NoRoom)?;
        self.destination_address.emit(dst)?;
        let outer = buf
            .get_mut(field::TUNNEL_MODE_OUTER_ADDRESS)
            .ok_or(WireError::NoRoom)?;
        self.tunnel_mode_outer_address.emit(outer)
    }
}

const _: () = assert!(FIXED_LEN == 4 + 2 * ip_address::LEN);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::ip_address_type;

    fn vector() -> [u8; FIXED_LEN] {
        let mut c = [0u8; FIXED_LEN];
        c[0..4].copy_from_slice(&1u32.to_le_bytes()); // port 1
        c[4..8].copy_from_slice(&ip_address_type::IPV4.to_le_bytes());
        c[8..12].copy_from_slice(&[192, 0, 2, 10]);
        c[552..556].copy_from_slice(&ip_address_type::TEXT.to_le_bytes());
        for (i, ch) in "gw.example".encode_utf16().enumerate() {
            let at = 552 + 32 + 2 * i;
            c[at..at + 2].copy_from_slice(&ch.to_le_bytes());
        }
        c
    }

    #[test]
    fn both_directions() {
        let c = vector();
        let r = SetTunnelModeOuterAddressIn::parse(&c).unwrap();
        assert_eq!(r.port_number, 1);
        assert_eq!(r.destination_address.address_type, 1);
        assert_eq!(r.destination_address.ipv4_address, [192, 0, 2, 10]);
        assert_eq!(r.tunnel_mode_outer_address.address_type, 0);
        assert_eq!(
            r.tunnel_mode_outer_address.text_address[..3],
            [0x67, 0x77, 0x2e]
        );
        let mut out = [0xa5u8; FIXED_LEN + 1];
        r.emit(&mut out).unwrap();
        assert_eq!(out[..FIXED_LEN], c);
        assert_eq!(out[FIXED_LEN], 0xa5);
    }

    #[test]
    fn every_byte_of_the_fixed_part_is_required() {
        let c = vector();
        assert_eq!(
            SetTunnelModeOuterAddressIn::parse(&c[..1099]),
            Err(WireError::Truncated)
        );
        assert_eq!(
            SetTunnelModeOuterAddressIn::parse(&c[..552]),
            Err(WireError::Truncated)
        );
    }
}
