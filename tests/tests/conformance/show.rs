//! SPEC §7 `show --json`: its shape, and that it never carries key or secret bytes.

use crate::common::*;

#[test]
fn show_json_of_an_empty_state() {
    let t = iscsisec!();
    let v = show(&t);
    let object = v.as_object().expect("one JSON object");
    for field in [
        "group_key",
        "psk",
        "chap_secret_bytes",
        "generational_guid",
        "tunnel",
        "corrupt_records",
    ] {
        assert!(object.contains_key(field), "missing {field}: {v}");
    }
    assert_eq!(v["group_key"], json!(false));
    assert_eq!(v["psk"], json!([]));
    assert_eq!(v["chap_secret_bytes"], json!(0));
    assert_eq!(v["tunnel"], json!([]));
    assert_eq!(v["corrupt_records"], json!(0));
    assert_eq!(
        v["generational_guid"].as_str(),
        Some("00000000-0000-0000-0000-000000000000")
    );
}

#[test]
fn show_json_describes_every_entry() {
    let t = iscsisec!();
    let v = populate(&t);
    assert_eq!(
        psks_of(&v),
        vec![
            psk("*", id_type::FQDN, "initiator.example.com", 0x09),
            psk("0", id_type::IPV4, V4_TEXT, 0x07),
        ]
    );
    // Ports are numbers, all ports is the string "*".
    for e in v["psk"].as_array().into_iter().flatten() {
        assert!(e["port"].is_u64() || e["port"] == json!("*"), "{e}");
    }
    assert_eq!(v["group_key"], json!(true));
    assert_eq!(v["chap_secret_bytes"], json!(16));
    assert_eq!(
        v["generational_guid"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some(GUID_TEXT)
    );
    assert_eq!(
        tunnels_of(&v),
        vec![
            tunnel("*", "target.example.com", "gw"),
            tunnel("0", V4_TEXT, "198.51.100.1"),
        ]
    );
}

#[test]
fn show_json_never_contains_key_or_secret_bytes() {
    let t = iscsisec!();
    let port_key = b"PortKeyBytes-7f3a";
    let group_key = b"GroupKeyBytes-91c2";
    let chap = b"ChapSecret-55e1";
    assert_eq!(
        t.set_psk(0, 1, id_type::FQDN, b"a.example", port_key),
        isdsc::SUCCESS
    );
    assert_eq!(
        t.set_psk(
            ALL_PORTS,
            1,
            id_type::IPV4,
            &V4,
            &[0xDE, 0xAD, 0xBE, 0xEF, 0x42]
        ),
        isdsc::SUCCESS
    );
    assert_eq!(t.set_group_key(group_key), isdsc::SUCCESS);
    assert_eq!(t.set_chap(chap), isdsc::SUCCESS);
    let out = t.run(&["show", "--json"], &[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [
        &port_key[..],
        group_key,
        chap,
        &[0xDE, 0xAD, 0xBE, 0xEF, 0x42],
    ] {
        let h = hex(secret);
        assert!(
            !text.contains(&String::from_utf8_lossy(secret).into_owned()),
            "{text}"
        );
        assert!(!text.to_ascii_lowercase().contains(&h), "{text}");
    }
    // And the same for the exec answers: OUT never carries a key.
    let a = t.exec(
        SECURITY_CONFIG,
        method::GET_PSK,
        &get_psk_in(0, id_type::FQDN, b"a.example"),
    );
    assert_eq!(a.out.len(), 16);
    assert!(!a.stderr.contains("PortKeyBytes"));
}
