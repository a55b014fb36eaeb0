//! SPEC §4 GetPresharedKeyForId (method 2): statuses and the entry it reports.

use super::*;

#[test]
fn get_psk_precedence_and_statuses() {
    let mut p = provider();
    assert_eq!(
        get_psk(&mut p, 3, 2, b"x"),
        (IsdscStatus::INVALID_PORT_NUMBER, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 4, b"x"),
        (IsdscStatus::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 1, b"x"),
        (IsdscStatus::IKE_ID_PAYLOAD_INCORRECT_SIZE, 0)
    );
    assert_eq!(
        get_psk(&mut p, 0, 2, b"a\tb"),
        (IsdscStatus::INVALID_PARAMETER, 0)
    );
    assert_eq!(group(&mut p, b"group"), IsdscStatus::SUCCESS);
    assert_eq!(
        get_psk(&mut p, 0, 2, b"h"),
        (IsdscStatus::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    assert_eq!(
        set_psk(&mut p, ALL, 0x09, 2, b"h", b"all"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(get_psk(&mut p, 0, 2, b"h"), (IsdscStatus::SUCCESS, 0x09));
    assert_eq!(get_psk(&mut p, ALL, 2, b"h"), (IsdscStatus::SUCCESS, 0x09));
    assert_eq!(
        set_psk(&mut p, 1, 0x05, 2, b"h", b"one"),
        IsdscStatus::SUCCESS
    );
    assert_eq!(get_psk(&mut p, 1, 2, b"h"), (IsdscStatus::SUCCESS, 0x05));
    assert_eq!(get_psk(&mut p, 0, 2, b"h"), (IsdscStatus::SUCCESS, 0x09));
}
