//! SPEC §4 ClearCache (method 5): clears explicit keys, the group key and the CHAP secret (and
//! damaged records: see `damaged.rs`); keeps tunnel mappings and the generational GUID.

use crate::common::*;

#[test]
fn clear_cache_clears_keys_group_key_and_chap_secret_and_keeps_tunnels_and_guid() {
    let t = iscsisec!();
    let before = populate(&t);
    assert_eq!(psks_of(&before).len(), 2);
    let a = t.exec(SECURITY_CONFIG, method::CLEAR_CACHE, &[]);
    assert_eq!(
        (a.ntstatus, a.used, a.out.clone()),
        (nt::SUCCESS, 4, status_out(0))
    );
    let after = show(&t);
    assert_eq!(after["psk"], json!([]), "{after}");
    assert_eq!(after["group_key"], json!(false));
    assert_eq!(after["chap_secret_bytes"], json!(0));
    assert_eq!(after["corrupt_records"], json!(0));
    assert_eq!(tunnels_of(&after), tunnels_of(&before));
    assert_eq!(
        tunnels_of(&after),
        vec![
            tunnel("*", "target.example.com", "gw"),
            tunnel("0", V4_TEXT, "198.51.100.1"),
        ]
    );
    assert_eq!(
        after["generational_guid"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some(GUID_TEXT)
    );
    // Nothing is left for the lookup or for Get.
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!((l.code, l.line()), (Some(1), "source=none"));
    assert_eq!(
        t.get_psk(0, id_type::IPV4, &V4),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    assert_eq!(
        t.get_psk(1, id_type::FQDN, FQDN),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn clear_cache_on_an_empty_state_succeeds_and_is_repeatable() {
    let t = iscsisec!();
    let before = show(&t);
    assert_eq!(t.clear_cache(), isdsc::SUCCESS);
    assert_eq!(t.clear_cache(), isdsc::SUCCESS);
    assert_eq!(show(&t), before);
}

#[test]
fn everything_can_be_set_again_after_clear_cache() {
    let t = iscsisec!();
    populate(&t);
    assert_eq!(t.clear_cache(), isdsc::SUCCESS);
    assert_eq!(
        t.set_psk(0, 0x07, id_type::IPV4, &V4, b"again"),
        isdsc::SUCCESS
    );
    assert_eq!(t.set_group_key(b"g2"), isdsc::SUCCESS);
    assert_eq!(t.set_chap(b"0123456789ab"), isdsc::SUCCESS);
    assert_eq!(psks(&t), vec![psk("0", 1, V4_TEXT, 7)]);
    assert!(has_group_key(&t));
    assert_eq!(chap_secret_bytes(&t), 12);
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"again")));
}
