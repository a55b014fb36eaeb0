//! `show --json`: the table described as one JSON object, without key or secret bytes.
//!
//! ```text
//!   cli::verbs ──► show (this file) ──► core Table (entries, counts, Display of ids and addresses)
//! ```
//!
//! The object's members come in SPEC §7's order:
//!
//! ```text
//!   {"group_key": bool, "psk": [{"port": N|"*", "id_type": N, "id": "TEXT", "flags": N}],
//!    "chap_secret_bytes": N, "generational_guid": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
//!    "tunnel": [{"port": N|"*", "destination": "TEXT", "outer": "TEXT"}], "corrupt_records": N,
//!    "foreign_entries": N}
//! ```
//!
//! Identifiers and addresses are printed by the core's `Display` impls; the GUID from its 16
//! stored bytes in lower-case Windows text form. Of the secrets only two non-secret facts
//! appear: whether the group key is set and how many bytes the CHAP secret has.

use std::fmt::{self, Write as _};

use iscsisec_core::table::Table;
use iscsisec_core::{Guid, LoadReport, Platform, PortSelector};
use serde_json::Value;

/// The one-line JSON description of `table`, with the foreign entries start-up found in the
/// store (`report`).
#[must_use]
pub fn json<P: Platform>(table: &Table<P>, report: &LoadReport) -> String {
    // The table keeps explicit keys in hash order: sort by port, then identifier.
    let mut entries: Vec<_> = table.psk_entries().collect();
    entries.sort_by(|a, b| (a.port, &a.id).cmp(&(b.port, &b.id)));
    let psk: Vec<String> = entries
        .iter()
        .map(|e| {
            object(&[
                ("port", port(e.port)),
                ("id_type", Value::from(e.id.id_type().raw())),
                ("id", Value::String(display(&e.id))),
                ("flags", Value::from(e.flags.bits())),
            ])
        })
        .collect();
    let tunnel: Vec<String> = table
        .tunnel_entries()
        .map(|e| {
            object(&[
                ("port", port(e.port)),
                ("destination", Value::String(display(&e.destination))),
                ("outer", Value::String(display(&e.outer))),
            ])
        })
        .collect();
    let guid = display(&Guid::from_bytes_le(table.generational_guid())).to_ascii_lowercase();
    let chap_secret_bytes = table.chap_secret().map_or(0, |s| s.len());
    let members = [
        (
            "group_key",
            Value::Bool(table.group_key().is_some()).to_string(),
        ),
        ("psk", array(&psk)),
        (
            "chap_secret_bytes",
            Value::from(chap_secret_bytes).to_string(),
        ),
        ("generational_guid", Value::String(guid).to_string()),
        ("tunnel", array(&tunnel)),
        (
            "corrupt_records",
            Value::from(table.corrupt_records().len()).to_string(),
        ),
        ("foreign_entries", Value::from(report.foreign).to_string()),
    ];
    raw_object(&members)
}

/// `"*"` for all ports, else the number.
fn port(p: PortSelector) -> Value {
    match p {
        PortSelector::All => Value::String("*".to_owned()),
        PortSelector::Port(n) => Value::from(n),
    }
}

/// Formats with `Display` without the panic `to_string` has when an impl reports an error.
fn display(x: &impl fmt::Display) -> String {
    let mut s = String::new();
    if write!(s, "{x}").is_err() {
        s.clear();
        s.push_str("<unprintable>");
    }
    s
}

/// An object whose members keep the given order (`serde_json::Map` would sort them).
fn object(members: &[(&str, Value)]) -> String {
    let rendered: Vec<(&str, String)> = members.iter().map(|(k, v)| (*k, v.to_string())).collect();
    raw_object(&rendered)
}

fn raw_object(members: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String((*key).to_owned()).to_string());
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}

fn array(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iscsisec_core::store::MemoryStore;
    use iscsisec_core::{AdapterConfig, Provider};

    #[test]
    fn an_empty_table_in_spec_order() {
        let (provider, report) = Provider::start(
            MemoryStore::new(),
            AdapterConfig::default(),
            crate::platform::process_platform(),
        )
        .unwrap();
        assert_eq!(
            json(provider.table(), &report),
            r#"{"group_key":false,"psk":[],"chap_secret_bytes":0,"generational_guid":"00000000-0000-0000-0000-000000000000","tunnel":[],"corrupt_records":0,"foreign_entries":0}"#
        );
    }

    #[test]
    fn entries_keys_and_guid() {
        use iscsisec_core::consts::{SECURITY_CONFIG_OPERATIONS_GUID, method};
        use iscsisec_core::wire::{SetGenerationalGuidIn, SetPresharedKeyForIdIn};
        let (mut p, _) = Provider::start(
            MemoryStore::new(),
            AdapterConfig::default(),
            crate::platform::process_platform(),
        )
        .unwrap();
        let class = SECURITY_CONFIG_OPERATIONS_GUID;
        let mut buf = [0u8; 64];
        let psk = SetPresharedKeyForIdIn {
            port_number: 0xFFFF_FFFF,
            security_flags: 3,
            id_type: 2,
            id: b"Quote\"Me",
            key: b"0123456789",
        };
        psk.emit(&mut buf).unwrap();
        let len = u32::try_from(psk.buffer_len()).unwrap();
        p.execute_method(&class, method::SET_PRESHARED_KEY_FOR_ID, &mut buf, len, 4);
        let guid = SetGenerationalGuidIn {
            generational_guid: [
                0x25, 0x33, 0x1f, 0x39, 0xa3, 0x0b, 0x83, 0x40, 0xa8, 0x61, 0xcf, 0x4f, 0x6f, 0x97,
                0xa5, 0x27,
            ],
        };
        guid.emit(&mut buf).unwrap();
        p.execute_method(&class, method::SET_GENERATIONAL_GUID, &mut buf, 16, 4);
        let text = json(p.table(), &LoadReport::default());
        // The whole text: the escaped name, the GUID in Windows order, no key bytes.
        assert_eq!(
            text,
            concat!(
                r#"{"group_key":false,"psk":[{"port":"*","id_type":2,"id":"quote\"me","flags":3}],"#,
                r#""chap_secret_bytes":0,"generational_guid":"391f3325-0ba3-4083-a861-cf4f6f97a527","#,
                r#""tunnel":[],"corrupt_records":0,"foreign_entries":0}"#
            )
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["psk"][0]["id"], "quote\"me");
    }
}
