//! Simulated kernel routines: the symbols the stand-in's `ntddk` block (and the driver's own
//! `BCryptGenRandom` declaration) link to on non-Windows builds.
//!
//! ```text
//!   driver ──► sys::ntddk::ZwFlushKey(..) ──(link)──► zw_flush_key (this file) ──► State
//! ```
//!
//! Each definition is exported under the C name, and a compile-time check below ties its type
//! to the declaration the driver calls, so a drift between them does not link silently.

#![expect(non_snake_case, reason = "parameter names are the header's")]

extern crate std;

use std::format;
use std::string::String;
use std::vec::Vec;

use super::dpc::{self, Queued};
use super::registry::{Ace, Dacl, sid_text};
use super::{irql, processor, routine, set_irql};
use crate::sys::{
    _KDPC__bindgen_ty_1, _KDPC__bindgen_ty_1__bindgen_ty_1, ACCESS_MASK, ACL, APC_LEVEL, BOOLEAN,
    DACL_SECURITY_INFORMATION, HANDLE, HIGH_LEVEL, KEY_QUERY_VALUE, KEY_VALUE_INFORMATION_CLASS,
    KIRQL, NTSTATUS, PACL, PASSIVE_LEVEL, PKDEFERRED_ROUTINE, PKDPC, PPROCESSOR_NUMBER, PRKDPC,
    PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID, PUCHAR, PULONG, PVOID,
    SECURITY_DESCRIPTOR, SECURITY_INFORMATION, STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL,
    STATUS_INVALID_PARAMETER, STATUS_NO_MORE_ENTRIES, STATUS_SUCCESS, ULONG, USHORT, WRITE_DAC,
    ntddk,
};

/// STATUS_ACCESS_DENIED (0xC0000022).
const STATUS_ACCESS_DENIED: NTSTATUS = 0xC000_0022_u32 as NTSTATUS;
/// STATUS_INVALID_HANDLE (0xC0000008).
const STATUS_INVALID_HANDLE: NTSTATUS = 0xC000_0008_u32 as NTSTATUS;
/// STATUS_ALLOTTED_SPACE_EXCEEDED (0xC0000099): the ACL has no room for the ACE.
const STATUS_ALLOTTED_SPACE_EXCEEDED: NTSTATUS = 0xC000_0099_u32 as NTSTATUS;
/// STATUS_UNKNOWN_REVISION (0xC0000058).
const STATUS_UNKNOWN_REVISION: NTSTATUS = 0xC000_0058_u32 as NTSTATUS;
/// STATUS_MEDIA_WRITE_PROTECTED (0xC00000A2): a store made read-only by a test.
pub(crate) const STATUS_MEDIA_WRITE_PROTECTED: NTSTATUS = 0xC000_00A2_u32 as NTSTATUS;
/// SE_DACL_PRESENT / SE_DACL_DEFAULTED (WDK19 wdm.h).
const SE_DACL_PRESENT: u16 = 0x0004;
const SE_DACL_DEFAULTED: u16 = 0x0008;

macro_rules! tie {
    ($declared:path, $defined:ident: $ty:ty) => {
        const _: [$ty; 2] = [$declared, $defined];
    };
}

// ---------------------------------------------------------------------------------------------
// IRQL
// ---------------------------------------------------------------------------------------------

#[unsafe(export_name = "KfRaiseIrql")]
unsafe extern "C" fn kf_raise_irql(NewIrql: KIRQL) -> KIRQL {
    let Some((machine, _s)) = routine("KfRaiseIrql", HIGH_LEVEL) else {
        return 0;
    };
    let old = irql();
    if NewIrql < old {
        machine.violation(format!(
            "KfRaiseIrql({NewIrql}) at IRQL {old}: lowering with a raise (IRQL_NOT_GREATER_OR_EQUAL)"
        ));
    }
    set_irql(&machine, NewIrql);
    old
}
tie!(ntddk::KfRaiseIrql, kf_raise_irql: unsafe extern "C" fn(KIRQL) -> KIRQL);

#[unsafe(export_name = "KeLowerIrql")]
unsafe extern "C" fn ke_lower_irql(NewIrql: KIRQL) {
    let Some((machine, _s)) = routine("KeLowerIrql", HIGH_LEVEL) else {
        return;
    };
    let old = irql();
    if NewIrql > old {
        machine.violation(format!(
            "KeLowerIrql({NewIrql}) at IRQL {old}: raising with a lower (IRQL_NOT_LESS_OR_EQUAL)"
        ));
    }
    set_irql(&machine, NewIrql);
}
tie!(ntddk::KeLowerIrql, ke_lower_irql: unsafe extern "C" fn(KIRQL));

#[unsafe(export_name = "KeGetCurrentIrql")]
unsafe extern "C" fn ke_get_current_irql() -> KIRQL {
    irql()
}
tie!(ntddk::KeGetCurrentIrql, ke_get_current_irql: unsafe extern "C" fn() -> KIRQL);

// ---------------------------------------------------------------------------------------------
// Processors and DPCs
// ---------------------------------------------------------------------------------------------

#[unsafe(export_name = "KeQueryActiveProcessorCountEx")]
unsafe extern "C" fn ke_query_active_processor_count_ex(GroupNumber: USHORT) -> ULONG {
    let Some((machine, _s)) = routine("KeQueryActiveProcessorCountEx", HIGH_LEVEL) else {
        return 0;
    };
    if GroupNumber == 0 || GroupNumber == 0xffff {
        machine.processors
    } else {
        0
    }
}
tie!(ntddk::KeQueryActiveProcessorCountEx, ke_query_active_processor_count_ex: unsafe extern "C" fn(USHORT) -> ULONG);

#[unsafe(export_name = "KeQueryMaximumProcessorCountEx")]
unsafe extern "C" fn ke_query_maximum_processor_count_ex(GroupNumber: USHORT) -> ULONG {
    let Some((machine, _s)) = routine("KeQueryMaximumProcessorCountEx", HIGH_LEVEL) else {
        return 0;
    };
    if GroupNumber == 0 || GroupNumber == 0xffff {
        machine.processors
    } else {
        0
    }
}
tie!(ntddk::KeQueryMaximumProcessorCountEx, ke_query_maximum_processor_count_ex: unsafe extern "C" fn(USHORT) -> ULONG);

#[unsafe(export_name = "KeGetProcessorNumberFromIndex")]
unsafe extern "C" fn ke_get_processor_number_from_index(
    ProcIndex: ULONG,
    ProcNumber: PPROCESSOR_NUMBER,
) -> NTSTATUS {
    let Some((machine, _s)) = routine("KeGetProcessorNumberFromIndex", HIGH_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    if ProcIndex >= machine.processors || ProcNumber.is_null() {
        return STATUS_INVALID_PARAMETER;
    }
    let number = crate::sys::PROCESSOR_NUMBER {
        Group: 0,
        Number: ProcIndex as u8,
        Reserved: 0,
    };
    // SAFETY: the driver passes a writable PROCESSOR_NUMBER.
    unsafe { ProcNumber.write(number) };
    STATUS_SUCCESS
}
tie!(ntddk::KeGetProcessorNumberFromIndex, ke_get_processor_number_from_index: unsafe extern "C" fn(ULONG, PPROCESSOR_NUMBER) -> NTSTATUS);

#[unsafe(export_name = "KeInitializeDpc")]
unsafe extern "C" fn ke_initialize_dpc(
    Dpc: PRKDPC,
    DeferredRoutine: PKDEFERRED_ROUTINE,
    DeferredContext: PVOID,
) {
    let Some((machine, _s)) = routine("KeInitializeDpc", HIGH_LEVEL) else {
        return;
    };
    if machine
        .lock()
        .dpcs
        .queued
        .iter()
        .any(|q| q.dpc == Dpc as usize)
    {
        machine.violation(String::from(
            "KeInitializeDpc on a DPC that is still queued",
        ));
    }
    let initialised = crate::sys::KDPC {
        __bindgen_anon_1: _KDPC__bindgen_ty_1 {
            __bindgen_anon_1: _KDPC__bindgen_ty_1__bindgen_ty_1 {
                Type: 0x13,
                Importance: 1,
                Number: 0,
            },
        },
        DeferredRoutine,
        DeferredContext,
        ..crate::sys::KDPC::default()
    };
    // SAFETY: the driver passes a writable KDPC.
    unsafe { Dpc.write(initialised) };
    machine
        .lock()
        .dpcs
        .targets
        .retain(|&(d, _)| d != Dpc as usize);
}
tie!(ntddk::KeInitializeDpc, ke_initialize_dpc: unsafe extern "C" fn(PRKDPC, PKDEFERRED_ROUTINE, PVOID));

#[unsafe(export_name = "KeSetTargetProcessorDpcEx")]
unsafe extern "C" fn ke_set_target_processor_dpc_ex(
    Dpc: PKDPC,
    ProcNumber: PPROCESSOR_NUMBER,
) -> NTSTATUS {
    let Some((machine, _s)) = routine("KeSetTargetProcessorDpcEx", HIGH_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    // SAFETY: the driver passes a readable PROCESSOR_NUMBER.
    let number = unsafe { *ProcNumber };
    if number.Group != 0 || u32::from(number.Number) >= machine.processors {
        return STATUS_INVALID_PARAMETER;
    }
    let mut state = machine.lock();
    state.dpcs.targets.retain(|&(d, _)| d != Dpc as usize);
    state
        .dpcs
        .targets
        .push((Dpc as usize, u32::from(number.Number)));
    STATUS_SUCCESS
}
tie!(ntddk::KeSetTargetProcessorDpcEx, ke_set_target_processor_dpc_ex: unsafe extern "C" fn(PKDPC, PPROCESSOR_NUMBER) -> NTSTATUS);

#[unsafe(export_name = "KeInsertQueueDpc")]
unsafe extern "C" fn ke_insert_queue_dpc(
    Dpc: PRKDPC,
    SystemArgument1: PVOID,
    SystemArgument2: PVOID,
) -> BOOLEAN {
    let Some((machine, _s)) = routine("KeInsertQueueDpc", HIGH_LEVEL) else {
        return 0;
    };
    // SAFETY: the driver passes a KDPC it initialised.
    let dpc = unsafe { Dpc.read() };
    let (routine_fn, context) = (dpc.DeferredRoutine, dpc.DeferredContext);
    let mut state = machine.lock();
    if state.dpcs.queued.iter().any(|q| q.dpc == Dpc as usize) {
        return 0;
    }
    let target = state
        .dpcs
        .targets
        .iter()
        .find(|&&(d, _)| d == Dpc as usize)
        .map_or(processor(), |&(_, t)| t);
    let epoch = state.cpus.get(target as usize).map_or(0, |c| c.epoch);
    state.dpcs.queued.push(Queued {
        dpc: Dpc as usize,
        target,
        epoch,
        routine: routine_fn,
        context: context as usize,
        arguments: (SystemArgument1 as usize, SystemArgument2 as usize),
    });
    1
}
tie!(ntddk::KeInsertQueueDpc, ke_insert_queue_dpc: unsafe extern "C" fn(PRKDPC, PVOID, PVOID) -> BOOLEAN);

#[unsafe(export_name = "KeFlushQueuedDpcs")]
unsafe extern "C" fn ke_flush_queued_dpcs() {
    // DDI: "Callers of KeFlushQueuedDpcs must be running at IRQL = PASSIVE_LEVEL" (the header
    // says APC_LEVEL; the stricter one is checked).
    let Some((machine, _s)) = routine("KeFlushQueuedDpcs", PASSIVE_LEVEL) else {
        return;
    };
    machine.count("KeFlushQueuedDpcs");
    dpc::flush(&machine);
}
tie!(ntddk::KeFlushQueuedDpcs, ke_flush_queued_dpcs: unsafe extern "C" fn());

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

/// Fixed parts of KEY_VALUE_{BASIC,FULL}_INFORMATION (wdm.h:7423-7438).
const BASIC_FIXED: usize = 12;
const FULL_FIXED: usize = 20;

#[unsafe(export_name = "ZwEnumerateValueKey")]
unsafe extern "C" fn zw_enumerate_value_key(
    KeyHandle: HANDLE,
    Index: ULONG,
    KeyValueInformationClass: KEY_VALUE_INFORMATION_CLASS,
    KeyValueInformation: PVOID,
    Length: ULONG,
    ResultLength: PULONG,
) -> NTSTATUS {
    let Some((machine, _s)) = routine("ZwEnumerateValueKey", PASSIVE_LEVEL) else {
        return STATUS_INVALID_HANDLE;
    };
    let state = machine.lock();
    let Some(handle) = state.registry.handles.get(&(KeyHandle as usize)).cloned() else {
        drop(state);
        machine.violation(format!(
            "ZwEnumerateValueKey on an invalid handle {KeyHandle:p}"
        ));
        return STATUS_INVALID_HANDLE;
    };
    if handle.access & KEY_QUERY_VALUE == 0 {
        return STATUS_ACCESS_DENIED;
    }
    let Some(value) = state
        .registry
        .key(&handle.path)
        .and_then(|k| k.values.values().nth(Index as usize))
        .cloned()
    else {
        return STATUS_NO_MORE_ENTRIES;
    };
    drop(state);
    let name: Vec<u8> = value
        .name
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut out = Vec::new();
    let fixed = match KeyValueInformationClass {
        0 => {
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&value.kind.to_le_bytes());
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(&name);
            BASIC_FIXED
        }
        1 => {
            let data_offset = (FULL_FIXED + name.len()).next_multiple_of(4);
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&value.kind.to_le_bytes());
            out.extend_from_slice(&(data_offset as u32).to_le_bytes());
            out.extend_from_slice(&(value.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(&name);
            out.resize(data_offset, 0);
            out.extend_from_slice(&value.data);
            FULL_FIXED
        }
        other => {
            machine.violation(format!(
                "ZwEnumerateValueKey class {other} is not simulated"
            ));
            return STATUS_INVALID_PARAMETER;
        }
    };
    let length = Length as usize;
    // SAFETY: the driver passes a writable ULONG.
    unsafe { ResultLength.write(out.len() as u32) };
    if length < fixed {
        return STATUS_BUFFER_TOO_SMALL;
    }
    let (status, copy) = if length < out.len() {
        (STATUS_BUFFER_OVERFLOW, fixed)
    } else {
        (STATUS_SUCCESS, out.len())
    };
    // SAFETY: the driver's buffer is writable for `Length >= copy` bytes.
    unsafe { std::ptr::copy_nonoverlapping(out.as_ptr(), KeyValueInformation.cast::<u8>(), copy) };
    status
}
tie!(ntddk::ZwEnumerateValueKey, zw_enumerate_value_key: unsafe extern "C" fn(HANDLE, ULONG, KEY_VALUE_INFORMATION_CLASS, PVOID, ULONG, PULONG) -> NTSTATUS);

#[unsafe(export_name = "ZwFlushKey")]
unsafe extern "C" fn zw_flush_key(KeyHandle: HANDLE) -> NTSTATUS {
    let Some((machine, _s)) = routine("ZwFlushKey", PASSIVE_LEVEL) else {
        return STATUS_INVALID_HANDLE;
    };
    let mut state = machine.lock();
    let Some(handle) = state.registry.handles.get(&(KeyHandle as usize)).cloned() else {
        state
            .violations
            .push(format!("ZwFlushKey on an invalid handle {KeyHandle:p}"));
        return STATUS_INVALID_HANDLE;
    };
    if state.fail_registry_writes {
        return STATUS_MEDIA_WRITE_PROTECTED;
    }
    state.registry.flush(&handle.path);
    STATUS_SUCCESS
}
tie!(ntddk::ZwFlushKey, zw_flush_key: unsafe extern "C" fn(HANDLE) -> NTSTATUS);

#[unsafe(export_name = "ZwSetSecurityObject")]
unsafe extern "C" fn zw_set_security_object(
    Handle: HANDLE,
    SecurityInformation: SECURITY_INFORMATION,
    SecurityDescriptor: PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    let Some((machine, _s)) = routine("ZwSetSecurityObject", PASSIVE_LEVEL) else {
        return STATUS_INVALID_HANDLE;
    };
    let Some(handle) = machine
        .lock()
        .registry
        .handles
        .get(&(Handle as usize))
        .cloned()
    else {
        machine.violation(format!(
            "ZwSetSecurityObject on an invalid handle {Handle:p}"
        ));
        return STATUS_INVALID_HANDLE;
    };
    if handle.access & WRITE_DAC == 0 {
        return STATUS_ACCESS_DENIED;
    }
    if SecurityInformation & DACL_SECURITY_INFORMATION == 0 {
        machine.violation(String::from(
            "ZwSetSecurityObject without DACL_SECURITY_INFORMATION",
        ));
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: the driver passes an absolute SECURITY_DESCRIPTOR it initialised.
    let sd = unsafe { SecurityDescriptor.cast::<SECURITY_DESCRIPTOR>().read() };
    if sd.Revision != 1 || sd.Control & SE_DACL_PRESENT == 0 || sd.Dacl.is_null() {
        machine.violation(String::from(
            "ZwSetSecurityObject: descriptor without a present DACL",
        ));
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: an initialised ACL: its header says how many bytes it spans.
    let size = usize::from(unsafe { sd.Dacl.read() }.AclSize);
    // SAFETY: as above, `AclSize` bytes from the ACL's start.
    let acl = unsafe { std::slice::from_raw_parts(sd.Dacl.cast::<u8>(), size) };
    let Some(aces) = parse_aces(acl) else {
        machine.violation(String::from("ZwSetSecurityObject: malformed ACL"));
        return STATUS_INVALID_PARAMETER;
    };
    let protected = SecurityInformation & PROTECTED_DACL_SECURITY_INFORMATION != 0;
    if let Some(key) = machine.lock().registry.key_mut(&handle.path) {
        key.dacl = Some(Dacl { protected, aces });
    }
    STATUS_SUCCESS
}
tie!(ntddk::ZwSetSecurityObject, zw_set_security_object: unsafe extern "C" fn(HANDLE, SECURITY_INFORMATION, PSECURITY_DESCRIPTOR) -> NTSTATUS);

fn parse_aces(acl: &[u8]) -> Option<Vec<Ace>> {
    let count = u16::from_le_bytes(acl.get(4..6)?.try_into().ok()?);
    let mut at = 8;
    let mut aces = Vec::new();
    for _ in 0..count {
        let kind = *acl.get(at)?;
        let flags = *acl.get(at + 1)?;
        let size = usize::from(u16::from_le_bytes(
            acl.get(at + 2..at + 4)?.try_into().ok()?,
        ));
        let mask = u32::from_le_bytes(acl.get(at + 4..at + 8)?.try_into().ok()?);
        let (sid, sid_len) = sid_text(acl.get(at + 8..at + size)?)?;
        if 8 + sid_len != size {
            return None;
        }
        aces.push(Ace {
            kind,
            flags,
            mask,
            sid,
        });
        at += size;
    }
    Some(aces)
}

#[unsafe(export_name = "RtlCreateSecurityDescriptor")]
unsafe extern "C" fn rtl_create_security_descriptor(
    SecurityDescriptor: PSECURITY_DESCRIPTOR,
    Revision: ULONG,
) -> NTSTATUS {
    let Some((_machine, _s)) = routine("RtlCreateSecurityDescriptor", APC_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    if Revision != 1 {
        return STATUS_UNKNOWN_REVISION;
    }
    let sd = SECURITY_DESCRIPTOR {
        Revision: 1,
        ..SECURITY_DESCRIPTOR::default()
    };
    // SAFETY: the driver passes a writable absolute SECURITY_DESCRIPTOR.
    unsafe { SecurityDescriptor.cast::<SECURITY_DESCRIPTOR>().write(sd) };
    STATUS_SUCCESS
}
tie!(ntddk::RtlCreateSecurityDescriptor, rtl_create_security_descriptor: unsafe extern "C" fn(PSECURITY_DESCRIPTOR, ULONG) -> NTSTATUS);

#[unsafe(export_name = "RtlSetDaclSecurityDescriptor")]
unsafe extern "C" fn rtl_set_dacl_security_descriptor(
    SecurityDescriptor: PSECURITY_DESCRIPTOR,
    DaclPresent: BOOLEAN,
    Dacl: PACL,
    DaclDefaulted: BOOLEAN,
) -> NTSTATUS {
    let Some((_machine, _s)) = routine("RtlSetDaclSecurityDescriptor", APC_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    let pointer = SecurityDescriptor.cast::<SECURITY_DESCRIPTOR>();
    // SAFETY: an absolute descriptor the driver initialised with RtlCreateSecurityDescriptor.
    let mut sd = unsafe { pointer.read() };
    if sd.Revision != 1 {
        return STATUS_UNKNOWN_REVISION;
    }
    if DaclPresent != 0 {
        sd.Control |= SE_DACL_PRESENT;
        sd.Dacl = Dacl;
        if DaclDefaulted != 0 {
            sd.Control |= SE_DACL_DEFAULTED;
        }
    } else {
        sd.Control &= !SE_DACL_PRESENT;
    }
    // SAFETY: as above; the descriptor is writable.
    unsafe { pointer.write(sd) };
    STATUS_SUCCESS
}
tie!(ntddk::RtlSetDaclSecurityDescriptor, rtl_set_dacl_security_descriptor: unsafe extern "C" fn(PSECURITY_DESCRIPTOR, BOOLEAN, PACL, BOOLEAN) -> NTSTATUS);

#[unsafe(export_name = "RtlCreateAcl")]
unsafe extern "C" fn rtl_create_acl(Acl: PACL, AclLength: ULONG, AclRevision: ULONG) -> NTSTATUS {
    let Some((_machine, _s)) = routine("RtlCreateAcl", APC_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    if (AclLength as usize) < size_of::<ACL>() || AclLength > 0xFFFF || !AclLength.is_multiple_of(4)
    {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if AclRevision != 2 && AclRevision != 4 {
        return STATUS_INVALID_PARAMETER;
    }
    let header = ACL {
        AclRevision: AclRevision as u8,
        Sbz1: 0,
        AclSize: AclLength as u16,
        AceCount: 0,
        Sbz2: 0,
    };
    // SAFETY: the driver passes `AclLength` writable bytes.
    unsafe { Acl.write(header) };
    STATUS_SUCCESS
}
tie!(ntddk::RtlCreateAcl, rtl_create_acl: unsafe extern "C" fn(PACL, ULONG, ULONG) -> NTSTATUS);

#[unsafe(export_name = "RtlAddAccessAllowedAce")]
unsafe extern "C" fn rtl_add_access_allowed_ace(
    Acl: PACL,
    AceRevision: ULONG,
    AccessMask: ACCESS_MASK,
    Sid: PSID,
) -> NTSTATUS {
    let Some((machine, _s)) = routine("RtlAddAccessAllowedAce", APC_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    // SAFETY: an ACL the driver initialised with RtlCreateAcl.
    let header = unsafe { Acl.read() };
    if u32::from(header.AclRevision) != AceRevision {
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: the ACL spans `AclSize` bytes (RtlCreateAcl's length).
    let acl =
        unsafe { std::slice::from_raw_parts_mut(Acl.cast::<u8>(), usize::from(header.AclSize)) };
    // SAFETY: a SID has at least 8 bytes, then 4 per sub-authority (count at byte 1).
    let count = unsafe { Sid.cast::<u8>().wrapping_add(1).read() };
    let sid_len = 8 + 4 * usize::from(count);
    // SAFETY: as above.
    let sid = unsafe { std::slice::from_raw_parts(Sid.cast::<u8>(), sid_len) };
    if sid_text(sid).is_none() {
        machine.violation(String::from("RtlAddAccessAllowedAce with a malformed SID"));
        return STATUS_INVALID_PARAMETER;
    }
    let mut at = 8;
    for _ in 0..header.AceCount {
        at += usize::from(u16::from_le_bytes([acl[at + 2], acl[at + 3]]));
    }
    let size = 8 + sid_len;
    if at + size > acl.len() {
        return STATUS_ALLOTTED_SPACE_EXCEEDED;
    }
    acl[at] = 0;
    acl[at + 1] = 0;
    acl[at + 2..at + 4].copy_from_slice(&(size as u16).to_le_bytes());
    acl[at + 4..at + 8].copy_from_slice(&AccessMask.to_le_bytes());
    acl[at + 8..at + size].copy_from_slice(sid);
    let ace_count = header.AceCount + 1;
    acl[4..6].copy_from_slice(&ace_count.to_le_bytes());
    STATUS_SUCCESS
}
tie!(ntddk::RtlAddAccessAllowedAce, rtl_add_access_allowed_ace: unsafe extern "C" fn(PACL, ULONG, ACCESS_MASK, PSID) -> NTSTATUS);

// ---------------------------------------------------------------------------------------------
// CNG
// ---------------------------------------------------------------------------------------------

#[unsafe(export_name = "BCryptGenRandom")]
unsafe extern "system" fn bcrypt_gen_random(
    hAlgorithm: PVOID,
    pbBuffer: PUCHAR,
    cbBuffer: ULONG,
    dwFlags: ULONG,
) -> NTSTATUS {
    // DDI: with BCRYPT_USE_SYSTEM_PREFERRED_RNG, callable at PASSIVE_LEVEL only.
    let Some((machine, _s)) = routine("BCryptGenRandom", PASSIVE_LEVEL) else {
        return STATUS_INVALID_PARAMETER;
    };
    if !hAlgorithm.is_null() || dwFlags != 2 {
        machine.violation(String::from(
            "BCryptGenRandom without the system-preferred RNG",
        ));
        return STATUS_INVALID_PARAMETER;
    }
    // SAFETY: the driver passes `cbBuffer` writable bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(pbBuffer, cbBuffer as usize) };
    let mut seed = std::hash::BuildHasher::hash_one(
        &std::collections::hash_map::RandomState::new(),
        out.as_ptr(),
    );
    for chunk in out.chunks_mut(8) {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let bytes = z.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    machine.lock().random_bytes += u64::from(cbBuffer);
    STATUS_SUCCESS
}
tie!(crate::platform::BCryptGenRandom, bcrypt_gen_random: unsafe extern "system" fn(PVOID, PUCHAR, ULONG, ULONG) -> NTSTATUS);
