//! The simulated WDF function table: what `call_unsafe_wdf_function_binding!` reaches here.
//!
//! ```text
//!   driver ──► call_unsafe_wdf_function_binding!(WdfXxx, args) ──► WdfXxx (this file)
//! ```
//!
//! Each entry has the parameters of its `PFN_WDF*` typedef minus `DriverGlobals`; the macro
//! below also builds, at compile time, a `PFN_WDF*` value from it, so an entry whose types
//! differ from the stand-in's transcription of the header does not compile. Behaviour cites
//! the framework source (FX = Windows-Driver-Frameworks `src/framework/`) or the DDI page.

#![expect(non_snake_case, reason = "entry and parameter names are the header's")]

extern crate std;

use std::format;
use std::string::String;
use std::time::Duration;
use std::vec::Vec;

use super::objects::{self, Device, Kind, WmiInstance, WorkItem};
use super::{DriverRecord, Inner, State, call_driver, irql, routine, set_irql};
use crate::sys::{
    ACCESS_MASK, DISPATCH_LEVEL, HANDLE, INTERFACE, NTSTATUS, PASSIVE_LEVEL, PCUNICODE_STRING,
    PCWDF_OBJECT_CONTEXT_TYPE_INFO, PDRIVER_OBJECT, PLONGLONG, PULONG, PVOID, PWDF_DRIVER_CONFIG,
    PWDF_OBJECT_ATTRIBUTES, PWDF_PNPPOWER_EVENT_CALLBACKS, PWDF_QUERY_INTERFACE_CONFIG,
    PWDF_WMI_INSTANCE_CONFIG, PWDF_WORKITEM_CONFIG, PWDFDEVICE_INIT, REG_CREATED_NEW_KEY,
    REG_OPENED_EXISTING_KEY, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_DEVICE_REQUEST,
    STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, ULONG, UNICODE_STRING,
    WDF_OBJECT_ATTRIBUTES, WDF_OBJECT_CONTEXT_TYPE_INFO, WDFDEVICE, WDFDRIVER, WDFKEY, WDFOBJECT,
    WDFSPINLOCK, WDFWAITLOCK, WDFWMIINSTANCE, WDFWORKITEM,
};

/// STATUS_INFO_LENGTH_MISMATCH (0xC0000004): a configuration's `Size` is wrong.
const STATUS_INFO_LENGTH_MISMATCH: NTSTATUS = 0xC000_0004_u32 as NTSTATUS;
/// STATUS_WDF_PARENT_NOT_SPECIFIED (0xC0200216, wdfstatus.h).
const STATUS_WDF_PARENT_NOT_SPECIFIED: NTSTATUS = 0xC020_0216_u32 as NTSTATUS;
/// STATUS_OBJECT_NAME_COLLISION (0xC0000035).
const STATUS_OBJECT_NAME_COLLISION: NTSTATUS = 0xC000_0035_u32 as NTSTATUS;
/// KEY_SET_VALUE (WDK19 wdm.h:7199; the driver itself asks for KEY_WRITE).
const KEY_SET_VALUE: u32 = 0x0002;
/// STATUS_ACCESS_DENIED.
const STATUS_ACCESS_DENIED: NTSTATUS = 0xC000_0022_u32 as NTSTATUS;

/// Defines a simulated entry and checks it against its `PFN_` typedef.
macro_rules! entries {
    ($(
        $(#[$meta:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? as $pfn:ident $body:block
    )*) => {$(
        $(#[$meta])*
        pub(crate) unsafe fn $name($($arg: $ty),*) $(-> $ret)? $body
        const _: crate::sys::$pfn = {
            unsafe extern "C" fn entry(
                _globals: crate::sys::PWDF_DRIVER_GLOBALS,
                $($arg: $ty),*
            ) $(-> $ret)? {
                // SAFETY: forwards the framework's arguments unchanged.
                unsafe { $name($($arg),*) }
            }
            Some(entry)
        };
    )*};
}

/// Reads a counted string the driver passed.
fn unicode(value: PCUNICODE_STRING) -> Option<String> {
    if value.is_null() {
        return None;
    }
    // SAFETY: the driver passes a valid UNICODE_STRING.
    let s: UNICODE_STRING = unsafe { value.read() };
    if !s.Length.is_multiple_of(2) || s.Length > s.MaximumLength || s.Buffer.is_null() {
        return None;
    }
    // SAFETY: `Buffer` holds `Length` bytes (the structure's contract).
    let units = unsafe { std::slice::from_raw_parts(s.Buffer, usize::from(s.Length / 2)) };
    Some(String::from_utf16_lossy(units))
}

/// What an object's attributes ask for.
struct Attributes {
    parent: usize,
    type_info: PCWDF_OBJECT_CONTEXT_TYPE_INFO,
    context_size: usize,
    cleanup: crate::sys::PFN_WDF_OBJECT_CONTEXT_CLEANUP,
}

/// Validates `attrs` as `WDF_OBJECT_ATTRIBUTES_INIT` leaves them (wdfobject.h:145-155).
fn attributes(
    machine: &Inner,
    name: &str,
    attrs: PWDF_OBJECT_ATTRIBUTES,
    default_parent: usize,
) -> Result<Attributes, NTSTATUS> {
    if attrs.is_null() {
        return Ok(Attributes {
            parent: default_parent,
            type_info: std::ptr::null(),
            context_size: 0,
            cleanup: None,
        });
    }
    // SAFETY: the driver passes valid attributes.
    let a: WDF_OBJECT_ATTRIBUTES = unsafe { attrs.read() };
    if a.Size as usize != size_of::<WDF_OBJECT_ATTRIBUTES>() {
        machine.violation(format!("{name}: WDF_OBJECT_ATTRIBUTES.Size is {}", a.Size));
        return Err(STATUS_INFO_LENGTH_MISMATCH);
    }
    if a.ExecutionLevel == 0 || a.SynchronizationScope == 0 {
        machine.violation(format!(
            "{name}: attributes not initialised (ExecutionLevel/SynchronizationScope Invalid, \
             WDF_OBJECT_ATTRIBUTES_INIT sets InheritFromParent)"
        ));
        return Err(STATUS_INVALID_PARAMETER);
    }
    let context_size = if a.ContextTypeInfo.is_null() {
        0
    } else {
        // SAFETY: the driver's context type information, a static.
        let info: WDF_OBJECT_CONTEXT_TYPE_INFO = unsafe { a.ContextTypeInfo.read() };
        if info.Size as usize != size_of::<WDF_OBJECT_CONTEXT_TYPE_INFO>()
            || info.UniqueType != a.ContextTypeInfo
        {
            machine.violation(format!("{name}: context type info malformed"));
            return Err(STATUS_INVALID_PARAMETER);
        }
        a.ContextSizeOverride.max(info.ContextSize).max(1)
    };
    let parent = if a.ParentObject.is_null() {
        default_parent
    } else {
        a.ParentObject as usize
    };
    Ok(Attributes {
        parent,
        type_info: a.ContextTypeInfo,
        context_size,
        cleanup: a.EvtCleanupCallback,
    })
}

/// Creates an object, or fails as a test asked (`fail_object_creations`).
fn create(state: &mut State, kind: Kind, attrs: Attributes) -> Result<usize, NTSTATUS> {
    state.objects_created += 1;
    match state.fail_object_creation_at {
        Some(0) => {
            state.fail_object_creation_at = None;
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }
        Some(k) => state.fail_object_creation_at = Some(k - 1),
        None => {}
    }
    if attrs.parent != 0 && !state.objects.live.contains_key(&attrs.parent) {
        state.violations.push(format!(
            "object created under a parent {:#x} that does not exist",
            attrs.parent
        ));
        return Err(STATUS_INVALID_PARAMETER);
    }
    Ok(state.objects.create(
        kind,
        attrs.parent,
        attrs.type_info,
        attrs.context_size,
        attrs.cleanup,
    ))
}

fn driver_handle(state: &State) -> usize {
    state.driver.map_or(0, |d| d.handle)
}

entries! {
    /// wdfdriver.h:207-225; FX `FxDriver::_CreateAndInitialize`.
    #[must_use]
    fn WdfDriverCreate(
        DriverObject: PDRIVER_OBJECT,
        RegistryPath: PCUNICODE_STRING,
        DriverAttributes: PWDF_OBJECT_ATTRIBUTES,
        DriverConfig: PWDF_DRIVER_CONFIG,
        Driver: *mut WDFDRIVER,
    ) -> NTSTATUS as PFN_WDFDRIVERCREATE {
        let Some((machine, _s)) = routine("WdfDriverCreate", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        if DriverObject.is_null() || unicode(RegistryPath).is_none() || DriverConfig.is_null() {
            machine.violation(String::from("WdfDriverCreate: null driver object, path or config"));
            return STATUS_INVALID_PARAMETER;
        }
        // SAFETY: a valid WDF_DRIVER_CONFIG.
        let config = unsafe { DriverConfig.read() };
        if config.Size as usize != size_of::<crate::sys::WDF_DRIVER_CONFIG>() {
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        let attrs = match attributes(&machine, "WdfDriverCreate", DriverAttributes, 0) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let mut state = machine.lock();
        if state.driver.is_some() {
            state.violations.push(String::from("WdfDriverCreate called twice"));
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        let handle = match create(&mut state, Kind::Driver, attrs) {
            Ok(h) => h,
            Err(status) => return status,
        };
        state.driver = Some(DriverRecord { handle, device_add: config.EvtDriverDeviceAdd, unload: config.EvtDriverUnload });
        drop(state);
        if !Driver.is_null() {
            // SAFETY: the driver's optional output.
            unsafe { Driver.write(handle as WDFDRIVER) };
        }
        STATUS_SUCCESS
    }

    /// wdfdevice.h:2974-2985.
    fn WdfDeviceInitSetPnpPowerEventCallbacks(
        DeviceInit: PWDFDEVICE_INIT,
        PnpPowerEventCallbacks: PWDF_PNPPOWER_EVENT_CALLBACKS,
    ) as PFN_WDFDEVICEINITSETPNPPOWEREVENTCALLBACKS {
        let Some((machine, _s)) = routine("WdfDeviceInitSetPnpPowerEventCallbacks", DISPATCH_LEVEL) else { return };
        // SAFETY: valid callbacks.
        let callbacks = unsafe { PnpPowerEventCallbacks.read() };
        if callbacks.Size as usize != size_of::<crate::sys::WDF_PNPPOWER_EVENT_CALLBACKS>() {
            machine.violation(format!("WDF_PNPPOWER_EVENT_CALLBACKS.Size is {}", callbacks.Size));
            return;
        }
        if let Some(init) = machine.lock().device_inits.get_mut(&(DeviceInit as usize)) {
            init.pnp = Some(callbacks);
        }
    }

    /// wdfdevice.h:3634-3648; sets `*DeviceInit` to NULL on success (DDI).
    #[must_use]
    fn WdfDeviceCreate(
        DeviceInit: *mut PWDFDEVICE_INIT,
        DeviceAttributes: PWDF_OBJECT_ATTRIBUTES,
        Device: *mut WDFDEVICE,
    ) -> NTSTATUS as PFN_WDFDEVICECREATE {
        let Some((machine, _s)) = routine("WdfDeviceCreate", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        // SAFETY: the driver passes the address of its PWDFDEVICE_INIT.
        let init = unsafe { DeviceInit.read() };
        let parent = driver_handle(&machine.lock());
        let attrs = match attributes(&machine, "WdfDeviceCreate", DeviceAttributes, parent) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let mut state = machine.lock();
        let Some(device) = state.device_inits.get(&(init as usize)).cloned() else {
            state.violations.push(String::from("WdfDeviceCreate with an unknown WDFDEVICE_INIT"));
            return STATUS_INVALID_PARAMETER;
        };
        let handle = match create(&mut state, Kind::Device(device), attrs) {
            Ok(h) => h,
            Err(status) => return status,
        };
        state.device_inits.remove(&(init as usize));
        state.device = Some(handle);
        drop(state);
        // SAFETY: as above; the framework takes over the init structure.
        unsafe { DeviceInit.write(std::ptr::null_mut()) };
        // SAFETY: the driver's output.
        unsafe { Device.write(handle as WDFDEVICE) };
        STATUS_SUCCESS
    }

    /// wdfdevice.h:2524-2536 (the DDI: may be called once).
    #[must_use]
    fn WdfDeviceAssignMofResourceName(Device: WDFDEVICE, MofResourceName: PCUNICODE_STRING) -> NTSTATUS
        as PFN_WDFDEVICEASSIGNMOFRESOURCENAME
    {
        let Some((machine, _s)) = routine("WdfDeviceAssignMofResourceName", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        let Some(name) = unicode(MofResourceName) else { return STATUS_INVALID_PARAMETER };
        let mut state = machine.lock();
        match state.objects.live.get_mut(&(Device as usize)).map(|o| &mut o.kind) {
            Some(Kind::Device(d)) if d.mof_resource.is_none() => {
                d.mof_resource = Some(name);
                STATUS_SUCCESS
            }
            Some(Kind::Device(_)) => STATUS_INVALID_DEVICE_REQUEST,
            _ => {
                state.violations.push(String::from("WdfDeviceAssignMofResourceName: not a device"));
                STATUS_INVALID_PARAMETER
            }
        }
    }

    /// wdfdevice.h:2717-2735: opens `Enum\<instance>\Device Parameters` for PLUGPLAY_REGKEY_DEVICE.
    #[must_use]
    fn WdfDeviceOpenRegistryKey(
        Device: WDFDEVICE,
        DeviceInstanceKeyType: ULONG,
        DesiredAccess: ACCESS_MASK,
        KeyAttributes: PWDF_OBJECT_ATTRIBUTES,
        Key: *mut WDFKEY,
    ) -> NTSTATUS as PFN_WDFDEVICEOPENREGISTRYKEY {
        let Some((machine, _s)) = routine("WdfDeviceOpenRegistryKey", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        if DeviceInstanceKeyType != crate::sys::PLUGPLAY_REGKEY_DEVICE {
            machine.violation(format!("WdfDeviceOpenRegistryKey type {DeviceInstanceKeyType} is not simulated"));
            return STATUS_INVALID_PARAMETER;
        }
        let attrs = match attributes(&machine, "WdfDeviceOpenRegistryKey", KeyAttributes, Device as usize) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let mut state = machine.lock();
        let Some(Kind::Device(device)) = state.objects.live.get(&(Device as usize)).map(|o| o.kind.clone()) else {
            state.violations.push(String::from("WdfDeviceOpenRegistryKey: not a device"));
            return STATUS_INVALID_PARAMETER;
        };
        let path = device_parameters(&device.instance_path);
        state.registry.ensure(&path);
        let wdm_handle = state.registry.open(&path, DesiredAccess);
        let handle = match create(&mut state, Kind::Key { path, access: DesiredAccess, wdm_handle }, attrs) {
            Ok(h) => h,
            Err(status) => {
                state.registry.close(wdm_handle);
                return status;
            }
        };
        drop(state);
        // SAFETY: the driver's output.
        unsafe { Key.write(handle as WDFKEY) };
        STATUS_SUCCESS
    }

    /// wdfregistry.h:103-125 (the new key object's default parent is the driver).
    #[must_use]
    fn WdfRegistryCreateKey(
        ParentKey: WDFKEY,
        KeyName: PCUNICODE_STRING,
        DesiredAccess: ACCESS_MASK,
        CreateOptions: ULONG,
        CreateDisposition: PULONG,
        KeyAttributes: PWDF_OBJECT_ATTRIBUTES,
        Key: *mut WDFKEY,
    ) -> NTSTATUS as PFN_WDFREGISTRYCREATEKEY {
        let Some((machine, _s)) = routine("WdfRegistryCreateKey", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        let Some(name) = unicode(KeyName) else { return STATUS_INVALID_PARAMETER };
        if CreateOptions != crate::sys::REG_OPTION_NON_VOLATILE {
            machine.violation(format!("WdfRegistryCreateKey options {CreateOptions:#x}: the store must be non-volatile"));
        }
        let parent_default = driver_handle(&machine.lock());
        let attrs = match attributes(&machine, "WdfRegistryCreateKey", KeyAttributes, parent_default) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let mut state = machine.lock();
        let Some(Kind::Key { path: parent_path, .. }) = state.objects.live.get(&(ParentKey as usize)).map(|o| o.kind.clone()) else {
            state.violations.push(String::from("WdfRegistryCreateKey: parent is not an open key"));
            return STATUS_INVALID_PARAMETER;
        };
        let path = format!("{parent_path}\\{name}");
        let created = state.registry.ensure(&path);
        let wdm_handle = state.registry.open(&path, DesiredAccess);
        let handle = match create(&mut state, Kind::Key { path, access: DesiredAccess, wdm_handle }, attrs) {
            Ok(h) => h,
            Err(status) => {
                state.registry.close(wdm_handle);
                return status;
            }
        };
        drop(state);
        if !CreateDisposition.is_null() {
            let disposition = if created { REG_CREATED_NEW_KEY } else { REG_OPENED_EXISTING_KEY };
            // SAFETY: the driver's optional output.
            unsafe { CreateDisposition.write(disposition) };
        }
        // SAFETY: the driver's output.
        unsafe { Key.write(handle as WDFKEY) };
        STATUS_SUCCESS
    }

    /// wdfregistry.h:154-163: closes the key and deletes the object.
    fn WdfRegistryClose(Key: WDFKEY) as PFN_WDFREGISTRYCLOSE {
        let Some((machine, _s)) = routine("WdfRegistryClose", PASSIVE_LEVEL) else { return };
        let mut state = machine.lock();
        match state.objects.live.get(&(Key as usize)).map(|o| o.kind.clone()) {
            Some(Kind::Key { wdm_handle, .. }) => {
                state.registry.close(wdm_handle);
                if let Some(object) = state.objects.remove(Key as usize) {
                    objects::free_context(&object);
                }
            }
            _ => state.violations.push(format!("WdfRegistryClose on {Key:p}, not an open key (bugcheck)")),
        }
    }

    /// wdfregistry.h:179-188.
    #[must_use]
    fn WdfRegistryWdmGetHandle(Key: WDFKEY) -> HANDLE as PFN_WDFREGISTRYWDMGETHANDLE {
        let Some((machine, _s)) = routine("WdfRegistryWdmGetHandle", PASSIVE_LEVEL) else { return std::ptr::null_mut() };
        let mut state = machine.lock();
        match state.objects.live.get(&(Key as usize)).map(|o| o.kind.clone()) {
            Some(Kind::Key { wdm_handle, .. }) => wdm_handle as HANDLE,
            _ => {
                state.violations.push(String::from("WdfRegistryWdmGetHandle: not an open key"));
                std::ptr::null_mut()
            }
        }
    }

    /// wdfregistry.h:231-243 (absent: STATUS_OBJECT_NAME_NOT_FOUND).
    #[must_use]
    fn WdfRegistryRemoveValue(Key: WDFKEY, ValueName: PCUNICODE_STRING) -> NTSTATUS as PFN_WDFREGISTRYREMOVEVALUE {
        let Some((machine, _s)) = routine("WdfRegistryRemoveValue", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        let Some(name) = unicode(ValueName) else { return STATUS_INVALID_PARAMETER };
        let mut state = machine.lock();
        let Some(Kind::Key { path, access, .. }) = state.objects.live.get(&(Key as usize)).map(|o| o.kind.clone()) else {
            state.violations.push(String::from("WdfRegistryRemoveValue: not an open key"));
            return STATUS_INVALID_PARAMETER;
        };
        if access & KEY_SET_VALUE == 0 {
            return STATUS_ACCESS_DENIED;
        }
        if state.fail_registry_writes {
            return super::kernel::STATUS_MEDIA_WRITE_PROTECTED;
        }
        if state.registry.remove(&path, &name) { STATUS_SUCCESS } else { STATUS_OBJECT_NAME_NOT_FOUND }
    }

    /// wdfregistry.h:506-524 (replaces a value of the same name).
    #[must_use]
    fn WdfRegistryAssignValue(
        Key: WDFKEY,
        ValueName: PCUNICODE_STRING,
        ValueType: ULONG,
        ValueLength: ULONG,
        Value: PVOID,
    ) -> NTSTATUS as PFN_WDFREGISTRYASSIGNVALUE {
        let Some((machine, _s)) = routine("WdfRegistryAssignValue", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        let Some(name) = unicode(ValueName) else { return STATUS_INVALID_PARAMETER };
        let data = if ValueLength == 0 {
            Vec::new()
        } else {
            // SAFETY: the driver passes `ValueLength` readable bytes.
            unsafe { std::slice::from_raw_parts(Value.cast::<u8>(), ValueLength as usize) }.to_vec()
        };
        let mut state = machine.lock();
        let Some(Kind::Key { path, access, .. }) = state.objects.live.get(&(Key as usize)).map(|o| o.kind.clone()) else {
            state.violations.push(String::from("WdfRegistryAssignValue: not an open key"));
            return STATUS_INVALID_PARAMETER;
        };
        if access & KEY_SET_VALUE == 0 {
            return STATUS_ACCESS_DENIED;
        }
        if state.fail_registry_writes {
            return super::kernel::STATUS_MEDIA_WRITE_PROTECTED;
        }
        state.registry.set(&path, &name, ValueType, data);
        STATUS_SUCCESS
    }

    /// wdfobject.h:544-555: the context of that type, or NULL.
    #[must_use]
    fn WdfObjectGetTypedContextWorker(Handle: WDFOBJECT, TypeInfo: PCWDF_OBJECT_CONTEXT_TYPE_INFO) -> PVOID
        as PFN_WDFOBJECTGETTYPEDCONTEXTWORKER
    {
        let Some((machine, _s)) = routine("WdfObjectGetTypedContextWorker", DISPATCH_LEVEL + 1) else { return std::ptr::null_mut() };
        let mut state = machine.lock();
        match state.objects.live.get(&(Handle as usize)) {
            Some(o) if o.type_info == TypeInfo as usize && o.context != 0 => o.context as PVOID,
            Some(_) => std::ptr::null_mut(),
            None => {
                state.violations.push(format!("WdfObjectGetTypedContextWorker on a dead handle {Handle:p} (bugcheck)"));
                std::ptr::null_mut()
            }
        }
    }

    /// wdfwmi.h:465-481; FX fxwmiapi.cpp (Size checks), one provider per GUID and device.
    #[must_use]
    fn WdfWmiInstanceCreate(
        Device: WDFDEVICE,
        InstanceConfig: PWDF_WMI_INSTANCE_CONFIG,
        InstanceAttributes: PWDF_OBJECT_ATTRIBUTES,
        Instance: *mut WDFWMIINSTANCE,
    ) -> NTSTATUS as PFN_WDFWMIINSTANCECREATE {
        let Some((machine, _s)) = routine("WdfWmiInstanceCreate", DISPATCH_LEVEL) else { return STATUS_INVALID_PARAMETER };
        // SAFETY: a valid configuration.
        let config = unsafe { InstanceConfig.read() };
        if config.Size as usize != size_of::<crate::sys::WDF_WMI_INSTANCE_CONFIG>() {
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        if config.ProviderConfig.is_null() {
            machine.violation(String::from("WdfWmiInstanceCreate without a provider configuration"));
            return STATUS_INVALID_PARAMETER;
        }
        // SAFETY: a valid provider configuration.
        let provider = unsafe { config.ProviderConfig.read() };
        if provider.Size as usize != size_of::<crate::sys::WDF_WMI_PROVIDER_CONFIG>() {
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        let attrs = match attributes(&machine, "WdfWmiInstanceCreate", InstanceAttributes, Device as usize) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let mut state = machine.lock();
        let started = match state.objects.live.get(&(Device as usize)).map(|o| &o.kind) {
            Some(Kind::Device(d)) => d.started,
            _ => {
                state.violations.push(String::from("WdfWmiInstanceCreate: not a device"));
                return STATUS_INVALID_PARAMETER;
            }
        };
        let guid = provider.Guid;
        let duplicate = state.objects.live.values().any(|o| {
            matches!(&o.kind, Kind::WmiInstance(w) if w.device == Device as usize && guid_bytes(&w.guid) == guid_bytes(&guid))
        });
        if duplicate {
            return STATUS_OBJECT_NAME_COLLISION;
        }
        let register = config.Register != 0;
        let instance = WmiInstance {
            device: Device as usize,
            guid,
            min_instance_buffer_size: provider.MinInstanceBufferSize,
            query: config.EvtWmiInstanceQueryInstance,
            execute: config.EvtWmiInstanceExecuteMethod,
            register,
            registered: register && started,
        };
        let handle = match create(&mut state, Kind::WmiInstance(instance), attrs) {
            Ok(h) => h,
            Err(status) => return status,
        };
        drop(state);
        if !Instance.is_null() {
            // SAFETY: the driver's optional output.
            unsafe { Instance.write(handle as WDFWMIINSTANCE) };
        }
        STATUS_SUCCESS
    }

    /// wdfwmi.h:556-565.
    #[must_use]
    fn WdfWmiInstanceGetDevice(WmiInstance: WDFWMIINSTANCE) -> WDFDEVICE as PFN_WDFWMIINSTANCEGETDEVICE {
        let Some((machine, _s)) = routine("WdfWmiInstanceGetDevice", DISPATCH_LEVEL) else { return std::ptr::null_mut() };
        let mut state = machine.lock();
        match state.objects.live.get(&(WmiInstance as usize)).map(|o| &o.kind) {
            Some(Kind::WmiInstance(w)) => w.device as WDFDEVICE,
            _ => {
                state.violations.push(String::from("WdfWmiInstanceGetDevice: not a WMI instance"));
                std::ptr::null_mut()
            }
        }
    }

    /// wdfqueryinterface.h:150-162; FX fxqueryinterfaceapi.cpp:60-230 (Size checks, the
    /// INTERFACE copied, a NULL InterfaceReference replaced by a no-op).
    #[must_use]
    fn WdfDeviceAddQueryInterface(Device: WDFDEVICE, InterfaceConfig: PWDF_QUERY_INTERFACE_CONFIG) -> NTSTATUS
        as PFN_WDFDEVICEADDQUERYINTERFACE
    {
        let Some((machine, _s)) = routine("WdfDeviceAddQueryInterface", PASSIVE_LEVEL) else { return STATUS_INVALID_PARAMETER };
        // SAFETY: a valid configuration.
        let config = unsafe { InterfaceConfig.read() };
        if config.Size as usize != size_of::<crate::sys::WDF_QUERY_INTERFACE_CONFIG>() {
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        if config.Interface.is_null() || config.InterfaceType.is_null() {
            return STATUS_INVALID_PARAMETER;
        }
        // SAFETY: the interface header the driver exposes.
        let header: INTERFACE = unsafe { config.Interface.read() };
        if usize::from(header.Size) < size_of::<INTERFACE>() {
            return STATUS_INVALID_PARAMETER;
        }
        // SAFETY: the driver's interface is `Size` bytes long.
        let bytes = unsafe { std::slice::from_raw_parts(config.Interface.cast::<u8>(), usize::from(header.Size)) }.to_vec();
        // SAFETY: a valid GUID.
        let guid = guid_bytes(&unsafe { config.InterfaceType.read() });
        let mut state = machine.lock();
        match state.objects.live.get_mut(&(Device as usize)).map(|o| &mut o.kind) {
            Some(Kind::Device(d)) => {
                d.interfaces.push((guid, bytes));
                STATUS_SUCCESS
            }
            _ => {
                state.violations.push(String::from("WdfDeviceAddQueryInterface: not a device"));
                STATUS_INVALID_PARAMETER
            }
        }
    }

    /// wdfworkitem.h:101-115 (ParentObject required: STATUS_WDF_PARENT_NOT_SPECIFIED).
    #[must_use]
    fn WdfWorkItemCreate(Config: PWDF_WORKITEM_CONFIG, Attributes: PWDF_OBJECT_ATTRIBUTES, WorkItem: *mut WDFWORKITEM) -> NTSTATUS
        as PFN_WDFWORKITEMCREATE
    {
        let Some((machine, _s)) = routine("WdfWorkItemCreate", DISPATCH_LEVEL) else { return STATUS_INVALID_PARAMETER };
        // SAFETY: a valid configuration.
        let config = unsafe { Config.read() };
        if config.Size as usize != size_of::<crate::sys::WDF_WORKITEM_CONFIG>() {
            return STATUS_INFO_LENGTH_MISMATCH;
        }
        let attrs = match attributes(&machine, "WdfWorkItemCreate", Attributes, 0) {
            Ok(a) => a,
            Err(status) => return status,
        };
        if attrs.parent == 0 {
            return STATUS_WDF_PARENT_NOT_SPECIFIED;
        }
        let mut state = machine.lock();
        let item = WorkItem { callback: config.EvtWorkItemFunc, queued: false, running: false, worker: false, runs: 0 };
        let handle = match create(&mut state, Kind::WorkItem(item), attrs) {
            Ok(h) => h,
            Err(status) => return status,
        };
        drop(state);
        // SAFETY: the driver's output.
        unsafe { WorkItem.write(handle as WDFWORKITEM) };
        STATUS_SUCCESS
    }

    /// wdfworkitem.h:136-145: a queued item is not queued twice; one enqueued while running
    /// runs again afterwards (DDI).
    fn WdfWorkItemEnqueue(WorkItem: WDFWORKITEM) as PFN_WDFWORKITEMENQUEUE {
        let Some((machine, _s)) = routine("WdfWorkItemEnqueue", DISPATCH_LEVEL) else { return };
        let mut state = machine.lock();
        let spawn = match state.objects.live.get_mut(&(WorkItem as usize)).map(|o| &mut o.kind) {
            Some(Kind::WorkItem(w)) => {
                w.queued = true;
                let spawn = !w.worker;
                w.worker = true;
                spawn
            }
            _ => {
                state.violations.push(String::from("WdfWorkItemEnqueue: not a work item"));
                return;
            }
        };
        if spawn {
            let m = std::sync::Arc::clone(&machine);
            let handle = WorkItem as usize;
            let worker = std::thread::spawn(move || work_item_thread(&m, handle));
            state.workers.push(worker);
        }
        drop(state);
        machine.changed.notify_all();
    }

    /// wdfworkitem.h:161-170.
    #[must_use]
    fn WdfWorkItemGetParentObject(WorkItem: WDFWORKITEM) -> WDFOBJECT as PFN_WDFWORKITEMGETPARENTOBJECT {
        let Some((machine, _s)) = routine("WdfWorkItemGetParentObject", DISPATCH_LEVEL) else { return std::ptr::null_mut() };
        let state = machine.lock();
        state.objects.live.get(&(WorkItem as usize)).map_or(std::ptr::null_mut(), |o| o.parent as WDFOBJECT)
    }

    /// wdfworkitem.h:186-195: waits until the item is neither queued nor running.
    fn WdfWorkItemFlush(WorkItem: WDFWORKITEM) as PFN_WDFWORKITEMFLUSH {
        let Some((machine, _s)) = routine("WdfWorkItemFlush", PASSIVE_LEVEL) else { return };
        if WORKER.with(std::cell::Cell::get) == WorkItem as usize {
            machine.violation(String::from("WdfWorkItemFlush from the work item's own callback (deadlock)"));
            return;
        }
        let mut state = machine.lock();
        loop {
            let busy = match state.objects.live.get(&(WorkItem as usize)).map(|o| &o.kind) {
                Some(Kind::WorkItem(w)) => w.queued || w.running,
                _ => false,
            };
            if !busy {
                return;
            }
            state = machine.changed.wait_timeout(state, Duration::from_millis(20)).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }

    /// wdfsync.h:115-127.
    #[must_use]
    fn WdfWaitLockCreate(LockAttributes: PWDF_OBJECT_ATTRIBUTES, Lock: *mut WDFWAITLOCK) -> NTSTATUS as PFN_WDFWAITLOCKCREATE {
        let Some((machine, _s)) = routine("WdfWaitLockCreate", DISPATCH_LEVEL) else { return STATUS_INVALID_PARAMETER };
        let parent = driver_handle(&machine.lock());
        let attrs = match attributes(&machine, "WdfWaitLockCreate", LockAttributes, parent) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let handle = match create(&mut machine.lock(), Kind::WaitLock { owner: None }, attrs) {
            Ok(h) => h,
            Err(status) => return status,
        };
        // SAFETY: the driver's output.
        unsafe { Lock.write(handle as WDFWAITLOCK) };
        STATUS_SUCCESS
    }

    /// wdfsync.h:150-167: PASSIVE_LEVEL when Timeout is NULL; waits.
    #[must_use]
    fn WdfWaitLockAcquire(Lock: WDFWAITLOCK, Timeout: PLONGLONG) -> NTSTATUS as PFN_WDFWAITLOCKACQUIRE {
        let max = if Timeout.is_null() { PASSIVE_LEVEL } else { DISPATCH_LEVEL };
        let Some((machine, _s)) = routine("WdfWaitLockAcquire", max) else { return STATUS_INVALID_PARAMETER };
        let me = std::thread::current().id();
        let mut state = machine.lock();
        loop {
            match state.objects.live.get_mut(&(Lock as usize)).map(|o| &mut o.kind) {
                Some(Kind::WaitLock { owner }) => match owner {
                    None => {
                        *owner = Some(me);
                        return STATUS_SUCCESS;
                    }
                    Some(o) if *o == me => {
                        state.violations.push(String::from("WdfWaitLockAcquire: recursive acquire (deadlock)"));
                        return STATUS_INVALID_DEVICE_REQUEST;
                    }
                    Some(_) => {}
                },
                _ => {
                    state.violations.push(String::from("WdfWaitLockAcquire: not a wait lock"));
                    return STATUS_INVALID_PARAMETER;
                }
            }
            state = machine.changed.wait_timeout(state, Duration::from_millis(20)).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }

    /// wdfsync.h:191-202.
    fn WdfWaitLockRelease(Lock: WDFWAITLOCK) as PFN_WDFWAITLOCKRELEASE {
        let Some((machine, _s)) = routine("WdfWaitLockRelease", DISPATCH_LEVEL) else { return };
        let me = std::thread::current().id();
        let mut state = machine.lock();
        match state.objects.live.get_mut(&(Lock as usize)).map(|o| &mut o.kind) {
            Some(Kind::WaitLock { owner }) if *owner == Some(me) => *owner = None,
            _ => state.violations.push(String::from("WdfWaitLockRelease of a lock this thread does not hold")),
        }
        drop(state);
        machine.changed.notify_all();
    }

    /// wdfsync.h:220-232.
    #[must_use]
    fn WdfSpinLockCreate(SpinLockAttributes: PWDF_OBJECT_ATTRIBUTES, SpinLock: *mut WDFSPINLOCK) -> NTSTATUS
        as PFN_WDFSPINLOCKCREATE
    {
        let Some((machine, _s)) = routine("WdfSpinLockCreate", DISPATCH_LEVEL) else { return STATUS_INVALID_PARAMETER };
        let parent = driver_handle(&machine.lock());
        let attrs = match attributes(&machine, "WdfSpinLockCreate", SpinLockAttributes, parent) {
            Ok(a) => a,
            Err(status) => return status,
        };
        let handle = match create(&mut machine.lock(), Kind::SpinLock { owner: None, saved_irql: 0 }, attrs) {
            Ok(h) => h,
            Err(status) => return status,
        };
        // SAFETY: the driver's output.
        unsafe { SpinLock.write(handle as WDFSPINLOCK) };
        STATUS_SUCCESS
    }

    /// wdfsync.h:251-264: raises to DISPATCH_LEVEL, then spins.
    fn WdfSpinLockAcquire(SpinLock: WDFSPINLOCK) as PFN_WDFSPINLOCKACQUIRE {
        let Some((machine, _s)) = routine("WdfSpinLockAcquire", DISPATCH_LEVEL) else { return };
        let saved = irql();
        if saved < 2 {
            set_irql(&machine, 2);
        }
        let me = std::thread::current().id();
        let mut state = machine.lock();
        loop {
            match state.objects.live.get_mut(&(SpinLock as usize)).map(|o| &mut o.kind) {
                Some(Kind::SpinLock { owner, saved_irql }) => match owner {
                    None => {
                        *owner = Some(me);
                        *saved_irql = saved;
                        return;
                    }
                    Some(o) if *o == me => {
                        state.violations.push(String::from("WdfSpinLockAcquire: recursive acquire (deadlock)"));
                        return;
                    }
                    Some(_) => {}
                },
                _ => {
                    state.violations.push(String::from("WdfSpinLockAcquire: not a spin lock"));
                    return;
                }
            }
            state = machine.changed.wait_timeout(state, Duration::from_millis(5)).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }

    /// wdfsync.h:284-297: restores the IRQL saved by the acquire.
    fn WdfSpinLockRelease(SpinLock: WDFSPINLOCK) as PFN_WDFSPINLOCKRELEASE {
        let Some((machine, _s)) = routine("WdfSpinLockRelease", DISPATCH_LEVEL) else { return };
        let me = std::thread::current().id();
        let mut state = machine.lock();
        let restore = match state.objects.live.get_mut(&(SpinLock as usize)).map(|o| &mut o.kind) {
            Some(Kind::SpinLock { owner, saved_irql }) if *owner == Some(me) => {
                *owner = None;
                *saved_irql
            }
            _ => {
                state.violations.push(String::from("WdfSpinLockRelease of a lock this thread does not hold"));
                return;
            }
        };
        drop(state);
        if irql() != 2 {
            machine.violation(format!("WdfSpinLockRelease at IRQL {} (must be DISPATCH_LEVEL)", irql()));
        }
        set_irql(&machine, restore);
        machine.changed.notify_all();
    }
}

std::thread_local! {
    /// The work item whose callback this thread runs (0: none).
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A work item's thread: runs the callback at PASSIVE_LEVEL while the item is queued.
fn work_item_thread(machine: &std::sync::Arc<Inner>, handle: usize) {
    let _thread = super::enter(machine);
    WORKER.with(|w| w.set(handle));
    loop {
        let mut state = machine.lock();
        let callback = match state.objects.live.get_mut(&handle).map(|o| &mut o.kind) {
            Some(Kind::WorkItem(w)) if w.queued => {
                w.queued = false;
                w.running = true;
                w.callback
            }
            Some(Kind::WorkItem(w)) => {
                w.worker = false;
                drop(state);
                machine.changed.notify_all();
                return;
            }
            _ => return,
        };
        drop(state);
        if let Some(callback) = callback {
            call_driver(machine, 0, || {
                // SAFETY: the driver's callback for its own work item.
                unsafe { callback(handle as WDFWORKITEM) }
            });
        }
        let mut state = machine.lock();
        if let Some(Kind::WorkItem(w)) = state.objects.live.get_mut(&handle).map(|o| &mut o.kind) {
            w.running = false;
            w.runs += 1;
        }
        drop(state);
        machine.changed.notify_all();
    }
}

/// The bytes of a GUID as it lies in memory.
pub(crate) fn guid_bytes(guid: &crate::sys::GUID) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..4].copy_from_slice(&guid.Data1.to_le_bytes());
    out[4..6].copy_from_slice(&guid.Data2.to_le_bytes());
    out[6..8].copy_from_slice(&guid.Data3.to_le_bytes());
    out[8..].copy_from_slice(&guid.Data4);
    out
}

/// The `Device Parameters` key of a device instance.
pub(crate) fn device_parameters(instance_path: &str) -> String {
    format!(
        "\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Enum\\{instance_path}\\Device Parameters"
    )
}

/// A fresh WDFDEVICE_INIT for EvtDriverDeviceAdd.
pub(crate) fn new_device_init(state: &mut State, instance_path: &str) -> usize {
    let address =
        0x6d00_0000 + state.device_inits.len() * 0x100 + state.objects.live.len() * 0x1000;
    state.device_inits.insert(
        address,
        Device {
            instance_path: String::from(instance_path),
            ..Device::default()
        },
    );
    address
}
