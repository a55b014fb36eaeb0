//! DriverEntry and unload.
//!
//! ```text
//!   FxDriverEntry (WdfDriverEntry.lib) ──► DriverEntry (this file) ──► WdfDriverCreate
//!   WDF ──► EvtDriverDeviceAdd (device.rs) for the root-enumerated device
//! ```
//!
//! The driver keeps no global state: everything lives in the device context and goes with
//! the device, so unload has nothing left to free.

use core::ptr;

use crate::device::evt_driver_device_add;
use crate::layout::DRIVER_CONFIG_SIZE;
use crate::sys::{
    NTSTATUS, PCUNICODE_STRING, PDRIVER_OBJECT, WDF_DRIVER_CONFIG, WDF_NO_OBJECT_ATTRIBUTES,
    WDFDRIVER, call_unsafe_wdf_function_binding,
};

/// The pool tag WDF uses for the driver's allocations: `iSec` in a pool dump.
const POOL_TAG: u32 = u32::from_le_bytes(*b"iSec");

/// `DriverEntry`: creates the WDF driver object. PASSIVE_LEVEL.
///
/// # Safety
///
/// Called by the kernel (through `FxDriverEntry`) with its driver object and registry path.
#[cfg_attr(not(test), unsafe(export_name = "DriverEntry"))]
pub unsafe extern "system" fn driver_entry(
    driver: PDRIVER_OBJECT,
    registry_path: PCUNICODE_STRING,
) -> NTSTATUS {
    let mut config = WDF_DRIVER_CONFIG {
        Size: DRIVER_CONFIG_SIZE,
        EvtDriverDeviceAdd: Some(evt_driver_device_add),
        EvtDriverUnload: Some(evt_driver_unload),
        DriverInitFlags: 0,
        DriverPoolTag: POOL_TAG,
    };
    // SAFETY: `driver` and `registry_path` are the kernel's; `config` is copied; the driver
    // handle is not wanted (`Driver` is optional).
    unsafe {
        call_unsafe_wdf_function_binding!(
            WdfDriverCreate,
            driver,
            registry_path,
            WDF_NO_OBJECT_ATTRIBUTES,
            &mut config,
            ptr::null_mut(),
        )
    }
}

/// `EvtDriverUnload`: every device has been removed and its state dropped already.
/// PASSIVE_LEVEL.
unsafe extern "C" fn evt_driver_unload(_driver: WDFDRIVER) {
    crate::sys::trace("unloaded", 0);
}
