//! The IKE phase-1 lookup (SPEC §5): which preshared key to use for an initiator identifier.
//!
//! ```text
//!   IKE engine ──► lookup (this file) ──► table
//! ```
//!
//! Precedence: the explicit key for (port, identifier), then for (all ports, identifier),
//! then the group key, then nothing. The caller owns a [`KeyBuffer`]; the lookup copies the key
//! into it and says where it came from. It does not allocate and does not block; the
//! concurrent (lock-free) table can replace the plain one behind [`crate::Provider::lookup`]
//! without changing this signature.

use core::fmt;
use zeroize::Zeroize;

use crate::secret::{MAX_PRESHARED_KEY_LEN, PresharedKey};
use crate::table::{ExplicitMiss, Table};
use crate::validate::{Identifier, PortSelector};

/// Where a looked-up key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The explicit key for this port and identifier.
    Port,
    /// The explicit key for all ports and this identifier.
    AllPorts,
    /// The group (default) preshared key.
    Group,
}

impl KeySource {
    /// `port`, `all-ports` or `group`, as the `iscsisec lookup` command prints it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            KeySource::Port => "port",
            KeySource::AllPorts => "all-ports",
            KeySource::Group => "group",
        }
    }
}

/// Why a lookup gave no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupMiss {
    /// No explicit key for the identifier and no group key.
    NoKey,
    /// The stored record of an explicit key for this identifier (on this port or all ports)
    /// failed its check at load. Falling back to a lower-precedence key could hand IKE a key
    /// other than the one configured, so the lookup refuses until the entry is set again or
    /// the cache is cleared.
    Damaged,
}

/// A caller-owned buffer a lookup copies a key into; wiped on every fill and on drop.
pub struct KeyBuffer {
    len: usize,
    bytes: [u8; MAX_PRESHARED_KEY_LEN],
}

impl KeyBuffer {
    /// An empty buffer.
    #[must_use]
    pub const fn new() -> KeyBuffer {
        KeyBuffer {
            len: 0,
            bytes: [0; MAX_PRESHARED_KEY_LEN],
        }
    }

    /// The key bytes of the last successful lookup (empty after a miss).
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    fn fill(&mut self, key: &PresharedKey) {
        self.clear();
        let src = key.expose_secret();
        if let Some(dst) = self.bytes.get_mut(..src.len()) {
            dst.copy_from_slice(src);
            self.len = src.len();
        }
    }

    fn clear(&mut self) {
        self.bytes.zeroize();
        self.len = 0;
    }
}

impl Default for KeyBuffer {
    fn default() -> KeyBuffer {
        KeyBuffer::new()
    }
}

impl Drop for KeyBuffer {
    #[inline(never)]
    fn drop(&mut self) {
        self.clear();
    }
}

impl fmt::Debug for KeyBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyBuffer([secret elided])")
    }
}

/// Looks up the key for `id` on `port` in precedence order and copies it into `out`.
///
/// # Errors
///
/// [`LookupMiss::NoKey`] when there is no key at all, [`LookupMiss::Damaged`] when a damaged
/// record stands where a higher-precedence key would be. `out` is left empty either way.
pub fn lookup(
    table: &Table,
    port: PortSelector,
    id: &Identifier,
    out: &mut KeyBuffer,
) -> Result<KeySource, LookupMiss> {
    out.clear();
    match table.explicit(port, id) {
        Ok(entry) => {
            out.fill(entry.key());
            return Ok(if entry.port == PortSelector::All {
                KeySource::AllPorts
            } else {
                KeySource::Port
            });
        }
        Err(ExplicitMiss::Damaged) => return Err(LookupMiss::Damaged),
        Err(ExplicitMiss::Absent) => {}
    }
    match table.group_key() {
        Some(k) => {
            out.fill(k);
            Ok(KeySource::Group)
        }
        None => Err(LookupMiss::NoKey),
    }
}
