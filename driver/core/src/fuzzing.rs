//! Entry points for the `fuzz/` targets (feature `fuzzing`, and unit tests). Not part of the
//! API and never built into the driver.

#![allow(
    clippy::panic,
    reason = "a fuzz oracle reports a finding by panicking; never built into the driver"
)]

use alloc::vec::Vec;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};
use crate::guid::Guid;
use crate::platform::{Platform, RandomError};
use crate::provider::{AdapterConfig, Provider};
use crate::reclaim::{EpochDomain, EpochPlatform, ReaderSlot, Threads};
use crate::record::{MAX_RECORD_LEN, Record, RecordRef};
use crate::status::{IsdscStatus, NtStatus};
use crate::store::MemoryStore;
use crate::table::Table;
use crate::testing::{FaultStore, Scenario};

/// The platform of tests and fuzzing: no reader slots (every reader shares the domain's
/// counter) and fixed "random" bytes, so runs repeat exactly. Never for a real host.
#[derive(Debug, Default)]
pub struct FixedThreads;

impl Threads for FixedThreads {
    fn with_slot<R>(&self, _: &EpochDomain, f: impl FnOnce(Option<&mut ReaderSlot>) -> R) -> R {
        f(None)
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::try_from(i % 251).unwrap_or(0) ^ 0x5a;
        }
        Ok(())
    }
}

/// The test platform type.
pub type TestPlatform = EpochPlatform<FixedThreads>;

/// A fresh test platform on the process-wide test domain.
#[must_use]
pub fn test_platform() -> TestPlatform {
    static DOMAIN: spin::Once<EpochDomain> = spin::Once::new();
    let domain = DOMAIN.call_once(|| match EpochDomain::new(0) {
        Ok(d) => d,
        Err(_) => panic!("no memory for an empty domain"),
    });
    EpochPlatform::new(domain, FixedThreads)
}
use crate::wire::{GetPresharedKeyForIdOut, StatusOut};

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

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8().unwrap_or(0), self.u8().unwrap_or(0)])
    }
}

/// Runs the method calls encoded in `data` against a provider over a memory store and checks,
/// after every call:
/// - a successful call used exactly the OUT size; a failed one wrote nothing it reported;
/// - an error (NTSTATUS or ISDSC) changed nothing in memory;
/// - a provider restarted from the store holds exactly what the live one holds.
///
/// Each call is `op, method, in_size: u16, out_size: u16, len: u16, len bytes`; bits of `op`
/// pick the class, make the store fail, and turn the sizes into `u32::MAX`.
///
/// # Panics
///
/// When a check fails: that is the finding.
pub fn execute_methods(data: &[u8]) {
    let config = AdapterConfig {
        port_count: 2,
        max_entries: 8,
    };
    let (store, handle) = FaultStore::new(MemoryStore::new());
    let Ok((mut provider, _)) = Provider::start(store, config, test_platform()) else {
        return;
    };
    let mut input = Input(data);
    for _ in 0..64 {
        let Some(op) = input.u8() else { break };
        let class = match op & 0x3 {
            0 | 2 => SECURITY_CONFIG_OPERATIONS_GUID,
            1 => OPERATIONS_GUID,
            _ => Guid::NULL,
        };
        let method = match input.u8().unwrap_or(0) {
            m @ 0..=6 => u32::from(m),
            7 => 71,
            m => u32::from(m).wrapping_mul(0x0101_0101),
        };
        let in_size = if op & 0x40 != 0 {
            u32::MAX
        } else {
            u32::from(input.u16())
        };
        let out_size = if op & 0x20 != 0 {
            u32::MAX
        } else {
            u32::from(input.u16())
        };
        let len = usize::from(input.u16() % 2048);
        let mut buffer = alloc::vec![0u8; len];
        for b in &mut buffer {
            *b = input.u8().unwrap_or(0);
        }
        if op & 0x80 != 0 {
            handle.set(Scenario::Failing);
        }
        let before = fingerprint(provider.table());
        let result = provider.execute_method(&class, method, &mut buffer, in_size, out_size);
        handle.set(Scenario::Healthy);
        let after = fingerprint(provider.table());

        let refused = if result.status == NtStatus::SUCCESS {
            let used = usize::try_from(result.used).unwrap_or(usize::MAX);
            assert!(used == 4 || used == 16, "used {used}");
            assert!(used <= buffer.len());
            let status = if used == 16 {
                GetPresharedKeyForIdOut::parse(&buffer).map(|o| o.status)
            } else {
                StatusOut::parse(&buffer).map(|o| o.status)
            };
            status.map_or(true, IsdscStatus::is_error)
        } else {
            true
        };
        if refused {
            assert_eq!(
                before, after,
                "a refused call changed the table: {result:?}"
            );
        }
        let restarted = Provider::start(handle.durable(), config, test_platform());
        let Ok((restarted, _)) = restarted else {
            panic!("restart failed")
        };
        assert_eq!(
            fingerprint(restarted.table()),
            after,
            "memory and storage disagree"
        );
    }
}

/// Decodes `data` as a stored record; whatever decodes must re-encode to the same bytes.
///
/// # Panics
///
/// When a decoded record does not re-encode to `data`.
pub fn record(data: &[u8]) {
    let Ok(record) = Record::decode_unnamed(data) else {
        return;
    };
    let mut buf = Zeroizing::new([0u8; MAX_RECORD_LEN]);
    let n = record.as_record_ref().encode(buf.as_mut_slice());
    let Ok(n) = n else {
        panic!("a decoded record does not re-encode")
    };
    assert_eq!(buf.get(..n), Some(data), "decode/encode round trip differs");
    assert!(Record::decode(record.name().as_str(), data).is_ok());
}
