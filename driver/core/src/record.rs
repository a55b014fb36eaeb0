//! The nonvolatile record format (SPEC §6): one record per entry, versioned and checksummed.
//!
//! ```text
//!   provider ──► record (this file) ──► RecordStore
//! ```
//!
//! Layout of every record (little-endian):
//!
//! ```text
//!   0: u8[4] magic "iSEC"   4: u8 version (1)   5: u8 kind   6: u16 reserved (0)
//!   8: u32 payload length   12: payload          12+len: u8[32] SHA-256 of bytes 0..12+len
//! ```
//!
//! The record ends exactly after the checksum; anything else fails. Payloads by kind:
//!
//! ```text
//!   1 preshared key  u32 port · u64 flags · u8 id type · u8 id length · u16 key length · id · key
//!   2 group key      key (1–256 bytes)
//!   3 tunnel         u32 port · destination · outer address
//!   4 GUID           16 bytes as WMI carries them
//!   5 CHAP secret    secret (1–16 bytes)
//!
//!   address          u8 type (0 text, 1 IPv4, 2 IPv6), then
//!                    text: u16 units · units as u16 · IPv4: 4 bytes · IPv6: 16 bytes, and for
//!                    an outer address only, u32 flow info · u32 scope id
//! ```
//!
//! A record is stored under a name derived from its identity (`record/name.rs`): `group-key`,
//! `chap-secret`, `generational-guid`, or `psk-`/`tunnel-` and 32 hex digits of a SHA-256 over
//! the port and the normalised identifier or destination. At load the name must match the content, so a
//! damaged or moved record can never stand in for another entry. Decoding treats the bytes as
//! untrusted input: a record that fails any check is counted as corrupt and not loaded.
//!
//! [`classify`] is the loader's one decision per stored entry (SPEC §6):
//!
//! ```text
//!   name cannot be a record name ─────────────────────────────► Foreign (reported, left alone)
//!   record name, valid record of that name ───────────────────► Record
//!   record name, unreadable / not a record ───────────────────► Damaged { found }
//!   record name, valid record of another name ────────────────► Damaged { found, names }
//! ```

use core::fmt;
use sha2::{Digest, Sha256};

use crate::domain::{
    self, Destination, Identifier, MAX_NAME_ID_LEN, OuterAddress, PortSelector, SecurityFlags,
    TextAddress,
};
use crate::store::StoreError;
use crate::wire::ip_address::MAX_TEXT_ADDRESS_UNITS;

mod name;
pub use name::RecordName;

/// The four magic bytes every record starts with.
pub const MAGIC: [u8; 4] = *b"iSEC";
/// The record format version this code writes and reads.
pub const VERSION: u8 = 1;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 12;
/// Bytes of the checksum after the payload.
pub const CHECKSUM_LEN: usize = 32;

const KIND_PSK: u8 = 1;
const KIND_GROUP_KEY: u8 = 2;
const KIND_TUNNEL: u8 = 3;
const KIND_GENERATIONAL_GUID: u8 = 4;
const KIND_CHAP_SECRET: u8 = 5;

const PSK_FIXED: usize = 4 + 8 + 1 + 1 + 2;
const MAX_PSK_PAYLOAD: usize = PSK_FIXED + MAX_NAME_ID_LEN + crate::secret::MAX_PRESHARED_KEY_LEN;
const MAX_TEXT: usize = 1 + 2 + 2 * MAX_TEXT_ADDRESS_UNITS;
const MAX_TUNNEL_PAYLOAD: usize = 4 + MAX_TEXT + MAX_TEXT;
const MAX_PAYLOAD: usize = if MAX_PSK_PAYLOAD > MAX_TUNNEL_PAYLOAD {
    MAX_PSK_PAYLOAD
} else {
    MAX_TUNNEL_PAYLOAD
};
/// The longest record this format has; a host may refuse to read anything longer.
pub const MAX_RECORD_LEN: usize = HEADER_LEN + MAX_PAYLOAD + CHECKSUM_LEN;

/// Why stored bytes are not a valid record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// Shorter than a header and a checksum, or than the header's payload length says.
    Truncated,
    /// Bytes after the checksum.
    TrailingData,
    /// The first four bytes are not [`MAGIC`].
    BadMagic,
    /// A version this code does not read.
    UnsupportedVersion(u8),
    /// A kind this version does not define.
    UnknownKind(u8),
    /// The reserved header field is not zero.
    ReservedNotZero,
    /// The checksum does not match.
    ChecksumMismatch,
    /// The payload does not decode to a valid entry for its kind.
    BadPayload,
    /// The name it was stored under is not the name its content belongs under.
    NameMismatch,
    /// The buffer given to encode is too small (an internal error; never from stored data).
    NoRoom,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Truncated => f.write_str("record is truncated"),
            RecordError::TrailingData => f.write_str("record has bytes after its checksum"),
            RecordError::BadMagic => f.write_str("record does not start with the magic bytes"),
            RecordError::UnsupportedVersion(v) => {
                write!(f, "record format version {v} is not read")
            }
            RecordError::UnknownKind(k) => write!(f, "record kind {k} is not defined"),
            RecordError::ReservedNotZero => {
                f.write_str("record header's reserved field is not zero")
            }
            RecordError::ChecksumMismatch => f.write_str("record checksum does not match"),
            RecordError::BadPayload => f.write_str("record payload is not a valid entry"),
            RecordError::NameMismatch => {
                f.write_str("record is stored under a name that is not its own")
            }
            RecordError::NoRoom => f.write_str("record does not fit the buffer"),
        }
    }
}

impl core::error::Error for RecordError {}

/// A record to write, borrowing the entry it describes.
#[derive(Clone, Copy)]
pub enum RecordRef<'a> {
    /// An explicit preshared key.
    Psk {
        /// Port or all ports.
        port: PortSelector,
        /// Normalised identifier.
        id: &'a Identifier,
        /// Flags stored with the key.
        flags: SecurityFlags,
        /// Key bytes. Secret.
        key: &'a [u8],
    },
    /// The group key bytes. Secret.
    GroupKey(&'a [u8]),
    /// A tunnel-mode outer address mapping.
    Tunnel {
        /// Port or all ports.
        port: PortSelector,
        /// The destination it applies to.
        destination: &'a Destination,
        /// The outer address.
        outer: &'a OuterAddress,
    },
    /// The generational GUID.
    GenerationalGuid(&'a [u8; 16]),
    /// The initiator CHAP secret bytes. Secret.
    ChapSecret(&'a [u8]),
}

impl fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordRef({:?})", self.name())
    }
}

impl RecordRef<'_> {
    /// The name this record is stored under.
    #[must_use]
    pub fn name(&self) -> RecordName {
        match self {
            RecordRef::Psk { port, id, .. } => RecordName::psk(*port, id),
            RecordRef::GroupKey(_) => RecordName::GROUP_KEY,
            RecordRef::Tunnel {
                port, destination, ..
            } => RecordName::tunnel(*port, destination),
            RecordRef::GenerationalGuid(_) => RecordName::GENERATIONAL_GUID,
            RecordRef::ChapSecret(_) => RecordName::CHAP_SECRET,
        }
    }

    /// Encodes the record into `out` and returns its length. The caller wipes `out` after use:
    /// it holds secret bytes.
    ///
    /// # Errors
    ///
    /// [`RecordError::NoRoom`] if `out` is shorter than the record ([`MAX_RECORD_LEN`] always
    /// suffices).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, RecordError> {
        let (header, rest) = out
            .split_at_mut_checked(HEADER_LEN)
            .ok_or(RecordError::NoRoom)?;
        let mut w = Writer::new(rest);
        let kind = match *self {
            RecordRef::Psk {
                port,
                id,
                flags,
                key,
            } => {
                w.put(&port.raw().to_le_bytes())?;
                w.put(&flags.bits().to_le_bytes())?;
                w.put(&[id.id_type().raw()])?;
                let id_len = u8::try_from(id.as_bytes().len()).map_err(|_| RecordError::NoRoom)?;
                w.put(&[id_len])?;
                let key_len = u16::try_from(key.len()).map_err(|_| RecordError::NoRoom)?;
                w.put(&key_len.to_le_bytes())?;
                w.put(id.as_bytes())?;
                w.put(key)?;
                KIND_PSK
            }
            RecordRef::GroupKey(key) => {
                w.put(key)?;
                KIND_GROUP_KEY
            }
            RecordRef::Tunnel {
                port,
                destination,
                outer,
            } => {
                w.put(&port.raw().to_le_bytes())?;
                write_destination(&mut w, destination)?;
                write_outer(&mut w, outer)?;
                KIND_TUNNEL
            }
            RecordRef::GenerationalGuid(guid) => {
                w.put(guid)?;
                KIND_GENERATIONAL_GUID
            }
            RecordRef::ChapSecret(secret) => {
                w.put(secret)?;
                KIND_CHAP_SECRET
            }
        };
        let payload_len = w.pos;
        let len32 = u32::try_from(payload_len).map_err(|_| RecordError::NoRoom)?;
        let mut hw = Writer::new(header);
        hw.put(&MAGIC)?;
        hw.put(&[VERSION, kind, 0, 0])?;
        hw.put(&len32.to_le_bytes())?;
        let body_len = HEADER_LEN
            .checked_add(payload_len)
            .ok_or(RecordError::NoRoom)?;
        let digest: [u8; 32] =
            Sha256::digest(out.get(..body_len).ok_or(RecordError::NoRoom)?).into();
        let end = body_len
            .checked_add(CHECKSUM_LEN)
            .ok_or(RecordError::NoRoom)?;
        out.get_mut(body_len..end)
            .ok_or(RecordError::NoRoom)?
            .copy_from_slice(&digest);
        Ok(end)
    }
}

/// A decoded record: an entry ready for the table, borrowing its secret bytes from the stored
/// bytes it was decoded from (so decoding never copies a key).
#[expect(
    clippy::large_enum_variant,
    reason = "short-lived, built once per record at load"
)]
pub enum Record<'a> {
    /// An explicit preshared key.
    Psk {
        /// Port or all ports (not checked against the adapter: a stored entry is kept).
        port: PortSelector,
        /// Normalised identifier.
        id: Identifier,
        /// Flags stored with the key.
        flags: SecurityFlags,
        /// The key bytes (1–256). Secret.
        key: &'a [u8],
    },
    /// The group key bytes (1–256). Secret.
    GroupKey(&'a [u8]),
    /// A tunnel-mode mapping.
    Tunnel {
        /// Port or all ports.
        port: PortSelector,
        /// Destination.
        destination: Destination,
        /// Outer address.
        outer: OuterAddress,
    },
    /// The generational GUID.
    GenerationalGuid([u8; 16]),
    /// The initiator CHAP secret bytes (1–16). Secret.
    ChapSecret(&'a [u8]),
}

impl fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Record::Psk {
                port, id, flags, ..
            } => f
                .debug_struct("Psk")
                .field("port", port)
                .field("id", id)
                .field("flags", flags)
                .field("key", &"[secret elided]")
                .finish(),
            Record::GroupKey(_) => f.write_str("GroupKey([secret elided])"),
            Record::Tunnel {
                port,
                destination,
                outer,
            } => f
                .debug_struct("Tunnel")
                .field("port", port)
                .field("destination", destination)
                .field("outer", outer)
                .finish(),
            Record::GenerationalGuid(g) => write!(f, "GenerationalGuid({g:02x?})"),
            Record::ChapSecret(_) => f.write_str("ChapSecret([secret elided])"),
        }
    }
}

impl<'a> Record<'a> {
    /// The same record as a [`RecordRef`] borrowing from this one, to encode or name it.
    #[must_use]
    pub fn as_record_ref(&self) -> RecordRef<'_> {
        match self {
            Record::Psk {
                port,
                id,
                flags,
                key,
            } => RecordRef::Psk {
                port: *port,
                id,
                flags: *flags,
                key,
            },
            Record::GroupKey(key) => RecordRef::GroupKey(key),
            Record::Tunnel {
                port,
                destination,
                outer,
            } => RecordRef::Tunnel {
                port: *port,
                destination,
                outer,
            },
            Record::GenerationalGuid(guid) => RecordRef::GenerationalGuid(guid),
            Record::ChapSecret(secret) => RecordRef::ChapSecret(secret),
        }
    }

    /// The name this record belongs under.
    #[must_use]
    pub fn name(&self) -> RecordName {
        self.as_record_ref().name()
    }

    /// Decodes stored bytes found under `name`.
    ///
    /// # Errors
    ///
    /// The first check that fails, in the order: length, magic, version, reserved, checksum,
    /// kind, payload, name.
    pub fn decode(name: &str, bytes: &'a [u8]) -> Result<Record<'a>, RecordError> {
        let record = Record::decode_unnamed(bytes)?;
        if record.name().as_str() != name {
            return Err(RecordError::NameMismatch);
        }
        Ok(record)
    }

    /// Decodes stored bytes without checking the name they were found under.
    ///
    /// # Errors
    ///
    /// As [`Record::decode`], without [`RecordError::NameMismatch`].
    pub fn decode_unnamed(bytes: &'a [u8]) -> Result<Record<'a>, RecordError> {
        let mut r = Reader::new(bytes);
        let magic = r.take(4)?;
        let version = r.u8()?;
        let kind = r.u8()?;
        let reserved = r.u16()?;
        let payload_len = usize::try_from(r.u32()?).map_err(|_| RecordError::Truncated)?;
        if magic != MAGIC {
            return Err(RecordError::BadMagic);
        }
        if version != VERSION {
            return Err(RecordError::UnsupportedVersion(version));
        }
        if reserved != 0 {
            return Err(RecordError::ReservedNotZero);
        }
        let payload = r.take(payload_len)?;
        let checksum = r.take(CHECKSUM_LEN)?;
        if !r.rest.is_empty() {
            return Err(RecordError::TrailingData);
        }
        let body_len = HEADER_LEN
            .checked_add(payload_len)
            .ok_or(RecordError::Truncated)?;
        let body = bytes.get(..body_len).ok_or(RecordError::Truncated)?;
        let digest: [u8; 32] = Sha256::digest(body).into();
        if digest.as_slice() != checksum {
            return Err(RecordError::ChecksumMismatch);
        }
        decode_payload(kind, payload)
    }
}

/// What one stored entry is, as the loader sees it (SPEC §6). Borrows the entry's bytes.
pub enum Loaded<'a> {
    /// A valid record stored under its own name.
    Record(Record<'a>),
    /// Something stands at a record's name that is not that record: unreadable, not a file a
    /// store can read, not a valid record, or a valid record of another entry.
    Damaged {
        /// The record name it was found under: that entry is damaged.
        found: RecordName,
        /// When the content decodes and checks but belongs under another name: that record.
        /// The entry it belongs to ([`Record::name`]) is damaged too (its own record may have
        /// been moved here), so no lower-precedence key may stand in for it either.
        content: Option<Record<'a>>,
    },
    /// An entry whose name cannot be a record name, whatever it holds: not the core's.
    /// Reported, never loaded, never counted as damage, never removed.
    Foreign,
}

impl fmt::Debug for Loaded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loaded::Record(record) => f.debug_tuple("Record").field(record).finish(),
            Loaded::Damaged { found, content } => f
                .debug_struct("Damaged")
                .field("found", found)
                .field("content", content)
                .finish(),
            Loaded::Foreign => f.write_str("Foreign"),
        }
    }
}

/// Decides what a stored entry is from its name (raw bytes: a file system may hand back names
/// that are not UTF-8) and its bytes or the error met reading it. The store reports; this
/// decides.
#[must_use]
pub fn classify<'a>(name: &[u8], bytes: Result<&'a [u8], StoreError>) -> Loaded<'a> {
    let Some(found) = RecordName::parse(name) else {
        return Loaded::Foreign;
    };
    match bytes.ok().map(Record::decode_unnamed) {
        Some(Ok(record)) if record.name() == found => Loaded::Record(record),
        Some(Ok(record)) => Loaded::Damaged {
            found,
            content: Some(record),
        },
        Some(Err(_)) | None => Loaded::Damaged {
            found,
            content: None,
        },
    }
}

fn decode_payload(kind: u8, payload: &[u8]) -> Result<Record<'_>, RecordError> {
    let mut r = Reader::new(payload);
    let record = match kind {
        KIND_PSK => {
            let port = port_from_raw(r.u32()?);
            let flags = SecurityFlags::parse(r.u64()?).map_err(|_| RecordError::BadPayload)?;
            let id_type = r.u8()?;
            let id_len = usize::from(r.u8()?);
            let key_len = usize::from(r.u16()?);
            let raw_id = r.take(id_len)?;
            let id = Identifier::parse(id_type, raw_id).map_err(|_| RecordError::BadPayload)?;
            // Identifiers are stored normalised; anything else was not written by us.
            if id.as_bytes() != raw_id {
                return Err(RecordError::BadPayload);
            }
            let key = domain::preshared_key(r.take(key_len)?)
                .map_err(|_| RecordError::BadPayload)?
                .ok_or(RecordError::BadPayload)?;
            Record::Psk {
                port,
                id,
                flags,
                key,
            }
        }
        KIND_GROUP_KEY => Record::GroupKey(
            domain::preshared_key(r.take(payload.len())?)
                .map_err(|_| RecordError::BadPayload)?
                .ok_or(RecordError::BadPayload)?,
        ),
        KIND_TUNNEL => {
            let port = port_from_raw(r.u32()?);
            let destination = read_destination(&mut r)?;
            let outer = read_outer(&mut r)?;
            Record::Tunnel {
                port,
                destination,
                outer,
            }
        }
        KIND_GENERATIONAL_GUID => {
            let guid = r
                .take(16)?
                .try_into()
                .map_err(|_| RecordError::BadPayload)?;
            Record::GenerationalGuid(guid)
        }
        KIND_CHAP_SECRET => Record::ChapSecret(
            domain::chap_secret(r.take(payload.len())?)
                .map_err(|_| RecordError::BadPayload)?
                .ok_or(RecordError::BadPayload)?,
        ),
        other => return Err(RecordError::UnknownKind(other)),
    };
    if !r.rest.is_empty() {
        return Err(RecordError::BadPayload);
    }
    Ok(record)
}

/// A stored port: `0xFFFFFFFF` is all ports; any other number is kept as stored, even if the
/// adapter now has fewer ports (SPEC §6: loading never drops a valid record).
fn port_from_raw(raw: u32) -> PortSelector {
    match raw {
        crate::consts::ALL_PORTS => PortSelector::All,
        n => PortSelector::Port(n),
    }
}

const ADDR_TEXT: u8 = 0;
const ADDR_IPV4: u8 = 1;
const ADDR_IPV6: u8 = 2;

fn write_text(w: &mut Writer<'_>, t: &TextAddress) -> Result<(), RecordError> {
    let units = t.units();
    let n = u16::try_from(units.len()).map_err(|_| RecordError::NoRoom)?;
    w.put(&[ADDR_TEXT])?;
    w.put(&n.to_le_bytes())?;
    for u in units {
        w.put(&u.to_le_bytes())?;
    }
    Ok(())
}

fn write_destination(w: &mut Writer<'_>, d: &Destination) -> Result<(), RecordError> {
    match d {
        Destination::Text(t) => write_text(w, t),
        Destination::Ipv4(a) => {
            w.put(&[ADDR_IPV4])?;
            w.put(a)
        }
        Destination::Ipv6(a) => {
            w.put(&[ADDR_IPV6])?;
            w.put(a)
        }
    }
}

fn write_outer(w: &mut Writer<'_>, o: &OuterAddress) -> Result<(), RecordError> {
    match o {
        OuterAddress::Text(t) => write_text(w, t),
        OuterAddress::Ipv4(a) => {
            w.put(&[ADDR_IPV4])?;
            w.put(a)
        }
        OuterAddress::Ipv6 {
            address,
            flow_info,
            scope_id,
        } => {
            w.put(&[ADDR_IPV6])?;
            w.put(address)?;
            w.put(&flow_info.to_le_bytes())?;
            w.put(&scope_id.to_le_bytes())
        }
    }
}

fn read_text(r: &mut Reader<'_>) -> Result<TextAddress, RecordError> {
    let n = usize::from(r.u16()?);
    let mut units = [0u16; MAX_TEXT_ADDRESS_UNITS];
    let slot = units.get_mut(..n).ok_or(RecordError::BadPayload)?;
    for u in slot.iter_mut() {
        *u = r.u16()?;
    }
    TextAddress::from_units(slot).map_err(|_| RecordError::BadPayload)
}

fn read_destination(r: &mut Reader<'_>) -> Result<Destination, RecordError> {
    match r.u8()? {
        ADDR_TEXT => {
            let t = read_text(r)?;
            // Destinations are stored normalised; anything else was not written by us.
            if t.to_ascii_lowercase() != t {
                return Err(RecordError::BadPayload);
            }
            Ok(Destination::Text(t))
        }
        ADDR_IPV4 => Ok(Destination::Ipv4(r.array()?)),
        ADDR_IPV6 => Ok(Destination::Ipv6(r.array()?)),
        _ => Err(RecordError::BadPayload),
    }
}

fn read_outer(r: &mut Reader<'_>) -> Result<OuterAddress, RecordError> {
    match r.u8()? {
        ADDR_TEXT => Ok(OuterAddress::Text(read_text(r)?)),
        ADDR_IPV4 => Ok(OuterAddress::Ipv4(r.array()?)),
        ADDR_IPV6 => Ok(OuterAddress::Ipv6 {
            address: r.array()?,
            flow_info: r.u32()?,
            scope_id: r.u32()?,
        }),
        _ => Err(RecordError::BadPayload),
    }
}

/// A cursor over untrusted bytes; every read is bounds-checked.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        let (head, tail) = self
            .rest
            .split_at_checked(n)
            .ok_or(RecordError::Truncated)?;
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RecordError> {
        self.take(N)?.try_into().map_err(|_| RecordError::Truncated)
    }

    fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(u8::from_le_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16, RecordError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, RecordError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, RecordError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
}

/// A cursor writing into a caller's buffer; every write is bounds-checked.
struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    fn new(buf: &'a mut [u8]) -> Writer<'a> {
        Writer { buf, pos: 0 }
    }

    fn put(&mut self, src: &[u8]) -> Result<(), RecordError> {
        let end = self.pos.checked_add(src.len()).ok_or(RecordError::NoRoom)?;
        self.buf
            .get_mut(self.pos..end)
            .ok_or(RecordError::NoRoom)?
            .copy_from_slice(src);
        self.pos = end;
        Ok(())
    }

    fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests;
