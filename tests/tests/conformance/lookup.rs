//! SPEC §5 through `iscsisec lookup` (§7): precedence port → all ports → group → none.

use crate::common::*;

const PORT_KEY: &[u8] = b"port key";
const ALL_KEY: &[u8] = b"all-ports key";
const GROUP_KEY: &[u8] = b"group key";

/// One row of the precedence table: what is configured for the identifier (port 0 entry,
/// all-ports entry, group key), the port looked up, and the expected `source` and key.
struct Row {
    port_entry: bool,
    all_entry: bool,
    group: bool,
    query: &'static str,
    expect: Option<(&'static str, &'static [u8])>,
}

#[test]
fn precedence_table() {
    let rows = [
        (true, true, true, "0", Some(("port", PORT_KEY))),
        (true, true, false, "0", Some(("port", PORT_KEY))),
        (true, false, true, "0", Some(("port", PORT_KEY))),
        (true, false, false, "0", Some(("port", PORT_KEY))),
        (false, true, true, "0", Some(("all-ports", ALL_KEY))),
        (false, true, false, "0", Some(("all-ports", ALL_KEY))),
        (false, false, true, "0", Some(("group", GROUP_KEY))),
        (false, false, false, "0", None),
        // Another port: the port-0 entry does not apply.
        (true, true, true, "1", Some(("all-ports", ALL_KEY))),
        (true, false, true, "1", Some(("group", GROUP_KEY))),
        (true, false, false, "1", None),
        // All ports: only the all-ports entry, then the group key.
        (true, true, true, "*", Some(("all-ports", ALL_KEY))),
        (true, false, true, "*", Some(("group", GROUP_KEY))),
        (true, false, false, "*", None),
    ]
    .map(|(port_entry, all_entry, group, query, expect)| Row {
        port_entry,
        all_entry,
        group,
        query,
        expect,
    });
    for row in rows {
        let t = iscsisec!();
        if row.port_entry {
            assert_eq!(
                t.set_psk(0, 1, id_type::FQDN, FQDN, PORT_KEY),
                isdsc::SUCCESS
            );
        }
        if row.all_entry {
            assert_eq!(
                t.set_psk(ALL_PORTS, 1, id_type::FQDN, FQDN, ALL_KEY),
                isdsc::SUCCESS
            );
        }
        if row.group {
            assert_eq!(t.set_group_key(GROUP_KEY), isdsc::SUCCESS);
        }
        let what = format!(
            "port entry {}, all-ports entry {}, group {}, lookup --port {}",
            row.port_entry, row.all_entry, row.group, row.query
        );
        let revealed = t.lookup(row.query, "fqdn", "initiator.example.com", true);
        let plain = t.lookup(row.query, "2", "Initiator.Example.Com", false);
        match row.expect {
            Some((source, key)) => {
                assert_eq!(
                    (revealed.code, revealed.line()),
                    (
                        Some(0),
                        format!("source={source} key={}", hex(key)).as_str()
                    ),
                    "{what}: {}",
                    revealed.stderr
                );
                assert_eq!(
                    (plain.code, plain.line()),
                    (Some(0), format!("source={source}").as_str()),
                    "{what}"
                );
            }
            None => {
                assert_eq!(
                    (revealed.code, revealed.line()),
                    (Some(1), "source=none"),
                    "{what}"
                );
                assert_eq!(
                    (plain.code, plain.line()),
                    (Some(1), "source=none"),
                    "{what}"
                );
            }
        }
    }
}

#[test]
fn lookup_takes_every_id_type_by_name_or_number() {
    let t = iscsisec!();
    let ids: [(u8, &[u8], &str, &str, &str); 4] = [
        (id_type::IPV4, &V4, "ipv4", "1", V4_TEXT),
        (id_type::FQDN, FQDN, "fqdn", "2", "initiator.example.com"),
        (
            id_type::USER_FQDN,
            USER_FQDN,
            "user-fqdn",
            "3",
            "iscsi@initiator.example.com",
        ),
        (id_type::IPV6, &V6, "ipv6", "5", V6_TEXT),
    ];
    for (ty, id, name, number, text) in ids {
        let key = format!("key for {name}");
        assert_eq!(t.set_psk(1, 1, ty, id, key.as_bytes()), isdsc::SUCCESS);
        for id_type in [name, number] {
            let l = t.lookup("1", id_type, text, true);
            assert_eq!(
                (l.code, l.line()),
                (
                    Some(0),
                    format!("source=port key={}", hex(key.as_bytes())).as_str()
                ),
                "--id-type {id_type} --id {text}: {}",
                l.stderr
            );
        }
    }
    // An IPv6 address in another textual form is the same address.
    let l = t.lookup(
        "1",
        "ipv6",
        "2001:0db8:0000:0000:0000:0000:0000:0010",
        false,
    );
    assert_eq!((l.code, l.line()), (Some(0), "source=port"));
}

#[test]
fn lookup_of_a_port_not_below_ports_is_exit_2() {
    let t = iscsisec!();
    assert_eq!(t.set_group_key(GROUP_KEY), isdsc::SUCCESS);
    for port in ["2", "3", "4294967294"] {
        let l = t.lookup(port, "fqdn", "a.example", true);
        assert_eq!(l.code, Some(2), "--port {port}: {}", l.stdout);
        assert!(!l.stdout.contains(&hex(GROUP_KEY)));
    }
    let t4 = iscsisec!().ports(4);
    assert_eq!(t4.set_group_key(GROUP_KEY), isdsc::SUCCESS);
    assert_eq!(
        t4.lookup("3", "fqdn", "a.example", false).line(),
        "source=group"
    );
}

#[test]
fn lookup_prints_key_bytes_only_with_reveal() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 1, id_type::IPV4, &V4, b"SECRET-PORT-KEY"),
        isdsc::SUCCESS
    );
    let l = t.lookup("0", "ipv4", V4_TEXT, false);
    assert_eq!((l.code, l.stdout.as_str()), (Some(0), "source=port\n"));
    assert!(!l.stderr.contains("SECRET") && !l.stderr.contains(&hex(b"SECRET-PORT-KEY")));
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!(
        l.stdout,
        format!("source=port key={}\n", hex(b"SECRET-PORT-KEY"))
    );
}
