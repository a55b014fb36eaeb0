//! Structure sizes for the `Size` fields, and compile-time checks of the layouts WDF expects.
//!
//! ```text
//!   every role file ──► layout (this file): `Size` values, const-asserted
//! ```
//!
//! wdk-sys generates neither `WDF_STRUCTURE_SIZE` nor the `*_INIT` helpers; drivers set `Size`
//! to `size_of` (the C macro differs only when the driver is newer than the framework,
//! wdffuncenum.h:177-193, which the INF's KMDF version rules out). This module is compiled on
//! Windows and elsewhere, so the asserts below compare the stand-in and the real bindings with
//! the same numbers (MSVC x64 layouts, `shared/reference/wdf-standin.md` §4).

use core::mem::{offset_of, size_of};

use crate::sys::{
    ACL, GUID, INTERFACE, KDPC, KEY_VALUE_BASIC_INFORMATION, KEY_VALUE_FULL_INFORMATION,
    PROCESSOR_NUMBER, SECURITY_DESCRIPTOR, ULONG, UNICODE_STRING, WDF_DRIVER_CONFIG,
    WDF_OBJECT_ATTRIBUTES, WDF_OBJECT_CONTEXT_TYPE_INFO, WDF_PNPPOWER_EVENT_CALLBACKS,
    WDF_QUERY_INTERFACE_CONFIG, WDF_WMI_INSTANCE_CONFIG, WDF_WMI_PROVIDER_CONFIG,
    WDF_WORKITEM_CONFIG,
};

/// `size_of::<T>()` as a `ULONG`, refused at compile time if it does not fit.
const fn ulong_size<T>() -> ULONG {
    let size = size_of::<T>();
    assert!(size <= 0xFFFF_FFFF, "structure larger than a ULONG");
    #[expect(
        clippy::cast_possible_truncation,
        reason = "checked against ULONG::MAX on the line above, at compile time"
    )]
    let size = size as ULONG;
    size
}

/// `WDF_DRIVER_CONFIG.Size`.
pub(crate) const DRIVER_CONFIG_SIZE: ULONG = ulong_size::<WDF_DRIVER_CONFIG>();
/// `WDF_OBJECT_ATTRIBUTES.Size`.
pub(crate) const OBJECT_ATTRIBUTES_SIZE: ULONG = ulong_size::<WDF_OBJECT_ATTRIBUTES>();
/// `WDF_OBJECT_CONTEXT_TYPE_INFO.Size`.
pub(crate) const CONTEXT_TYPE_INFO_SIZE: ULONG = ulong_size::<WDF_OBJECT_CONTEXT_TYPE_INFO>();
/// `WDF_PNPPOWER_EVENT_CALLBACKS.Size`.
pub(crate) const PNPPOWER_EVENT_CALLBACKS_SIZE: ULONG =
    ulong_size::<WDF_PNPPOWER_EVENT_CALLBACKS>();
/// `WDF_WMI_PROVIDER_CONFIG.Size`.
pub(crate) const WMI_PROVIDER_CONFIG_SIZE: ULONG = ulong_size::<WDF_WMI_PROVIDER_CONFIG>();
/// `WDF_WMI_INSTANCE_CONFIG.Size`.
pub(crate) const WMI_INSTANCE_CONFIG_SIZE: ULONG = ulong_size::<WDF_WMI_INSTANCE_CONFIG>();
/// `WDF_QUERY_INTERFACE_CONFIG.Size`.
pub(crate) const QUERY_INTERFACE_CONFIG_SIZE: ULONG = ulong_size::<WDF_QUERY_INTERFACE_CONFIG>();
/// `WDF_WORKITEM_CONFIG.Size`.
pub(crate) const WORKITEM_CONFIG_SIZE: ULONG = ulong_size::<WDF_WORKITEM_CONFIG>();
/// Offset of `Name` in `KEY_VALUE_BASIC_INFORMATION` (not its `size_of`, which is padded).
pub(crate) const KEY_VALUE_BASIC_NAME_OFFSET: usize = offset_of!(KEY_VALUE_BASIC_INFORMATION, Name);
/// Offset of `Name` in `KEY_VALUE_FULL_INFORMATION`.
pub(crate) const KEY_VALUE_FULL_NAME_OFFSET: usize = offset_of!(KEY_VALUE_FULL_INFORMATION, Name);

// wdf-standin.md §4, MSVC x64. A field in the wrong place or of the wrong width fails here.
const _: () = {
    assert!(size_of::<WDF_DRIVER_CONFIG>() == 32);
    assert!(offset_of!(WDF_DRIVER_CONFIG, EvtDriverDeviceAdd) == 8);
    assert!(offset_of!(WDF_DRIVER_CONFIG, EvtDriverUnload) == 16);
    assert!(offset_of!(WDF_DRIVER_CONFIG, DriverInitFlags) == 24);
    assert!(offset_of!(WDF_DRIVER_CONFIG, DriverPoolTag) == 28);

    assert!(size_of::<WDF_OBJECT_ATTRIBUTES>() == 56);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, EvtCleanupCallback) == 8);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, EvtDestroyCallback) == 16);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, ExecutionLevel) == 24);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, SynchronizationScope) == 28);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, ParentObject) == 32);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, ContextSizeOverride) == 40);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, ContextTypeInfo) == 48);

    assert!(size_of::<WDF_OBJECT_CONTEXT_TYPE_INFO>() == 40);
    assert!(offset_of!(WDF_OBJECT_CONTEXT_TYPE_INFO, ContextName) == 8);
    assert!(offset_of!(WDF_OBJECT_CONTEXT_TYPE_INFO, ContextSize) == 16);
    assert!(offset_of!(WDF_OBJECT_CONTEXT_TYPE_INFO, UniqueType) == 24);
    assert!(offset_of!(WDF_OBJECT_CONTEXT_TYPE_INFO, EvtDriverGetUniqueContextType) == 32);

    // Size plus seventeen callbacks (wdfdevice.h:1205-1228).
    assert!(size_of::<WDF_PNPPOWER_EVENT_CALLBACKS>() == 8 + 17 * 8);
    assert!(offset_of!(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDevicePrepareHardware) == 40);
    assert!(offset_of!(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDeviceReleaseHardware) == 48);

    assert!(size_of::<WDF_WMI_PROVIDER_CONFIG>() == 40);
    assert!(offset_of!(WDF_WMI_PROVIDER_CONFIG, Guid) == 4);
    assert!(offset_of!(WDF_WMI_PROVIDER_CONFIG, Flags) == 20);
    assert!(offset_of!(WDF_WMI_PROVIDER_CONFIG, MinInstanceBufferSize) == 24);
    assert!(offset_of!(WDF_WMI_PROVIDER_CONFIG, EvtWmiProviderFunctionControl) == 32);

    assert!(size_of::<WDF_WMI_INSTANCE_CONFIG>() == 64);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, Provider) == 8);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, ProviderConfig) == 16);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, UseContextForQuery) == 24);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, Register) == 25);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, EvtWmiInstanceQueryInstance) == 32);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, EvtWmiInstanceSetInstance) == 40);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, EvtWmiInstanceSetItem) == 48);
    assert!(offset_of!(WDF_WMI_INSTANCE_CONFIG, EvtWmiInstanceExecuteMethod) == 56);

    assert!(size_of::<WDF_QUERY_INTERFACE_CONFIG>() == 48);
    assert!(offset_of!(WDF_QUERY_INTERFACE_CONFIG, Interface) == 8);
    assert!(offset_of!(WDF_QUERY_INTERFACE_CONFIG, InterfaceType) == 16);
    assert!(offset_of!(WDF_QUERY_INTERFACE_CONFIG, SendQueryToParentStack) == 24);
    assert!(
        offset_of!(
            WDF_QUERY_INTERFACE_CONFIG,
            EvtDeviceProcessQueryInterfaceRequest
        ) == 32
    );
    assert!(offset_of!(WDF_QUERY_INTERFACE_CONFIG, ImportInterface) == 40);

    assert!(size_of::<WDF_WORKITEM_CONFIG>() == 24);
    assert!(offset_of!(WDF_WORKITEM_CONFIG, EvtWorkItemFunc) == 8);
    assert!(offset_of!(WDF_WORKITEM_CONFIG, AutomaticSerialization) == 16);

    assert!(size_of::<INTERFACE>() == 32);
    assert!(offset_of!(INTERFACE, Version) == 2);
    assert!(offset_of!(INTERFACE, Context) == 8);
    assert!(offset_of!(INTERFACE, InterfaceReference) == 16);
    assert!(offset_of!(INTERFACE, InterfaceDereference) == 24);

    assert!(size_of::<UNICODE_STRING>() == 16);
    assert!(offset_of!(UNICODE_STRING, Buffer) == 8);
    assert!(size_of::<GUID>() == 16);
    assert!(offset_of!(GUID, Data4) == 8);
    assert!(size_of::<PROCESSOR_NUMBER>() == 4);
    assert!(size_of::<KDPC>() == 64);

    assert!(KEY_VALUE_BASIC_NAME_OFFSET == 12);
    assert!(KEY_VALUE_FULL_NAME_OFFSET == 20);
    assert!(offset_of!(KEY_VALUE_FULL_INFORMATION, DataOffset) == 8);
    assert!(offset_of!(KEY_VALUE_FULL_INFORMATION, DataLength) == 12);
    assert!(offset_of!(KEY_VALUE_FULL_INFORMATION, NameLength) == 16);

    assert!(size_of::<SECURITY_DESCRIPTOR>() == 40);
    assert!(offset_of!(SECURITY_DESCRIPTOR, Dacl) == 32);
    assert!(size_of::<ACL>() == 8);
};
