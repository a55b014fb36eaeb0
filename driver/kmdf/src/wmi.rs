//! The WMI provider: one instance of each served class, both answering through the core.
//!
//! ```text
//!   WMI ──► EvtWmiInstanceExecuteMethod (this file) ──► device writer lock ──► core Provider
//!   WMI ──► EvtWmiInstanceQueryInstance (this file): the method-only classes' empty instance
//! ```
//!
//! Both classes are registered with PDO instance names and one instance (`iscsiop.h`), through
//! `WdfWmiInstanceCreate` with a provider configuration and `Register = TRUE`; WDF registers
//! them with WMI when the device starts. The MOF that describes them is the `MOFDATA` resource
//! named [`MOF_RESOURCE_NAME`] (inf/iscsisec.rc).
//!
//! The execute callback turns WDF's pointer and sizes into one slice of `max(InBufferSize,
//! OutBufferSize)` bytes (the buffer WMI passed, `wdfwmi.h:147-148`) and hands everything to
//! `Provider::execute_method`, which makes every size check and picks every status.

use core::ptr;
use core::slice;

use iscsisec_core::Guid;
use iscsisec_core::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};

use crate::device::DeviceState;
use crate::layout::{WMI_INSTANCE_CONFIG_SIZE, WMI_PROVIDER_CONFIG_SIZE};
use crate::status::{self, DriverError};
use crate::sys::{
    BOOLEAN, GUID, NT_SUCCESS, NTSTATUS, PULONG, PVOID, STATUS_SUCCESS, TRUE, ULONG,
    WDF_NO_OBJECT_ATTRIBUTES, WDF_WMI_INSTANCE_CONFIG, WDF_WMI_PROVIDER_CONFIG, WDFDEVICE,
    WDFWMIINSTANCE, call_unsafe_wdf_function_binding,
};
use crate::unicode::{ConstUnicode, utf16};

/// The `MOFDATA` resource holding the compiled MOF (`inf/iscsisec.rc`).
pub(crate) const MOF_RESOURCE_NAME: &str = "IscsiSecWmi";
static MOF_RESOURCE_UTF16: [u16; MOF_RESOURCE_NAME.len() + 1] = utf16(MOF_RESOURCE_NAME);

/// What a query of a method-only class returns: one zero `ULONG`, as the WDK iSCSI sample
/// answers it ("WMI needs to be able to query before executing a method").
pub(crate) const QUERY_INSTANCE_LEN: ULONG = 4;

/// An `EvtWmiInstanceExecuteMethod` callback.
type ExecuteMethod =
    unsafe extern "C" fn(WDFWMIINSTANCE, ULONG, ULONG, ULONG, PVOID, PULONG) -> NTSTATUS;

/// The classes served and the execute callback of each.
const CLASSES: [(Guid, ExecuteMethod); 2] = [
    (
        SECURITY_CONFIG_OPERATIONS_GUID,
        evt_execute_security_config_operations,
    ),
    (OPERATIONS_GUID, evt_execute_operations),
];

/// Names the MOF resource and creates (and registers) one instance of each class on `device`.
/// Called from `EvtDriverDeviceAdd`, PASSIVE_LEVEL.
///
/// # Errors
///
/// The status of the WDF call that failed.
pub(crate) fn register(device: WDFDEVICE) -> Result<(), NTSTATUS> {
    let mof = ConstUnicode(&MOF_RESOURCE_UTF16).get();
    // SAFETY: `device` is the device being added; `mof` points to a static string.
    let status =
        unsafe { call_unsafe_wdf_function_binding!(WdfDeviceAssignMofResourceName, device, &mof) };
    if !NT_SUCCESS(status) {
        return Err(status);
    }
    for (class, execute) in CLASSES {
        let mut provider_config = WDF_WMI_PROVIDER_CONFIG {
            Size: WMI_PROVIDER_CONFIG_SIZE,
            Guid: sys_guid(&class),
            Flags: 0,
            MinInstanceBufferSize: QUERY_INSTANCE_LEN,
            EvtWmiProviderFunctionControl: None,
        };
        let mut instance_config = WDF_WMI_INSTANCE_CONFIG {
            Size: WMI_INSTANCE_CONFIG_SIZE,
            ProviderConfig: &mut provider_config,
            Register: BOOLEAN::try_from(TRUE).unwrap_or(1),
            EvtWmiInstanceQueryInstance: Some(evt_query_instance),
            EvtWmiInstanceExecuteMethod: Some(execute),
            ..WDF_WMI_INSTANCE_CONFIG::default()
        };
        // SAFETY: `device` is the device being added; both configurations are valid for the
        // call (WDF copies them); the instance handle is not wanted (`Instance` is optional).
        let status = unsafe {
            call_unsafe_wdf_function_binding!(
                WdfWmiInstanceCreate,
                device,
                &mut instance_config,
                WDF_NO_OBJECT_ATTRIBUTES,
                ptr::null_mut(),
            )
        };
        if !NT_SUCCESS(status) {
            return Err(status);
        }
    }
    Ok(())
}

/// `MSiSCSI_SecurityConfigOperations` methods.
unsafe extern "C" fn evt_execute_security_config_operations(
    instance: WDFWMIINSTANCE,
    method_id: ULONG,
    in_size: ULONG,
    out_size: ULONG,
    buffer: PVOID,
    used: PULONG,
) -> NTSTATUS {
    // SAFETY: WDF's arguments for this instance, passed on unchanged.
    unsafe {
        execute(
            &SECURITY_CONFIG_OPERATIONS_GUID,
            instance,
            method_id,
            in_size,
            out_size,
            buffer,
            used,
        )
    }
}

/// `MSiSCSI_Operations` methods.
unsafe extern "C" fn evt_execute_operations(
    instance: WDFWMIINSTANCE,
    method_id: ULONG,
    in_size: ULONG,
    out_size: ULONG,
    buffer: PVOID,
    used: PULONG,
) -> NTSTATUS {
    // SAFETY: WDF's arguments for this instance, passed on unchanged.
    unsafe {
        execute(
            &OPERATIONS_GUID,
            instance,
            method_id,
            in_size,
            out_size,
            buffer,
            used,
        )
    }
}

/// `EvtWmiInstanceExecuteMethod` for `class`.
///
/// # Safety
///
/// The arguments are WDF's: `instance` is live, `buffer` is null or valid for reads and
/// writes of `max(in_size, out_size)` bytes, `used` is writable.
unsafe fn execute(
    class: &Guid,
    instance: WDFWMIINSTANCE,
    method_id: ULONG,
    in_size: ULONG,
    out_size: ULONG,
    buffer: PVOID,
    used: PULONG,
) -> NTSTATUS {
    // SAFETY: `instance` is live for the callback.
    let device = unsafe { call_unsafe_wdf_function_binding!(WdfWmiInstanceGetDevice, instance) };
    // SAFETY: `buffer` holds `max(in_size, out_size)` bytes (the caller's contract); nothing
    // else touches it during the callback.
    let bytes = unsafe { wmi_buffer(buffer, in_size.max(out_size)) };
    // SAFETY: the device of a live instance is live, and its context was set up by
    // `EvtDriverDeviceAdd` before the instances were created.
    let Some(state) = (unsafe { DeviceState::of(device) }) else {
        return status::driver_error(DriverError::NotStarted);
    };
    let (nt_status, bytes_used) =
        match state.execute_method(class, method_id, bytes, in_size, out_size) {
            Ok(result) => (status::method(result), result.used),
            Err(error) => (status::driver_error(error), 0),
        };
    if !used.is_null() {
        // SAFETY: `used` is WDF's writable `*BufferUsed`.
        unsafe { used.write(bytes_used) };
    }
    nt_status
}

/// `EvtWmiInstanceQueryInstance` for both classes: they have no data items, and WMI queries
/// an instance before it executes a method on it. WDF has already refused buffers shorter than
/// `MinInstanceBufferSize` ([`QUERY_INSTANCE_LEN`]).
unsafe extern "C" fn evt_query_instance(
    _instance: WDFWMIINSTANCE,
    out_size: ULONG,
    out_buffer: PVOID,
    used: PULONG,
) -> NTSTATUS {
    // SAFETY: WDF passes `out_buffer` valid for writes of `out_size` bytes.
    let bytes = unsafe { wmi_buffer(out_buffer, out_size) };
    let (nt_status, bytes_used) = match bytes.get_mut(..4) {
        Some(instance) => {
            instance.fill(0);
            (STATUS_SUCCESS, QUERY_INSTANCE_LEN)
        }
        None => (
            status::driver_error(DriverError::BufferTooSmall),
            QUERY_INSTANCE_LEN,
        ),
    };
    if !used.is_null() {
        // SAFETY: `used` is WDF's writable `*BufferUsed`.
        unsafe { used.write(bytes_used) };
    }
    nt_status
}

/// The WMI buffer as a slice of exactly the `len` bytes WMI passed (empty when null).
///
/// # Safety
///
/// `buffer` must be null or valid for reads and writes of `len` bytes for the returned
/// lifetime, with no other access meanwhile.
unsafe fn wmi_buffer<'a>(buffer: PVOID, len: ULONG) -> &'a mut [u8] {
    let len = usize::try_from(len).unwrap_or(0);
    if buffer.is_null() || len == 0 {
        return &mut [];
    }
    // SAFETY: non-null and valid for `len` bytes (the caller's contract).
    unsafe { slice::from_raw_parts_mut(buffer.cast::<u8>(), len) }
}

/// The core's GUID as the WDK's `GUID`.
pub(crate) fn sys_guid(guid: &Guid) -> GUID {
    GUID {
        Data1: guid.data1,
        Data2: guid.data2,
        Data3: guid.data3,
        Data4: guid.data4,
    }
}
