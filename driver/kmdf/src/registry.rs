//! The core's `RecordStore` over the registry: one REG_BINARY value per record.
//!
//! ```text
//!   core Provider ──► RecordStore ──► RegistryStore (this file)
//!        ──► WdfRegistry* (write, remove), ZwEnumerateValueKey (load), ZwFlushKey (durability)
//!   HKLM\SYSTEM\CurrentControlSet\Enum\<device>\Device Parameters\IscsiSecurityStore
//!        value <record name> : REG_BINARY <record bytes>   (DACL: SYSTEM, Administrators)
//! ```
//!
//! A registry value is replaced whole (the configuration manager logs hive changes), so a
//! crash leaves a record old or new; the registry is flushed lazily, so every write and
//! remove is followed by `ZwFlushKey` before the core is told it succeeded (SPEC §6: SUCCESS
//! means durable). WDF cannot enumerate values, so `load` takes the key's WDM handle and walks
//! `ZwEnumerateValueKey` from index 0. This file decides nothing about record contents: it
//! hands the core every value with its name, and the core checks them.

use alloc::string::String;
use alloc::vec::Vec;
use core::ptr;

use iscsisec_core::record::MAX_RECORD_LEN;
use iscsisec_core::store::Visitor;
use iscsisec_core::{RecordStore, StoreError};
use zeroize::Zeroize;

use crate::layout::{KEY_VALUE_BASIC_NAME_OFFSET, KEY_VALUE_FULL_NAME_OFFSET};
use crate::memory::try_zeroed_vec;
use crate::security;
use crate::sys::{
    _KEY_VALUE_INFORMATION_CLASS, HANDLE, KEY_READ, KEY_WRITE, NT_SUCCESS, NTSTATUS,
    PLUGPLAY_REGKEY_DEVICE, REG_BINARY, REG_OPTION_NON_VOLATILE, STATUS_BUFFER_OVERFLOW,
    STATUS_BUFFER_TOO_SMALL, STATUS_NO_MORE_ENTRIES, STATUS_OBJECT_NAME_NOT_FOUND, ULONG,
    WDF_NO_OBJECT_ATTRIBUTES, WDFDEVICE, WDFKEY, WRITE_DAC, call_unsafe_wdf_function_binding,
    ntddk,
};
use crate::unicode::{ConstUnicode, WideName, utf16};

/// Name of the subkey under the device's hardware key (`Device Parameters`).
pub(crate) const SUBKEY_NAME: &str = "IscsiSecurityStore";
static SUBKEY_UTF16: [u16; SUBKEY_NAME.len() + 1] = utf16(SUBKEY_NAME);

/// What `load` reports when its buffers cannot be allocated (the device then fails to start
/// with STATUS_INSUFFICIENT_RESOURCES).
pub(crate) const OUT_OF_MEMORY: StoreError = StoreError {
    what: "out of memory while loading",
};

/// The longest value name the registry allows, in UTF-16 units.
const MAX_VALUE_NAME_UNITS: usize = 16_383;
/// Enumeration buffer: a full-information header, the longest name and one byte more than the
/// longest record (so an overlong value reaches the core, which refuses it, as in the
/// user-mode host), in 8-byte words for the header's alignment.
const ENUM_BUFFER_BYTES: usize =
    KEY_VALUE_FULL_NAME_OFFSET + 2 * MAX_VALUE_NAME_UNITS + MAX_RECORD_LEN + 8;
const ENUM_BUFFER_WORDS: usize = ENUM_BUFFER_BYTES.div_ceil(8);

/// The driver's records: an open key under the device's hardware key.
#[derive(Debug)]
pub(crate) struct RegistryStore {
    key: WDFKEY,
    handle: HANDLE,
}

// SAFETY: a WDFKEY and its WDM handle may be used from any thread; every use is a PASSIVE_LEVEL
// registry call made by whoever holds the provider (serialised by the device's wait lock).
unsafe impl Send for RegistryStore {}

impl RegistryStore {
    /// Opens (creating it if missing) the store's subkey of `device`'s hardware key and
    /// restricts its DACL to SYSTEM and Administrators. PASSIVE_LEVEL.
    ///
    /// # Errors
    ///
    /// The status of the registry call that failed.
    pub(crate) fn open(device: WDFDEVICE) -> Result<RegistryStore, NTSTATUS> {
        let mut parent: WDFKEY = ptr::null_mut();
        // SAFETY: `device` is the live device being started; `parent` receives the key.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(
                WdfDeviceOpenRegistryKey,
                device,
                PLUGPLAY_REGKEY_DEVICE,
                KEY_READ | KEY_WRITE,
                WDF_NO_OBJECT_ATTRIBUTES,
                &mut parent,
            )
        };
        if !NT_SUCCESS(status) {
            return Err(status);
        }
        let name = ConstUnicode(&SUBKEY_UTF16).get();
        let mut key: WDFKEY = ptr::null_mut();
        let mut disposition: ULONG = 0;
        // SAFETY: `parent` was opened above; `name` points to a static string; the outputs
        // are valid for the call.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(
                WdfRegistryCreateKey,
                parent,
                &name,
                KEY_READ | KEY_WRITE | WRITE_DAC,
                REG_OPTION_NON_VOLATILE,
                &mut disposition,
                WDF_NO_OBJECT_ATTRIBUTES,
                &mut key,
            )
        };
        // SAFETY: `parent` is open and not used after this.
        unsafe { call_unsafe_wdf_function_binding!(WdfRegistryClose, parent) };
        if !NT_SUCCESS(status) {
            return Err(status);
        }
        // SAFETY: `key` is open; the handle stays valid until the key is closed in `drop`.
        let handle = unsafe { call_unsafe_wdf_function_binding!(WdfRegistryWdmGetHandle, key) };
        let store = RegistryStore { key, handle };
        security::restrict_to_system_and_administrators(store.handle)?;
        Ok(store)
    }

    /// Traces a failed registry call (its status, never record bytes) for the core's error.
    fn fail(&mut self, what: &'static str, status: NTSTATUS) -> StoreError {
        crate::sys::trace(what, status);
        StoreError { what }
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        // SAFETY: `handle` belongs to the open key.
        let status = unsafe { ntddk::ZwFlushKey(self.handle) };
        if NT_SUCCESS(status) {
            Ok(())
        } else {
            Err(self.fail("registry flush failed", status))
        }
    }

    /// Reads the name of the value at `index` (after its full information did not fit).
    fn value_name(
        &mut self,
        index: ULONG,
        buffer: &mut [u8],
        name: &mut String,
    ) -> Result<(), StoreError> {
        let mut result_len: ULONG = 0;
        let len = ULONG::try_from(buffer.len()).unwrap_or(ULONG::MAX);
        // SAFETY: `buffer` is writable for `len` bytes and 8-aligned (it views a `Vec<u64>`);
        // `result_len` is valid for the call.
        let status = unsafe {
            ntddk::ZwEnumerateValueKey(
                self.handle,
                index,
                _KEY_VALUE_INFORMATION_CLASS::KeyValueBasicInformation,
                buffer.as_mut_ptr().cast(),
                len,
                &mut result_len,
            )
        };
        if !NT_SUCCESS(status) {
            return Err(self.fail("registry enumeration failed", status));
        }
        let filled = buffer
            .get(..usize::try_from(result_len).unwrap_or(0))
            .unwrap_or(&[]);
        let name_len = u32_at(filled, 8).unwrap_or(0);
        let units = field(filled, KEY_VALUE_BASIC_NAME_OFFSET, name_len).unwrap_or(&[]);
        decode_name(units, name);
        Ok(())
    }
}

impl Drop for RegistryStore {
    fn drop(&mut self) {
        // SAFETY: the key was opened in `open` and is closed once, here (PASSIVE_LEVEL: the
        // provider that owns the store is dropped by the device's start, stop or cleanup).
        unsafe { call_unsafe_wdf_function_binding!(WdfRegistryClose, self.key) };
    }
}

impl RecordStore for RegistryStore {
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let wide = WideName::new(name).map_err(|_| StoreError {
            what: "out of memory",
        })?;
        let value_name = wide.unicode();
        let len = ULONG::try_from(bytes.len()).map_err(|_| StoreError {
            what: "record too long",
        })?;
        // SAFETY: `key` is open; `value_name` and `bytes` are valid for the call, which only
        // reads `bytes` (`_In_reads_bytes_(ValueLength)`).
        let status = unsafe {
            call_unsafe_wdf_function_binding!(
                WdfRegistryAssignValue,
                self.key,
                &value_name,
                REG_BINARY,
                len,
                bytes.as_ptr().cast_mut().cast(),
            )
        };
        if !NT_SUCCESS(status) {
            return Err(self.fail("registry write failed", status));
        }
        self.flush()
    }

    fn remove(&mut self, name: &str) -> Result<(), StoreError> {
        let wide = WideName::new(name).map_err(|_| StoreError {
            what: "out of memory",
        })?;
        let value_name = wide.unicode();
        // SAFETY: `key` is open; `value_name` is valid for the call.
        let status = unsafe {
            call_unsafe_wdf_function_binding!(WdfRegistryRemoveValue, self.key, &value_name)
        };
        if status == STATUS_OBJECT_NAME_NOT_FOUND {
            return Ok(());
        }
        if !NT_SUCCESS(status) {
            return Err(self.fail("registry remove failed", status));
        }
        self.flush()
    }

    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        let oom = OUT_OF_MEMORY;
        let mut words: Vec<u64> = try_zeroed_vec(ENUM_BUFFER_WORDS).map_err(|_| oom)?;
        let mut name = String::new();
        name.try_reserve_exact(3 * MAX_VALUE_NAME_UNITS)
            .map_err(|_| oom)?;
        let outcome = self.enumerate(bytes_of(&mut words), &mut name, visit);
        bytes_of(&mut words).zeroize();
        outcome
    }
}

impl RegistryStore {
    fn enumerate(
        &mut self,
        buffer: &mut [u8],
        name: &mut String,
        visit: &mut Visitor<'_>,
    ) -> Result<(), StoreError> {
        let len = ULONG::try_from(buffer.len()).unwrap_or(ULONG::MAX);
        for index in 0..ULONG::MAX {
            let mut result_len: ULONG = 0;
            // SAFETY: `buffer` is writable for `len` bytes and 8-aligned; `result_len` is
            // valid for the call; the key's handle is open with KEY_QUERY_VALUE.
            let status = unsafe {
                ntddk::ZwEnumerateValueKey(
                    self.handle,
                    index,
                    _KEY_VALUE_INFORMATION_CLASS::KeyValueFullInformation,
                    buffer.as_mut_ptr().cast(),
                    len,
                    &mut result_len,
                )
            };
            if status == STATUS_NO_MORE_ENTRIES {
                return Ok(());
            }
            if status == STATUS_BUFFER_OVERFLOW || status == STATUS_BUFFER_TOO_SMALL {
                // Longer than any record: the core is told it could not be read.
                self.value_name(index, buffer, name)?;
                visit(
                    name.as_bytes(),
                    Err(StoreError {
                        what: "value larger than any record",
                    }),
                );
                continue;
            }
            if !NT_SUCCESS(status) {
                return Err(self.fail("registry enumeration failed", status));
            }
            let filled_len = usize::try_from(result_len).unwrap_or(0).min(buffer.len());
            let filled = buffer.get(..filled_len).unwrap_or(&[]);
            let value_type = u32_at(filled, 4);
            let data_offset = u32_at(filled, 8);
            let data_len = u32_at(filled, 12);
            let name_len = u32_at(filled, 16).unwrap_or(0);
            decode_name(
                field(filled, KEY_VALUE_FULL_NAME_OFFSET, name_len).unwrap_or(&[]),
                name,
            );
            let data = match (data_offset, data_len) {
                (Some(offset), Some(length)) => usize::try_from(offset)
                    .ok()
                    .and_then(|offset| field(filled, offset, length)),
                _ => None,
            };
            match (value_type, data) {
                (Some(REG_BINARY), Some(bytes)) => visit(name.as_bytes(), Ok(bytes)),
                (Some(_), Some(_)) => visit(
                    name.as_bytes(),
                    Err(StoreError {
                        what: "not REG_BINARY",
                    }),
                ),
                _ => visit(
                    name.as_bytes(),
                    Err(StoreError {
                        what: "malformed value information",
                    }),
                ),
            }
            if let Some(used) = buffer.get_mut(..filled_len) {
                used.zeroize();
            }
        }
        Ok(())
    }
}

/// The little-endian `ULONG` at `offset` of `buf`, if it is there.
fn u32_at(buf: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    let bytes: [u8; 4] = buf.get(offset..end)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

/// `len` bytes of `buf` from `offset`, if they are all there.
fn field(buf: &[u8], offset: usize, len: u32) -> Option<&[u8]> {
    let end = offset.checked_add(usize::try_from(len).ok()?)?;
    buf.get(offset..end)
}

/// Decodes a byte-counted UTF-16LE value name into `out` (unpaired surrogates become U+FFFD).
fn decode_name(bytes: &[u8], out: &mut String) {
    out.clear();
    let units = bytes.chunks_exact(2).map(|pair| {
        u16::from_le_bytes([
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ])
    });
    for c in char::decode_utf16(units) {
        // Capacity for the longest name was reserved up front, so this does not allocate.
        if out.len().saturating_add(4) > out.capacity() {
            break;
        }
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
}

/// The bytes of an 8-byte-aligned word buffer.
fn bytes_of(words: &mut [u64]) -> &mut [u8] {
    let len = words.len().saturating_mul(8);
    // SAFETY: `words` is `len` initialised bytes with no padding; `u8` has alignment 1 and
    // every bit pattern is valid for both types; the borrow of `words` covers the result.
    unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), len) }
}
