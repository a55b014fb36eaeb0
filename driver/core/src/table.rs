//! The in-memory table: explicit keys, the group key, tunnel mappings, the CHAP secret.
//!
//! ```text
//!   provider ──► table (this file) ◄── lookup
//! ```
//!
//! The table knows nothing of storage: the provider writes a record first and only then
//! changes the table, and reserves the table's memory before writing, so that a change that
//! reached storage can always be published. Entries are kept sorted for binary search; each
//! key sits in its own heap cell, so growing the table moves no key bytes.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::record::RecordName;
use crate::secret::{ChapSecret, PresharedKey};
use crate::validate::{Destination, Identifier, OuterAddress, PortSelector, SecurityFlags};

/// An explicit preshared key.
#[derive(Debug)]
pub struct PskEntry {
    /// The port it applies to, or all ports.
    pub port: PortSelector,
    /// The initiator identifier it is tied to, normalised.
    pub id: Identifier,
    /// The security flags stored with it.
    pub flags: SecurityFlags,
    key: Box<PresharedKey>,
}

impl PskEntry {
    /// The key.
    #[must_use]
    pub fn key(&self) -> &PresharedKey {
        &self.key
    }
}

/// A tunnel-mode outer address mapping.
#[derive(Debug, Clone, Copy)]
pub struct TunnelEntry {
    /// The port it applies to, or all ports.
    pub port: PortSelector,
    /// The destination it is for, normalised.
    pub destination: Destination,
    /// The outer address to use.
    pub outer: OuterAddress,
}

/// Why [`Table::explicit`] found no entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplicitMiss {
    /// No explicit key for the identifier on this port or all ports.
    Absent,
    /// The stored record of the first level without an entry failed its check at load.
    Damaged,
}

/// Memory could not be reserved for a new entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

/// Everything the provider holds in working memory.
#[derive(Debug, Default)]
pub struct Table {
    psk: Vec<PskEntry>,
    group_key: Option<Box<PresharedKey>>,
    tunnels: Vec<TunnelEntry>,
    chap_secret: Option<Box<ChapSecret>>,
    generational_guid: [u8; 16],
    corrupt: Vec<String>,
}

impl Table {
    /// An empty table.
    #[must_use]
    pub fn new() -> Table {
        Table::default()
    }

    /// Explicit keys, sorted by port (ports before all-ports) and identifier.
    pub fn psk_entries(&self) -> impl ExactSizeIterator<Item = &PskEntry> {
        self.psk.iter()
    }

    /// Number of explicit keys.
    #[must_use]
    pub fn psk_count(&self) -> usize {
        self.psk.len()
    }

    /// The explicit entry stored for exactly `(port, id)`.
    #[must_use]
    pub fn psk(&self, port: PortSelector, id: &Identifier) -> Option<&PskEntry> {
        self.psk_index(port, id).ok().and_then(|i| self.psk.get(i))
    }

    /// The explicit entry a lookup on `port` uses (SPEC §4 method 2, §5 steps 1–2): this
    /// port's, then the all-ports one. The group key does not count.
    ///
    /// A level whose stored record failed its check at load stops the search: the entry that
    /// belongs there is unknown, so a lower level must not stand in for it.
    ///
    /// # Errors
    ///
    /// [`ExplicitMiss::Absent`] or [`ExplicitMiss::Damaged`].
    pub fn explicit(&self, port: PortSelector, id: &Identifier) -> Result<&PskEntry, ExplicitMiss> {
        let mut levels = [port, PortSelector::All].into_iter();
        if port == PortSelector::All {
            levels.next();
        }
        for level in levels {
            if let Some(entry) = self.psk(level, id) {
                return Ok(entry);
            }
            // Only a damaged store pays for this: hashing the identity into its record name.
            if !self.corrupt.is_empty() && self.is_corrupt(&RecordName::psk(level, id)) {
                return Err(ExplicitMiss::Damaged);
            }
        }
        Err(ExplicitMiss::Absent)
    }

    /// The group key, if set.
    #[must_use]
    pub fn group_key(&self) -> Option<&PresharedKey> {
        self.group_key.as_deref()
    }

    /// Tunnel mappings, sorted by port and destination.
    pub fn tunnel_entries(&self) -> impl ExactSizeIterator<Item = &TunnelEntry> {
        self.tunnels.iter()
    }

    /// The outer address for `(port, destination)`: this port's mapping, then all ports'.
    #[must_use]
    pub fn tunnel(&self, port: PortSelector, destination: &Destination) -> Option<&OuterAddress> {
        let find = |p: PortSelector| {
            self.tunnel_index(p, destination)
                .ok()
                .and_then(|i| self.tunnels.get(i))
        };
        find(port)
            .or_else(|| match port {
                PortSelector::Port(_) => find(PortSelector::All),
                PortSelector::All => None,
            })
            .map(|e| &e.outer)
    }

    /// The initiator CHAP secret, if set.
    #[must_use]
    pub fn chap_secret(&self) -> Option<&ChapSecret> {
        self.chap_secret.as_deref()
    }

    /// The generational GUID as WMI carried it (all zeros when never set).
    #[must_use]
    pub fn generational_guid(&self) -> [u8; 16] {
        self.generational_guid
    }

    /// Names of stored records that failed their check at load and are still stored.
    pub fn corrupt_records(&self) -> impl ExactSizeIterator<Item = &str> {
        self.corrupt.iter().map(String::as_str)
    }

    /// Whether a record stored under `name` failed its check at load.
    #[must_use]
    pub fn is_corrupt(&self, name: &RecordName) -> bool {
        self.corrupt.iter().any(|n| n == name.as_str())
    }

    // ----- mutation, for the provider and the loader -----

    /// Makes room for one more explicit key without allocating later.
    pub(crate) fn reserve_psk(&mut self) -> Result<(), OutOfMemory> {
        self.psk.try_reserve(1).map_err(|_| OutOfMemory)
    }

    /// Inserts or replaces `(port, id)`. A replaced key is wiped as it drops. Does not
    /// allocate after [`Table::reserve_psk`].
    pub(crate) fn insert_psk(
        &mut self,
        port: PortSelector,
        id: Identifier,
        flags: SecurityFlags,
        key: Box<PresharedKey>,
    ) {
        let entry = PskEntry {
            port,
            id,
            flags,
            key,
        };
        match self.psk_index(port, &entry.id) {
            Ok(i) => {
                if let Some(slot) = self.psk.get_mut(i) {
                    *slot = entry;
                }
            }
            Err(i) => self.psk.insert(i, entry),
        }
    }

    /// Removes `(port, id)`; its key is wiped as it drops.
    pub(crate) fn remove_psk(&mut self, port: PortSelector, id: &Identifier) {
        if let Ok(i) = self.psk_index(port, id) {
            drop(self.psk.remove(i));
        }
    }

    /// The first explicit key's `(port, id)`, for draining the table.
    pub(crate) fn first_psk(&self) -> Option<(PortSelector, Identifier)> {
        self.psk.first().map(|e| (e.port, e.id))
    }

    pub(crate) fn set_group_key(&mut self, key: Option<Box<PresharedKey>>) {
        self.group_key = key;
    }

    pub(crate) fn set_chap_secret(&mut self, secret: Option<Box<ChapSecret>>) {
        self.chap_secret = secret;
    }

    pub(crate) fn set_generational_guid(&mut self, guid: [u8; 16]) {
        self.generational_guid = guid;
    }

    pub(crate) fn reserve_tunnel(&mut self) -> Result<(), OutOfMemory> {
        self.tunnels.try_reserve(1).map_err(|_| OutOfMemory)
    }

    pub(crate) fn tunnel_count(&self) -> usize {
        self.tunnels.len()
    }

    pub(crate) fn has_tunnel(&self, port: PortSelector, destination: &Destination) -> bool {
        self.tunnel_index(port, destination).is_ok()
    }

    pub(crate) fn insert_tunnel(&mut self, entry: TunnelEntry) {
        match self.tunnel_index(entry.port, &entry.destination) {
            Ok(i) => {
                if let Some(slot) = self.tunnels.get_mut(i) {
                    *slot = entry;
                }
            }
            Err(i) => self.tunnels.insert(i, entry),
        }
    }

    pub(crate) fn remove_tunnel(&mut self, port: PortSelector, destination: &Destination) {
        if let Ok(i) = self.tunnel_index(port, destination) {
            self.tunnels.remove(i);
        }
    }

    pub(crate) fn add_corrupt(&mut self, name: &str) -> Result<(), OutOfMemory> {
        let mut owned = String::new();
        owned
            .try_reserve_exact(name.len())
            .map_err(|_| OutOfMemory)?;
        owned.push_str(name);
        self.corrupt.try_reserve(1).map_err(|_| OutOfMemory)?;
        self.corrupt.push(owned);
        Ok(())
    }

    /// Forgets a corrupt record that has been overwritten or removed under `name`.
    pub(crate) fn forget_corrupt(&mut self, name: &str) {
        self.corrupt.retain(|n| n != name);
    }

    pub(crate) fn last_corrupt(&self) -> Option<&str> {
        self.corrupt.last().map(String::as_str)
    }

    pub(crate) fn pop_corrupt(&mut self) {
        self.corrupt.pop();
    }

    /// Appends a loaded entry without keeping order; [`Table::finish_load`] sorts.
    pub(crate) fn push_loaded_psk(&mut self, entry: PskEntry) -> Result<(), OutOfMemory> {
        self.psk.try_reserve(1).map_err(|_| OutOfMemory)?;
        self.psk.push(entry);
        Ok(())
    }

    pub(crate) fn push_loaded_tunnel(&mut self, entry: TunnelEntry) -> Result<(), OutOfMemory> {
        self.tunnels.try_reserve(1).map_err(|_| OutOfMemory)?;
        self.tunnels.push(entry);
        Ok(())
    }

    /// Restores the sort order after loading. Record names are unique per identity, so no
    /// two loaded entries share a key.
    pub(crate) fn finish_load(&mut self) {
        self.psk
            .sort_unstable_by(|a, b| (a.port, &a.id).cmp(&(b.port, &b.id)));
        self.tunnels
            .sort_unstable_by(|a, b| (a.port, &a.destination).cmp(&(b.port, &b.destination)));
    }

    fn psk_index(&self, port: PortSelector, id: &Identifier) -> Result<usize, usize> {
        self.psk
            .binary_search_by(|e| (e.port, &e.id).cmp(&(port, id)))
    }

    fn tunnel_index(&self, port: PortSelector, d: &Destination) -> Result<usize, usize> {
        self.tunnels
            .binary_search_by(|e| (e.port, &e.destination).cmp(&(port, d)))
    }
}

/// Builds a [`PskEntry`] (for the loader).
pub(crate) fn psk_entry(
    port: PortSelector,
    id: Identifier,
    flags: SecurityFlags,
    key: Box<PresharedKey>,
) -> PskEntry {
    PskEntry {
        port,
        id,
        flags,
        key,
    }
}
