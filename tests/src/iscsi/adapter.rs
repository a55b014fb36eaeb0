//! The adapter side of the interop tests: provider, initiator secret, authenticator.
//!
//! A provider started over an `iscsisec` state directory, the initiator CHAP secret read from
//! it, and a CHAP authenticator seeded from the operating system's random source.
//!
//! ```text
//!   iscsisec --state DIR CHAPSecret … / exec MSiSCSI_Operations 71   (separate processes)
//!                     │ records in DIR
//!   adapter (this file): DirStore::open(DIR) ─► Provider::start ─► the initiator secret
//!                                                                    │ ChapSecretBuffer
//!   login ◄──────────────────────────────────────────────────────────┘
//! ```
//!
//! The provider holds the state directory's lock while it runs: stop it ([`Adapter::stop`] or
//! drop) before running `iscsisec` on the same directory, or that process waits for the lock.

use std::path::Path;

use iscsisec_core::chap::{self, ChapAuthenticator, ChapConfig, ChapSecretBuffer};
use iscsisec_core::{AdapterConfig, Provider};
use iscsisec_host::store::DirStore;

/// A provider running over a state directory.
#[derive(Debug)]
pub struct Adapter {
    provider: Provider<DirStore>,
}

impl Adapter {
    /// Starts a provider over `state_dir` (rebuilding its table from the stored records).
    ///
    /// # Errors
    ///
    /// The directory cannot be opened or locked, or the provider cannot start.
    pub fn start(state_dir: &Path) -> Result<Adapter, String> {
        let store = DirStore::open(state_dir)?;
        let (provider, _report) = Provider::start(store, AdapterConfig::default())
            .map_err(|e| format!("provider did not start: {e:?}"))?;
        Ok(Adapter { provider })
    }

    /// The initiator CHAP secret, copied the way the login path reads it. Empty when none is
    /// set (the core's CHAP checks refuse an empty one as "no secret").
    #[must_use]
    pub fn initiator_secret(&self) -> ChapSecretBuffer {
        let mut buffer = ChapSecretBuffer::new();
        // A miss leaves the buffer empty, which is what the login passes on.
        let _ = chap::read_initiator_secret(self.provider.table(), &mut buffer);
        buffer
    }

    /// Stops the provider, releasing the state directory.
    pub fn stop(self) {
        drop(self);
    }
}

/// Fills `out` from the operating system's secure random source (`getrandom`): the host's
/// stand-in for the platform's PASSIVE_LEVEL random source.
///
/// # Errors
///
/// The source's error.
pub fn os_random(out: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(out)
}

/// A CHAP authenticator with `config`, seeded from [`os_random`].
///
/// # Panics
///
/// If the table cannot be allocated or the OS random source fails.
#[must_use]
pub fn authenticator(config: ChapConfig) -> ChapAuthenticator {
    ChapAuthenticator::new(config, os_random)
        .unwrap_or_else(|e| panic!("CHAP authenticator: {e:?}"))
}
