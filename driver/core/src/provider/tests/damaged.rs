//! SPEC §6: damaged records never let a lower-precedence key stand in.

use super::*;

#[test]
fn flipping_any_byte_of_any_record_never_serves_a_wrong_key() {
    let p = populated();
    let store = p.into_store();
    let names: Vec<String> = store
        .names()
        .map(|n| String::from_utf8(n.to_vec()).unwrap())
        .collect();
    let ids = [
        (PortSelector::Port(0), fqdn("port.example")),
        (PortSelector::Port(1), fqdn("port.example")),
        (
            PortSelector::Port(0),
            Identifier::parse(1, &[192, 0, 2, 1]).unwrap(),
        ),
        (
            PortSelector::Port(1),
            Identifier::parse(5, &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]).unwrap(),
        ),
        (PortSelector::Port(0), fqdn("other.example")),
    ];
    let intact = Provider::start(store.clone(), config(), test_platform())
        .unwrap()
        .0;
    let expected: Vec<_> = ids
        .iter()
        .map(|(port, id)| look(&intact, *port, id))
        .collect();
    let mut trials = 0;
    for name in &names {
        let len = store.get(name.as_bytes()).unwrap().len();
        // Under Miri (thousands of times slower) one position per record, a different part
        // of each: the header, the payload or the checksum.
        let positions: Vec<usize> = if cfg!(miri) {
            vec![[4, len / 2, len - 1][trials % 3]]
        } else {
            (0..len).collect()
        };
        let bits: &[u8] = if cfg!(miri) { &[0x01] } else { &[0x01, 0x80] };
        for i in positions {
            for &bit in bits {
                let mut damaged = store.clone();
                damaged.get_mut(name.as_bytes()).unwrap()[i] ^= bit;
                let (mut p, report) = Provider::start(damaged, config(), test_platform()).unwrap();
                assert_eq!(
                    report,
                    LoadReport {
                        loaded: 7,
                        corrupt: 1,
                        foreign: 0,
                    },
                    "{name} byte {i}"
                );
                for ((port, id), want) in ids.iter().zip(&expected) {
                    if let Ok(got) = look(&p, *port, id) {
                        assert_eq!(&Ok(got), want, "{name} byte {i} served a wrong key");
                    }
                }
                // GetPresharedKeyForId reports the damage when an entry is missing.
                let damaged_entry_missing = get_psk(&mut p, 0, 2, b"nothing.here");
                assert_eq!(damaged_entry_missing, (IsdscStatus::CACHE_CORRUPTED, 0));
                trials += 1;
            }
        }
    }
    assert!(trials > if cfg!(miri) { 7 } else { 500 }, "{trials}");
}

#[test]
fn a_damaged_explicit_key_does_not_fall_back_to_the_group_key() {
    let p = populated();
    let mut store = p.into_store();
    let name = RecordName::psk(PortSelector::Port(0), &fqdn("port.example"));
    store.get_mut(name.as_str().as_bytes()).unwrap()[20] ^= 1;
    let (mut p, _) = Provider::start(store, config(), test_platform()).unwrap();
    let id = fqdn("port.example");
    assert_eq!(
        look(&p, PortSelector::Port(0), &id),
        Err(LookupMiss::Damaged)
    );
    // Port 1 never had its own key: the all-ports key is still the right answer there.
    assert_eq!(look(&p, PortSelector::Port(1), &id).unwrap().1, b"all-key");
    // GetPresharedKeyForId answers for the entry the lookup would use: damaged on port 0, the
    // all-ports key (flags 3) on port 1.
    for (port, answer) in [
        (0, (IsdscStatus::CACHE_CORRUPTED, 0)),
        (1, (IsdscStatus::SUCCESS, 3)),
    ] {
        assert_eq!(get_psk(&mut p, port, 2, b"port.example"), answer, "{port}");
    }
    // Setting the key again replaces the damaged record.
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"port.example", b"fresh"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(p.table().corrupt_records().len(), 0);
    assert_eq!(look(&p, PortSelector::Port(0), &id).unwrap().1, b"fresh");
    assert_eq!(restart(p).table().corrupt_records().len(), 0);
}

#[test]
fn clear_cache_removes_damaged_records_of_every_kind() {
    let p = populated();
    let mut store = p.into_store();
    for bytes in store.bytes_mut() {
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
    }
    let junk_name = RecordName::psk(PortSelector::Port(1), &fqdn("never.example"));
    store.plant(junk_name.as_str().as_bytes(), b"junk").unwrap();
    store.plant(b"stray-name", b"junk").unwrap();
    let (mut p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 0,
            corrupt: 9,
            foreign: 1,
        }
    );
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    // Only the foreign entry is left: it is not the provider's to remove.
    assert_eq!(p.store().names().collect::<Vec<_>>(), [&b"stray-name"[..]]);
    assert_eq!(
        get_psk(&mut p, 0, 2, b"x"),
        (IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn a_record_moved_to_another_records_name_damages_both_identities() {
    let mut p = provider();
    let x = fqdn("x.example");
    let y = fqdn("y.example");
    set_psk(&mut p, 0, 1, 2, b"x.example", b"x-port-key");
    set_psk(&mut p, ALL, 1, 2, b"x.example", b"x-all-key");
    set_psk(&mut p, 0, 1, 2, b"y.example", b"y-port-key");
    group(&mut p, b"group-key");
    let mut store = p.into_store();
    let x_name = RecordName::psk(PortSelector::Port(0), &x);
    let y_name = RecordName::psk(PortSelector::Port(0), &y);
    // Rename x's port-0 record over y's.
    let moved = store.get(x_name.as_str().as_bytes()).unwrap().to_vec();
    store.unplant(x_name.as_str().as_bytes());
    store.plant(y_name.as_str().as_bytes(), &moved).unwrap();
    let (mut p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!((report.loaded, report.corrupt), (2, 1));
    // Neither x on port 0 (whose record it is) nor y (where it was found) may be answered from
    // a lower level: not x's all-ports key, not the group key.
    for (id, text) in [(&x, b"x.example"), (&y, b"y.example")] {
        assert_eq!(
            look(&p, PortSelector::Port(0), id),
            Err(LookupMiss::Damaged)
        );
        let answer = get_psk(&mut p, 0, 2, text);
        assert_eq!(answer, (IsdscStatus::CACHE_CORRUPTED, 0), "{id}");
    }
    // Port 1 never had a key of its own for x: the all-ports key is right there.
    assert_eq!(
        look(&p, PortSelector::Port(1), &x).unwrap(),
        (KeySource::AllPorts, b"x-all-key".to_vec())
    );
    // Setting x again ends x's damage; y's stays until y is set or the cache is cleared.
    assert_eq!(
        set_psk(&mut p, 0, 1, 2, b"x.example", b"x-new"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(look(&p, PortSelector::Port(0), &x).unwrap().1, b"x-new");
    assert_eq!(
        look(&p, PortSelector::Port(0), &y),
        Err(LookupMiss::Damaged)
    );
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    assert_eq!(p.table().corrupt_records().len(), 0);
    assert!(p.store().is_empty());
}
