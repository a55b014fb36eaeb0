//! Simulated WDF objects: handles, parents, contexts, cleanup callbacks.
//!
//! ```text
//!   wdf.rs (Wdf*Create) ──► Objects::create ──► handle, zeroed context (16-byte aligned)
//!   WdfObjectDelete / device removal ──► Objects::delete_tree (children first)
//! ```
//!
//! Deletion calls the cleanup callbacks of child objects before the parent's ("With one
//! exception, the framework calls the EvtCleanupCallback routines of child objects before
//! calling the EvtCleanupCallback routine of their parent", DDI
//! `nc-wdfobject-evt_wdf_object_context_cleanup`), at PASSIVE_LEVEL, then frees the context.

extern crate std;
use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::BTreeMap;
use std::vec::Vec;

use crate::sys::{
    GUID, PCWDF_OBJECT_CONTEXT_TYPE_INFO, PFN_WDF_OBJECT_CONTEXT_CLEANUP,
    PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD, PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE, PFN_WDF_WORKITEM,
    WDF_PNPPOWER_EVENT_CALLBACKS,
};

/// What kind of object a handle names, with its kind-specific state.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Driver,
    Device(Device),
    WmiInstance(WmiInstance),
    WaitLock {
        owner: Option<std::thread::ThreadId>,
    },
    SpinLock {
        owner: Option<std::thread::ThreadId>,
        saved_irql: u8,
    },
    WorkItem(WorkItem),
    Key {
        path: std::string::String,
        access: u32,
        wdm_handle: usize,
    },
}

/// A device's simulated PnP state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Device {
    pub(crate) pnp: Option<WDF_PNPPOWER_EVENT_CALLBACKS>,
    pub(crate) started: bool,
    pub(crate) mof_resource: Option<std::string::String>,
    /// Interfaces added with WdfDeviceAddQueryInterface: (GUID bytes, copy of the INTERFACE).
    pub(crate) interfaces: Vec<([u8; 16], Vec<u8>)>,
    pub(crate) instance_path: std::string::String,
}

/// A WMI instance.
#[derive(Debug, Clone)]
pub(crate) struct WmiInstance {
    pub(crate) device: usize,
    pub(crate) guid: GUID,
    pub(crate) min_instance_buffer_size: u32,
    pub(crate) query: PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE,
    pub(crate) execute: PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD,
    pub(crate) register: bool,
    pub(crate) registered: bool,
}

/// A work item.
#[derive(Debug, Clone)]
pub(crate) struct WorkItem {
    pub(crate) callback: PFN_WDF_WORKITEM,
    pub(crate) queued: bool,
    pub(crate) running: bool,
    pub(crate) worker: bool,
    pub(crate) runs: u64,
}

/// One live object.
#[derive(Debug)]
pub(crate) struct Object {
    pub(crate) kind: Kind,
    pub(crate) parent: usize,
    pub(crate) children: Vec<usize>,
    pub(crate) context: usize,
    pub(crate) context_size: usize,
    pub(crate) type_info: usize,
    pub(crate) cleanup: PFN_WDF_OBJECT_CONTEXT_CLEANUP,
}

/// The object table of a machine.
#[derive(Debug, Default)]
pub(crate) struct Objects {
    pub(crate) live: BTreeMap<usize, Object>,
    next: usize,
}

/// Context memory alignment (MEMORY_ALLOCATION_ALIGNMENT on 64-bit Windows).
const CONTEXT_ALIGN: usize = 16;

impl Objects {
    /// A new handle value: never null, never reused, never dereferenced.
    fn handle(&mut self) -> usize {
        self.next += 1;
        0x5f00_0000_0000 + self.next * 0x40
    }

    /// Creates an object with an optional zeroed context of `context_size` bytes.
    pub(crate) fn create(
        &mut self,
        kind: Kind,
        parent: usize,
        type_info: PCWDF_OBJECT_CONTEXT_TYPE_INFO,
        context_size: usize,
        cleanup: PFN_WDF_OBJECT_CONTEXT_CLEANUP,
    ) -> usize {
        let handle = self.handle();
        let context = if context_size > 0 {
            let layout =
                Layout::from_size_align(context_size, CONTEXT_ALIGN).unwrap_or(Layout::new::<u8>());
            // SAFETY: the layout has a non-zero size.
            unsafe { alloc_zeroed(layout) as usize }
        } else {
            0
        };
        if let Some(p) = self.live.get_mut(&parent) {
            p.children.push(handle);
        }
        self.live.insert(
            handle,
            Object {
                kind,
                parent,
                children: Vec::new(),
                context,
                context_size,
                type_info: type_info as usize,
                cleanup,
            },
        );
        handle
    }

    /// The handles of `handle` and all its descendants, children before parents.
    pub(crate) fn post_order(&self, handle: usize) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect(handle, &mut out);
        out
    }

    fn collect(&self, handle: usize, out: &mut Vec<usize>) {
        if let Some(object) = self.live.get(&handle) {
            for &child in object.children.iter().rev() {
                self.collect(child, out);
            }
            out.push(handle);
        }
    }

    /// Removes `handle` from the table and returns it (context still allocated).
    pub(crate) fn remove(&mut self, handle: usize) -> Option<Object> {
        let object = self.live.remove(&handle)?;
        if let Some(p) = self.live.get_mut(&object.parent) {
            p.children.retain(|&c| c != handle);
        }
        Some(object)
    }
}

/// Frees an object's context memory.
pub(crate) fn free_context(object: &Object) {
    if object.context != 0 {
        let layout = Layout::from_size_align(object.context_size, CONTEXT_ALIGN)
            .unwrap_or(Layout::new::<u8>());
        // SAFETY: allocated in `create` with this layout, freed once.
        unsafe { dealloc(object.context as *mut u8, layout) };
    }
}
