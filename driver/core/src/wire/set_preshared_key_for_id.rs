//! `SetPresharedKeyForId_IN` (method 1).
//!
//! ```text
//!   0: u32 PortNumber      8: u64 SecurityFlags   16: u8 IdType
//!  20: u32 IdSize         24: u32 KeySize         28: Id[IdSize]  28+IdSize: Key[KeySize]
//! ```
//!
//! The OUT struct is [`super::StatusOut`].

use super::{Field, WireError, bytes, clear, len_u32, put, u8_at, u32_at, u64_at, variable};

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const PORT_NUMBER: Field = 0..4;
    // 4..8 is padding: SecurityFlags is a ULONGLONG, aligned to 8.
    pub const SECURITY_FLAGS: Field = 8..16;
    pub const ID_TYPE: usize = 16;
    // 17..20 is padding.
    pub const ID_SIZE: Field = 20..24;
    pub const KEY_SIZE: Field = 24..28;
    pub const ID: usize = KEY_SIZE.end;
}

/// Offset of `Id`, the first variable field: the fixed part of SPEC §3 rule 3.
pub const FIXED_LEN: usize = field::ID;

/// The raw fields of a `SetPresharedKeyForId_IN`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SetPresharedKeyForIdIn<'a> {
    /// `PortNumber`: a port, or `0xFFFFFFFF` for all ports.
    pub port_number: u32,
    /// `SecurityFlags` (`ISCSI_SECURITY_FLAGS`).
    pub security_flags: u64,
    /// `IdType` (RFC 2407 identification type).
    pub id_type: u8,
    /// `Id`, `IdSize` bytes.
    pub id: &'a [u8],
    /// `Key`, `KeySize` bytes, right after `Id`. Secret.
    pub key: &'a [u8],
}

impl<'a> SetPresharedKeyForIdIn<'a> {
    /// Reads the IN struct from the first `InBufferSize` bytes of the method buffer.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than [`FIXED_LEN`] or than `FIXED_LEN + IdSize + KeySize`.
    pub fn parse(buf: &'a [u8]) -> Result<SetPresharedKeyForIdIn<'a>, WireError> {
        let port_number = u32_at(buf, field::PORT_NUMBER)?;
        let security_flags = u64_at(buf, field::SECURITY_FLAGS)?;
        let id_type = u8_at(buf, field::ID_TYPE)?;
        let id_size = u32_at(buf, field::ID_SIZE)?;
        let key_size = u32_at(buf, field::KEY_SIZE)?;
        let id_field = variable(field::ID, id_size)?;
        let key_field = variable(id_field.end, key_size)?;
        let key = bytes(buf, key_field)?;
        let id = bytes(buf, id_field)?;
        Ok(SetPresharedKeyForIdIn {
            port_number,
            security_flags,
            id_type,
            id,
            key,
        })
    }

    /// Bytes [`Self::emit`] writes: the fixed part, the id and the key.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        FIXED_LEN
            .saturating_add(self.id.len())
            .saturating_add(self.key.len())
    }

    /// Writes the IN struct, padding as zero.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`Self::buffer_len`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        let id_field: Field =
            variable(field::ID, len_u32(self.id)?).map_err(|_| WireError::NoRoom)?;
        let key_field: Field =
            variable(id_field.end, len_u32(self.key)?).map_err(|_| WireError::NoRoom)?;
        clear(buf, key_field.end)?;
        put(buf, field::PORT_NUMBER, &self.port_number.to_le_bytes())?;
        put(
            buf,
            field::SECURITY_FLAGS,
            &self.security_flags.to_le_bytes(),
        )?;
        put(
            buf,
            field::ID_TYPE..field::ID_TYPE.saturating_add(1),
            &[self.id_type],
        )?;
        put(buf, field::ID_SIZE, &len_u32(self.id)?.to_le_bytes())?;
        put(buf, field::KEY_SIZE, &len_u32(self.key)?.to_le_bytes())?;
        put(buf, id_field, self.id)?;
        put(buf, key_field, self.key)
    }
}

impl core::fmt::Debug for SetPresharedKeyForIdIn<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SetPresharedKeyForIdIn")
            .field("port_number", &self.port_number)
            .field("security_flags", &self.security_flags)
            .field("id_type", &self.id_type)
            .field("id", &self.id)
            .field("key", &"[secret elided]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    /// Port 1, flags VALID|IKE|MAIN (0x07), `ID_IPV4_ADDR` 192.0.2.7, key "abc", one pad byte.
    static IN: [u8; 36] = [
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // PortNumber, pad
        0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // SecurityFlags
        0x01, 0x00, 0x00, 0x00, // IdType, pad
        0x04, 0x00, 0x00, 0x00, // IdSize
        0x03, 0x00, 0x00, 0x00, // KeySize
        0xc0, 0x00, 0x02, 0x07, // Id
        b'a', b'b', b'c', // Key
        0xee, // caller padding, ignored
    ];

    #[test]
    fn deconstruct() {
        let r = SetPresharedKeyForIdIn::parse(&IN).unwrap();
        assert_eq!(r.port_number, 1);
        assert_eq!(r.security_flags, 7);
        assert_eq!(r.id_type, 1);
        assert_eq!(r.id, &[0xc0, 0x00, 0x02, 0x07]);
        assert_eq!(r.key, b"abc");
    }

    #[test]
    fn construct_into_a5_filled_buffer() {
        let r = SetPresharedKeyForIdIn::parse(&IN).unwrap();
        assert_eq!(r.buffer_len(), 35);
        let mut buf = [0xa5; 36];
        r.emit(&mut buf).unwrap();
        assert_eq!(buf[..35], IN[..35]);
        assert_eq!(buf[35], 0xa5);
        assert_eq!(r.emit(&mut [0; 34]), Err(WireError::NoRoom));
    }

    #[test]
    fn truncated_fixed_part_and_declared_sizes() {
        assert_eq!(
            SetPresharedKeyForIdIn::parse(&IN[..27]),
            Err(WireError::Truncated)
        );
        assert!(SetPresharedKeyForIdIn::parse(&IN[..35]).is_ok());
        assert_eq!(
            SetPresharedKeyForIdIn::parse(&IN[..34]),
            Err(WireError::Truncated)
        );
        let mut huge = IN;
        huge[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
        huge[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            SetPresharedKeyForIdIn::parse(&huge),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let r = SetPresharedKeyForIdIn::parse(&IN).unwrap();
        let text = format!("{r:?}");
        assert!(text.contains("[secret elided]") && !text.contains("97, 98, 99"));
    }
}
