//! iscsisec.sys: the KMDF driver that serves the iSCSI security WMI classes and key lookups.
//!
//! ```text
//!   WMI (EvtWmiInstanceExecuteMethod)        IKE/CHAP engine in another driver
//!            │                                          │ query interface (interface.rs)
//!   ┌────────▼──────────────────────────────────────────▼─────────────────────────────┐
//!   │ driver.rs   DriverEntry, unload          device.rs  device add, start, stop      │
//!   │ wmi.rs      two WMI instances            interface.rs  Lookup at <= DISPATCH     │
//!   │ registry.rs RecordStore over REG_BINARY  security.rs   the subkey's DACL         │
//!   │ platform.rs the core's Platform: IRQL, grace periods (DPC per CPU), BCrypt RNG    │
//!   │ status.rs   the one core-error -> NTSTATUS mapping                                │
//!   └────────┬─────────────────────────────────────────────────────────────────────────┘
//!            │ iscsisec-core (all decisions)        sys.rs: wdk-sys, or stand-in + sim
//! ```
//!
//! The same source builds for Windows against `wdk-sys` and everywhere else against a
//! stand-in of the same items (`standin`) whose functions a simulated WDF (`sim`) implements,
//! so that the callbacks run in `cargo test` on Linux. The core decides every size check and
//! status code; this crate moves bytes between WDF and the core.

#![no_std]
#![forbid(
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block
)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
    )
)]

extern crate alloc;

#[cfg(all(windows, not(test)))]
extern crate wdk_panic;

/// Nonpaged pool for every Rust allocation (`ExAllocatePool2`, tag `rust`); a failure returns
/// null, and the driver only allocates through fallible APIs (`try_reserve*`).
#[cfg(all(windows, not(test)))]
#[global_allocator]
static GLOBAL_ALLOCATOR: wdk_alloc::WdkAllocator = wdk_alloc::WdkAllocator;

mod context;
mod device;
mod driver;
mod grace;
mod interface;
mod layout;
mod lock;
mod memory;
mod platform;
mod registry;
mod security;
mod status;
mod sys;
mod unicode;
mod wmi;

#[cfg(not(windows))]
mod sim;
#[cfg(not(windows))]
mod standin;

#[cfg(all(test, not(windows)))]
mod tests;
