//! Kernel routines the driver calls (`wdk_sys::ntddk`: functions of `ntifs.h`, `ntddk.h`).
//!
//! ```text
//!   driver ──► sys::ntddk::X (this block's declarations) ──(link)──► sim::kernel (Linux)
//! ```
//!
//! Declared as bindgen declares them: an `unsafe extern "C"` block (NTAPI is the C convention
//! on x64), `#[must_use]` on every NTSTATUS-returning routine. On Linux the simulated kernel
//! (`sim::kernel`) defines these symbols; a compile-time check there ties each definition to
//! the declaration below.

use super::{
    ACCESS_MASK, BOOLEAN, HANDLE, KEY_VALUE_INFORMATION_CLASS, KIRQL, NTSTATUS, PACL,
    PKDEFERRED_ROUTINE, PKDPC, PPROCESSOR_NUMBER, PRKDPC, PSECURITY_DESCRIPTOR, PSID, PULONG,
    PVOID, SECURITY_INFORMATION, ULONG, USHORT,
};

unsafe extern "C" {
    /// WDK19 wdm.h:18291-18298 (`_IRQL_requires_max_(HIGH_LEVEL)`, raises).
    pub fn KfRaiseIrql(NewIrql: KIRQL) -> KIRQL;
    /// WDK19 wdm.h:18284-18289 (`_IRQL_requires_max_(HIGH_LEVEL)`).
    pub fn KeLowerIrql(NewIrql: KIRQL);
    /// WDK19 wdm.h:18253 (inline on AMD64; exported since Windows 10, wdf-standin.md §3.6).
    pub fn KeGetCurrentIrql() -> KIRQL;
    /// WDK19 wdm.h:22118-22122 (any IRQL).
    pub fn KeQueryActiveProcessorCountEx(GroupNumber: USHORT) -> ULONG;
    /// WDK19 wdm.h:22134-22138 (any IRQL).
    pub fn KeQueryMaximumProcessorCountEx(GroupNumber: USHORT) -> ULONG;
    /// WDK19 wdm.h:22401-22405.
    #[must_use]
    pub fn KeGetProcessorNumberFromIndex(
        ProcIndex: ULONG,
        ProcNumber: PPROCESSOR_NUMBER,
    ) -> NTSTATUS;
    /// WDK19 wdm.h:20660-20666.
    pub fn KeInitializeDpc(
        Dpc: PRKDPC,
        DeferredRoutine: PKDEFERRED_ROUTINE,
        DeferredContext: PVOID,
    );
    /// WDK19 wdm.h:21041-21047 (`_Must_inspect_result_`).
    #[must_use]
    pub fn KeSetTargetProcessorDpcEx(Dpc: PKDPC, ProcNumber: PPROCESSOR_NUMBER) -> NTSTATUS;
    /// WDK19 wdm.h:20680-20686 (any IRQL up to HIGH_LEVEL).
    pub fn KeInsertQueueDpc(Dpc: PRKDPC, SystemArgument1: PVOID, SystemArgument2: PVOID)
    -> BOOLEAN;
    /// WDK19 wdm.h:20743-20748 (`_IRQL_requires_max_(APC_LEVEL)`; DDI: PASSIVE_LEVEL).
    pub fn KeFlushQueuedDpcs();

    /// WDK19 wdm.h:39764-39779 (`_IRQL_requires_max_(PASSIVE_LEVEL)`).
    #[must_use]
    pub fn ZwEnumerateValueKey(
        KeyHandle: HANDLE,
        Index: ULONG,
        KeyValueInformationClass: KEY_VALUE_INFORMATION_CLASS,
        KeyValueInformation: PVOID,
        Length: ULONG,
        ResultLength: PULONG,
    ) -> NTSTATUS;
    /// WDK19 wdm.h:39783-39789 (`_IRQL_requires_max_(PASSIVE_LEVEL)`).
    #[must_use]
    pub fn ZwFlushKey(KeyHandle: HANDLE) -> NTSTATUS;
    /// WDK19 ntifs.h:27837-27846 (`_IRQL_requires_max_(PASSIVE_LEVEL)`).
    #[must_use]
    pub fn ZwSetSecurityObject(
        Handle: HANDLE,
        SecurityInformation: SECURITY_INFORMATION,
        SecurityDescriptor: PSECURITY_DESCRIPTOR,
    ) -> NTSTATUS;
    /// WDK19 wdm.h:14295-14302 (`_IRQL_requires_max_(APC_LEVEL)`).
    #[must_use]
    pub fn RtlCreateSecurityDescriptor(
        SecurityDescriptor: PSECURITY_DESCRIPTOR,
        Revision: ULONG,
    ) -> NTSTATUS;
    /// WDK19 wdm.h:14342-14351 (`_IRQL_requires_max_(APC_LEVEL)`).
    #[must_use]
    pub fn RtlSetDaclSecurityDescriptor(
        SecurityDescriptor: PSECURITY_DESCRIPTOR,
        DaclPresent: BOOLEAN,
        Dacl: PACL,
        DaclDefaulted: BOOLEAN,
    ) -> NTSTATUS;
    /// WDK19 ntifs.h:3926-3934 (`_IRQL_requires_max_(APC_LEVEL)`).
    #[must_use]
    pub fn RtlCreateAcl(Acl: PACL, AclLength: ULONG, AclRevision: ULONG) -> NTSTATUS;
    /// WDK19 ntifs.h:3978-3987 (`_IRQL_requires_max_(APC_LEVEL)`).
    #[must_use]
    pub fn RtlAddAccessAllowedAce(
        Acl: PACL,
        AceRevision: ULONG,
        AccessMask: ACCESS_MASK,
        Sid: PSID,
    ) -> NTSTATUS;
}
