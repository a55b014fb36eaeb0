//! The shared table: fixed buckets of node chains plus single-node slots; one writer, readers
//! without locks.
//!
//! ```text
//!   WriteHandle (one, &mut) ──┐                          ┌── ReadHandle (Clone, Send, Sync)
//!                             ▼                          ▼
//!                 Shared { buckets: [head → node → node → …], slots: [group, chap, digests] }
//! ```
//!
//! Readers enter a platform read section, check that the table has not stopped, and follow
//! links with acquire loads; [`ReadHandle::read`] hands them a [`View`] that cannot leave the
//! section. The writer publishes with release stores and hands what it unlinks to the
//! platform's `defer`. The bucket array is sized once, at start, for twice the most entries the
//! table can hold, so no update ever copies it and chains stay short.
//!
//! A link (a bucket head or a node's `next`) is a tagged pointer: nodes are 64-byte aligned,
//! and the low bits carry five bits of the target node's hash and whether the target had a
//! successor when it was linked. A reader looking for a hash passes a node whose tag differs
//! without touching it when that node is the last of its chain — a miss then costs the bucket
//! word alone. (A published node's `next` never turns from null to non-null — insertion is at
//! the head — so a "no successor" bit never goes stale.)

use alloc::alloc::{alloc, dealloc};
use alloc::vec::Vec;
use core::alloc::Layout;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use super::node::{NewNode, Node, NodeRef};
use super::retired::Retired;
use super::sync::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use super::{Grace, OutOfMemory};

/// Number of single-node slots.
pub(crate) const SLOTS: usize = 3;

/// The link bit saying the target node had a successor when it was linked.
const LINK_MORE: usize = 1;
/// The link bits holding five bits of the target node's hash.
const LINK_TAG: usize = 0b11_1110;
/// Every tag bit (below the nodes' alignment).
const LINK_BITS: usize = LINK_MORE | LINK_TAG;
const _: () = assert!(LINK_BITS < super::node::NODE_ALIGN);

/// The tag bits of `hash` (its top five bits: the bucket index uses the low ones).
fn tag(hash: u64) -> usize {
    usize::try_from(hash >> 59).map_or(0, |t| t << 1) & LINK_TAG
}

/// The link word pointing at `node`, which has `hash` and whose own `next` word is `next`.
fn link_to(node: NonNull<Node>, hash: u64, next: *mut Node) -> *mut Node {
    let more = if untag(next).is_some() { LINK_MORE } else { 0 };
    node.as_ptr().map_addr(|a| a | tag(hash) | more)
}

/// The node a link word points at.
fn untag(word: *mut Node) -> Option<NonNull<Node>> {
    NonNull::new(word.map_addr(|a| a & !LINK_BITS))
}

/// What writer and readers share.
struct Shared<G: Grace> {
    grace: G,
    stopped: AtomicBool,
    buckets: Vec<AtomicPtr<Node>>,
    mask: u64,
    slots: [AtomicPtr<Node>; SLOTS],
    hash_key: [u64; 2],
}

impl<G: Grace> Drop for Shared<G> {
    fn drop(&mut self) {
        // The last handle is gone: no reader can be inside a section on this table.
        let mut all = Retired::new();
        for link in self.buckets.iter().chain(self.slots.iter()) {
            let mut cursor = link.swap(ptr::null_mut(), Ordering::Relaxed);
            while let Some(node) = untag(cursor) {
                // SAFETY: a linked node is alive until retired; read its link first.
                cursor = unsafe { node.as_ref() }.next.load(Ordering::Relaxed);
                // SAFETY: just unlinked, and no reader exists.
                unsafe { all.push(node) };
            }
        }
        drop(all);
    }
}

/// The writer's handle: the only one that changes the table. Dropping it stops the table.
pub(crate) struct WriteHandle<G: Grace> {
    shared: Counted<Shared<G>>,
}

/// A reader's handle: cheap to clone, usable from any thread or processor.
pub(crate) struct ReadHandle<G: Grace> {
    shared: Counted<Shared<G>>,
}

impl<G: Grace> Clone for ReadHandle<G> {
    fn clone(&self) -> ReadHandle<G> {
        ReadHandle {
            shared: self.shared.clone(),
        }
    }
}

/// The table as seen inside one read section.
#[derive(Clone, Copy)]
pub(crate) struct View<'g> {
    buckets: &'g [AtomicPtr<Node>],
    mask: u64,
    slots: &'g [AtomicPtr<Node>; SLOTS],
    hash_key: [u64; 2],
}

/// The nodes of one bucket chain, in order: every node, or only those whose link tag matches
/// a hash (the others may be the nodes of that hash's bucket with other hashes).
pub(crate) struct Chain<'g> {
    cursor: *mut Node,
    /// The tag wanted, or `None` for every node.
    want: Option<usize>,
    _alive: PhantomData<&'g Node>,
}

impl<'g> Iterator for Chain<'g> {
    type Item = NodeRef<'g>;

    fn next(&mut self) -> Option<NodeRef<'g>> {
        loop {
            let word = self.cursor;
            let node = untag(word)?;
            let matches = self.want.is_none_or(|t| word.addr() & LINK_TAG == t);
            if !matches && word.addr() & LINK_MORE == 0 {
                // The last node of the chain, and not one the caller wants: not touched.
                return None;
            }
            // SAFETY: `Chain` is only made from a read section or the writer, during which
            // every node reachable from a bucket stays allocated; its link is an atomic.
            self.cursor = unsafe { node.as_ref() }.next.load(Ordering::Acquire);
            if matches {
                return Some(NodeRef::new(node));
            }
        }
    }
}

impl<'g> View<'g> {
    /// The key of the table's hash.
    pub(crate) fn hash_key(&self) -> [u64; 2] {
        self.hash_key
    }

    /// The chain `hash` falls in.
    pub(crate) fn chain(&self, hash: u64) -> Chain<'g> {
        chain(self.buckets, self.mask, hash)
    }

    /// The node in slot `i`, if any.
    pub(crate) fn slot(&self, i: usize) -> Option<NodeRef<'g>> {
        slot(self.slots, i)
    }
}

/// The nodes of `hash`'s bucket whose tag matches `hash` (callers compare the full hash).
fn chain(buckets: &[AtomicPtr<Node>], mask: u64, hash: u64) -> Chain<'_> {
    let head = usize::try_from(hash & mask)
        .ok()
        .and_then(|i| buckets.get(i))
        .map_or(ptr::null_mut(), |b| b.load(Ordering::Acquire));
    Chain {
        cursor: head,
        want: Some(tag(hash)),
        _alive: PhantomData,
    }
}

/// Every node of one bucket.
fn whole_chain(bucket: &AtomicPtr<Node>) -> Chain<'_> {
    Chain {
        cursor: bucket.load(Ordering::Acquire),
        want: None,
        _alive: PhantomData,
    }
}

fn slot(slots: &[AtomicPtr<Node>; SLOTS], i: usize) -> Option<NodeRef<'_>> {
    let p = slots.get(i)?.load(Ordering::Acquire);
    // Alive for the read section or the writer's borrow (see `Chain::next`).
    NonNull::new(p).map(NodeRef::new)
}

impl<G: Grace> ReadHandle<G> {
    /// Runs `f` inside a read section with the table, or with `None` once the table has
    /// stopped. Nothing `f` gets can outlive the section.
    #[inline]
    pub(crate) fn read<R>(&self, f: impl for<'g> FnOnce(Option<View<'g>>) -> R) -> R {
        let shared = self.shared.get();
        shared.grace.read(|| {
            if shared.stopped.load(Ordering::Acquire) {
                return f(None);
            }
            f(Some(View {
                buckets: &shared.buckets,
                mask: shared.mask,
                slots: &shared.slots,
                hash_key: shared.hash_key,
            }))
        })
    }
}

impl<G: Grace> WriteHandle<G> {
    /// A table with room for `capacity` entries in its buckets (more fit, in longer chains).
    ///
    /// # Errors
    ///
    /// [`OutOfMemory`] if the buckets or the shared state cannot be allocated.
    pub(crate) fn new(
        grace: G,
        capacity: usize,
        hash_key: [u64; 2],
    ) -> Result<WriteHandle<G>, OutOfMemory> {
        let n = capacity
            .saturating_mul(2)
            .max(8)
            .checked_next_power_of_two()
            .ok_or(OutOfMemory)?;
        let mut buckets = Vec::new();
        buckets.try_reserve_exact(n).map_err(|_| OutOfMemory)?;
        buckets.extend((0..n).map(|_| AtomicPtr::new(ptr::null_mut())));
        let mask = u64::try_from(n).map_err(|_| OutOfMemory)?.wrapping_sub(1);
        let shared = Counted::try_new(Shared {
            grace,
            stopped: AtomicBool::new(false),
            buckets,
            mask,
            slots: core::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
            hash_key,
        })?;
        Ok(WriteHandle { shared })
    }

    /// A new reader of this table.
    pub(crate) fn read_handle(&self) -> ReadHandle<G> {
        ReadHandle {
            shared: self.shared.clone(),
        }
    }

    /// The platform.
    pub(crate) fn grace(&self) -> &G {
        &self.shared.get().grace
    }

    /// The key of the table's hash.
    pub(crate) fn hash_key(&self) -> [u64; 2] {
        self.shared.get().hash_key
    }

    /// The chain `hash` falls in (the writer's view: alive while borrowed).
    pub(crate) fn chain(&self, hash: u64) -> Chain<'_> {
        let s = self.shared.get();
        chain(&s.buckets, s.mask, hash)
    }

    /// The node in slot `i`.
    pub(crate) fn slot(&self, i: usize) -> Option<NodeRef<'_>> {
        slot(&self.shared.get().slots, i)
    }

    /// Every node in the buckets, in no particular order.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = NodeRef<'_>> {
        let s = self.shared.get();
        s.buckets.iter().flat_map(whole_chain)
    }

    /// Every node in bucket `from` and after, with its bucket.
    pub(crate) fn nodes_from(&self, from: usize) -> impl Iterator<Item = (usize, NodeRef<'_>)> {
        let s = self.shared.get();
        s.buckets
            .iter()
            .enumerate()
            .skip(from)
            .flat_map(|(i, b)| whole_chain(b).map(move |n| (i, n)))
    }

    /// Publishes `node`, replacing the node of the same kind and identity (hash, port, id
    /// type, id) if there is one. Returns whether one was replaced.
    pub(crate) fn upsert(&mut self, node: NewNode) -> bool {
        let (kind, hash, port, id_type) = {
            let n = node.as_ref();
            (n.kind(), n.hash(), n.port(), n.id_type())
        };
        let found = self.find_link(kind, hash, port, id_type, node.as_ref().id());
        let new = node.into_raw();
        let mut retired = Retired::new();
        match found {
            Some((link, old)) => {
                // SAFETY: `old` is linked, so alive.
                let after = unsafe { old.as_ref() }.next.load(Ordering::Relaxed);
                // SAFETY: `new` is ours until published below.
                unsafe { new.as_ref() }.next.store(after, Ordering::Relaxed);
                // SAFETY: `link` is a bucket head or the `next` of a linked node: alive.
                unsafe { link.as_ref() }.store(link_to(new, hash, after), Ordering::Release);
                // SAFETY: `old` is no longer reachable from any link.
                unsafe { retired.push(old) };
            }
            None => {
                let s = self.shared.get();
                let Some(head) = usize::try_from(hash & s.mask)
                    .ok()
                    .and_then(|i| s.buckets.get(i))
                else {
                    // Not reachable: the mask keeps every index inside the buckets.
                    // SAFETY: `new` was never published.
                    unsafe { retired.push(new) };
                    return false;
                };
                let after = head.load(Ordering::Relaxed);
                // SAFETY: `new` is ours until published.
                unsafe { new.as_ref() }.next.store(after, Ordering::Relaxed);
                head.store(link_to(new, hash, after), Ordering::Release);
            }
        }
        let replaced = !retired.is_empty();
        self.retire(retired);
        replaced
    }

    /// Unlinks the node of this kind and identity. Returns whether there was one.
    pub(crate) fn remove(
        &mut self,
        kind: u8,
        hash: u64,
        port: u32,
        id_type: u8,
        id: &[u8],
    ) -> bool {
        let Some((link, old)) = self.find_link(kind, hash, port, id_type, id) else {
            return false;
        };
        let mut retired = Retired::new();
        // SAFETY: `old` is linked, so alive.
        let after = unsafe { old.as_ref() }.next.load(Ordering::Relaxed);
        // SAFETY: `link` is a bucket head or the `next` of a linked node: alive.
        unsafe { link.as_ref() }.store(after, Ordering::Release);
        // SAFETY: `old` is unreachable now that `link` points past it.
        unsafe { retired.push(old) };
        self.retire(retired);
        true
    }

    /// Unlinks every node of `kind`, all retired after one grace period.
    pub(crate) fn remove_kind(&mut self, kind: u8) {
        let mut retired = Retired::new();
        for head in &self.shared.get().buckets {
            let mut link = NonNull::from(head);
            // SAFETY: links are bucket heads or `next` fields of linked (alive) nodes.
            while let Some(node) = untag(unsafe { link.as_ref() }.load(Ordering::Relaxed)) {
                // SAFETY: `node` is linked, so alive.
                let n = unsafe { node.as_ref() };
                if NodeRef::new(node).kind() == kind {
                    // SAFETY: as above.
                    unsafe { link.as_ref() }
                        .store(n.next.load(Ordering::Relaxed), Ordering::Release);
                    // SAFETY: once `link` skips `node` it is unreachable.
                    unsafe { retired.push(node) };
                } else {
                    link = NonNull::from(&n.next);
                }
            }
        }
        self.retire(retired);
    }

    /// Replaces the node in slot `i` (`None` empties it).
    pub(crate) fn set_slot(&mut self, i: usize, node: Option<NewNode>) {
        let Some(slot) = self.shared.get().slots.get(i) else {
            return;
        };
        let new = node.map_or(ptr::null_mut(), |n| n.into_raw().as_ptr());
        let old = slot.swap(new, Ordering::AcqRel);
        if let Some(old) = NonNull::new(old) {
            let mut retired = Retired::new();
            // SAFETY: `old` was the slot's node and is now unreachable.
            unsafe { retired.push(old) };
            self.retire(retired);
        }
    }

    /// Stops the table: readers from now on get `None`, and every node is retired.
    pub(crate) fn stop(&mut self) {
        let s = self.shared.get();
        if s.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut retired = Retired::new();
        for link in s.buckets.iter().chain(s.slots.iter()) {
            let mut cursor = link.swap(ptr::null_mut(), Ordering::AcqRel);
            while let Some(node) = untag(cursor) {
                // SAFETY: nodes of an unlinked chain stay alive until retired below.
                cursor = unsafe { node.as_ref() }.next.load(Ordering::Relaxed);
                // SAFETY: the chain was unlinked whole by the swap above.
                unsafe { retired.push(node) };
            }
        }
        self.retire(retired);
    }

    fn retire(&self, retired: Retired) {
        if !retired.is_empty() {
            self.shared.get().grace.defer(retired);
        }
    }

    /// The link pointing at the node of this kind and identity, and that node.
    fn find_link(
        &self,
        kind: u8,
        hash: u64,
        port: u32,
        id_type: u8,
        id: &[u8],
    ) -> Option<(NonNull<AtomicPtr<Node>>, NonNull<Node>)> {
        let s = self.shared.get();
        let head = s.buckets.get(usize::try_from(hash & s.mask).ok()?)?;
        let mut link = NonNull::from(head);
        // SAFETY: links are bucket heads or `next` fields of linked nodes, alive while the
        // writer (the only one who unlinks) is here.
        while let Some(node) = untag(unsafe { link.as_ref() }.load(Ordering::Relaxed)) {
            let n = NodeRef::new(node);
            if n.kind() == kind
                && n.hash() == hash
                && n.port() == port
                && n.id_type() == id_type
                && n.id() == id
            {
                return Some((link, node));
            }
            // SAFETY: as above.
            link = NonNull::from(&unsafe { node.as_ref() }.next);
        }
        None
    }
}

impl<G: Grace> Drop for WriteHandle<G> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A reference-counted allocation whose creation can fail (`Arc::try_new` is unstable, and a
/// failed allocation must be an answer, never a crash).
struct Counted<T> {
    inner: NonNull<CountedInner<T>>,
}

struct CountedInner<T> {
    count: AtomicUsize,
    /// Set if the count ever came near overflow: the value is then never freed.
    pinned: AtomicBool,
    value: T,
}

// SAFETY: `Counted<T>` shares `T` between threads like `Arc<T>`, so it needs `T: Send + Sync`.
unsafe impl<T: Send + Sync> Send for Counted<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Counted<T> {}

impl<T> Counted<T> {
    fn try_new(value: T) -> Result<Counted<T>, OutOfMemory> {
        let layout = Layout::new::<CountedInner<T>>();
        // SAFETY: `CountedInner` is never zero-sized (it holds a counter).
        let raw = unsafe { alloc(layout) }.cast::<CountedInner<T>>();
        let inner = NonNull::new(raw).ok_or(OutOfMemory)?;
        // SAFETY: freshly allocated for this layout, and aligned for it.
        unsafe {
            ptr::write(
                inner.as_ptr(),
                CountedInner {
                    count: AtomicUsize::new(1),
                    pinned: AtomicBool::new(false),
                    value,
                },
            );
        }
        Ok(Counted { inner })
    }

    fn get(&self) -> &T {
        // SAFETY: the allocation lives while any `Counted` of it does.
        &unsafe { self.inner.as_ref() }.value
    }
}

impl<T> Clone for Counted<T> {
    fn clone(&self) -> Counted<T> {
        // SAFETY: alive while `self` is.
        let inner = unsafe { self.inner.as_ref() };
        let before = inner.count.fetch_add(1, Ordering::Relaxed);
        if before > usize::MAX / 2 {
            // Unreachable without leaking some 2^63 handles; if it happens, never free rather
            // than risk a count that wraps.
            inner.pinned.store(true, Ordering::Relaxed);
        }
        Counted { inner: self.inner }
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        // SAFETY: alive while `self` is.
        let inner = unsafe { self.inner.as_ref() };
        if inner.count.fetch_sub(1, Ordering::Release) != 1 || inner.pinned.load(Ordering::Relaxed)
        {
            return;
        }
        super::sync::fence(Ordering::Acquire);
        // SAFETY: this was the last handle: nothing else refers to the allocation, whose
        // value is dropped exactly once here.
        unsafe { ptr::drop_in_place(self.inner.as_ptr()) };
        // SAFETY: allocated in `try_new` with this layout; the value was dropped above.
        unsafe {
            dealloc(
                self.inner.as_ptr().cast::<u8>(),
                Layout::new::<CountedInner<T>>(),
            );
        }
    }
}
