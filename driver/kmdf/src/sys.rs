//! The one place that chooses the kernel bindings: `wdk-sys` on Windows, the stand-in elsewhere.
//!
//! ```text
//!   driver roles ──► sys (this file) ──► wdk_sys + wdk                 (Windows)
//!                                   └──► standin + sim (simulated WDF)  (elsewhere)
//! ```
//!
//! Every other file of the driver is the same source on both: it names kernel items only
//! through this module (`sys::ULONG`, `sys::ntddk::ZwFlushKey`,
//! `sys::call_unsafe_wdf_function_binding!`).

#[cfg(windows)]
pub(crate) use wdk_sys::*;
#[cfg(windows)]
pub(crate) use wdk_sys::{call_unsafe_wdf_function_binding, ntddk};

#[cfg(not(windows))]
pub(crate) use crate::standin::*;
#[cfg(not(windows))]
pub(crate) use crate::standin::{call_unsafe_wdf_function_binding, ntddk};

/// Writes one diagnostic line to the kernel debugger (`DbgPrint` through `wdk::println!`), or
/// to the simulation's log. Never given secret bytes: callers pass an event name and a status.
pub(crate) fn trace(event: &'static str, status: NTSTATUS) {
    #[cfg(windows)]
    wdk::println!("iscsisec: {event}: {status:#010x}");
    #[cfg(not(windows))]
    crate::sim::trace(event, status);
}
