//! What the core needs from its host besides storage: read-side sections, grace periods and
//! random bytes.
//!
//! ```text
//!   Reader::lookup ──► Platform::read ──────┐   (kernel: raise to DISPATCH_LEVEL;
//!                                           │    process: announce an epoch per thread)
//!   Provider (writer) ──► Platform::defer ──┴──► Retired dropped after a grace period
//!   Provider::start ──► Platform::fill_random   (hash keys; PASSIVE_LEVEL only)
//! ```
//!
//! The table readers walk is changed by one writer at a time while readers run on every
//! processor. Memory the writer unlinks (a replaced key, a removed entry) may still be in a
//! reader's hands, so it is handed to [`Platform::defer`], which drops it — wiping and freeing
//! it — only once every read-side section that had begun before the call has ended. That is
//! the whole contract between the core and its platform; the core never waits for readers.
//!
//! Two implementations exist: the KMDF driver's (a lookup raises the IRQL to `DISPATCH_LEVEL`,
//! so a grace period has passed once a DPC has run on every processor) and
//! [`crate::reclaim::EpochPlatform`], epochs announced per thread, for processes.

use core::fmt;

use crate::reclaim::Retired;

/// What the core needs from the platform it runs on.
///
/// # Safety
///
/// The core's readers rely on this contract for memory safety, so implementing it is unsafe:
///
/// - [`Platform::read`] runs `f` inside a read-side section. It must not block, allocate or
///   fail, may be called at any IRQL up to `DISPATCH_LEVEL`, and may nest.
/// - [`Platform::defer`] takes memory the writer has unlinked and drops the [`Retired`] value
///   only once every read-side section that had begun before the call has ended (a grace
///   period). Dropping it earlier is a use-after-free in a reader; never dropping it leaks.
///   It must not wait for readers itself; it is called at `PASSIVE_LEVEL` by the single writer.
/// - [`Platform::fill_random`] fills bytes from a cryptographically secure source. The core
///   calls it at `PASSIVE_LEVEL` only.
///
/// Processes need not implement it: [`crate::reclaim::EpochPlatform`] does, over a safe
/// [`crate::reclaim::Threads`] the host supplies.
#[allow(
    unsafe_code,
    reason = "declares the contract the fenced `reclaim` module relies on; performs nothing"
)]
pub unsafe trait Platform: Send + Sync + 'static {
    /// Runs `f` inside a read-side section.
    fn read<R>(&self, f: impl FnOnce() -> R) -> R;

    /// Drops `retired` once every read-side section begun before this call has ended.
    fn defer(&self, retired: Retired);

    /// Fills `out` with cryptographically secure random bytes.
    ///
    /// # Errors
    ///
    /// [`RandomError`] when the source failed; `out` is then not to be used.
    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError>;
}

/// The platform's random source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the platform's random source failed")
    }
}

impl core::error::Error for RandomError {}
