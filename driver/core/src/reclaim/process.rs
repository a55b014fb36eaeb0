//! The platform for processes: read sections announced per thread on an [`EpochDomain`].
//!
//! ```text
//!   host (thread-local slots, OS random) ──► Threads ──► EpochPlatform (this file) ──► Platform
//! ```
//!
//! A host supplies the safe part (which slot the calling thread owns, random bytes); this file
//! makes it a [`crate::Platform`]. Only this build uses it; the loom model drives
//! [`EpochDomain`] and [`Pending`] directly.

use super::epoch::{EpochDomain, Pending, ReaderSlot};
use super::retired::Retired;
use crate::platform::RandomError;
use alloc::sync::Arc;

/// What a process host supplies to [`EpochPlatform`]: each thread's slot, and random bytes.
/// All safe: a slot of another domain, or none, only costs the shared counter, never
/// soundness.
pub trait Threads: Send + Sync + 'static {
    /// Calls `f` with the calling thread's slot of `domain` (claimed on first use), or `None`
    /// when it has none or it is already in use further up this thread's stack (a nested
    /// read).
    fn with_slot<R>(&self, domain: &EpochDomain, f: impl FnOnce(Option<&mut ReaderSlot>) -> R)
    -> R;

    /// Fills `out` from the operating system's random source.
    ///
    /// # Errors
    ///
    /// [`RandomError`] when the source failed.
    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError>;
}

/// The [`crate::Platform`] for processes: epochs announced per thread.
///
/// Retired memory is freed once its grace period has passed, checked whenever the writer
/// retires more and on [`EpochPlatform::collect`]. Readers never touch that state.
pub struct EpochPlatform<T: Threads> {
    domain: Domain,
    threads: T,
    pending: Pending,
}

/// The one domain a platform announces on, fixed at construction.
enum Domain {
    Static(&'static EpochDomain),
    Shared(Arc<EpochDomain>),
}

impl Domain {
    fn get(&self) -> &EpochDomain {
        match self {
            Domain::Static(d) => d,
            Domain::Shared(d) => d,
        }
    }
}

impl<T: Threads> EpochPlatform<T> {
    /// A platform whose readers announce on `domain` (usually one per process, shared by
    /// every provider in it), with slots and random bytes from `threads`.
    pub fn new(domain: &'static EpochDomain, threads: T) -> EpochPlatform<T> {
        EpochPlatform {
            domain: Domain::Static(domain),
            threads,
            pending: Pending::new(),
        }
    }

    /// A platform on a domain it shares by reference count (for a domain that is not to live
    /// as long as the process).
    pub fn with_shared_domain(domain: Arc<EpochDomain>, threads: T) -> EpochPlatform<T> {
        EpochPlatform {
            domain: Domain::Shared(domain),
            threads,
            pending: Pending::new(),
        }
    }

    /// The host's threads.
    pub fn threads(&self) -> &T {
        &self.threads
    }

    /// Frees whatever retired memory no reader can hold any more. Returns whether nothing is
    /// left waiting.
    pub fn collect(&self) -> bool {
        self.pending.collect(self.domain.get())
    }
}

impl<T: Threads> core::fmt::Debug for EpochPlatform<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EpochPlatform")
            .field("domain", self.domain.get())
            .finish_non_exhaustive()
    }
}

// SAFETY: `read` runs `f` inside a section announced on the platform's one domain (a slot of
// that domain held `&mut`, or the shared counter; `EpochDomain::read` refuses slots of other
// domains); `defer` tags each batch with a token taken after the writer's unlinks and frees it
// only when `has_passed` says every older section on that same domain has ended.
unsafe impl<T: Threads> crate::Platform for EpochPlatform<T> {
    #[inline]
    fn read<R>(&self, f: impl FnOnce() -> R) -> R {
        let domain = self.domain.get();
        self.threads.with_slot(domain, |slot| domain.read(slot, f))
    }

    fn defer(&self, retired: Retired) {
        self.pending.defer(self.domain.get(), retired);
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        self.threads.fill_random(out)
    }
}
