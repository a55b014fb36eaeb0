//! The one-field OUT struct (`ULONG Status`) of methods 1, 3, 4, 5, 6 and 71.
//!
//! ```text
//!   0: u32 Status          (4 bytes)
//! ```

use super::{WireError, clear, put, u32_at};
use crate::status::IsdscStatus;

/// The layout, written once: byte ranges (single bytes as offsets), checked against the C
/// structs by `c_layout`.
pub(super) mod field {
    use crate::wire::Field;
    pub const STATUS: Field = 0..4;
}

/// Size of the OUT struct.
pub const STATUS_OUT_LEN: usize = field::STATUS.end;

/// `SetPresharedKeyForId_OUT` and its one-`Status` siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusOut {
    /// The operation's result.
    pub status: IsdscStatus,
}

impl StatusOut {
    /// Reads the OUT struct.
    ///
    /// # Errors
    ///
    /// `Truncated` if `buf` is shorter than 4 bytes.
    pub fn parse(buf: &[u8]) -> Result<StatusOut, WireError> {
        Ok(StatusOut {
            status: IsdscStatus(u32_at(buf, field::STATUS)?),
        })
    }

    /// Writes the whole OUT struct.
    ///
    /// # Errors
    ///
    /// `NoRoom` if `buf` is shorter than [`STATUS_OUT_LEN`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), WireError> {
        clear(buf, STATUS_OUT_LEN)?;
        put(buf, field::STATUS, &self.status.0.to_le_bytes())
    }

    /// Bytes [`StatusOut::emit`] writes.
    #[must_use]
    pub const fn buffer_len(&self) -> usize {
        STATUS_OUT_LEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static OUT: [u8; 4] = [0x48, 0x00, 0xff, 0xaf];

    #[test]
    fn both_directions() {
        let out = StatusOut::parse(&OUT).unwrap();
        assert_eq!(out.status, IsdscStatus::SHORT_CHAP_SECRET);
        let mut buf = [0xa5; 6];
        out.emit(&mut buf).unwrap();
        assert_eq!(buf, [0x48, 0x00, 0xff, 0xaf, 0xa5, 0xa5]);
        assert_eq!(StatusOut::parse(&OUT[..3]), Err(WireError::Truncated));
        assert_eq!(out.emit(&mut [0; 3]), Err(WireError::NoRoom));
    }
}
