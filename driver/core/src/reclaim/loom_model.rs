//! Model checking of the publish/read/retire protocol with loom: the module's own source files
//! (`node.rs`, `retired.rs`, `map.rs`, `epoch.rs`) compiled again against loom's atomics and
//! explored over every interleaving and every value the memory model allows.
//!
//! In this build a freed node is marked and kept instead of being deallocated, so a reader that
//! reaches memory the writer already reclaimed is an assertion failure, not undefined
//! behaviour. The model platform is the process one: epoch slots per (loom) thread and the
//! two-generation retire list.

#![allow(
    clippy::unwrap_used,
    reason = "model-checking tests; loom reports a failure as a panic"
)]
#![allow(dead_code, reason = "the model exercises part of the module's API")]

/// loom's atomics and mutex, under the names the module's files use.
mod sync {
    pub(crate) use loom::sync::Mutex;
    pub(crate) use loom::sync::atomic::{
        AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering, fence,
    };

    pub(crate) fn lock<T>(m: &Mutex<T>) -> loom::sync::MutexGuard<'_, T> {
        m.lock().unwrap()
    }

    pub(crate) const MODEL: bool = true;
}

#[path = "epoch.rs"]
mod epoch;
#[path = "map.rs"]
mod map;
#[path = "node.rs"]
mod node;
#[path = "retired.rs"]
mod retired;

use super::OutOfMemory;
use alloc::vec::Vec;
use core::cell::RefCell;
use epoch::{EpochDomain, Pending, ReaderSlot};
use loom::sync::Arc;
use map::WriteHandle;
use node::{KIND_KEY, NewNode, NodeSpec};
use retired::Retired;

/// The model's `Grace`, as in the real module.
///
/// # Safety
///
/// As `super::Grace`.
unsafe trait Grace: Send + Sync {
    fn read<R>(&self, f: impl FnOnce() -> R) -> R;
    fn defer(&self, retired: Retired);
}

loom::thread_local! {
    static SLOT: RefCell<Option<ReaderSlot>> = RefCell::new(None);
}

struct ModelPlatform {
    domain: Arc<EpochDomain>,
    pending: Pending,
}

// SAFETY: the same construction as `EpochPlatform`, which is what the model checks.
unsafe impl Grace for ModelPlatform {
    fn read<R>(&self, f: impl FnOnce() -> R) -> R {
        SLOT.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                *slot = self.domain.claim();
            }
            self.domain.read(slot.as_mut(), f)
        })
    }

    fn defer(&self, retired: Retired) {
        self.pending.defer(&self.domain, retired);
    }
}

impl ModelPlatform {
    fn new(slots: usize) -> ModelPlatform {
        ModelPlatform {
            domain: Arc::new(EpochDomain::new(slots).unwrap()),
            pending: Pending::new(),
        }
    }
}

fn key(value: &[u8]) -> NewNode {
    NewNode::try_new(&NodeSpec {
        kind: KIND_KEY,
        hash: 1,
        port: 0,
        flags: 0,
        id_type: 2,
        id: b"id",
        value,
    })
    .unwrap()
}

/// Reads the key of `id` once, inside a section, and checks it is alive and whole.
fn read_once(r: &map::ReadHandle<ModelPlatform>) -> Option<Vec<u8>> {
    r.read(|view| {
        let node = view?.chain(1).next()?;
        assert!(!node.is_freed(), "reader reached a reclaimed node");
        let v = node.value().to_vec();
        assert!(!node.is_freed(), "node reclaimed during the read");
        Some(v)
    })
}

/// Explores `f` with at most `preemptions` forced thread switches (bounded so that the
/// models finish in seconds in a debug build). Each mutation of the protocol tried while
/// writing it — dropping the fence after the announcement, ignoring the slots, ignoring the
/// shared counter — fails these models within that bound.
fn model_with(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(preemptions);
    b.check(f);
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    model_with(3, f);
}

/// A table over a model platform with `slots` reader slots, holding `value`, and a reader.
fn table(
    slots: usize,
    value: &[u8],
) -> (WriteHandle<ModelPlatform>, map::ReadHandle<ModelPlatform>) {
    let mut w = WriteHandle::new(ModelPlatform::new(slots), 2, [0, 0]).unwrap();
    w.upsert(key(value));
    let r = w.read_handle();
    (w, r)
}

/// Frees what the model's grace periods allow, as a writer's next retirement would.
fn collect(w: &WriteHandle<ModelPlatform>) {
    w.grace().pending.collect(&w.grace().domain);
}

/// A reader reads once while the writer replaces the key: old or new, never reclaimed.
fn replaced_under_one_reader(slots: usize) {
    let (mut w, r) = table(slots, b"old");
    let t = loom::thread::spawn(move || {
        let v = read_once(&r).unwrap();
        assert!(v == b"old" || v == b"new", "{v:?}");
    });
    w.upsert(key(b"new"));
    collect(&w);
    t.join().unwrap();
}

#[test]
fn a_replaced_key_is_old_or_new_and_never_reclaimed_under_a_reader() {
    model(|| replaced_under_one_reader(2));
}

#[test]
fn a_reader_without_a_slot_is_covered_by_the_shared_counter() {
    model(|| replaced_under_one_reader(0));
}

/// A reader reads once while the writer takes the key away with `take`: absent or whole.
fn taken_under_one_reader(take: fn(&mut WriteHandle<ModelPlatform>)) {
    let (mut w, r) = table(2, b"k");
    let t = loom::thread::spawn(move || {
        if let Some(v) = read_once(&r) {
            assert_eq!(v, b"k");
        }
    });
    take(&mut w);
    collect(&w);
    t.join().unwrap();
}

#[test]
fn a_removed_key_is_gone_or_whole_and_reclaimed_only_after_the_reader() {
    model(|| taken_under_one_reader(|w| assert!(w.remove(KIND_KEY, 1, 0, 2, b"id"))));
}

#[test]
fn after_stop_readers_see_the_stop_or_live_nodes() {
    model(|| taken_under_one_reader(WriteHandle::stop));
}

#[test]
fn two_readers_and_two_updates() {
    model_with(2, || {
        let (mut w, r) = table(2, b"v0");
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let r = r.clone();
                loom::thread::spawn(move || {
                    let v = read_once(&r).unwrap();
                    assert!([&b"v0"[..], b"v1", b"v2"].contains(&v.as_slice()));
                })
            })
            .collect();
        w.upsert(key(b"v1"));
        w.upsert(key(b"v2"));
        for t in readers {
            t.join().unwrap();
        }
    });
}

#[test]
fn a_reader_that_reads_twice_is_covered_by_both_announcements() {
    model_with(2, || {
        let (mut w, r) = table(1, b"old");
        let t = loom::thread::spawn(move || {
            for _ in 0..2 {
                let v = read_once(&r).unwrap();
                assert!(v == b"old" || v == b"new");
            }
        });
        w.upsert(key(b"new"));
        collect(&w);
        t.join().unwrap();
    });
}
