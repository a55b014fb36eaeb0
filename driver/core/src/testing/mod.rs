//! Test fixtures of the core, shared by its unit tests, the tests crate and the fuzz seeds
//! (feature `fuzzing`, and unit tests). Not part of the API and never built into the driver.
//!
//! ```text
//!   core unit tests ─┐
//!   tests crate ─────┼──► testing (this module) ──► Provider, Table, wire emitters
//!   fuzz seeds ──────┘      ├ test_platform: fixed random bytes, no reader slots
//!                           ├ FaultStore: a record store that fails on cue (fault_store.rs)
//!                           ├ buffers: every method's IN buffer, built once (buffers.rs)
//!                           └ fingerprint: a table's whole content as one hash
//! ```
//!
//! They live in the core, not in a crate of their own, because the core's own unit tests use
//! them: a crate depending on the core could not be used there without linking a second copy
//! of the core whose types would not match. The tests crate reaches them through the `fuzzing`
//! feature. The fuzz oracle, which is not a fixture, is [`crate::fuzzing`].

pub mod buffers;
mod fault_store;

pub use fault_store::{FaultHandle, FaultStore, Op, Scenario};

use alloc::vec::Vec;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::platform::{Platform, RandomError};
use crate::reclaim::{EpochDomain, EpochPlatform, ReaderSlot, Threads};
use crate::record::{MAX_RECORD_LEN, RecordRef};
use crate::table::Table;

/// What the random source of a test platform gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestRandom {
    /// A fixed pattern (`i % 251 ^ 0x5a`), so runs repeat exactly.
    Pattern,
    /// This byte, repeated: a seed a test can predict.
    Repeat(u8),
    /// Nothing: every request fails, as a broken random source does.
    Fails,
}

/// The threads of tests and fuzzing: no reader slots (every reader shares the domain's
/// counter) and the random bytes of a [`TestRandom`]. Never for a real host.
#[derive(Debug)]
pub struct TestThreads(TestRandom);

impl Threads for TestThreads {
    fn with_slot<R>(&self, _: &EpochDomain, f: impl FnOnce(Option<&mut ReaderSlot>) -> R) -> R {
        f(None)
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        match self.0 {
            TestRandom::Pattern => {
                for (i, b) in out.iter_mut().enumerate() {
                    *b = u8::try_from(i % 251).unwrap_or(0) ^ 0x5a;
                }
            }
            TestRandom::Repeat(byte) => out.fill(byte),
            TestRandom::Fails => return Err(RandomError),
        }
        Ok(())
    }
}

/// The test platform type.
pub type TestPlatform = EpochPlatform<TestThreads>;

/// A fresh test platform on the process-wide test domain, with the fixed pattern as its random
/// source.
#[must_use]
pub fn test_platform() -> TestPlatform {
    platform_with(TestRandom::Pattern)
}

/// A fresh test platform on the process-wide test domain whose random source gives `random`.
///
/// # Panics
///
/// If the first call finds no memory for the (empty) test domain.
#[must_use]
#[allow(
    clippy::panic,
    reason = "a fixture with no memory for its empty domain cannot run any test"
)]
pub fn platform_with(random: TestRandom) -> TestPlatform {
    static DOMAIN: spin::Once<EpochDomain> = spin::Once::new();
    let domain = DOMAIN.call_once(|| {
        let Ok(domain) = EpochDomain::new(0) else {
            panic!("no memory for an empty domain")
        };
        domain
    });
    EpochPlatform::new(domain, TestThreads(random))
}

/// A hash of everything the table holds, keys included, so that two tables can be compared
/// without copying secrets.
#[must_use]
pub fn fingerprint<P: Platform>(table: &Table<P>) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut buf = Zeroizing::new([0u8; MAX_RECORD_LEN]);
    let mut add = |h: &mut Sha256, r: RecordRef<'_>| {
        if let Ok(n) = r.encode(buf.as_mut_slice()) {
            h.update(buf.get(..n).unwrap_or(&[]));
        }
    };
    // The table keeps explicit keys in hash order, which depends on the hash key: sort.
    let mut entries: Vec<_> = table.psk_entries().collect();
    entries.sort_by(|a, b| (a.port, &a.id).cmp(&(b.port, &b.id)));
    for e in entries {
        add(
            &mut h,
            RecordRef::Psk {
                port: e.port,
                id: &e.id,
                flags: e.flags,
                key: e.expose_secret(),
            },
        );
    }
    if let Some(k) = table.group_key() {
        add(&mut h, RecordRef::GroupKey(k.expose_secret()));
    }
    for t in table.tunnel_entries() {
        add(
            &mut h,
            RecordRef::Tunnel {
                port: t.port,
                destination: &t.destination,
                outer: &t.outer,
            },
        );
    }
    if let Some(s) = table.chap_secret() {
        add(&mut h, RecordRef::ChapSecret(s.expose_secret()));
    }
    add(
        &mut h,
        RecordRef::GenerationalGuid(&table.generational_guid()),
    );
    h.update(table.corrupt_records().len().to_le_bytes());
    h.finalize().into()
}
