//! The domain types: ports, flags, identifiers, addresses, each valid once it exists.
//!
//! ```text
//!   provider ──► wire ──► domain (this file) ──► table, record, lookup
//! ```
//!
//! These are the values the table holds and the lookup takes ([`PortSelector`],
//! [`SecurityFlags`], [`Identifier`], [`Destination`], [`OuterAddress`]), and SPEC §4 validation
//! is how they are made: every `parse` here (and [`preshared_key`], [`chap_secret`]) takes the
//! raw integers and byte slices of a [`crate::wire`] `Repr` and returns a value whose invariants
//! hold (a port the adapter has, an identifier of a supported type and size in its normalised
//! form, a key of 1 to 256 bytes) or the one [`ValidationError`] that SPEC names for the first
//! failed check. [`IsdscStatus::from`] is the only place that maps these errors to status codes.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::consts::{ALL_PORTS, id_type, ip_address_type, security_flag};
use crate::secret::{MAX_CHAP_SECRET_LEN, MAX_PRESHARED_KEY_LEN};
use crate::status::IsdscStatus;
use crate::wire::IscsiIpAddress;
use crate::wire::ip_address::{MAX_TEXT_ADDRESS_LEN, MAX_TEXT_ADDRESS_UNITS};

/// Why a request was refused; each variant names the SPEC §4 check that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// The port is neither `0xFFFFFFFF` nor below the adapter's port count.
    InvalidPortNumber,
    /// An undefined security flag bit, or transport and tunnel mode both preferred.
    InvalidSecurityFlags,
    /// The identifier type is not 1, 2, 3 or 5.
    IdTypeNotSupported,
    /// The identifier's size is wrong for its type.
    IdIncorrectSize,
    /// A name identifier holds a byte outside printable ASCII 0x21–0x7E.
    IdBadByte,
    /// A preshared key is longer than 256 bytes.
    KeyTooLong,
    /// The initiator CHAP secret is longer than 16 bytes.
    ChapSecretTooLong,
    /// A tunnel address has a type not allowed in its place, or a text address (type 0) has
    /// no unit before its first NUL.
    InvalidAddress,
    /// A tunnel address's `TextAddress` length is odd or over 512 bytes (whatever its type).
    TextAddressLength,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValidationError::InvalidPortNumber => "the port is not a port of this adapter",
            ValidationError::InvalidSecurityFlags => {
                "the security flags hold an undefined bit, or both transport and tunnel mode"
            }
            ValidationError::IdTypeNotSupported => "the identifier type is not 1, 2, 3 or 5",
            ValidationError::IdIncorrectSize => "the identifier's size is wrong for its type",
            ValidationError::IdBadByte => {
                "a name identifier holds a byte outside printable ASCII (0x21-0x7E)"
            }
            ValidationError::KeyTooLong => "the preshared key is longer than 256 bytes",
            ValidationError::ChapSecretTooLong => "the CHAP secret is longer than 16 bytes",
            ValidationError::InvalidAddress => {
                "a tunnel address has a type not allowed there, or an empty text"
            }
            ValidationError::TextAddressLength => {
                "a tunnel address's text length is odd or over 512 bytes"
            }
        })
    }
}

impl core::error::Error for ValidationError {}

impl From<ValidationError> for IsdscStatus {
    fn from(e: ValidationError) -> IsdscStatus {
        match e {
            ValidationError::InvalidPortNumber => IsdscStatus::INVALID_PORT_NUMBER,
            ValidationError::IdTypeNotSupported => IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED,
            ValidationError::IdIncorrectSize => IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE,
            ValidationError::ChapSecretTooLong => IsdscStatus::INVALID_INITIATOR_CHAP_SECRET,
            ValidationError::InvalidSecurityFlags
            | ValidationError::IdBadByte
            | ValidationError::KeyTooLong
            | ValidationError::InvalidAddress
            | ValidationError::TextAddressLength => IsdscStatus::INVALID_PARAMETER,
        }
    }
}

/// Which ports an entry applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PortSelector {
    /// One port of the adapter, below its port count.
    Port(u32),
    /// Every port (`0xFFFFFFFF` on the wire).
    All,
}

impl PortSelector {
    /// Checks a wire `PortNumber` against the adapter's port count.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidPortNumber`] unless `raw` is `0xFFFFFFFF` or below
    /// `port_count`.
    pub fn parse(raw: u32, port_count: u32) -> Result<PortSelector, ValidationError> {
        match raw {
            ALL_PORTS => Ok(PortSelector::All),
            n if n < port_count => Ok(PortSelector::Port(n)),
            _ => Err(ValidationError::InvalidPortNumber),
        }
    }

    /// The wire value.
    #[must_use]
    pub const fn raw(self) -> u32 {
        match self {
            PortSelector::Port(n) => n,
            PortSelector::All => ALL_PORTS,
        }
    }
}

/// `ISCSI_SECURITY_FLAGS` with only defined bits, and not both mode preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecurityFlags(u64);

impl SecurityFlags {
    /// Checks the flags.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidSecurityFlags`] for an undefined bit or for 0x20 with 0x40.
    pub fn parse(raw: u64) -> Result<SecurityFlags, ValidationError> {
        let both_modes =
            security_flag::TRANSPORT_MODE_PREFERRED | security_flag::TUNNEL_MODE_PREFERRED;
        if raw & !security_flag::DEFINED != 0 || raw & both_modes == both_modes {
            return Err(ValidationError::InvalidSecurityFlags);
        }
        Ok(SecurityFlags(raw))
    }

    /// The flags as stored and returned, verbatim.
    #[must_use]
    pub const fn bits(self) -> u64 {
        self.0
    }
}

/// One of the four identification types Windows defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdType {
    /// `ID_IPV4_ADDR` (1).
    Ipv4Addr,
    /// `ID_FQDN` (2).
    Fqdn,
    /// `ID_USER_FQDN` (3).
    UserFqdn,
    /// `ID_IPV6_ADDR` (5).
    Ipv6Addr,
}

impl IdType {
    /// The type for a wire `IdType`, if supported.
    #[must_use]
    pub const fn from_raw(raw: u8) -> Option<IdType> {
        match raw {
            id_type::IPV4_ADDR => Some(IdType::Ipv4Addr),
            id_type::FQDN => Some(IdType::Fqdn),
            id_type::USER_FQDN => Some(IdType::UserFqdn),
            id_type::IPV6_ADDR => Some(IdType::Ipv6Addr),
            _ => None,
        }
    }

    /// The wire value.
    #[must_use]
    pub const fn raw(self) -> u8 {
        match self {
            IdType::Ipv4Addr => id_type::IPV4_ADDR,
            IdType::Fqdn => id_type::FQDN,
            IdType::UserFqdn => id_type::USER_FQDN,
            IdType::Ipv6Addr => id_type::IPV6_ADDR,
        }
    }
}

/// Longest name identifier (`ID_FQDN`, `ID_USER_FQDN`).
pub const MAX_NAME_ID_LEN: usize = 255;

/// An IKE identifier in its normalised form: addresses as their bytes, names lower-cased.
///
/// Fixed-size so that the lookup path can build one without allocating.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identifier {
    id_type: IdType,
    len: u8,
    bytes: [u8; MAX_NAME_ID_LEN],
}

impl Identifier {
    /// Checks, in SPEC order, the type, then the size, then the bytes, and normalises names to
    /// ASCII lower case.
    ///
    /// # Errors
    ///
    /// [`ValidationError::IdTypeNotSupported`], [`ValidationError::IdIncorrectSize`] or
    /// [`ValidationError::IdBadByte`].
    pub fn parse(raw_type: u8, id: &[u8]) -> Result<Identifier, ValidationError> {
        let id_type = IdType::from_raw(raw_type).ok_or(ValidationError::IdTypeNotSupported)?;
        let size_ok = match id_type {
            IdType::Ipv4Addr => id.len() == 4,
            IdType::Ipv6Addr => id.len() == 16,
            IdType::Fqdn | IdType::UserFqdn => (1..=MAX_NAME_ID_LEN).contains(&id.len()),
        };
        if !size_ok {
            return Err(ValidationError::IdIncorrectSize);
        }
        let is_name = matches!(id_type, IdType::Fqdn | IdType::UserFqdn);
        if is_name && !id.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(ValidationError::IdBadByte);
        }
        let len = u8::try_from(id.len()).map_err(|_| ValidationError::IdIncorrectSize)?;
        let mut bytes = [0; MAX_NAME_ID_LEN];
        for (dst, src) in bytes.iter_mut().zip(id) {
            *dst = if is_name {
                src.to_ascii_lowercase()
            } else {
                *src
            };
        }
        Ok(Identifier {
            id_type,
            len,
            bytes,
        })
    }

    /// The identifier's type.
    #[must_use]
    pub const fn id_type(&self) -> IdType {
        self.id_type
    }

    /// The normalised bytes (names in lower case).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl fmt::Display for Identifier {
    /// Dotted IPv4, RFC 5952 IPv6, or the lower-cased name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.as_bytes();
        match (
            self.id_type,
            <[u8; 4]>::try_from(b),
            <[u8; 16]>::try_from(b),
        ) {
            (IdType::Ipv4Addr, Ok(a), _) => Ipv4Addr::from(a).fmt(f),
            (IdType::Ipv6Addr, _, Ok(a)) => Ipv6Addr::from(a).fmt(f),
            // Names are printable ASCII by construction; `parse` makes the sizes right, so
            // the lossy path below only guards the invariant without failing the formatter.
            _ => {
                for chunk in b.utf8_chunks() {
                    f.write_str(chunk.valid())?;
                    if !chunk.invalid().is_empty() {
                        f.write_str("\u{fffd}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}({self})", self.id_type)
    }
}

/// Checks a preshared key: `None` for size 0 (remove or clear), else the key (1 to 256 bytes).
///
/// # Errors
///
/// [`ValidationError::KeyTooLong`] above 256 bytes.
pub fn preshared_key(key: &[u8]) -> Result<Option<&[u8]>, ValidationError> {
    match key.len() {
        0 => Ok(None),
        n if n > MAX_PRESHARED_KEY_LEN => Err(ValidationError::KeyTooLong),
        _ => Ok(Some(key)),
    }
}

/// Checks an initiator CHAP secret: `None` for size 0 (clear), else the secret (1 to 16 bytes).
///
/// # Errors
///
/// [`ValidationError::ChapSecretTooLong`] above 16 bytes.
pub fn chap_secret(secret: &[u8]) -> Result<Option<&[u8]>, ValidationError> {
    match secret.len() {
        0 => Ok(None),
        n if n > MAX_CHAP_SECRET_LEN => Err(ValidationError::ChapSecretTooLong),
        _ => Ok(Some(secret)),
    }
}

/// A non-empty text address of at most 256 UTF-16 units, without NUL.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextAddress {
    len: u16,
    units: [u16; MAX_TEXT_ADDRESS_UNITS],
}

impl TextAddress {
    /// Reads a `TextAddress` counted string's `L` bytes (SPEC §2): the text is the UTF-16LE
    /// units before the first NUL unit; what follows the NUL (padding) is ignored.
    ///
    /// # Errors
    ///
    /// [`ValidationError::TextAddressLength`] if `L` is odd or over 512;
    /// [`ValidationError::InvalidAddress`] if no unit comes before the first NUL.
    pub fn parse(text: &[u8]) -> Result<TextAddress, ValidationError> {
        let units = checked_text(text)?;
        let mut out = TextAddress {
            len: 0,
            units: [0; MAX_TEXT_ADDRESS_UNITS],
        };
        // `checked_text` bounds the pairs to 256, the capacity of `out.units`.
        for (dst, pair) in out.units.iter_mut().zip(units.chunks_exact(2)) {
            let unit = match pair {
                &[lo, hi] => u16::from_le_bytes([lo, hi]),
                _ => 0,
            };
            if unit == 0 {
                break;
            }
            *dst = unit;
            out.len = out.len.saturating_add(1);
        }
        if out.len == 0 {
            return Err(ValidationError::InvalidAddress);
        }
        Ok(out)
    }

    /// A text address from its units (no NUL), as a record stores it.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidAddress`] if empty, longer than 256 units or holding a NUL.
    pub fn from_units(units: &[u16]) -> Result<TextAddress, ValidationError> {
        if units.is_empty() || units.len() > MAX_TEXT_ADDRESS_UNITS || units.contains(&0) {
            return Err(ValidationError::InvalidAddress);
        }
        let mut out = TextAddress {
            len: u16::try_from(units.len()).map_err(|_| ValidationError::InvalidAddress)?,
            units: [0; MAX_TEXT_ADDRESS_UNITS],
        };
        for (dst, src) in out.units.iter_mut().zip(units) {
            *dst = *src;
        }
        Ok(out)
    }

    /// The UTF-16 units, without NUL.
    #[must_use]
    pub fn units(&self) -> &[u16] {
        self.units.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The same text with ASCII letters lower-cased (the form destinations are compared in).
    #[must_use]
    pub fn to_ascii_lowercase(&self) -> TextAddress {
        let mut out = *self;
        for u in &mut out.units {
            if let Ok(b) = u8::try_from(*u) {
                *u = u16::from(b.to_ascii_lowercase());
            }
        }
        out
    }
}

impl fmt::Display for TextAddress {
    /// The text, with U+FFFD for unpaired surrogates.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for c in char::decode_utf16(self.units().iter().copied()) {
            f.write_char(c.unwrap_or(char::REPLACEMENT_CHARACTER))?;
        }
        Ok(())
    }
}

impl fmt::Debug for TextAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", alloc::format!("{self}"))
    }
}

/// Checks a `TextAddress` length, whatever the address's type: even, at most 512 bytes.
fn checked_text(text: &[u8]) -> Result<&[u8], ValidationError> {
    if !text.len().is_multiple_of(2) || text.len() > MAX_TEXT_ADDRESS_LEN {
        return Err(ValidationError::TextAddressLength);
    }
    Ok(text)
}

/// A tunnel-mode destination in the form mappings are keyed by: IPv4 as the four raw bytes,
/// IPv6 as its sixteen (flow info and scope ignored), text lower-cased.
#[expect(
    clippy::large_enum_variant,
    reason = "fixed size on purpose: built on the lookup path without allocating"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    /// `ISCSI_IP_ADDRESS_TEXT`.
    Text(TextAddress),
    /// `ISCSI_IP_ADDRESS_IPV4`.
    Ipv4([u8; 4]),
    /// `ISCSI_IP_ADDRESS_IPV6`.
    Ipv6([u8; 16]),
}

impl Destination {
    /// Checks a `DestinationAddress`: its `TextAddress` length (even, at most 512 bytes,
    /// whatever the type), then type 0, 1 or 2, and for type 0 a non-empty text.
    ///
    /// # Errors
    ///
    /// [`ValidationError::TextAddressLength`] or [`ValidationError::InvalidAddress`].
    pub fn parse(a: &IscsiIpAddress<'_>) -> Result<Destination, ValidationError> {
        checked_text(a.text_address)?;
        match a.address_type {
            ip_address_type::TEXT => Ok(Destination::Text(
                TextAddress::parse(a.text_address)?.to_ascii_lowercase(),
            )),
            ip_address_type::IPV4 => Ok(Destination::Ipv4(a.ipv4_address)),
            ip_address_type::IPV6 => Ok(Destination::Ipv6(a.ipv6_address)),
            _ => Err(ValidationError::InvalidAddress),
        }
    }
}

impl fmt::Display for Destination {
    /// Dotted IPv4 (raw bytes in order), RFC 5952 IPv6, or the lower-cased text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Text(t) => t.fmt(f),
            Destination::Ipv4(a) => Ipv4Addr::from(*a).fmt(f),
            Destination::Ipv6(a) => Ipv6Addr::from(*a).fmt(f),
        }
    }
}

/// A tunnel-mode outer address, kept as given (IPv6 with its flow info and scope).
#[expect(
    clippy::large_enum_variant,
    reason = "fixed size on purpose: built on the lookup path without allocating"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OuterAddress {
    /// `ISCSI_IP_ADDRESS_TEXT`.
    Text(TextAddress),
    /// `ISCSI_IP_ADDRESS_IPV4`, raw bytes.
    Ipv4([u8; 4]),
    /// `ISCSI_IP_ADDRESS_IPV6`.
    Ipv6 {
        /// Address bytes.
        address: [u8; 16],
        /// `IpV6FlowInfo`.
        flow_info: u32,
        /// `IpV6ScopeId`.
        scope_id: u32,
    },
}

impl OuterAddress {
    /// Checks a `TunnelModeOuterAddress`: its `TextAddress` length (even, at most 512 bytes,
    /// whatever the type), then type 0–3, and for type 0 a non-empty text. `None` for type 3
    /// (EMPTY: remove).
    ///
    /// # Errors
    ///
    /// [`ValidationError::TextAddressLength`] or [`ValidationError::InvalidAddress`].
    pub fn parse(a: &IscsiIpAddress<'_>) -> Result<Option<OuterAddress>, ValidationError> {
        checked_text(a.text_address)?;
        match a.address_type {
            ip_address_type::TEXT => Ok(Some(OuterAddress::Text(TextAddress::parse(
                a.text_address,
            )?))),
            ip_address_type::IPV4 => Ok(Some(OuterAddress::Ipv4(a.ipv4_address))),
            ip_address_type::IPV6 => Ok(Some(OuterAddress::Ipv6 {
                address: a.ipv6_address,
                flow_info: a.ipv6_flow_info,
                scope_id: a.ipv6_scope_id,
            })),
            ip_address_type::EMPTY => Ok(None),
            _ => Err(ValidationError::InvalidAddress),
        }
    }
}

impl fmt::Display for OuterAddress {
    /// Dotted IPv4, RFC 5952 IPv6 (with `%scope` when non-zero), or the lower-cased text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OuterAddress::Text(t) => t.to_ascii_lowercase().fmt(f),
            OuterAddress::Ipv4(a) => Ipv4Addr::from(*a).fmt(f),
            OuterAddress::Ipv6 {
                address,
                scope_id: 0,
                ..
            } => Ipv6Addr::from(*address).fmt(f),
            OuterAddress::Ipv6 {
                address, scope_id, ..
            } => {
                write!(f, "{}%{scope_id}", Ipv6Addr::from(*address))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::buffers::{Address, utf16};
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn port_all_and_in_range_and_out_of_range() {
        assert_eq!(PortSelector::parse(0xFFFF_FFFF, 2), Ok(PortSelector::All));
        assert_eq!(PortSelector::parse(1, 2), Ok(PortSelector::Port(1)));
        assert_eq!(
            PortSelector::parse(2, 2),
            Err(ValidationError::InvalidPortNumber)
        );
        assert_eq!(
            PortSelector::parse(0xFFFF_FFFE, 2),
            Err(ValidationError::InvalidPortNumber)
        );
        assert_eq!(
            PortSelector::parse(0, 0),
            Err(ValidationError::InvalidPortNumber)
        );
        assert_eq!(PortSelector::All.raw(), 0xFFFF_FFFF);
    }

    #[test]
    fn flags_defined_bits_only_and_one_mode_preference() {
        assert_eq!(SecurityFlags::parse(0).map(SecurityFlags::bits), Ok(0));
        assert_eq!(
            SecurityFlags::parse(0x7F & !0x40).map(SecurityFlags::bits),
            Ok(0x3F)
        );
        assert_eq!(
            SecurityFlags::parse(0x5F).map(SecurityFlags::bits),
            Ok(0x5F)
        );
        assert_eq!(
            SecurityFlags::parse(0x60),
            Err(ValidationError::InvalidSecurityFlags)
        );
        assert_eq!(
            SecurityFlags::parse(0x80),
            Err(ValidationError::InvalidSecurityFlags)
        );
        assert_eq!(
            SecurityFlags::parse(1 << 63),
            Err(ValidationError::InvalidSecurityFlags)
        );
    }

    #[test]
    fn identifier_type_then_size_then_bytes() {
        // An unsupported type wins over a bad size.
        assert_eq!(
            Identifier::parse(4, &[]),
            Err(ValidationError::IdTypeNotSupported)
        );
        assert_eq!(
            Identifier::parse(0, b"x"),
            Err(ValidationError::IdTypeNotSupported)
        );
        assert_eq!(
            Identifier::parse(9, b"x"),
            Err(ValidationError::IdTypeNotSupported)
        );
        // A bad size wins over a bad byte.
        assert_eq!(
            Identifier::parse(2, &[]),
            Err(ValidationError::IdIncorrectSize)
        );
        assert_eq!(
            Identifier::parse(2, &[b' '; 256]),
            Err(ValidationError::IdIncorrectSize)
        );
        assert_eq!(
            Identifier::parse(1, &[1, 2, 3]),
            Err(ValidationError::IdIncorrectSize)
        );
        assert_eq!(
            Identifier::parse(1, &[1, 2, 3, 4, 5]),
            Err(ValidationError::IdIncorrectSize)
        );
        assert_eq!(
            Identifier::parse(5, &[0; 4]),
            Err(ValidationError::IdIncorrectSize)
        );
        assert_eq!(
            Identifier::parse(3, b"a b"),
            Err(ValidationError::IdBadByte)
        );
        assert_eq!(
            Identifier::parse(2, b"a\x7f"),
            Err(ValidationError::IdBadByte)
        );
        assert_eq!(
            Identifier::parse(2, b"a\0"),
            Err(ValidationError::IdBadByte)
        );
        assert!(Identifier::parse(2, &[b'a'; 255]).is_ok());
        // Addresses may hold any byte.
        assert!(Identifier::parse(1, &[0, 0x20, 0xff, 0x7f]).is_ok());
    }

    #[test]
    fn names_compare_without_ascii_case_and_print_normalised() {
        let a = Identifier::parse(2, b"Host.EXAMPLE").unwrap();
        let b = Identifier::parse(2, b"host.example").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "host.example");
        let c = Identifier::parse(3, b"host.example").unwrap();
        assert_ne!(b, c, "same text, different type");
        assert_eq!(
            Identifier::parse(1, &[192, 0, 2, 1]).unwrap().to_string(),
            "192.0.2.1"
        );
        let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(
            Identifier::parse(5, &v6).unwrap().to_string(),
            "2001:db8::1"
        );
    }

    #[test]
    fn key_and_secret_sizes() {
        assert!(matches!(preshared_key(&[]), Ok(None)));
        assert_eq!(preshared_key(&[0; 256]).unwrap().unwrap().len(), 256);
        assert_eq!(
            preshared_key(&[0; 257]).unwrap_err(),
            ValidationError::KeyTooLong
        );
        assert!(matches!(chap_secret(&[]), Ok(None)));
        assert_eq!(chap_secret(&[1; 16]).unwrap().unwrap().len(), 16);
        assert_eq!(
            chap_secret(&[1; 17]).unwrap_err(),
            ValidationError::ChapSecretTooLong
        );
    }

    #[test]
    fn text_is_the_units_before_the_first_nul_within_l() {
        let t = TextAddress::parse(&utf16("gw.example")).unwrap();
        assert_eq!(t.to_string(), "gw.example");
        // A terminating NUL and padding counted in L are not text.
        let mut padded = utf16("gw");
        padded.extend_from_slice(&[0, 0, b'x', 0, 0xFF, 0xFF]);
        assert_eq!(
            TextAddress::parse(&padded).unwrap().units(),
            utf16_units("gw")
        );
        // One unit, 255, 256: all fit; 256 units fill L = 512 without a NUL.
        assert_eq!(TextAddress::parse(&utf16("a")).unwrap().units().len(), 1);
        for n in [255, 256] {
            let units = TextAddress::parse(&utf16(&"b".repeat(n))).unwrap();
            assert_eq!(units.units().len(), n);
        }
        // A non-ASCII unit and an unpaired surrogate are text too.
        let odd = [0x3a, 0x26, 0x00, 0xd8];
        assert_eq!(TextAddress::parse(&odd).unwrap().units(), [0x263a, 0xd800]);
    }

    fn utf16_units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn text_length_odd_or_over_512_and_empty_text() {
        for bad in [1usize, 3, 511, 513, 514, 1024, 65_535] {
            assert_eq!(
                TextAddress::parse(&vec![b'a'; bad]),
                Err(ValidationError::TextAddressLength),
                "L = {bad}"
            );
        }
        for empty in [&[][..], &[0, 0][..], &[0, 0, b'a', 0][..], &[0; 512][..]] {
            assert_eq!(
                TextAddress::parse(empty),
                Err(ValidationError::InvalidAddress),
                "{empty:?}"
            );
        }
        assert_eq!(
            TextAddress::from_units(&[]),
            Err(ValidationError::InvalidAddress)
        );
        assert_eq!(
            TextAddress::from_units(&[0x61; 257]),
            Err(ValidationError::InvalidAddress)
        );
        assert_eq!(
            TextAddress::from_units(&[0x61, 0]),
            Err(ValidationError::InvalidAddress)
        );
        assert!(TextAddress::from_units(&[0x61; 256]).is_ok());
    }

    #[test]
    fn the_length_rule_holds_whatever_the_type() {
        let odd = [0u8; 3];
        let long = [0u8; 514];
        for bytes in [&odd[..], &long[..]] {
            for t in 0..=4 {
                let a = Address::raw(t, bytes);
                let a = a.view();
                assert_eq!(
                    Destination::parse(&a),
                    Err(ValidationError::TextAddressLength),
                    "type {t}"
                );
                assert_eq!(
                    OuterAddress::parse(&a),
                    Err(ValidationError::TextAddressLength),
                    "type {t}"
                );
            }
        }
        // An even length up to 512 of anything is fine for a type that is not text.
        let mut v4 = Address {
            text_address: vec![0x41; 512],
            ..Address::ipv4([10, 0, 0, 1])
        };
        assert_eq!(
            Destination::parse(&v4.view()),
            Ok(Destination::Ipv4([10, 0, 0, 1]))
        );
        v4.address_type = 3;
        assert_eq!(OuterAddress::parse(&v4.view()), Ok(None));
    }

    #[test]
    fn addresses() {
        let upper = Address::text("Target.Example");
        let lower = Address::text("target.example");
        let d = Destination::parse(&upper.view()).unwrap();
        assert_eq!(d, Destination::parse(&lower.view()).unwrap());
        assert_eq!(d.to_string(), "target.example");
        // The outer address keeps its case, and prints lower-cased.
        let o = OuterAddress::parse(&upper.view()).unwrap().unwrap();
        let upper_text = TextAddress::parse(&upper.text_address).unwrap();
        assert_eq!(o, OuterAddress::Text(upper_text));
        assert_eq!(o.to_string(), "target.example");
        assert_eq!(
            Destination::parse(&Address::text("").view()),
            Err(ValidationError::InvalidAddress)
        );
        assert_eq!(
            OuterAddress::parse(&Address::raw(0, &[0, 0]).view()),
            Err(ValidationError::InvalidAddress)
        );
        assert_eq!(
            Destination::parse(&IscsiIpAddress::zeroed(3)),
            Err(ValidationError::InvalidAddress)
        );
        assert_eq!(OuterAddress::parse(&IscsiIpAddress::zeroed(3)), Ok(None));
        assert_eq!(
            OuterAddress::parse(&IscsiIpAddress::zeroed(4)),
            Err(ValidationError::InvalidAddress)
        );
        let mut loopback = [0; 16];
        loopback[15] = 1;
        let v6 = Address::ipv6(loopback, 9, 0);
        let v6b = Address::ipv6(loopback, 10, 3);
        assert_eq!(
            Destination::parse(&v6.view()),
            Destination::parse(&v6b.view())
        );
        assert_eq!(
            OuterAddress::parse(&v6b.view())
                .unwrap()
                .unwrap()
                .to_string(),
            "::1%3"
        );
    }

    #[test]
    fn every_error_maps_to_the_spec_status() {
        use ValidationError as E;
        let table = [
            (E::InvalidPortNumber, 0xEFFF_002D),
            (E::InvalidSecurityFlags, 0xEFFF_0056),
            (E::IdTypeNotSupported, 0xEFFF_0030),
            (E::IdIncorrectSize, 0xEFFF_0031),
            (E::IdBadByte, 0xEFFF_0056),
            (E::KeyTooLong, 0xEFFF_0056),
            (E::ChapSecretTooLong, 0xEFFF_004C),
            (E::InvalidAddress, 0xEFFF_0056),
            (E::TextAddressLength, 0xEFFF_0056),
        ];
        for (e, code) in table {
            assert_eq!(IsdscStatus::from(e).0, code, "{e:?}");
        }
    }
}
