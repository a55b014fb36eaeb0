//! The fenced module: the core's only `unsafe` code, a table readers walk without locks.
//!
//! ```text
//!   table / lookup (safe) ──► reclaim (this module: raw nodes, atomic links, retirement)
//!                                 │ Platform::read / Platform::defer
//!                                 ▼
//!                             the host's read sections and grace periods
//! ```
//!
//! One writer and any number of readers share a `map::Shared`: a fixed array of buckets, each
//! the head of a singly linked chain of immutable `node::Node`s, and a few single-node slots
//! (the group key, the CHAP secret, the digests of damaged records). Nodes are never changed
//! once published. The writer replaces a node by linking a new one in its place with one
//! release store and removes one by linking past it; readers follow the links with acquire
//! loads inside a [`crate::Platform`] read section. What the writer unlinks goes into a
//! [`Retired`] chain that the platform drops (wiping and freeing every node) after a grace
//! period, so a reader always holds either the old node or the new one, whole.
//!
//! Readers write nothing shared: no reference count, no lock word. The writer never waits for
//! readers. The protocol is checked with loom (the same source files compiled against loom's
//! atomics, `tests` below) and the module's tests run under Miri.
//!
//! Everything else in the crate stays under `#![deny(unsafe_code)]`.

pub(crate) mod map;
pub(crate) mod node;

mod epoch;
mod process;
mod retired;

pub use epoch::{EpochDomain, ReaderSlot};
pub use process::{EpochPlatform, Threads};
pub use retired::Retired;

/// The atomics this module's files use: `core`'s here, loom's in the model-checking build.
mod sync {
    pub(crate) use core::sync::atomic::{
        AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering, fence,
    };
    pub(crate) use spin::Mutex;

    /// Locks `m` (a spin lock here: the writer holds it for a few pointer moves).
    pub(crate) fn lock<T>(m: &Mutex<T>) -> spin::MutexGuard<'_, T> {
        m.lock()
    }

    /// Whether this is the loom build (freed nodes are marked and kept, not deallocated).
    pub(crate) const MODEL: bool = false;
}

/// The part of [`crate::Platform`] the table uses, named here so that the loom build can
/// supply its own (over its own `Retired`).
///
/// # Safety
///
/// As [`crate::Platform`]: `read` runs `f` in a read section, `defer` drops only after a
/// grace period.
pub(crate) unsafe trait Grace: Send + Sync {
    /// Runs `f` inside a read section.
    fn read<R>(&self, f: impl FnOnce() -> R) -> R;
    /// Drops `retired` after a grace period.
    fn defer(&self, retired: Retired);
}

// SAFETY: `Platform`'s contract is `Grace`'s.
unsafe impl<P: crate::Platform> Grace for P {
    fn read<R>(&self, f: impl FnOnce() -> R) -> R {
        crate::Platform::read(self, f)
    }

    fn defer(&self, retired: Retired) {
        crate::Platform::defer(self, retired);
    }
}

/// Memory for a node or the bucket array could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

impl core::fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("out of memory")
    }
}

impl core::error::Error for OutOfMemory {}

#[cfg(all(test, not(miri)))]
mod loom_model;
#[cfg(test)]
mod tests;
