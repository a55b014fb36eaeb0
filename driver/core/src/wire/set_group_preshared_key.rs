//! `SetGroupPresharedKey_IN` (method 3).
//!
//! ```text
//!   0: u32 KeySize   4: Key[KeySize]
//! ```
//!
//! The OUT struct is [`super::StatusOut`].

use super::{WireError, bytes, clear, len_u32, put, u32_at, variable};

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const KEY_SIZE: Field = 0..4;
    pub const KEY: usize = KEY_SIZE.end;
}

/// Offset of `Key`: the fixed part of SPEC §3 rule 3.
pub const FIXED_LEN: usize = field::KEY;

/// The raw fields of a `SetGroupPresharedKey_IN`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SetGroupPresharedKeyIn<'a> {
    /// `Key`, `KeySize` bytes. Secret.
    pub key: &'a [u8],
}

impl<'a> SetGroupPresharedKeyIn<'a> {
    /// Reads the IN struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than 4 bytes or than `4 + KeySize`.
    pub fn parse(buf: &'a [u8]) -> Result<SetGroupPresharedKeyIn<'a>, WireError> {
        let size = u32_at(buf, field::KEY_SIZE)?;
        Ok(SetGroupPresharedKeyIn {
            key: bytes(buf, variable(field::KEY, size)?)?,
        })
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        FIXED_LEN.saturating_add(self.key.len())
    }

    /// Writes the IN struct.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`Self::buffer_len`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        let size = len_u32(self.key)?;
        let key_field = variable(field::KEY, size).map_err(|_| WireError::NoRoom)?;
        clear(buf, key_field.end)?;
        put(buf, field::KEY_SIZE, &size.to_le_bytes())?;
        put(buf, key_field, self.key)
    }
}

impl core::fmt::Debug for SetGroupPresharedKeyIn<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SetGroupPresharedKeyIn")
            .field("key", &"[secret elided]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static IN: [u8; 9] = [0x05, 0x00, 0x00, 0x00, 0x00, 0xff, b'k', b'e', b'y'];

    #[test]
    fn both_directions_binary_key() {
        let r = SetGroupPresharedKeyIn::parse(&IN).unwrap();
        assert_eq!(r.key, &[0x00, 0xff, b'k', b'e', b'y']);
        let mut buf = [0xa5; 10];
        r.emit(&mut buf).unwrap();
        assert_eq!(buf[..9], IN);
        assert_eq!(buf[9], 0xa5);
    }

    #[test]
    fn truncated() {
        assert_eq!(
            SetGroupPresharedKeyIn::parse(&IN[..3]),
            Err(WireError::Truncated)
        );
        assert_eq!(
            SetGroupPresharedKeyIn::parse(&IN[..8]),
            Err(WireError::Truncated)
        );
        assert_eq!(
            SetGroupPresharedKeyIn::parse(&[0xff; 8]),
            Err(WireError::Truncated)
        );
    }
}
