//! Helpers over `show --json` (serde_json is a dev-dependency, so they live here rather than in
//! the crate's lib) and fixtures shared by the conformance modules.

pub use iscsisec_tests::*;
pub use serde_json::{Value, json};

/// `show --json`, parsed.
pub fn show(t: &Iscsisec) -> Value {
    let text = t.show_json();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("show --json is not JSON ({e}): {text}"))
}

/// A port as `show` prints it: a number, or `"*"` for all ports.
pub fn port_text(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s == "*" => "*".to_owned(),
        other => panic!("a port is a number or \"*\": {other}"),
    }
}

/// One `psk` entry of `show --json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Psk {
    pub port: String,
    pub id_type: u64,
    pub id: String,
    pub flags: u64,
}

/// Builds an expected [`Psk`].
pub fn psk(port: &str, id_type: u8, id: &str, flags: u64) -> Psk {
    Psk {
        port: port.to_owned(),
        id_type: u64::from(id_type),
        id: id.to_owned(),
        flags,
    }
}

/// The explicit keys `show --json` lists, sorted.
pub fn psks(t: &Iscsisec) -> Vec<Psk> {
    psks_of(&show(t))
}

/// The explicit keys of a parsed `show --json`, sorted.
pub fn psks_of(v: &Value) -> Vec<Psk> {
    let list = v["psk"]
        .as_array()
        .unwrap_or_else(|| panic!("show --json has a psk array: {v}"));
    let mut out: Vec<Psk> = list
        .iter()
        .map(|e| Psk {
            port: port_text(&e["port"]),
            id_type: e["id_type"].as_u64().expect("id_type is a number"),
            id: e["id"].as_str().expect("id is text").to_owned(),
            flags: e["flags"].as_u64().expect("flags is a number"),
        })
        .collect();
    out.sort();
    out
}

/// One `tunnel` entry of `show --json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tunnel {
    pub port: String,
    pub destination: String,
    pub outer: String,
}

/// Builds an expected [`Tunnel`].
pub fn tunnel(port: &str, destination: &str, outer: &str) -> Tunnel {
    Tunnel {
        port: port.to_owned(),
        destination: destination.to_owned(),
        outer: outer.to_owned(),
    }
}

/// The tunnel mappings `show --json` lists, sorted.
pub fn tunnels(t: &Iscsisec) -> Vec<Tunnel> {
    tunnels_of(&show(t))
}

/// The tunnel mappings of a parsed `show --json`, sorted.
pub fn tunnels_of(v: &Value) -> Vec<Tunnel> {
    let list = v["tunnel"]
        .as_array()
        .unwrap_or_else(|| panic!("show --json has a tunnel array: {v}"));
    let mut out: Vec<Tunnel> = list
        .iter()
        .map(|e| Tunnel {
            port: port_text(&e["port"]),
            destination: e["destination"]
                .as_str()
                .expect("destination is text")
                .to_owned(),
            outer: e["outer"].as_str().expect("outer is text").to_owned(),
        })
        .collect();
    out.sort();
    out
}

/// `group_key` of `show --json`.
pub fn has_group_key(t: &Iscsisec) -> bool {
    show(t)["group_key"].as_bool().expect("group_key is a bool")
}

/// `chap_secret_bytes` of `show --json`.
pub fn chap_secret_bytes(t: &Iscsisec) -> u64 {
    show(t)["chap_secret_bytes"]
        .as_u64()
        .expect("chap_secret_bytes is a number")
}

/// `corrupt_records` of `show --json`.
pub fn corrupt_records(t: &Iscsisec) -> u64 {
    show(t)["corrupt_records"]
        .as_u64()
        .expect("corrupt_records is a number")
}

/// `generational_guid` of `show --json`, lower-cased (SPEC does not fix the hex case).
pub fn guid_text(t: &Iscsisec) -> String {
    show(t)["generational_guid"]
        .as_str()
        .expect("generational_guid is text")
        .to_ascii_lowercase()
}

/// A state with one of everything: explicit keys on a port and on all ports, the group key,
/// the CHAP secret, two tunnel mappings and the GUID. Returns `show --json` afterwards.
pub fn populate(t: &Iscsisec) -> Value {
    assert_eq!(
        t.set_psk(0, 0x07, id_type::IPV4, &V4, b"port key"),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(ALL_PORTS, 0x09, id_type::FQDN, FQDN, b"all-ports key"),
        isdsc::SUCCESS
    );
    assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS);
    assert_eq!(t.set_chap(b"0123456789abcdef"), isdsc::SUCCESS);
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_tunnel(
            ALL_PORTS,
            &Addr::text("target.example.com"),
            &Addr::text("gw")
        ),
        isdsc::SUCCESS
    );
    assert_eq!(t.set_guid(GUID), isdsc::SUCCESS);
    show(t)
}

/// An IPv4 identifier / destination, network order.
pub const V4: [u8; 4] = [192, 0, 2, 10];
/// Its text form.
pub const V4_TEXT: &str = "192.0.2.10";
/// Another IPv4 address, for outer addresses.
pub const V4_OUTER: [u8; 4] = [198, 51, 100, 1];
/// 2001:db8::10.
pub const V6: [u8; 16] = [
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];
/// Its RFC 5952 text form.
pub const V6_TEXT: &str = "2001:db8::10";
/// An ID_FQDN identifier.
pub const FQDN: &[u8] = b"initiator.example.com";
/// An ID_USER_FQDN identifier.
pub const USER_FQDN: &[u8] = b"iscsi@initiator.example.com";
/// A generational GUID as WMI carries it: {391F3325-0BA3-4083-A861-CF4F6F97A527}.
pub const GUID: [u8; 16] = [
    0x25, 0x33, 0x1f, 0x39, 0xa3, 0x0b, 0x83, 0x40, 0xa8, 0x61, 0xcf, 0x4f, 0x6f, 0x97, 0xa5, 0x27,
];
/// [`GUID`] in Windows text form, lower case.
pub const GUID_TEXT: &str = "391f3325-0ba3-4083-a861-cf4f6f97a527";
