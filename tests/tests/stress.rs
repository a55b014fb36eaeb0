//! Readers and a writer at once, for a bounded time: every key a reader gets is one that was
//! valid at some instant of its lookup for that identifier and port — never a mix of two keys,
//! never another identifier's key, never one removed before the lookup began.
//!
//! ```text
//!   writer (this thread): started[i] = g; SetPresharedKeyForId or remove; done[i] = g
//!   readers (2 threads):  d = done[i]; Reader::lookup(i); s = started[i]; check the answer
//! ```
//!
//! Each identifier's history is a run of generations: odd ones are keys (the key bytes spell
//! the identifier and the generation, repeated), even ones are removals (the group key then
//! answers). Generation `d` was complete before the lookup began, and nothing after `s` had
//! started when it ended, so the answer must be a key generation in `[d, s]`, or the group key
//! if a removal lies in `[d, s]`. Anything else is a bug.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use iscsisec_core::store::MemoryStore;
use iscsisec_core::{
    AdapterConfig, Identifier, IsdscStatus, KeyBuffer, KeySource, LookupMiss, PortSelector,
    Provider,
};
use iscsisec_host::platform::process_platform;
use iscsisec_tests::{Call, id_type, method, set_psk_in, sized_in};

const IDS: u32 = 64;
const GROUP_KEY: &[u8] = b"the group key, never an explicit one";

fn fqdn(i: u32) -> Vec<u8> {
    format!("initiator-{i}.example").into_bytes()
}

/// The key of generation `g` of identifier `i`: both numbers, repeated over 32 bytes.
fn key(i: u32, g: u64) -> Vec<u8> {
    let mut unit = [0u8; 16];
    unit[..4].copy_from_slice(&i.to_le_bytes());
    unit[4..12].copy_from_slice(&g.to_le_bytes());
    unit[12..].copy_from_slice(&(!i).to_le_bytes());
    unit.repeat(2)
}

/// Reads a key back as (identifier, generation), or `None` if it is not one `key` made whole.
fn parse(bytes: &[u8]) -> Option<(u32, u64)> {
    let (a, b) = bytes.split_at_checked(16)?;
    if a != b || bytes.len() != 32 {
        return None;
    }
    let i = u32::from_le_bytes(a[..4].try_into().ok()?);
    let g = u64::from_le_bytes(a[4..12].try_into().ok()?);
    (u32::from_le_bytes(a[12..16].try_into().ok()?) == !i).then_some((i, g))
}

#[test]
fn readers_see_whole_current_keys_while_a_writer_replaces_and_removes_them() {
    let run_for = Duration::from_millis(if std::env::var_os("CI").is_some() {
        1500
    } else {
        3000
    });
    let (mut provider, _) = Provider::start(
        MemoryStore::new(),
        AdapterConfig {
            port_count: 2,
            max_entries: 4096,
        },
        process_platform(),
    )
    .unwrap();
    let group = Call::security_config("group key", method::SET_GROUP_KEY, sized_in(GROUP_KEY));
    assert_eq!(
        group.execute(&mut provider),
        Some((IsdscStatus::SUCCESS, 0))
    );
    // Generation 0 of every identifier: absent (the group key answers).
    let counters = || Arc::new((0..IDS).map(|_| AtomicU64::new(0)).collect::<Vec<_>>());
    let (started, done) = (counters(), counters());
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|t| {
            let reader = provider.reader();
            let (started, done, stop) =
                (Arc::clone(&started), Arc::clone(&done), Arc::clone(&stop));
            thread::spawn(move || {
                let ids: Vec<Identifier> = (0..IDS)
                    .map(|i| Identifier::parse(2, &fqdn(i)).unwrap())
                    .collect();
                let mut out = KeyBuffer::new();
                let (mut lookups, mut keys, mut groups) = (0u64, 0u64, 0u64);
                let mut i = t;
                while !stop.load(Ordering::Relaxed) {
                    i = (i * 7 + 3) % IDS;
                    let d = done[i as usize].load(Ordering::Acquire);
                    let got = reader.lookup(PortSelector::Port(0), &ids[i as usize], &mut out);
                    let s = started[i as usize].load(Ordering::Acquire);
                    lookups += 1;
                    match got {
                        Ok(KeySource::Port) => {
                            let (who, g) = parse(out.expose_secret())
                                .unwrap_or_else(|| panic!("a torn or foreign key for {i}"));
                            assert_eq!(who, i, "identifier {i} got identifier {who}'s key");
                            assert!(g % 2 == 1, "generation {g} is a removal, not a key");
                            assert!(
                                d <= g && g <= s,
                                "identifier {i}: key generation {g} outside [{d}, {s}]"
                            );
                            keys += 1;
                        }
                        Ok(KeySource::Group) => {
                            assert_eq!(out.expose_secret(), GROUP_KEY);
                            // Some removal (an even generation) lies in [d, s].
                            assert!(
                                d % 2 == 0 || s > d,
                                "identifier {i}: group key while key generation {d} stood \
                                 throughout"
                            );
                            groups += 1;
                        }
                        other => panic!("identifier {i}: unexpected {other:?}"),
                    }
                }
                (lookups, keys, groups)
            })
        })
        .collect();

    let start = Instant::now();
    let mut changes = 0u64;
    let mut i = 0;
    while start.elapsed() < run_for {
        i = (i + 5) % IDS;
        let next = done[i as usize].load(Ordering::Relaxed) + 1;
        started[i as usize].store(next, Ordering::Release);
        let id = fqdn(i);
        let change = if next % 2 == 1 {
            set_psk_in(0, 0, id_type::FQDN, &id, &key(i, next))
        } else {
            set_psk_in(0, 0, id_type::FQDN, &id, &[])
        };
        let change = Call::security_config("change", method::SET_PSK, change);
        assert_eq!(
            change.execute(&mut provider),
            Some((IsdscStatus::SUCCESS, 0))
        );
        done[i as usize].store(next, Ordering::Release);
        changes += 1;
    }
    // Once the provider stops, a lookup answers `Stopped`, never a key.
    let late = provider.reader();
    stop.store(true, Ordering::Relaxed);
    let counts: Vec<(u64, u64, u64)> = readers.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        provider.platform().collect(),
        "retired keys left after every reader stopped"
    );
    drop(provider);
    let mut out = KeyBuffer::new();
    let id = Identifier::parse(2, &fqdn(0)).unwrap();
    assert_eq!(
        late.lookup(PortSelector::Port(0), &id, &mut out),
        Err(LookupMiss::Stopped)
    );
    assert!(out.expose_secret().is_empty());
    for (lookups, keys, groups) in &counts {
        eprintln!("stress: {lookups} lookups ({keys} explicit, {groups} group), {changes} changes");
        assert!(
            *keys > 0 && *groups > 0,
            "both outcomes must have been exercised"
        );
    }
    assert!(changes > 100, "the writer made only {changes} changes");
}
