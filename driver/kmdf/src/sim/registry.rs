//! The simulated registry: keys with values, what has been flushed, DACLs, crashes.
//!
//! ```text
//!   WdfRegistry* / Zw* (wdf.rs, kernel.rs) ──► Registry ──► keys { values, durable, flushes }
//!   Machine::crash ──► every key's values := its durable (flushed) values
//! ```
//!
//! A value set or removed changes the key's current values only; `ZwFlushKey` copies them to
//! the key's durable values ("the registry is flushed lazily", DDI `ZwFlushKey`), and a crash
//! brings back the durable ones. Key and value names compare without regard to case.

extern crate std;
use std::collections::BTreeMap;
use std::string::String;
use std::vec::Vec;

/// REG_SZ (WDK19 wdm.h:9947), for tests that plant a value of the wrong type.
#[cfg(test)]
pub(crate) const REG_SZ_FOR_TESTS: u32 = 1;

/// One value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value {
    pub(crate) name: String,
    pub(crate) kind: u32,
    pub(crate) data: Vec<u8>,
}

/// One access-control entry as the simulation parsed it from a DACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ace {
    /// 0: ACCESS_ALLOWED_ACE_TYPE.
    pub(crate) kind: u8,
    pub(crate) flags: u8,
    pub(crate) mask: u32,
    /// `S-1-…` text.
    pub(crate) sid: String,
}

/// A DACL set with ZwSetSecurityObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dacl {
    pub(crate) protected: bool,
    pub(crate) aces: Vec<Ace>,
}

/// One key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Key {
    /// The path as created (the map is keyed by the folded path).
    #[cfg_attr(
        test,
        allow(dead_code, reason = "kept for Debug output of failing tests")
    )]
    pub(crate) path: String,
    pub(crate) values: BTreeMap<String, Value>,
    pub(crate) durable: BTreeMap<String, Value>,
    /// Values changed since the last flush (folded names).
    pub(crate) dirty: std::collections::BTreeSet<String>,
    pub(crate) flushes: u64,
    pub(crate) dacl: Option<Dacl>,
}

/// An open WDM handle.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub(crate) path: String,
    pub(crate) access: u32,
}

/// All keys and open handles.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) keys: BTreeMap<String, Key>,
    pub(crate) handles: BTreeMap<usize, Handle>,
    next_handle: usize,
}

fn fold(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Registry {
    /// Creates `path` if missing; returns whether it was created.
    pub(crate) fn ensure(&mut self, path: &str) -> bool {
        let key = fold(path);
        if self.keys.contains_key(&key) {
            return false;
        }
        self.keys.insert(
            key,
            Key {
                path: String::from(path),
                ..Key::default()
            },
        );
        true
    }

    pub(crate) fn key(&self, path: &str) -> Option<&Key> {
        self.keys.get(&fold(path))
    }

    pub(crate) fn key_mut(&mut self, path: &str) -> Option<&mut Key> {
        self.keys.get_mut(&fold(path))
    }

    /// Opens a WDM handle to `path`.
    pub(crate) fn open(&mut self, path: &str, access: u32) -> usize {
        self.next_handle += 1;
        let handle = 0x7e00_0000 + self.next_handle * 8;
        self.handles.insert(
            handle,
            Handle {
                path: String::from(path),
                access,
            },
        );
        handle
    }

    pub(crate) fn close(&mut self, handle: usize) -> bool {
        self.handles.remove(&handle).is_some()
    }

    /// Sets a value (not yet durable).
    pub(crate) fn set(&mut self, path: &str, name: &str, kind: u32, data: Vec<u8>) {
        self.ensure(path);
        if let Some(key) = self.key_mut(path) {
            key.values.insert(
                fold(name),
                Value {
                    name: String::from(name),
                    kind,
                    data,
                },
            );
            key.dirty.insert(fold(name));
        }
    }

    /// Removes a value (not yet durable); false if it was not there.
    pub(crate) fn remove(&mut self, path: &str, name: &str) -> bool {
        self.key_mut(path).is_some_and(|key| {
            key.dirty.insert(fold(name));
            key.values.remove(&fold(name)).is_some()
        })
    }

    /// `ZwFlushKey`: the key's values become durable.
    pub(crate) fn flush(&mut self, path: &str) {
        if let Some(key) = self.key_mut(path) {
            for name in std::mem::take(&mut key.dirty) {
                match key.values.get(&name) {
                    Some(value) => key.durable.insert(name, value.clone()),
                    None => key.durable.remove(&name),
                };
            }
            key.flushes += 1;
        }
    }

    /// A crash: every unflushed change is lost, every handle closed.
    pub(crate) fn crash(&mut self) {
        for key in self.keys.values_mut() {
            key.values = key.durable.clone();
            key.dirty.clear();
        }
        self.handles.clear();
    }
}

/// `S-1-…` text of a SID in `bytes`, and its length, if well formed.
pub(crate) fn sid_text(bytes: &[u8]) -> Option<(String, usize)> {
    let revision = *bytes.first()?;
    let count = usize::from(*bytes.get(1)?);
    let len = 8 + 4 * count;
    if revision != 1 || bytes.len() < len || count == 0 || count > 15 {
        return None;
    }
    let mut authority: u64 = 0;
    for b in bytes.get(2..8)? {
        authority = authority << 8 | u64::from(*b);
    }
    let mut text = std::format!("S-1-{authority}");
    for i in 0..count {
        let at = 8 + 4 * i;
        let sub = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?);
        text.push_str(&std::format!("-{sub}"));
    }
    Some((text, len))
}
