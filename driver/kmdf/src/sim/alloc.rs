//! The test build's global allocator: tags the driver's allocations, fails them on demand,
//! and checks that freed driver memory no longer holds a watched secret.
//!
//! ```text
//!   driver / core code (DriverScope) ──► alloc ──► header { size, machine } + System
//!   tests ──► fail_driver_allocation_at(k), live_driver_bytes(m), secret_leaks(m)
//! ```
//!
//! On Windows the driver's allocator is wdk-alloc's (`ExAllocatePool2`, which returns null when
//! the pool is exhausted). Here every allocation gets a 16-byte header naming the simulated
//! machine whose driver code made it (0 for test and simulation code), so a test can make the
//! k-th allocation of a callback fail, count the bytes the driver still holds, and scan every
//! block the driver frees for the bytes of a key it configured (a key that reaches the
//! allocator unwiped is a leak).

extern crate std;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use super::allocation_owner;

/// Per-machine slots (machine ids wrap around this).
pub(crate) const SLOTS: usize = 4096;
/// Bytes before every block: its requested size and owning machine.
const HEADER: usize = 16;

static LIVE: [AtomicI64; SLOTS] = [const { AtomicI64::new(0) }; SLOTS];
static WATCHING: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
static WATCH: [[AtomicU64; 2]; SLOTS] = [const { [AtomicU64::new(0), AtomicU64::new(0)] }; SLOTS];
static LEAKS: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];

std::thread_local! {
    /// Driver allocations on this thread still to succeed before one fails (u64::MAX: never).
    static FAIL_AT: Cell<u64> = const { Cell::new(u64::MAX) };
    /// Driver allocations attempted on this thread.
    static ATTEMPTS: Cell<u64> = const { Cell::new(0) };
}

/// The allocator of every non-Windows build of this crate.
pub(crate) struct SimAllocator;

#[global_allocator]
static ALLOCATOR: SimAllocator = SimAllocator;

fn slot(machine: u32) -> usize {
    usize::try_from(machine).unwrap_or(0) % SLOTS
}

fn full_layout(layout: Layout) -> Option<(Layout, usize)> {
    let offset = layout.align().max(HEADER);
    let size = layout.size().checked_add(offset)?;
    Some((Layout::from_size_align(size, offset).ok()?, offset))
}

fn should_fail() -> bool {
    ATTEMPTS.try_with(|a| a.set(a.get() + 1)).ok();
    FAIL_AT
        .try_with(|f| match f.get() {
            u64::MAX => false,
            0 => {
                f.set(u64::MAX);
                true
            }
            n => {
                f.set(n - 1);
                false
            }
        })
        .unwrap_or(false)
}

// SAFETY: blocks come from `System` with a layout that keeps the caller's alignment (the
// header offset is a multiple of it) and are returned to `System` with the same layout.
unsafe impl GlobalAlloc for SimAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let owner = allocation_owner();
        if owner != 0 && should_fail() {
            return std::ptr::null_mut();
        }
        let Some((full, offset)) = full_layout(layout) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `full` has a non-zero size (it includes the header).
        let base = unsafe { System.alloc(full) };
        if base.is_null() {
            return base;
        }
        let ptr = base.wrapping_add(offset);
        let header = [layout.size() as u64, u64::from(owner)];
        // SAFETY: the 16 bytes before `ptr` are inside the block (offset >= 16), aligned 8.
        unsafe { ptr.wrapping_sub(HEADER).cast::<[u64; 2]>().write(header) };
        if owner != 0 {
            LIVE[slot(owner)].fetch_add(layout.size() as i64, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some((full, offset)) = full_layout(layout) else {
            return;
        };
        // SAFETY: `ptr` came from `alloc`, which wrote the header before it.
        let [size, owner] = unsafe { ptr.wrapping_sub(HEADER).cast::<[u64; 2]>().read() };
        let owner = u32::try_from(owner).unwrap_or(0);
        if owner != 0 {
            let s = slot(owner);
            LIVE[s].fetch_sub(size as i64, Ordering::Relaxed);
            if WATCHING[s].load(Ordering::Acquire) {
                // SAFETY: the block holds `size` initialised-or-not bytes the driver owned;
                // reading them as bytes before freeing is what a pool dump would see.
                let bytes =
                    unsafe { std::slice::from_raw_parts(ptr, usize::try_from(size).unwrap_or(0)) };
                if contains_watched(s, bytes) {
                    LEAKS[s].fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        // SAFETY: `base` and `full` are what `alloc` got from `System`.
        unsafe { System.dealloc(ptr.wrapping_sub(offset), full) };
    }
}

fn contains_watched(s: usize, bytes: &[u8]) -> bool {
    let pattern = watched(s);
    bytes.windows(16).any(|w| w == pattern)
}

fn watched(s: usize) -> [u8; 16] {
    let a = WATCH[s][0].load(Ordering::Acquire).to_le_bytes();
    let b = WATCH[s][1].load(Ordering::Acquire).to_le_bytes();
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&a);
    out[8..].copy_from_slice(&b);
    out
}

/// Makes the `k`-th driver allocation on this thread from now fail (0 = the next one).
#[cfg(test)]
pub(crate) fn fail_driver_allocation_at(k: u64) {
    FAIL_AT.with(|f| f.set(k));
}

/// Clears a pending failure.
#[cfg(test)]
pub(crate) fn clear_allocation_failure() {
    FAIL_AT.with(|f| f.set(u64::MAX));
}

/// Driver allocations attempted on this thread so far.
#[cfg(test)]
pub(crate) fn driver_allocation_attempts() -> u64 {
    ATTEMPTS.with(Cell::get)
}

/// Bytes the driver of `machine` has allocated and not freed.
#[cfg(test)]
pub(crate) fn live_driver_bytes(machine: u32) -> i64 {
    LIVE[slot(machine)].load(Ordering::Relaxed)
}

/// Watches for `pattern` in every block the driver of `machine` frees.
#[cfg(test)]
pub(crate) fn watch_secret(machine: u32, pattern: [u8; 16]) {
    let s = slot(machine);
    let (a, b) = pattern.split_at(8);
    WATCH[s][0].store(
        u64::from_le_bytes(a.try_into().unwrap_or([0; 8])),
        Ordering::Release,
    );
    WATCH[s][1].store(
        u64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
        Ordering::Release,
    );
    WATCHING[s].store(true, Ordering::Release);
}

/// Whether `bytes` contain the secret watched for `machine`.
#[cfg(test)]
pub(crate) fn holds_watched_secret(machine: u32, bytes: &[u8]) -> bool {
    let s = slot(machine);
    WATCHING[s].load(Ordering::Acquire) && contains_watched(s, bytes)
}

/// Freed driver blocks of `machine` that still held the watched secret.
#[cfg(test)]
pub(crate) fn secret_leaks(machine: u32) -> u64 {
    LEAKS[slot(machine)].load(Ordering::Relaxed)
}

/// Resets a slot for a new machine.
#[cfg(test)]
pub(crate) fn reset(machine: u32) {
    let s = slot(machine);
    LIVE[s].store(0, Ordering::Relaxed);
    WATCHING[s].store(false, Ordering::Release);
    LEAKS[s].store(0, Ordering::Relaxed);
}
