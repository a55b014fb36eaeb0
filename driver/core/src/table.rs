//! The table: explicit keys, the group key and the CHAP secret where readers reach them
//! without locks; tunnel mappings, the GUID and damage bookkeeping beside them for the writer.
//!
//! ```text
//!   provider (writer, &mut) ──► table (this file) ──► reclaim::map (buckets of nodes)
//!   lookup::Reader ───────────► table::resolve ─────┘   (read sections, no locks)
//! ```
//!
//! An explicit key is one node: its identifier's used bytes and its key bytes inline, so a hit
//! costs the bucket and the node. The hash covers the identifier but not the port, so the
//! entries of one identifier on every port (and its damage markers) share one short chain and
//! the "this port, then all ports" precedence is a single walk. The hash is SipHash-1-3 keyed
//! per start from the platform's random source: a peer chooses the identifiers it sends (in
//! the clear, in aggressive mode) but cannot aim them at one chain. The buckets are sized at
//! start for the most entries the table can ever hold (the adapter's maximum, or more if more
//! were loaded), so no update copies the table.
//!
//! Damage (SPEC §6): a record whose content names its identity marks that identity with a
//! damage node in the same chain; a record whose identity is unknown (it does not decode) is
//! remembered by its name, and while any such name exists a lookup also compares the record
//! names of the levels it tries (a SHA-256 each) against them. Only a damaged store pays that.

use alloc::string::String;
use alloc::vec::Vec;
use core::hash::Hasher;

use siphasher::sip::SipHasher13;

use crate::domain::{Destination, IdType, Identifier, OuterAddress, PortSelector, SecurityFlags};
use crate::platform::Platform;
use crate::reclaim::OutOfMemory;
use crate::reclaim::map::{Chain, View, WriteHandle};
use crate::reclaim::node::{KIND_DAMAGED, KIND_KEY, KIND_VALUE, NewNode, NodeRef, NodeSpec};
use crate::record::RecordName;

/// Slot of the group key.
const SLOT_GROUP_KEY: usize = 0;
/// Slot of the initiator CHAP secret.
const SLOT_CHAP_SECRET: usize = 1;
/// Slot of the names of damaged explicit-key records whose identity is unknown.
const SLOT_DAMAGED_NAMES: usize = 2;

/// Length of an explicit-key record name (`psk-` and 32 hex digits).
const PSK_NAME_LEN: usize = 36;

/// An explicit preshared key, as the writer sees it.
#[derive(Clone, Copy)]
pub struct PskEntry<'a> {
    /// The port it applies to, or all ports.
    pub port: PortSelector,
    /// The initiator identifier it is tied to, normalised.
    pub id: Identifier,
    /// The security flags stored with it.
    pub flags: SecurityFlags,
    node: NodeRef<'a>,
}

impl<'a> PskEntry<'a> {
    /// The key bytes. Secret: never log or print them.
    #[must_use]
    pub fn expose_secret(&self) -> &'a [u8] {
        self.node.value()
    }
}

impl core::fmt::Debug for PskEntry<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskEntry")
            .field("port", &self.port)
            .field("id", &self.id)
            .field("flags", &self.flags)
            .field("key", &"[secret elided]")
            .finish()
    }
}

/// A secret in the table (the group key or the CHAP secret), as the writer sees it.
#[derive(Clone, Copy)]
pub struct SecretEntry<'a>(NodeRef<'a>);

impl<'a> SecretEntry<'a> {
    /// The secret bytes. Never log or print them.
    #[must_use]
    pub fn expose_secret(&self) -> &'a [u8] {
        self.0.value()
    }

    /// Number of secret bytes (not secret itself: `show` reports it).
    #[must_use]
    #[expect(
        clippy::len_without_is_empty,
        reason = "a stored secret holds 1 to 256 bytes: `is_empty` would always be false"
    )]
    pub fn len(&self) -> usize {
        self.0.value().len()
    }
}

impl core::fmt::Debug for SecretEntry<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[secret elided]")
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
    /// The stored record of the first level without an entry is damaged.
    Damaged,
}

/// The explicit entry a lookup uses, found inside a read section or by the writer.
pub(crate) struct Explicit<'g> {
    pub(crate) node: NodeRef<'g>,
    pub(crate) all_ports: bool,
}

/// Everything the provider holds in working memory. Only the provider (the single writer)
/// has one; readers reach the shared part through [`crate::Reader`].
pub struct Table<P: Platform> {
    map: WriteHandle<P>,
    psk_count: usize,
    tunnels: Vec<TunnelEntry>,
    generational_guid: [u8; 16],
    /// Names of stored records that failed their check and are still stored.
    corrupt: Vec<String>,
    /// The explicit-key names among `corrupt` whose identity is unknown, sorted (published
    /// to readers in [`SLOT_DAMAGED_NAMES`]).
    damaged_names: Vec<[u8; PSK_NAME_LEN]>,
}

impl<P: Platform> core::fmt::Debug for Table<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Table")
            .field("psk_count", &self.psk_count)
            .field("tunnels", &self.tunnels.len())
            .field("corrupt", &self.corrupt.len())
            .finish_non_exhaustive()
    }
}

impl<P: Platform> Table<P> {
    /// An empty table with buckets for `capacity` explicit keys, hashing with `hash_key`.
    pub(crate) fn new(
        platform: P,
        capacity: usize,
        hash_key: [u64; 2],
    ) -> Result<Table<P>, OutOfMemory> {
        Ok(Table {
            map: WriteHandle::new(platform, capacity, hash_key)?,
            psk_count: 0,
            tunnels: Vec::new(),
            generational_guid: [0; 16],
            corrupt: Vec::new(),
            damaged_names: Vec::new(),
        })
    }

    pub(crate) fn map(&self) -> &WriteHandle<P> {
        &self.map
    }

    /// Explicit keys, in no particular order.
    pub fn psk_entries(&self) -> impl Iterator<Item = PskEntry<'_>> {
        self.map.nodes().filter_map(psk_entry)
    }

    /// Number of explicit keys.
    #[must_use]
    pub fn psk_count(&self) -> usize {
        self.psk_count
    }

    /// The explicit entry stored for exactly `(port, id)`.
    #[must_use]
    pub fn psk(&self, port: PortSelector, id: &Identifier) -> Option<PskEntry<'_>> {
        let hash = id_hash(self.map.hash_key(), id);
        self.map
            .chain(hash)
            .find(|n| n.kind() == KIND_KEY && n.port() == port.raw() && same_id(*n, hash, id))
            .and_then(psk_entry)
    }

    /// The explicit entry a lookup on `port` uses (SPEC §4 method 2, §5 steps 1–2): this
    /// port's, then the all-ports one. The group key does not count.
    ///
    /// # Errors
    ///
    /// [`ExplicitMiss::Absent`], or [`ExplicitMiss::Damaged`] when the first level without an
    /// entry has a damaged record.
    pub fn explicit(
        &self,
        port: PortSelector,
        id: &Identifier,
    ) -> Result<PskEntry<'_>, ExplicitMiss> {
        let hash = id_hash(self.map.hash_key(), id);
        let names = self.map.slot(SLOT_DAMAGED_NAMES);
        resolve(self.map.chain(hash), hash, names, port, id)
            .and_then(|e| psk_entry(e.node).ok_or(ExplicitMiss::Absent))
    }

    /// The group key, if set.
    #[must_use]
    pub fn group_key(&self) -> Option<SecretEntry<'_>> {
        self.map.slot(SLOT_GROUP_KEY).map(SecretEntry)
    }

    /// The initiator CHAP secret, if set.
    #[must_use]
    pub fn chap_secret(&self) -> Option<SecretEntry<'_>> {
        self.map.slot(SLOT_CHAP_SECRET).map(SecretEntry)
    }

    /// Tunnel mappings, sorted by port and destination.
    #[must_use]
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

    /// The generational GUID as WMI carried it (all zeros when never set).
    #[must_use]
    pub fn generational_guid(&self) -> [u8; 16] {
        self.generational_guid
    }

    /// Names of stored records that failed their check at load and are still stored.
    pub fn corrupt_records(&self) -> impl ExactSizeIterator<Item = &str> {
        self.corrupt.iter().map(String::as_str)
    }

    // ----- mutation, for the provider and the loader -----

    /// Builds everything a change of the explicit key of `(port, id)` needs (the new node, the
    /// shorter list of damaged names if the identity's own name is on it), so that
    /// [`Table::apply_psk`] cannot fail after the record is written. `key` `None` removes.
    pub(crate) fn prepare_psk(
        &self,
        port: PortSelector,
        id: &Identifier,
        key: Option<(SecurityFlags, &[u8])>,
    ) -> Result<PreparedPsk, OutOfMemory> {
        let node = match key {
            Some((flags, key)) => Some(self.node(KIND_KEY, port, id, flags.bits(), key)?),
            None => None,
        };
        let name = RecordName::psk(port, id);
        let names =
            match psk_name(name.as_str()).and_then(|n| self.damaged_names.binary_search(&n).ok()) {
                Some(index) => Some((index, self.names_node_without(index)?)),
                None => None,
            };
        Ok(PreparedPsk {
            port,
            id: *id,
            node,
            names,
        })
    }

    /// Publishes a prepared change: the key is replaced, inserted or removed, and any damage
    /// recorded for the identity ends. A replaced key is wiped after a grace period.
    pub(crate) fn apply_psk(&mut self, change: PreparedPsk) {
        let PreparedPsk {
            port,
            id,
            node,
            names,
        } = change;
        let hash = id_hash(self.map.hash_key(), &id);
        let (raw_port, raw_type) = (port.raw(), id.id_type().raw());
        match node {
            Some(node) => {
                if !self.map.upsert(node) {
                    self.psk_count = self.psk_count.saturating_add(1);
                }
            }
            None => {
                if self
                    .map
                    .remove(KIND_KEY, hash, raw_port, raw_type, id.as_bytes())
                {
                    self.psk_count = self.psk_count.saturating_sub(1);
                }
            }
        }
        self.map
            .remove(KIND_DAMAGED, hash, raw_port, raw_type, id.as_bytes());
        let name = RecordName::psk(port, &id);
        self.corrupt.retain(|n| n != name.as_str());
        if let Some((index, node)) = names {
            if index < self.damaged_names.len() {
                self.damaged_names.remove(index);
            }
            self.map.set_slot(SLOT_DAMAGED_NAMES, node);
        }
    }

    /// The first explicit key in bucket `from` or after, with its bucket, for walking the
    /// table while changing it.
    pub(crate) fn next_psk(&self, from: usize) -> Option<(usize, PortSelector, Identifier)> {
        self.map
            .nodes_from(from)
            .find_map(|(bucket, n)| psk_entry(n).map(|e| (bucket, e.port, e.id)))
    }

    /// Removes every damage marker (after one grace period).
    pub(crate) fn clear_damage_markers(&mut self) {
        self.map.remove_kind(KIND_DAMAGED);
    }

    /// Builds the node for a new group key or CHAP secret (`None` clears).
    #[expect(
        clippy::unused_self,
        reason = "beside the other prepare_* methods: the provider prepares every change \
                  through the table it applies it to"
    )]
    pub(crate) fn prepare_value(
        &self,
        value: Option<&[u8]>,
    ) -> Result<Option<NewNode>, OutOfMemory> {
        value.map(value_node).transpose()
    }

    /// Publishes a prepared group key (the old one is wiped after a grace period).
    pub(crate) fn apply_group_key(&mut self, node: Option<NewNode>) {
        self.map.set_slot(SLOT_GROUP_KEY, node);
        self.forget_corrupt(RecordName::GROUP_KEY.as_str());
    }

    /// Publishes a prepared CHAP secret (the old one is wiped after a grace period).
    pub(crate) fn apply_chap_secret(&mut self, node: Option<NewNode>) {
        self.map.set_slot(SLOT_CHAP_SECRET, node);
        self.forget_corrupt(RecordName::CHAP_SECRET.as_str());
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

    /// Inserts or replaces a mapping. Does not allocate after [`Table::reserve_tunnel`].
    #[expect(
        clippy::large_types_passed_by_value,
        reason = "the entry moves into the table; a reference would be copied from all the same"
    )]
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

    /// Appends a loaded mapping without keeping order; [`Table::finish_load`] sorts.
    #[expect(
        clippy::large_types_passed_by_value,
        reason = "the entry moves into the table; a reference would be copied from all the same"
    )]
    pub(crate) fn push_loaded_tunnel(&mut self, entry: TunnelEntry) -> Result<(), OutOfMemory> {
        self.tunnels.try_reserve(1).map_err(|_| OutOfMemory)?;
        self.tunnels.push(entry);
        Ok(())
    }

    /// Restores the tunnel order after loading.
    pub(crate) fn finish_load(&mut self) {
        self.tunnels
            .sort_unstable_by(|a, b| (a.port, &a.destination).cmp(&(b.port, &b.destination)));
    }

    /// Records a stored record that failed its check, under the name it was found at, and,
    /// when its content named an explicit key's identity, that identity.
    pub(crate) fn add_corrupt(
        &mut self,
        name: &str,
        identity: Option<(PortSelector, &Identifier)>,
    ) -> Result<(), OutOfMemory> {
        if let Some((port, id)) = identity {
            let marker = self.node(KIND_DAMAGED, port, id, 0, &[])?;
            self.map.upsert(marker);
        }
        if self.corrupt.iter().any(|n| n == name) {
            return Ok(());
        }
        let mut owned = String::new();
        owned
            .try_reserve_exact(name.len())
            .map_err(|_| OutOfMemory)?;
        owned.push_str(name);
        self.corrupt.try_reserve(1).map_err(|_| OutOfMemory)?;
        if let Some(psk_name) = psk_name(name)
            && let Err(i) = self.damaged_names.binary_search(&psk_name)
        {
            self.damaged_names.try_reserve(1).map_err(|_| OutOfMemory)?;
            self.damaged_names.insert(i, psk_name);
            let node = self.names_node_without(usize::MAX)?;
            self.map.set_slot(SLOT_DAMAGED_NAMES, node);
        }
        self.corrupt.push(owned);
        Ok(())
    }

    /// Forgets a corrupt record of another kind than an explicit key (those end through
    /// [`Table::apply_psk`] or [`Table::pop_corrupt`]) that has been overwritten or removed.
    pub(crate) fn forget_corrupt(&mut self, name: &str) {
        self.corrupt.retain(|n| n != name);
    }

    pub(crate) fn last_corrupt(&self) -> Option<&str> {
        self.corrupt.last().map(String::as_str)
    }

    /// Forgets the last corrupt record (`ClearCache` removed it from storage). The list of
    /// damaged names readers see is shortened too; if memory for the shorter list runs out,
    /// readers keep the longer one, which only refuses more (never serves a wrong key) until
    /// the next change.
    pub(crate) fn pop_corrupt(&mut self) {
        let Some(name) = self.corrupt.pop() else {
            return;
        };
        let Some(index) = psk_name(&name).and_then(|n| self.damaged_names.binary_search(&n).ok())
        else {
            return;
        };
        if let Ok(node) = self.names_node_without(index) {
            self.damaged_names.remove(index);
            self.map.set_slot(SLOT_DAMAGED_NAMES, node);
        }
    }

    /// Builds a node for `(port, id)`.
    fn node(
        &self,
        kind: u8,
        port: PortSelector,
        id: &Identifier,
        flags: u64,
        value: &[u8],
    ) -> Result<NewNode, OutOfMemory> {
        NewNode::try_new(&NodeSpec {
            kind,
            hash: id_hash(self.map.hash_key(), id),
            port: port.raw(),
            flags,
            id_type: id.id_type().raw(),
            id: id.as_bytes(),
            value,
        })
    }

    /// The published list of damaged names without entry `skip` (`None` when it would be
    /// empty).
    fn names_node_without(&self, skip: usize) -> Result<Option<NewNode>, OutOfMemory> {
        let mut flat = Vec::new();
        flat.try_reserve_exact(self.damaged_names.len().saturating_mul(PSK_NAME_LEN))
            .map_err(|_| OutOfMemory)?;
        for (i, n) in self.damaged_names.iter().enumerate() {
            if i != skip {
                flat.extend_from_slice(n);
            }
        }
        if flat.is_empty() {
            return Ok(None);
        }
        value_node(&flat).map(Some)
    }

    fn tunnel_index(&self, port: PortSelector, d: &Destination) -> Result<usize, usize> {
        self.tunnels
            .binary_search_by(|e| (e.port, &e.destination).cmp(&(port, d)))
    }
}

/// A change of an explicit key, built before its record is written.
pub(crate) struct PreparedPsk {
    port: PortSelector,
    id: Identifier,
    node: Option<NewNode>,
    /// The index of the identity's own name in the damaged names, and the list without it.
    names: Option<(usize, Option<NewNode>)>,
}

/// A node holding a value of a single-node slot.
fn value_node(value: &[u8]) -> Result<NewNode, OutOfMemory> {
    NewNode::try_new(&NodeSpec {
        kind: KIND_VALUE,
        hash: 0,
        port: 0,
        flags: 0,
        id_type: 0,
        id: &[],
        value,
    })
}

/// The hash of an identifier (its type and normalised bytes; not the port).
pub(crate) fn id_hash(key: [u64; 2], id: &Identifier) -> u64 {
    let [k0, k1] = key;
    let mut h = SipHasher13::new_with_keys(k0, k1);
    h.write_u8(id.id_type().raw());
    h.write(id.as_bytes());
    h.finish()
}

/// Whether `n` is a node of identifier `id` (with hash `hash`).
fn same_id(n: NodeRef<'_>, hash: u64, id: &Identifier) -> bool {
    n.hash() == hash && n.id_type() == id.id_type().raw() && n.id() == id.as_bytes()
}

/// SPEC §5 steps 1–2 over one chain: the explicit key of `port`, then of all ports; a damage
/// marker or a damaged record name at a level without a key stops the search.
pub(crate) fn resolve<'g>(
    chain: Chain<'g>,
    hash: u64,
    damaged_names: Option<NodeRef<'g>>,
    port: PortSelector,
    id: &Identifier,
) -> Result<Explicit<'g>, ExplicitMiss> {
    let mut key = [None, None];
    let mut damaged = [false, false];
    let levels = [port.raw(), PortSelector::All.raw()];
    for n in chain {
        if !same_id(n, hash, id) {
            continue;
        }
        let Some(level) = levels.iter().position(|&p| p == n.port()) else {
            continue;
        };
        match (n.kind(), key.get_mut(level), damaged.get_mut(level)) {
            (KIND_KEY, Some(k), _) => *k = Some(n),
            (KIND_DAMAGED, _, Some(d)) => *d = true,
            _ => {}
        }
        if level == 0 && matches!(key, [Some(_), _]) {
            break;
        }
    }
    let selectors = [port, PortSelector::All];
    let tried = if port == PortSelector::All { 1 } else { 2 };
    for level in 0..tried {
        let (Some(k), Some(&d), Some(&sel)) = (
            key.get(level).copied(),
            damaged.get(level),
            selectors.get(level),
        ) else {
            break;
        };
        if let Some(node) = k {
            return Ok(Explicit {
                node,
                all_ports: sel == PortSelector::All,
            });
        }
        if d || names_hold(damaged_names, sel, id) {
            return Err(ExplicitMiss::Damaged);
        }
    }
    Err(ExplicitMiss::Absent)
}

/// Whether the record name of `(port, id)` is among the published damaged names.
fn names_hold(names: Option<NodeRef<'_>>, port: PortSelector, id: &Identifier) -> bool {
    let Some(names) = names else {
        return false;
    };
    let Some(wanted) = psk_name(RecordName::psk(port, id).as_str()) else {
        return false;
    };
    let (list, _) = names.value().as_chunks::<PSK_NAME_LEN>();
    list.binary_search(&wanted).is_ok()
}

/// The explicit-key record name `name`, if it is one.
fn psk_name(name: &str) -> Option<[u8; PSK_NAME_LEN]> {
    let bytes: [u8; PSK_NAME_LEN] = name.as_bytes().try_into().ok()?;
    bytes.starts_with(b"psk-").then_some(bytes)
}

/// The explicit key a node holds, for the writer's views.
fn psk_entry(n: NodeRef<'_>) -> Option<PskEntry<'_>> {
    if n.kind() != KIND_KEY {
        return None;
    }
    let id_type = IdType::from_raw(n.id_type())?;
    let id = Identifier::parse(id_type.raw(), n.id()).ok()?;
    let port = match n.port() {
        crate::consts::ALL_PORTS => PortSelector::All,
        p => PortSelector::Port(p),
    };
    let flags = SecurityFlags::parse(n.flags()).ok()?;
    Some(PskEntry {
        port,
        id,
        flags,
        node: n,
    })
}

/// What a reader's view needs to resolve a lookup.
pub(crate) fn view_resolve<'g>(
    view: &View<'g>,
    port: PortSelector,
    id: &Identifier,
) -> Result<Explicit<'g>, ExplicitMiss> {
    let hash = id_hash(view.hash_key(), id);
    resolve(
        view.chain(hash),
        hash,
        view.slot(SLOT_DAMAGED_NAMES),
        port,
        id,
    )
}

/// The group key node in a reader's view.
pub(crate) fn view_group_key<'g>(view: &View<'g>) -> Option<NodeRef<'g>> {
    view.slot(SLOT_GROUP_KEY)
}

/// The CHAP secret node in a reader's view.
pub(crate) fn view_chap_secret<'g>(view: &View<'g>) -> Option<NodeRef<'g>> {
    view.slot(SLOT_CHAP_SECRET)
}
