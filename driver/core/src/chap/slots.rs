//! Outstanding CHAP challenges: one slot per mutual login in progress.
//!
//! ```text
//!   chap::ChapAuthenticator ──(spin lock held)──► slots (this file)
//!     begin_mutual: is the target's challenge one of ours? take a free slot, store ours
//!     MutualChap drop: free the slot
//! ```
//!
//! The table is allocated once, when the authenticator is made (`PASSIVE_LEVEL`); the login path
//! only reads and writes slots, so it never allocates. A full table is an answer, not a wait:
//! the caller refuses the login. Lookups are linear: the capacity is the number of logins an
//! adapter runs at once (tens), and a scan of that many 17-byte slots is shorter than the
//! MD5 the login computes anyway. Challenges are public (they cross the wire in clear), so
//! they are compared with plain `==` and not wiped.

use alloc::collections::TryReserveError;
use alloc::vec::Vec;

use super::CHALLENGE_LEN;

/// One challenge we sent and have not yet seen answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Outstanding {
    /// Our `CHAP_I`.
    pub identifier: u8,
    /// Our `CHAP_C`.
    pub challenge: [u8; CHALLENGE_LEN],
}

/// A fixed number of slots, each free or holding an [`Outstanding`] challenge.
#[derive(Debug)]
pub(super) struct Slots {
    slots: Vec<Option<Outstanding>>,
}

impl Slots {
    /// `capacity` free slots, or the allocation error (the only allocation the table makes).
    pub(super) fn with_capacity(capacity: usize) -> Result<Slots, TryReserveError> {
        let mut slots = Vec::new();
        slots.try_reserve_exact(capacity)?;
        // Within the reserved capacity: no further allocation.
        slots.extend(core::iter::repeat_n(None, capacity));
        Ok(Slots { slots })
    }

    /// Number of slots.
    pub(super) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Number of slots in use (the authenticator keeps its own count; tests compare).
    #[cfg(test)]
    pub(super) fn in_use(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Whether `challenge` is one of the outstanding challenges.
    pub(super) fn holds(&self, challenge: &[u8]) -> bool {
        self.slots
            .iter()
            .flatten()
            .any(|o| o.challenge.as_slice() == challenge)
    }

    /// Index of a free slot, if any.
    pub(super) fn free_slot(&self) -> Option<usize> {
        self.slots.iter().position(Option::is_none)
    }

    /// Stores `outstanding` in slot `index` (a slot [`Slots::free_slot`] returned under the
    /// same lock hold). An index out of range is ignored (not reachable).
    pub(super) fn put(&mut self, index: usize, outstanding: Outstanding) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(outstanding);
        }
    }

    /// Frees slot `index`.
    pub(super) fn release(&mut self, index: usize) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(b: u8) -> Outstanding {
        Outstanding {
            identifier: b,
            challenge: [b; CHALLENGE_LEN],
        }
    }

    #[test]
    fn fill_release_and_find() {
        let mut t = Slots::with_capacity(2).unwrap();
        assert_eq!((t.capacity(), t.in_use()), (2, 0));
        let a = t.free_slot().unwrap();
        t.put(a, challenge(1));
        let b = t.free_slot().unwrap();
        assert_ne!(a, b);
        t.put(b, challenge(2));
        assert_eq!(t.free_slot(), None);
        assert!(t.holds(&[1; CHALLENGE_LEN]));
        assert!(!t.holds(&[3; CHALLENGE_LEN]));
        assert!(!t.holds(&[1; CHALLENGE_LEN - 1]), "a prefix is not a match");
        t.release(a);
        assert_eq!(t.in_use(), 1);
        assert!(!t.holds(&[1; CHALLENGE_LEN]));
        assert_eq!(t.free_slot(), Some(a));
    }

    #[test]
    fn zero_capacity_is_always_full() {
        let t = Slots::with_capacity(0).unwrap();
        assert_eq!(t.free_slot(), None);
    }

    #[test]
    fn an_impossible_capacity_is_an_error_not_a_crash() {
        assert!(Slots::with_capacity(usize::MAX).is_err());
    }
}
