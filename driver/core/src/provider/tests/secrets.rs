//! Secrets: wiped from the method buffer, never in a `Debug` print.

use super::*;

#[test]
fn secret_bearing_input_is_wiped_from_the_buffer() {
    let mut p = provider();
    let key = b"do-not-leave-me-in-the-buffer";
    let input = set_psk_in(0, 1, 2, b"wipe.example", key);
    let mut buf = input.clone();
    let r = p.execute_method(&SEC, 1, &mut buf, len32(&input), len32(&input));
    assert_eq!(r.status, NtStatus::SUCCESS);
    assert!(buf.iter().all(|&b| b == 0), "only the zero status remains");
    // Also when the call is refused: a too-small OUT and a bad port.
    for (port, out) in [(0, 0), (9, 4)] {
        let input = set_psk_in(port, 1, 2, b"wipe.example", key);
        let mut buf = input.clone();
        p.execute_method(&SEC, 1, &mut buf, len32(&input), out);
        assert!(!buf.windows(key.len()).any(|w| w == key));
    }
    let mut g = group_key_in(b"group-secret-bytes");
    let len = len32(&g);
    p.execute_method(&SEC, 3, &mut g, len, 4);
    assert!(g[4..].iter().all(|&b| b == 0));
    let mut c = chap_secret_in(b"chap-secret-16b!");
    let len = len32(&c);
    p.execute_method(&OPS, 71, &mut c, len, 4);
    assert!(c[4..].iter().all(|&b| b == 0));
}

#[test]
fn debug_output_of_provider_and_records_holds_no_secret() {
    let mut p = provider();
    set_psk(&mut p, 0, 1, 2, b"a", b"SECRET-PSK-BYTES");
    group(&mut p, b"SECRET-GROUP-KEY");
    chap(&mut p, b"SECRET-CHAP-1234");
    let text = alloc::format!("{p:?}");
    assert!(!text.contains("SECRET"), "{text}");
    // Nor as a decimal list ("83, 69, 67, 82, 69, 84"), as a derived Debug of bytes prints.
    let list = alloc::format!("{:?}", &b"SECRET"[..]);
    assert!(!text.contains(list.trim_start_matches('[').trim_end_matches(']')));
}
