//! The nonvolatile storage a host gives the core: named records, written whole.
//!
//! ```text
//!   provider ──► record (encode/decode) ──► RecordStore (this trait, implemented by hosts)
//! ```
//!
//! The KMDF driver implements it with registry values under a protected key (flushed with
//! `ZwFlushKey`), the user-mode host with one file per record in a directory. Tests implement
//! it in memory, with fault injection.

use core::fmt;

/// A failure of the platform's storage. The core answers `ISDSC_NON_SPECIFIC_ERROR` for it
/// and leaves its table unchanged; the host logs the detail (never a secret) itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StoreError {
    /// What failed, for logs (`"write"`, `"flush"`, …). Never holds secret bytes.
    pub what: &'static str,
}

impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreError({})", self.what)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nonvolatile store failed: {}", self.what)
    }
}

impl core::error::Error for StoreError {}

/// What [`RecordStore::load`] calls for each stored record: its name, and its bytes or the
/// error met reading it.
pub type Visitor<'a> = dyn FnMut(&str, Result<&[u8], StoreError>) + 'a;

/// Named records in nonvolatile storage.
///
/// Names are short ASCII strings of `[a-z0-9-]` chosen by the core (see
/// [`crate::record::RecordName`]); a store may also report names it did not get from the core
/// (damaged or foreign entries), which the core counts as corrupt records.
pub trait RecordStore {
    /// Stores `bytes` under `name`, replacing any previous record of that name.
    ///
    /// Contract: all or nothing. After a crash or power loss at any instant, reading `name`
    /// gives either the previous bytes or the new bytes, never a mix, and once this returns
    /// `Ok` the new bytes survive a crash.
    ///
    /// # Errors
    ///
    /// Any failure to make the new bytes durable; the previous record must then still read
    /// back whole (old or new).
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError>;

    /// Removes the record `name`; removing an absent record succeeds. Durable when it returns.
    ///
    /// # Errors
    ///
    /// Any failure to make the removal durable.
    fn remove(&mut self, name: &str) -> Result<(), StoreError>;

    /// Calls `visit` once for every stored record, with its name and either its bytes or the
    /// error met reading it. The order is unspecified.
    ///
    /// # Errors
    ///
    /// A failure to enumerate the records at all (a single unreadable record is reported to
    /// `visit` instead).
    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError>;
}

/// A store in memory: for tests, fuzzing and examples. Not durable.
#[derive(Default, Clone)]
pub struct MemoryStore {
    records: alloc::collections::BTreeMap<alloc::string::String, alloc::vec::Vec<u8>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The stored records by name (tests inspect and damage them through this).
    pub fn records_mut(
        &mut self,
    ) -> &mut alloc::collections::BTreeMap<alloc::string::String, alloc::vec::Vec<u8>> {
        &mut self.records
    }

    /// The stored records by name.
    #[must_use]
    pub fn records(
        &self,
    ) -> &alloc::collections::BTreeMap<alloc::string::String, alloc::vec::Vec<u8>> {
        &self.records
    }
}

impl RecordStore for MemoryStore {
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.records.insert(name.into(), bytes.into());
        Ok(())
    }

    fn remove(&mut self, name: &str) -> Result<(), StoreError> {
        self.records.remove(name);
        Ok(())
    }

    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        for (name, bytes) in &self.records {
            visit(name, Ok(bytes));
        }
        Ok(())
    }
}

impl fmt::Debug for MemoryStore {
    /// Names and sizes only: records hold key bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.records.iter().map(|(name, bytes)| (name, bytes.len())))
            .finish()
    }
}
