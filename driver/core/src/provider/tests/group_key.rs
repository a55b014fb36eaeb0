//! SPEC §4 `SetGroupPresharedKey` (method 3): key sizes, set and clear.

use super::*;

#[test]
fn group_key_sizes() {
    let mut p = provider();
    assert_eq!(group(&mut p, &[1; 257]), IsdscStatus::INVALID_PARAMETER);
    assert!(p.table().group_key().is_none());
    assert_eq!(group(&mut p, &[1; 256]), IsdscStatus::SUCCESS);
    assert_eq!(group(&mut p, &[2; 1]), IsdscStatus::SUCCESS);
    assert_eq!(p.table().group_key().unwrap().expose_secret(), &[2]);
    assert_eq!(group(&mut p, &[]), IsdscStatus::SUCCESS);
    assert!(p.table().group_key().is_none());
    assert_eq!(
        group(&mut p, &[]),
        IsdscStatus::SUCCESS,
        "clearing an unset key succeeds"
    );
}
