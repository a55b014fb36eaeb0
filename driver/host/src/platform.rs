//! The core's platform in a process: one epoch domain for the process, a slot per thread, and
//! random bytes from the operating system.
//!
//! ```text
//!   Reader::lookup (any thread) ──► EpochPlatform ──► ProcessThreads (this file)
//!                                                       thread-local slot · getrandom
//! ```
//!
//! Every provider in the process announces its readers on the same domain, so a thread needs
//! one slot however many providers it reads. A thread claims its slot at its first lookup and
//! gives it back when it exits; the slots are 128-byte aligned, so readers never share a cache
//! line. Threads beyond the slot count, and nested reads, share the domain's counter.

use std::cell::Cell;
use std::sync::OnceLock;

use iscsisec_core::RandomError;
use iscsisec_core::reclaim::{EpochDomain, EpochPlatform, ReaderSlot, Threads};

/// Reader slots of the process (128 bytes each).
const SLOTS: usize = 256;

/// The core's platform for this process.
pub type ProcessPlatform = EpochPlatform<ProcessThreads>;

/// A platform for a provider in this process.
#[must_use]
pub fn process_platform() -> ProcessPlatform {
    EpochPlatform::new(domain(), ProcessThreads)
}

/// The process's epoch domain.
fn domain() -> &'static EpochDomain {
    static DOMAIN: OnceLock<EpochDomain> = OnceLock::new();
    DOMAIN.get_or_init(|| {
        // Without memory for the slots, every reader shares the domain's counter.
        EpochDomain::new(SLOTS)
            .or_else(|_| EpochDomain::new(0))
            .unwrap_or_else(|_| std::process::abort())
    })
}

/// A thread's claim on its slot, given back when the thread exits.
struct Claim(Option<ReaderSlot>);

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            domain().release(slot);
        }
    }
}

thread_local! {
    static CLAIM: Cell<Option<Claim>> = const { Cell::new(None) };
}

/// The threads of this process, as [`EpochPlatform`] needs them.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessThreads;

impl Threads for ProcessThreads {
    #[inline]
    fn with_slot<R>(
        &self,
        domain: &EpochDomain,
        f: impl FnOnce(Option<&mut ReaderSlot>) -> R,
    ) -> R {
        // The claim leaves the thread-local while `f` runs, so a nested read on this thread
        // finds none there and takes another slot (or the shared counter) instead.
        let mut claim = CLAIM
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_else(|| Claim(domain.claim()));
        let result = f(claim.0.as_mut());
        // Put it back; a claim displaced by a nested read, or one a thread that is exiting
        // can no longer keep, is released as it drops.
        let _ = CLAIM.try_with(|c| c.replace(Some(claim)));
        result
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(out).map_err(|_| RandomError)
    }
}
