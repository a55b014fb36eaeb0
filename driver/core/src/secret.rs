//! Secret bytes: preshared keys and the initiator CHAP secret.
//!
//! A [`Secret`] has a fixed capacity, lives where it was made (the table keeps each one behind
//! its own `Box`, so growing the table moves pointers, never key bytes), is wiped when dropped
//! and prints as `[secret elided]`. It is neither `Clone` nor `Copy`. The bytes are reached only
//! through [`Secret::expose_secret`], so every use is visible in review.

use alloc::boxed::Box;
use core::fmt;
use zeroize::Zeroize;

/// Longest preshared key (SPEC §4 "Keys").
pub const MAX_PRESHARED_KEY_LEN: usize = 256;
/// Longest initiator CHAP secret (SPEC §4, method 71).
pub const MAX_CHAP_SECRET_LEN: usize = 16;
/// Shortest initiator CHAP secret usable without IPsec (96 bits).
pub const MIN_CHAP_SECRET_LEN_WITHOUT_IPSEC: usize = 12;

/// An IKE preshared key, 1 to 256 bytes of any value.
pub type PresharedKey = Secret<MAX_PRESHARED_KEY_LEN>;
/// The initiator CHAP secret, 1 to 16 bytes.
pub type ChapSecret = Secret<MAX_CHAP_SECRET_LEN>;

/// Between 1 and `N` secret bytes, wiped on drop.
pub struct Secret<const N: usize> {
    len: usize,
    bytes: [u8; N],
}

impl<const N: usize> Secret<N> {
    /// Copies `secret` into a new heap cell, or `None` if it is empty or longer than `N`.
    ///
    /// The bytes are written straight into the heap cell, never into a stack temporary that
    /// would outlive the call unwiped.
    #[must_use]
    pub fn boxed_from(secret: &[u8]) -> Option<Box<Secret<N>>> {
        if secret.is_empty() || secret.len() > N {
            return None;
        }
        let mut cell = Box::new(Secret {
            len: 0,
            bytes: [0; N],
        });
        let dst = cell.bytes.get_mut(..secret.len())?;
        dst.copy_from_slice(secret);
        cell.len = secret.len();
        Some(cell)
    }

    /// The secret bytes. Callers must not log, print or persist them outside a record.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// Number of secret bytes (not secret itself: SPEC lets `show` report it).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Overwrites every byte of the cell (not only the used ones) with zeros; `Drop` calls this.
    fn wipe(&mut self) {
        self.bytes.zeroize();
        self.len.zeroize();
    }

    /// Always false: a `Secret` holds at least one byte.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> Drop for Secret<N> {
    #[inline(never)]
    fn drop(&mut self) {
        self.wipe();
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[secret elided]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn bounds_are_enforced() {
        assert!(PresharedKey::boxed_from(&[]).is_none());
        assert!(PresharedKey::boxed_from(&[7; 257]).is_none());
        assert_eq!(
            PresharedKey::boxed_from(&[7; 256]).map(|k| k.len()),
            Some(256)
        );
        assert!(ChapSecret::boxed_from(&[1; 17]).is_none());
        let s = ChapSecret::boxed_from(b"abc").map(|s| s.expose_secret().to_vec());
        assert_eq!(s.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn debug_never_shows_bytes() {
        let k = PresharedKey::boxed_from(b"hunter2-secret").unwrap();
        let text = format!("{k:?} {:?}", Some(&k));
        assert!(!text.contains("hunter2"));
        assert!(text.contains("[secret elided]"));
    }

    #[test]
    fn drop_wipes_the_bytes() {
        // `Drop::drop` is exactly `wipe`; safe code cannot look at memory after a real drop.
        let mut k = PresharedKey::boxed_from(b"wipe-me-please").unwrap();
        k.wipe();
        assert!(k.bytes.iter().all(|&b| b == 0));
        assert_eq!(k.expose_secret(), &[] as &[u8]);
    }
}
