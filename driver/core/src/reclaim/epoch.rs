//! Grace periods for threads: an epoch counter and one announcement slot per reader thread.
//!
//! ```text
//!   reader thread:  enter (slot = current epoch; fence) … reads … exit (slot = idle)
//!   writer:         unlink; token = advance(); later: has_passed(token) → free
//! ```
//!
//! The kernel has no use for this (a lookup raises the IRQL, and a DPC on every processor
//! is its grace period); a process host drives it from its threads: each thread claims a slot
//! once, announces the epoch it saw when it enters a read section, and clears the slot when it
//! leaves. Memory retired with token `t` is safe to free once every slot is idle or shows an
//! epoch of at least `t`: a reader that announced an older epoch may still hold it, and a
//! reader that saw epoch `t` or later also sees the unlink that came before the advance.
//! Each slot has a cache line of its own, so readers never write a line another reader or the
//! writer uses. A reader without a slot (every slot taken, or a nested read) shares a counter
//! instead, which only delays reclamation while it is inside.

use alloc::vec::Vec;

use super::OutOfMemory;
use super::retired::Retired;
use super::sync::{AtomicBool, AtomicU64, Ordering, fence};
use super::sync::{Mutex, lock};

/// One reader's announcement, alone on its cache line.
#[repr(align(128))]
struct Slot {
    /// 0 when idle, else the epoch the reader saw when it entered.
    epoch: AtomicU64,
    /// Whether a thread owns the slot.
    claimed: AtomicBool,
}

/// The counter readers share when they have no slot, on its own cache line.
#[repr(align(128))]
struct Overflow(AtomicU64);

/// A set of reader slots and the epoch they announce.
pub struct EpochDomain {
    id: u64,
    epoch: AtomicU64,
    overflow: Overflow,
    slots: Vec<Slot>,
}

/// A thread's claim on one slot of an [`EpochDomain`]. Not `Clone`: whoever holds it
/// `&mut` is the slot's only reader, which is what makes announcing on it sound.
#[derive(Debug, PartialEq, Eq)]
pub struct ReaderSlot {
    domain: u64,
    index: usize,
}

/// Gives every domain an identity, so a slot is only ever used on the domain it came from.
/// (Always `core`'s atomic: it is not part of the protocol the loom build models.)
#[allow(
    unused_qualifications,
    reason = "`AtomicU64` in scope is loom's in the model build"
)]
static NEXT_DOMAIN: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

impl EpochDomain {
    /// A domain with `slots` reader slots (each 128 bytes). Readers beyond them share one
    /// counter, which only delays reclamation while they read.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] if the slots cannot be allocated.
    pub fn new(slots: usize) -> Result<EpochDomain, OutOfMemory> {
        let mut v = Vec::new();
        v.try_reserve_exact(slots).map_err(|_| OutOfMemory)?;
        v.extend((0..slots).map(|_| Slot {
            epoch: AtomicU64::new(0),
            claimed: AtomicBool::new(false),
        }));
        #[allow(
            unused_qualifications,
            reason = "`Ordering` in scope is loom's in the model build"
        )]
        let id = NEXT_DOMAIN.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        Ok(EpochDomain {
            id,
            epoch: AtomicU64::new(1),
            overflow: Overflow(AtomicU64::new(0)),
            slots: v,
        })
    }

    /// Claims a free slot for the calling thread, or `None` when every slot is taken.
    pub fn claim(&self) -> Option<ReaderSlot> {
        let index = self.slots.iter().position(|s| {
            s.claimed
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        })?;
        Some(ReaderSlot {
            domain: self.id,
            index,
        })
    }

    /// Gives a slot back (a thread does this as it exits).
    #[expect(
        clippy::needless_pass_by_value,
        reason = "giving the slot back consumes it, so that it cannot announce reads again"
    )]
    pub fn release(&self, slot: ReaderSlot) {
        if let Some(s) = self.own(&slot) {
            s.epoch.store(0, Ordering::Release);
            s.claimed.store(false, Ordering::Release);
        }
    }

    /// Runs `f` inside a read section, announced on `slot` (or, without a slot of this
    /// domain, on the shared counter).
    #[inline]
    pub fn read<R>(&self, slot: Option<&mut ReaderSlot>, f: impl FnOnce() -> R) -> R {
        match slot.and_then(|s| self.own(s)) {
            Some(s) => {
                let e = self.epoch.load(Ordering::SeqCst);
                // Release: a writer that reads this announcement then also knows every access
                // of this thread's earlier sections happened before (a relaxed store would not
                // carry the earlier exit's release; Miri's race detector caught that).
                s.epoch.store(e, Ordering::Release);
                // Orders the announcement before every load of the section (see
                // `has_passed`).
                fence(Ordering::SeqCst);
                let r = f();
                s.epoch.store(0, Ordering::Release);
                r
            }
            None => {
                self.overflow.0.fetch_add(1, Ordering::Relaxed);
                fence(Ordering::SeqCst);
                let r = f();
                self.overflow.0.fetch_sub(1, Ordering::Release);
                r
            }
        }
    }

    /// Starts a grace period for memory unlinked before this call; returns its token.
    pub fn advance(&self) -> u64 {
        self.epoch.fetch_add(1, Ordering::SeqCst).wrapping_add(1)
    }

    /// Whether every read section that could hold memory retired with `token` has ended.
    #[must_use]
    pub fn has_passed(&self, token: u64) -> bool {
        // Pairs with the fence in `read`: either a reader's announcement is seen here, or
        // the reader's loads see every unlink made before the `advance` that gave `token`.
        fence(Ordering::SeqCst);
        if self.overflow.0.load(Ordering::Acquire) != 0 {
            return false;
        }
        self.slots.iter().all(|s| {
            let e = s.epoch.load(Ordering::Acquire);
            e == 0 || e >= token
        })
    }

    /// The slot `slot` names, if it belongs to this domain.
    fn own(&self, slot: &ReaderSlot) -> Option<&Slot> {
        if slot.domain != self.id {
            return None;
        }
        self.slots.get(slot.index)
    }
}

impl core::fmt::Debug for EpochDomain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EpochDomain")
            .field("epoch", &self.epoch.load(Ordering::Relaxed))
            .field("slots", &self.slots.len())
            .finish_non_exhaustive()
    }
}

/// Retired memory waiting for its grace period, in two generations: the older batch is freed
/// as soon as its grace period has passed, checked whenever the writer retires more and on
/// [`Pending::collect`]. Readers never touch it; writers take a short lock on it.
pub(crate) struct Pending {
    generations: Mutex<Generations>,
}

/// An older batch and a younger one, each with the token of the newest retirement in it.
struct Generations {
    old: (u64, Retired),
    young: (u64, Retired),
}

impl Pending {
    pub(crate) fn new() -> Pending {
        Pending {
            generations: Mutex::new(Generations {
                old: (0, Retired::new()),
                young: (0, Retired::new()),
            }),
        }
    }

    /// Takes `retired`, unlinked before this call, and frees what it can.
    pub(crate) fn defer(&self, domain: &EpochDomain, retired: Retired) {
        let token = domain.advance();
        {
            let mut g = lock(&self.generations);
            g.young.1.append(retired);
            g.young.0 = token;
        }
        self.collect(domain);
    }

    /// Frees whatever retired memory no reader can hold any more. Returns whether nothing is
    /// left waiting.
    pub(crate) fn collect(&self, domain: &EpochDomain) -> bool {
        let mut freed = Retired::new();
        let done = {
            let mut g = lock(&self.generations);
            if !g.old.1.is_empty() && domain.has_passed(g.old.0) {
                freed.append(core::mem::take(&mut g.old.1));
            }
            if g.old.1.is_empty() && !g.young.1.is_empty() {
                let young = core::mem::take(&mut g.young);
                if domain.has_passed(young.0) {
                    freed.append(young.1);
                } else {
                    g.old = young;
                }
            }
            g.old.1.is_empty() && g.young.1.is_empty()
        };
        // Wiped and freed outside the lock.
        drop(freed);
        done
    }
}
