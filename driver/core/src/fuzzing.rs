//! The fuzz oracles behind the `fuzz/` targets, and [`Call`], the one encoding of their input
//! (feature `fuzzing`, and unit tests). Not part of the API and never built into the driver.
//!
//! ```text
//!   fuzz/fuzz_targets/execute_method ──► execute_methods ──► Call::decode ──► Provider
//!   fuzz/examples/seeds, proptests ────► Call::encode ─────┘
//!   fuzz/fuzz_targets/record ──────────► record ──► Record::decode_unnamed ──► encode
//! ```
//!
//! The fixtures the oracles run on (the test platform, the fault store, the table fingerprint)
//! are in [`crate::testing`].

#![allow(
    clippy::panic,
    reason = "a fuzz oracle reports a finding by panicking; never built into the driver"
)]

use alloc::vec::Vec;
use zeroize::Zeroizing;

use crate::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};
use crate::guid::Guid;
use crate::platform::Platform;
use crate::provider::{AdapterConfig, MethodResult, Provider, out_size};
use crate::record::{MAX_RECORD_LEN, Record};
use crate::status::{IsdscStatus, NtStatus};
use crate::store::{MemoryStore, RecordStore};
use crate::testing::{FaultStore, Scenario, fingerprint, test_platform};
use crate::wire::status_out::STATUS_OUT_LEN;
use crate::wire::{GetPresharedKeyForIdOut, StatusOut};

/// The bits of a call's first byte, `op`.
pub mod op {
    /// `op & CLASS`: the class of the call (see [`super::Class`]).
    pub const CLASS: u8 = 0x03;
    /// `op & CLASS` for `MSiSCSI_SecurityConfigOperations` (2 means it too).
    pub const CLASS_SECURITY_CONFIG: u8 = 0;
    /// `op & CLASS` for `MSiSCSI_Operations`.
    pub const CLASS_OPERATIONS: u8 = 1;
    /// `op & CLASS` for a class the provider does not serve (`GUID_NULL`).
    pub const CLASS_OTHER: u8 = 3;
    /// `OutBufferSize` is `u32::MAX`; the call has no `out_size` field.
    pub const OUT_SIZE_MAX: u8 = 0x20;
    /// `InBufferSize` is `u32::MAX`; the call has no `in_size` field.
    pub const IN_SIZE_MAX: u8 = 0x40;
    /// The store fails every write and removal of this call.
    pub const STORE_FAILS: u8 = 0x80;
}

/// The method byte that stands for method 71 (bytes 0 to 6 are the method ids themselves).
pub const METHOD_BYTE_71: u8 = 7;
/// A method byte of 8 or more stands for `byte * UNKNOWN_METHOD_FACTOR`, an id no class has.
pub const UNKNOWN_METHOD_FACTOR: u32 = 0x0101_0101;
/// A call's buffer length is read modulo this.
pub const MAX_BUFFER_LEN: u16 = 2048;
/// Calls [`execute_methods`] runs at most.
pub const MAX_CALLS: usize = 64;

/// The class a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `MSiSCSI_SecurityConfigOperations`, methods 1 to 6.
    SecurityConfig,
    /// `MSiSCSI_Operations`, method 71.
    Operations,
    /// A class the provider does not serve (`GUID_NULL`).
    Other,
}

impl Class {
    /// The class GUID the provider is called with.
    #[must_use]
    pub const fn guid(self) -> Guid {
        match self {
            Class::SecurityConfig => SECURITY_CONFIG_OPERATIONS_GUID,
            Class::Operations => OPERATIONS_GUID,
            Class::Other => Guid::NULL,
        }
    }
}

/// One WMI method call of the `execute_method` fuzz input.
///
/// Encoded as `op: u8, method: u8, in_size: u16, out_size: u16, len: u16, len bytes`, all
/// little-endian: the [`op`] bits pick the class, drop `in_size` or `out_size` (the size is then
/// `u32::MAX`) and make the store fail; `method` is the id for 0 to 6, [`METHOD_BYTE_71`] for 71,
/// and otherwise `method * UNKNOWN_METHOD_FACTOR`; `len` is taken modulo [`MAX_BUFFER_LEN`].
/// Decoding reads any bytes: missing ones are zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The class.
    pub class: Class,
    /// The WMI method id.
    pub method_id: u32,
    /// `InBufferSize`; `None` is `u32::MAX`.
    pub in_size: Option<u16>,
    /// `OutBufferSize`; `None` is `u32::MAX`.
    pub out_size: Option<u16>,
    /// Whether the store fails every write and removal of this call.
    pub store_fails: bool,
    /// The method buffer (IN on the way in, OUT on the way out).
    pub buffer: Vec<u8>,
}

/// Why a [`Call`] cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// The method id has no method byte.
    MethodId(u32),
    /// The buffer is [`MAX_BUFFER_LEN`] bytes or longer.
    BufferLen(usize),
}

impl Call {
    /// A call as a well-behaved caller makes it: `InBufferSize` is the buffer's length,
    /// `OutBufferSize` the method's OUT size (4 for a method the class does not have), and the
    /// buffer holds at least the OUT struct (zeros after `input`).
    #[must_use]
    pub fn new(class: Class, method_id: u32, input: Vec<u8>) -> Call {
        let out = out_size(&class.guid(), method_id).map_or(STATUS_OUT_LEN, |n| {
            usize::try_from(n).unwrap_or(STATUS_OUT_LEN)
        });
        let mut buffer = input;
        if buffer.len() < out {
            buffer.resize(out, 0);
        }
        Call {
            class,
            method_id,
            in_size: u16::try_from(buffer.len()).ok(),
            out_size: u16::try_from(out).ok(),
            store_fails: false,
            buffer,
        }
    }

    /// [`Call::new`] for `MSiSCSI_SecurityConfigOperations`.
    #[must_use]
    pub fn security_config(method_id: u32, input: Vec<u8>) -> Call {
        Call::new(Class::SecurityConfig, method_id, input)
    }

    /// `InBufferSize`, as the provider gets it.
    #[must_use]
    pub fn in_buffer_size(&self) -> u32 {
        self.in_size.map_or(u32::MAX, u32::from)
    }

    /// `OutBufferSize`, as the provider gets it.
    #[must_use]
    pub fn out_buffer_size(&self) -> u32 {
        self.out_size.map_or(u32::MAX, u32::from)
    }

    /// Runs the call on `provider` (the store failure is the caller's to inject): the result
    /// and the buffer afterwards.
    pub fn execute<S: RecordStore, P: Platform>(
        &self,
        provider: &mut Provider<S, P>,
    ) -> (MethodResult, Vec<u8>) {
        let mut buffer = self.buffer.clone();
        let result = provider.execute_method(
            &self.class.guid(),
            self.method_id,
            &mut buffer,
            self.in_buffer_size(),
            self.out_buffer_size(),
        );
        (result, buffer)
    }

    /// Appends the call to `out`.
    ///
    /// # Errors
    ///
    /// When the method id has no method byte or the buffer is too long for the format; `out`
    /// is then unchanged.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), CallError> {
        let method = method_byte(self.method_id).ok_or(CallError::MethodId(self.method_id))?;
        let len = u16::try_from(self.buffer.len())
            .ok()
            .filter(|&n| n < MAX_BUFFER_LEN)
            .ok_or(CallError::BufferLen(self.buffer.len()))?;
        let mut first = match self.class {
            Class::SecurityConfig => op::CLASS_SECURITY_CONFIG,
            Class::Operations => op::CLASS_OPERATIONS,
            Class::Other => op::CLASS_OTHER,
        };
        if self.in_size.is_none() {
            first |= op::IN_SIZE_MAX;
        }
        if self.out_size.is_none() {
            first |= op::OUT_SIZE_MAX;
        }
        if self.store_fails {
            first |= op::STORE_FAILS;
        }
        out.extend_from_slice(&[first, method]);
        for size in [self.in_size, self.out_size].into_iter().flatten() {
            out.extend_from_slice(&size.to_le_bytes());
        }
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&self.buffer);
        Ok(())
    }

    /// Reads the next call from `input` and moves `input` past it; `None` when `input` is
    /// empty. Any bytes decode: a field cut short reads as zero.
    pub fn decode(input: &mut &[u8]) -> Option<Call> {
        let first = next_u8(input)?;
        let class = match first & op::CLASS {
            op::CLASS_OPERATIONS => Class::Operations,
            op::CLASS_OTHER => Class::Other,
            _ => Class::SecurityConfig,
        };
        let method_id = method_id(next_u8(input).unwrap_or(0));
        let in_size = (first & op::IN_SIZE_MAX == 0).then(|| next_u16(input));
        let out_size = (first & op::OUT_SIZE_MAX == 0).then(|| next_u16(input));
        let len = next_u16(input) % MAX_BUFFER_LEN;
        let buffer = (0..len).map(|_| next_u8(input).unwrap_or(0)).collect();
        Some(Call {
            class,
            method_id,
            in_size,
            out_size,
            store_fails: first & op::STORE_FAILS != 0,
            buffer,
        })
    }
}

/// The method id a method byte stands for.
fn method_id(byte: u8) -> u32 {
    match byte {
        METHOD_BYTE_71 => 71,
        0..METHOD_BYTE_71 => u32::from(byte),
        _ => u32::from(byte).wrapping_mul(UNKNOWN_METHOD_FACTOR),
    }
}

/// The method byte of a method id, if it has one.
fn method_byte(id: u32) -> Option<u8> {
    (0..=u8::MAX).find(|&byte| method_id(byte) == id)
}

fn next_u8(input: &mut &[u8]) -> Option<u8> {
    let (&b, rest) = input.split_first()?;
    *input = rest;
    Some(b)
}

fn next_u16(input: &mut &[u8]) -> u16 {
    u16::from_le_bytes([next_u8(input).unwrap_or(0), next_u8(input).unwrap_or(0)])
}

/// Runs the calls encoded in `data` (at most [`MAX_CALLS`], each a [`Call`]) against a provider
/// over a memory store (2 ports, 8 entries) and checks, after every call:
/// - a successful call used exactly the OUT size; a failed one wrote nothing it reported;
/// - an error (NTSTATUS or ISDSC) changed nothing in memory;
/// - a provider restarted from the store holds exactly what the live one holds.
///
/// # Panics
///
/// When a check fails: that is the finding.
pub fn execute_methods(data: &[u8]) {
    let config = AdapterConfig {
        port_count: 2,
        max_entries: 8,
    };
    let (store, handle) = FaultStore::new(MemoryStore::new());
    let Ok((mut provider, _)) = Provider::start(store, config, test_platform()) else {
        return;
    };
    let mut input = data;
    for _ in 0..MAX_CALLS {
        let Some(call) = Call::decode(&mut input) else {
            break;
        };
        if call.store_fails {
            handle.set(Scenario::Failing);
        }
        let before = fingerprint(provider.table());
        let (result, buffer) = call.execute(&mut provider);
        handle.set(Scenario::Healthy);
        let after = fingerprint(provider.table());

        let refused = if result.status == NtStatus::SUCCESS {
            let used = usize::try_from(result.used).unwrap_or(usize::MAX);
            assert!(used == 4 || used == 16, "used {used}");
            assert!(used <= buffer.len());
            let status = if used == 16 {
                GetPresharedKeyForIdOut::parse(&buffer).map(|o| o.status)
            } else {
                StatusOut::parse(&buffer).map(|o| o.status)
            };
            status.map_or(true, IsdscStatus::is_error)
        } else {
            true
        };
        if refused {
            assert_eq!(
                before, after,
                "a refused call changed the table: {result:?}"
            );
        }
        let restarted = Provider::start(handle.durable(), config, test_platform());
        let Ok((restarted, _)) = restarted else {
            panic!("restart failed")
        };
        assert_eq!(
            fingerprint(restarted.table()),
            after,
            "memory and storage disagree"
        );
    }
}

/// Decodes `data` as a stored record; whatever decodes must re-encode to the same bytes.
///
/// # Panics
///
/// When a decoded record does not re-encode to `data`.
pub fn record(data: &[u8]) {
    let Ok(record) = Record::decode_unnamed(data) else {
        return;
    };
    let mut buf = Zeroizing::new([0u8; MAX_RECORD_LEN]);
    let n = record.as_record_ref().encode(buf.as_mut_slice());
    let Ok(n) = n else {
        panic!("a decoded record does not re-encode")
    };
    assert_eq!(buf.get(..n), Some(data), "decode/encode round trip differs");
    assert!(Record::decode(record.name().as_str(), data).is_ok());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::method;
    use alloc::vec;

    #[test]
    fn encode_refuses_what_the_format_cannot_say() {
        let mut out = Vec::new();
        let unknown = Call::new(Class::SecurityConfig, 9, Vec::new());
        assert_eq!(unknown.encode(&mut out), Err(CallError::MethodId(9)));
        let long = vec![0; usize::from(MAX_BUFFER_LEN)];
        let long = Call::new(Class::Other, method::CLEAR_CACHE, long);
        assert_eq!(long.encode(&mut out), Err(CallError::BufferLen(2048)));
        assert!(out.is_empty(), "nothing written");
    }

    #[test]
    fn the_method_byte_names_every_served_id_and_unknown_ones() {
        for (byte, id) in [(1, 1), (6, 6), (METHOD_BYTE_71, 71), (8, 0x0808_0808)] {
            assert_eq!((method_id(byte), method_byte(id)), (id, Some(byte)));
        }
        assert_eq!(method_byte(72), None);
    }
}
