//! The fault-injecting record store every storage test of the core uses.
//!
//! ```text
//!   test ──► FaultHandle (scenario, durable contents, operation log)
//!                │ shared
//!   Provider ──► FaultStore (this file) ──► MemoryStore (what survived: the "medium")
//! ```
//!
//! One store, one [`Scenario`] enum, instead of a hand-written fake per test: healthy,
//! failing (a full or read-only device), failing after a budget, power loss at a given
//! operation (the operation takes effect or not, and nothing after it reaches the medium), a
//! torn write (a store that breaks its all-or-nothing contract, or a failing disk: a prefix of
//! the record reaches the medium), unreadable entries and an enumeration that fails at load.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;

use crate::store::{MemoryStore, RecordStore, StoreError, Visitor};

/// What the store does with the operations it is asked for. Operations (writes and
/// removals; loads are not counted) are numbered from 0 since the store was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Every operation succeeds.
    Healthy,
    /// Every write and removal fails and changes nothing (a full or read-only device).
    Failing,
    /// The next `n` writes and removals succeed; every later one fails and changes nothing.
    FailAfter(usize),
    /// Power is lost during operation number `at`: it reaches the medium whole (`applied`)
    /// or not at all, it fails, and no later operation reaches the medium.
    PowerLoss {
        /// The operation during which power is lost.
        at: usize,
        /// Whether that operation reached the medium before the power went.
        applied: bool,
    },
    /// Power is lost during operation number `at` and, if it is a write, only the first
    /// `keep` bytes of the record reach the medium (a removal is lost); no later operation
    /// reaches the medium.
    TornWrite {
        /// The operation during which power is lost.
        at: usize,
        /// How many bytes of the record reach the medium.
        keep: usize,
    },
    /// `load` reports every stored entry as unreadable.
    UnreadableOnLoad,
    /// `load` cannot enumerate the store at all.
    LoadFails,
}

/// What a write or a removal was asked to do, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `write(name, …)`.
    Write(String),
    /// `remove(name)`.
    Remove(String),
}

impl Op {
    /// The record name the operation was for.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Op::Write(name) | Op::Remove(name) => name,
        }
    }
}

#[derive(Debug)]
struct State {
    medium: MemoryStore,
    scenario: Scenario,
    /// Operations asked for so far (the number the next one gets).
    ops: usize,
    /// Power was lost: nothing reaches the medium any more.
    dead: bool,
    log: Vec<Op>,
}

/// A [`RecordStore`] over a [`MemoryStore`] that injects the faults of its [`Scenario`].
pub struct FaultStore {
    state: Rc<RefCell<State>>,
}

/// The test's side of a [`FaultStore`] the provider owns: change the scenario, read what
/// survived, read the operation log.
pub struct FaultHandle {
    state: Rc<RefCell<State>>,
}

const BUSY: StoreError = StoreError {
    what: "fault store re-entered",
};

impl FaultStore {
    /// A healthy store holding `medium`, and the handle to steer it.
    #[must_use]
    pub fn new(medium: MemoryStore) -> (FaultStore, FaultHandle) {
        let state = Rc::new(RefCell::new(State {
            medium,
            scenario: Scenario::Healthy,
            ops: 0,
            dead: false,
            log: Vec::new(),
        }));
        let handle = FaultHandle {
            state: Rc::clone(&state),
        };
        (FaultStore { state }, handle)
    }

    /// A store holding `medium` that plays `scenario` from its first operation.
    #[must_use]
    pub fn with(medium: MemoryStore, scenario: Scenario) -> (FaultStore, FaultHandle) {
        let (store, handle) = FaultStore::new(medium);
        handle.set(scenario);
        (store, handle)
    }

    fn operate(&mut self, op: Op, bytes: Option<&[u8]>) -> Result<(), StoreError> {
        let mut s = self.state.try_borrow_mut().map_err(|_| BUSY)?;
        let number = s.ops;
        s.ops = number.saturating_add(1);
        let name = String::from(op.name());
        if s.log.try_reserve(1).is_ok() {
            s.log.push(op);
        }
        let apply = |medium: &mut MemoryStore, bytes: Option<&[u8]>| match bytes {
            Some(b) => medium.write(&name, b),
            None => medium.remove(&name),
        };
        if s.dead {
            return Err(StoreError {
                what: "injected: power lost earlier",
            });
        }
        match s.scenario {
            Scenario::Healthy | Scenario::UnreadableOnLoad | Scenario::LoadFails => {
                apply(&mut s.medium, bytes)
            }
            Scenario::Failing => Err(StoreError {
                what: "injected: device failing",
            }),
            Scenario::FailAfter(0) => Err(StoreError {
                what: "injected: device failing after its budget",
            }),
            Scenario::FailAfter(n) => {
                s.scenario = Scenario::FailAfter(n.saturating_sub(1));
                apply(&mut s.medium, bytes)
            }
            Scenario::PowerLoss { at, applied } => {
                if number < at {
                    return apply(&mut s.medium, bytes);
                }
                s.dead = true;
                if number == at && applied {
                    apply(&mut s.medium, bytes)?;
                }
                Err(StoreError {
                    what: "injected: power lost",
                })
            }
            Scenario::TornWrite { at, keep } => {
                if number < at {
                    return apply(&mut s.medium, bytes);
                }
                s.dead = true;
                if number == at
                    && let Some(b) = bytes
                {
                    apply(&mut s.medium, Some(b.get(..keep).unwrap_or(b)))?;
                }
                Err(StoreError {
                    what: "injected: power lost mid-write",
                })
            }
        }
    }
}

impl RecordStore for FaultStore {
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.operate(Op::Write(String::from(name)), Some(bytes))
    }

    fn remove(&mut self, name: &str) -> Result<(), StoreError> {
        self.operate(Op::Remove(String::from(name)), None)
    }

    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        let mut s = self.state.try_borrow_mut().map_err(|_| BUSY)?;
        match s.scenario {
            Scenario::LoadFails => Err(StoreError {
                what: "injected: cannot enumerate",
            }),
            Scenario::UnreadableOnLoad => {
                for name in s.medium.names() {
                    visit(
                        name,
                        Err(StoreError {
                            what: "injected: unreadable",
                        }),
                    );
                }
                Ok(())
            }
            _ => s.medium.load(visit),
        }
    }
}

impl FaultHandle {
    /// Plays `scenario` from the next operation on (and brings back a store that lost power).
    pub fn set(&self, scenario: Scenario) {
        let mut s = self.state.borrow_mut();
        s.scenario = scenario;
        s.dead = false;
    }

    /// A copy of what is on the medium now: what a restart after a crash would find.
    #[must_use]
    pub fn durable(&self) -> MemoryStore {
        self.state.borrow().medium.clone()
    }

    /// Changes the medium directly (tests damage or plant entries with it).
    pub fn with_medium<T>(&self, f: impl FnOnce(&mut MemoryStore) -> T) -> T {
        f(&mut self.state.borrow_mut().medium)
    }

    /// How many writes and removals have been asked for since the store was made.
    #[must_use]
    pub fn ops(&self) -> usize {
        self.state.borrow().ops
    }

    /// Every write and removal asked for, in order.
    #[must_use]
    pub fn log(&self) -> Vec<Op> {
        self.state.borrow().log.clone()
    }

    /// Whether power was lost (a [`Scenario::PowerLoss`] or [`Scenario::TornWrite`] struck).
    #[must_use]
    pub fn power_lost(&self) -> bool {
        self.state.borrow().dead
    }
}

impl fmt::Debug for FaultStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state.try_borrow() {
            Ok(s) => f
                .debug_struct("FaultStore")
                .field("scenario", &s.scenario)
                .field("ops", &s.ops)
                .field("dead", &s.dead)
                .field("medium", &s.medium)
                .finish(),
            Err(_) => f.write_str("FaultStore(busy)"),
        }
    }
}

impl fmt::Debug for FaultHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaultHandle")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(store: &mut FaultStore) -> [bool; 4] {
        [
            store.write("a", b"1").is_ok(),
            store.remove("b").is_ok(),
            store.write("c", b"333").is_ok(),
            store.write("a", b"4").is_ok(),
        ]
    }

    #[test]
    fn every_scenario_does_what_it_says() {
        let (mut s, h) = FaultStore::new(MemoryStore::new());
        assert_eq!(ops(&mut s), [true; 4]);
        assert_eq!(h.durable().get(b"a"), Some(&b"4"[..]));
        assert_eq!(h.ops(), 4);
        assert_eq!(h.log()[1], Op::Remove("b".into()));

        h.set(Scenario::Failing);
        let before = h.durable();
        assert_eq!(ops(&mut s), [false; 4]);
        assert!(h.durable() == before);

        h.set(Scenario::FailAfter(2));
        assert_eq!(ops(&mut s), [true, true, false, false]);
        assert_eq!(h.durable().get(b"a"), Some(&b"1"[..]));

        for applied in [false, true] {
            let (mut s, h) =
                FaultStore::with(MemoryStore::new(), Scenario::PowerLoss { at: 2, applied });
            assert_eq!(ops(&mut s), [true, true, false, false]);
            assert!(h.power_lost());
            assert_eq!(h.durable().get(b"c").is_some(), applied);
            assert_eq!(
                h.durable().get(b"a"),
                Some(&b"1"[..]),
                "nothing after the loss"
            );
        }

        let (mut s, h) =
            FaultStore::with(MemoryStore::new(), Scenario::TornWrite { at: 2, keep: 2 });
        assert_eq!(ops(&mut s), [true, true, false, false]);
        assert_eq!(h.durable().get(b"c"), Some(&b"33"[..]));

        let (mut s, h) = FaultStore::with(h.durable(), Scenario::UnreadableOnLoad);
        let mut seen = Vec::new();
        s.load(&mut |name, bytes| seen.push((name.to_vec(), bytes.is_err())))
            .unwrap();
        assert_eq!(seen, [(b"a".to_vec(), true), (b"c".to_vec(), true)]);
        h.set(Scenario::LoadFails);
        assert!(s.load(&mut |_, _| {}).is_err());
    }
}
