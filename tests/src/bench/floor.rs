//! The floor: what a lookup costs with no concurrency at all. An unsynchronised
//! `std::collections::HashMap<(port, compact identifier), key bytes>` hashed with the table's
//! own hasher (SipHash-1-3 with a random key), answering in the same precedence.
//!
//! ```text
//!   query (port, Identifier) ──► scratch: [port LE ×4][type][id bytes] ──► HashMap::get
//!        miss on a port ──► rewrite the 4 port bytes to all-ports ──► HashMap::get (2nd probe)
//!        miss on both   ──► the group key
//!   hit ──► key bytes copied into a KeyBuffer-sized buffer (stale tail wiped, as ours does)
//! ```
//!
//! std's `HashMap` can only be queried through `Borrow`, so the (port, identifier) pair is
//! stored as one compact byte string (the identifier's used bytes only, not 257) and a query
//! is laid out the same way in a caller-owned scratch buffer, reused across lookups, so the
//! floor neither allocates nor zeroes per lookup. [`Floor`] keeps the key bytes in their own
//! allocation (two allocations per entry: the map's natural shape); [`PackedFloor`] keeps the
//! identity and the key in one (as our nodes do), which saves a cache miss on large tables.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

use iscsisec_core::domain::MAX_NAME_ID_LEN;
use iscsisec_core::secret::MAX_PRESHARED_KEY_LEN;
use iscsisec_core::{Identifier, KeySource, PortSelector};
use siphasher::sip::SipHasher13;

use super::Workload;

/// Port, type and the longest identifier.
const QUERY_MAX: usize = 4 + 1 + MAX_NAME_ID_LEN;

/// The table's hash function (SipHash-1-3) under a random key, as a `BuildHasher`.
#[derive(Debug, Clone, Copy)]
pub struct SipBuild {
    k0: u64,
    k1: u64,
}

impl SipBuild {
    /// A randomly keyed hasher.
    #[must_use]
    pub fn random(rng: &mut fastrand::Rng) -> SipBuild {
        SipBuild {
            k0: rng.u64(..),
            k1: rng.u64(..),
        }
    }
}

impl BuildHasher for SipBuild {
    type Hasher = SipHasher13;

    fn build_hasher(&self) -> SipHasher13 {
        SipHasher13::new_with_keys(self.k0, self.k1)
    }
}

/// What a floor lookup writes: the query scratch and a `KeyBuffer`-sized key buffer. Owned by
/// the caller and reused, as a `KeyBuffer` is.
pub struct FloorScratch {
    query: [u8; QUERY_MAX],
    len: usize,
    key: [u8; MAX_PRESHARED_KEY_LEN],
}

impl std::fmt::Debug for FloorScratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[secret elided]")
    }
}

impl Default for FloorScratch {
    fn default() -> FloorScratch {
        FloorScratch::new()
    }
}

impl FloorScratch {
    /// Empty buffers.
    #[must_use]
    pub fn new() -> FloorScratch {
        FloorScratch {
            query: [0; QUERY_MAX],
            len: 0,
            key: [0; MAX_PRESHARED_KEY_LEN],
        }
    }

    /// The key of the last hit.
    #[must_use]
    pub fn key(&self) -> &[u8] {
        &self.key[..self.len]
    }

    /// Copies `src` in and clears what the previous key left beyond it (what
    /// `SecretBuffer::fill` does).
    #[inline]
    pub(crate) fn fill(&mut self, src: &[u8]) {
        self.key[..src.len()].copy_from_slice(src);
        if src.len() < self.len {
            self.key[src.len()..self.len].fill(0);
        }
        self.len = src.len();
    }

    /// Wipes the held key.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.key[..self.len].fill(0);
        self.len = 0;
    }

    /// Lays out `(port, id)` in the scratch and returns its length.
    #[inline]
    fn set_query(&mut self, port: PortSelector, id: &Identifier) -> usize {
        let bytes = id.as_bytes();
        self.query[..4].copy_from_slice(&port.raw().to_le_bytes());
        self.query[4] = id.id_type().raw();
        self.query[5..5 + bytes.len()].copy_from_slice(bytes);
        5 + bytes.len()
    }

    /// Points the laid-out query at all ports.
    #[inline]
    fn set_all_ports(&mut self) {
        self.query[..4].copy_from_slice(&PortSelector::All.raw().to_le_bytes());
    }
}

/// The compact (port, identifier) byte string of an entry.
fn identity(port: PortSelector, ty: u8, id: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(5 + id.len());
    v.extend_from_slice(&port.raw().to_le_bytes());
    v.push(ty);
    v.extend_from_slice(id);
    v
}

/// SPEC §5 precedence over any exact-match map: this port, all ports (a second probe), the
/// group key.
#[inline]
fn resolve<'m>(
    get: impl Fn(&[u8]) -> Option<&'m [u8]>,
    group: &[u8],
    port: PortSelector,
    id: &Identifier,
    out: &mut FloorScratch,
) -> Option<KeySource> {
    let len = out.set_query(port, id);
    if let Some(key) = get(&out.query[..len]) {
        out.fill(key);
        return Some(if port == PortSelector::All {
            KeySource::AllPorts
        } else {
            KeySource::Port
        });
    }
    if port != PortSelector::All {
        out.set_all_ports();
        if let Some(key) = get(&out.query[..len]) {
            out.fill(key);
            return Some(KeySource::AllPorts);
        }
    }
    if group.is_empty() {
        out.clear();
        return None;
    }
    out.fill(group);
    Some(KeySource::Group)
}

/// `HashMap<(port, compact identifier), key bytes>`: one allocation for the identity, one for
/// the key.
#[derive(Clone)]
pub struct Floor {
    map: HashMap<Box<[u8]>, Box<[u8]>, SipBuild>,
    group: Box<[u8]>,
}

impl std::fmt::Debug for Floor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Floor")
            .field("entries", &self.map.len())
            .finish_non_exhaustive()
    }
}

impl Floor {
    /// The workload's entries and group key.
    #[must_use]
    pub fn build(w: &Workload, hasher: SipBuild) -> Floor {
        let mut map = HashMap::with_capacity_and_hasher(w.entries.len(), hasher);
        for e in &w.entries {
            map.insert(
                identity(e.port, e.id.ty, &e.id.bytes).into_boxed_slice(),
                Box::<[u8]>::from(&e.key[..]),
            );
        }
        Floor {
            map,
            group: w.group_key.into(),
        }
    }

    /// The key for `(port, id)` in SPEC §5 precedence, copied into `out`.
    #[inline]
    pub fn lookup(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut FloorScratch,
    ) -> Option<KeySource> {
        resolve(
            |q| self.map.get(q).map(|k| &**k),
            &self.group,
            port,
            id,
            out,
        )
    }
}

/// An entry in one allocation: identity then key, with the identity's length.
#[derive(Clone)]
struct Packed {
    bytes: Box<[u8]>,
    identity_len: usize,
}

impl Packed {
    fn identity(&self) -> &[u8] {
        &self.bytes[..self.identity_len]
    }
}

impl Borrow<[u8]> for Packed {
    fn borrow(&self) -> &[u8] {
        self.identity()
    }
}

impl Hash for Packed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As the borrowed form hashes, so that `get(&[u8])` finds it.
        self.identity().hash(state);
    }
}

impl PartialEq for Packed {
    fn eq(&self, other: &Packed) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for Packed {}

/// The same map with each entry in one allocation (identity then key), like our nodes.
#[derive(Clone)]
pub struct PackedFloor {
    set: HashSet<Packed, SipBuild>,
    group: Box<[u8]>,
}

impl std::fmt::Debug for PackedFloor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackedFloor")
            .field("entries", &self.set.len())
            .finish_non_exhaustive()
    }
}

impl PackedFloor {
    /// The workload's entries and group key.
    #[must_use]
    pub fn build(w: &Workload, hasher: SipBuild) -> PackedFloor {
        let mut set = HashSet::with_capacity_and_hasher(w.entries.len(), hasher);
        for e in &w.entries {
            let mut bytes = identity(e.port, e.id.ty, &e.id.bytes);
            let identity_len = bytes.len();
            bytes.extend_from_slice(&e.key);
            set.insert(Packed {
                bytes: bytes.into_boxed_slice(),
                identity_len,
            });
        }
        PackedFloor {
            set,
            group: w.group_key.into(),
        }
    }

    /// The key for `(port, id)` in SPEC §5 precedence, copied into `out`.
    #[inline]
    pub fn lookup(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut FloorScratch,
    ) -> Option<KeySource> {
        resolve(
            |q| self.set.get(q).map(|p| &p.bytes[p.identity_len..]),
            &self.group,
            port,
            id,
            out,
        )
    }
}
