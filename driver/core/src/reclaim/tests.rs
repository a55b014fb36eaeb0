//! Tests of the fenced module through its own API (also run under Miri: `cargo +nightly miri
//! test -p iscsisec-core reclaim`).

use super::map::{View, WriteHandle};
use super::node::{KIND_DAMAGED, KIND_KEY, KIND_VALUE, NewNode, NodeSpec};
use super::{EpochDomain, EpochPlatform, ReaderSlot, Threads};
use crate::platform::{Platform, RandomError};
use alloc::vec::Vec;
use core::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

std::thread_local! {
    static SLOT: RefCell<Option<ReaderSlot>> = const { RefCell::new(None) };
}

/// Threads with a real slot each (claimed on first read), as a process host has.
struct StdThreads;

impl Threads for StdThreads {
    fn with_slot<R>(
        &self,
        domain: &EpochDomain,
        f: impl FnOnce(Option<&mut ReaderSlot>) -> R,
    ) -> R {
        SLOT.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => {
                if slot.is_none() {
                    *slot = domain.claim();
                }
                f(slot.as_mut())
            }
            Err(_) => f(None),
        })
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        out.fill(7);
        Ok(())
    }
}

fn platform(slots: usize) -> EpochPlatform<StdThreads> {
    EpochPlatform::with_shared_domain(Arc::new(EpochDomain::new(slots).unwrap()), StdThreads)
}

fn key_node(hash: u64, port: u32, id: &[u8], key: &[u8]) -> NewNode {
    NewNode::try_new(&NodeSpec {
        kind: KIND_KEY,
        hash,
        port,
        flags: 3,
        id_type: 2,
        id,
        value: key,
    })
    .unwrap()
}

fn values(view: &View<'_>, hash: u64) -> Vec<Vec<u8>> {
    view.chain(hash).map(|n| n.value().to_vec()).collect()
}

#[test]
fn a_node_holds_what_it_was_built_from() {
    let n = key_node(0xabc, 7, b"host.example", b"key bytes");
    let r = n.as_ref();
    assert_eq!(
        (r.kind(), r.hash(), r.port(), r.flags(), r.id_type()),
        (KIND_KEY, 0xabc, 7, 3, 2)
    );
    assert_eq!(
        (r.id(), r.value()),
        (&b"host.example"[..], &b"key bytes"[..])
    );
    let empty = NewNode::try_new(&NodeSpec {
        kind: KIND_VALUE,
        hash: 0,
        port: 0,
        flags: 0,
        id_type: 0,
        id: &[],
        value: &[],
    })
    .unwrap();
    assert!(empty.as_ref().id().is_empty() && empty.as_ref().value().is_empty());
    // An identifier longer than 255 bytes cannot be described.
    assert!(
        NewNode::try_new(&NodeSpec {
            kind: KIND_KEY,
            hash: 0,
            port: 0,
            flags: 0,
            id_type: 2,
            id: &[b'a'; 256],
            value: b"k",
        })
        .is_err()
    );
}

#[test]
fn upsert_replaces_by_kind_and_identity_and_remove_unlinks() {
    let mut w = WriteHandle::new(platform(2), 4, [1, 2]).unwrap();
    let r = w.read_handle();
    assert!(!w.upsert(key_node(5, 0, b"a", b"k1")));
    assert!(!w.upsert(key_node(5, 1, b"a", b"k2")), "another port");
    assert!(
        !w.upsert(key_node(13, 0, b"b", b"k3")),
        "same bucket, other id"
    );
    assert!(w.upsert(key_node(5, 0, b"a", b"k1'")), "replaced");
    let damaged = NewNode::try_new(&NodeSpec {
        kind: KIND_DAMAGED,
        hash: 5,
        port: 0,
        flags: 0,
        id_type: 2,
        id: b"a",
        value: &[],
    })
    .unwrap();
    assert!(!w.upsert(damaged), "a marker is not the key");
    r.read(|v| {
        let mut got = values(&v.unwrap(), 5);
        got.sort();
        assert_eq!(got, [&b""[..], b"k1'", b"k2", b"k3"]);
    });
    assert_eq!(w.nodes().count(), 4);
    assert!(w.remove(KIND_KEY, 5, 1, 2, b"a"));
    assert!(!w.remove(KIND_KEY, 5, 1, 2, b"a"), "already gone");
    assert!(!w.remove(KIND_KEY, 5, 0, 3, b"a"), "other id type");
    w.remove_kind(KIND_DAMAGED);
    r.read(|v| {
        let mut got = values(&v.unwrap(), 13);
        got.sort();
        assert_eq!(got, [&b"k1'"[..], b"k3"]);
    });
    assert_eq!(w.nodes_from(0).count(), 2);
    w.set_slot(1, Some(key_node(0, 0, b"", b"group")));
    w.set_slot(1, Some(key_node(0, 0, b"", b"group2")));
    r.read(|v| assert_eq!(v.unwrap().slot(1).unwrap().value(), b"group2"));
    w.set_slot(1, None);
    r.read(|v| assert!(v.unwrap().slot(1).is_none()));
    drop(w);
    r.read(|v| assert!(v.is_none(), "stopped"));
}

#[test]
fn retired_memory_waits_for_the_sections_begun_before() {
    let p = platform(1);
    let mut w = WriteHandle::new(p, 8, [0, 0]).unwrap();
    w.upsert(key_node(1, 0, b"x", b"old"));
    let r = w.read_handle();
    r.read(|_| {
        w.upsert(key_node(1, 0, b"x", b"new"));
        assert!(!w.grace().collect(), "a reader section is open");
    });
    assert!(w.grace().collect(), "the section ended");
    // Nested sections fall back to the shared counter and still hold reclamation back.
    r.read(|_| {
        r.read(|_| {
            w.upsert(key_node(1, 0, b"x", b"newer"));
            assert!(!w.grace().collect());
        });
        assert!(!w.grace().collect(), "the outer section is still open");
    });
    assert!(w.grace().collect());
}

#[test]
fn epoch_slots_are_claimed_once_and_only_for_their_domain() {
    let a = EpochDomain::new(2).unwrap();
    let b = EpochDomain::new(2).unwrap();
    let s1 = a.claim().unwrap();
    let s2 = a.claim().unwrap();
    assert!(a.claim().is_none(), "both slots taken");
    let mut foreign = b.claim().unwrap();
    let t = a.advance();
    // A slot of domain `b` announces nothing on `a`: `a` falls back to its counter.
    a.read(Some(&mut foreign), || assert!(!a.has_passed(t)));
    assert!(a.has_passed(t));
    a.release(s1);
    assert!(a.claim().is_some());
    a.release(s2);
}

#[test]
fn handles_outlive_the_writer_and_free_once() {
    let w = WriteHandle::new(platform(0), 8, [0, 0]).unwrap();
    let readers: Vec<_> = (0..3).map(|_| w.read_handle()).collect();
    let more = readers.clone();
    drop(w);
    drop(readers);
    for r in &more {
        r.read(|v| assert!(v.is_none()));
    }
}

#[test]
fn readers_on_other_threads_see_whole_values_while_the_writer_replaces_them() {
    let rounds: u64 = if cfg!(miri) { 30 } else { 3000 };
    let value = |round: u64| {
        let mut v = [0u8; 16];
        v[..8].copy_from_slice(&round.to_le_bytes());
        v[8..].copy_from_slice(&round.to_le_bytes());
        v
    };
    let mut w = WriteHandle::new(platform(4), 8, [0, 0]).unwrap();
    w.upsert(key_node(9, 0, b"id", &value(0)));
    let done = Arc::new(AtomicBool::new(false));
    let published = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let r = w.read_handle();
            let (done, published) = (Arc::clone(&done), Arc::clone(&published));
            thread::spawn(move || {
                while !done.load(Ordering::Acquire) {
                    let floor = published.load(Ordering::Acquire);
                    let v = r.read(|v| {
                        v.and_then(|v| v.chain(9).next())
                            .map(|n| n.value().to_vec())
                    });
                    let v = v.unwrap();
                    // Both halves name the same round (never a mix), and that round is not
                    // older than the one published before the read began.
                    assert_eq!(v[..8], v[8..], "torn value");
                    let round = u64::from_le_bytes(v[..8].try_into().unwrap());
                    assert!(
                        round >= floor,
                        "round {round} read after {floor} was published"
                    );
                }
            })
        })
        .collect();
    for round in 1..=rounds {
        w.upsert(key_node(9, 0, b"id", &value(round)));
        published.store(round, Ordering::Release);
    }
    done.store(true, Ordering::Release);
    for t in readers {
        t.join().unwrap();
    }
    assert!(w.grace().collect());
}

#[test]
fn the_platform_trait_is_what_the_table_uses() {
    fn assert_platform<P: Platform>(_: &P) {}
    let p = platform(1);
    assert_platform(&p);
    let mut out = [0u8; 4];
    assert!(p.fill_random(&mut out).is_ok());
    assert_eq!(out, [7; 4]);
}
