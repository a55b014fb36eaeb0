//! SPEC §4 SetPresharedKeyForId (method 1): check order, replace, remove, capacity.

use super::*;

#[test]
fn set_psk_checks_in_spec_order() {
    let mut p = provider();
    // port before flags before identifier before key
    assert_eq!(
        set_psk(&mut p, 2, 0x60, 9, b"", &[0; 300]),
        IsdscStatus::INVALID_PORT_NUMBER
    );
    assert_eq!(
        set_psk(&mut p, 0, 0x60, 9, b"", &[0; 300]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(
        set_psk(&mut p, 0, 0x80, 9, b"", &[0; 300]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 9, b"", &[0; 300]),
        IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 4, b"1234", b"k"),
        IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 1, b"", &[0; 300]),
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 5, &[0; 4], b"k"),
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, &[b'a'; 256], b"k"),
        IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 3, b"a b", &[0; 300]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 3, b"ab", &[0; 257]),
        IsdscStatus::INVALID_PARAMETER
    );
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.store().is_empty());
    assert_eq!(
        set_psk(&mut p, 0, 1, 3, b"ab", &[0; 256]),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        set_psk(&mut p, ALL, 0x5f, 1, &[10, 0, 0, 1], b"\0binary\xff"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 2);
}

#[test]
fn set_psk_replace_remove_and_remove_absent() {
    let mut p = provider();
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"Host.Example", b"one"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        set_psk(&mut p, 0, 3, 2, b"host.example", b"two"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        p.table().psk_count(),
        1,
        "names are compared without ASCII case"
    );
    assert_eq!(
        get_psk(&mut p, 0, 2, b"HOST.example"),
        (IsdscStatus::SUCCESS, 3)
    );
    assert_eq!(
        look(&p, PortSelector::Port(0), &fqdn("host.example"))
            .unwrap()
            .1,
        b"two"
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"HOST.EXAMPLE", b""),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.store().is_empty());
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"never.set", b""),
        IsdscStatus::SUCCESS
    );
    // Removal still checks port, flags and identifier.
    assert_eq!(
        set_psk(&mut p, 5, 1, 2, b"x", b""),
        IsdscStatus::INVALID_PORT_NUMBER
    );
}

#[test]
fn capacity_refuses_new_entries_only() {
    let config = AdapterConfig {
        port_count: 2,
        max_entries: 2,
    };
    let mut p = Provider::start(MemoryStore::new(), config, test_platform())
        .unwrap()
        .0;
    assert_eq!(set_psk(&mut p, 0, 1, 2, b"a", b"1"), IsdscStatus::SUCCESS);
    assert_eq!(set_psk(&mut p, 1, 1, 2, b"a", b"2"), IsdscStatus::SUCCESS);
    assert_eq!(
        set_psk(&mut p, ALL, 1, 2, b"a", b"3"),
        IsdscStatus::HBA_SECURITY_CACHE_FULL
    );
    assert_eq!(
        set_psk(&mut p, 0, 5, 2, b"A", b"replaced"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().psk_count(), 2);
    assert_eq!(set_psk(&mut p, 0, 1, 2, b"a", b""), IsdscStatus::SUCCESS);
    assert_eq!(set_psk(&mut p, ALL, 1, 2, b"a", b"3"), IsdscStatus::SUCCESS);
    // Tunnel mappings have the same limit, counted separately.
    let outer = &Address::ipv4([10, 0, 0, 1]);
    assert_eq!(
        tunnel(&mut p, 0, &Address::ipv4([1, 1, 1, 1]), outer),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        tunnel(&mut p, 0, &Address::ipv4([1, 1, 1, 2]), outer),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        tunnel(&mut p, 0, &Address::ipv4([1, 1, 1, 3]), outer),
        IsdscStatus::HBA_SECURITY_CACHE_FULL
    );
    assert_eq!(
        tunnel(
            &mut p,
            0,
            &Address::ipv4([1, 1, 1, 2]),
            &Address::ipv4([9, 9, 9, 9])
        ),
        IsdscStatus::SUCCESS
    );
}
