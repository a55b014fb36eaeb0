//! `GetPresharedKeyForId_IN` and `_OUT` (method 2).
//!
//! ```text
//!   IN:  0: u32 PortNumber   4: u8 IdType   8: u32 IdSize   12: Id[IdSize]
//!   OUT: 0: u32 Status       8: u64 SecurityFlags            (16 bytes)
//! ```

use super::{WireError, bytes, clear, len_u32, put, u8_at, u32_at, u64_at, variable};
use crate::status::IsdscStatus;

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const PORT_NUMBER: Field = 0..4;
    pub const ID_TYPE: usize = 4;
    // 5..8 is padding.
    pub const ID_SIZE: Field = 8..12;
    pub const ID: usize = ID_SIZE.end;

    pub const OUT_STATUS: Field = 0..4;
    // 4..8 is padding.
    pub const OUT_SECURITY_FLAGS: Field = 8..16;
}

/// Offset of `Id`: the fixed part of SPEC §3 rule 3.
pub const FIXED_LEN: usize = field::ID;
/// Size of `GetPresharedKeyForId_OUT`.
pub const OUT_LEN: usize = field::OUT_SECURITY_FLAGS.end;

/// The raw fields of a `GetPresharedKeyForId_IN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetPresharedKeyForIdIn<'a> {
    /// `PortNumber`: a port, or `0xFFFFFFFF` for all ports.
    pub port_number: u32,
    /// `IdType`.
    pub id_type: u8,
    /// `Id`, `IdSize` bytes.
    pub id: &'a [u8],
}

impl<'a> GetPresharedKeyForIdIn<'a> {
    /// Reads the IN struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than [`FIXED_LEN`] or than `FIXED_LEN + IdSize`.
    pub fn parse(buf: &'a [u8]) -> Result<GetPresharedKeyForIdIn<'a>, WireError> {
        let port_number = u32_at(buf, field::PORT_NUMBER)?;
        let id_type = u8_at(buf, field::ID_TYPE)?;
        let id_size = u32_at(buf, field::ID_SIZE)?;
        let id = bytes(buf, variable(field::ID, id_size)?)?;
        Ok(GetPresharedKeyForIdIn {
            port_number,
            id_type,
            id,
        })
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        FIXED_LEN.saturating_add(self.id.len())
    }

    /// Writes the IN struct, padding as zero.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`Self::buffer_len`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        let id_field = variable(field::ID, len_u32(self.id)?).map_err(|_| WireError::NoRoom)?;
        clear(buf, id_field.end)?;
        put(buf, field::PORT_NUMBER, &self.port_number.to_le_bytes())?;
        put(
            buf,
            field::ID_TYPE..field::ID_TYPE.saturating_add(1),
            &[self.id_type],
        )?;
        put(buf, field::ID_SIZE, &len_u32(self.id)?.to_le_bytes())?;
        put(buf, id_field, self.id)
    }
}

/// `GetPresharedKeyForId_OUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetPresharedKeyForIdOut {
    /// The operation's result.
    pub status: IsdscStatus,
    /// The flags stored with the key; 0 unless `status` is success.
    pub security_flags: u64,
}

impl GetPresharedKeyForIdOut {
    /// Reads the OUT struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than [`OUT_LEN`].
    pub fn parse(buf: &[u8]) -> Result<GetPresharedKeyForIdOut, WireError> {
        Ok(GetPresharedKeyForIdOut {
            status: IsdscStatus(u32_at(buf, field::OUT_STATUS)?),
            security_flags: u64_at(buf, field::OUT_SECURITY_FLAGS)?,
        })
    }

    /// Writes the whole OUT struct, padding as zero.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`OUT_LEN`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        clear(buf, OUT_LEN)?;
        put(buf, field::OUT_STATUS, &self.status.0.to_le_bytes())?;
        put(
            buf,
            field::OUT_SECURITY_FLAGS,
            &self.security_flags.to_le_bytes(),
        )
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        OUT_LEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All ports, `ID_FQDN` "host.example".
    static IN: [u8; 24] = [
        0xff, 0xff, 0xff, 0xff, // PortNumber
        0x02, 0x00, 0x00, 0x00, // IdType, pad
        0x0c, 0x00, 0x00, 0x00, // IdSize
        b'h', b'o', b's', b't', b'.', b'e', b'x', b'a', b'm', b'p', b'l', b'e',
    ];

    /// SUCCESS with flags 0x4B.
    static OUT: [u8; 16] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Status, pad
        0x4b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // SecurityFlags
    ];

    #[test]
    fn in_both_directions() {
        let r = GetPresharedKeyForIdIn::parse(&IN).unwrap();
        assert_eq!(
            (r.port_number, r.id_type, r.id),
            (u32::MAX, 2, &b"host.example"[..])
        );
        let mut buf = [0xa5; 24];
        r.emit(&mut buf).unwrap();
        assert_eq!(buf, IN);
        assert_eq!(r.buffer_len(), 24);
    }

    #[test]
    fn in_truncated() {
        assert_eq!(
            GetPresharedKeyForIdIn::parse(&IN[..11]),
            Err(WireError::Truncated)
        );
        assert_eq!(
            GetPresharedKeyForIdIn::parse(&IN[..23]),
            Err(WireError::Truncated)
        );
        let mut huge = IN;
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            GetPresharedKeyForIdIn::parse(&huge),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn out_both_directions_with_zeroed_padding() {
        let r = GetPresharedKeyForIdOut::parse(&OUT).unwrap();
        assert_eq!(r.status, IsdscStatus::SUCCESS);
        assert_eq!(r.security_flags, 0x4b);
        let mut buf = [0xa5; 16];
        r.emit(&mut buf).unwrap();
        assert_eq!(buf, OUT);
        assert_eq!(
            GetPresharedKeyForIdOut::parse(&OUT[..15]),
            Err(WireError::Truncated)
        );
        assert_eq!(r.emit(&mut [0; 15]), Err(WireError::NoRoom));
    }
}
