//! The lookup interface: how an IKE or CHAP engine in another driver reads keys, at
//! IRQL <= DISPATCH_LEVEL.
//!
//! ```text
//!   other driver ── IRP_MN_QUERY_INTERFACE(GUID_ISCSISEC_LOOKUP_INTERFACE) ──► WDF copies
//!     ISCSISEC_LOOKUP_INTERFACE { INTERFACE, LookupKey, ReadChapSecret } and references it
//!   LookupKey(Context, …) ──► raise to DISPATCH ─► the device's published core Reader
//!                             ─► copy into the caller's buffer ─► lower
//!   InterfaceDereference(Context) when the engine is done (before our device goes away)
//! ```
//!
//! The interface's `Context` is a reference-counted block of its own (the device holds one
//! reference, every handed-out interface another), so a late call can never reach freed
//! memory: once the device stops, the block's reader is unpublished, a grace period passes,
//! and calls answer STATUS_DEVICE_NOT_READY. Nothing here blocks or allocates on the lookup
//! path; the key is copied while the processor is at DISPATCH_LEVEL. `driver/kmdf/README.md`
//! documents the interface for C callers.

use alloc::boxed::Box;
use core::ptr;
use core::slice;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering, fence};

use iscsisec_core::domain::{Identifier, PortSelector};
use iscsisec_core::{ChapSecretBuffer, Guid, KeyBuffer, KeySource, Reader};

use crate::layout::QUERY_INTERFACE_CONFIG_SIZE;
use crate::memory::{OutOfMemory, try_box};
use crate::platform::{DispatchSection, KernelPlatform, current_irql};
use crate::status::{self, DriverError, LookupFailure};
use crate::sys::{
    DISPATCH_LEVEL, INTERFACE, NT_SUCCESS, NTSTATUS, PINTERFACE, PULONG, PVOID, UCHAR, ULONG,
    USHORT, WDF_QUERY_INTERFACE_CONFIG, WDFDEVICE, call_unsafe_wdf_function_binding,
};
use crate::wmi::sys_guid;

/// `GUID_ISCSISEC_LOOKUP_INTERFACE` {4297BDE9-E244-4D70-BA24-C6CE72D29938}.
pub const LOOKUP_INTERFACE_GUID: Guid = Guid {
    data1: 0x4297_bde9,
    data2: 0xe244,
    data3: 0x4d70,
    data4: [0xba, 0x24, 0xc6, 0xce, 0x72, 0xd2, 0x99, 0x38],
};

/// `ISCSISEC_LOOKUP_INTERFACE_VERSION`.
pub const LOOKUP_INTERFACE_VERSION: USHORT = 1;

/// `KeySource` values: where a looked-up key came from.
pub mod key_source {
    /// The explicit key for this port and identifier.
    pub const PORT: u32 = 1;
    /// The explicit key for all ports and this identifier.
    pub const ALL_PORTS: u32 = 2;
    /// The group preshared key.
    pub const GROUP: u32 = 3;
}

/// `PISCSISEC_LOOKUP_KEY`.
pub type LookupKeyFn = unsafe extern "C" fn(
    context: PVOID,
    port_number: ULONG,
    id_type: UCHAR,
    id: *const UCHAR,
    id_size: ULONG,
    key: *mut UCHAR,
    key_buffer_size: ULONG,
    key_size: PULONG,
    key_source: PULONG,
) -> NTSTATUS;

/// `PISCSISEC_READ_CHAP_SECRET`.
pub type ReadChapSecretFn = unsafe extern "C" fn(
    context: PVOID,
    secret: *mut UCHAR,
    secret_buffer_size: ULONG,
    secret_size: PULONG,
) -> NTSTATUS;

/// `ISCSISEC_LOOKUP_INTERFACE` (48 bytes on 64-bit Windows).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[expect(
    non_snake_case,
    reason = "the C field names of the documented interface"
)]
pub struct LookupInterface {
    /// Size, Version, Context, InterfaceReference, InterfaceDereference.
    pub InterfaceHeader: INTERFACE,
    /// Looks up the preshared key for an identifier.
    pub LookupKey: Option<LookupKeyFn>,
    /// Copies the initiator CHAP secret (for checking a target's mutual-CHAP response).
    pub ReadChapSecret: Option<ReadChapSecretFn>,
}

const _: () = assert!(size_of::<LookupInterface>() == 48);
const INTERFACE_SIZE: USHORT = 48;

/// What the interface's `Context` points to.
pub(crate) struct InterfaceShared {
    /// The device's reference plus one per interface handed out.
    refs: AtomicUsize,
    /// The running provider's reader, or null while the device is not started.
    reader: AtomicPtr<Reader<KernelPlatform>>,
    /// The adapter's port count (to check port numbers as the core does).
    port_count: u32,
}

impl Drop for InterfaceShared {
    fn drop(&mut self) {
        let reader = self.reader.swap(ptr::null_mut(), Ordering::AcqRel);
        if !reader.is_null() {
            // SAFETY: a published reader is a leaked `Box` owned by this block; the last
            // reference is gone, so no lookup can be using it.
            drop(unsafe { Box::from_raw(reader) });
        }
    }
}

/// The device's handle on its interface block.
pub(crate) struct DeviceInterface {
    shared: ptr::NonNull<InterfaceShared>,
}

// SAFETY: the block is shared through atomics only; the device's handle moves with the device.
unsafe impl Send for DeviceInterface {}
// SAFETY: as above.
unsafe impl Sync for DeviceInterface {}

impl DeviceInterface {
    /// Allocates the interface block and exposes the interface on `device`
    /// (`WdfDeviceAddQueryInterface`, PASSIVE_LEVEL, from EvtDriverDeviceAdd).
    ///
    /// # Errors
    ///
    /// STATUS_INSUFFICIENT_RESOURCES, or the framework's status.
    pub(crate) fn add(device: WDFDEVICE, port_count: u32) -> Result<DeviceInterface, NTSTATUS> {
        let shared = try_box(InterfaceShared {
            refs: AtomicUsize::new(1),
            reader: AtomicPtr::new(ptr::null_mut()),
            port_count,
        })
        .map_err(|OutOfMemory| status::driver_error(DriverError::OutOfMemory))?;
        let shared = ptr::NonNull::from(Box::leak(shared));
        let handle = DeviceInterface { shared };
        let mut exposed = LookupInterface {
            InterfaceHeader: INTERFACE {
                Size: INTERFACE_SIZE,
                Version: LOOKUP_INTERFACE_VERSION,
                Context: shared.as_ptr().cast(),
                InterfaceReference: Some(interface_reference),
                InterfaceDereference: Some(interface_dereference),
            },
            LookupKey: Some(lookup_key),
            ReadChapSecret: Some(read_chap_secret),
        };
        let guid = sys_guid(&LOOKUP_INTERFACE_GUID);
        let mut config = WDF_QUERY_INTERFACE_CONFIG {
            Size: QUERY_INTERFACE_CONFIG_SIZE,
            Interface: (&raw mut exposed).cast::<INTERFACE>() as PINTERFACE,
            InterfaceType: &guid,
            SendQueryToParentStack: 0,
            EvtDeviceProcessQueryInterfaceRequest: None,
            ImportInterface: 0,
        };
        // SAFETY: `device` is being added; the framework copies `exposed` (Size bytes) and the
        // GUID during the call.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(WdfDeviceAddQueryInterface, device, &mut config)
        };
        if NT_SUCCESS(status) {
            Ok(handle)
        } else {
            Err(status)
        }
    }

    fn shared(&self) -> &InterfaceShared {
        // SAFETY: the device holds a reference, so the block is alive while `self` is.
        unsafe { self.shared.as_ref() }
    }

    /// Publishes the started provider's reader. Fails only when the box cannot be allocated
    /// (then lookups keep answering STATUS_DEVICE_NOT_READY).
    pub(crate) fn publish(&self, reader: Reader<KernelPlatform>) -> Result<(), OutOfMemory> {
        let boxed = Box::into_raw(try_box(reader)?);
        let old = self.shared().reader.swap(boxed, Ordering::AcqRel);
        if !old.is_null() {
            // Not reached: `unpublish` runs before every restart. Leak the old reader rather
            // than free it without a grace period.
            crate::sys::trace("a reader was still published at start", 0);
        }
        Ok(())
    }

    /// Takes the reader back; lookups begun after this answer STATUS_DEVICE_NOT_READY. The
    /// caller drops it only after a grace period.
    pub(crate) fn unpublish(&self) -> Option<Box<Reader<KernelPlatform>>> {
        let reader = self.shared().reader.swap(ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: a non-null reader is a `Box` leaked by `publish`, now taken back once.
        (!reader.is_null()).then(|| unsafe { Box::from_raw(reader) })
    }

    /// References held (the device's included), for tests.
    #[cfg(all(test, not(windows)))]
    pub(crate) fn references(&self) -> usize {
        self.shared().refs.load(Ordering::Acquire)
    }
}

impl Drop for DeviceInterface {
    fn drop(&mut self) {
        // SAFETY: the device's own reference, released once.
        unsafe { release(self.shared.as_ptr()) };
    }
}

/// Drops one reference; frees the block with the last one.
///
/// # Safety
///
/// `shared` is a live block and the caller owns one of its references.
unsafe fn release(shared: *mut InterfaceShared) {
    // SAFETY: alive while the caller's reference is.
    let refs = unsafe { &(*shared).refs };
    if refs.fetch_sub(1, Ordering::Release) != 1 {
        return;
    }
    fence(Ordering::Acquire);
    // SAFETY: that was the last reference: the block is a `Box` leaked by `add`, freed once
    // (nonpaged pool: any IRQL <= DISPATCH_LEVEL).
    drop(unsafe { Box::from_raw(shared) });
}

/// `InterfaceReference`: any IRQL <= DISPATCH_LEVEL.
unsafe extern "C" fn interface_reference(context: PVOID) {
    let shared = context.cast::<InterfaceShared>();
    if shared.is_null() {
        return;
    }
    // SAFETY: the framework or the caller passes the interface's Context, alive while the
    // caller holds a reference (it holds one to call this).
    let refs = unsafe { &(*shared).refs };
    refs.fetch_add(1, Ordering::Relaxed);
}

/// `InterfaceDereference`: any IRQL <= DISPATCH_LEVEL.
unsafe extern "C" fn interface_dereference(context: PVOID) {
    let shared = context.cast::<InterfaceShared>();
    if shared.is_null() {
        return;
    }
    // SAFETY: the caller gives back the reference it got with the interface.
    unsafe { release(shared) };
}

/// `LookupKey`: the preshared key for (`PortNumber`, `IdType`, `Id`), copied into `Key`.
///
/// # Safety
///
/// C caller's contract (README): `Context` from the interface, `Id` readable for `IdSize`
/// bytes, `Key` writable for `KeyBufferSize` bytes, `KeySize` and `KeySource` writable.
#[expect(non_snake_case, reason = "the documented C parameter names")]
unsafe extern "C" fn lookup_key(
    Context: PVOID,
    PortNumber: ULONG,
    IdType: UCHAR,
    Id: *const UCHAR,
    IdSize: ULONG,
    Key: *mut UCHAR,
    KeyBufferSize: ULONG,
    KeySize: PULONG,
    KeySource: PULONG,
) -> NTSTATUS {
    let mut buffer = KeyBuffer::new();
    // SAFETY: the caller's contract (this function's).
    let outcome = unsafe { lookup(Context, PortNumber, IdType, Id, IdSize, &mut buffer) };
    let result = outcome.and_then(|source| {
        // SAFETY: the caller's contract.
        unsafe { copy_out(buffer.expose_secret(), Key, KeyBufferSize, KeySize) }?;
        Ok(source)
    });
    if let (Ok(source), false) = (result, KeySource.is_null()) {
        let code = match source {
            KeySource::Port => key_source::PORT,
            KeySource::AllPorts => key_source::ALL_PORTS,
            KeySource::Group => key_source::GROUP,
        };
        // SAFETY: the caller's writable `KeySource`.
        unsafe { KeySource.write(code) };
    }
    status::lookup(result.map(|_| ()))
}

/// The lookup proper, inside one DISPATCH_LEVEL section.
///
/// # Safety
///
/// As [`lookup_key`].
unsafe fn lookup(
    context: PVOID,
    port: ULONG,
    id_type: UCHAR,
    id: *const UCHAR,
    id_size: ULONG,
    out: &mut KeyBuffer,
) -> Result<KeySource, LookupFailure> {
    if current_irql() > dispatch() {
        return Err(DriverError::IrqlTooHigh.into());
    }
    if context.is_null() || (id.is_null() && id_size != 0) {
        return Err(DriverError::BadArgument.into());
    }
    // SAFETY: the interface's Context, kept alive by the caller's reference.
    let shared = unsafe { &*context.cast::<InterfaceShared>() };
    let id = if id_size == 0 {
        &[][..]
    } else {
        // SAFETY: `id` is readable for `id_size` bytes (the caller's contract).
        unsafe { slice::from_raw_parts(id, usize::try_from(id_size).unwrap_or(0)) }
    };
    let port = PortSelector::parse(port, shared.port_count)?;
    let id = Identifier::parse(id_type, id)?;
    let _section = DispatchSection::enter();
    let reader = shared.reader.load(Ordering::Acquire);
    // SAFETY: a published reader stays allocated until a grace period after it is
    // unpublished, and this section (DISPATCH_LEVEL) began before that.
    let reader = unsafe { reader.as_ref() }.ok_or(DriverError::NotStarted)?;
    Ok(reader.lookup(port, &id, out)?)
}

/// `ReadChapSecret`: the initiator CHAP secret, copied into `Secret`.
///
/// # Safety
///
/// C caller's contract (README): `Context` from the interface, `Secret` writable for
/// `SecretBufferSize` bytes, `SecretSize` writable.
#[expect(non_snake_case, reason = "the documented C parameter names")]
unsafe extern "C" fn read_chap_secret(
    Context: PVOID,
    Secret: *mut UCHAR,
    SecretBufferSize: ULONG,
    SecretSize: PULONG,
) -> NTSTATUS {
    let mut buffer = ChapSecretBuffer::new();
    let outcome = (|| {
        if current_irql() > dispatch() {
            return Err(LookupFailure::from(DriverError::IrqlTooHigh));
        }
        if Context.is_null() {
            return Err(DriverError::BadArgument.into());
        }
        // SAFETY: the interface's Context, kept alive by the caller's reference.
        let shared = unsafe { &*Context.cast::<InterfaceShared>() };
        let _section = DispatchSection::enter();
        let reader = shared.reader.load(Ordering::Acquire);
        // SAFETY: as in `lookup`.
        let reader = unsafe { reader.as_ref() }.ok_or(DriverError::NotStarted)?;
        reader.chap_secret(&mut buffer)?;
        Ok(())
    })();
    let result = outcome.and_then(|()| {
        // SAFETY: the caller's contract.
        unsafe { copy_out(buffer.expose_secret(), Secret, SecretBufferSize, SecretSize) }
    });
    status::lookup(result)
}

/// Copies `bytes` to the caller's buffer and reports their length in `*size` (also when the
/// buffer is too small, so the caller learns the size needed).
///
/// # Safety
///
/// `out` is writable for `capacity` bytes (or null with `capacity` 0); `size` is null or
/// writable.
unsafe fn copy_out(
    bytes: &[u8],
    out: *mut UCHAR,
    capacity: ULONG,
    size: PULONG,
) -> Result<(), LookupFailure> {
    let len = ULONG::try_from(bytes.len()).unwrap_or(ULONG::MAX);
    if size.is_null() {
        return Err(DriverError::BadArgument.into());
    }
    // SAFETY: `size` is writable (checked non-null; the caller's contract).
    unsafe { size.write(len) };
    if capacity < len {
        return Err(DriverError::BufferTooSmall.into());
    }
    if bytes.is_empty() {
        return Ok(());
    }
    if out.is_null() {
        return Err(DriverError::BadArgument.into());
    }
    // SAFETY: `out` holds at least `capacity >= len` writable bytes; `bytes` is ours.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len()) };
    Ok(())
}

fn dispatch() -> u8 {
    u8::try_from(DISPATCH_LEVEL).unwrap_or(2)
}
