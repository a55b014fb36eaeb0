//! SPEC §4 `GetPresharedKeyForId` (method 2): statuses and the entry it reports.

use super::*;

#[test]
fn get_psk_precedence_and_statuses() {
    use IsdscStatus as S;
    let mut p = provider();
    let refusals: [(u32, u8, &[u8], IsdscStatus); 4] = [
        (3, 2, b"x", S::INVALID_PORT_NUMBER),
        (0, 4, b"x", S::IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED),
        (0, 1, b"x", S::IKE_ID_PAYLOAD_INCORRECT_SIZE),
        (0, 2, b"a\tb", S::INVALID_PARAMETER),
    ];
    for (port, id_type, id, want) in refusals {
        assert_eq!(get_psk(&mut p, port, id_type, id), (want, 0), "{id:?}");
    }
    // The group key is not an explicit key.
    assert_eq!(group(&mut p, b"group"), S::SUCCESS);
    assert_eq!(
        get_psk(&mut p, 0, 2, b"h"),
        (S::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    // The entry reported is the one the lookup would use: this port's, else all ports'.
    assert_eq!(set_psk(&mut p, ALL, 0x09, 2, b"h", b"all"), S::SUCCESS);
    for port in [0, 1, ALL] {
        assert_eq!(get_psk(&mut p, port, 2, b"h"), (S::SUCCESS, 0x09));
    }
    assert_eq!(set_psk(&mut p, 1, 0x05, 2, b"h", b"one"), S::SUCCESS);
    for (port, flags) in [(1, 0x05), (0, 0x09), (ALL, 0x09)] {
        assert_eq!(get_psk(&mut p, port, 2, b"h"), (S::SUCCESS, flags));
    }
}
