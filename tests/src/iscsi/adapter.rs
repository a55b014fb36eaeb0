//! The adapter side of the interop tests: provider, initiator secret, authenticator.
//!
//! A provider started over an `iscsisec` state directory, the initiator CHAP secret read from
//! it through a `Reader` (the hot path), and a CHAP authenticator seeded from the process
//! platform's random source.
//!
//! ```text
//!   iscsisec --state DIR CHAPSecret … / exec MSiSCSI_Operations 71   (separate processes)
//!                     │ records in DIR
//!   adapter (this file): DirStore::open(DIR) ─► Provider::start ─► Reader::chap_secret
//!                                                                    │ ChapSecretBuffer
//!   login ◄──────────────────────────────────────────────────────────┘
//! ```
//!
//! The provider holds the state directory's lock while it runs: stop it ([`Adapter::stop`] or
//! drop) before running `iscsisec` on the same directory, or that process waits for the lock.

use std::path::Path;

use iscsisec_core::chap::{ChapAuthenticator, ChapConfig};
use iscsisec_core::{AdapterConfig, ChapSecretBuffer, Provider, Reader};
use iscsisec_host::platform::{ProcessPlatform, process_platform};
use iscsisec_host::store::{Access, DirStore};

/// The CHAP authenticator of these tests: on a process platform, like the provider's.
pub type Authenticator = ChapAuthenticator<ProcessPlatform>;

/// A provider running over a state directory, and the reader its login path uses.
#[derive(Debug)]
pub struct Adapter {
    /// Held, not read: its reader answers only while it runs, and it holds the directory's lock.
    _provider: Provider<DirStore, ProcessPlatform>,
    reader: Reader<ProcessPlatform>,
}

impl Adapter {
    /// Starts a provider over `state_dir` (rebuilding its table from the stored records).
    ///
    /// # Errors
    ///
    /// The directory cannot be opened or locked, or the provider cannot start.
    pub fn start(state_dir: &Path) -> Result<Adapter, String> {
        let store = DirStore::open(state_dir, Access::Change, |m| eprintln!("storage: {m}"))?;
        let (provider, _report) =
            Provider::start(store, AdapterConfig::default(), process_platform())
                .map_err(|e| format!("provider did not start: {e}"))?;
        let reader = provider.reader();
        Ok(Adapter {
            _provider: provider,
            reader,
        })
    }

    /// The initiator CHAP secret, copied the way the login path reads it
    /// (`Reader::chap_secret`). Empty when none is set (the core's CHAP checks refuse an empty
    /// one as "no secret").
    #[must_use]
    pub fn initiator_secret(&self) -> ChapSecretBuffer {
        let mut buffer = ChapSecretBuffer::new();
        // A miss leaves the buffer empty, which is what the login passes on.
        let _ = self.reader.chap_secret(&mut buffer);
        buffer
    }

    /// Stops the provider, releasing the state directory.
    pub fn stop(self) {
        drop(self);
    }
}

/// A CHAP authenticator with `config` on a process platform (the same process domain as an
/// [`Adapter`]'s provider), seeded from the operating system's random source.
///
/// # Panics
///
/// If the table cannot be allocated or the random source fails.
#[must_use]
pub fn authenticator(config: ChapConfig) -> Authenticator {
    ChapAuthenticator::new(config, process_platform())
        .unwrap_or_else(|e| panic!("CHAP authenticator: {e}"))
}
