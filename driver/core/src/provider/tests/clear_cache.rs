//! SPEC §4 `ClearCache` (method 5): what it clears and what it keeps.

use super::*;

#[test]
fn clear_cache_clears_keys_and_secret_and_keeps_tunnels_and_guid() {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"a", b"1");
    set_psk(&mut p, ALL, 1, 1, &[1, 2, 3, 4], b"2");
    group(&mut p, b"g");
    chap(&mut p, b"0123456789ab");
    tunnel(
        &mut p,
        0,
        &Address::ipv4([1, 1, 1, 1]),
        &Address::ipv4([2, 2, 2, 2]),
    );
    status_of(&mut p, SEC, 6, &[5; 16]);
    assert_eq!(clear_cache(&mut p), IsdscStatus::SUCCESS);
    let check = |p: &P| {
        assert_eq!(p.table().psk_count(), 0);
        assert!(p.table().group_key().is_none());
        assert!(p.table().chap_secret().is_none());
        assert_eq!(p.table().tunnel_entries().len(), 1);
        assert_eq!(p.table().generational_guid(), [5; 16]);
        assert_eq!(p.store().len(), 2);
    };
    check(&p);
    check(&restart(p));
}
