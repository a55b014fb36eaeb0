//! SPEC §3: how a call is answered before its operation runs (rules 0–3), and §7's `exec`
//! conventions (class names and GUIDs, OutBufferSize, stdout).

use crate::common::*;

/// Every method with a valid IN that would change something (or, for Get, find something),
/// its class and its OUT size.
fn valid_calls() -> Vec<(&'static str, &'static str, u32, Vec<u8>, u32)> {
    vec![
        (
            "SetPresharedKeyForId",
            SECURITY_CONFIG,
            method::SET_PSK,
            set_psk_in(0, 0x07, id_type::IPV4, &V4, b"new key"),
            STATUS_OUT_LEN,
        ),
        (
            "GetPresharedKeyForId",
            SECURITY_CONFIG,
            method::GET_PSK,
            get_psk_in(0, id_type::IPV4, &V4),
            GET_PSK_OUT_LEN,
        ),
        (
            "SetGroupPresharedKey",
            SECURITY_CONFIG,
            method::SET_GROUP_KEY,
            sized_in(b"new group key"),
            STATUS_OUT_LEN,
        ),
        (
            "SetTunnelModeOuterAddress",
            SECURITY_CONFIG,
            method::SET_TUNNEL,
            tunnel_in(1, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
            STATUS_OUT_LEN,
        ),
        (
            "ClearCache",
            SECURITY_CONFIG,
            method::CLEAR_CACHE,
            Vec::new(),
            STATUS_OUT_LEN,
        ),
        (
            "SetGenerationalGuid",
            SECURITY_CONFIG,
            method::SET_GUID,
            vec![0x42; 16],
            STATUS_OUT_LEN,
        ),
        (
            "SetCHAPSharedSecret",
            OPERATIONS,
            method::SET_CHAP,
            sized_in(b"another secret"),
            STATUS_OUT_LEN,
        ),
    ]
}

// ----- rule 0: another class never reaches dispatch; `exec` refuses it (exit 2) -----

#[test]
fn another_class_is_a_usage_error_with_exit_2() {
    let t = iscsisec!();
    let before = populate(&t);
    for class in [
        "MSiSCSI_Foo",
        "MSiSCSI_SecurityConfigOperationsX",
        "00000000-0000-0000-0000-000000000000",
        "{391F3325-0BA3-4083-A861-CF4F6F97A528}",
        "391F3325-0BA3-4083-A861-CF4F6F97A52",
        "",
    ] {
        for method_id in ["5", "71"] {
            let out = t.run(&["exec", class, method_id], &[]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "exec {class:?} {method_id}: another class is exit 2; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.stdout.is_empty(), "exec {class:?}: no OUT");
        }
    }
    assert_eq!(show(&t), before, "a refused class changed the state");
}

#[test]
fn classes_by_guid_with_or_without_braces_in_any_case() {
    let t = iscsisec!();
    for class in [
        "{391F3325-0BA3-4083-A861-CF4F6F97A527}",
        "391f3325-0ba3-4083-a861-cf4f6f97a527",
        "{391f3325-0BA3-4083-a861-CF4F6F97A527}",
        SECURITY_CONFIG_GUID,
    ] {
        let a = t.exec(class, method::SET_GROUP_KEY, &sized_in(b"k"));
        assert_eq!(a.status(), isdsc::SUCCESS, "class {class}");
    }
    for class in [
        "{EA4D82BF-29DA-4E12-800A-E5437964462C}",
        "ea4d82bf-29da-4e12-800a-e5437964462c",
        OPERATIONS_GUID,
    ] {
        let a = t.exec(class, method::SET_CHAP, &sized_in(b"0123456789ab"));
        assert_eq!(a.status(), isdsc::SUCCESS, "class {class}");
    }
    assert!(has_group_key(&t));
    assert_eq!(chap_secret_bytes(&t), 12);
}

// ----- rule 1: unknown method ids -----

#[test]
fn unknown_method_ids_of_security_config_operations() {
    let t = iscsisec!();
    let before = populate(&t);
    // A buffer that would be a valid call to method 1 or 5, to show it is not read.
    let input = set_psk_in(0, 0, id_type::IPV4, &[10, 0, 0, 1], b"k");
    for id in [0u32, 7, 8, 70, 71, 72, 0x100, 0xFFFF_FFFF] {
        t.exec(SECURITY_CONFIG, id, &input)
            .assert_refused(nt::WMI_ITEMID_NOT_FOUND, 0);
        t.exec(SECURITY_CONFIG_GUID, id, &[])
            .assert_refused(nt::WMI_ITEMID_NOT_FOUND, 0);
    }
    assert_eq!(show(&t), before);
}

#[test]
fn unknown_method_ids_of_operations() {
    let t = iscsisec!();
    let before = populate(&t);
    let input = sized_in(b"0123456789ab");
    for id in [0u32, 1, 2, 3, 4, 5, 6, 70, 72, 0xFFFF_FFFF] {
        t.exec(OPERATIONS, id, &input)
            .assert_refused(nt::WMI_ITEMID_NOT_FOUND, 0);
    }
    assert_eq!(
        show(&t),
        before,
        "ClearCache (5) is not a method of MSiSCSI_Operations"
    );
}

#[test]
fn unknown_method_id_wins_over_a_small_out_size() {
    let t = iscsisec!();
    for out_size in [0u32, 3, 16, 4096] {
        t.exec_out(SECURITY_CONFIG, 9, &[], out_size)
            .assert_refused(nt::WMI_ITEMID_NOT_FOUND, 0);
        t.exec_out(OPERATIONS, 1, &[], out_size)
            .assert_refused(nt::WMI_ITEMID_NOT_FOUND, 0);
    }
}

// ----- rule 2: OutBufferSize below the OUT size, checked before anything is read -----

fn assert_small_out_changes_nothing(name: &str, class: &str, id: u32, input: &[u8], out_len: u32) {
    let t = iscsisec!();
    let before = populate(&t);
    for out_size in [0, 1, out_len - 1] {
        t.exec_out(class, id, input, out_size)
            .assert_refused(nt::BUFFER_TOO_SMALL, out_len);
    }
    assert_eq!(
        show(&t),
        before,
        "{name}: a call with a small OUT changed the state"
    );
    // The explicit key `populate` set is still what it was.
    assert_eq!(
        t.get_psk(0, id_type::IPV4, &V4),
        (isdsc::SUCCESS, 0x07),
        "{name}"
    );
    // And the same call with the right OUT size is served.
    let ok = t.exec_out(class, id, input, out_len);
    assert_eq!(ok.ntstatus, nt::SUCCESS, "{name}: {ok:?}");
    assert_eq!(ok.used, out_len, "{name}");
}

#[test]
fn small_out_set_preshared_key_for_id() {
    let (n, c, id, input, len) = valid_calls().swap_remove(0);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_get_preshared_key_for_id() {
    let (n, c, id, input, len) = valid_calls().swap_remove(1);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_set_group_preshared_key() {
    let (n, c, id, input, len) = valid_calls().swap_remove(2);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_set_tunnel_mode_outer_address() {
    let (n, c, id, input, len) = valid_calls().swap_remove(3);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_clear_cache() {
    let (n, c, id, input, len) = valid_calls().swap_remove(4);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_set_generational_guid() {
    let (n, c, id, input, len) = valid_calls().swap_remove(5);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_set_chap_shared_secret() {
    let (n, c, id, input, len) = valid_calls().swap_remove(6);
    assert_small_out_changes_nothing(n, c, id, &input, len);
}

#[test]
fn small_out_is_checked_before_a_short_in() {
    let t = iscsisec!();
    for (name, class, id, _, out_len) in valid_calls() {
        for input in [&[][..], &[0xFF; 3][..]] {
            let a = t.exec_out(class, id, input, out_len - 1);
            assert_eq!(
                (a.ntstatus, a.used, a.out.len()),
                (nt::BUFFER_TOO_SMALL, out_len, 0),
                "{name} with {} IN bytes: {a:?}",
                input.len()
            );
        }
    }
}

#[test]
fn default_out_size_is_the_methods_and_a_larger_one_uses_only_the_out_size() {
    let t = iscsisec!();
    assert_eq!(t.set_psk(0, 0x05, id_type::IPV4, &V4, b"k"), isdsc::SUCCESS);
    for out_size in [4u32, 17, 4096, 65536] {
        let a = t.exec_out(
            SECURITY_CONFIG,
            method::SET_GROUP_KEY,
            &sized_in(b"g"),
            out_size,
        );
        assert_eq!(
            (a.ntstatus, a.used),
            (nt::SUCCESS, 4),
            "--out-size {out_size}"
        );
        assert_eq!(a.out, status_out(isdsc::SUCCESS), "--out-size {out_size}");
    }
    for out_size in [16u32, 17, 65536] {
        let a = t.exec_out(
            SECURITY_CONFIG,
            method::GET_PSK,
            &get_psk_in(0, id_type::IPV4, &V4),
            out_size,
        );
        assert_eq!(
            (a.ntstatus, a.used),
            (nt::SUCCESS, 16),
            "--out-size {out_size}"
        );
        assert_eq!(
            a.out,
            [0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0],
            "--out-size {out_size}"
        );
    }
}

// ----- rule 3: IN shorter than the fixed part or the declared sizes -----

/// Asserts that every input is refused with STATUS_INVALID_PARAMETER, used 0, no OUT, and
/// that nothing changed.
fn assert_short_in_refused(t: &Iscsisec, class: &str, id: u32, inputs: &[(&str, Vec<u8>)]) {
    let before = show(t);
    for (what, input) in inputs {
        let a = t.exec(class, id, input);
        assert_eq!(
            (a.ntstatus, a.used, a.out.len()),
            (nt::INVALID_PARAMETER, 0, 0),
            "method {id}, {what}: {a:?}"
        );
    }
    assert_eq!(show(t), before, "method {id}: a short IN changed the state");
}

#[test]
fn short_in_set_preshared_key_for_id() {
    let t = iscsisec!();
    let key = b"0123456789";
    let full = set_psk_in(0, 0x07, id_type::IPV4, &V4, key);
    let inputs = vec![
        ("no bytes", Vec::new()),
        ("27 of 28 fixed bytes", full[..27].to_vec()),
        ("fixed part only", full[..28].to_vec()),
        ("Id one byte short", full[..31].to_vec()),
        ("Key one byte short", full[..full.len() - 1].to_vec()),
        (
            "IdSize 0xFFFFFFFF",
            set_psk_in_raw(0, 7, id_type::IPV4, u32::MAX, 10, &[0x41; 64]),
        ),
        (
            "KeySize 0xFFFFFFFF",
            set_psk_in_raw(0, 7, id_type::IPV4, 4, u32::MAX, &[0x41; 64]),
        ),
        (
            "both 0xFFFFFFFF",
            set_psk_in_raw(0, 7, id_type::IPV4, u32::MAX, u32::MAX, &[0x41; 64]),
        ),
        // Sizes whose sum wraps a u32 to something that would fit the buffer.
        (
            "IdSize 0xFFFFFFFF + KeySize 1 (wraps to 28 + 0)",
            set_psk_in_raw(0, 7, id_type::IPV4, u32::MAX, 1, &[0x41; 64]),
        ),
        (
            "IdSize 0xFFFFFFE4 (28 + IdSize wraps to 0)",
            set_psk_in_raw(0, 7, id_type::FQDN, 0xFFFF_FFE4, 4, &[0x41; 64]),
        ),
        (
            "IdSize 4 + KeySize 0xFFFFFFFC (wraps to 28)",
            set_psk_in_raw(0, 7, id_type::IPV4, 4, 0xFFFF_FFFC, &[0x41; 64]),
        ),
        (
            "IdSize 0x80000000 + KeySize 0x80000000",
            set_psk_in_raw(0, 7, id_type::FQDN, 0x8000_0000, 0x8000_0000, &[0x41; 64]),
        ),
    ];
    assert_short_in_refused(&t, SECURITY_CONFIG, method::SET_PSK, &inputs);
    assert_eq!(
        t.get_psk(0, id_type::IPV4, &V4).0,
        isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE
    );
    assert!(psks(&t).is_empty());
}

#[test]
fn short_in_get_preshared_key_for_id() {
    let t = iscsisec!();
    // The entry exists, so a lenient reader would answer SUCCESS.
    assert_eq!(
        t.set_psk(0, 0x07, id_type::FQDN, FQDN, b"k"),
        isdsc::SUCCESS
    );
    let full = get_psk_in(0, id_type::FQDN, FQDN);
    let inputs = vec![
        ("no bytes", Vec::new()),
        ("11 of 12 fixed bytes", full[..11].to_vec()),
        ("fixed part only", full[..12].to_vec()),
        ("Id one byte short", full[..full.len() - 1].to_vec()),
        (
            "IdSize 0xFFFFFFFF",
            get_psk_in_raw(0, id_type::FQDN, u32::MAX, &[b'a'; 64]),
        ),
        (
            "IdSize 0xFFFFFFF4 (12 + IdSize wraps to 0)",
            get_psk_in_raw(0, id_type::FQDN, 0xFFFF_FFF4, &[b'a'; 64]),
        ),
    ];
    assert_short_in_refused(&t, SECURITY_CONFIG, method::GET_PSK, &inputs);
}

#[test]
fn short_in_set_group_preshared_key() {
    let t = iscsisec!();
    let inputs = vec![
        ("no bytes", Vec::new()),
        ("3 of 4 fixed bytes", vec![1, 0, 0]),
        ("Key one byte short", sized_in_raw(10, b"123456789")),
        ("KeySize 0xFFFFFFFF", sized_in_raw(u32::MAX, &[7; 64])),
        (
            "KeySize 0xFFFFFFFC (4 + KeySize wraps to 0)",
            sized_in_raw(0xFFFF_FFFC, &[7; 64]),
        ),
    ];
    assert_short_in_refused(&t, SECURITY_CONFIG, method::SET_GROUP_KEY, &inputs);
    assert!(!has_group_key(&t));
}

#[test]
fn short_in_set_tunnel_mode_outer_address() {
    let t = iscsisec!();
    // Packed: destination "ab" (L1 = 4, ends at 42, padding to 44), outer "gw" (L2 = 4): 82.
    let full = tunnel_in(0, &Addr::text("ab"), &Addr::text("gw"));
    assert_eq!(full.len(), 82);
    let set_u16 = |b: &[u8], at: usize, v: u16| {
        let mut b = b.to_vec();
        b[at..at + 2].copy_from_slice(&v.to_le_bytes());
        b
    };
    let mut inputs: Vec<(&str, Vec<u8>)> = vec![
        ("no bytes", Vec::new()),
        ("PortNumber only", full[..4].to_vec()),
        ("37 of the 38 fixed bytes (L1 cut)", full[..37].to_vec()),
        ("fixed part only", full[..38].to_vec()),
        ("destination text one byte short", full[..41].to_vec()),
        ("ends at the outer address", full[..44].to_vec()),
        ("outer address before L2", full[..77].to_vec()),
        ("outer address up to L2", full[..78].to_vec()),
        ("outer text one byte short", full[..81].to_vec()),
        // Lengths that run past InBufferSize.
        ("L1 two bytes past the end", set_u16(&full, L1_AT, 46)),
        ("L1 = 0xFFFF", set_u16(&full, L1_AT, 0xFFFF)),
        ("L2 two bytes past the end", set_u16(&full, 44 + 32, 6)),
        ("L2 = 0xFFFF", set_u16(&full, 44 + 32, 0xFFFF)),
    ];
    // Fixed stride: the same steps from the outer address at 552.
    let fixed = tunnel_in_fixed(0, &Addr::V4(V4), &Addr::V4(V4_OUTER));
    assert_eq!(fixed.len(), FIXED_STRIDE_LEN);
    inputs.extend([
        (
            "fixed stride, L1 = 0xFFFF (38 + 65535 bytes needed)",
            set_u16(&fixed, L1_AT, 0xFFFF),
        ),
        (
            "fixed stride, L2 = 550 (552 + 34 + 550 bytes needed)",
            set_u16(&fixed, FIXED_STRIDE_OUTER + 32, 550),
        ),
        (
            "fixed stride, L2 = 0xFFFF",
            set_u16(&fixed, FIXED_STRIDE_OUTER + 32, 0xFFFF),
        ),
    ]);
    assert_short_in_refused(&t, SECURITY_CONFIG, method::SET_TUNNEL, &inputs);
    assert!(tunnels(&t).is_empty());
    // The fixed stride with L2 = 514 ends at 1100 exactly: it is read (and refused by the
    // length rule, not the transport).
    let a = t.exec(
        SECURITY_CONFIG,
        method::SET_TUNNEL,
        &set_u16(&fixed, FIXED_STRIDE_OUTER + 32, 514),
    );
    assert_eq!(
        (a.ntstatus, a.used, a.out),
        (nt::SUCCESS, 4, status_out(isdsc::INVALID_PARAMETER))
    );
}

#[test]
fn short_in_set_generational_guid() {
    let t = iscsisec!();
    let inputs = vec![
        ("no bytes", Vec::new()),
        ("15 of 16 bytes", GUID[..15].to_vec()),
    ];
    assert_short_in_refused(&t, SECURITY_CONFIG, method::SET_GUID, &inputs);
    assert_eq!(guid_text(&t), "00000000-0000-0000-0000-000000000000");
}

#[test]
fn short_in_set_chap_shared_secret() {
    let t = iscsisec!();
    let inputs = vec![
        ("no bytes", Vec::new()),
        ("3 of 4 fixed bytes", vec![12, 0, 0]),
        ("secret one byte short", sized_in_raw(12, b"0123456789a")),
        ("size 0xFFFFFFFF", sized_in_raw(u32::MAX, &[7; 64])),
        (
            "size 0xFFFFFFFC (4 + size wraps to 0)",
            sized_in_raw(0xFFFF_FFFC, &[7; 64]),
        ),
    ];
    assert_short_in_refused(&t, OPERATIONS, method::SET_CHAP, &inputs);
    assert_eq!(chap_secret_bytes(&t), 0);
}

// ----- bytes past the declared sizes are ignored -----

#[test]
fn bytes_past_declared_sizes_are_ignored_set_psk_and_get() {
    let t = iscsisec!();
    let mut input = set_psk_in(1, 0x0b, id_type::FQDN, b"pad.example", b"the key");
    input.extend_from_slice(b"NOT PART OF THE KEY");
    input.extend_from_slice(&[0xFF; 200]);
    assert_eq!(t.call(method::SET_PSK, &input), isdsc::SUCCESS);
    assert_eq!(psks(&t), vec![psk("1", id_type::FQDN, "pad.example", 0x0b)]);
    let l = t.lookup("1", "fqdn", "pad.example", true);
    assert_eq!(
        (l.code, l.line()),
        (
            Some(0),
            format!("source=port key={}", hex(b"the key")).as_str()
        )
    );
    let mut get = get_psk_in(1, id_type::FQDN, b"pad.example");
    get.extend_from_slice(b"xyz and more");
    let (status, flags) = t.exec(SECURITY_CONFIG, method::GET_PSK, &get).get_psk_out();
    assert_eq!((status, flags), (isdsc::SUCCESS, 0x0b));
}

#[test]
fn bytes_past_declared_sizes_are_ignored_group_chap_guid_tunnel_clear() {
    let t = iscsisec!();
    let mut group = sized_in(b"grp");
    group.extend_from_slice(b"ignored");
    assert_eq!(t.call(method::SET_GROUP_KEY, &group), isdsc::SUCCESS);
    let l = t.lookup("0", "ipv4", V4_TEXT, true);
    assert_eq!(l.line(), format!("source=group key={}", hex(b"grp")));

    let mut chap = sized_in(b"0123456789ab");
    chap.extend_from_slice(b"cdefghijklmnop");
    let a = t.exec(OPERATIONS, method::SET_CHAP, &chap);
    assert_eq!(a.status(), isdsc::SUCCESS);
    assert_eq!(chap_secret_bytes(&t), 12);

    let mut guid = GUID.to_vec();
    guid.extend_from_slice(&[0xEE; 16]);
    assert_eq!(t.call(method::SET_GUID, &guid), isdsc::SUCCESS);
    assert_eq!(guid_text(&t), GUID_TEXT);

    let mut tun = tunnel_in(0, &Addr::V4(V4), &Addr::V4(V4_OUTER));
    tun.extend_from_slice(&[0x33; 100]);
    assert_eq!(t.call(method::SET_TUNNEL, &tun), isdsc::SUCCESS);
    assert_eq!(tunnels(&t), vec![tunnel("0", V4_TEXT, "198.51.100.1")]);
    let mut tun = tunnel_in_fixed(0, &Addr::V4(V4), &Addr::text("gw"));
    tun.extend_from_slice(&[0x33; 100]);
    assert_eq!(t.call(method::SET_TUNNEL, &tun), isdsc::SUCCESS);
    assert_eq!(tunnels(&t), vec![tunnel("0", V4_TEXT, "gw")]);

    // ClearCache has no IN at all: whatever is there is ignored.
    assert_eq!(t.call(method::CLEAR_CACHE, &[0xFF; 64]), isdsc::SUCCESS);
    assert!(!has_group_key(&t));
}

#[test]
fn a_64_kib_in_buffer_is_accepted() {
    let t = iscsisec!();
    let mut input = sized_in(b"big buffer key");
    input.resize(64 * 1024, 0xAB);
    let a = t.exec(SECURITY_CONFIG, method::SET_GROUP_KEY, &input);
    assert_eq!(a.status(), isdsc::SUCCESS);
    let l = t.lookup("*", "fqdn", "x.example", true);
    assert_eq!(
        l.line(),
        format!("source=group key={}", hex(b"big buffer key"))
    );
}

// ----- rule 4: an ISDSC error is a successful call whose OUT says so -----

#[test]
fn an_operation_error_is_ntstatus_success_with_the_code_in_out() {
    let t = iscsisec!();
    let a = t.exec(
        SECURITY_CONFIG,
        method::SET_PSK,
        &set_psk_in(7, 0, id_type::IPV4, &V4, b"k"),
    );
    assert_eq!((a.ntstatus, a.used), (nt::SUCCESS, 4));
    assert_eq!(a.out, [0x2D, 0x00, 0xFF, 0xEF]);
}
