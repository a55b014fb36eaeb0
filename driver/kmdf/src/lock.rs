//! WDF wait locks and spin locks behind RAII guards.
//!
//! ```text
//!   device.rs, wmi.rs ──► WaitLock (writers, PASSIVE_LEVEL)
//!   grace.rs          ──► SpinLock (the retired chain, <= DISPATCH_LEVEL)
//! ```
//!
//! WMI callbacks are not serialised by the framework (DDI `EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD`),
//! so every writer of the provider holds the device's [`WaitLock`]. Both locks are WDF objects
//! parented to the device and deleted with it.

use core::marker::PhantomData;
use core::ptr;

use crate::context::attributes;
use crate::sys::{
    NT_SUCCESS, NTSTATUS, STATUS_SUCCESS, WDFDEVICE, WDFOBJECT, WDFSPINLOCK, WDFWAITLOCK,
    call_unsafe_wdf_function_binding,
};

/// A `WDFWAITLOCK`: a mutex for PASSIVE_LEVEL callers.
#[derive(Debug)]
pub(crate) struct WaitLock {
    handle: WDFWAITLOCK,
}

impl WaitLock {
    /// Creates a wait lock parented to `device` (`WdfWaitLockCreate`, <= DISPATCH_LEVEL).
    ///
    /// # Errors
    ///
    /// The framework's status (`STATUS_INSUFFICIENT_RESOURCES` when out of memory).
    pub(crate) fn create(device: WDFDEVICE) -> Result<WaitLock, NTSTATUS> {
        let mut attrs = attributes(None, None, device as WDFOBJECT);
        let mut handle: WDFWAITLOCK = ptr::null_mut();
        // SAFETY: `attrs` and `handle` are valid for the call; `device` is the live device
        // object the caller is setting up.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(WdfWaitLockCreate, &mut attrs, &mut handle)
        };
        if NT_SUCCESS(status) {
            Ok(WaitLock { handle })
        } else {
            Err(status)
        }
    }

    /// Waits for the lock (`WdfWaitLockAcquire` with no timeout: PASSIVE_LEVEL only).
    pub(crate) fn acquire(&self) -> WaitLockGuard<'_> {
        // SAFETY: the handle is live while `self` is (the device owns both); a NULL timeout
        // waits indefinitely and always returns STATUS_SUCCESS; callers run at PASSIVE_LEVEL.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(WdfWaitLockAcquire, self.handle, ptr::null_mut())
        };
        debug_assert_eq!(status, STATUS_SUCCESS);
        WaitLockGuard {
            lock: self,
            _not_send: PhantomData,
        }
    }
}

/// Holds a [`WaitLock`]; releases it when dropped.
#[derive(Debug)]
pub(crate) struct WaitLockGuard<'a> {
    lock: &'a WaitLock,
    /// Released on the thread that acquired it.
    _not_send: PhantomData<*const ()>,
}

impl Drop for WaitLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: this guard holds the lock, acquired on this thread.
        unsafe { call_unsafe_wdf_function_binding!(WdfWaitLockRelease, self.lock.handle) };
    }
}

/// A `WDFSPINLOCK`: raises to DISPATCH_LEVEL while held.
#[derive(Debug)]
pub(crate) struct SpinLock {
    handle: WDFSPINLOCK,
}

impl SpinLock {
    /// Creates a spin lock parented to `device` (`WdfSpinLockCreate`, <= DISPATCH_LEVEL).
    ///
    /// # Errors
    ///
    /// The framework's status.
    pub(crate) fn create(device: WDFDEVICE) -> Result<SpinLock, NTSTATUS> {
        let mut attrs = attributes(None, None, device as WDFOBJECT);
        let mut handle: WDFSPINLOCK = ptr::null_mut();
        // SAFETY: `attrs` and `handle` are valid for the call.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(WdfSpinLockCreate, &mut attrs, &mut handle)
        };
        if NT_SUCCESS(status) {
            Ok(SpinLock { handle })
        } else {
            Err(status)
        }
    }

    /// Takes the lock (`WdfSpinLockAcquire`, <= DISPATCH_LEVEL).
    pub(crate) fn acquire(&self) -> SpinLockGuard<'_> {
        // SAFETY: the handle is live while `self` is; callers run at <= DISPATCH_LEVEL.
        unsafe { call_unsafe_wdf_function_binding!(WdfSpinLockAcquire, self.handle) };
        SpinLockGuard {
            lock: self,
            _not_send: PhantomData,
        }
    }
}

/// Holds a [`SpinLock`]; releases it (restoring the IRQL) when dropped.
#[derive(Debug)]
pub(crate) struct SpinLockGuard<'a> {
    lock: &'a SpinLock,
    _not_send: PhantomData<*const ()>,
}

impl Drop for SpinLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: this guard holds the lock, acquired on this thread.
        unsafe { call_unsafe_wdf_function_binding!(WdfSpinLockRelease, self.lock.handle) };
    }
}
