//! Record names: where each record is stored, derived from the identity it holds.
//!
//! ```text
//!   record (format) ──► name (this file) ──► RecordStore key
//! ```
//!
//! `group-key`, `chap-secret`, `generational-guid`, or `psk-`/`tunnel-` and 32 lower-case hex
//! digits of a SHA-256 over the port and the normalised identifier or destination (the
//! destination as the record format writes it). [`RecordName::parse`] accepts exactly the names
//! the core writes; anything else in a store is a foreign entry.

use core::fmt;
use sha2::{Digest, Sha256};

use super::{MAX_TEXT, Writer, write_destination};
use crate::domain::{Destination, Identifier, PortSelector};

/// A record name: short ASCII, `[a-z0-9-]`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordName {
    len: u8,
    bytes: [u8; RecordName::CAPACITY],
}

impl RecordName {
    const CAPACITY: usize = 40;

    /// Name of the group key record.
    pub const GROUP_KEY: RecordName = RecordName::literal(b"group-key");
    /// Name of the initiator CHAP secret record.
    pub const CHAP_SECRET: RecordName = RecordName::literal(b"chap-secret");
    /// Name of the generational GUID record.
    pub const GENERATIONAL_GUID: RecordName = RecordName::literal(b"generational-guid");

    #[expect(
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::as_conversions,
        clippy::cast_possible_truncation,
        reason = "const fn over literals and a bounded loop: evaluated at compile time or on \
                  `prefix` constants no longer than CAPACITY"
    )]
    const fn literal(s: &[u8]) -> RecordName {
        let mut bytes = [0; RecordName::CAPACITY];
        let mut i = 0;
        while i < s.len() && i < RecordName::CAPACITY {
            bytes[i] = s[i];
            i += 1;
        }
        RecordName {
            len: i as u8,
            bytes,
        }
    }

    /// The name of the explicit key record for `(port, id)`.
    #[must_use]
    pub fn psk(port: PortSelector, id: &Identifier) -> RecordName {
        let mut h = Sha256::new();
        h.update(b"psk\0");
        h.update(port.raw().to_le_bytes());
        h.update([id.id_type().raw()]);
        h.update(id.as_bytes());
        RecordName::hashed(b"psk-", h)
    }

    /// The name of the tunnel mapping record for `(port, destination)`.
    #[must_use]
    pub fn tunnel(port: PortSelector, destination: &Destination) -> RecordName {
        let mut h = Sha256::new();
        h.update(b"tunnel\0");
        h.update(port.raw().to_le_bytes());
        let mut buf = [0u8; MAX_TEXT];
        let mut w = Writer::new(&mut buf);
        // The buffer fits the largest destination, so this cannot fail; an error would only
        // change the name, never the content.
        let _ = write_destination(&mut w, destination);
        h.update(w.written());
        RecordName::hashed(b"tunnel-", h)
    }

    fn hashed(prefix: &[u8], h: Sha256) -> RecordName {
        let digest: [u8; 32] = h.finalize().into();
        let mut name = RecordName::literal(prefix);
        let hex = b"0123456789abcdef";
        let mut at = usize::from(name.len);
        for byte in digest.iter().take(16) {
            for nibble in [byte >> 4, byte & 0xf] {
                if let (Some(slot), Some(&c)) =
                    (name.bytes.get_mut(at), hex.get(usize::from(nibble)))
                {
                    *slot = c;
                    at = at.saturating_add(1);
                }
            }
        }
        name.len = u8::try_from(at).unwrap_or(0);
        name
    }

    /// The record name `name` spells, or `None` if no record is ever stored under it: the
    /// three fixed names, or `psk-`/`tunnel-` followed by exactly 32 lower-case hex digits.
    /// Anything else (another text, upper-case hex, non-ASCII bytes) is a foreign entry.
    #[must_use]
    pub fn parse(name: &[u8]) -> Option<RecordName> {
        for fixed in [
            RecordName::GROUP_KEY,
            RecordName::CHAP_SECRET,
            RecordName::GENERATIONAL_GUID,
        ] {
            if name == fixed.as_str().as_bytes() {
                return Some(fixed);
            }
        }
        let hex = name
            .strip_prefix(b"psk-")
            .or_else(|| name.strip_prefix(b"tunnel-"))?;
        let lower_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
        if hex.len() != 32 || !hex.iter().all(lower_hex) || name.len() > RecordName::CAPACITY {
            return None;
        }
        let mut parsed = RecordName {
            len: u8::try_from(name.len()).ok()?,
            bytes: [0; RecordName::CAPACITY],
        };
        parsed.bytes.get_mut(..name.len())?.copy_from_slice(name);
        Some(parsed)
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        let b = self.bytes.get(..usize::from(self.len)).unwrap_or(&[]);
        core::str::from_utf8(b).unwrap_or("")
    }
}

impl fmt::Debug for RecordName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
