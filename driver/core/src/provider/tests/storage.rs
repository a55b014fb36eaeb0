//! SPEC §6: storage first, then memory; failed writes, restarts, loading.

use super::*;

#[test]
fn a_failed_store_write_changes_nothing() {
    let (mut p, fault) = faulty();
    assert_eq!(
        status_of(&mut p, SEC, 1, &set_psk_in(0, 1, 2, b"a", b"old")),
        IsdscStatus::SUCCESS
    );
    assert_eq!(
        status_of(&mut p, SEC, 3, &group_key_in(b"gold")),
        IsdscStatus::SUCCESS
    );
    let before = fingerprint(p.table());
    let stored_before = fault.durable();
    fault.set(Scenario::Failing);
    let tun = tunnel_in(
        Shape::Packed,
        0,
        &Address::ipv4([1, 1, 1, 1]),
        &Address::ipv4([2, 2, 2, 2]),
    );
    let calls: [(u32, Guid, Vec<u8>); 8] = [
        (1, SEC, set_psk_in(0, 1, 2, b"a", b"new")),
        (1, SEC, set_psk_in(0, 1, 2, b"b", b"new")),
        (1, SEC, set_psk_in(0, 1, 2, b"a", b"")),
        (3, SEC, group_key_in(b"gnew")),
        (3, SEC, group_key_in(b"")),
        (4, SEC, tun),
        (6, SEC, vec![1; 16]),
        (71, OPS, chap_secret_in(b"0123456789ab")),
    ];
    for (m, class, input) in calls {
        assert_eq!(
            status_of(&mut p, class, m, &input),
            IsdscStatus::NON_SPECIFIC_ERROR,
            "method {m}"
        );
    }
    assert_eq!(
        status_of(&mut p, SEC, 5, &[]),
        IsdscStatus::NON_SPECIFIC_ERROR
    );
    assert_eq!(fingerprint(p.table()), before);
    assert!(fault.durable() == stored_before);
    fault.set(Scenario::Healthy);
    let id = fqdn("a");
    let mut out = KeyBuffer::new();
    assert_eq!(
        p.lookup(PortSelector::Port(0), &id, &mut out),
        Ok(KeySource::Port)
    );
    assert_eq!(out.expose_secret(), b"old");
}

#[test]
fn clear_cache_interrupted_by_storage_finishes_next_time() {
    let (mut p, fault) = faulty();
    for i in 0..5u8 {
        set_psk(&mut p, 0, 1, 2, &[b'a' + i], b"k");
    }
    group(&mut p, b"g");
    fault.set(Scenario::FailAfter(3));
    assert_eq!(clear_cache(&mut p), IsdscStatus::NON_SPECIFIC_ERROR);
    assert_eq!(p.table().psk_count(), 2, "what was removed stays removed");
    assert_eq!(fault.durable().len(), 3, "memory and storage agree");
    fault.set(Scenario::Healthy);
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    assert_eq!(p.table().psk_count(), 0);
    assert!(p.table().group_key().is_none());
    assert!(fault.durable().is_empty());
}

#[test]
fn restart_rebuilds_exactly_the_same_table() {
    let p = populated();
    let fp = fingerprint(p.table());
    let (p2, report) = Provider::start(p.into_store(), config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 8,
            corrupt: 0,
            foreign: 0,
        }
    );
    assert_eq!(fingerprint(p2.table()), fp);
}

#[test]
fn loading_keeps_every_valid_record_beyond_capacity() {
    let mut p = provider();
    for i in 0..10u8 {
        assert_eq!(
            set_psk(&mut p, 0, 1, 2, &[b'a' + i], b"k"),
            IsdscStatus::SUCCESS
        );
    }
    let small = AdapterConfig {
        port_count: 2,
        max_entries: 4,
    };
    let (mut p, report) = Provider::start(p.into_store(), small, test_platform()).unwrap();
    assert_eq!(report.loaded, 10);
    assert_eq!(p.table().psk_count(), 10);
    assert_eq!(
        set_psk(&mut p, 1, 1, 2, b"new", b"k"),
        IsdscStatus::HBA_SECURITY_CACHE_FULL
    );
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"a", b"replace"),
        IsdscStatus::SUCCESS
    );
    // Records for ports the adapter no longer has are kept too.
    let (p, _) = Provider::start(
        p.into_store(),
        AdapterConfig {
            port_count: 0,
            max_entries: 4,
        },
        test_platform(),
    )
    .unwrap();
    assert_eq!(p.table().psk_count(), 10);
}

#[test]
fn unreadable_records_are_counted_not_fatal() {
    let mut p = provider();
    group(&mut p, b"group-key");
    let (store, fault) = FaultStore::with(p.into_store(), Scenario::UnreadableOnLoad);
    let (p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 0,
            corrupt: 1,
            foreign: 0,
        }
    );
    assert_eq!(
        p.table().corrupt_records().collect::<Vec<_>>(),
        ["group-key"]
    );
    let (store, _) = FaultStore::with(fault.durable(), Scenario::LoadFails);
    assert_eq!(
        Provider::start(store, config(), test_platform()).unwrap_err(),
        StartError::Store(StoreError {
            what: "injected: cannot enumerate"
        })
    );
}

#[test]
fn the_fuzz_oracle_holds_on_the_seed_like_inputs() {
    // One call of each method, in the fuzz input format; the group key's store fails.
    let group_key = Call {
        store_fails: true,
        ..Call::security_config(method::SET_GROUP_PRESHARED_KEY, group_key_in(b"g"))
    };
    let calls = [
        Call::security_config(
            method::SET_PRESHARED_KEY_FOR_ID,
            set_psk_in(0, 1, 2, b"a", b"k"),
        ),
        group_key,
        Call::security_config(method::GET_PRESHARED_KEY_FOR_ID, get_psk_in(0, 2, b"a")),
        Call::new(
            Class::Operations,
            method::SET_CHAP_SHARED_SECRET,
            chap_secret_in(b"short"),
        ),
        Call::security_config(method::CLEAR_CACHE, Vec::new()),
    ];
    let mut data = Vec::new();
    for c in &calls {
        c.encode(&mut data).unwrap();
    }
    crate::fuzzing::execute_methods(&data);
}
