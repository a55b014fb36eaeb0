//! The WMI method provider: SPEC §3 transport rules and SPEC §4 semantics.
//!
//! ```text
//!   host ──► provider (this file) ──► wire ──► domain ──► record ──► RecordStore
//!                                                       └──────────► table
//! ```
//!
//! [`Provider::execute_method`] is what `EvtWmiInstanceExecuteMethod` (KMDF) or
//! `HwScsiWmiExecuteMethod` (Storport) call with their buffer and sizes. Every method runs its
//! checks in SPEC order, writes nonvolatile storage first and then publishes to memory, and
//! answers with an NTSTATUS, the bytes used and, in the OUT buffer, the ISDSC status.

use core::fmt;
use zeroize::{Zeroize, Zeroizing};

use crate::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID, method};
use crate::domain::{self, Destination, Identifier, OuterAddress, PortSelector, SecurityFlags};
use crate::guid::Guid;
use crate::lookup::{ChapSecretBuffer, KeyBuffer, KeySource, LookupMiss, Reader};
use crate::platform::{Platform, RandomError};
use crate::reclaim::OutOfMemory;
use crate::record::{self, Loaded, MAX_RECORD_LEN, Record, RecordName, RecordRef};
use crate::status::{IsdscStatus, NtStatus};
use crate::store::{RecordStore, StoreError};
use crate::table::{ExplicitMiss, Table, TunnelEntry};
use crate::wire::{
    self, GetPresharedKeyForIdIn, GetPresharedKeyForIdOut, SetChapSharedSecretIn,
    SetGenerationalGuidIn, SetGroupPresharedKeyIn, SetPresharedKeyForIdIn,
    SetTunnelModeOuterAddressIn, StatusOut, WireError,
};

/// Settings of the adapter the provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdapterConfig {
    /// Number of initiator ports; valid port numbers are `0..port_count`.
    pub port_count: u32,
    /// Most explicit keys the table holds (and, separately, most tunnel mappings).
    pub max_entries: usize,
}

impl Default for AdapterConfig {
    /// The user-mode host's defaults: 2 ports, 4096 entries.
    fn default() -> AdapterConfig {
        AdapterConfig {
            port_count: 2,
            max_entries: 4096,
        }
    }
}

/// The transport-level answer of a method call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodResult {
    /// The NTSTATUS to return from the callback.
    pub status: NtStatus,
    /// `*BufferUsed`: bytes of OUT written, or the OUT size needed.
    pub used: u32,
}

/// What start-up found in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadReport {
    /// Records loaded into the table.
    pub loaded: usize,
    /// Records that failed their check and were skipped (and are reported as corrupt).
    pub corrupt: usize,
    /// Entries whose name cannot be a record name: reported, left alone (SPEC §6).
    pub foreign: usize,
}

/// Why the provider did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartError {
    /// The store could not be enumerated at all.
    Store(StoreError),
    /// Memory for the table ran out: nothing is served rather than a partial table.
    OutOfMemory,
    /// The platform's random source failed (the table's hash key comes from it).
    Random,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Store(e) => write!(f, "cannot start: {e}"),
            StartError::OutOfMemory => f.write_str("cannot start: out of memory"),
            StartError::Random => f.write_str("cannot start: the random source failed"),
        }
    }
}

impl core::error::Error for StartError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            StartError::Store(e) => Some(e),
            StartError::OutOfMemory | StartError::Random => None,
        }
    }
}

impl From<OutOfMemory> for StartError {
    fn from(_: OutOfMemory) -> StartError {
        StartError::OutOfMemory
    }
}

impl From<RandomError> for StartError {
    fn from(_: RandomError) -> StartError {
        StartError::Random
    }
}

/// The methods this provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    SetPresharedKeyForId,
    GetPresharedKeyForId,
    SetGroupPresharedKey,
    SetTunnelModeOuterAddress,
    ClearCache,
    SetGenerationalGuid,
    SetChapSharedSecret,
}

impl Method {
    /// SPEC §3 rules 0 and 1.
    fn resolve(class: &Guid, method_id: u32) -> Result<Method, NtStatus> {
        if *class == SECURITY_CONFIG_OPERATIONS_GUID {
            match method_id {
                method::SET_PRESHARED_KEY_FOR_ID => Ok(Method::SetPresharedKeyForId),
                method::GET_PRESHARED_KEY_FOR_ID => Ok(Method::GetPresharedKeyForId),
                method::SET_GROUP_PRESHARED_KEY => Ok(Method::SetGroupPresharedKey),
                method::SET_TUNNEL_MODE_OUTER_ADDRESS => Ok(Method::SetTunnelModeOuterAddress),
                method::CLEAR_CACHE => Ok(Method::ClearCache),
                method::SET_GENERATIONAL_GUID => Ok(Method::SetGenerationalGuid),
                _ => Err(NtStatus::WMI_ITEMID_NOT_FOUND),
            }
        } else if *class == OPERATIONS_GUID {
            match method_id {
                method::SET_CHAP_SHARED_SECRET => Ok(Method::SetChapSharedSecret),
                _ => Err(NtStatus::WMI_ITEMID_NOT_FOUND),
            }
        } else {
            Err(NtStatus::WMI_GUID_NOT_FOUND)
        }
    }

    fn out_len(self) -> usize {
        match self {
            Method::GetPresharedKeyForId => wire::get_preshared_key_for_id::OUT_LEN,
            _ => wire::status_out::STATUS_OUT_LEN,
        }
    }

    /// Whether the IN buffer carries secret bytes, which are wiped once consumed.
    fn carries_secret(self) -> bool {
        matches!(
            self,
            Method::SetPresharedKeyForId
                | Method::SetGroupPresharedKey
                | Method::SetChapSharedSecret
        )
    }
}

/// The OUT size of a method (SPEC §2), or the NTSTATUS a call to it gets if it is not served.
///
/// # Errors
///
/// `STATUS_WMI_GUID_NOT_FOUND` for another class, `STATUS_WMI_ITEMID_NOT_FOUND` for another
/// method id.
pub fn out_size(class: &Guid, method_id: u32) -> Result<u32, NtStatus> {
    let len = Method::resolve(class, method_id)?.out_len();
    Ok(u32::try_from(len).unwrap_or(u32::MAX))
}

/// The OUT a method writes.
enum Out {
    Status(IsdscStatus),
    GetPsk(IsdscStatus, u64),
}

impl From<IsdscStatus> for Out {
    fn from(s: IsdscStatus) -> Out {
        Out::Status(s)
    }
}

/// Why an operation failed: the status its OUT carries.
struct Refused(IsdscStatus);

impl From<domain::ValidationError> for Refused {
    fn from(e: domain::ValidationError) -> Refused {
        Refused(IsdscStatus::from(e))
    }
}

impl From<StoreError> for Refused {
    fn from(_: StoreError) -> Refused {
        Refused(IsdscStatus::NON_SPECIFIC_ERROR)
    }
}

impl From<OutOfMemory> for Refused {
    fn from(_: OutOfMemory) -> Refused {
        Refused(IsdscStatus::NON_SPECIFIC_ERROR)
    }
}

/// The security provider of one adapter: its table and its nonvolatile store.
///
/// Methods change it through `&mut self`, one at a time; [`Provider::reader`] hands out
/// [`Reader`]s that look keys up concurrently, from any thread or processor. Dropping the
/// provider stops it: readers then answer [`LookupMiss::Stopped`], and every key is wiped and
/// freed after a grace period.
pub struct Provider<S: RecordStore, P: Platform> {
    store: S,
    table: Table<P>,
    /// The provider's own reader, so that [`Provider::lookup`] clones no handle per call.
    reader: Reader<P>,
    config: AdapterConfig,
}

impl<S: RecordStore + fmt::Debug, P: Platform> fmt::Debug for Provider<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("store", &self.store)
            .field("table", &self.table)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: RecordStore, P: Platform> Provider<S, P> {
    /// Starts the provider: rebuilds the table from every record in `store`, in one pass
    /// (O(n)). A record that fails its check is skipped, counted and remembered
    /// (`GetPresharedKeyForId` then answers `ISDSC_CACHE_CORRUPTED` for a missing entry, and the
    /// lookup refuses the identity it belongs to; `ClearCache` removes it). Valid records load
    /// even beyond `config.max_entries`.
    ///
    /// The table's buckets are sized for `config.max_entries` explicit keys, allocated here
    /// once; the hash key comes from `platform`'s random source.
    ///
    /// # Errors
    ///
    /// [`StartError::Store`] if the store cannot be enumerated at all,
    /// [`StartError::OutOfMemory`] if memory runs out (nothing is served rather than a partial
    /// table), [`StartError::Random`] if the random source fails.
    pub fn start(
        mut store: S,
        config: AdapterConfig,
        platform: P,
    ) -> Result<(Provider<S, P>, LoadReport), StartError> {
        let mut seed = Zeroizing::new([[0u8; 8]; 2]);
        platform.fill_random(seed.as_flattened_mut())?;
        let hash_key = seed.map(u64::from_le_bytes);
        let mut table = Table::new(platform, config.max_entries, hash_key)?;
        let mut report = LoadReport::default();
        let mut out_of_memory = false;
        store
            .load(&mut |name, bytes| {
                let stored = match record::classify(name, bytes) {
                    Loaded::Record(record) => {
                        report.loaded = report.loaded.saturating_add(1);
                        load_record(&mut table, &record)
                    }
                    Loaded::Damaged { found, content } => {
                        // A valid record of another identity under this name is damage to
                        // both (SPEC §6).
                        report.corrupt = report.corrupt.saturating_add(1);
                        let identity = match &content {
                            Some(Record::Psk { port, id, .. }) => Some((*port, id)),
                            _ => None,
                        };
                        table.add_corrupt(found.as_str(), identity)
                    }
                    Loaded::Foreign => {
                        report.foreign = report.foreign.saturating_add(1);
                        Ok(())
                    }
                };
                out_of_memory |= stored.is_err();
            })
            .map_err(StartError::Store)?;
        if out_of_memory {
            return Err(StartError::OutOfMemory);
        }
        table.finish_load();
        let reader = Reader::new(table.map().read_handle());
        Ok((
            Provider {
                store,
                table,
                reader,
                config,
            },
            report,
        ))
    }

    /// Answers one WMI method call. `buffer` holds the IN data in its first `in_size` bytes
    /// and receives the OUT data; sizes beyond `buffer.len()` are treated as `buffer.len()`,
    /// so nothing outside `buffer` is ever touched.
    ///
    /// IN buffers that carry a key or secret (methods 1, 3 and 71) are wiped once read,
    /// whatever the outcome, before the OUT is written over them.
    pub fn execute_method(
        &mut self,
        class: &Guid,
        method_id: u32,
        buffer: &mut [u8],
        in_size: u32,
        out_size: u32,
    ) -> MethodResult {
        let method = match Method::resolve(class, method_id) {
            Ok(m) => m,
            Err(status) => return MethodResult { status, used: 0 },
        };
        let out_len = method.out_len();
        let used = u32::try_from(out_len).unwrap_or(u32::MAX);
        let in_len = clamp(in_size, buffer.len());
        let out_room = clamp(out_size, buffer.len());

        if out_room < out_len {
            // Rule 2: checked before anything else is read.
            if method.carries_secret() {
                wipe(buffer, in_len);
            }
            return MethodResult {
                status: NtStatus::BUFFER_TOO_SMALL,
                used,
            };
        }
        let outcome = self.run(method, buffer.get(..in_len).unwrap_or(&[]));
        // The input is consumed: a key or secret in it must not outlive the call, whatever
        // the outcome, and must not show through the bytes the OUT does not cover.
        if method.carries_secret() {
            wipe(buffer, in_len);
        }
        let written = match outcome {
            // Rule 3.
            Err(WireError::Truncated | WireError::NoRoom) => {
                return MethodResult {
                    status: NtStatus::INVALID_PARAMETER,
                    used: 0,
                };
            }
            Ok(Out::Status(status)) => StatusOut { status }.emit(buffer),
            Ok(Out::GetPsk(status, security_flags)) => GetPresharedKeyForIdOut {
                status,
                security_flags,
            }
            .emit(buffer),
        };
        match written {
            Ok(()) => MethodResult {
                status: NtStatus::SUCCESS,
                used,
            },
            // Not reachable: `out_room >= out_len` was checked above.
            Err(_) => MethodResult {
                status: NtStatus::BUFFER_TOO_SMALL,
                used,
            },
        }
    }

    /// A handle for the hot path: looks keys up concurrently with this provider's methods,
    /// from any thread or processor, and keeps the table alive while it exists.
    #[must_use]
    pub fn reader(&self) -> Reader<P> {
        self.reader.clone()
    }

    /// Looks up the preshared key for an initiator identifier (SPEC §5) and copies it into
    /// `out`, exactly as [`Reader::lookup`] does. Never allocates.
    ///
    /// # Errors
    ///
    /// [`LookupMiss`]: no key, or a damaged record where a key would be.
    pub fn lookup(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut KeyBuffer,
    ) -> Result<KeySource, LookupMiss> {
        self.reader.lookup(port, id, out)
    }

    /// Copies the initiator CHAP secret into `out`, exactly as [`Reader::chap_secret`] does.
    ///
    /// # Errors
    ///
    /// [`LookupMiss::NoKey`] when no secret is set.
    pub fn chap_secret(&self, out: &mut ChapSecretBuffer) -> Result<(), LookupMiss> {
        self.reader.chap_secret(out)
    }

    /// The table, for display (`show`) and diagnostics.
    #[must_use]
    pub fn table(&self) -> &Table<P> {
        &self.table
    }

    /// The platform the provider runs on.
    #[must_use]
    pub fn platform(&self) -> &P {
        self.table.map().grace()
    }

    /// The adapter settings.
    #[must_use]
    pub fn config(&self) -> AdapterConfig {
        self.config
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Stops the provider and gives back the store. Readers answer [`LookupMiss::Stopped`]
    /// from now on.
    #[must_use]
    pub fn into_store(self) -> S {
        let Provider {
            store,
            table,
            reader,
            ..
        } = self;
        drop(table);
        drop(reader);
        store
    }

    /// Parses the IN buffer and runs the operation. `Err` only for SPEC §3 rule 3.
    fn run(&mut self, method: Method, input: &[u8]) -> Result<Out, WireError> {
        let result = match method {
            Method::SetPresharedKeyForId => {
                let req = SetPresharedKeyForIdIn::parse(input)?;
                self.set_preshared_key_for_id(&req).map(Out::from)
            }
            Method::GetPresharedKeyForId => {
                let req = GetPresharedKeyForIdIn::parse(input)?;
                return Ok(self.get_preshared_key_for_id(&req));
            }
            Method::SetGroupPresharedKey => {
                let req = SetGroupPresharedKeyIn::parse(input)?;
                self.set_group_preshared_key(&req).map(Out::from)
            }
            Method::SetTunnelModeOuterAddress => {
                let req = SetTunnelModeOuterAddressIn::parse(input)?;
                self.set_tunnel_mode_outer_address(&req).map(Out::from)
            }
            Method::ClearCache => self.clear_cache().map(Out::from),
            Method::SetGenerationalGuid => {
                let req = SetGenerationalGuidIn::parse(input)?;
                self.set_generational_guid(&req).map(Out::from)
            }
            Method::SetChapSharedSecret => {
                let req = SetChapSharedSecretIn::parse(input)?;
                self.set_chap_shared_secret(&req).map(Out::from)
            }
        };
        Ok(result.unwrap_or_else(|Refused(status)| Out::Status(status)))
    }

    fn set_preshared_key_for_id(
        &mut self,
        req: &SetPresharedKeyForIdIn<'_>,
    ) -> Result<IsdscStatus, Refused> {
        let port = PortSelector::parse(req.port_number, self.config.port_count)?;
        let flags = SecurityFlags::parse(req.security_flags)?;
        let id = Identifier::parse(req.id_type, req.id)?;
        let key = domain::preshared_key(req.key)?;
        let Some(key) = key else {
            let change = self.table.prepare_psk(port, &id, None)?;
            self.store.remove(RecordName::psk(port, &id).as_str())?;
            self.table.apply_psk(change);
            return Ok(IsdscStatus::SUCCESS);
        };
        let is_new = self.table.psk(port, &id).is_none();
        if is_new && self.table.psk_count() >= self.config.max_entries {
            return Err(Refused(IsdscStatus::HBA_SECURITY_CACHE_FULL));
        }
        // Everything the table needs is allocated before the record is written, so a change
        // that reached storage is always published.
        let change = self.table.prepare_psk(port, &id, Some((flags, key)))?;
        let record = RecordRef::Psk {
            port,
            id: &id,
            flags,
            key,
        };
        write_record(&mut self.store, &record)?;
        self.table.apply_psk(change);
        Ok(IsdscStatus::SUCCESS)
    }

    fn get_preshared_key_for_id(&self, req: &GetPresharedKeyForIdIn<'_>) -> Out {
        let checked = PortSelector::parse(req.port_number, self.config.port_count)
            .and_then(|port| Ok((port, Identifier::parse(req.id_type, req.id)?)));
        match checked {
            Err(e) => Out::GetPsk(IsdscStatus::from(e), 0),
            Ok((port, id)) => match self.table.explicit(port, &id) {
                Ok(entry) => Out::GetPsk(IsdscStatus::SUCCESS, entry.flags.bits()),
                Err(ExplicitMiss::Absent) if self.table.corrupt_records().len() == 0 => {
                    Out::GetPsk(IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
                }
                // The missing entry may be the damaged one (SPEC §4), and when the damaged
                // record is this identifier's own, no lower level may stand in for it.
                Err(ExplicitMiss::Absent | ExplicitMiss::Damaged) => {
                    Out::GetPsk(IsdscStatus::CACHE_CORRUPTED, 0)
                }
            },
        }
    }

    fn set_group_preshared_key(
        &mut self,
        req: &SetGroupPresharedKeyIn<'_>,
    ) -> Result<IsdscStatus, Refused> {
        let key = domain::preshared_key(req.key)?;
        let node = self.table.prepare_value(key)?;
        match key {
            None => self.store.remove(RecordName::GROUP_KEY.as_str())?,
            Some(key) => write_record(&mut self.store, &RecordRef::GroupKey(key))?,
        }
        self.table.apply_group_key(node);
        Ok(IsdscStatus::SUCCESS)
    }

    fn set_tunnel_mode_outer_address(
        &mut self,
        req: &SetTunnelModeOuterAddressIn,
    ) -> Result<IsdscStatus, Refused> {
        let port = PortSelector::parse(req.port_number, self.config.port_count)?;
        let destination = Destination::parse(&req.destination_address)?;
        let outer = OuterAddress::parse(&req.tunnel_mode_outer_address)?;
        let name = RecordName::tunnel(port, &destination);
        let Some(outer) = outer else {
            self.store.remove(name.as_str())?;
            self.table.remove_tunnel(port, &destination);
            self.table.forget_corrupt(name.as_str());
            return Ok(IsdscStatus::SUCCESS);
        };
        let is_new = !self.table.has_tunnel(port, &destination);
        if is_new && self.table.tunnel_count() >= self.config.max_entries {
            return Err(Refused(IsdscStatus::HBA_SECURITY_CACHE_FULL));
        }
        self.table.reserve_tunnel()?;
        let record = RecordRef::Tunnel {
            port,
            destination: &destination,
            outer: &outer,
        };
        write_record(&mut self.store, &record)?;
        self.table.insert_tunnel(TunnelEntry {
            port,
            destination,
            outer,
        });
        self.table.forget_corrupt(name.as_str());
        Ok(IsdscStatus::SUCCESS)
    }

    /// Removes every explicit key, the group key, the CHAP secret and every corrupt record,
    /// each from storage first. Stops at the first storage failure; what was removed stays
    /// removed, and the next `ClearCache` finishes the job.
    fn clear_cache(&mut self) -> Result<IsdscStatus, Refused> {
        // One entry at a time, storage first, so that memory always matches storage.
        let mut bucket = 0;
        while let Some((at, port, id)) = self.table.next_psk(bucket) {
            let change = self.table.prepare_psk(port, &id, None)?;
            self.store.remove(RecordName::psk(port, &id).as_str())?;
            self.table.apply_psk(change);
            bucket = at;
        }
        // Damage markers have no record of their own; their records were removed above or
        // are among the corrupt names below.
        self.table.clear_damage_markers();
        if self.table.group_key().is_some() {
            self.store.remove(RecordName::GROUP_KEY.as_str())?;
            self.table.apply_group_key(None);
        }
        if self.table.chap_secret().is_some() {
            self.store.remove(RecordName::CHAP_SECRET.as_str())?;
            self.table.apply_chap_secret(None);
        }
        while let Some(name) = self.table.last_corrupt() {
            self.store.remove(name)?;
            self.table.pop_corrupt();
        }
        Ok(IsdscStatus::SUCCESS)
    }

    fn set_generational_guid(
        &mut self,
        req: &SetGenerationalGuidIn,
    ) -> Result<IsdscStatus, Refused> {
        let guid = req.generational_guid;
        write_record(&mut self.store, &RecordRef::GenerationalGuid(&guid))?;
        self.table.set_generational_guid(guid);
        self.table
            .forget_corrupt(RecordName::GENERATIONAL_GUID.as_str());
        Ok(IsdscStatus::SUCCESS)
    }

    fn set_chap_shared_secret(
        &mut self,
        req: &SetChapSharedSecretIn<'_>,
    ) -> Result<IsdscStatus, Refused> {
        let secret = domain::chap_secret(req.shared_secret)?;
        let node = self.table.prepare_value(secret)?;
        let status = match secret {
            None => {
                self.store.remove(RecordName::CHAP_SECRET.as_str())?;
                IsdscStatus::SUCCESS
            }
            Some(secret) => {
                write_record(&mut self.store, &RecordRef::ChapSecret(secret))?;
                if secret.len() < crate::secret::MIN_CHAP_SECRET_LEN_WITHOUT_IPSEC {
                    IsdscStatus::SHORT_CHAP_SECRET
                } else {
                    IsdscStatus::SUCCESS
                }
            }
        };
        self.table.apply_chap_secret(node);
        Ok(status)
    }
}

/// Puts a loaded record into the table (capacity does not apply: SPEC §6).
fn load_record<P: Platform>(table: &mut Table<P>, record: &Record<'_>) -> Result<(), OutOfMemory> {
    match *record {
        Record::Psk {
            port,
            ref id,
            flags,
            key,
        } => {
            let change = table.prepare_psk(port, id, Some((flags, key)))?;
            table.apply_psk(change);
            Ok(())
        }
        Record::GroupKey(key) => {
            let node = table.prepare_value(Some(key))?;
            table.apply_group_key(node);
            Ok(())
        }
        Record::Tunnel {
            port,
            destination,
            outer,
        } => table.push_loaded_tunnel(TunnelEntry {
            port,
            destination,
            outer,
        }),
        Record::GenerationalGuid(guid) => {
            table.set_generational_guid(guid);
            Ok(())
        }
        Record::ChapSecret(secret) => {
            let node = table.prepare_value(Some(secret))?;
            table.apply_chap_secret(node);
            Ok(())
        }
    }
}

/// Encodes `record` into a wiped-on-drop buffer and writes it under its name.
fn write_record<S: RecordStore>(store: &mut S, record: &RecordRef<'_>) -> Result<(), StoreError> {
    let mut buf = Zeroizing::new([0u8; MAX_RECORD_LEN]);
    let len = record.encode(buf.as_mut_slice()).map_err(|_| StoreError {
        what: "record does not fit",
    })?;
    let bytes = buf.get(..len).ok_or(StoreError {
        what: "record does not fit",
    })?;
    store.write(record.name().as_str(), bytes)
}

fn clamp(size: u32, len: usize) -> usize {
    usize::try_from(size).map_or(len, |s| s.min(len))
}

fn wipe(buffer: &mut [u8], len: usize) {
    if let Some(input) = buffer.get_mut(..len) {
        input.zeroize();
    }
}

#[cfg(test)]
mod tests;
