//! `SetCHAPSharedSecret_IN` (method 71 of `MSiSCSI_Operations`).
//!
//! ```text
//!   0: u32 SharedSecretSize   4: SharedSecret[SharedSecretSize]
//! ```
//!
//! The OUT struct is [`super::StatusOut`].

use super::{WireError, bytes, clear, len_u32, put, u32_at, variable};

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const SHARED_SECRET_SIZE: Field = 0..4;
    pub const SHARED_SECRET: usize = SHARED_SECRET_SIZE.end;
}

/// Offset of `SharedSecret`: the fixed part of SPEC §3 rule 3.
pub const FIXED_LEN: usize = field::SHARED_SECRET;

/// The raw fields of a `SetCHAPSharedSecret_IN`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SetChapSharedSecretIn<'a> {
    /// `SharedSecret`, `SharedSecretSize` bytes. Secret.
    pub shared_secret: &'a [u8],
}

impl<'a> SetChapSharedSecretIn<'a> {
    /// Reads the IN struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than 4 bytes or than `4 + SharedSecretSize`.
    pub fn parse(buf: &'a [u8]) -> Result<SetChapSharedSecretIn<'a>, WireError> {
        let size = u32_at(buf, field::SHARED_SECRET_SIZE)?;
        let shared_secret = bytes(buf, variable(field::SHARED_SECRET, size)?)?;
        Ok(SetChapSharedSecretIn { shared_secret })
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        FIXED_LEN.saturating_add(self.shared_secret.len())
    }

    /// Writes the IN struct.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`Self::buffer_len`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        let size = len_u32(self.shared_secret)?;
        let secret_field = variable(field::SHARED_SECRET, size).map_err(|_| WireError::NoRoom)?;
        clear(buf, secret_field.end)?;
        put(buf, field::SHARED_SECRET_SIZE, &size.to_le_bytes())?;
        put(buf, secret_field, self.shared_secret)
    }
}

impl core::fmt::Debug for SetChapSharedSecretIn<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SetChapSharedSecretIn")
            .field("shared_secret", &"[secret elided]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static IN: [u8; 16] = [
        0x0c, 0x00, 0x00, 0x00, b't', b'w', b'e', b'l', b'v', b'e', b'b', b'y', b't', b'e', b's',
        b'!',
    ];

    #[test]
    fn both_directions() {
        let r = SetChapSharedSecretIn::parse(&IN).unwrap();
        assert_eq!(r.shared_secret, b"twelvebytes!");
        let mut buf = [0xa5; 16];
        r.emit(&mut buf).unwrap();
        assert_eq!(buf, IN);
    }

    #[test]
    fn truncated() {
        assert_eq!(
            SetChapSharedSecretIn::parse(&IN[..15]),
            Err(WireError::Truncated)
        );
        assert_eq!(SetChapSharedSecretIn::parse(&[]), Err(WireError::Truncated));
    }
}
