//! `UNICODE_STRING`s for names: constant ones for resources and keys, short-lived ones for
//! registry value names.
//!
//! ```text
//!   wmi.rs, registry.rs ──► unicode (this file)
//! ```
//!
//! `DECLARE_CONST_UNICODE_STRING`/`RTL_CONSTANT_STRING` are macros wdk-sys does not generate:
//! [`utf16`] builds the UTF-16 array at compile time and [`ConstUnicode`] the string over it
//! (`Length` in bytes without the NUL, `MaximumLength` with it, SDK ntdef.h:2173).

use alloc::vec::Vec;

use crate::memory::OutOfMemory;
use crate::sys::{UNICODE_STRING, USHORT, WCHAR};

/// The UTF-16 units of an ASCII string literal plus a terminating NUL, at compile time.
#[expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "const evaluation over a literal: an out-of-range index fails the build, not the driver"
)]
pub(crate) const fn utf16<const N: usize>(ascii: &str) -> [WCHAR; N] {
    let bytes = ascii.as_bytes();
    assert!(bytes.len() + 1 == N, "N must be the length plus the NUL");
    let mut out = [0; N];
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii(), "ASCII only");
        out[i] = bytes[i] as WCHAR;
        i += 1;
    }
    out
}

/// A `UNICODE_STRING` over a static NUL-terminated UTF-16 array.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConstUnicode(pub(crate) &'static [WCHAR]);

impl ConstUnicode {
    /// The counted string; WDF and the kernel only read through it.
    pub(crate) fn get(self) -> UNICODE_STRING {
        let units = self.0.len();
        let max = u16::try_from(units.saturating_mul(2)).unwrap_or(u16::MAX);
        UNICODE_STRING {
            Length: max.saturating_sub(2),
            MaximumLength: max,
            Buffer: self.0.as_ptr().cast_mut(),
        }
    }
}

/// Registry value names this short fit on the stack (every record name the core makes does).
const INLINE_UNITS: usize = 64;

/// A UTF-16 copy of a value name, on the stack when short and in the pool otherwise.
pub(crate) struct WideName {
    inline: [WCHAR; INLINE_UNITS],
    heap: Vec<WCHAR>,
    len: usize,
}

impl WideName {
    /// Encodes `name` as UTF-16.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] if a long name's buffer cannot be allocated, or the name is longer
    /// than a `UNICODE_STRING` can count (32767 units).
    pub(crate) fn new(name: &str) -> Result<WideName, OutOfMemory> {
        let units = name.encode_utf16().count();
        if units > usize::from(USHORT::MAX / 2) {
            return Err(OutOfMemory);
        }
        let mut out = WideName {
            inline: [0; INLINE_UNITS],
            heap: Vec::new(),
            len: units,
        };
        if units <= INLINE_UNITS {
            for (slot, unit) in out.inline.iter_mut().zip(name.encode_utf16()) {
                *slot = unit;
            }
        } else {
            out.heap.try_reserve_exact(units).map_err(|_| OutOfMemory)?;
            out.heap.extend(name.encode_utf16());
        }
        Ok(out)
    }

    /// The counted string (no NUL; `MaximumLength` = `Length`). Valid while `self` is.
    pub(crate) fn unicode(&self) -> UNICODE_STRING {
        let units: &[WCHAR] = if self.heap.is_empty() {
            self.inline.get(..self.len).unwrap_or(&[])
        } else {
            &self.heap
        };
        let bytes = u16::try_from(units.len().saturating_mul(2)).unwrap_or(u16::MAX);
        UNICODE_STRING {
            Length: bytes,
            MaximumLength: bytes,
            Buffer: units.as_ptr().cast_mut(),
        }
    }
}
