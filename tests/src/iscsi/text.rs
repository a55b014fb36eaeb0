//! iSCSI text keys (RFC 7143 §6): `key=value` pairs in a login PDU's data.
//!
//! ```text
//!   login ──► text (this file): TextKeys::parse / emit, binary and number values
//!               └─ data segment bytes:  key=value\0key=value\0…
//! ```
//!
//! The parser takes what a target sends, so it checks everything and never panics: every pair
//! ends in NUL, has an `=`, a key of 1 to 63 characters from RFC 7143 §6.1's set, a UTF-8
//! value without NUL of at most [`MAX_VALUE_LEN`] bytes, and no key appears twice in one PDU.
//! Lone NULs between pairs (padding some targets put in the segment) are skipped.
//! Binary values (`CHAP_C`, `CHAP_R`) are `0x` hex or `0b` base64; numbers are decimal or
//! `0x` hex.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Longest key name (RFC 7143 §6.1).
pub const MAX_KEY_LEN: usize = 63;
/// Longest value we accept: a 1024-byte CHAP challenge in hex is 2050 characters; RFC 7143
/// bounds text values by 8192 bytes in §6.1's "long" values.
pub const MAX_VALUE_LEN: usize = 8192;
/// Most pairs in one data segment.
pub const MAX_PAIRS: usize = 256;

/// What is wrong with a text data segment or a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// The last pair does not end in NUL.
    Unterminated,
    /// A pair has no `=`.
    NoEquals,
    /// A key is empty, longer than 63 characters or has a character outside RFC 7143 §6.1.
    BadKey,
    /// A value is not UTF-8, or too long.
    BadValue,
    /// A key appears twice in one segment.
    Duplicate(String),
    /// More than [`MAX_PAIRS`] pairs.
    TooMany,
    /// A binary value is neither `0x` hex nor `0b` base64, or does not decode.
    BadBinary,
    /// A number is not decimal or `0x` hex, or does not fit.
    BadNumber,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Unterminated => f.write_str("text pair without a terminating NUL"),
            TextError::NoEquals => f.write_str("text pair without '='"),
            TextError::BadKey => f.write_str("bad text key name"),
            TextError::BadValue => f.write_str("text value not UTF-8 or too long"),
            TextError::Duplicate(k) => write!(f, "text key {k} sent twice"),
            TextError::TooMany => f.write_str("too many text pairs"),
            TextError::BadBinary => f.write_str("bad binary value (0x hex or 0b base64)"),
            TextError::BadNumber => f.write_str("bad number value"),
        }
    }
}

impl std::error::Error for TextError {}

/// The pairs of one data segment, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextKeys {
    pairs: Vec<(String, String)>,
}

impl TextKeys {
    /// No pairs.
    #[must_use]
    pub fn new() -> TextKeys {
        TextKeys::default()
    }

    /// Parses a data segment.
    ///
    /// # Errors
    ///
    /// [`TextError`] for the first thing wrong, as the module documentation lists.
    pub fn parse(data: &[u8]) -> Result<TextKeys, TextError> {
        let mut keys = TextKeys::new();
        let mut rest = data;
        while !rest.is_empty() {
            let Some(end) = rest.iter().position(|&b| b == 0) else {
                return Err(TextError::Unterminated);
            };
            let (pair, tail) = rest.split_at(end);
            rest = tail.get(1..).unwrap_or(&[]);
            if pair.is_empty() {
                continue;
            }
            let eq = pair
                .iter()
                .position(|&b| b == b'=')
                .ok_or(TextError::NoEquals)?;
            let (key, value) = pair.split_at(eq);
            let value = value.get(1..).unwrap_or(&[]);
            if !valid_key(key) {
                return Err(TextError::BadKey);
            }
            if value.len() > MAX_VALUE_LEN {
                return Err(TextError::BadValue);
            }
            let key = std::str::from_utf8(key).map_err(|_| TextError::BadKey)?;
            let value = std::str::from_utf8(value).map_err(|_| TextError::BadValue)?;
            if keys.get(key).is_some() {
                return Err(TextError::Duplicate(key.to_owned()));
            }
            if keys.pairs.len() >= MAX_PAIRS {
                return Err(TextError::TooMany);
            }
            keys.pairs.push((key.to_owned(), value.to_owned()));
        }
        Ok(keys)
    }

    /// Appends `key=value` (replacing an earlier value of the same key).
    ///
    /// # Panics
    ///
    /// If `key` is not a valid key name or `value` contains NUL (a bug in the caller: these
    /// are our own keys).
    pub fn push(&mut self, key: &str, value: impl Into<String>) -> &mut TextKeys {
        let value = value.into();
        assert!(valid_key(key.as_bytes()), "bad key {key:?}");
        assert!(!value.contains('\0'), "NUL in the value of {key}");
        match self.pairs.iter_mut().find(|(k, _)| k == key) {
            Some(pair) => pair.1 = value,
            None => self.pairs.push((key.to_owned(), value)),
        }
        self
    }

    /// The value of `key`, if present.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The pairs, in order.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The key names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    /// True when there are no pairs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The data segment: every pair as `key=value\0`.
    #[must_use]
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            out.extend_from_slice(k.as_bytes());
            out.push(b'=');
            out.extend_from_slice(v.as_bytes());
            out.push(0);
        }
        out
    }
}

/// RFC 7143 §6.1: key names are letters, digits and `.`, `-`, `+`, `@`, `_`.
fn valid_key(key: &[u8]) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'@' | b'_'))
}

/// Decodes a binary value: `0x`/`0X` and hex digits (an odd count has an implied leading 0),
/// or `0b`/`0B` and standard base64 with padding.
///
/// # Errors
///
/// [`TextError::BadBinary`] for anything else, an empty value included.
pub fn decode_binary(value: &str) -> Result<Vec<u8>, TextError> {
    let (prefix, digits) = value.split_at_checked(2).ok_or(TextError::BadBinary)?;
    if digits.is_empty() {
        return Err(TextError::BadBinary);
    }
    match prefix {
        "0x" | "0X" => {
            let mut nibbles = Vec::with_capacity(digits.len().saturating_add(1));
            if digits.len() % 2 == 1 {
                nibbles.push(0);
            }
            for c in digits.chars() {
                let d = c.to_digit(16).ok_or(TextError::BadBinary)?;
                nibbles.push(u8::try_from(d).map_err(|_| TextError::BadBinary)?);
            }
            Ok(nibbles
                .chunks_exact(2)
                .map(|p| (p[0] << 4) | p[1])
                .collect())
        }
        "0b" | "0B" => STANDARD.decode(digits).map_err(|_| TextError::BadBinary),
        _ => Err(TextError::BadBinary),
    }
}

/// Encodes `bytes` as a `0x` hex binary value (lower case), the form every target accepts.
#[must_use]
pub fn encode_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Encodes `bytes` as a `0b` base64 binary value.
#[must_use]
pub fn encode_base64(bytes: &[u8]) -> String {
    format!("0b{}", STANDARD.encode(bytes))
}

/// Decodes a number: decimal digits, or `0x` and hex digits.
///
/// # Errors
///
/// [`TextError::BadNumber`] for anything else or a value over `u64::MAX`.
pub fn decode_number(value: &str) -> Result<u64, TextError> {
    let parsed = match value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u64::from_str_radix(hex, 16)
        }
        Some(_) => return Err(TextError::BadNumber),
        None if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => value.parse(),
        None => return Err(TextError::BadNumber),
    };
    parsed.map_err(|_| TextError::BadNumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_emits_pairs() {
        let data = b"AuthMethod=CHAP\0TargetPortalGroupTag=1\0";
        let keys = TextKeys::parse(data).unwrap();
        assert_eq!(keys.get("AuthMethod"), Some("CHAP"));
        assert_eq!(keys.get("TargetPortalGroupTag"), Some("1"));
        assert_eq!(keys.get("Nope"), None);
        assert_eq!(keys.emit(), data);
        assert_eq!(
            keys.names().collect::<Vec<_>>(),
            ["AuthMethod", "TargetPortalGroupTag"]
        );
    }

    #[test]
    fn empty_values_and_padding_nuls() {
        let keys = TextKeys::parse(b"A=\0\0\0B=x=y\0").unwrap();
        assert_eq!(keys.get("A"), Some(""));
        assert_eq!(keys.get("B"), Some("x=y"));
        assert!(TextKeys::parse(b"").unwrap().is_empty());
    }

    #[test]
    fn refuses_bad_segments() {
        assert_eq!(TextKeys::parse(b"A=1"), Err(TextError::Unterminated));
        assert_eq!(TextKeys::parse(b"A1\0"), Err(TextError::NoEquals));
        assert_eq!(TextKeys::parse(b"=1\0"), Err(TextError::BadKey));
        assert_eq!(TextKeys::parse(b"A B=1\0"), Err(TextError::BadKey));
        let long_key = format!("{}=1\0", "K".repeat(64));
        assert_eq!(TextKeys::parse(long_key.as_bytes()), Err(TextError::BadKey));
        assert_eq!(TextKeys::parse(b"A=\xff\0"), Err(TextError::BadValue));
        let long_value = format!("A={}\0", "v".repeat(MAX_VALUE_LEN + 1));
        assert_eq!(
            TextKeys::parse(long_value.as_bytes()),
            Err(TextError::BadValue)
        );
        assert_eq!(
            TextKeys::parse(b"A=1\0A=2\0"),
            Err(TextError::Duplicate("A".into()))
        );
        let many: String = (0..=MAX_PAIRS).map(|i| format!("K{i}=1\0")).collect();
        assert_eq!(TextKeys::parse(many.as_bytes()), Err(TextError::TooMany));
    }

    #[test]
    fn binary_values() {
        assert_eq!(decode_binary("0x00ff10").unwrap(), [0x00, 0xff, 0x10]);
        assert_eq!(decode_binary("0XABC").unwrap(), [0x0a, 0xbc]);
        assert_eq!(decode_binary("0bAAEC").unwrap(), [0, 1, 2]);
        assert_eq!(decode_binary("0BAAE=").unwrap(), [0, 1]);
        for bad in ["", "0x", "0b", "12", "0xzz", "0b!!!!", "0bAAE", "x0"] {
            assert_eq!(decode_binary(bad), Err(TextError::BadBinary), "{bad:?}");
        }
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_binary(&encode_hex(&bytes)).unwrap(), bytes);
        assert_eq!(decode_binary(&encode_base64(&bytes)).unwrap(), bytes);
        assert_eq!(encode_hex(&[1, 0xab]), "0x01ab");
    }

    #[test]
    fn numbers() {
        assert_eq!(decode_number("0").unwrap(), 0);
        assert_eq!(decode_number("255").unwrap(), 255);
        assert_eq!(decode_number("0x1F").unwrap(), 31);
        for bad in ["", "-1", "+1", "0x", "1a", "99999999999999999999999"] {
            assert_eq!(decode_number(bad), Err(TextError::BadNumber), "{bad:?}");
        }
    }

    #[test]
    fn push_replaces() {
        let mut keys = TextKeys::new();
        keys.push("A", "1").push("B", "2").push("A", "3");
        assert_eq!(keys.emit(), b"A=3\0B=2\0");
    }
}
