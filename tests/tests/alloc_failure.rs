//! No allocation failure may crash (in the kernel a failed allocation under `wdk-alloc` is a
//! bugcheck): with an allocator that fails the Nth allocation, for every N of a workload, each
//! method either answers as it would have or answers NON_SPECIFIC_ERROR and changes nothing,
//! and a start either succeeds or fails cleanly.
//!
//! ```text
//!   Failing (global allocator) ── armed around one core call at a time ──► allocation N → null
//!   workload: start, every method, lookups, restart ── for N = 1..=all allocations it makes
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use iscsisec_core::store::MemoryStore;
use iscsisec_core::testing::{TestPlatform, fingerprint, test_platform};
use iscsisec_core::{AdapterConfig, Identifier, IsdscStatus, KeyBuffer, PortSelector, Provider};
use iscsisec_tests::*;

/// Counts allocations made while armed on this thread, and fails the one numbered `FAIL_AT`.
struct Failing;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

static COUNT: AtomicUsize = AtomicUsize::new(0);
/// 0: fail nothing.
static FAIL_AT: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);

fn refuse() -> bool {
    if !ARMED.try_with(Cell::get).unwrap_or(false) {
        return false;
    }
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    if n == FAIL_AT.load(Ordering::SeqCst) {
        FAILED.fetch_add(1, Ordering::SeqCst);
        return true;
    }
    false
}

// SAFETY: every method forwards to `System` with the caller's layout, or returns null, which
// `GlobalAlloc` allows for any allocation that cannot be satisfied.
unsafe impl GlobalAlloc for Failing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if refuse() {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout has a non-zero size (GlobalAlloc contract).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if refuse() {
            return std::ptr::null_mut();
        }
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if refuse() {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` was allocated by `System` with `layout`; `new_size` is non-zero.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Failing = Failing;

/// Runs `f` with allocations counted (and the `FAIL_AT`th refused) on this thread.
fn armed<T>(f: impl FnOnce() -> T) -> T {
    ARMED.with(|a| a.set(true));
    let out = f();
    ARMED.with(|a| a.set(false));
    out
}

fn config() -> AdapterConfig {
    AdapterConfig::default()
}

/// The OUT status (and flags) of one call; only the core's call runs in the armed section.
fn execute(p: &mut Provider<MemoryStore, TestPlatform>, call: &Call) -> (IsdscStatus, u64) {
    call.execute_within(p, |f| armed(f))
        .unwrap_or_else(|| panic!("{}: refused by the transport", call.what))
}

fn lookups(p: &Provider<MemoryStore, TestPlatform>) -> Vec<Option<Vec<u8>>> {
    let ids = [
        (
            PortSelector::Port(0),
            Identifier::parse(2, b"a.example").expect("valid"),
        ),
        (
            PortSelector::Port(1),
            Identifier::parse(2, b"a.example").expect("valid"),
        ),
        (
            PortSelector::Port(1),
            Identifier::parse(1, &[10, 0, 0, 1]).expect("valid"),
        ),
    ];
    ids.iter()
        .map(|(port, id)| {
            let mut out = KeyBuffer::new();
            armed(|| p.lookup(*port, id, &mut out))
                .ok()
                .map(|_| out.expose_secret().to_vec())
        })
        .collect()
}

/// Runs the workload with allocation `fail_at` refused (0: none); returns the answers of a
/// clean run when `fail_at` is 0. Every call that answered NON_SPECIFIC_ERROR must have
/// changed nothing, and is retried.
fn run(fail_at: usize, clean: Option<&[(IsdscStatus, u64)]>) -> Vec<(IsdscStatus, u64)> {
    COUNT.store(0, Ordering::SeqCst);
    FAILED.store(0, Ordering::SeqCst);
    FAIL_AT.store(fail_at, Ordering::SeqCst);
    let mut provider = loop {
        match armed(|| Provider::start(MemoryStore::new(), config(), test_platform())) {
            Ok((p, _)) => break p,
            // A start that cannot get memory fails cleanly; the next one gets it.
            Err(_) => assert_eq!(
                FAILED.load(Ordering::SeqCst),
                1,
                "start failed without cause"
            ),
        }
    };
    let mut answers = Vec::new();
    for (i, call) in calls::workload().iter().enumerate() {
        let before = (fingerprint(provider.table()), provider.store().clone());
        let mut answer = execute(&mut provider, call);
        if answer.0 == IsdscStatus::NON_SPECIFIC_ERROR {
            assert!(
                clean.is_some(),
                "a clean run answered NON_SPECIFIC_ERROR at call {i}"
            );
            let after = (fingerprint(provider.table()), provider.store().clone());
            assert!(
                after == before,
                "allocation {fail_at} failed in call {i}: it changed something"
            );
            answer = execute(&mut provider, call);
        }
        if let Some(clean) = clean {
            assert_eq!(answer, clean[i], "allocation {fail_at}: call {i}");
        }
        let _ = lookups(&provider);
        answers.push(answer);
    }
    // A restart from what was stored, under the same countdown.
    let store = provider.into_store();
    let restarted = loop {
        let copy = store.clone();
        match armed(|| Provider::start(copy, config(), test_platform())) {
            Ok((p, _)) => break p,
            Err(_) => assert!(
                FAILED.load(Ordering::SeqCst) >= 1,
                "start failed without cause"
            ),
        }
    };
    let _ = lookups(&restarted);
    FAIL_AT.store(0, Ordering::SeqCst);
    answers
}

#[test]
fn every_failed_allocation_of_a_workload_is_survived() {
    let clean = run(0, None);
    let total = COUNT.load(Ordering::SeqCst);
    assert!(total > 20, "the workload allocates: {total}");
    for n in 1..=total {
        run(n, Some(&clean));
        assert_eq!(
            FAILED.load(Ordering::SeqCst),
            1,
            "allocation {n} was refused once"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "alloc_failure: each of the workload's {total} allocations refused in turn, all survived"
    );
}
