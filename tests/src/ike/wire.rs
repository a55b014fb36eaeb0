//! The ISAKMP message codec (RFC 2408 §3, RFC 2409): bytes ⇄ typed payloads.
//!
//! ```text
//!   initiator ──► wire (this file) ──► UDP datagram
//!       ▲              │
//!       └── Message ◄──┘  decode: header, payload chain, SA / proposal / transform / attributes
//! ```
//!
//! The decoder is strict, because it parses whatever arrives on the socket: the header's length
//! must be the datagram's, every payload's length must fit, reserved fields must be zero and a
//! proposal must hold as many transforms as it says. What decodes re-encodes to the same bytes
//! (the fuzz target `ike_message` checks exactly that). The body of an encrypted message stays
//! opaque here; the initiator decrypts it and decodes the plaintext with
//! [`decode_payloads_padded`].
//!
//! This file and `wire/sa.rs` (the SA payload's codec, included by an explicit path) need
//! nothing but `std`: the fuzz target `fuzz/fuzz_targets/ike_message.rs` includes this file by
//! path, so that fuzzing builds the decoder alone. Keep it that way.

// Untrusted bytes pass through here: no panicking shortcuts outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

use std::fmt;

// The codec of the SA payload's nested structures. By an explicit path, so that it resolves
// the same when the fuzz target includes this file alone.
#[path = "wire/sa.rs"]
mod sa;

/// ISAKMP header length.
pub const HEADER_LEN: usize = 28;
/// Generic payload header length.
pub const PAYLOAD_HEADER_LEN: usize = 4;
/// Version byte: major 1, minor 0.
pub const VERSION_1_0: u8 = 0x10;

/// Exchange types (RFC 2408 §3.1, RFC 2409).
pub mod exchange {
    /// Identity Protection (main mode).
    pub const IDENTITY_PROTECTION: u8 = 2;
    /// Aggressive mode.
    pub const AGGRESSIVE: u8 = 4;
    /// Informational.
    pub const INFORMATIONAL: u8 = 5;
}

/// Header flag bits (RFC 2408 §3.1).
pub mod flag {
    /// The payloads after the header are encrypted.
    pub const ENCRYPTION: u8 = 0x01;
    /// Commit bit.
    pub const COMMIT: u8 = 0x02;
    /// Authentication only.
    pub const AUTHENTICATION_ONLY: u8 = 0x04;
    /// Every defined bit.
    pub const DEFINED: u8 = ENCRYPTION | COMMIT | AUTHENTICATION_ONLY;
}

/// Payload types (RFC 2408 §3.1).
pub mod payload_type {
    /// No next payload.
    pub const NONE: u8 = 0;
    /// Security Association.
    pub const SA: u8 = 1;
    /// Proposal (only inside an SA).
    pub const PROPOSAL: u8 = 2;
    /// Transform (only inside a proposal).
    pub const TRANSFORM: u8 = 3;
    /// Key Exchange.
    pub const KE: u8 = 4;
    /// Identification.
    pub const ID: u8 = 5;
    /// Hash.
    pub const HASH: u8 = 8;
    /// Nonce.
    pub const NONCE: u8 = 10;
    /// Notification.
    pub const NOTIFY: u8 = 11;
    /// Vendor ID.
    pub const VENDOR_ID: u8 = 13;
}

/// Phase-1 SA attribute types (RFC 2409 Appendix A).
pub mod attribute {
    /// Encryption algorithm.
    pub const ENCRYPTION: u16 = 1;
    /// Hash algorithm.
    pub const HASH: u16 = 2;
    /// Authentication method.
    pub const AUTHENTICATION: u16 = 3;
    /// Group description.
    pub const GROUP: u16 = 4;
    /// Life type.
    pub const LIFE_TYPE: u16 = 11;
    /// Life duration.
    pub const LIFE_DURATION: u16 = 12;
    /// Key length (bits).
    pub const KEY_LENGTH: u16 = 14;
    /// The attribute-format bit: set for a two-byte (TV) value.
    pub const FORMAT_TV: u16 = 0x8000;
}

/// A decoded ISAKMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Initiator cookie.
    pub initiator_cookie: [u8; 8],
    /// Responder cookie (zero in the first message).
    pub responder_cookie: [u8; 8],
    /// Exchange type.
    pub exchange: u8,
    /// Header flags ([`flag`]); [`flag::ENCRYPTION`] decides the body's kind.
    pub flags: u8,
    /// Message id (zero in phase 1).
    pub message_id: u32,
    /// The payloads, or the ciphertext.
    pub body: Body,
}

/// What follows the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Cleartext payloads.
    Plain(Vec<Payload>),
    /// An encrypted body: the header's next-payload field and the ciphertext.
    Encrypted {
        /// Type of the first payload inside the ciphertext.
        first: u8,
        /// The ciphertext, padding included.
        ciphertext: Vec<u8>,
    },
}

/// One payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Security Association.
    Sa(SaPayload),
    /// Key Exchange: the Diffie-Hellman public value.
    Ke(Vec<u8>),
    /// Identification.
    Id(IdPayload),
    /// Hash.
    Hash(Vec<u8>),
    /// Nonce.
    Nonce(Vec<u8>),
    /// Notification.
    Notify(NotifyPayload),
    /// Vendor ID.
    VendorId(Vec<u8>),
    /// Any other payload type, kept as its body bytes.
    Other {
        /// The payload type.
        kind: u8,
        /// The body after the generic header.
        body: Vec<u8>,
    },
}

/// A Security Association payload (DOI IPsec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaPayload {
    /// Domain of interpretation (1 = IPsec).
    pub doi: u32,
    /// Situation (1 = identity only).
    pub situation: u32,
    /// The proposals.
    pub proposals: Vec<Proposal>,
}

/// A proposal inside an SA payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Proposal number.
    pub number: u8,
    /// Protocol id (1 = `PROTO_ISAKMP`).
    pub protocol: u8,
    /// The SPI (empty in phase 1).
    pub spi: Vec<u8>,
    /// The transforms.
    pub transforms: Vec<Transform>,
}

/// A transform inside a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transform {
    /// Transform number.
    pub number: u8,
    /// Transform id (1 = `KEY_IKE`).
    pub id: u8,
    /// SA attributes.
    pub attributes: Vec<Attribute>,
}

/// One SA attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute type, without the format bit.
    pub kind: u16,
    /// The value in the form it came (or goes) in.
    pub value: AttributeValue,
}

/// An attribute value: a basic (TV) two-byte value or a variable-length (TLV) one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// Two bytes in the attribute header.
    Basic(u16),
    /// Length-prefixed bytes.
    Variable(Vec<u8>),
}

/// An Identification payload (phase 1, RFC 2407 §4.6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdPayload {
    /// ID type (1 IPv4, 2 FQDN, 3 USER_FQDN, 5 IPv6, …).
    pub id_type: u8,
    /// Protocol id (0 or 17).
    pub protocol: u8,
    /// Port (0 or 500).
    pub port: u16,
    /// The identification data.
    pub data: Vec<u8>,
}

/// A Notification payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPayload {
    /// Domain of interpretation.
    pub doi: u32,
    /// Protocol id.
    pub protocol: u8,
    /// Notify message type.
    pub notify_type: u16,
    /// The SPI.
    pub spi: Vec<u8>,
    /// Notification data.
    pub data: Vec<u8>,
}

/// Why bytes did not decode. Never carries more than offsets, lengths and type numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Fewer bytes than the structure needs.
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes there.
        have: usize,
    },
    /// Version byte other than 1.0.
    Version(u8),
    /// An undefined header flag bit.
    Flags(u8),
    /// The header's length is not the datagram's.
    MessageLength {
        /// Length in the header.
        declared: u32,
        /// Bytes received.
        actual: usize,
    },
    /// A payload length below its header or past the end of its container.
    PayloadLength {
        /// Payload type.
        kind: u8,
        /// Length in its header.
        declared: u16,
        /// Bytes left in the container.
        available: usize,
    },
    /// A reserved field that is not zero.
    Reserved {
        /// Where.
        what: &'static str,
    },
    /// Bytes after the last payload.
    TrailingData(usize),
    /// A proposal or transform chain linked to something else.
    ChainType {
        /// Where.
        what: &'static str,
        /// The next-payload value found.
        found: u8,
    },
    /// A proposal whose transform count is not the number of transforms it holds.
    TransformCount {
        /// The count in the proposal header.
        declared: u8,
        /// Transforms found.
        found: usize,
    },
    /// An encrypted body whose length is not a whole number of cipher blocks.
    CiphertextLength(usize),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DecodeError::Truncated { what, need, have } => {
                write!(f, "{what} truncated: needs {need} bytes, {have} there")
            }
            DecodeError::Version(v) => write!(f, "ISAKMP version 0x{v:02x}, not 1.0"),
            DecodeError::Flags(v) => write!(f, "undefined header flags 0x{v:02x}"),
            DecodeError::MessageLength { declared, actual } => {
                write!(f, "header says {declared} bytes, datagram has {actual}")
            }
            DecodeError::PayloadLength {
                kind,
                declared,
                available,
            } => write!(
                f,
                "payload type {kind} declares {declared} bytes, {available} available"
            ),
            DecodeError::Reserved { what } => write!(f, "reserved field of {what} not zero"),
            DecodeError::TrailingData(n) => write!(f, "{n} bytes after the last payload"),
            DecodeError::ChainType { what, found } => {
                write!(f, "{what} chain links to payload type {found}")
            }
            DecodeError::TransformCount { declared, found } => {
                write!(f, "proposal declares {declared} transforms, holds {found}")
            }
            DecodeError::CiphertextLength(n) => {
                write!(f, "encrypted body of {n} bytes is not whole cipher blocks")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a message could not be encoded (a field too long for its length field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeError {
    /// What overflowed.
    pub what: &'static str,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} too long to encode", self.what)
    }
}

impl std::error::Error for EncodeError {}

/// Cipher block size the encrypted body must be a multiple of (AES).
pub const CIPHER_BLOCK_LEN: usize = 16;

impl Message {
    /// Decodes one datagram.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] for anything that is not exactly one well-formed ISAKMP message.
    pub fn decode(datagram: &[u8]) -> Result<Message, DecodeError> {
        let mut r = Reader::new(datagram, "ISAKMP header");
        let initiator_cookie = r.array::<8>()?;
        let responder_cookie = r.array::<8>()?;
        let next = r.u8()?;
        let version = r.u8()?;
        let exchange = r.u8()?;
        let flags = r.u8()?;
        let message_id = r.u32()?;
        let length = r.u32()?;
        if version != VERSION_1_0 {
            return Err(DecodeError::Version(version));
        }
        if flags & !flag::DEFINED != 0 {
            return Err(DecodeError::Flags(flags));
        }
        if usize::try_from(length).ok() != Some(datagram.len()) {
            return Err(DecodeError::MessageLength {
                declared: length,
                actual: datagram.len(),
            });
        }
        let rest = r.rest();
        let body = if flags & flag::ENCRYPTION != 0 {
            if rest.is_empty() || !rest.len().is_multiple_of(CIPHER_BLOCK_LEN) {
                return Err(DecodeError::CiphertextLength(rest.len()));
            }
            Body::Encrypted {
                first: next,
                ciphertext: rest.to_vec(),
            }
        } else {
            Body::Plain(decode_payloads(next, rest)?)
        };
        Ok(Message {
            initiator_cookie,
            responder_cookie,
            exchange,
            flags,
            message_id,
            body,
        })
    }

    /// Encodes the message; the header's next-payload and length fields are derived.
    ///
    /// # Errors
    ///
    /// A payload longer than 65535 bytes or a message longer than `u32::MAX`.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let (next, body) = match &self.body {
            Body::Plain(payloads) => (
                payloads.first().map_or(payload_type::NONE, Payload::kind),
                encode_payloads(payloads)?,
            ),
            Body::Encrypted { first, ciphertext } => (*first, ciphertext.clone()),
        };
        let total = HEADER_LEN
            .checked_add(body.len())
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(EncodeError { what: "message" })?;
        let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(body.len()));
        out.extend_from_slice(&self.initiator_cookie);
        out.extend_from_slice(&self.responder_cookie);
        out.extend_from_slice(&[next, VERSION_1_0, self.exchange, self.flags]);
        out.extend_from_slice(&self.message_id.to_be_bytes());
        out.extend_from_slice(&total.to_be_bytes());
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// The cleartext payloads (empty for an encrypted body).
    #[must_use]
    pub fn payloads(&self) -> &[Payload] {
        match &self.body {
            Body::Plain(p) => p,
            Body::Encrypted { .. } => &[],
        }
    }
}

impl Payload {
    /// The payload type number.
    #[must_use]
    pub fn kind(&self) -> u8 {
        match self {
            Payload::Sa(_) => payload_type::SA,
            Payload::Ke(_) => payload_type::KE,
            Payload::Id(_) => payload_type::ID,
            Payload::Hash(_) => payload_type::HASH,
            Payload::Nonce(_) => payload_type::NONCE,
            Payload::Notify(_) => payload_type::NOTIFY,
            Payload::VendorId(_) => payload_type::VENDOR_ID,
            Payload::Other { kind, .. } => *kind,
        }
    }

    /// The payload body (after the generic header), as it goes on the wire; the bytes that
    /// `HASH_I`/`HASH_R` cover for SA and ID payloads (`SAi_b`, `IDii_b`, `IDir_b`).
    ///
    /// # Errors
    ///
    /// A nested proposal or transform longer than 65535 bytes.
    pub fn body(&self) -> Result<Vec<u8>, EncodeError> {
        Ok(match self {
            Payload::Sa(sa) => sa.encode_body()?,
            Payload::Id(id) => id.encode_body(),
            Payload::Notify(n) => n.encode_body()?,
            Payload::Ke(b)
            | Payload::Hash(b)
            | Payload::Nonce(b)
            | Payload::VendorId(b)
            | Payload::Other { body: b, .. } => b.clone(),
        })
    }

    fn decode(kind: u8, body: &[u8]) -> Result<Payload, DecodeError> {
        Ok(match kind {
            payload_type::SA => Payload::Sa(SaPayload::decode_body(body)?),
            payload_type::KE => Payload::Ke(body.to_vec()),
            payload_type::ID => Payload::Id(IdPayload::decode_body(body)?),
            payload_type::HASH => Payload::Hash(body.to_vec()),
            payload_type::NONCE => Payload::Nonce(body.to_vec()),
            payload_type::NOTIFY => Payload::Notify(NotifyPayload::decode_body(body)?),
            payload_type::VENDOR_ID => Payload::VendorId(body.to_vec()),
            _ => Payload::Other {
                kind,
                body: body.to_vec(),
            },
        })
    }
}

/// Decodes a payload chain that must fill `bytes` exactly.
///
/// # Errors
///
/// Any malformed payload, or bytes after the last one.
pub fn decode_payloads(first: u8, bytes: &[u8]) -> Result<Vec<Payload>, DecodeError> {
    let (payloads, used) = decode_chain(first, bytes)?;
    match bytes.len().checked_sub(used) {
        Some(0) => Ok(payloads),
        Some(n) => Err(DecodeError::TrailingData(n)),
        None => Err(DecodeError::TrailingData(0)),
    }
}

/// Decodes the plaintext of an encrypted body: a payload chain followed by padding of fewer
/// than one cipher block plus one (RFC 2409 Appendix B pads to the block size; strongSwan
/// always adds 1 to 16 bytes).
///
/// # Errors
///
/// Any malformed payload, or more trailing bytes than padding can be.
pub fn decode_payloads_padded(first: u8, plaintext: &[u8]) -> Result<Vec<Payload>, DecodeError> {
    let (payloads, used) = decode_chain(first, plaintext)?;
    let trailing = plaintext.len().saturating_sub(used);
    if trailing > CIPHER_BLOCK_LEN {
        return Err(DecodeError::TrailingData(trailing));
    }
    Ok(payloads)
}

/// Encodes a payload chain, linking each payload's next-payload field to the one after it.
///
/// # Errors
///
/// A payload longer than 65535 bytes.
pub fn encode_payloads(payloads: &[Payload]) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    let mut kinds = payloads.iter().skip(1).map(Payload::kind);
    for p in payloads {
        let next = kinds.next().unwrap_or(payload_type::NONE);
        push_generic(&mut out, next, &p.body()?, "payload")?;
    }
    Ok(out)
}

impl IdPayload {
    fn decode_body(body: &[u8]) -> Result<IdPayload, DecodeError> {
        let mut r = Reader::new(body, "ID payload");
        let id_type = r.u8()?;
        let protocol = r.u8()?;
        let port = r.u16()?;
        Ok(IdPayload {
            id_type,
            protocol,
            port,
            data: r.rest().to_vec(),
        })
    }

    fn encode_body(&self) -> Vec<u8> {
        let mut out = vec![self.id_type, self.protocol];
        out.extend_from_slice(&self.port.to_be_bytes());
        out.extend_from_slice(&self.data);
        out
    }
}

impl NotifyPayload {
    fn decode_body(body: &[u8]) -> Result<NotifyPayload, DecodeError> {
        let mut r = Reader::new(body, "notification");
        let doi = r.u32()?;
        let protocol = r.u8()?;
        let spi_size = r.u8()?;
        let notify_type = r.u16()?;
        let spi = r.bytes(usize::from(spi_size))?.to_vec();
        Ok(NotifyPayload {
            doi,
            protocol,
            notify_type,
            spi,
            data: r.rest().to_vec(),
        })
    }

    fn encode_body(&self) -> Result<Vec<u8>, EncodeError> {
        let spi_size = u8::try_from(self.spi.len()).map_err(|_| EncodeError { what: "SPI" })?;
        let mut out = Vec::new();
        out.extend_from_slice(&self.doi.to_be_bytes());
        out.extend_from_slice(&[self.protocol, spi_size]);
        out.extend_from_slice(&self.notify_type.to_be_bytes());
        out.extend_from_slice(&self.spi);
        out.extend_from_slice(&self.data);
        Ok(out)
    }
}

/// Walks a chain from `first`; returns the payloads and the bytes they used.
fn decode_chain(first: u8, bytes: &[u8]) -> Result<(Vec<Payload>, usize), DecodeError> {
    let mut payloads = Vec::new();
    let mut next = first;
    let mut rest = bytes;
    while next != payload_type::NONE {
        let (link, body, after) = split_generic(next, rest)?;
        payloads.push(Payload::decode(next, body)?);
        next = link;
        rest = after;
    }
    Ok((payloads, bytes.len().saturating_sub(rest.len())))
}

/// Splits one generic-header payload of type `kind` off `bytes`: (next, body, rest).
fn split_generic(kind: u8, bytes: &[u8]) -> Result<(u8, &[u8], &[u8]), DecodeError> {
    let Some((head, _)) = bytes.split_first_chunk::<PAYLOAD_HEADER_LEN>() else {
        return Err(DecodeError::Truncated {
            what: "payload header",
            need: PAYLOAD_HEADER_LEN,
            have: bytes.len(),
        });
    };
    let [next, reserved, len_hi, len_lo] = *head;
    if reserved != 0 {
        return Err(DecodeError::Reserved {
            what: "payload header",
        });
    }
    let declared = u16::from_be_bytes([len_hi, len_lo]);
    let length = usize::from(declared);
    if length < PAYLOAD_HEADER_LEN || length > bytes.len() {
        return Err(DecodeError::PayloadLength {
            kind,
            declared,
            available: bytes.len(),
        });
    }
    let (whole, rest) = bytes.split_at(length);
    let body = whole.get(PAYLOAD_HEADER_LEN..).unwrap_or(&[]);
    Ok((next, body, rest))
}

/// Appends a generic payload header and `body`.
fn push_generic(
    out: &mut Vec<u8>,
    next: u8,
    body: &[u8],
    what: &'static str,
) -> Result<(), EncodeError> {
    let len = body
        .len()
        .checked_add(PAYLOAD_HEADER_LEN)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or(EncodeError { what })?;
    out.extend_from_slice(&[next, 0]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    Ok(())
}

/// Splits a chain of generic-header structures that are all of type `kind` (the proposals of
/// an SA, the transforms of a proposal) into their bodies; `bytes` must hold nothing else.
fn split_chain<'a>(
    kind: u8,
    what: &'static str,
    bytes: &'a [u8],
) -> Result<Vec<&'a [u8]>, DecodeError> {
    let mut bodies = Vec::new();
    let mut rest = bytes;
    let mut next = if rest.is_empty() {
        payload_type::NONE
    } else {
        kind
    };
    while next != payload_type::NONE {
        if next != kind {
            return Err(DecodeError::ChainType { what, found: next });
        }
        let (link, body, after) = split_generic(kind, rest)?;
        bodies.push(body);
        next = link;
        rest = after;
    }
    if rest.is_empty() {
        Ok(bodies)
    } else {
        Err(DecodeError::TrailingData(rest.len()))
    }
}

/// Appends `bodies` as a chain of generic-header structures of type `kind`.
fn push_chain(
    out: &mut Vec<u8>,
    kind: u8,
    bodies: &[Vec<u8>],
    what: &'static str,
) -> Result<(), EncodeError> {
    for (i, body) in bodies.iter().enumerate() {
        let next = if i.saturating_add(1) < bodies.len() {
            kind
        } else {
            payload_type::NONE
        };
        push_generic(out, next, body, what)?;
    }
    Ok(())
}

/// A cursor over bytes that reports truncation instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { bytes, what }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let Some((head, rest)) = self.bytes.split_at_checked(n) else {
            return Err(DecodeError::Truncated {
                what: self.what,
                need: n,
                have: self.bytes.len(),
            });
        };
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let Some((head, rest)) = self.bytes.split_first_chunk::<N>() else {
            return Err(DecodeError::Truncated {
                what: self.what,
                need: N,
                have: self.bytes.len(),
            });
        };
        self.bytes = rest;
        Ok(*head)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// The fuzz oracle (`fuzz/fuzz_targets/ike_message.rs`): `data` as a datagram must decode or
/// be refused, and whatever decodes must encode back to exactly `data`; `data[0]` and the rest
/// as a payload chain (the path of a decrypted body) likewise. Not an API.
///
/// # Panics
///
/// When something decodes but does not re-encode to its input (a codec bug).
#[doc(hidden)]
#[expect(clippy::expect_used, reason = "the oracle's panics are its findings")]
pub fn fuzz_round_trip(data: &[u8]) {
    if let Ok(m) = Message::decode(data) {
        let again = m.encode().expect("a decoded message encodes");
        assert_eq!(again, data, "decode then encode is not the identity");
        if let Body::Encrypted { first, ciphertext } = &m.body {
            let _ = decode_payloads_padded(*first, ciphertext);
        }
    }
    if let Some((&first, rest)) = data.split_first() {
        if let Ok(payloads) = decode_payloads(first, rest) {
            let again = encode_payloads(&payloads).expect("decoded payloads encode");
            assert_eq!(
                again, rest,
                "payload chain decode then encode is not the identity"
            );
        }
        let _ = decode_payloads_padded(first, rest);
    }
}

// The tests sit in `wire/tests.rs`; the fuzz target, which includes this file alone, never
// builds them.
#[cfg(test)]
mod tests;
