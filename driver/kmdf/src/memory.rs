//! Fallible allocation: no allocation failure in this driver can bugcheck.
//!
//! ```text
//!   device.rs, interface.rs, grace.rs, registry.rs ──► memory (this file) ──► global allocator
//! ```
//!
//! The global allocator (`wdk-alloc`, nonpaged pool) returns null when the pool is exhausted,
//! and `alloc`'s infallible APIs turn that into a panic, which `wdk-panic` turns into a
//! bugcheck. Every allocation the driver makes goes through `try_reserve*` instead; a failure
//! becomes an answer (the method's NON_SPECIFIC_ERROR, or the device failing to start).

use alloc::boxed::Box;
use alloc::vec::Vec;

/// The pool could not satisfy an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfMemory;

/// `Box::new` without the panic: moves `value` into a new heap allocation.
///
/// # Errors
///
/// [`OutOfMemory`] if the allocation fails; `value` is dropped.
pub(crate) fn try_box<T>(value: T) -> Result<Box<T>, OutOfMemory> {
    let mut one = Vec::new();
    one.try_reserve_exact(1).map_err(|_| OutOfMemory)?;
    one.push(value);
    let slice: Box<[T]> = one.into_boxed_slice();
    let raw: *mut T = Box::into_raw(slice).cast::<T>();
    // SAFETY: `raw` came from a `Box<[T]>` of exactly one element, whose allocation has the
    // layout of one `T` (same size and alignment), so it may be owned as a `Box<T>`.
    Ok(unsafe { Box::from_raw(raw) })
}

/// A zero-filled vector of `len` elements, allocated fallibly.
///
/// # Errors
///
/// [`OutOfMemory`] if the allocation fails.
pub(crate) fn try_zeroed_vec<T: Default + Clone>(len: usize) -> Result<Vec<T>, OutOfMemory> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| OutOfMemory)?;
    v.resize(len, T::default());
    Ok(v)
}
