//! The nonvolatile storage a host gives the core: named records, written whole.
//!
//! ```text
//!   provider ──► record (encode/decode) ──► RecordStore (this trait, implemented by hosts)
//! ```
//!
//! The KMDF driver implements it with registry values under a protected key (flushed with
//! `ZwFlushKey`), the user-mode host with one file per record in a directory. Tests implement
//! it in memory, with fault injection.

use alloc::vec::Vec;
use core::fmt;
use zeroize::Zeroizing;

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

/// What [`RecordStore::load`] calls for each stored entry: its name as the store holds it (raw
/// bytes: a file system may hold names that are not UTF-8), and its bytes or the error met
/// reading it.
pub type Visitor<'a> = dyn FnMut(&[u8], Result<&[u8], StoreError>) + 'a;

/// Named records in nonvolatile storage.
///
/// Names are short ASCII strings of `[a-z0-9-]` chosen by the core (see
/// [`crate::record::RecordName`]). `load` reports every entry the store holds besides its own
/// bookkeeping, names the core never wrote included; the core decides what each one is
/// ([`crate::record::classify`]): a record, damage at a record's name, or a foreign entry it
/// leaves alone. The core only ever writes or removes record names.
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

    /// Calls `visit` once for every stored entry, with its name and either its bytes or the
    /// error met reading it (an entry that is not a readable record, a directory say, is
    /// reported with an error, never skipped). The order is unspecified.
    ///
    /// # Errors
    ///
    /// A failure to enumerate the records at all (a single unreadable record is reported to
    /// `visit` instead).
    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError>;
}

/// A store in memory: for tests, fuzzing and examples. Not durable.
///
/// Names are raw bytes, so that tests can plant any entry a file system could hold. Record
/// bytes are wiped when they are replaced, removed or dropped: they hold keys. Every
/// allocation is fallible (a write that cannot get memory fails and changes nothing), so that
/// allocation-failure tests can run the core over it.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct MemoryStore {
    /// Sorted by name, names unique.
    entries: Vec<(Vec<u8>, Zeroizing<Vec<u8>>)>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Number of stored entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names of the stored entries, in byte order.
    #[must_use]
    pub fn names(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.entries.iter().map(|(name, _)| name.as_slice())
    }

    /// The bytes stored under `name`, if any.
    #[must_use]
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.index(name)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// The bytes stored under `name`, to damage them in place (tests).
    pub fn get_mut(&mut self, name: &[u8]) -> Option<&mut Vec<u8>> {
        let i = self.index(name).ok()?;
        self.entries.get_mut(i).map(|(_, bytes)| &mut **bytes)
    }

    /// Every entry's bytes, to damage them in place (tests).
    pub fn bytes_mut(&mut self) -> impl Iterator<Item = &mut Vec<u8>> {
        self.entries.iter_mut().map(|(_, bytes)| &mut **bytes)
    }

    /// Stores `bytes` under any `name`, one the core would never use included (tests plant
    /// foreign entries and moved records with it).
    ///
    /// # Errors
    ///
    /// Memory ran out; nothing changed.
    pub fn plant(&mut self, name: &[u8], bytes: &[u8]) -> Result<(), StoreError> {
        let out_of_memory = StoreError {
            what: "out of memory",
        };
        let mut owned = Zeroizing::new(Vec::new());
        owned
            .try_reserve_exact(bytes.len())
            .map_err(|_| out_of_memory)?;
        owned.extend_from_slice(bytes);
        match self.index(name) {
            Ok(i) => {
                if let Some((_, slot)) = self.entries.get_mut(i) {
                    // The old bytes are wiped as they drop.
                    *slot = owned;
                }
            }
            Err(i) => {
                let mut key = Vec::new();
                key.try_reserve_exact(name.len())
                    .map_err(|_| out_of_memory)?;
                key.extend_from_slice(name);
                self.entries.try_reserve(1).map_err(|_| out_of_memory)?;
                self.entries.insert(i, (key, owned));
            }
        }
        Ok(())
    }

    /// Removes the entry `name`, if any (its bytes are wiped as they drop).
    pub fn unplant(&mut self, name: &[u8]) {
        if let Ok(i) = self.index(name) {
            drop(self.entries.remove(i));
        }
    }

    fn index(&self, name: &[u8]) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(n, _)| n.as_slice().cmp(name))
    }
}

impl RecordStore for MemoryStore {
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.plant(name.as_bytes(), bytes)
    }

    fn remove(&mut self, name: &str) -> Result<(), StoreError> {
        self.unplant(name.as_bytes());
        Ok(())
    }

    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        for (name, bytes) in &self.entries {
            visit(name, Ok(bytes));
        }
        Ok(())
    }
}

impl fmt::Debug for MemoryStore {
    /// Names and sizes only: records hold key bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, bytes) in &self.entries {
            match core::str::from_utf8(name) {
                Ok(text) => map.entry(&text, &bytes.len()),
                Err(_) => map.entry(&name, &bytes.len()),
            };
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn plant_replace_unplant_keep_names_sorted_and_unique() {
        let mut s = MemoryStore::new();
        s.write("b", b"2").unwrap();
        s.write("a", b"1").unwrap();
        s.plant(b"\xff", b"x").unwrap();
        s.write("a", b"one").unwrap();
        assert_eq!(s.names().collect::<Vec<_>>(), [&b"a"[..], b"b", b"\xff"]);
        assert_eq!(s.get(b"a"), Some(&b"one"[..]));
        s.remove("b").unwrap();
        s.remove("never").unwrap();
        assert_eq!(s.len(), 2);
        let mut seen = Vec::new();
        s.load(&mut |name, bytes| seen.push((name.to_vec(), bytes.unwrap().to_vec())))
            .unwrap();
        assert_eq!(
            seen,
            [
                (b"a".to_vec(), b"one".to_vec()),
                (b"\xff".to_vec(), b"x".to_vec())
            ]
        );
    }

    #[test]
    fn debug_shows_names_and_sizes_only() {
        let mut s = MemoryStore::new();
        s.write("group-key", b"SECRET-BYTES").unwrap();
        let text = format!("{s:?}");
        assert_eq!(text, r#"{"group-key": 12}"#);
        assert_eq!(
            format!("{}", StoreError { what: "write" }),
            "nonvolatile store failed: write"
        );
    }
}
