//! The device: EvtDriverDeviceAdd, start (EvtDevicePrepareHardware), stop
//! (EvtDeviceReleaseHardware), cleanup, and the context that holds the provider.
//!
//! ```text
//!   PnP add ──► evt_driver_device_add: WdfDeviceCreate, writer lock, reclaimer (work item,
//!               KDPCs), WMI instances, the lookup interface
//!   PnP start ──► evt_prepare_hardware: RegistryStore::open, Provider::start (loads records),
//!                 the reader published to the lookup interface
//!   PnP stop/remove ──► evt_release_hardware: reader unpublished, provider dropped (its
//!                 nodes retired), grace period, everything retired wiped and freed
//!   device deleted ──► evt_device_cleanup: the context's Rust state dropped
//! ```
//!
//! The context lives in memory WDF allocates with the device (zeroed); `initialized` tells
//! the cleanup callback whether the state in it was ever written.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr;

use iscsisec_core::{AdapterConfig, Guid, MethodResult, Provider};

use crate::context::{attributes, context_of, declare_context_type};
use crate::interface::DeviceInterface;
use crate::layout::PNPPOWER_EVENT_CALLBACKS_SIZE;
use crate::lock::WaitLock;
use crate::platform::{DeviceReclaimer, KernelPlatform};
use crate::registry::RegistryStore;
use crate::status::{self, DriverError};
use crate::sys::{
    NT_SUCCESS, NTSTATUS, PWDFDEVICE_INIT, STATUS_SUCCESS, ULONG, WDF_PNPPOWER_EVENT_CALLBACKS,
    WDFCMRESLIST, WDFDEVICE, WDFDRIVER, WDFOBJECT, WDFWORKITEM, call_unsafe_wdf_function_binding,
};
use crate::wmi;

/// The provider this device runs: the core over the registry store, on the kernel platform.
pub(crate) type DeviceProvider = Provider<RegistryStore, KernelPlatform>;

/// The memory WDF keeps with the device.
#[repr(C)]
pub(crate) struct DeviceContext {
    /// Whether `state` holds a value (zero, i.e. false, when WDF allocates the context).
    initialized: bool,
    state: MaybeUninit<DeviceState>,
}

declare_context_type!(pub(crate) DEVICE_CONTEXT_TYPE: DeviceContext = c"ISCSISEC_DEVICE_CONTEXT");

/// Everything the driver keeps per device.
pub(crate) struct DeviceState {
    device: WDFDEVICE,
    /// Serialises every writer of `provider` (WMI callbacks, start, stop): PASSIVE_LEVEL.
    writer: WaitLock,
    /// The running provider, or `None` before start and after stop. Only touched with
    /// `writer` held.
    provider: UnsafeCell<Option<DeviceProvider>>,
    config: AdapterConfig,
    /// Grace periods for the provider's retired memory. Declared after `provider` so that,
    /// should a provider remain at cleanup, it is dropped (and defers) before the reclaimer.
    reclaimer: DeviceReclaimer,
    /// The lookup interface's block (this device's reference to it).
    interface: DeviceInterface,
}

// SAFETY: `provider` is only accessed with `writer` held; the handles are WDF objects usable
// from any thread.
unsafe impl Sync for DeviceState {}

impl DeviceState {
    /// The state of `device`, if `EvtDriverDeviceAdd` got as far as writing it.
    ///
    /// # Safety
    ///
    /// `device` must be a live device created by this driver; the reference must not outlive
    /// it (callers use it only within a callback of that device).
    pub(crate) unsafe fn of<'a>(device: WDFDEVICE) -> Option<&'a DeviceState> {
        // SAFETY: `device` is live (the caller's contract).
        let context = unsafe { context_of(device as WDFOBJECT, &DEVICE_CONTEXT_TYPE) };
        let context = context.cast::<DeviceContext>();
        // SAFETY: WDF allocated the context for this type with the device (zeroed, aligned);
        // `initialized` is only set after `state` was written and cleared before it is
        // dropped, both at PASSIVE_LEVEL while no callback of the device runs.
        let context = unsafe { context.as_ref() }?;
        if !context.initialized {
            return None;
        }
        // SAFETY: `initialized` says `state` holds a value.
        Some(unsafe { context.state.assume_init_ref() })
    }

    /// Runs one WMI method through the provider, with the writer lock held.
    ///
    /// # Errors
    ///
    /// [`DriverError::NotStarted`] when the provider is not running.
    pub(crate) fn execute_method(
        &self,
        class: &Guid,
        method_id: ULONG,
        buffer: &mut [u8],
        in_size: ULONG,
        out_size: ULONG,
    ) -> Result<MethodResult, DriverError> {
        let _writer = self.writer.acquire();
        // SAFETY: `provider` is only touched with `writer` held, which it is.
        let provider = unsafe { &mut *self.provider.get() };
        let provider = provider.as_mut().ok_or(DriverError::NotStarted)?;
        Ok(provider.execute_method(class, method_id, buffer, in_size, out_size))
    }

    /// Starts the provider over the device's registry store, if it is not running, and
    /// publishes its reader to the lookup interface.
    fn start(&self) -> Result<(), NTSTATUS> {
        let _writer = self.writer.acquire();
        // SAFETY: `provider` is only touched with `writer` held, which it is.
        let slot = unsafe { &mut *self.provider.get() };
        if slot.is_some() {
            return Ok(());
        }
        let store = RegistryStore::open(self.device)?;
        let platform = KernelPlatform::new(&self.reclaimer);
        let started = Provider::start(store, self.config, platform);
        let (provider, report) = match started {
            Ok(started) => started,
            Err(error) => {
                // What a failed start loaded was retired when its table dropped.
                self.reclaimer.drain();
                return Err(status::start_failure(error));
            }
        };
        if report.corrupt > 0 {
            crate::sys::trace(
                "records failed their check at load and were skipped",
                STATUS_SUCCESS,
            );
        }
        if self.interface.publish(provider.reader()).is_err() {
            drop(provider);
            self.reclaimer.drain();
            return Err(status::driver_error(DriverError::OutOfMemory));
        }
        *slot = Some(provider);
        Ok(())
    }

    /// Stops the provider: the lookup interface stops answering, the provider's keys are
    /// retired, and after a grace period everything is wiped and freed. PASSIVE_LEVEL.
    fn stop(&self) {
        let _writer = self.writer.acquire();
        let reader = self.interface.unpublish();
        // SAFETY: `provider` is only touched with `writer` held, which it is.
        let provider = unsafe { (*self.provider.get()).take() };
        // Dropping the provider stops its table: every node is retired through `defer`.
        drop(provider);
        // A lookup that loaded the reader before `unpublish` ran at DISPATCH_LEVEL: once
        // every processor has run a DPC, none is left, and the reader may go.
        if let Err(status) = self.reclaimer.synchronize() {
            crate::sys::trace("no grace period at stop; the reader is kept", status);
            core::mem::forget(reader);
        } else {
            drop(reader);
        }
        self.reclaimer.drain();
    }

    /// The reclaimer (for tests).
    #[cfg(all(test, not(windows)))]
    pub(crate) fn reclaimer(&self) -> &DeviceReclaimer {
        &self.reclaimer
    }

    /// The lookup interface's references (for tests).
    #[cfg(all(test, not(windows)))]
    pub(crate) fn interface_references(&self) -> usize {
        self.interface.references()
    }

    /// The provider, for tests that inspect it (with the writer lock held by the caller).
    #[cfg(all(test, not(windows)))]
    pub(crate) fn with_provider<R>(&self, f: impl FnOnce(Option<&DeviceProvider>) -> R) -> R {
        let _writer = self.writer.acquire();
        // SAFETY: `provider` is only touched with `writer` held, which it is.
        f(unsafe { (*self.provider.get()).as_ref() })
    }
}

/// `EvtDriverDeviceAdd`: creates the device, its context and its WMI instances.
/// PASSIVE_LEVEL.
pub(crate) unsafe extern "C" fn evt_driver_device_add(
    _driver: WDFDRIVER,
    device_init: PWDFDEVICE_INIT,
) -> NTSTATUS {
    match add(device_init) {
        Ok(()) => STATUS_SUCCESS,
        Err(status) => status,
    }
}

fn add(device_init: PWDFDEVICE_INIT) -> Result<(), NTSTATUS> {
    let mut pnp = WDF_PNPPOWER_EVENT_CALLBACKS {
        Size: PNPPOWER_EVENT_CALLBACKS_SIZE,
        EvtDevicePrepareHardware: Some(evt_prepare_hardware),
        EvtDeviceReleaseHardware: Some(evt_release_hardware),
        ..WDF_PNPPOWER_EVENT_CALLBACKS::default()
    };
    // SAFETY: `device_init` is the framework's, valid until WdfDeviceCreate; `pnp` is copied.
    unsafe {
        call_unsafe_wdf_function_binding!(
            WdfDeviceInitSetPnpPowerEventCallbacks,
            device_init,
            &mut pnp
        );
    }
    let mut attrs = attributes(
        Some(&DEVICE_CONTEXT_TYPE),
        Some(evt_device_cleanup),
        ptr::null_mut(),
    );
    let mut init = device_init;
    let mut device: WDFDEVICE = ptr::null_mut();
    // SAFETY: `init` is the framework's device init (consumed on success); `attrs` names this
    // driver's context type; `device` receives the handle.
    let status = unsafe {
        call_unsafe_wdf_function_binding!(WdfDeviceCreate, &mut init, &mut attrs, &mut device)
    };
    if !NT_SUCCESS(status) {
        return Err(status);
    }
    let config = AdapterConfig::default();
    let state = DeviceState {
        device,
        writer: WaitLock::create(device)?,
        provider: UnsafeCell::new(None),
        config,
        reclaimer: DeviceReclaimer::create(device, Some(evt_grace_work_item))?,
        interface: DeviceInterface::add(device, config.port_count)?,
    };
    // SAFETY: `device` was just created with this context type, so its context is WDF's
    // zeroed allocation for `DeviceContext`; no callback of the device runs yet.
    let context =
        unsafe { context_of(device as WDFOBJECT, &DEVICE_CONTEXT_TYPE) }.cast::<DeviceContext>();
    if context.is_null() {
        return Err(status::driver_error(DriverError::OutOfMemory));
    }
    // SAFETY: `context` is valid, aligned and not yet initialised (see above).
    unsafe {
        (*context).state.write(state);
    }
    // SAFETY: as above; `state` was written on the line before.
    unsafe { (*context).initialized = true };
    wmi::register(device)
}

/// `EvtDevicePrepareHardware`: the device starts; the provider loads the stored records.
/// PASSIVE_LEVEL.
unsafe extern "C" fn evt_prepare_hardware(
    device: WDFDEVICE,
    _raw: WDFCMRESLIST,
    _translated: WDFCMRESLIST,
) -> NTSTATUS {
    // SAFETY: WDF calls this for a live device of this driver.
    let Some(state) = (unsafe { DeviceState::of(device) }) else {
        return status::driver_error(DriverError::NotStarted);
    };
    match state.start() {
        Ok(()) => STATUS_SUCCESS,
        Err(status) => status,
    }
}

/// `EvtDeviceReleaseHardware`: the device stops or goes away; the provider is dropped.
/// PASSIVE_LEVEL.
unsafe extern "C" fn evt_release_hardware(
    device: WDFDEVICE,
    _translated: WDFCMRESLIST,
) -> NTSTATUS {
    // SAFETY: WDF calls this for a live device of this driver.
    if let Some(state) = unsafe { DeviceState::of(device) } {
        state.stop();
    }
    STATUS_SUCCESS
}

/// The reclaimer's work item: waits out a grace period for retired memory, then frees it.
/// PASSIVE_LEVEL.
unsafe extern "C" fn evt_grace_work_item(work_item: WDFWORKITEM) {
    // SAFETY: WDF passes the live work item; its parent is the device that created it.
    let device =
        unsafe { call_unsafe_wdf_function_binding!(WdfWorkItemGetParentObject, work_item) };
    // SAFETY: the work item's parent is this driver's live device (it is flushed before the
    // device's context goes).
    if let Some(state) = unsafe { DeviceState::of(device as WDFDEVICE) } {
        state.reclaimer.reclaim();
    }
}

/// The device's `EvtCleanupCallback`: drops the context's state. Its child objects (locks,
/// WMI instances) are already cleaned up by now, so nothing here calls WDF. PASSIVE_LEVEL.
unsafe extern "C" fn evt_device_cleanup(object: WDFOBJECT) {
    // SAFETY: WDF passes the device being deleted, which still has its context.
    let context = unsafe { context_of(object, &DEVICE_CONTEXT_TYPE) }.cast::<DeviceContext>();
    // SAFETY: the context of a device of this driver (or null).
    let Some(context) = (unsafe { context.as_mut() }) else {
        return;
    };
    if !context.initialized {
        return;
    }
    context.initialized = false;
    // SAFETY: `initialized` was set, so `state` holds a value; it is dropped once, here.
    unsafe { context.state.assume_init_drop() };
}
