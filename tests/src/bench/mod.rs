//! Benchmark support for the hot path (issue 6): the workload, and the two references the
//! lookup is measured against.
//!
//! ```text
//!   Workload (random distinct FQDN / IPv4 ids, 32-byte keys, a group key)
//!      ├──► our Provider   (SetPresharedKeyForId buffers, or records loaded by Provider::start)
//!      ├──► floor::Floor   (an unsynchronised std HashMap, the table's own keyed SipHash-1-3)
//!      └──► scan::Scan     (a linked list walked whole per lookup, as strongSwan / libreswan do)
//!   Stream ──► batches of queries (pre-shuffled, each set walked in a fresh random order)
//! ```
//!
//! Used by `src/bin/hotpath.rs` and `benches/lookup.rs`. Unlike the conformance helpers in
//! `lib.rs`, which build WMI buffers by hand to check the layouts independently, this module
//! builds them with the core's own wire emitters: here the layout is not under test, the cost
//! of the call is.

pub mod floor;
pub mod plot;
pub mod scan;
pub mod stats;

use std::collections::HashSet;

use iscsisec_core::consts::{SECURITY_CONFIG_OPERATIONS_GUID, method};
use iscsisec_core::record::{MAX_RECORD_LEN, RecordName, RecordRef};
use iscsisec_core::store::MemoryStore;
use iscsisec_core::wire::status_out::STATUS_OUT_LEN;
use iscsisec_core::wire::{SetGroupPresharedKeyIn, SetPresharedKeyForIdIn, StatusOut};
use iscsisec_core::{
    AdapterConfig, IdType, Identifier, IsdscStatus, KeySource, NtStatus, PortSelector, Provider,
    SecurityFlags,
};
use iscsisec_host::platform::{ProcessPlatform, process_platform};

/// Bytes of every key in the workload.
pub const KEY_LEN: usize = 32;

/// Initiator ports of the benchmarked adapter.
pub const PORT_COUNT: u32 = 2;

/// One in this many entries is for all ports; the others are for one port each.
pub const ALL_PORTS_ONE_IN: usize = 4;

/// The provider the benchmarks drive: records in memory, epochs per thread.
pub type BenchProvider = Provider<MemoryStore, ProcessPlatform>;

/// An identifier as the workload holds it: its RFC 2407 type and normalised bytes (names are
/// generated in lower case, so these are exactly `Identifier::as_bytes`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawId {
    /// `IdType` raw value.
    pub ty: u8,
    /// The identifier's bytes.
    pub bytes: Box<[u8]>,
}

impl RawId {
    /// The parsed identifier.
    ///
    /// # Panics
    ///
    /// Never for a generated identifier (valid by construction).
    #[must_use]
    pub fn identifier(&self) -> Identifier {
        Identifier::parse(self.ty, &self.bytes).expect("generated identifiers are valid")
    }
}

/// One explicit key.
pub struct Entry {
    /// The port it is for, or all ports.
    pub port: PortSelector,
    /// Whose key it is.
    pub id: RawId,
    /// The key.
    pub key: [u8; KEY_LEN],
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("port", &self.port)
            .field("id", &self.id)
            .field("key", &"[secret elided]")
            .finish()
    }
}

/// Which path of the lookup a query takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// An explicit key for the identifier on the queried port.
    Hit,
    /// No key on the queried port; the identifier's key for all ports.
    AllPorts,
    /// No key for the identifier at all; the group key.
    Group,
}

impl Path {
    /// Every path, in report order.
    pub const ALL: [Path; 3] = [Path::Hit, Path::AllPorts, Path::Group];

    /// What the lookup answers on this path.
    #[must_use]
    pub fn source(self) -> KeySource {
        match self {
            Path::Hit => KeySource::Port,
            Path::AllPorts => KeySource::AllPorts,
            Path::Group => KeySource::Group,
        }
    }

    /// The name used in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Path::Hit => "hit",
            Path::AllPorts => "miss port, hit all-ports",
            Path::Group => "miss all, group key",
        }
    }
}

/// A query: what the IKE path hands the lookup.
pub struct Query {
    /// The port the negotiation runs on.
    pub port: PortSelector,
    /// The peer's identifier.
    pub id: Identifier,
    /// The key the lookup must give.
    pub expect: [u8; KEY_LEN],
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("port", &self.port)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// `n` explicit keys over distinct random identifiers, plus identifiers that have none.
pub struct Workload {
    /// The entries, in random order; one in [`ALL_PORTS_ONE_IN`] is for all ports.
    pub entries: Vec<Entry>,
    /// Identifiers with no explicit key (`n / 4` of them, at least 64).
    pub absent: Vec<RawId>,
    /// The group key.
    pub group_key: [u8; KEY_LEN],
}

impl std::fmt::Debug for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workload")
            .field("entries", &self.entries.len())
            .field("absent", &self.absent.len())
            .finish_non_exhaustive()
    }
}

/// Characters of generated host names.
const NAME_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A random identifier: an IPv4 address or an FQDN of 2 to 4 labels of 3 to 12 characters.
fn random_id(rng: &mut fastrand::Rng) -> RawId {
    if rng.bool() {
        RawId {
            ty: IdType::Ipv4Addr.raw(),
            bytes: rng.u32(..).to_be_bytes().into(),
        }
    } else {
        let mut name = Vec::with_capacity(64);
        for label in 0..rng.usize(2..=4) {
            if label > 0 {
                name.push(b'.');
            }
            for _ in 0..rng.usize(3..=12) {
                name.push(NAME_CHARS[rng.usize(..NAME_CHARS.len())]);
            }
        }
        RawId {
            ty: IdType::Fqdn.raw(),
            bytes: name.into(),
        }
    }
}

fn random_key(rng: &mut fastrand::Rng) -> [u8; KEY_LEN] {
    let mut key = [0; KEY_LEN];
    rng.fill(&mut key);
    key
}

impl Workload {
    /// Generates `n` entries over distinct identifiers, and identifiers without one.
    #[must_use]
    pub fn generate(n: usize, rng: &mut fastrand::Rng) -> Workload {
        let absent_count = (n / 4).max(64);
        let total = n + absent_count;
        let mut seen = HashSet::with_capacity(total);
        let mut ids = Vec::with_capacity(total);
        while ids.len() < total {
            let id = random_id(rng);
            if seen.insert(id.clone()) {
                ids.push(id);
            }
        }
        drop(seen);
        rng.shuffle(&mut ids);
        let absent = ids.split_off(n);
        let entries = ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| Entry {
                port: if i % ALL_PORTS_ONE_IN == ALL_PORTS_ONE_IN - 1 {
                    PortSelector::All
                } else {
                    PortSelector::Port(rng.u32(..PORT_COUNT))
                },
                id,
                key: random_key(rng),
            })
            .collect();
        Workload {
            entries,
            absent,
            group_key: random_key(rng),
        }
    }

    /// The adapter settings: room for exactly the entries.
    #[must_use]
    pub fn config(&self) -> AdapterConfig {
        AdapterConfig {
            port_count: PORT_COUNT,
            max_entries: self.entries.len(),
        }
    }

    /// Indices of the entries a query of `path` is drawn from (`Group`: of `absent`).
    #[must_use]
    pub fn population(&self, path: Path) -> Vec<u32> {
        let index = |i: usize| u32::try_from(i).expect("fewer than 2^32 entries");
        match path {
            Path::Hit => (0..self.entries.len())
                .filter(|&i| self.entries[i].port != PortSelector::All)
                .map(index)
                .collect(),
            Path::AllPorts => (0..self.entries.len())
                .filter(|&i| self.entries[i].port == PortSelector::All)
                .map(index)
                .collect(),
            Path::Group => (0..self.absent.len()).map(index).collect(),
        }
    }

    /// The query of `path` for member `i` of its population.
    #[must_use]
    pub fn query(&self, path: Path, i: u32, rng: &mut fastrand::Rng) -> Query {
        let i = i as usize;
        let any_port = PortSelector::Port(rng.u32(..PORT_COUNT));
        match path {
            Path::Hit => {
                let e = &self.entries[i];
                Query {
                    port: e.port,
                    id: e.id.identifier(),
                    expect: e.key,
                }
            }
            Path::AllPorts => {
                let e = &self.entries[i];
                Query {
                    port: any_port,
                    id: e.id.identifier(),
                    expect: e.key,
                }
            }
            Path::Group => Query {
                port: any_port,
                id: self.absent[i].identifier(),
                expect: self.group_key,
            },
        }
    }

    /// A provider over an empty [`MemoryStore`], filled through `execute_method`: one
    /// SetGroupPresharedKey and one SetPresharedKeyForId buffer per entry.
    ///
    /// # Panics
    ///
    /// If the provider does not start or refuses a call (the benchmark would be meaningless).
    #[must_use]
    pub fn provider_by_methods(&self) -> BenchProvider {
        let (mut provider, _) =
            Provider::start(MemoryStore::new(), self.config(), process_platform())
                .expect("provider starts");
        set_group_key(&mut provider, &self.group_key);
        for e in &self.entries {
            let mut buf = set_psk_buffer(e.port, &e.id, &e.key);
            execute_set_psk(&mut provider, &mut buf);
        }
        provider
    }

    /// Every record of the workload as the provider would store it: name from
    /// [`RecordRef::name`], bytes from [`RecordRef::encode`].
    #[must_use]
    pub fn records(&self) -> Vec<(RecordName, Vec<u8>)> {
        let mut out = Vec::with_capacity(self.entries.len() + 1);
        let mut buf = vec![0u8; MAX_RECORD_LEN];
        let mut push = |r: &RecordRef<'_>| {
            let len = r.encode(&mut buf).expect("a record fits MAX_RECORD_LEN");
            out.push((r.name(), buf[..len].to_vec()));
        };
        push(&RecordRef::GroupKey(&self.group_key));
        let flags = SecurityFlags::parse(0).expect("no flags is valid");
        for e in &self.entries {
            let id = e.id.identifier();
            push(&RecordRef::Psk {
                port: e.port,
                id: &id,
                flags,
                key: &e.key,
            });
        }
        out
    }

    /// A [`MemoryStore`] holding [`Workload::records`].
    #[must_use]
    pub fn memory_store(&self) -> MemoryStore {
        let mut store = MemoryStore::new();
        // The store keeps its records sorted by name: planting them in that order appends
        // each one instead of shifting the ones after it (1M unsorted plants take minutes).
        let mut records = self.records();
        records.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (name, bytes) in records {
            store
                .plant(name.as_str().as_bytes(), &bytes)
                .expect("memory for the workload's records");
        }
        store
    }
}

/// A SetPresharedKeyForId IN buffer (with room for the OUT) setting `key` for `(port, id)`.
///
/// # Panics
///
/// Never: the buffer is sized for the request.
#[must_use]
pub fn set_psk_buffer(port: PortSelector, id: &RawId, key: &[u8]) -> Vec<u8> {
    let req = SetPresharedKeyForIdIn {
        port_number: port.raw(),
        security_flags: 0,
        id_type: id.ty,
        id: &id.bytes,
        key,
    };
    let mut buf = vec![0u8; req.buffer_len().max(STATUS_OUT_LEN)];
    req.emit(&mut buf).expect("buffer sized for the request");
    buf
}

/// Runs a SetPresharedKeyForId call built by [`set_psk_buffer`].
///
/// # Panics
///
/// If the provider refuses it.
pub fn execute_set_psk(provider: &mut BenchProvider, buf: &mut [u8]) {
    let len = u32::try_from(buf.len()).expect("small buffer");
    let r = provider.execute_method(
        &SECURITY_CONFIG_OPERATIONS_GUID,
        method::SET_PRESHARED_KEY_FOR_ID,
        buf,
        len,
        len,
    );
    assert_eq!(
        r.status,
        NtStatus::SUCCESS,
        "SetPresharedKeyForId transport"
    );
    let out = StatusOut::parse(buf).expect("status OUT");
    assert_eq!(
        out.status,
        IsdscStatus::SUCCESS,
        "SetPresharedKeyForId status"
    );
}

/// Sets the group key through SetGroupPresharedKey.
///
/// # Panics
///
/// If the provider refuses it.
pub fn set_group_key(provider: &mut BenchProvider, key: &[u8]) {
    let req = SetGroupPresharedKeyIn { key };
    let mut buf = vec![0u8; req.buffer_len().max(STATUS_OUT_LEN)];
    req.emit(&mut buf).expect("buffer sized for the request");
    let len = u32::try_from(buf.len()).expect("small buffer");
    let r = provider.execute_method(
        &SECURITY_CONFIG_OPERATIONS_GUID,
        method::SET_GROUP_PRESHARED_KEY,
        &mut buf,
        len,
        len,
    );
    assert_eq!(
        r.status,
        NtStatus::SUCCESS,
        "SetGroupPresharedKey transport"
    );
    let out = StatusOut::parse(&buf).expect("status OUT");
    assert_eq!(
        out.status,
        IsdscStatus::SUCCESS,
        "SetGroupPresharedKey status"
    );
}

/// The queries of one path as one endless pre-shuffled sequence: each pass over the
/// population is a fresh random permutation, so no key is hot and none follows another.
#[derive(Debug)]
pub struct Stream {
    path: Path,
    order: Vec<u32>,
    at: usize,
    rng: fastrand::Rng,
}

impl Stream {
    /// A stream over `workload`'s population for `path`.
    ///
    /// # Panics
    ///
    /// If the population is empty.
    #[must_use]
    pub fn new(workload: &Workload, path: Path, seed: u64) -> Stream {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut order = workload.population(path);
        assert!(!order.is_empty(), "empty population for {path:?}");
        rng.shuffle(&mut order);
        Stream {
            path,
            order,
            at: 0,
            rng,
        }
    }

    /// The next `len` queries.
    pub fn batch(&mut self, workload: &Workload, len: usize) -> Vec<Query> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if self.at == self.order.len() {
                self.rng.shuffle(&mut self.order);
                self.at = 0;
            }
            let i = self.order[self.at];
            self.at += 1;
            out.push(workload.query(self.path, i, &mut self.rng));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::floor::{Floor, FloorScratch};
    use super::scan::Scan;
    use super::*;
    use iscsisec_core::KeyBuffer;

    /// The three implementations give the same answer for every query of every path, and the
    /// two ways of building our provider hold the same keys: the benchmark compares like with
    /// like.
    #[test]
    fn ours_floor_and_scan_agree_on_every_path() {
        let mut rng = fastrand::Rng::with_seed(7);
        let w = Workload::generate(600, &mut rng);
        assert_eq!(w.entries.len(), 600);
        let by_methods = w.provider_by_methods();
        let (from_records, report) =
            Provider::start(w.memory_store(), w.config(), process_platform()).expect("starts");
        assert_eq!((report.loaded, report.corrupt), (601, 0));
        let floor = Floor::build(&w, floor::SipBuild::random(&mut rng));
        let packed = floor::PackedFloor::build(&w, floor::SipBuild::random(&mut rng));
        let scan = Scan::build(&w);
        let (mut out, mut scratch) = (KeyBuffer::new(), FloorScratch::new());
        for path in Path::ALL {
            let population = w.population(path).len();
            assert!(population >= 64, "{path:?}: {population}");
            let mut stream = Stream::new(&w, path, 11);
            for q in stream.batch(&w, population * 2) {
                for p in [&by_methods, &from_records] {
                    assert_eq!(
                        p.reader().lookup(q.port, &q.id, &mut out),
                        Ok(path.source())
                    );
                    assert_eq!(out.expose_secret(), q.expect);
                    assert_eq!(p.lookup(q.port, &q.id, &mut out), Ok(path.source()));
                    assert_eq!(out.expose_secret(), q.expect);
                }
                assert_eq!(
                    floor.lookup(q.port, &q.id, &mut scratch),
                    Some(path.source())
                );
                assert_eq!(scratch.key(), q.expect);
                assert_eq!(
                    packed.lookup(q.port, &q.id, &mut scratch),
                    Some(path.source())
                );
                assert_eq!(scratch.key(), q.expect);
                assert_eq!(
                    scan.lookup(q.port, &q.id, &mut scratch),
                    Some(path.source())
                );
                assert_eq!(scratch.key(), q.expect);
            }
        }
    }

    #[test]
    fn generated_identifiers_are_distinct_and_mixed() {
        let mut rng = fastrand::Rng::with_seed(3);
        let w = Workload::generate(2000, &mut rng);
        let all: HashSet<_> = w
            .entries
            .iter()
            .map(|e| &e.id)
            .chain(w.absent.iter())
            .collect();
        assert_eq!(all.len(), 2000 + 500);
        let v4 = all
            .iter()
            .filter(|id| id.ty == IdType::Ipv4Addr.raw())
            .count();
        assert!((1000..1500).contains(&v4), "{v4} IPv4 of 2500");
    }
}
