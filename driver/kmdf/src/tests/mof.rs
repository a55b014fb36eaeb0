//! inf/iscsisec.mof, parsed: each served method's IN and OUT layout is derived the way WMI
//! marshals method parameters, and checked against SPEC §2, the core's wire constants and —
//! by sending MOF-built buffers through the driver — the core's parser itself.
//!
//! WMI marshalling (DDK "Driver-Defined WMI Data Items"; SPEC §2): items in WmiDataId order,
//! each at the next multiple of its natural alignment (an embedded class aligns as its most
//! aligned item, a string as its USHORT length); fixed arrays hold their elements, variable
//! arrays `WmiSizeIs` elements, a string a USHORT byte count then that many bytes.

use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;

use iscsisec_core::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID, method as ids};
use iscsisec_core::wire;

use super::*;

const MOF: &str = include_str!("../../../../inf/iscsisec.mof");

// ---------------------------------------------------------------------------------------------
// A parser for the MOF subset a WMI driver schema uses
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Number(u64),
    Str(String),
    Punct(char),
}

fn tokens(text: &str) -> Vec<Token> {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && bytes.get(i + 1) == Some(&'/') {
            while i < bytes.len() && bytes[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && bytes.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == '*' && bytes[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            while bytes[i] != '"' {
                if bytes[i] == '\\' {
                    i += 1;
                }
                s.push(bytes[i]);
                i += 1;
            }
            i += 1;
            // Adjacent literals concatenate.
            if let Some(Token::Str(prev)) = out.last_mut() {
                prev.push_str(&s);
            } else {
                out.push(Token::Str(s));
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let text: String = bytes[start..i].iter().collect();
            let value = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            out.push(Token::Number(value.expect("a number")));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_alphanumeric() || bytes[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(bytes[start..i].iter().collect()));
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// A qualifier: its name and values (`WmiDataId(3)`, `ValueMap{"0", "1"}`, `key`).
type Qualifiers = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone)]
struct Item {
    qualifiers: Qualifiers,
    ty: String,
    name: String,
    /// `None`: a scalar; `Some(None)`: `name[]`; `Some(Some(n))`: `name[n]`.
    array: Option<Option<u64>>,
}

impl Item {
    fn data_id(&self) -> Option<u64> {
        self.qualifiers.get("wmidataid")?.first()?.parse().ok()
    }
    fn has(&self, q: &str) -> bool {
        self.qualifiers.contains_key(q)
    }
    fn one(&self, q: &str) -> Option<&str> {
        self.qualifiers.get(q)?.first().map(String::as_str)
    }
}

#[derive(Debug, Clone)]
struct Method {
    qualifiers: Qualifiers,
    name: String,
    params: Vec<Item>,
}

#[derive(Debug, Clone)]
struct Class {
    qualifiers: Qualifiers,
    name: String,
    properties: Vec<Item>,
    methods: Vec<Method>,
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn next(&mut self) -> Token {
        self.at += 1;
        self.tokens[self.at - 1].clone()
    }
    fn punct(&mut self, c: char) {
        assert_eq!(self.next(), Token::Punct(c), "near token {}", self.at);
    }
    fn is_punct(&self, c: char) -> bool {
        self.peek() == Some(&Token::Punct(c))
    }
    fn ident(&mut self) -> String {
        match self.next() {
            Token::Ident(s) => s,
            other => panic!("identifier expected, got {other:?} at {}", self.at),
        }
    }
    fn value(&mut self) -> String {
        match self.next() {
            Token::Ident(s) | Token::Str(s) => s,
            Token::Number(n) => n.to_string(),
            other => panic!("value expected, got {other:?}"),
        }
    }
    fn values(&mut self, close: char) -> Vec<String> {
        let mut out = Vec::new();
        while !self.is_punct(close) {
            out.push(self.value());
            if self.is_punct(',') {
                self.next();
            }
        }
        self.punct(close);
        out
    }
    fn qualifiers(&mut self) -> Qualifiers {
        let mut out = Qualifiers::new();
        if !self.is_punct('[') {
            return out;
        }
        self.punct('[');
        loop {
            let name = self.ident().to_ascii_lowercase();
            let values = if self.is_punct('(') {
                self.next();
                self.values(')')
            } else if self.is_punct('{') {
                self.next();
                self.values('}')
            } else {
                Vec::new()
            };
            if self.is_punct(':') {
                self.next();
                self.ident(); // flavor, e.g. `amended`
            }
            out.insert(name, values);
            if self.is_punct(',') {
                self.next();
                continue;
            }
            self.punct(']');
            return out;
        }
    }
    fn array(&mut self) -> Option<Option<u64>> {
        if !self.is_punct('[') {
            return None;
        }
        self.next();
        let n = match self.peek() {
            Some(Token::Number(n)) => {
                let n = *n;
                self.next();
                Some(n)
            }
            _ => None,
        };
        self.punct(']');
        Some(n)
    }
    fn class(&mut self) -> Class {
        let qualifiers = self.qualifiers();
        assert_eq!(self.ident(), "class");
        let name = self.ident();
        self.punct('{');
        let (mut properties, mut methods) = (Vec::new(), Vec::new());
        while !self.is_punct('}') {
            let q = self.qualifiers();
            let ty = self.ident();
            let member = self.ident();
            if self.is_punct('(') {
                self.next();
                let mut params = Vec::new();
                while !self.is_punct(')') {
                    let pq = self.qualifiers();
                    let pty = self.ident();
                    let pname = self.ident();
                    let array = self.array();
                    params.push(Item {
                        qualifiers: pq,
                        ty: pty,
                        name: pname,
                        array,
                    });
                    if self.is_punct(',') {
                        self.next();
                    }
                }
                self.punct(')');
                assert_eq!(ty, "void");
                methods.push(Method {
                    qualifiers: q,
                    name: member,
                    params,
                });
            } else {
                let array = self.array();
                properties.push(Item {
                    qualifiers: q,
                    ty,
                    name: member,
                    array,
                });
            }
            self.punct(';');
        }
        self.punct('}');
        self.punct(';');
        Class {
            qualifiers,
            name,
            properties,
            methods,
        }
    }
}

fn schema() -> BTreeMap<String, Class> {
    let mut parser = Parser {
        tokens: tokens(MOF),
        at: 0,
    };
    let mut classes = BTreeMap::new();
    while parser.peek().is_some() {
        let class = parser.class();
        classes.insert(class.name.clone(), class);
    }
    classes
}

// ---------------------------------------------------------------------------------------------
// Layout derivation
// ---------------------------------------------------------------------------------------------

/// Concrete values for what sizes depend on: size fields by name, string byte lengths by
/// `path` (e.g. `DestinationAddress.TextAddress`).
type Values = BTreeMap<String, u64>;

/// One placed item: its path, offset and size in bytes.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    path: String,
    offset: usize,
    size: usize,
}

fn scalar(ty: &str) -> Option<usize> {
    Some(match ty {
        "uint8" | "sint8" | "boolean" => 1,
        "uint16" | "sint16" => 2,
        "uint32" | "sint32" => 4,
        "uint64" | "sint64" => 8,
        _ => return None,
    })
}

fn align_of(classes: &BTreeMap<String, Class>, ty: &str) -> usize {
    if let Some(size) = scalar(ty) {
        return size;
    }
    if ty == "string" {
        return 2;
    }
    let class = &classes[ty];
    class
        .properties
        .iter()
        .filter(|p| p.data_id().is_some())
        .map(|p| align_of(classes, &p.ty))
        .max()
        .unwrap_or(1)
}

/// Places `items` (sorted by WmiDataId) from `start`; returns the end offset.
fn place(
    classes: &BTreeMap<String, Class>,
    items: &[&Item],
    prefix: &str,
    start: usize,
    values: &Values,
    out: &mut Vec<Placed>,
) -> usize {
    let mut sorted: Vec<&&Item> = items.iter().collect();
    sorted.sort_by_key(|i| i.data_id().expect("every data item has a WmiDataId"));
    let mut at = start;
    for item in sorted {
        let path = if prefix.is_empty() {
            item.name.clone()
        } else {
            std::format!("{prefix}.{}", item.name)
        };
        at = at.next_multiple_of(align_of(classes, &item.ty));
        let begin = at;
        let count = match item.array {
            None => 1,
            Some(Some(n)) => n as usize,
            Some(None) => {
                let size_is = item
                    .one("wmisizeis")
                    .expect("a variable array names its size item");
                values[size_is] as usize
            }
        };
        if let Some(size) = scalar(&item.ty) {
            at += size * count;
        } else if item.ty == "string" {
            assert_eq!(count, 1);
            at += 2 + values.get(&path).copied().unwrap_or(0) as usize;
        } else {
            let class = &classes[&item.ty];
            let members: Vec<&Item> = class
                .properties
                .iter()
                .filter(|p| p.data_id().is_some())
                .collect();
            for _ in 0..count {
                at = at.next_multiple_of(align_of(classes, &item.ty));
                at = place(classes, &members, &path, at, values, out);
            }
        }
        out.push(Placed {
            path,
            offset: begin,
            size: at - begin,
        });
    }
    at
}

/// The IN (or OUT) layout of `method` and its end.
fn layout(
    classes: &BTreeMap<String, Class>,
    method: &Method,
    direction: &str,
    values: &Values,
) -> (Vec<Placed>, usize) {
    let items: Vec<&Item> = method.params.iter().filter(|p| p.has(direction)).collect();
    let mut out = Vec::new();
    let end = place(classes, &items, "", 0, values, &mut out);
    (out, end)
}

fn offset(placed: &[Placed], path: &str) -> usize {
    placed
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("{path} not placed"))
        .offset
}

fn method<'a>(classes: &'a BTreeMap<String, Class>, class: &str, id: u32) -> &'a Method {
    classes[class]
        .methods
        .iter()
        .find(|m| m.qualifiers["wmimethodid"][0] == id.to_string())
        .unwrap_or_else(|| panic!("{class} has no method {id}"))
}

fn values(pairs: &[(&str, u64)]) -> Values {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

/// Writes `bytes` at `path`'s offset (a buffer built the way WMI marshals it).
fn put(buffer: &mut Vec<u8>, placed: &[Placed], path: &str, bytes: &[u8]) {
    let at = offset(placed, path);
    if buffer.len() < at + bytes.len() {
        buffer.resize(at + bytes.len(), 0);
    }
    buffer[at..at + bytes.len()].copy_from_slice(bytes);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn the_mof_names_the_classes_guids_and_method_ids_the_core_serves() {
    let classes = schema();
    let guid = |name: &str| classes[name].qualifiers["guid"][0].to_ascii_uppercase();
    assert_eq!(
        guid("MSiSCSI_SecurityConfigOperations"),
        std::format!("{{{}}}", SECURITY_CONFIG_OPERATIONS_GUID)
    );
    assert_eq!(
        guid("MSiSCSI_Operations"),
        std::format!("{{{}}}", OPERATIONS_GUID)
    );
    for id in [
        ids::SET_PRESHARED_KEY_FOR_ID,
        ids::GET_PRESHARED_KEY_FOR_ID,
        ids::SET_GROUP_PRESHARED_KEY,
        ids::SET_TUNNEL_MODE_OUTER_ADDRESS,
        ids::CLEAR_CACHE,
        ids::SET_GENERATIONAL_GUID,
    ] {
        method(&classes, "MSiSCSI_SecurityConfigOperations", id);
    }
    assert_eq!(
        method(&classes, "MSiSCSI_Operations", ids::SET_CHAP_SHARED_SECRET).name,
        "SetCHAPSharedSecret"
    );
    // The whole MSiSCSI_Operations class of iscsiop.h, not only the method served.
    let mut all: Vec<u64> = classes["MSiSCSI_Operations"]
        .methods
        .iter()
        .map(|m| m.qualifiers["wmimethodid"][0].parse().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(
        all,
        [
            10, 30, 31, 32, 33, 34, 50, 51, 52, 71, 72, 91, 92, 101, 102, 103, 104
        ]
    );
    for class in ["MSiSCSI_SecurityConfigOperations", "MSiSCSI_Operations"] {
        let c = &classes[class];
        assert!(c.qualifiers.contains_key("dynamic") && c.qualifiers["provider"] == ["WmiProv"]);
        assert!(
            c.properties
                .iter()
                .any(|p| p.name == "InstanceName" && p.has("key"))
        );
        assert!(c.properties.iter().any(|p| p.name == "Active"));
        assert!(
            c.methods
                .iter()
                .all(|m| m.qualifiers.contains_key("implemented"))
        );
    }
}

#[test]
fn every_method_numbers_its_items_in_then_out_from_one_and_sizes_variable_arrays_by_an_earlier_item()
 {
    let classes = schema();
    for class in classes.values() {
        for m in &class.methods {
            let ids: Vec<u64> = m
                .params
                .iter()
                .map(|p| p.data_id().expect("WmiDataId"))
                .collect();
            let expected: Vec<u64> = (1..=ids.len() as u64).collect();
            assert_eq!(ids, expected, "{}.{}", class.name, m.name);
            let first_out = m
                .params
                .iter()
                .position(|p| p.has("out"))
                .unwrap_or(m.params.len());
            assert!(
                m.params[..first_out].iter().all(|p| p.has("in")),
                "{}: IN items first",
                m.name
            );
            assert!(
                m.params[first_out..].iter().all(|p| p.has("out")),
                "{}: then OUT items",
                m.name
            );
            for (i, p) in m.params.iter().enumerate() {
                if p.array == Some(None) {
                    let size_is = p
                        .one("wmisizeis")
                        .unwrap_or_else(|| panic!("{}.{} needs WmiSizeIs", m.name, p.name));
                    let sizer = m.params[..i]
                        .iter()
                        .find(|q| q.name.eq_ignore_ascii_case(size_is));
                    let sizer = sizer
                        .unwrap_or_else(|| panic!("{}.{}: {size_is} comes first", m.name, p.name));
                    assert_eq!(sizer.ty, "uint32");
                    assert_eq!(sizer.has("in"), p.has("in"), "same direction");
                }
                if p.ty == "string" {
                    assert!(
                        p.one("maxlen").is_some(),
                        "{}.{}: WCHAR[N + 1] is MaxLen(N)",
                        m.name,
                        p.name
                    );
                }
            }
        }
    }
}

#[test]
fn derived_layouts_of_methods_1_2_3_6_and_71_match_spec_section_2_and_the_core() {
    let classes = schema();
    let sec = "MSiSCSI_SecurityConfigOperations";
    let v = values(&[("IdSize", 17), ("KeySize", 9), ("SharedSecretSize", 12)]);

    let (set, end) = layout(&classes, method(&classes, sec, 1), "in", &v);
    let offsets: Vec<(&str, usize)> = set.iter().map(|p| (p.path.as_str(), p.offset)).collect();
    assert_eq!(
        offsets,
        [
            ("PortNumber", 0),
            ("SecurityFlags", 8),
            ("IdType", 16),
            ("IdSize", 20),
            ("KeySize", 24),
            ("Id", 28),
            ("Key", 45)
        ]
    );
    assert_eq!(end, 28 + 17 + 9);
    assert_eq!(
        offset(&set, "Id"),
        wire::set_preshared_key_for_id::FIXED_LEN
    );

    let (get, _) = layout(&classes, method(&classes, sec, 2), "in", &v);
    let offsets: Vec<(&str, usize)> = get.iter().map(|p| (p.path.as_str(), p.offset)).collect();
    assert_eq!(
        offsets,
        [("PortNumber", 0), ("IdType", 4), ("IdSize", 8), ("Id", 12)]
    );
    assert_eq!(
        offset(&get, "Id"),
        wire::get_preshared_key_for_id::FIXED_LEN
    );
    let (get_out, get_out_end) = layout(&classes, method(&classes, sec, 2), "out", &v);
    assert_eq!(
        (
            offset(&get_out, "Status"),
            offset(&get_out, "SecurityFlags"),
            get_out_end
        ),
        (0, 8, 16)
    );
    assert_eq!(get_out_end, wire::get_preshared_key_for_id::OUT_LEN);

    let (group, _) = layout(&classes, method(&classes, sec, 3), "in", &v);
    assert_eq!(
        (offset(&group, "KeySize"), offset(&group, "Key")),
        (0, wire::set_group_preshared_key::FIXED_LEN)
    );
    let (guid, guid_end) = layout(&classes, method(&classes, sec, 6), "in", &v);
    assert_eq!(
        (offset(&guid, "GenerationalGuid"), guid_end),
        (0, wire::set_generational_guid::FIXED_LEN)
    );
    let (clear, clear_end) = layout(&classes, method(&classes, sec, 5), "in", &v);
    assert!(clear.is_empty() && clear_end == 0, "ClearCache has no IN");
    let (chap, _) = layout(
        &classes,
        method(&classes, "MSiSCSI_Operations", 71),
        "in",
        &v,
    );
    assert_eq!(
        (
            offset(&chap, "SharedSecretSize"),
            offset(&chap, "SharedSecret")
        ),
        (0, wire::set_chap_shared_secret::FIXED_LEN)
    );

    // Every served method's OUT is what the core writes and asks OutBufferSize to hold.
    for (class, guid, id) in [
        (sec, SECURITY_CONFIG_OPERATIONS_GUID, 1),
        (sec, SECURITY_CONFIG_OPERATIONS_GUID, 2),
        (sec, SECURITY_CONFIG_OPERATIONS_GUID, 3),
        (sec, SECURITY_CONFIG_OPERATIONS_GUID, 4),
        (sec, SECURITY_CONFIG_OPERATIONS_GUID, 5),
        (sec, SECURITY_CONFIG_OPERATIONS_GUID, 6),
        ("MSiSCSI_Operations", OPERATIONS_GUID, 71),
    ] {
        let (out, end) = layout(&classes, method(&classes, class, id), "out", &v);
        assert_eq!(offset(&out, "Status"), 0);
        let core = iscsisec_core::provider::out_size(&guid, id).expect("served");
        assert_eq!(end as u32, core, "{class} method {id}");
    }
}

#[test]
fn derived_layout_of_method_4_is_the_packed_one_of_spec_section_2() {
    let classes = schema();
    let m = method(&classes, "MSiSCSI_SecurityConfigOperations", 4);
    for (l1, l2) in [
        (0u64, 0u64),
        (2, 2),
        (18, 6),
        (20, 512),
        (510, 30),
        (512, 512),
    ] {
        let v = values(&[
            ("DestinationAddress.TextAddress", l1),
            ("TunnelModeOuterAddress.TextAddress", l2),
        ]);
        let (placed, end) = layout(&classes, m, "in", &v);
        // SPEC §2: ISCSI_IP_Address fields at 0, 4, 8, 24, 28 and TextAddress at 32, the
        // struct aligned to 4; the destination at 4, the outer address at align4(38 + L1).
        let dest = offset(&placed, "DestinationAddress");
        assert_eq!(dest, 4);
        for (field, at) in [
            ("Type", 0),
            ("IpV4Address", 4),
            ("IpV6Address", 8),
            ("IpV6FlowInfo", 24),
            ("IpV6ScopeId", 28),
            ("TextAddress", 32),
        ] {
            assert_eq!(
                offset(&placed, &std::format!("DestinationAddress.{field}")),
                dest + at,
                "{field}"
            );
        }
        let outer = offset(&placed, "TunnelModeOuterAddress");
        assert_eq!(outer as u64, (38 + l1).next_multiple_of(4), "L1 = {l1}");
        assert_eq!(
            end as u64,
            outer as u64 + 34 + l2,
            "the buffer ends after the outer text"
        );
        // The core's fixed part (rule 3) is the first 38 bytes: up to the destination's L1.
        assert_eq!(offset(&placed, "DestinationAddress.TextAddress") + 2, 38);
        if l1 == 512 {
            assert_eq!(
                outer, 552,
                "with L1 = 512 the packed and C layouts agree (SPEC §2)"
            );
        }
    }
    // The core reads what the MOF describes: MaxLen(256) texts, the fixed part up to L1.
    assert_eq!(wire::ip_address::MAX_TEXT_ADDRESS_UNITS, 256, "MaxLen(256)");
    assert_eq!(wire::set_tunnel_mode_outer_address::FIXED_LEN, 38);
    assert_eq!(
        wire::set_tunnel_mode_outer_address::FIXED_STRIDE_OUTER_ADDRESS,
        552,
        "the C struct's stride"
    );
}

#[test]
fn buffers_built_from_the_mof_layout_are_what_the_core_parses() {
    let classes = schema();
    let machine = booted();
    let sec = "MSiSCSI_SecurityConfigOperations";
    let id = b"mof.example";
    let key = b"key from the mof";
    let v = values(&[("IdSize", id.len() as u64), ("KeySize", key.len() as u64)]);

    let (set, end) = layout(&classes, method(&classes, sec, 1), "in", &v);
    let mut buffer = std::vec![0u8; end];
    put(&mut buffer, &set, "PortNumber", &1u32.to_le_bytes());
    put(
        &mut buffer,
        &set,
        "SecurityFlags",
        &0x0000_0000_0000_0019u64.to_le_bytes(),
    );
    put(&mut buffer, &set, "IdType", &[2]);
    put(
        &mut buffer,
        &set,
        "IdSize",
        &(id.len() as u32).to_le_bytes(),
    );
    put(
        &mut buffer,
        &set,
        "KeySize",
        &(key.len() as u32).to_le_bytes(),
    );
    put(&mut buffer, &set, "Id", id);
    put(&mut buffer, &set, "Key", key);
    let answer = machine.wmi_execute(&SECURITY, 1, &buffer, 4);
    assert_eq!(out_status(&answer), isdsc::SUCCESS);

    let (get, end) = layout(&classes, method(&classes, sec, 2), "in", &v);
    let mut buffer = std::vec![0u8; end];
    put(&mut buffer, &get, "PortNumber", &1u32.to_le_bytes());
    put(&mut buffer, &get, "IdType", &[2]);
    put(
        &mut buffer,
        &get,
        "IdSize",
        &(id.len() as u32).to_le_bytes(),
    );
    put(&mut buffer, &get, "Id", id);
    let (out, out_end) = layout(&classes, method(&classes, sec, 2), "out", &v);
    let answer = machine.wmi_execute(&SECURITY, 2, &buffer, out_end as u32);
    assert_eq!(out_status(&answer), isdsc::SUCCESS);
    let flags_at = offset(&out, "SecurityFlags");
    assert_eq!(
        u64::from_le_bytes(answer.out[flags_at..flags_at + 8].try_into().unwrap()),
        0x19
    );

    let secret = b"from-the-mof";
    let v = values(&[("SharedSecretSize", secret.len() as u64)]);
    let (chap, end) = layout(
        &classes,
        method(&classes, "MSiSCSI_Operations", 71),
        "in",
        &v,
    );
    let mut buffer = std::vec![0u8; end];
    put(
        &mut buffer,
        &chap,
        "SharedSecretSize",
        &(secret.len() as u32).to_le_bytes(),
    );
    put(&mut buffer, &chap, "SharedSecret", secret);
    assert_eq!(
        out_status(&machine.wmi_execute(&OPERATIONS, 71, &buffer, 4)),
        isdsc::SUCCESS
    );
    let stored = machine
        .with_state(|s| s.with_provider(|p| p.expect("started").table().chap_secret().is_some()));
    assert!(stored);
}
