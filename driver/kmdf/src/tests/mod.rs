//! The driver's callbacks run through the simulated WDF (Linux; `cargo test -p iscsisec`).
//!
//! ```text
//!   tests (this module) ──► sim::Machine ──► DriverEntry, EvtDriverDeviceAdd, PnP, WMI, QI
//!                                      └───► the driver (same source as on Windows) ──► core
//! ```
//!
//! IN buffers are built here by hand from SPEC §2, independently of the core's wire code.

extern crate std;

mod grace;
mod inf;
mod interface;
mod irql;
mod lifecycle;
mod memory;
mod mof;
mod persistence;
mod semantics;
mod transport;

use std::vec::Vec;

use iscsisec_core::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};

use crate::sim::{Machine, WmiAnswer};
use crate::sys::{NTSTATUS, STATUS_SUCCESS};

/// `MSiSCSI_SecurityConfigOperations` as WMI names it in the IRP.
pub(crate) const SECURITY: [u8; 16] = SECURITY_CONFIG_OPERATIONS_GUID.to_bytes_le();
/// `MSiSCSI_Operations`.
pub(crate) const OPERATIONS: [u8; 16] = OPERATIONS_GUID.to_bytes_le();

/// ISDSC status codes (iscsierr.h) the tests expect in OUT.Status.
pub(crate) mod isdsc {
    pub(crate) const SUCCESS: u32 = 0;
    pub(crate) const NON_SPECIFIC_ERROR: u32 = 0xEFFF_0001;
    pub(crate) const TARGET_PRESHAREDKEY_UNAVAILABLE: u32 = 0xEFFF_0027;
    pub(crate) const HBA_SECURITY_CACHE_FULL: u32 = 0xEFFF_002C;
    pub(crate) const INVALID_PORT_NUMBER: u32 = 0xEFFF_002D;
    pub(crate) const IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED: u32 = 0xEFFF_0030;
    pub(crate) const IKE_ID_PAYLOAD_INCORRECT_SIZE: u32 = 0xEFFF_0031;
    pub(crate) const CACHE_CORRUPTED: u32 = 0xEFFF_0036;
    pub(crate) const SHORT_CHAP_SECRET: u32 = 0xAFFF_0048;
    pub(crate) const INVALID_INITIATOR_CHAP_SECRET: u32 = 0xEFFF_004C;
    pub(crate) const INVALID_PARAMETER: u32 = 0xEFFF_0056;
}

/// NTSTATUS values the tests compare with (ntstatus.h).
pub(crate) mod nt {
    use crate::sys::NTSTATUS;
    pub(crate) const INVALID_PARAMETER: NTSTATUS = 0xC000_000D_u32 as NTSTATUS;
    pub(crate) const BUFFER_TOO_SMALL: NTSTATUS = 0xC000_0023_u32 as NTSTATUS;
    pub(crate) const WMI_GUID_NOT_FOUND: NTSTATUS = 0xC000_0295_u32 as NTSTATUS;
    pub(crate) const WMI_ITEMID_NOT_FOUND: NTSTATUS = 0xC000_0297_u32 as NTSTATUS;
    pub(crate) const DEVICE_NOT_READY: NTSTATUS = 0xC000_00A3_u32 as NTSTATUS;
    pub(crate) const INSUFFICIENT_RESOURCES: NTSTATUS = 0xC000_009A_u32 as NTSTATUS;
    pub(crate) const NOT_FOUND: NTSTATUS = 0xC000_0225_u32 as NTSTATUS;
    pub(crate) const FILE_CORRUPT_ERROR: NTSTATUS = 0xC000_0102_u32 as NTSTATUS;
    pub(crate) const INVALID_DEVICE_STATE: NTSTATUS = 0xC000_0184_u32 as NTSTATUS;
}

/// Method ids (`WmiMethodId`, iscsiop.h).
pub(crate) mod method {
    pub(crate) const SET_PSK: u32 = 1;
    pub(crate) const GET_PSK: u32 = 2;
    pub(crate) const SET_GROUP_KEY: u32 = 3;
    pub(crate) const SET_TUNNEL: u32 = 4;
    pub(crate) const CLEAR_CACHE: u32 = 5;
    pub(crate) const SET_GUID: u32 = 6;
    pub(crate) const SET_CHAP: u32 = 71;
}

/// A booted machine: driver loaded, device added and started.
pub(crate) fn booted() -> Machine {
    let mut machine = Machine::new();
    machine.boot();
    machine
}

/// SetPresharedKeyForId_IN (SPEC §2: 28-byte fixed part, then Id, then Key).
pub(crate) fn set_psk(port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut b = std::vec![0u8; 28];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[8..16].copy_from_slice(&flags.to_le_bytes());
    b[16] = id_type;
    b[20..24].copy_from_slice(&(id.len() as u32).to_le_bytes());
    b[24..28].copy_from_slice(&(key.len() as u32).to_le_bytes());
    b.extend_from_slice(id);
    b.extend_from_slice(key);
    b
}

/// GetPresharedKeyForId_IN (12-byte fixed part, then Id).
pub(crate) fn get_psk(port: u32, id_type: u8, id: &[u8]) -> Vec<u8> {
    let mut b = std::vec![0u8; 12];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[4] = id_type;
    b[8..12].copy_from_slice(&(id.len() as u32).to_le_bytes());
    b.extend_from_slice(id);
    b
}

/// A u32 size then the bytes: SetGroupPresharedKey_IN and SetCHAPSharedSecret_IN.
pub(crate) fn sized(bytes: &[u8]) -> Vec<u8> {
    let mut b = (bytes.len() as u32).to_le_bytes().to_vec();
    b.extend_from_slice(bytes);
    b
}

/// The OUT.Status of a successful call.
pub(crate) fn out_status(answer: &WmiAnswer) -> u32 {
    assert_eq!(
        answer.status, STATUS_SUCCESS,
        "transport status of {answer:?}"
    );
    u32::from_le_bytes(answer.out[0..4].try_into().expect("OUT has a Status"))
}

/// Calls SecurityConfigOperations `method` with `input` and the method's OUT size.
pub(crate) fn call(machine: &Machine, id: u32, input: &[u8]) -> WmiAnswer {
    let out = if id == method::GET_PSK { 16 } else { 4 };
    let guid = if id == method::SET_CHAP {
        OPERATIONS
    } else {
        SECURITY
    };
    machine.wmi_execute(&guid, id, input, out)
}

/// A key whose first 16 bytes the allocator watches for in freed driver memory.
pub(crate) fn watched_key(machine: &Machine, tag: u8) -> Vec<u8> {
    let mut pattern = *b"KEY-MARKER-xx-16";
    pattern[11] = b'0' + tag / 10;
    pattern[12] = b'0' + tag % 10;
    machine.watch_secret(pattern);
    let mut key = pattern.to_vec();
    key.extend_from_slice(b"-and-the-rest-of-the-key");
    key
}

/// Asserts an NTSTATUS.
#[track_caller]
pub(crate) fn assert_nt(actual: NTSTATUS, expected: NTSTATUS) {
    assert_eq!(
        actual as u32, expected as u32,
        "NTSTATUS {:#010x} != {:#010x}",
        actual as u32, expected as u32
    );
}
