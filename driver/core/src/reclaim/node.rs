//! One immutable table entry in its own allocation: a fixed header, then its bytes.
//!
//! ```text
//!   offset 0   Node (header: links, hash, flags, port, lengths, kind, id type)
//!   HEADER     id bytes (0..=255)      HEADER + id_len   value bytes (a key, a secret, digests)
//! ```
//!
//! A node is built whole before it is published ([`NewNode`]) and never written again, except
//! for its `retired_next` link, which only the owner of a [`super::Retired`] chain touches.
//! Freeing wipes every byte of the allocation first: nodes hold keys.

use alloc::alloc::{alloc, dealloc};
use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ptr::{self, NonNull};

use super::OutOfMemory;
use super::sync::{AtomicBool, AtomicPtr, Ordering};

/// An explicit preshared key for (port, identifier).
pub(crate) const KIND_KEY: u8 = 1;
/// A marker: the stored record of (port, identifier) is damaged.
pub(crate) const KIND_DAMAGED: u8 = 2;
/// A value in a single-node slot (the group key, the CHAP secret, damage digests).
pub(crate) const KIND_VALUE: u8 = 3;

/// The header every node starts with.
#[repr(C)]
pub(crate) struct Node {
    /// The next node of the bucket chain (readers follow it).
    pub(super) next: AtomicPtr<Node>,
    /// The next node of a [`super::Retired`] chain (only its owner touches it).
    pub(super) retired_next: AtomicPtr<Node>,
    hash: u64,
    flags: u64,
    port: u32,
    value_len: u32,
    kind: u8,
    id_type: u8,
    id_len: u8,
    /// Set when the node is freed in the loom build, where freed nodes are kept to be checked.
    freed: AtomicBool,
}

const HEADER: usize = size_of::<Node>();

/// Every node starts on a 64-byte boundary, which frees the low six bits of a pointer to it
/// for the link word's tag (see `map::link`).
pub(crate) const NODE_ALIGN: usize = 64;
const _: () = assert!(align_of::<Node>() <= NODE_ALIGN);

/// What a new node holds.
pub(crate) struct NodeSpec<'a> {
    pub(crate) kind: u8,
    pub(crate) hash: u64,
    pub(crate) port: u32,
    pub(crate) flags: u64,
    pub(crate) id_type: u8,
    pub(crate) id: &'a [u8],
    pub(crate) value: &'a [u8],
}

/// A node built but not yet published: owned by the writer, freed (wiped) if dropped.
pub(crate) struct NewNode(NonNull<Node>);

// SAFETY: a `NewNode` is the only handle to its allocation; the bytes it owns may move
// between threads like any owned buffer.
unsafe impl Send for NewNode {}

impl NewNode {
    /// Allocates and fills a node.
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] when the allocation fails, or when `id` is longer than 255 bytes or
    /// `value` longer than `u32::MAX` (no such node can be described).
    pub(crate) fn try_new(spec: &NodeSpec<'_>) -> Result<NewNode, OutOfMemory> {
        let id_len = u8::try_from(spec.id.len()).map_err(|_| OutOfMemory)?;
        let value_len = u32::try_from(spec.value.len()).map_err(|_| OutOfMemory)?;
        let layout = layout(spec.id.len(), spec.value.len()).ok_or(OutOfMemory)?;
        // SAFETY: `layout` has a non-zero size (at least the header).
        let raw = unsafe { alloc(layout) };
        let base = NonNull::new(raw).ok_or(OutOfMemory)?;
        let node = base.cast::<Node>();
        let header = Node {
            next: AtomicPtr::new(ptr::null_mut()),
            retired_next: AtomicPtr::new(ptr::null_mut()),
            hash: spec.hash,
            flags: spec.flags,
            port: spec.port,
            value_len,
            kind: spec.kind,
            id_type: spec.id_type,
            id_len,
            freed: AtomicBool::new(false),
        };
        // SAFETY: `node` is freshly allocated for `layout`, which starts with a `Node` and is
        // aligned for it; nothing else refers to it yet.
        unsafe { ptr::write(node.as_ptr(), header) };
        // SAFETY: the payload area starts at HEADER inside the same allocation and is
        // `id_len + value_len` bytes long (see `layout`); `spec.id` cannot overlap a fresh
        // allocation.
        unsafe { ptr::copy_nonoverlapping(spec.id.as_ptr(), payload(node), spec.id.len()) };
        let value_at = payload(node).wrapping_add(spec.id.len());
        // SAFETY: as above, the value area follows the id inside the allocation.
        unsafe { ptr::copy_nonoverlapping(spec.value.as_ptr(), value_at, spec.value.len()) };
        Ok(NewNode(node))
    }

    /// Gives up ownership for publication: the caller links the pointer into a shared place,
    /// from which it must eventually be retired.
    pub(crate) fn into_raw(self) -> NonNull<Node> {
        let node = self.0;
        core::mem::forget(self);
        node
    }

    /// The node, for reading before it is published.
    pub(crate) fn as_ref(&self) -> NodeRef<'_> {
        NodeRef::new(self.0)
    }
}

impl Drop for NewNode {
    fn drop(&mut self) {
        // SAFETY: a `NewNode` owns its node, which was never published.
        unsafe { free(self.0) };
    }
}

/// A node that is alive for `'a`: inside a read section, or held by the writer.
#[derive(Clone, Copy)]
pub(crate) struct NodeRef<'a> {
    node: NonNull<Node>,
    _alive: PhantomData<&'a Node>,
}

impl<'a> NodeRef<'a> {
    /// Wraps a pointer that the caller guarantees stays valid for `'a`.
    pub(super) fn new(node: NonNull<Node>) -> NodeRef<'a> {
        NodeRef {
            node,
            _alive: PhantomData,
        }
    }

    fn header(self) -> &'a Node {
        // SAFETY: `NodeRef::new`'s callers only wrap nodes that stay allocated and unchanged
        // (apart from atomic links) for `'a`.
        unsafe { self.node.as_ref() }
    }

    /// The kind (`KIND_*`).
    pub(crate) fn kind(self) -> u8 {
        self.header().kind
    }

    /// The hash it was stored under.
    pub(crate) fn hash(self) -> u64 {
        self.header().hash
    }

    /// The raw port number.
    pub(crate) fn port(self) -> u32 {
        self.header().port
    }

    /// The raw security flags.
    pub(crate) fn flags(self) -> u64 {
        self.header().flags
    }

    /// The raw identifier type.
    pub(crate) fn id_type(self) -> u8 {
        self.header().id_type
    }

    /// The identifier bytes.
    pub(crate) fn id(self) -> &'a [u8] {
        let len = usize::from(self.header().id_len);
        // SAFETY: the node owns `id_len` bytes at `payload`, initialised at construction and
        // never written while the node is alive (`'a`).
        unsafe { core::slice::from_raw_parts(payload(self.node), len) }
    }

    /// The value bytes (a key, a secret, digests). Secret.
    pub(crate) fn value(self) -> &'a [u8] {
        let h = self.header();
        let Ok(len) = usize::try_from(h.value_len) else {
            return &[];
        };
        let at = payload(self.node).wrapping_add(usize::from(h.id_len));
        // SAFETY: the value's `value_len` bytes follow the id inside the allocation,
        // initialised at construction and never written while the node is alive.
        unsafe { core::slice::from_raw_parts(at, len) }
    }

    /// Whether the node was freed (only ever true in the loom build, where that is the bug
    /// the model looks for).
    #[allow(dead_code, reason = "read by the loom model only")]
    pub(crate) fn is_freed(self) -> bool {
        self.header().freed.load(Ordering::Relaxed)
    }
}

/// The layout of a node with `id_len` and `value_len` payload bytes.
fn layout(id_len: usize, value_len: usize) -> Option<Layout> {
    let size = HEADER.checked_add(id_len)?.checked_add(value_len)?;
    Layout::from_size_align(size, NODE_ALIGN).ok()
}

/// Where the payload of `node` starts.
fn payload(node: NonNull<Node>) -> *mut u8 {
    // The pointer keeps the provenance of the whole allocation (it is never derived from a
    // reference to the header), so the payload may be reached through it.
    node.as_ptr().cast::<u8>().wrapping_add(HEADER)
}

/// Wipes every byte of `node`'s allocation and frees it.
///
/// # Safety
///
/// `node` came from [`NewNode::try_new`], is freed only once, and no reader or writer can
/// reach it any more (it was never published, or a grace period has passed since it was
/// unlinked).
pub(super) unsafe fn free(node: NonNull<Node>) {
    // SAFETY: the caller guarantees `node` is a live node nobody else uses.
    let (id_len, value_len) = unsafe {
        let h = node.as_ref();
        (usize::from(h.id_len), h.value_len)
    };
    let Some(layout) = usize::try_from(value_len)
        .ok()
        .and_then(|v| layout(id_len, v))
    else {
        return;
    };
    if super::sync::MODEL {
        // The loom build keeps the memory so that a reader reaching a freed node is caught
        // by the model instead of being undefined behaviour.
        // SAFETY: as above; the flag is an atomic inside the live header.
        unsafe { node.as_ref() }
            .freed
            .store(true, Ordering::Relaxed);
        return;
    }
    // SAFETY: the header is a valid `Node` that is dropped exactly once here.
    unsafe { ptr::drop_in_place(node.as_ptr()) };
    let bytes = node.as_ptr().cast::<u8>();
    // SAFETY: the allocation is `layout.size()` initialised bytes (header and payload) that
    // nothing else uses any more; the header holds no owned resources after `drop_in_place`.
    zeroize::Zeroize::zeroize(unsafe { core::slice::from_raw_parts_mut(bytes, layout.size()) });
    // SAFETY: allocated by `alloc` with this very layout (recomputed from the same lengths).
    unsafe { dealloc(bytes, layout) };
}
