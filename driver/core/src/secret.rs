//! Secret bytes in the caller's hands: the buffers a lookup copies a key or the CHAP secret
//! into.
//!
//! ```text
//!   table node (key bytes) ──► lookup ──► SecretBuffer (this file, owned by the caller)
//! ```
//!
//! A [`SecretBuffer`] has a fixed capacity and lives where the caller put it (on its stack, in
//! its connection state), so a lookup never allocates. It is neither `Clone` nor `Copy`, prints
//! as `[secret elided]`, and is wiped when dropped. Bytes past the current length are always
//! zero, so a refill only has to copy the new bytes and clear what the old ones left beyond
//! them. The bytes are reached only through [`SecretBuffer::expose_secret`], so every use is
//! visible in review.

use core::fmt;
use zeroize::Zeroize;

/// Longest preshared key (SPEC §4 "Keys").
pub const MAX_PRESHARED_KEY_LEN: usize = 256;
/// Longest initiator CHAP secret (SPEC §4, method 71).
pub const MAX_CHAP_SECRET_LEN: usize = 16;
/// Shortest initiator CHAP secret usable without IPsec (96 bits).
pub const MIN_CHAP_SECRET_LEN_WITHOUT_IPSEC: usize = 12;

/// Up to `N` secret bytes, owned by the caller, wiped on drop.
pub struct SecretBuffer<const N: usize> {
    len: usize,
    bytes: [u8; N],
}

impl<const N: usize> SecretBuffer<N> {
    /// An empty buffer.
    #[must_use]
    pub const fn new() -> SecretBuffer<N> {
        SecretBuffer {
            len: 0,
            bytes: [0; N],
        }
    }

    /// The secret bytes of the last successful read (empty after a miss). Callers must not
    /// log, print or persist them.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// Number of secret bytes held (0 after a miss).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no secret.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Replaces the content with `src`: one copy, and one wipe of the old bytes that `src`
    /// does not overwrite. A `src` longer than `N` leaves the buffer empty (not reachable:
    /// the table holds no longer value for this buffer's kind).
    pub(crate) fn fill(&mut self, src: &[u8]) {
        let Some(dst) = self.bytes.get_mut(..src.len()) else {
            self.clear();
            return;
        };
        dst.copy_from_slice(src);
        if let Some(stale) = self.bytes.get_mut(src.len()..self.len) {
            stale.zeroize();
        }
        self.len = src.len();
    }

    /// Wipes the bytes held and empties the buffer.
    pub fn clear(&mut self) {
        if let Some(held) = self.bytes.get_mut(..self.len) {
            held.zeroize();
        }
        self.len = 0;
    }
}

impl<const N: usize> Default for SecretBuffer<N> {
    fn default() -> SecretBuffer<N> {
        SecretBuffer::new()
    }
}

impl<const N: usize> Drop for SecretBuffer<N> {
    #[inline(never)]
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.len.zeroize();
    }
}

impl<const N: usize> fmt::Debug for SecretBuffer<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[secret elided]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn fill_copies_and_clears_what_the_old_content_left() {
        let mut b = SecretBuffer::<8>::new();
        b.fill(b"abcdefgh");
        assert_eq!(b.expose_secret(), b"abcdefgh");
        b.fill(b"xy");
        assert_eq!(b.expose_secret(), b"xy");
        assert_eq!(&b.bytes, b"xy\0\0\0\0\0\0");
        b.fill(b"0123456789");
        assert!(b.is_empty());
        assert_eq!(b.bytes, [0; 8]);
        b.fill(b"k");
        b.clear();
        assert_eq!((b.len(), b.bytes), (0, [0; 8]));
    }

    #[test]
    fn debug_never_shows_bytes() {
        let mut k = SecretBuffer::<32>::new();
        k.fill(b"hunter2-secret");
        let text = format!("{k:?} {:?}", Some(&k));
        assert!(!text.contains("hunter2"));
        assert!(text.contains("[secret elided]"));
    }
}
