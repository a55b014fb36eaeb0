//! SPEC §4 SetGenerationalGuid (method 6), and how `show --json` prints it.

use crate::common::*;

#[test]
fn the_guid_is_stored_and_shown_in_windows_text_form() {
    let t = iscsisec!();
    assert_eq!(
        guid_text(&t),
        "00000000-0000-0000-0000-000000000000",
        "all zeros when unset"
    );
    let a = t.exec(SECURITY_CONFIG, method::SET_GUID, &GUID);
    assert_eq!(
        (a.ntstatus, a.used, a.out.clone()),
        (nt::SUCCESS, 4, status_out(0))
    );
    // First three groups little-endian, the last eight bytes in order.
    assert_eq!(guid_text(&t), GUID_TEXT);
    let other: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    assert_eq!(t.set_guid(other), isdsc::SUCCESS);
    assert_eq!(guid_text(&t), "04030201-0605-0807-090a-0b0c0d0e0f10");
    // Any 16 bytes, including all zeros and all ones.
    assert_eq!(t.set_guid([0xFF; 16]), isdsc::SUCCESS);
    assert_eq!(guid_text(&t), "ffffffff-ffff-ffff-ffff-ffffffffffff");
    assert_eq!(t.set_guid([0; 16]), isdsc::SUCCESS);
    assert_eq!(guid_text(&t), "00000000-0000-0000-0000-000000000000");
}
