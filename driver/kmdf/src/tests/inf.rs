//! inf/iscsisec.inx and inf/iscsisec.rc, read as text: the principals, the WMI sections, the
//! device class, the KMDF service and the MOFDATA name the driver assigns.

extern crate std;

use std::string::{String, ToString};
use std::vec::Vec;

use iscsisec_core::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID};

const INX: &str = include_str!("../../../../inf/iscsisec.inx");
const RC: &str = include_str!("../../../../inf/iscsisec.rc");

/// The INX without comments, as (section, lines).
fn sections() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in INX.lines() {
        let line = strip_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            lines.push(line.to_string());
        }
    }
    out
}

fn section(name: &str) -> Vec<String> {
    sections()
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, l)| l)
        .unwrap_or_else(|| panic!("no [{name}]"))
}

/// A line without its comment (`;` outside double quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The trustees of the ACEs of an SDDL string (`D:P(A;;GA;;;SY)` gives `SY`).
fn trustees(sddl: &str) -> Vec<String> {
    sddl.split('(')
        .skip(1)
        .map(|ace| {
            ace.trim_end_matches(')')
                .rsplit(';')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn every_descriptor_in_the_inx_names_only_system_and_administrators() {
    let sddls: Vec<&str> = INX
        .lines()
        .filter(|l| !l.trim_start().starts_with(';'))
        .filter_map(|l| l.split('"').nth(1))
        .filter(|s| s.starts_with("D:"))
        .collect();
    assert_eq!(
        sddls.len(),
        2,
        "the WMI security and the store key: {sddls:?}"
    );
    for sddl in sddls {
        assert!(
            sddl.starts_with("D:P"),
            "protected from inheritance: {sddl}"
        );
        let mut who = trustees(sddl);
        who.sort();
        assert_eq!(who, ["BA", "SY"], "{sddl}");
        assert!(
            !sddl.contains("O:") && !sddl.contains("S:"),
            "no owner or SACL given: {sddl}"
        );
    }
}

#[test]
fn both_class_guids_get_the_restricted_descriptor_replacing_an_existing_one() {
    let wmi = section("IscsiSec_Device.NT.WMI");
    for guid in [SECURITY_CONFIG_OPERATIONS_GUID, OPERATIONS_GUID] {
        let entry = std::format!("WMIInterface = {{{guid}}},0x00000001,IscsiSec_Wmi_Security");
        assert!(
            wmi.iter().any(|l| l.eq_ignore_ascii_case(&entry)),
            "{entry} in {wmi:?}"
        );
    }
    assert_eq!(
        section("IscsiSec_Wmi_Security"),
        ["Security = \"D:P(A;;GA;;;SY)(A;;GA;;;BA)\""]
    );
}

#[test]
fn the_inx_installs_a_root_enumerated_kmdf_device_of_a_real_class() {
    let version = section("Version");
    assert!(version.contains(&String::from("Class       = System")));
    assert!(
        version
            .iter()
            .any(|l| l.contains("{4d36e97d-e325-11ce-bfc1-08002be10318}"))
    );
    assert!(!INX.contains("Sample"), "not the samples' Class=Sample");
    assert!(
        section("Standard.NT$ARCH$.10.0...22000")
            .iter()
            .any(|l| l.ends_with("Root\\iScsiSec"))
    );
    assert_eq!(
        section("IscsiSec_Device.NT.Wdf"),
        ["KmdfService = iscsisec, IscsiSec_Wdf"]
    );
    assert_eq!(
        section("IscsiSec_Wdf"),
        ["KmdfLibraryVersion = $KMDFVERSION$"]
    );
    let service = section("IscsiSec_Service");
    assert!(service.iter().any(|l| l.starts_with("ServiceType   = 1")));
    assert!(service.iter().any(|l| l.contains("%13%\\iscsisec.sys")));
    assert!(
        section("IscsiSec_Store_AddReg")
            .iter()
            .any(|l| l.contains(crate::registry::SUBKEY_NAME))
    );
}

#[test]
fn the_rc_names_the_mofdata_resource_the_driver_assigns() {
    let line = RC
        .lines()
        .find(|l| !l.trim_start().starts_with("//") && l.contains("MOFDATA"))
        .expect("a MOFDATA line");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        words,
        [crate::wmi::MOF_RESOURCE_NAME, "MOFDATA", "iscsisec.bmf"]
    );
}
