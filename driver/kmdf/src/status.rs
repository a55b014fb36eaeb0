//! The one place where outcomes become NTSTATUS values.
//!
//! ```text
//!   wmi.rs, device.rs, interface.rs ──► status (this file) ──► NTSTATUS returned to WDF/callers
//! ```
//!
//! The core's method answers already are NTSTATUS numbers (SPEC §3); they pass through
//! unchanged. Everything else the driver can report — the provider not running, the core's
//! start-up and lookup errors, the pool running out — is mapped here and nowhere else.

use iscsisec_core::domain::ValidationError;
use iscsisec_core::{LookupMiss, MethodResult, NtStatus, StartError};

use crate::memory::OutOfMemory;
use crate::sys::{
    NTSTATUS, STATUS_BUFFER_TOO_SMALL, STATUS_DEVICE_NOT_READY, STATUS_FILE_CORRUPT_ERROR,
    STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_DEVICE_STATE, STATUS_INVALID_PARAMETER,
    STATUS_NOT_FOUND, STATUS_SUCCESS, STATUS_UNSUCCESSFUL,
};

/// Why the driver itself (not the core) could not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DriverError {
    /// The provider is not running: the device has not started, or has stopped.
    NotStarted,
    /// An allocation the driver needed failed.
    OutOfMemory,
    /// A lookup was called above DISPATCH_LEVEL.
    IrqlTooHigh,
    /// A lookup argument is null or an identifier or port the core refuses.
    BadArgument,
    /// The caller's buffer cannot hold what it asked for (the needed size is reported beside).
    BufferTooSmall,
}

impl From<OutOfMemory> for DriverError {
    fn from(_: OutOfMemory) -> DriverError {
        DriverError::OutOfMemory
    }
}

impl From<ValidationError> for DriverError {
    fn from(_: ValidationError) -> DriverError {
        DriverError::BadArgument
    }
}

/// The NTSTATUS of a driver-level failure.
pub(crate) fn driver_error(error: DriverError) -> NTSTATUS {
    match error {
        DriverError::NotStarted => STATUS_DEVICE_NOT_READY,
        DriverError::OutOfMemory => STATUS_INSUFFICIENT_RESOURCES,
        DriverError::IrqlTooHigh => STATUS_INVALID_DEVICE_STATE,
        DriverError::BadArgument => STATUS_INVALID_PARAMETER,
        DriverError::BufferTooSmall => STATUS_BUFFER_TOO_SMALL,
    }
}

/// The callback status of a WMI method the core answered: its NTSTATUS, bit for bit.
pub(crate) fn method(result: MethodResult) -> NTSTATUS {
    nt(result.status)
}

/// The core's [`NtStatus`] as the signed `NTSTATUS` WDF takes.
pub(crate) fn nt(status: NtStatus) -> NTSTATUS {
    NTSTATUS::from_ne_bytes(status.0.to_ne_bytes())
}

/// The status the device fails to start with when the provider cannot start.
pub(crate) fn start_failure(error: StartError) -> NTSTATUS {
    match error {
        StartError::OutOfMemory => STATUS_INSUFFICIENT_RESOURCES,
        StartError::Store(e) if e == crate::registry::OUT_OF_MEMORY => {
            STATUS_INSUFFICIENT_RESOURCES
        }
        // The store could not be enumerated (the registry store traced the status of the
        // call that failed), or the random source failed: neither is more specific to WDF.
        StartError::Store(_) | StartError::Random => STATUS_UNSUCCESSFUL,
        // `StartError` is non-exhaustive: a cause added later still fails the start.
        _ => STATUS_UNSUCCESSFUL,
    }
}

/// The status of a lookup through the query interface.
pub(crate) fn lookup(outcome: Result<(), LookupFailure>) -> NTSTATUS {
    match outcome {
        Ok(()) => STATUS_SUCCESS,
        Err(LookupFailure::Miss(LookupMiss::NoKey)) => STATUS_NOT_FOUND,
        Err(LookupFailure::Miss(LookupMiss::Damaged)) => STATUS_FILE_CORRUPT_ERROR,
        Err(LookupFailure::Miss(LookupMiss::Stopped)) => STATUS_DEVICE_NOT_READY,
        // `LookupMiss` is non-exhaustive: an unknown miss is still no key.
        Err(LookupFailure::Miss(_)) => STATUS_NOT_FOUND,
        Err(LookupFailure::Driver(error)) => driver_error(error),
    }
}

/// Why a lookup through the interface gave no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupFailure {
    /// The core found no key (or refused a damaged one).
    Miss(LookupMiss),
    /// The driver could not ask the core.
    Driver(DriverError),
}

impl From<LookupMiss> for LookupFailure {
    fn from(miss: LookupMiss) -> LookupFailure {
        LookupFailure::Miss(miss)
    }
}

impl From<DriverError> for LookupFailure {
    fn from(error: DriverError) -> LookupFailure {
        LookupFailure::Driver(error)
    }
}

impl From<ValidationError> for LookupFailure {
    fn from(error: ValidationError) -> LookupFailure {
        LookupFailure::Driver(error.into())
    }
}
