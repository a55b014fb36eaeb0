//! The test-facing side of the simulation: one [`Machine`] per test.
//!
//! ```text
//!   test ──► Machine::new ─► load_driver (DriverEntry) ─► add_device (EvtDriverDeviceAdd)
//!        ─► start_device (EvtDevicePrepareHardware, WMI registration) ─► wmi_execute …
//!        ─► stop_device / remove_device / unload_driver, or crash + boot
//! ```
//!
//! PnP and WMI requests are delivered the way KMDF delivers them (FX fxwmiirphandler.cpp
//! `_ExecuteMethod`, `_QuerySingleInstance`; fxpkgpnp.cpp query interface), at PASSIVE_LEVEL,
//! on the calling thread. Dropping a machine fails the test if any violation was recorded.

extern crate std;
use std::format;
use std::string::String;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::vec::Vec;

use super::objects::{self, Kind};
use super::registry::{Dacl, Value};
use super::wdf::{device_parameters, guid_bytes, new_device_init};
use super::{Inner, State, ThreadGuard, alloc, call_driver};
use crate::registry::SUBKEY_NAME;
use crate::sys::{
    INTERFACE, NTSTATUS, PDRIVER_OBJECT, PWDFDEVICE_INIT, STATUS_BUFFER_TOO_SMALL,
    STATUS_INVALID_DEVICE_REQUEST, STATUS_SUCCESS, STATUS_UNSUCCESSFUL, UNICODE_STRING,
    WDFCMRESLIST, WDFDEVICE, WDFDRIVER, WDFOBJECT, WDFWMIINSTANCE,
};

/// STATUS_PENDING (0x103).
const STATUS_PENDING: NTSTATUS = 0x103;
/// STATUS_WMI_GUID_NOT_FOUND (0xC0000295): WMI's own answer for a GUID nobody registered.
pub(crate) const STATUS_WMI_GUID_NOT_FOUND: NTSTATUS = 0xC000_0295_u32 as NTSTATUS;

/// STATUS_NOT_SUPPORTED (0xC00000BB): no driver in the stack exposes the interface.
pub(crate) const STATUS_NOT_SUPPORTED: NTSTATUS = 0xC000_00BB_u32 as NTSTATUS;
/// STATUS_INVALID_BUFFER_SIZE (0xC0000206): FX fxpkgpnp.cpp, interface larger or newer than asked.
pub(crate) const STATUS_INVALID_BUFFER_SIZE: NTSTATUS = 0xC000_0206_u32 as NTSTATUS;

/// The device instance PnP gives the root-enumerated device (hardware id `Root\iScsiSec`).
pub(crate) const INSTANCE_PATH: &str = "ROOT\\SYSTEM\\0000";

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// A WMI method call's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WmiAnswer {
    pub(crate) status: NTSTATUS,
    pub(crate) used: u32,
    /// The first `used` bytes of the buffer (when `used` fits in it).
    pub(crate) out: Vec<u8>,
}

/// A simulated computer with the driver's image "installed".
pub(crate) struct Machine {
    inner: Arc<Inner>,
    _thread: ThreadGuard,
    /// The kernel's DRIVER_OBJECT and registry path for DriverEntry.
    driver_object: Vec<u64>,
    registry_path: Vec<u16>,
}

impl Machine {
    /// A machine with four processors; the calling thread runs on processor 0.
    pub(crate) fn new() -> Machine {
        Machine::with_processors(4)
    }

    /// A machine with `processors` processors.
    pub(crate) fn with_processors(processors: u32) -> Machine {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed) % (alloc::SLOTS as u32 - 1) + 1;
        alloc::reset(id);
        let state = State {
            cpus: std::vec![super::dpc::Cpu::default(); processors as usize],
            ..State::default()
        };
        let inner = Arc::new(Inner {
            id,
            processors,
            state: std::sync::Mutex::new(state),
            changed: std::sync::Condvar::new(),
            next_processor: AtomicU32::new(0),
        });
        let thread = super::enter_on(&inner, 0);
        inner.next_processor.store(1, Ordering::Relaxed);
        Machine {
            inner,
            _thread: thread,
            driver_object: std::vec![0u64; 336 / 8],
            registry_path: "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\iScsiSec"
                .encode_utf16()
                .chain([0])
                .collect(),
        }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    // -----------------------------------------------------------------------------------------
    // Driver and device life cycle
    // -----------------------------------------------------------------------------------------

    /// Calls `DriverEntry` as the kernel does (through FxDriverEntry).
    pub(crate) fn load_driver(&mut self) -> NTSTATUS {
        let units = self.registry_path.len() - 1;
        let path = UNICODE_STRING {
            Length: (units * 2) as u16,
            MaximumLength: (units * 2 + 2) as u16,
            Buffer: self.registry_path.as_mut_ptr(),
        };
        let driver = self
            .driver_object
            .as_mut_ptr()
            .cast::<crate::sys::_DRIVER_OBJECT>() as PDRIVER_OBJECT;
        call_driver(&self.inner, 0, || {
            // SAFETY: a DRIVER_OBJECT-sized buffer and a registry path, as the kernel passes.
            unsafe { crate::driver::driver_entry(driver, &path) }
        })
    }

    /// PnP AddDevice: EvtDriverDeviceAdd with a fresh WDFDEVICE_INIT.
    pub(crate) fn add_device(&mut self) -> NTSTATUS {
        let (driver, init) = {
            let mut state = self.inner.lock();
            let Some(driver) = state.driver else {
                return STATUS_INVALID_DEVICE_REQUEST;
            };
            (driver, new_device_init(&mut state, INSTANCE_PATH))
        };
        let Some(device_add) = driver.device_add else {
            return STATUS_INVALID_DEVICE_REQUEST;
        };
        let status = call_driver(&self.inner, 0, || {
            // SAFETY: the driver's EvtDriverDeviceAdd with the framework's arguments.
            unsafe { device_add(driver.handle as WDFDRIVER, init as PWDFDEVICE_INIT) }
        });
        if status < 0 {
            // The framework deletes a device whose add failed.
            let device = self.inner.lock().device.take();
            if let Some(device) = device {
                self.delete_tree(device);
            }
        }
        self.inner.lock().device_inits.clear();
        status
    }

    /// PnP start: EvtDevicePrepareHardware; on success the WMI instances are registered.
    pub(crate) fn start_device(&mut self) -> NTSTATUS {
        let Some((device, pnp)) = self.device_pnp() else {
            return STATUS_INVALID_DEVICE_REQUEST;
        };
        let status = match pnp.EvtDevicePrepareHardware {
            Some(prepare) => call_driver(&self.inner, 0, || {
                // SAFETY: the driver's callback for its device (no resources: root-enumerated).
                unsafe {
                    prepare(
                        device as WDFDEVICE,
                        std::ptr::null_mut::<crate::sys::WDFCMRESLIST__>() as WDFCMRESLIST,
                        std::ptr::null_mut::<crate::sys::WDFCMRESLIST__>() as WDFCMRESLIST,
                    )
                }
            }),
            None => STATUS_SUCCESS,
        };
        if status < 0 {
            // The framework releases what prepare may have acquired, then removes the device.
            self.release(device, &pnp, true);
            self.remove_device();
            return status;
        }
        let mut state = self.inner.lock();
        if let Some(Kind::Device(d)) = state.objects.live.get_mut(&device).map(|o| &mut o.kind) {
            d.started = true;
        }
        for object in state.objects.live.values_mut() {
            match &mut object.kind {
                Kind::WmiInstance(w) if w.device == device && w.register => w.registered = true,
                _ => {}
            }
        }
        status
    }

    /// PnP stop (rebalance): EvtDeviceReleaseHardware; the device stays.
    pub(crate) fn stop_device(&mut self) {
        if let Some((device, pnp)) = self.device_pnp() {
            self.release(device, &pnp, false);
        }
    }

    /// PnP remove: WMI deregistered, EvtDeviceReleaseHardware if started, the device deleted
    /// (cleanup callbacks of its children first).
    pub(crate) fn remove_device(&mut self) {
        let Some((device, pnp)) = self.device_pnp() else {
            return;
        };
        {
            let mut state = self.inner.lock();
            for object in state.objects.live.values_mut() {
                if let Kind::WmiInstance(w) = &mut object.kind {
                    w.registered = false;
                }
            }
        }
        self.release(device, &pnp, false);
        self.inner.lock().device = None;
        self.delete_tree(device);
    }

    /// Unloads the driver: EvtDriverUnload, then the driver object and its children go.
    pub(crate) fn unload_driver(&mut self) {
        self.remove_device();
        let Some(driver) = self.inner.lock().driver.take() else {
            return;
        };
        if let Some(unload) = driver.unload {
            call_driver(&self.inner, 0, || {
                // SAFETY: the driver's EvtDriverUnload.
                unsafe { unload(driver.handle as WDFDRIVER) }
            });
        }
        self.delete_tree(driver.handle);
        self.join_workers();
        let state = self.inner.lock();
        let leftover: Vec<String> = state
            .objects
            .live
            .values()
            .map(|o| format!("{:?}", o.kind))
            .collect();
        let handles = state.registry.handles.len();
        drop(state);
        if !leftover.is_empty() || handles != 0 {
            self.inner.violation(format!(
                "after unload: objects {leftover:?}, {handles} registry handles open"
            ));
        }
    }

    /// A power loss: unflushed registry changes are lost and the driver's memory is gone
    /// without any callback. `boot` starts it again.
    pub(crate) fn crash(&mut self) {
        self.join_workers();
        let mut state = self.inner.lock();
        state.registry.crash();
        for (_, object) in std::mem::take(&mut state.objects.live) {
            objects::free_context(&object);
        }
        state.driver = None;
        state.device = None;
        state.device_inits.clear();
        state.dpcs = super::dpc::DpcQueue::default();
    }

    /// DriverEntry, AddDevice and start, each expected to succeed.
    pub(crate) fn boot(&mut self) {
        assert_eq!(self.load_driver(), STATUS_SUCCESS, "DriverEntry");
        assert_eq!(self.add_device(), STATUS_SUCCESS, "EvtDriverDeviceAdd");
        assert_eq!(
            self.start_device(),
            STATUS_SUCCESS,
            "EvtDevicePrepareHardware"
        );
    }

    fn device_pnp(&self) -> Option<(usize, crate::sys::WDF_PNPPOWER_EVENT_CALLBACKS)> {
        let state = self.inner.lock();
        let device = state.device?;
        match state.objects.live.get(&device).map(|o| &o.kind) {
            Some(Kind::Device(d)) => Some((device, d.pnp.unwrap_or_default())),
            _ => None,
        }
    }

    fn release(
        &mut self,
        device: usize,
        pnp: &crate::sys::WDF_PNPPOWER_EVENT_CALLBACKS,
        force: bool,
    ) {
        let was_started = {
            let mut state = self.inner.lock();
            match state.objects.live.get_mut(&device).map(|o| &mut o.kind) {
                Some(Kind::Device(d)) => std::mem::replace(&mut d.started, false),
                _ => false,
            }
        };
        if let (Some(release), true) = (pnp.EvtDeviceReleaseHardware, was_started || force) {
            let status = call_driver(&self.inner, 0, || {
                // SAFETY: the driver's callback for its device.
                unsafe {
                    release(
                        device as WDFDEVICE,
                        std::ptr::null_mut::<crate::sys::WDFCMRESLIST__>() as WDFCMRESLIST,
                    )
                }
            });
            if status < 0 {
                self.inner
                    .violation(format!("EvtDeviceReleaseHardware failed {status:#x}"));
            }
        }
    }

    /// Deletes `root` and its descendants: work items flushed, cleanup callbacks children
    /// first at PASSIVE_LEVEL, contexts freed (and scanned for watched secrets).
    fn delete_tree(&mut self, root: usize) {
        let order = self.inner.lock().objects.post_order(root);
        for handle in order {
            self.flush_work_item(handle);
            let cleanup = self
                .inner
                .lock()
                .objects
                .live
                .get(&handle)
                .and_then(|o| o.cleanup);
            if let Some(cleanup) = cleanup {
                call_driver(&self.inner, 0, || {
                    // SAFETY: the driver's cleanup callback for its object.
                    unsafe { cleanup(handle as WDFOBJECT) }
                });
            }
            let object = self.inner.lock().objects.remove(handle);
            if let Some(object) = object {
                if let Kind::Key { wdm_handle, .. } = object.kind {
                    self.inner.lock().registry.close(wdm_handle);
                }
                if object.context != 0 {
                    // SAFETY: the context is `context_size` bytes the simulation allocated.
                    let bytes = unsafe {
                        std::slice::from_raw_parts(object.context as *const u8, object.context_size)
                    };
                    if alloc::holds_watched_secret(self.inner.id, bytes) {
                        self.inner.violation(String::from(
                            "a WDF context still held a secret when freed",
                        ));
                    }
                }
                objects::free_context(&object);
            }
        }
    }

    fn flush_work_item(&self, handle: usize) {
        let mut state = self.inner.lock();
        loop {
            let busy = matches!(state.objects.live.get(&handle).map(|o| &o.kind), Some(Kind::WorkItem(w)) if w.queued || w.running);
            if !busy {
                return;
            }
            state = self
                .inner
                .changed
                .wait_timeout(state, std::time::Duration::from_millis(20))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    fn join_workers(&self) {
        loop {
            let workers = std::mem::take(&mut self.inner.lock().workers);
            if workers.is_empty() {
                return;
            }
            for worker in workers {
                let _ = worker.join();
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // WMI
    // -----------------------------------------------------------------------------------------

    fn wmi_instance(&self, guid: &[u8; 16]) -> Option<(usize, objects::WmiInstance)> {
        let state = self.inner.lock();
        state.objects.live.iter().find_map(|(&h, o)| match &o.kind {
            Kind::WmiInstance(w) if w.registered && guid_bytes(&w.guid) == *guid => {
                Some((h, w.clone()))
            }
            _ => None,
        })
    }

    /// The GUIDs of the registered WMI instances.
    pub(crate) fn registered_wmi_guids(&self) -> Vec<[u8; 16]> {
        let state = self.inner.lock();
        state
            .objects
            .live
            .values()
            .filter_map(|o| match &o.kind {
                Kind::WmiInstance(w) if w.registered => Some(guid_bytes(&w.guid)),
                _ => None,
            })
            .collect()
    }

    /// The MOF resource name the device assigned.
    pub(crate) fn mof_resource(&self) -> Option<String> {
        let state = self.inner.lock();
        let device = state.device?;
        match state.objects.live.get(&device).map(|o| &o.kind) {
            Some(Kind::Device(d)) => d.mof_resource.clone(),
            _ => None,
        }
    }

    /// IRP_MN_EXECUTE_METHOD for `guid`: FX `_ExecuteMethod` (fxwmiirphandler.cpp:1499-1560):
    /// InBufferSize = the input's size, OutBufferSize = `out_size`, Buffer NULL when both are
    /// 0, PENDING turned into UNSUCCESSFUL. The buffer is `max(in, out)` bytes followed by
    /// guard bytes that must survive the call.
    pub(crate) fn wmi_execute(
        &self,
        guid: &[u8; 16],
        method_id: u32,
        input: &[u8],
        out_size: u32,
    ) -> WmiAnswer {
        self.wmi_execute_sized(guid, method_id, input, input.len() as u32, out_size)
    }

    /// As [`Machine::wmi_execute`] with an explicit InBufferSize (may differ from the bytes).
    pub(crate) fn wmi_execute_sized(
        &self,
        guid: &[u8; 16],
        method_id: u32,
        input: &[u8],
        in_size: u32,
        out_size: u32,
    ) -> WmiAnswer {
        let Some((instance, w)) = self.wmi_instance(guid) else {
            return WmiAnswer {
                status: STATUS_WMI_GUID_NOT_FOUND,
                used: 0,
                out: Vec::new(),
            };
        };
        let Some(execute) = w.execute else {
            return WmiAnswer {
                status: STATUS_INVALID_DEVICE_REQUEST,
                used: 0,
                out: Vec::new(),
            };
        };
        const GUARD: usize = 64;
        let len = (in_size.max(out_size) as usize).max(input.len());
        let mut buffer = std::vec![0xA5u8; len + GUARD];
        buffer[..input.len()].copy_from_slice(input);
        let mut used: u32 = 0xDEAD;
        let pointer = if in_size == 0 && out_size == 0 {
            std::ptr::null_mut()
        } else {
            buffer.as_mut_ptr().cast()
        };
        let mut status = call_driver(&self.inner, 0, || {
            // SAFETY: the driver's callback with a buffer of max(in, out) bytes.
            unsafe {
                execute(
                    instance as WDFWMIINSTANCE,
                    method_id,
                    in_size,
                    out_size,
                    pointer,
                    &mut used,
                )
            }
        });
        if status == STATUS_PENDING {
            status = STATUS_UNSUCCESSFUL;
            used = 0;
        }
        if buffer[len..].iter().any(|&b| b != 0xA5) {
            self.inner
                .violation(String::from("the driver wrote past the WMI buffer"));
        }
        if status >= 0 && used > out_size {
            self.inner.violation(format!(
                "success with BufferUsed {used} > OutBufferSize {out_size}"
            ));
        }
        if alloc::holds_watched_secret(self.inner.id, &buffer) {
            self.inner
                .violation(String::from("a secret was left in the WMI buffer"));
        }
        let out = buffer[..(used as usize).min(len)].to_vec();
        WmiAnswer { status, used, out }
    }

    /// IRP_MN_QUERY_SINGLE_INSTANCE: FX `_QuerySingleInstance` (fxwmiirphandler.cpp:1251-1293).
    pub(crate) fn wmi_query(&self, guid: &[u8; 16], out_size: u32) -> WmiAnswer {
        let Some((instance, w)) = self.wmi_instance(guid) else {
            return WmiAnswer {
                status: STATUS_WMI_GUID_NOT_FOUND,
                used: 0,
                out: Vec::new(),
            };
        };
        let Some(query) = w.query else {
            return WmiAnswer {
                status: STATUS_INVALID_DEVICE_REQUEST,
                used: 0,
                out: Vec::new(),
            };
        };
        if out_size < w.min_instance_buffer_size {
            return WmiAnswer {
                status: STATUS_BUFFER_TOO_SMALL,
                used: w.min_instance_buffer_size,
                out: Vec::new(),
            };
        }
        let mut buffer = std::vec![0xA5u8; out_size as usize + 64];
        let mut used = 0u32;
        let status = call_driver(&self.inner, 0, || {
            // SAFETY: the driver's callback with `out_size` writable bytes.
            unsafe {
                query(
                    instance as WDFWMIINSTANCE,
                    out_size,
                    buffer.as_mut_ptr().cast(),
                    &mut used,
                )
            }
        });
        if buffer[out_size as usize..].iter().any(|&b| b != 0xA5) {
            self.inner
                .violation(String::from("the driver wrote past the query buffer"));
        }
        let out = buffer[..(used as usize).min(out_size as usize)].to_vec();
        WmiAnswer { status, used, out }
    }

    // -----------------------------------------------------------------------------------------
    // Query interface (FX fxpkgpnp.cpp:1700-1850)
    // -----------------------------------------------------------------------------------------

    /// IRP_MN_QUERY_INTERFACE from another driver: the exposed interface is copied into a
    /// `size`-byte buffer if it is no larger and no newer than asked, then referenced.
    pub(crate) fn query_interface(
        &self,
        guid: &[u8; 16],
        size: u16,
        version: u16,
    ) -> Result<Vec<u64>, NTSTATUS> {
        let exposed = {
            let state = self.inner.lock();
            let device = state.device.ok_or(STATUS_NOT_SUPPORTED)?;
            match state.objects.live.get(&device).map(|o| &o.kind) {
                Some(Kind::Device(d)) => d
                    .interfaces
                    .iter()
                    .find(|(g, _)| g == guid)
                    .map(|(_, b)| b.clone()),
                _ => None,
            }
        };
        let exposed = exposed.ok_or(STATUS_NOT_SUPPORTED)?;
        // SAFETY: the stored copy begins with an INTERFACE (checked when it was added).
        let header: INTERFACE = unsafe { exposed.as_ptr().cast::<INTERFACE>().read_unaligned() };
        if header.Size > size || header.Version > version {
            return Err(STATUS_INVALID_BUFFER_SIZE);
        }
        let mut buffer = std::vec![0u64; usize::from(size).div_ceil(8)];
        // SAFETY: `buffer` has at least `size >= header.Size` bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(
                exposed.as_ptr(),
                buffer.as_mut_ptr().cast::<u8>(),
                exposed.len(),
            )
        };
        if let Some(reference) = header.InterfaceReference {
            call_driver(&self.inner, 0, || {
                // SAFETY: the driver's InterfaceReference with its context.
                unsafe { reference(header.Context) }
            });
        }
        Ok(buffer)
    }

    // -----------------------------------------------------------------------------------------
    // Registry, faults, checks
    // -----------------------------------------------------------------------------------------

    /// The store key's path.
    pub(crate) fn store_path(&self) -> String {
        format!("{}\\{SUBKEY_NAME}", device_parameters(INSTANCE_PATH))
    }

    /// The store's current values, by name.
    pub(crate) fn store_values(&self) -> Vec<Value> {
        let state = self.inner.lock();
        state
            .registry
            .key(&self.store_path())
            .map(|k| k.values.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The store's flushed (durable) values.
    pub(crate) fn store_durable_values(&self) -> Vec<Value> {
        let state = self.inner.lock();
        state
            .registry
            .key(&self.store_path())
            .map(|k| k.durable.values().cloned().collect())
            .unwrap_or_default()
    }

    /// How often the store key was flushed.
    pub(crate) fn store_flushes(&self) -> u64 {
        self.inner
            .lock()
            .registry
            .key(&self.store_path())
            .map_or(0, |k| k.flushes)
    }

    /// The store key's DACL, if one was set.
    pub(crate) fn store_dacl(&self) -> Option<Dacl> {
        self.inner
            .lock()
            .registry
            .key(&self.store_path())
            .and_then(|k| k.dacl.clone())
    }

    /// Writes a value into the store key as an administrator would (durably).
    pub(crate) fn plant_store_value(&self, name: &str, kind: u32, data: &[u8]) {
        let path = self.store_path();
        let mut state = self.inner.lock();
        state.registry.set(&path, name, kind, data.to_vec());
        state.registry.flush(&path);
    }

    /// Makes registry writes fail (as on a read-only hive).
    pub(crate) fn fail_registry_writes(&self, fail: bool) {
        self.inner.lock().fail_registry_writes = fail;
    }

    /// Fails the `k`-th WDF object creation from now (0: the next one) with
    /// STATUS_INSUFFICIENT_RESOURCES.
    pub(crate) fn fail_object_creation_at(&self, k: u32) {
        self.inner.lock().fail_object_creation_at = Some(k);
    }

    /// WDF objects created so far.
    pub(crate) fn objects_created(&self) -> u32 {
        self.inner.lock().objects_created
    }

    /// Runs `f` with the driver's state of the device (for tests that inspect it).
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&crate::device::DeviceState) -> R) -> R {
        let device = self.device().expect("a device exists");
        // SAFETY: the device is live (the machine owns it) and the reference does not
        // outlive `f`.
        let state = unsafe { crate::device::DeviceState::of(device as WDFDEVICE) }
            .expect("the device's state is set");
        f(state)
    }

    /// Watches for `pattern` in every block of driver memory freed from now on.
    pub(crate) fn watch_secret(&self, pattern: [u8; 16]) {
        alloc::watch_secret(self.inner.id, pattern);
    }

    /// Freed driver blocks that still held the watched secret.
    pub(crate) fn secret_leaks(&self) -> u64 {
        alloc::secret_leaks(self.inner.id)
    }

    /// Bytes the driver holds.
    pub(crate) fn live_driver_bytes(&self) -> i64 {
        alloc::live_driver_bytes(self.inner.id)
    }

    /// The violations recorded so far.
    pub(crate) fn violations(&self) -> Vec<String> {
        self.inner.lock().violations.clone()
    }

    /// Takes the violations recorded so far (for tests that provoke one on purpose).
    pub(crate) fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut self.inner.lock().violations)
    }

    /// The driver's trace lines.
    pub(crate) fn trace(&self) -> Vec<(String, NTSTATUS)> {
        self.inner.lock().trace.clone()
    }

    /// A counter of the simulation.
    pub(crate) fn counter(&self, name: &'static str) -> u64 {
        self.inner.lock().counters.get(name).copied().unwrap_or(0)
    }

    /// DPCs run so far, by target processor.
    pub(crate) fn dpc_runs(&self) -> Vec<u32> {
        self.inner.lock().dpcs.runs.clone()
    }

    /// The device handle, if one exists.
    pub(crate) fn device(&self) -> Option<usize> {
        self.inner.lock().device
    }

    /// Fails the test if any violation was recorded.
    pub(crate) fn assert_clean(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "simulation violations: {violations:#?}"
        );
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        self.join_workers();
        if !std::thread::panicking() {
            self.assert_clean();
        }
    }
}
