//! Byte-exact views of every IN and OUT buffer of SPEC §2.
//!
//! ```text
//!   provider ──► wire (this module) ──► domain ──► table
//! ```
//!
//! One file per C struct. Each has a `mod field` of byte ranges, its one layout table (visible
//! to this module only), a `FIXED_LEN` constant (the offset of the first variable field, SPEC §3
//! rule 3), and a `Repr` with `parse`, `emit` and `buffer_len`. `parse` checks the fixed part,
//! then the fixed part plus every declared variable size, computed without overflow; bytes past
//! the declared sizes are ignored (WMI callers may pad). `c_layout` checks every entry of every
//! `field` table at compile time against `#[repr(C)]` mirrors of the generated `iscsiop.h`
//! structs.
//!
//! Method 4 is the exception to "one fixed layout": its `ISCSI_IP_Address` carries a WMI
//! counted string, so WMI packs the second address right after the first one's text, while a C
//! caller filling the header's structs sends them at a fixed stride. Both shapes are read
//! (SPEC §2); `set_tunnel_mode_outer_address` tells them apart by `InBufferSize`.
//!
//! A `Repr` here is the raw meaning of the bytes (integers and byte slices). Whether those
//! values are allowed is decided by [`crate::domain`], which turns them into typed values.
//!
//! # Why there is no `Packet<T>` view
//!
//! smoltcp puts a view type (`Packet<T: AsRef<[u8]>>`, field accessors over the buffer) under
//! each `Repr`, and the house style (habit 3) asks for one. Here it would be a second copy of
//! the layout with nothing to do:
//!
//! - A method buffer is read once, by one `parse`, into a `Repr` that borrows its variable
//!   fields from the buffer: nothing is copied, so a view saves no work.
//! - smoltcp's accessors index without checks once `check_len` has passed, and panic if it was
//!   skipped; in a driver a panic is a bugcheck, so every read here goes through the checked
//!   helpers below and a view would only wrap them.
//! - Nothing is modified in place: an OUT struct is written whole by `emit` (padding as zero)
//!   and an IN buffer is only read, so setters on a mutable view would have no caller.
//! - Method 4's outer address has no fixed offset: it follows from `L1` and `InBufferSize`, which
//!   a view's fixed accessors cannot express without the parse step anyway.

mod c_layout;
pub mod get_preshared_key_for_id;
pub mod ip_address;
pub mod set_chap_shared_secret;
pub mod set_generational_guid;
pub mod set_group_preshared_key;
pub mod set_preshared_key_for_id;
pub mod set_tunnel_mode_outer_address;
pub mod status_out;

pub use get_preshared_key_for_id::{GetPresharedKeyForIdIn, GetPresharedKeyForIdOut};
pub use ip_address::IscsiIpAddress;
pub use set_chap_shared_secret::SetChapSharedSecretIn;
pub use set_generational_guid::SetGenerationalGuidIn;
pub use set_group_preshared_key::SetGroupPresharedKeyIn;
pub use set_preshared_key_for_id::SetPresharedKeyForIdIn;
pub use set_tunnel_mode_outer_address::SetTunnelModeOuterAddressIn;
pub use status_out::StatusOut;

use core::ops::Range;

/// A byte range of a field inside a buffer.
pub(crate) type Field = Range<usize>;

/// Why a buffer could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireError {
    /// The input ends before the fixed part or before the declared variable fields end.
    Truncated,
    /// The output buffer is shorter than the bytes to be written.
    NoRoom,
}

impl core::fmt::Display for WireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            WireError::Truncated => {
                "the IN buffer ends before its fixed part or its declared sizes"
            }
            WireError::NoRoom => "the buffer is too small for the bytes to write",
        })
    }
}

impl core::error::Error for WireError {}

/// Reads the bytes of `field`, or `Truncated` if `buf` ends first.
pub(crate) fn bytes(buf: &[u8], field: Field) -> Result<&[u8], WireError> {
    buf.get(field).ok_or(WireError::Truncated)
}

/// Reads the little-endian `u32` at `field` (four bytes).
pub(crate) fn u32_at(buf: &[u8], field: Field) -> Result<u32, WireError> {
    let b: [u8; 4] = bytes(buf, field)?
        .try_into()
        .map_err(|_| WireError::Truncated)?;
    Ok(u32::from_le_bytes(b))
}

/// Reads the little-endian `u64` at `field` (eight bytes).
pub(crate) fn u64_at(buf: &[u8], field: Field) -> Result<u64, WireError> {
    let b: [u8; 8] = bytes(buf, field)?
        .try_into()
        .map_err(|_| WireError::Truncated)?;
    Ok(u64::from_le_bytes(b))
}

/// Reads the byte at `offset`.
pub(crate) fn u8_at(buf: &[u8], offset: usize) -> Result<u8, WireError> {
    buf.get(offset).copied().ok_or(WireError::Truncated)
}

/// The range of a variable field of `size` bytes starting at `start`, without overflow.
pub(crate) fn variable(start: usize, size: u32) -> Result<Field, WireError> {
    let size = usize::try_from(size).map_err(|_| WireError::Truncated)?;
    let end = start.checked_add(size).ok_or(WireError::Truncated)?;
    Ok(start..end)
}

/// Writes `src` at `field`; `field` must be as long as `src`.
pub(crate) fn put(buf: &mut [u8], field: Field, src: &[u8]) -> Result<(), WireError> {
    let dst = buf.get_mut(field).ok_or(WireError::NoRoom)?;
    if dst.len() != src.len() {
        return Err(WireError::NoRoom);
    }
    dst.copy_from_slice(src);
    Ok(())
}

/// Zeroes `len` bytes of `buf` from the start, the whole struct before its fields are written
/// (so padding goes out as zero).
pub(crate) fn clear(buf: &mut [u8], len: usize) -> Result<(), WireError> {
    buf.get_mut(..len).ok_or(WireError::NoRoom)?.fill(0);
    Ok(())
}

/// A `u32` length of a slice the caller already bounded; `NoRoom` if it does not fit.
pub(crate) fn len_u32(slice: &[u8]) -> Result<u32, WireError> {
    u32::try_from(slice.len()).map_err(|_| WireError::NoRoom)
}
