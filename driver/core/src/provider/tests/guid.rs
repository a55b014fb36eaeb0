//! SPEC §4 `SetGenerationalGuid` (method 6).

use super::*;

#[test]
fn generational_guid_is_stored_and_survives() {
    let mut p = provider();
    assert_eq!(p.table().generational_guid(), [0; 16]);
    let g: [u8; 16] = core::array::from_fn(|i| u8::try_from(i).unwrap());
    assert_eq!(status_of(&mut p, SEC, 6, &g), IsdscStatus::SUCCESS);
    assert_eq!(restart(p).table().generational_guid(), g);
}
