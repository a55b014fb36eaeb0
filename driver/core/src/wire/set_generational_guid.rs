//! `SetGenerationalGuid_IN` (method 6).
//!
//! ```text
//!   0: u8 GenerationalGuid[16]
//! ```
//!
//! The OUT struct is [`super::StatusOut`].

use super::{WireError, bytes, put};

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const GENERATIONAL_GUID: Field = 0..16;
}

/// Size of the IN struct: all of it is fixed (SPEC §3 rule 3).
pub const FIXED_LEN: usize = field::GENERATIONAL_GUID.end;

/// The raw fields of a `SetGenerationalGuid_IN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetGenerationalGuidIn {
    /// The 16 bytes of the GUID as WMI carries them (a C `GUID` in memory).
    pub generational_guid: [u8; 16],
}

impl SetGenerationalGuidIn {
    /// Reads the IN struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than 16 bytes.
    pub fn parse(buf: &[u8]) -> Result<SetGenerationalGuidIn, WireError> {
        let b = bytes(buf, field::GENERATIONAL_GUID)?;
        let generational_guid = b.try_into().map_err(|_| WireError::Truncated)?;
        Ok(SetGenerationalGuidIn { generational_guid })
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        FIXED_LEN
    }

    /// Writes the IN struct.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than 16 bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        put(buf, field::GENERATIONAL_GUID, &self.generational_guid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static IN: [u8; 16] = [
        0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56,
        0x78,
    ];

    #[test]
    fn both_directions() {
        let r = SetGenerationalGuidIn::parse(&IN).unwrap();
        assert_eq!(r.generational_guid, IN);
        let mut buf = [0xa5; 17];
        r.emit(&mut buf).unwrap();
        assert_eq!(buf[..16], IN);
        assert_eq!(buf[16], 0xa5);
        assert_eq!(
            SetGenerationalGuidIn::parse(&IN[..15]),
            Err(WireError::Truncated)
        );
    }
}
