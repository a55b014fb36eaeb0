//! The anchors' lookup: a linear best-match scan over every secret, as strongSwan's
//! `mem_cred` (through `credential_manager.get_shared`) and libreswan's `secret_find_by_id` do
//! (`shared/reference/ike-chap-anchors.md` §1.1, §2).
//!
//! ```text
//!   head ──► Secret ──► Secret ──► … ──► Secret      (prepended on insert, like both anchors)
//!              │ owner (own allocation: type, bytes in their own allocation)   None = %any
//!              │ key   (own allocation)
//!   lookup: walk every secret, score it, keep the best; a tie keeps the first found
//! ```
//!
//! Scores, in the anchors' spirit mapped onto SPEC §5: the owner identity equals the query
//! (type, then length, then bytes — `same_id`/`matches_binary` order) on the queried port: 3;
//! on all ports: 2; a secret owned by `%any` (the group key): 1; anything else: 0. Like
//! libreswan the walk never stops early (strongSwan stops only on a perfect match for both
//! ends, which a one-sided identity query never gets). Owners, their bytes and keys are
//! separate allocations, as `identification_t` encodings and `shared_key_t` chunks are.

use iscsisec_core::{Identifier, KeySource, PortSelector};

use super::Workload;
use super::floor::FloorScratch;

/// An owner identity.
struct Owner {
    ty: u8,
    bytes: Box<[u8]>,
}

/// One secret of the list.
struct Secret {
    next: Option<Box<Secret>>,
    /// `None`: `%any` (the group key).
    owner: Option<Box<Owner>>,
    port: u32,
    key: Box<[u8]>,
}

/// The list of secrets.
pub struct Scan {
    head: Option<Box<Secret>>,
    len: usize,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("secrets", &self.len)
            .finish_non_exhaustive()
    }
}

impl Scan {
    /// The workload's group key and entries, each prepended in turn.
    #[must_use]
    pub fn build(w: &Workload) -> Scan {
        let mut scan = Scan { head: None, len: 0 };
        scan.prepend(None, PortSelector::All, &w.group_key);
        for e in &w.entries {
            let owner = Owner {
                ty: e.id.ty,
                bytes: e.id.bytes.clone(),
            };
            scan.prepend(Some(Box::new(owner)), e.port, &e.key);
        }
        scan
    }

    fn prepend(&mut self, owner: Option<Box<Owner>>, port: PortSelector, key: &[u8]) {
        let next = self.head.take();
        self.head = Some(Box::new(Secret {
            next,
            owner,
            port: port.raw(),
            key: key.into(),
        }));
        self.len += 1;
    }

    /// Secrets in the list.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The best-matching secret for `(port, id)`, copied into `out`.
    pub fn lookup(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut FloorScratch,
    ) -> Option<KeySource> {
        let (ty, bytes, port) = (id.id_type().raw(), id.as_bytes(), port.raw());
        let all = PortSelector::All.raw();
        let mut best: Option<(u8, &Secret)> = None;
        let mut cursor = self.head.as_deref();
        while let Some(s) = cursor {
            let score = match &s.owner {
                None => 1,
                Some(o) if o.ty == ty && o.bytes.len() == bytes.len() && *o.bytes == *bytes => {
                    if s.port == port {
                        3
                    } else if s.port == all {
                        2
                    } else {
                        0
                    }
                }
                Some(_) => 0,
            };
            if score > best.map_or(0, |(b, _)| b) {
                best = Some((score, s));
            }
            cursor = s.next.as_deref();
        }
        match best {
            Some((score, s)) => {
                out.fill(&s.key);
                Some(match score {
                    3 if port == all => KeySource::AllPorts,
                    3 => KeySource::Port,
                    2 => KeySource::AllPorts,
                    _ => KeySource::Group,
                })
            }
            None => {
                out.clear();
                None
            }
        }
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        // One node at a time: the default recursive drop would overflow the stack at 1M.
        let mut cursor = self.head.take();
        while let Some(mut s) = cursor {
            cursor = s.next.take();
        }
    }
}
