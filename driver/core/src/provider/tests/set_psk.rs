//! SPEC §4 `SetPresharedKeyForId` (method 1): check order, replace, remove, capacity.

use super::*;

/// Port, flags, id type, id, key: a call's fields; then the status it gets.
type Refusal<'a> = (u32, u64, u8, &'a [u8], &'a [u8], IsdscStatus);
/// Port, flags, FQDN, key, the status, and the explicit keys held afterwards.
type Step<'a> = (u32, u64, &'a [u8], &'a [u8], IsdscStatus, usize);

#[test]
fn set_psk_checks_in_spec_order() {
    use IsdscStatus as S;
    let mut p = provider();
    // Port before flags before identifier (type, size, bytes) before key: each row is refused
    // for its first bad field, whatever follows.
    let long_key = &[0; 300][..];
    let rows: [Refusal<'_>; 10] = [
        (2, 0x60, 9, b"", long_key, S::INVALID_PORT_NUMBER),
        (0, 0x60, 9, b"", long_key, S::INVALID_PARAMETER),
        (0, 0x80, 9, b"", long_key, S::INVALID_PARAMETER),
        (0, 1, 9, b"", long_key, S::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED),
        (0, 1, 4, b"1234", b"k", S::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED),
        (0, 1, 1, b"", long_key, S::IKE_ID_PAYLOAD_INCORRECT_SIZE),
        (0, 1, 5, &[0; 4], b"k", S::IKE_ID_PAYLOAD_INCORRECT_SIZE),
        (
            0,
            1,
            2,
            &[b'a'; 256],
            b"k",
            S::IKE_ID_PAYLOAD_INCORRECT_SIZE,
        ),
        (0, 1, 3, b"a b", long_key, S::INVALID_PARAMETER),
        (0, 1, 3, b"ab", &[0; 257], S::INVALID_PARAMETER),
    ];
    for (port, flags, id_type, id, key, want) in rows {
        let got = set_psk(&mut p, port, flags, id_type, id, key);
        assert_eq!(
            got, want,
            "port {port} flags {flags:#x} type {id_type} id {id:?}"
        );
    }
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.store().is_empty());
    assert_eq!(set_psk(&mut p, 0, 1, 3, b"ab", &[0; 256]), S::SUCCESS);
    assert_eq!(
        set_psk(&mut p, ALL, 0x5f, 1, &[10, 0, 0, 1], b"\0binary\xff"),
        S::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 2);
}

#[test]
fn set_psk_replace_remove_and_remove_absent() {
    use IsdscStatus as S;
    let mut p = provider();
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"Host.Example", b"one"),
        S::SUCCESS
    );
    assert_eq!(
        set_psk(&mut p, 0, 3, 2, b"host.example", b"two"),
        S::SUCCESS
    );
    let count = p.table().psk_count();
    assert_eq!(count, 1, "names are compared without ASCII case");
    assert_eq!(get_psk(&mut p, 0, 2, b"HOST.example"), (S::SUCCESS, 3));
    let (_, key) = look(&p, PortSelector::Port(0), &fqdn("host.example")).unwrap();
    assert_eq!(key, b"two");
    // An empty key removes the entry, from memory and storage; removing an absent entry
    // succeeds; removal still checks port, flags and identifier.
    assert_eq!(set_psk(&mut p, 0, 1, 2, b"HOST.EXAMPLE", b""), S::SUCCESS);
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.store().is_empty());
    assert_eq!(set_psk(&mut p, 0, 1, 2, b"never.set", b""), S::SUCCESS);
    let bad_port = set_psk(&mut p, 5, 1, 2, b"x", b"");
    assert_eq!(bad_port, S::INVALID_PORT_NUMBER);
}

#[test]
fn capacity_refuses_new_entries_only() {
    use IsdscStatus as S;
    let config = AdapterConfig {
        port_count: 2,
        max_entries: 2,
    };
    let mut p = Provider::start(MemoryStore::new(), config, test_platform())
        .unwrap()
        .0;
    // Two entries fill the table; a third is refused, a replacement is not, and a removal
    // makes room.
    let steps: [Step<'_>; 6] = [
        (0, 1, b"a", b"1", S::SUCCESS, 1),
        (1, 1, b"a", b"2", S::SUCCESS, 2),
        (ALL, 1, b"a", b"3", S::HBA_SECURITY_CACHE_FULL, 2),
        (0, 5, b"A", b"replaced", S::SUCCESS, 2),
        (0, 1, b"a", b"", S::SUCCESS, 1),
        (ALL, 1, b"a", b"3", S::SUCCESS, 2),
    ];
    for (i, (port, flags, id, key, want, count)) in steps.into_iter().enumerate() {
        assert_eq!(set_psk(&mut p, port, flags, 2, id, key), want, "step {i}");
        assert_eq!(p.table().psk_count(), count, "step {i}");
    }
    // Tunnel mappings have the same limit, counted separately.
    let outer = &Address::ipv4([10, 0, 0, 1]);
    let steps = [
        ([1, 1, 1, 1], outer, S::SUCCESS),
        ([1, 1, 1, 2], outer, S::SUCCESS),
        ([1, 1, 1, 3], outer, S::HBA_SECURITY_CACHE_FULL),
        ([1, 1, 1, 2], &Address::ipv4([9, 9, 9, 9]), S::SUCCESS),
    ];
    for (i, (destination, outer, want)) in steps.into_iter().enumerate() {
        let got = tunnel(&mut p, 0, &Address::ipv4(destination), outer);
        assert_eq!(got, want, "tunnel step {i}");
    }
}
