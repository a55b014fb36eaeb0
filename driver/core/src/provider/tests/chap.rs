//! SPEC §4 `SetCHAPSharedSecret` (method 71): secret sizes, the warning, clear.

use super::*;

#[test]
fn chap_secret_sizes() {
    let mut p = provider();
    assert_eq!(
        chap(&mut p, &[1; 17]),
        IsdscStatus::INVALID_INITIATOR_CHAP_SECRET
    );
    assert!(p.table().chap_secret().is_none());
    assert_eq!(chap(&mut p, &[1; 1]), IsdscStatus::SHORT_CHAP_SECRET);
    assert_eq!(chap(&mut p, &[1; 11]), IsdscStatus::SHORT_CHAP_SECRET);
    assert_eq!(
        p.table().chap_secret().unwrap().len(),
        11,
        "a warning means it was stored"
    );
    let p2 = restart(p);
    assert_eq!(
        p2.table().chap_secret().unwrap().len(),
        11,
        "and is durable"
    );
    let mut p = p2;
    assert_eq!(chap(&mut p, &[1; 12]), IsdscStatus::SUCCESS);
    assert_eq!(chap(&mut p, &[1; 16]), IsdscStatus::SUCCESS);
    assert_eq!(
        chap(&mut p, &[1; 17]),
        IsdscStatus::INVALID_INITIATOR_CHAP_SECRET
    );
    assert_eq!(
        p.table().chap_secret().unwrap().len(),
        16,
        "an error changed nothing"
    );
    assert_eq!(chap(&mut p, &[]), IsdscStatus::SUCCESS);
    assert!(p.table().chap_secret().is_none());
}
