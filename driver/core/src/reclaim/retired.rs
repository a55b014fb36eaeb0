//! Memory the writer has unlinked, waiting for a grace period: an intrusive chain of nodes.
//!
//! ```text
//!   writer unlinks ──► Retired (this file) ──► Platform::defer ──► grace period ──► drop
//!                                                                   (wipe + free each node)
//! ```
//!
//! The chain runs through each node's own `retired_next` link, so retiring allocates nothing
//! and a platform can gather any number of batches into one with [`Retired::append`].

use core::fmt;
use core::ptr::{self, NonNull};

use super::node::{self, Node};
use super::sync::Ordering;

/// Nodes no reader can reach once a grace period has passed; dropping it wipes and frees them.
///
/// A platform's [`crate::Platform::defer`] receives one and must drop it only after every
/// read-side section begun before the call has ended.
pub struct Retired {
    head: *mut Node,
    tail: *mut Node,
}

// SAFETY: a `Retired` exclusively owns the nodes of its chain (the writer unlinked them and
// gave them up); readers still inside a read section only read them, and the platform drops
// the chain on whatever thread or processor it likes once they are gone.
unsafe impl Send for Retired {}

impl Retired {
    /// An empty chain.
    #[must_use]
    pub const fn new() -> Retired {
        Retired {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
        }
    }

    /// Whether the chain holds no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// Moves every node of `other` to the end of this chain. O(1); allocates nothing.
    pub fn append(&mut self, mut other: Retired) {
        if other.is_empty() {
            return;
        }
        match NonNull::new(self.tail) {
            None => self.head = other.head,
            // SAFETY: `tail` is a node this chain owns.
            Some(tail) => unsafe { tail.as_ref() }
                .retired_next
                .store(other.head, Ordering::Relaxed),
        }
        self.tail = other.tail;
        other.head = ptr::null_mut();
        other.tail = ptr::null_mut();
    }

    /// Adds a node the writer has just unlinked.
    ///
    /// # Safety
    ///
    /// `node` is a published node that is no longer reachable from any shared link, and no
    /// other chain holds it.
    pub(super) unsafe fn push(&mut self, node: NonNull<Node>) {
        // SAFETY: the caller hands over `node`, a live node.
        unsafe { node.as_ref() }
            .retired_next
            .store(ptr::null_mut(), Ordering::Relaxed);
        self.append(Retired {
            head: node.as_ptr(),
            tail: node.as_ptr(),
        });
    }
}

impl Default for Retired {
    fn default() -> Retired {
        Retired::new()
    }
}

impl Drop for Retired {
    fn drop(&mut self) {
        let mut cursor = self.head;
        while let Some(node) = NonNull::new(cursor) {
            // SAFETY: every node of the chain is owned by it; read the link before freeing.
            cursor = unsafe { node.as_ref() }
                .retired_next
                .load(Ordering::Relaxed);
            // SAFETY: the platform drops a `Retired` only after a grace period, so no reader
            // can reach `node`; the chain frees each node once.
            unsafe { node::free(node) };
        }
    }
}

impl fmt::Debug for Retired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_empty() {
            "Retired(empty)"
        } else {
            "Retired(nodes)"
        })
    }
}
