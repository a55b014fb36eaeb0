//! SPEC §6: entries whose names are not the core's are reported and left alone.

use super::*;

#[test]
fn foreign_entries_are_reported_and_left_alone() {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"a.example", b"key");
    let mut store = p.into_store();
    // Names no record has: what a file system or an administrator may leave in the directory.
    let foreign: [&[u8]; 6] = [
        b"lost+found",
        b"notes.txt",
        b"psk\\0123",
        b"bad-\xff-name",
        b"bad-\xfe-name",
        b"psk-0123456789ABCDEF0123456789ABCDEF",
    ];
    for name in foreign {
        store.plant(name, b"anything").unwrap();
    }
    let (mut p, report) = Provider::start(store, config(), test_platform()).unwrap();
    assert_eq!(
        report,
        LoadReport {
            loaded: 1,
            corrupt: 0,
            foreign: 6,
        }
    );
    assert_eq!(p.table().corrupt_records().len(), 0);
    // Never a reason for CACHE_CORRUPTED.
    assert_eq!(
        get_psk(&mut p, 0, 2, b"missing.example"),
        (IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    // ClearCache neither fails because of them nor deletes them, every time.
    for _ in 0..2 {
        assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
        assert_eq!(p.store().len(), 6);
    }
    let (_, report) = Provider::start(p.into_store(), config(), test_platform()).unwrap();
    assert_eq!((report.loaded, report.corrupt, report.foreign), (0, 0, 6));
}
