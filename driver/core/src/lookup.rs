//! The IKE phase-1 lookup (SPEC §5) and the CHAP secret read: the hot path, for any thread or
//! processor, while methods change the table.
//!
//! ```text
//!   IKE / CHAP engine ──► Reader (this file) ──► read section ──► table::resolve ──► nodes
//! ```
//!
//! Precedence: the explicit key for (port, identifier), then for (all ports, identifier),
//! then the group key, then nothing. The caller owns a [`KeyBuffer`]; the lookup copies the key
//! into it and says where it came from. A lookup takes no lock, allocates nothing, writes no
//! memory another reader or the writer uses, and sees each key wholly old or wholly new.

use core::fmt;

use crate::domain::{Identifier, PortSelector};
use crate::platform::Platform;
use crate::reclaim::map::ReadHandle;
use crate::reclaim::node::NodeRef;
use crate::secret::{MAX_CHAP_SECRET_LEN, MAX_PRESHARED_KEY_LEN, SecretBuffer};
use crate::table::{self, ExplicitMiss};

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
#[non_exhaustive]
pub enum LookupMiss {
    /// No explicit key for the identifier and no group key (or, for the CHAP secret read, no
    /// secret set).
    NoKey,
    /// The stored record of an explicit key for this identifier (on this port or all ports)
    /// failed its check at load. Falling back to a lower-precedence key could hand IKE a key
    /// other than the one configured, so the lookup refuses until the entry is set again or
    /// the cache is cleared.
    Damaged,
    /// The provider has stopped (the driver is unloading); no key is served any more.
    Stopped,
}

impl fmt::Display for LookupMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LookupMiss::NoKey => "no key for this identifier and no group key",
            LookupMiss::Damaged => {
                "the stored record of this identifier's key is damaged; set the key again or \
                 clear the cache"
            }
            LookupMiss::Stopped => "the provider has stopped",
        })
    }
}

impl core::error::Error for LookupMiss {}

/// A caller-owned buffer a lookup copies a preshared key into; wiped on drop.
pub type KeyBuffer = SecretBuffer<MAX_PRESHARED_KEY_LEN>;

/// A caller-owned buffer the initiator CHAP secret is copied into; wiped on drop.
pub type ChapSecretBuffer = SecretBuffer<MAX_CHAP_SECRET_LEN>;

/// A handle for the hot path: looks keys up while the provider's methods run.
///
/// Cheap to clone, `Send` and `Sync`; it keeps the table it reads alive (after the provider
/// stops, lookups answer [`LookupMiss::Stopped`] and the memory goes when the last handle
/// does). It holds no per-reader state: what a read section needs lives per processor (the
/// kernel's IRQL) or per thread (a process's epoch slot), in the platform.
pub struct Reader<P: Platform> {
    handle: ReadHandle<P>,
}

impl<P: Platform> Clone for Reader<P> {
    fn clone(&self) -> Reader<P> {
        Reader {
            handle: self.handle.clone(),
        }
    }
}

impl<P: Platform> fmt::Debug for Reader<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reader")
    }
}

impl<P: Platform> Reader<P> {
    pub(crate) fn new(handle: ReadHandle<P>) -> Reader<P> {
        Reader { handle }
    }

    /// Looks up the preshared key for `id` on `port` in SPEC §5 precedence and copies it into
    /// `out`. Never blocks, never allocates; callable at IRQL ≤ `DISPATCH_LEVEL`.
    ///
    /// # Errors
    ///
    /// [`LookupMiss::NoKey`] when there is no key at all, [`LookupMiss::Damaged`] when a
    /// damaged record stands where a higher-precedence key would be,
    /// [`LookupMiss::Stopped`] after the provider stopped. `out` is left empty.
    pub fn lookup(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut KeyBuffer,
    ) -> Result<KeySource, LookupMiss> {
        self.handle.read(|view| {
            let Some(view) = view else {
                out.clear();
                return Err(LookupMiss::Stopped);
            };
            let (node, source) = match table::view_resolve(&view, port, id) {
                Ok(e) if e.all_ports => (e.node, KeySource::AllPorts),
                Ok(e) => (e.node, KeySource::Port),
                Err(ExplicitMiss::Damaged) => {
                    out.clear();
                    return Err(LookupMiss::Damaged);
                }
                Err(ExplicitMiss::Absent) => match table::view_group_key(&view) {
                    Some(node) => (node, KeySource::Group),
                    None => {
                        out.clear();
                        return Err(LookupMiss::NoKey);
                    }
                },
            };
            fill(out, node);
            Ok(source)
        })
    }

    /// Copies the initiator CHAP secret into `out`. Never blocks, never allocates.
    ///
    /// # Errors
    ///
    /// [`LookupMiss::NoKey`] when no secret is set, [`LookupMiss::Stopped`] after the
    /// provider stopped. `out` is left empty.
    pub fn chap_secret(&self, out: &mut ChapSecretBuffer) -> Result<(), LookupMiss> {
        self.handle.read(|view| {
            let Some(view) = view else {
                out.clear();
                return Err(LookupMiss::Stopped);
            };
            match table::view_chap_secret(&view) {
                Some(node) => {
                    fill(out, node);
                    Ok(())
                }
                None => {
                    out.clear();
                    Err(LookupMiss::NoKey)
                }
            }
        })
    }
}

/// Copies a node's value into a caller buffer (within the read section).
fn fill<const N: usize>(out: &mut SecretBuffer<N>, node: NodeRef<'_>) {
    out.fill(node.value());
}
