//! WDF 1.33 types, callbacks and function-table entries (`wdk_sys` root items from `wdf.h`).
//!
//! ```text
//!   driver ──► call_unsafe_wdf_function_binding!(WdfX, ..) (this file) ──► sim::wdf::WdfX
//!              types, handles, callbacks, configuration structs (this file)
//! ```
//!
//! Every `Wdf*` API is a `FORCEINLINE` wrapper over the function table, so wdk-sys generates
//! only its `PFN_WDF*` typedef and the driver calls it through
//! `call_unsafe_wdf_function_binding!`; this stand-in declares the same typedefs (parameters as
//! in the header, `DriverGlobals` first) and a macro that calls the simulated entry with the
//! arguments minus `DriverGlobals`, type-checked the same way (wdf-standin.md §2).

use super::{
    ACCESS_MASK, BOOLEAN, CHAR, GUID, HANDLE, LPCSTR, LPGUID, NTSTATUS, PCUNICODE_STRING,
    PDRIVER_OBJECT, PINTERFACE, PLONGLONG, PULONG, PVOID, ULONG, zeroed_default,
};
use core::ffi::c_int;

// ---------------------------------------------------------------------------------------------
// Handles (WDF wdftypes.h:107-178): DECLARE_HANDLE under STRICT gives one struct per handle.
// ---------------------------------------------------------------------------------------------

macro_rules! declare_handle {
    ($($(#[$doc:meta])* $tag:ident => $name:ident;)*) => {$(
        $(#[$doc])*
        #[repr(C)]
        #[derive(Debug, Default, Copy, Clone)]
        pub struct $tag {
            pub unused: c_int,
        }
        pub type $name = *mut $tag;
    )*};
}

declare_handle! {
    /// wdftypes.h:132.
    WDFDRIVER__ => WDFDRIVER;
    /// wdftypes.h:133.
    WDFDEVICE__ => WDFDEVICE;
    /// wdftypes.h:135.
    WDFWMIPROVIDER__ => WDFWMIPROVIDER;
    /// wdftypes.h:136.
    WDFWMIINSTANCE__ => WDFWMIINSTANCE;
    /// wdftypes.h:143.
    WDFWORKITEM__ => WDFWORKITEM;
    /// wdftypes.h:149.
    WDFWAITLOCK__ => WDFWAITLOCK;
    /// wdftypes.h:150.
    WDFSPINLOCK__ => WDFSPINLOCK;
    /// wdftypes.h:171.
    WDFKEY__ => WDFKEY;
    /// wdftypes.h:178.
    WDFCMRESLIST__ => WDFCMRESLIST;
}

/// wdftypes.h:127 (`typedef HANDLE WDFOBJECT`).
pub type WDFOBJECT = HANDLE;

/// wdftypes.h:107 (`typedef struct WDFDEVICE_INIT *PWDFDEVICE_INIT`, opaque).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct WDFDEVICE_INIT {
    pub _unused: [u8; 0],
}
pub type PWDFDEVICE_INIT = *mut WDFDEVICE_INIT;

/// wdk-sys `src/constants.rs:36` (`WDF_NO_OBJECT_ATTRIBUTES` is a null pointer).
pub const WDF_NO_OBJECT_ATTRIBUTES: PWDF_OBJECT_ATTRIBUTES = ::core::ptr::null_mut();

// ---------------------------------------------------------------------------------------------
// Enums (MSVC enums are `int`: bindgen `ModuleConsts`)
// ---------------------------------------------------------------------------------------------

/// wdfobject.h:51-56 (the value the driver sets).
pub mod _WDF_EXECUTION_LEVEL {
    pub type Type = ::core::ffi::c_int;
    pub const WdfExecutionLevelInheritFromParent: Type = 1;
}
pub use self::_WDF_EXECUTION_LEVEL::Type as WDF_EXECUTION_LEVEL;

/// wdfobject.h:61-67 (the value the driver sets).
pub mod _WDF_SYNCHRONIZATION_SCOPE {
    pub type Type = ::core::ffi::c_int;
    pub const WdfSynchronizationScopeInheritFromParent: Type = 1;
}
pub use self::_WDF_SYNCHRONIZATION_SCOPE::Type as WDF_SYNCHRONIZATION_SCOPE;

/// wdfwmi.h:50-54 (only the type).
pub mod _WDF_WMI_PROVIDER_CONTROL {
    pub type Type = ::core::ffi::c_int;
}
pub use self::_WDF_WMI_PROVIDER_CONTROL::Type as WDF_WMI_PROVIDER_CONTROL;

/// wdfdevice.h:472-481 (only the type: the driver's callbacks ignore it).
pub mod _WDF_POWER_DEVICE_STATE {
    pub type Type = ::core::ffi::c_int;
}
pub use self::_WDF_POWER_DEVICE_STATE::Type as WDF_POWER_DEVICE_STATE;

/// wdfdevice.h:491-500 (only the type).
pub mod _WDF_SPECIAL_FILE_TYPE {
    pub type Type = ::core::ffi::c_int;
}
pub use self::_WDF_SPECIAL_FILE_TYPE::Type as WDF_SPECIAL_FILE_TYPE;

/// WDK19 wdm.h:29389-29397 (only the type).
pub mod _DEVICE_RELATION_TYPE {
    pub type Type = ::core::ffi::c_int;
}
pub use self::_DEVICE_RELATION_TYPE::Type as DEVICE_RELATION_TYPE;

// ---------------------------------------------------------------------------------------------
// Callbacks (`typedef R EVT_X(..)` -> `Option<unsafe extern "C" fn>`, `PFN_X = EVT_X`)
// ---------------------------------------------------------------------------------------------

/// wdfdriver.h:66-79.
pub type EVT_WDF_DRIVER_DEVICE_ADD = ::core::option::Option<
    unsafe extern "C" fn(Driver: WDFDRIVER, DeviceInit: PWDFDEVICE_INIT) -> NTSTATUS,
>;
pub type PFN_WDF_DRIVER_DEVICE_ADD = EVT_WDF_DRIVER_DEVICE_ADD;
/// wdfdriver.h:81-92.
pub type EVT_WDF_DRIVER_UNLOAD = ::core::option::Option<unsafe extern "C" fn(Driver: WDFDRIVER)>;
pub type PFN_WDF_DRIVER_UNLOAD = EVT_WDF_DRIVER_UNLOAD;
/// wdfobject.h:71-82.
pub type EVT_WDF_OBJECT_CONTEXT_CLEANUP =
    ::core::option::Option<unsafe extern "C" fn(Object: WDFOBJECT)>;
pub type PFN_WDF_OBJECT_CONTEXT_CLEANUP = EVT_WDF_OBJECT_CONTEXT_CLEANUP;
/// wdfobject.h:84-95.
pub type EVT_WDF_OBJECT_CONTEXT_DESTROY =
    ::core::option::Option<unsafe extern "C" fn(Object: WDFOBJECT)>;
pub type PFN_WDF_OBJECT_CONTEXT_DESTROY = EVT_WDF_OBJECT_CONTEXT_DESTROY;
/// wdfobject.h:175-179.
pub type PFN_GET_UNIQUE_CONTEXT_TYPE =
    ::core::option::Option<unsafe extern "C" fn() -> PCWDF_OBJECT_CONTEXT_TYPE_INFO>;

/// wdfdevice.h:835-846.
pub type EVT_WDF_DEVICE_D0_ENTRY = ::core::option::Option<
    unsafe extern "C" fn(Device: WDFDEVICE, PreviousState: WDF_POWER_DEVICE_STATE) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_D0_ENTRY = EVT_WDF_DEVICE_D0_ENTRY;
/// wdfdevice.h:850-861.
pub type EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED = ::core::option::Option<
    unsafe extern "C" fn(Device: WDFDEVICE, PreviousState: WDF_POWER_DEVICE_STATE) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED =
    EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED;
/// wdfdevice.h:880-891.
pub type EVT_WDF_DEVICE_D0_EXIT = ::core::option::Option<
    unsafe extern "C" fn(Device: WDFDEVICE, TargetState: WDF_POWER_DEVICE_STATE) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_D0_EXIT = EVT_WDF_DEVICE_D0_EXIT;
/// wdfdevice.h:895-906.
pub type EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED = ::core::option::Option<
    unsafe extern "C" fn(Device: WDFDEVICE, TargetState: WDF_POWER_DEVICE_STATE) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED =
    EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED;
/// wdfdevice.h:925-940.
pub type EVT_WDF_DEVICE_PREPARE_HARDWARE = ::core::option::Option<
    unsafe extern "C" fn(
        Device: WDFDEVICE,
        ResourcesRaw: WDFCMRESLIST,
        ResourcesTranslated: WDFCMRESLIST,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_PREPARE_HARDWARE = EVT_WDF_DEVICE_PREPARE_HARDWARE;
/// wdfdevice.h:942-955.
pub type EVT_WDF_DEVICE_RELEASE_HARDWARE = ::core::option::Option<
    unsafe extern "C" fn(Device: WDFDEVICE, ResourcesTranslated: WDFCMRESLIST) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_RELEASE_HARDWARE = EVT_WDF_DEVICE_RELEASE_HARDWARE;
/// wdfdevice.h:957-966.
pub type EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE)>;
pub type PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP = EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP;
/// wdfdevice.h:970-979.
pub type EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE)>;
pub type PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH = EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH;
/// wdfdevice.h:983-992.
pub type EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE) -> NTSTATUS>;
pub type PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT = EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT;
/// wdfdevice.h:996-1005.
pub type EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE) -> NTSTATUS>;
pub type PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND = EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND;
/// wdfdevice.h:1009-1018.
pub type EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE) -> NTSTATUS>;
pub type PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART = EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART;
/// wdfdevice.h:1022-1031.
pub type EVT_WDF_DEVICE_QUERY_STOP =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE) -> NTSTATUS>;
pub type PFN_WDF_DEVICE_QUERY_STOP = EVT_WDF_DEVICE_QUERY_STOP;
/// wdfdevice.h:1035-1044.
pub type EVT_WDF_DEVICE_QUERY_REMOVE =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE) -> NTSTATUS>;
pub type PFN_WDF_DEVICE_QUERY_REMOVE = EVT_WDF_DEVICE_QUERY_REMOVE;
/// wdfdevice.h:1048-1057.
pub type EVT_WDF_DEVICE_SURPRISE_REMOVAL =
    ::core::option::Option<unsafe extern "C" fn(Device: WDFDEVICE)>;
pub type PFN_WDF_DEVICE_SURPRISE_REMOVAL = EVT_WDF_DEVICE_SURPRISE_REMOVAL;
/// wdfdevice.h:1061-1074.
pub type EVT_WDF_DEVICE_USAGE_NOTIFICATION = ::core::option::Option<
    unsafe extern "C" fn(
        Device: WDFDEVICE,
        NotificationType: WDF_SPECIAL_FILE_TYPE,
        IsInNotificationPath: BOOLEAN,
    ),
>;
pub type PFN_WDF_DEVICE_USAGE_NOTIFICATION = EVT_WDF_DEVICE_USAGE_NOTIFICATION;
/// wdfdevice.h:1078-1091.
pub type EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX = ::core::option::Option<
    unsafe extern "C" fn(
        Device: WDFDEVICE,
        NotificationType: WDF_SPECIAL_FILE_TYPE,
        IsInNotificationPath: BOOLEAN,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX = EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX;
/// wdfdevice.h:1095-1106.
pub type EVT_WDF_DEVICE_RELATIONS_QUERY = ::core::option::Option<
    unsafe extern "C" fn(Device: WDFDEVICE, RelationType: DEVICE_RELATION_TYPE),
>;
pub type PFN_WDF_DEVICE_RELATIONS_QUERY = EVT_WDF_DEVICE_RELATIONS_QUERY;

/// wdfwmi.h:77-94.
pub type EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE = ::core::option::Option<
    unsafe extern "C" fn(
        WmiInstance: WDFWMIINSTANCE,
        OutBufferSize: ULONG,
        OutBuffer: PVOID,
        BufferUsed: PULONG,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE = EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE;
/// wdfwmi.h:96-111.
pub type EVT_WDF_WMI_INSTANCE_SET_INSTANCE = ::core::option::Option<
    unsafe extern "C" fn(
        WmiInstance: WDFWMIINSTANCE,
        InBufferSize: ULONG,
        InBuffer: PVOID,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_WMI_INSTANCE_SET_INSTANCE = EVT_WDF_WMI_INSTANCE_SET_INSTANCE;
/// wdfwmi.h:113-130.
pub type EVT_WDF_WMI_INSTANCE_SET_ITEM = ::core::option::Option<
    unsafe extern "C" fn(
        WmiInstance: WDFWMIINSTANCE,
        DataItemId: ULONG,
        InBufferSize: ULONG,
        InBuffer: PVOID,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_WMI_INSTANCE_SET_ITEM = EVT_WDF_WMI_INSTANCE_SET_ITEM;
/// wdfwmi.h:132-154.
pub type EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD = ::core::option::Option<
    unsafe extern "C" fn(
        WmiInstance: WDFWMIINSTANCE,
        MethodId: ULONG,
        InBufferSize: ULONG,
        OutBufferSize: ULONG,
        Buffer: PVOID,
        BufferUsed: PULONG,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD = EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD;
/// wdfwmi.h:156-171.
pub type EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL = ::core::option::Option<
    unsafe extern "C" fn(
        WmiProvider: WDFWMIPROVIDER,
        Control: WDF_WMI_PROVIDER_CONTROL,
        Enable: BOOLEAN,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_WMI_PROVIDER_FUNCTION_CONTROL = EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL;

/// wdfqueryinterface.h:52-69.
pub type EVT_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST = ::core::option::Option<
    unsafe extern "C" fn(
        Device: WDFDEVICE,
        InterfaceType: LPGUID,
        ExposedInterface: PINTERFACE,
        ExposedInterfaceSpecificData: PVOID,
    ) -> NTSTATUS,
>;
pub type PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST =
    EVT_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST;

/// wdfworkitem.h:53-64 (`EVT_WDF_WORKITEM`).
pub type EVT_WDF_WORKITEM = ::core::option::Option<unsafe extern "C" fn(WorkItem: WDFWORKITEM)>;
pub type PFN_WDF_WORKITEM = EVT_WDF_WORKITEM;

// ---------------------------------------------------------------------------------------------
// Structures (no `*_INIT` helper is generated: the driver sets `Size` and fields itself)
// ---------------------------------------------------------------------------------------------

/// wdfdriver.h:121-145 (32 bytes).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_DRIVER_CONFIG {
    pub Size: ULONG,
    pub EvtDriverDeviceAdd: PFN_WDF_DRIVER_DEVICE_ADD,
    pub EvtDriverUnload: PFN_WDF_DRIVER_UNLOAD,
    pub DriverInitFlags: ULONG,
    pub DriverPoolTag: ULONG,
}
pub type WDF_DRIVER_CONFIG = _WDF_DRIVER_CONFIG;
pub type PWDF_DRIVER_CONFIG = *mut _WDF_DRIVER_CONFIG;

/// wdfglobals.h:53-72 (56 bytes).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_DRIVER_GLOBALS {
    pub Driver: WDFDRIVER,
    pub DriverFlags: ULONG,
    pub DriverTag: ULONG,
    pub DriverName: [CHAR; 32],
    pub DisplaceDriverUnload: BOOLEAN,
}
pub type PWDF_DRIVER_GLOBALS = *mut _WDF_DRIVER_GLOBALS;

/// wdfobject.h:100-143 (56 bytes).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _WDF_OBJECT_ATTRIBUTES {
    pub Size: ULONG,
    pub EvtCleanupCallback: PFN_WDF_OBJECT_CONTEXT_CLEANUP,
    pub EvtDestroyCallback: PFN_WDF_OBJECT_CONTEXT_DESTROY,
    pub ExecutionLevel: WDF_EXECUTION_LEVEL,
    pub SynchronizationScope: WDF_SYNCHRONIZATION_SCOPE,
    pub ParentObject: WDFOBJECT,
    pub ContextSizeOverride: usize,
    pub ContextTypeInfo: PCWDF_OBJECT_CONTEXT_TYPE_INFO,
}
impl Default for _WDF_OBJECT_ATTRIBUTES {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type WDF_OBJECT_ATTRIBUTES = _WDF_OBJECT_ATTRIBUTES;
pub type PWDF_OBJECT_ATTRIBUTES = *mut _WDF_OBJECT_ATTRIBUTES;

/// wdfobject.h:183-216 (40 bytes).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _WDF_OBJECT_CONTEXT_TYPE_INFO {
    pub Size: ULONG,
    pub ContextName: LPCSTR,
    pub ContextSize: usize,
    pub UniqueType: PCWDF_OBJECT_CONTEXT_TYPE_INFO,
    pub EvtDriverGetUniqueContextType: PFN_GET_UNIQUE_CONTEXT_TYPE,
}
impl Default for _WDF_OBJECT_CONTEXT_TYPE_INFO {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type WDF_OBJECT_CONTEXT_TYPE_INFO = _WDF_OBJECT_CONTEXT_TYPE_INFO;
/// wdfobject.h:98.
pub type PCWDF_OBJECT_CONTEXT_TYPE_INFO = *const _WDF_OBJECT_CONTEXT_TYPE_INFO;

/// wdfdevice.h:1205-1228 (144 bytes).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_PNPPOWER_EVENT_CALLBACKS {
    pub Size: ULONG,
    pub EvtDeviceD0Entry: PFN_WDF_DEVICE_D0_ENTRY,
    pub EvtDeviceD0EntryPostInterruptsEnabled: PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED,
    pub EvtDeviceD0Exit: PFN_WDF_DEVICE_D0_EXIT,
    pub EvtDeviceD0ExitPreInterruptsDisabled: PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED,
    pub EvtDevicePrepareHardware: PFN_WDF_DEVICE_PREPARE_HARDWARE,
    pub EvtDeviceReleaseHardware: PFN_WDF_DEVICE_RELEASE_HARDWARE,
    pub EvtDeviceSelfManagedIoCleanup: PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP,
    pub EvtDeviceSelfManagedIoFlush: PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH,
    pub EvtDeviceSelfManagedIoInit: PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT,
    pub EvtDeviceSelfManagedIoSuspend: PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND,
    pub EvtDeviceSelfManagedIoRestart: PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART,
    pub EvtDeviceSurpriseRemoval: PFN_WDF_DEVICE_SURPRISE_REMOVAL,
    pub EvtDeviceQueryRemove: PFN_WDF_DEVICE_QUERY_REMOVE,
    pub EvtDeviceQueryStop: PFN_WDF_DEVICE_QUERY_STOP,
    pub EvtDeviceUsageNotification: PFN_WDF_DEVICE_USAGE_NOTIFICATION,
    pub EvtDeviceRelationsQuery: PFN_WDF_DEVICE_RELATIONS_QUERY,
    pub EvtDeviceUsageNotificationEx: PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX,
}
pub type WDF_PNPPOWER_EVENT_CALLBACKS = _WDF_PNPPOWER_EVENT_CALLBACKS;
pub type PWDF_PNPPOWER_EVENT_CALLBACKS = *mut _WDF_PNPPOWER_EVENT_CALLBACKS;

/// wdfwmi.h:173-201 (40 bytes).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_WMI_PROVIDER_CONFIG {
    pub Size: ULONG,
    pub Guid: GUID,
    pub Flags: ULONG,
    pub MinInstanceBufferSize: ULONG,
    pub EvtWmiProviderFunctionControl: PFN_WDF_WMI_PROVIDER_FUNCTION_CONTROL,
}
pub type WDF_WMI_PROVIDER_CONFIG = _WDF_WMI_PROVIDER_CONFIG;
pub type PWDF_WMI_PROVIDER_CONFIG = *mut _WDF_WMI_PROVIDER_CONFIG;

/// wdfwmi.h:216-268 (64 bytes).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _WDF_WMI_INSTANCE_CONFIG {
    pub Size: ULONG,
    pub Provider: WDFWMIPROVIDER,
    pub ProviderConfig: PWDF_WMI_PROVIDER_CONFIG,
    pub UseContextForQuery: BOOLEAN,
    pub Register: BOOLEAN,
    pub EvtWmiInstanceQueryInstance: PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE,
    pub EvtWmiInstanceSetInstance: PFN_WDF_WMI_INSTANCE_SET_INSTANCE,
    pub EvtWmiInstanceSetItem: PFN_WDF_WMI_INSTANCE_SET_ITEM,
    pub EvtWmiInstanceExecuteMethod: PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD,
}
impl Default for _WDF_WMI_INSTANCE_CONFIG {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type WDF_WMI_INSTANCE_CONFIG = _WDF_WMI_INSTANCE_CONFIG;
pub type PWDF_WMI_INSTANCE_CONFIG = *mut _WDF_WMI_INSTANCE_CONFIG;

/// wdfqueryinterface.h:71-127 (48 bytes).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _WDF_QUERY_INTERFACE_CONFIG {
    pub Size: ULONG,
    pub Interface: PINTERFACE,
    pub InterfaceType: *const GUID,
    pub SendQueryToParentStack: BOOLEAN,
    pub EvtDeviceProcessQueryInterfaceRequest: PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST,
    pub ImportInterface: BOOLEAN,
}
impl Default for _WDF_QUERY_INTERFACE_CONFIG {
    fn default() -> Self {
        zeroed_default()
    }
}
pub type WDF_QUERY_INTERFACE_CONFIG = _WDF_QUERY_INTERFACE_CONFIG;
pub type PWDF_QUERY_INTERFACE_CONFIG = *mut _WDF_QUERY_INTERFACE_CONFIG;

/// wdfworkitem.h:66-81 (24 bytes).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_WORKITEM_CONFIG {
    pub Size: ULONG,
    pub EvtWorkItemFunc: PFN_WDF_WORKITEM,
    pub AutomaticSerialization: BOOLEAN,
}
pub type WDF_WORKITEM_CONFIG = _WDF_WORKITEM_CONFIG;
pub type PWDF_WORKITEM_CONFIG = *mut _WDF_WORKITEM_CONFIG;

// ---------------------------------------------------------------------------------------------
// Function-table entries: `PFN_WDF*` typedefs, `DriverGlobals` first (WDF 1.33 headers)
// ---------------------------------------------------------------------------------------------

/// wdfdriver.h:207-225, PASSIVE_LEVEL.
pub type PFN_WDFDRIVERCREATE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DriverObject: PDRIVER_OBJECT,
        RegistryPath: PCUNICODE_STRING,
        DriverAttributes: PWDF_OBJECT_ATTRIBUTES,
        DriverConfig: PWDF_DRIVER_CONFIG,
        Driver: *mut WDFDRIVER,
    ) -> NTSTATUS,
>;
/// wdfdevice.h:2974-2985, <= DISPATCH_LEVEL.
pub type PFN_WDFDEVICEINITSETPNPPOWEREVENTCALLBACKS = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DeviceInit: PWDFDEVICE_INIT,
        PnpPowerEventCallbacks: PWDF_PNPPOWER_EVENT_CALLBACKS,
    ),
>;
/// wdfdevice.h:3634-3648, PASSIVE_LEVEL.
pub type PFN_WDFDEVICECREATE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DeviceInit: *mut PWDFDEVICE_INIT,
        DeviceAttributes: PWDF_OBJECT_ATTRIBUTES,
        Device: *mut WDFDEVICE,
    ) -> NTSTATUS,
>;
/// wdfdevice.h:2524-2536, PASSIVE_LEVEL.
pub type PFN_WDFDEVICEASSIGNMOFRESOURCENAME = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Device: WDFDEVICE,
        MofResourceName: PCUNICODE_STRING,
    ) -> NTSTATUS,
>;
/// wdfdevice.h:2717-2735, PASSIVE_LEVEL.
pub type PFN_WDFDEVICEOPENREGISTRYKEY = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Device: WDFDEVICE,
        DeviceInstanceKeyType: ULONG,
        DesiredAccess: ACCESS_MASK,
        KeyAttributes: PWDF_OBJECT_ATTRIBUTES,
        Key: *mut WDFKEY,
    ) -> NTSTATUS,
>;
/// wdfqueryinterface.h:150-162, PASSIVE_LEVEL.
pub type PFN_WDFDEVICEADDQUERYINTERFACE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Device: WDFDEVICE,
        InterfaceConfig: PWDF_QUERY_INTERFACE_CONFIG,
    ) -> NTSTATUS,
>;
/// wdfobject.h:544-555 (FASTCALL, which is "C" on x64), <= DISPATCH_LEVEL + 1.
pub type PFN_WDFOBJECTGETTYPEDCONTEXTWORKER = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Handle: WDFOBJECT,
        TypeInfo: PCWDF_OBJECT_CONTEXT_TYPE_INFO,
    ) -> PVOID,
>;
/// wdfwmi.h:465-481, <= DISPATCH_LEVEL.
pub type PFN_WDFWMIINSTANCECREATE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Device: WDFDEVICE,
        InstanceConfig: PWDF_WMI_INSTANCE_CONFIG,
        InstanceAttributes: PWDF_OBJECT_ATTRIBUTES,
        Instance: *mut WDFWMIINSTANCE,
    ) -> NTSTATUS,
>;
/// wdfwmi.h:556-565, <= DISPATCH_LEVEL.
pub type PFN_WDFWMIINSTANCEGETDEVICE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        WmiInstance: WDFWMIINSTANCE,
    ) -> WDFDEVICE,
>;
/// wdfregistry.h:103-125, PASSIVE_LEVEL.
pub type PFN_WDFREGISTRYCREATEKEY = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        ParentKey: WDFKEY,
        KeyName: PCUNICODE_STRING,
        DesiredAccess: ACCESS_MASK,
        CreateOptions: ULONG,
        CreateDisposition: PULONG,
        KeyAttributes: PWDF_OBJECT_ATTRIBUTES,
        Key: *mut WDFKEY,
    ) -> NTSTATUS,
>;
/// wdfregistry.h:154-163, PASSIVE_LEVEL.
pub type PFN_WDFREGISTRYCLOSE =
    ::core::option::Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Key: WDFKEY)>;
/// wdfregistry.h:179-188, PASSIVE_LEVEL.
pub type PFN_WDFREGISTRYWDMGETHANDLE = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Key: WDFKEY) -> HANDLE,
>;
/// wdfregistry.h:231-243, PASSIVE_LEVEL.
pub type PFN_WDFREGISTRYREMOVEVALUE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Key: WDFKEY,
        ValueName: PCUNICODE_STRING,
    ) -> NTSTATUS,
>;
/// wdfregistry.h:506-524, PASSIVE_LEVEL.
pub type PFN_WDFREGISTRYASSIGNVALUE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Key: WDFKEY,
        ValueName: PCUNICODE_STRING,
        ValueType: ULONG,
        ValueLength: ULONG,
        Value: PVOID,
    ) -> NTSTATUS,
>;
/// wdfworkitem.h:101-115, <= DISPATCH_LEVEL.
pub type PFN_WDFWORKITEMCREATE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Config: PWDF_WORKITEM_CONFIG,
        Attributes: PWDF_OBJECT_ATTRIBUTES,
        WorkItem: *mut WDFWORKITEM,
    ) -> NTSTATUS,
>;
/// wdfworkitem.h:136-145, <= DISPATCH_LEVEL.
pub type PFN_WDFWORKITEMENQUEUE = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, WorkItem: WDFWORKITEM),
>;
/// wdfworkitem.h:161-170, <= DISPATCH_LEVEL.
pub type PFN_WDFWORKITEMGETPARENTOBJECT = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, WorkItem: WDFWORKITEM) -> WDFOBJECT,
>;
/// wdfworkitem.h:186-195, PASSIVE_LEVEL.
pub type PFN_WDFWORKITEMFLUSH = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, WorkItem: WDFWORKITEM),
>;
/// wdfsync.h:115-127, <= DISPATCH_LEVEL.
pub type PFN_WDFWAITLOCKCREATE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        LockAttributes: PWDF_OBJECT_ATTRIBUTES,
        Lock: *mut WDFWAITLOCK,
    ) -> NTSTATUS,
>;
/// wdfsync.h:150-167, PASSIVE_LEVEL when `Timeout` is NULL.
pub type PFN_WDFWAITLOCKACQUIRE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Lock: WDFWAITLOCK,
        Timeout: PLONGLONG,
    ) -> NTSTATUS,
>;
/// wdfsync.h:191-202, <= DISPATCH_LEVEL.
pub type PFN_WDFWAITLOCKRELEASE = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Lock: WDFWAITLOCK),
>;
/// wdfsync.h:220-232, <= DISPATCH_LEVEL.
pub type PFN_WDFSPINLOCKCREATE = ::core::option::Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        SpinLockAttributes: PWDF_OBJECT_ATTRIBUTES,
        SpinLock: *mut WDFSPINLOCK,
    ) -> NTSTATUS,
>;
/// wdfsync.h:251-264, <= DISPATCH_LEVEL (raises to DISPATCH_LEVEL).
pub type PFN_WDFSPINLOCKACQUIRE = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, SpinLock: WDFSPINLOCK),
>;
/// wdfsync.h:284-297, DISPATCH_LEVEL (restores the IRQL of the acquire).
pub type PFN_WDFSPINLOCKRELEASE = ::core::option::Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, SpinLock: WDFSPINLOCK),
>;

/// The stand-in for wdk-sys' `call_unsafe_wdf_function_binding!`: the same call syntax (the C
/// arguments minus `DriverGlobals`, trailing comma allowed, only inside `unsafe`), expanding
/// to the simulated function-table entry of that name. Each entry is checked at compile time
/// against its `PFN_` typedef above (see `sim::wdf`), so a wrong argument type or count fails
/// here as it would against the real bindings.
macro_rules! call_unsafe_wdf_function_binding {
    ($function:ident $(, $argument:expr)* $(,)?) => {
        $crate::sim::wdf::$function($($argument),*)
    };
}
pub(crate) use call_unsafe_wdf_function_binding;
