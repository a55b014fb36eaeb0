//! SPEC §4 SetCHAPSharedSecret (method 71 of MSiSCSI_Operations): 0 clears; 1–11 stored with
//! the SHORT_CHAP_SECRET warning; 12–16 stored; more refused with nothing stored.

use crate::common::*;

fn secret(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| b'a' + u8::try_from(i % 26).unwrap_or(0))
        .collect()
}

fn chap_raw(t: &Iscsisec, bytes: &[u8]) -> Answer {
    t.exec(OPERATIONS, method::SET_CHAP, &sized_in(bytes))
}

#[test]
fn size_0_clears_the_secret() {
    let t = iscsisec!();
    assert_eq!(
        t.set_chap(&secret(0)),
        isdsc::SUCCESS,
        "clearing an absent secret"
    );
    assert_eq!(t.set_chap(&secret(14)), isdsc::SUCCESS);
    assert_eq!(chap_secret_bytes(&t), 14);
    let a = chap_raw(&t, &[]);
    assert_eq!(
        (a.ntstatus, a.used, a.out.clone()),
        (nt::SUCCESS, 4, status_out(0))
    );
    assert_eq!(chap_secret_bytes(&t), 0);
}

#[test]
fn sizes_1_and_11_are_stored_with_the_short_chap_secret_warning() {
    let t = iscsisec!();
    for len in [1usize, 11] {
        let a = chap_raw(&t, &secret(len));
        assert_eq!((a.ntstatus, a.used), (nt::SUCCESS, 4), "{len}");
        assert_eq!(
            a.out,
            [0x48, 0x00, 0xFF, 0xAF],
            "{len}: ISDSC_SHORT_CHAP_SECRET"
        );
        // A warning means the change was made and is durable: a new process sees it.
        assert_eq!(chap_secret_bytes(&t), u64::try_from(len).unwrap_or(0));
    }
}

#[test]
fn sizes_12_and_16_are_stored_with_success() {
    let t = iscsisec!();
    for len in [12usize, 13, 16] {
        let a = chap_raw(&t, &secret(len));
        assert_eq!(
            (a.ntstatus, a.used, a.out.clone()),
            (nt::SUCCESS, 4, status_out(0)),
            "{len}"
        );
        assert_eq!(chap_secret_bytes(&t), u64::try_from(len).unwrap_or(0));
    }
}

#[test]
fn sizes_above_16_are_invalid_initiator_chap_secret_and_store_nothing() {
    let t = iscsisec!();
    for len in [17usize, 32, 256] {
        assert_eq!(
            t.set_chap(&secret(len)),
            isdsc::INVALID_INITIATOR_CHAP_SECRET,
            "{len}"
        );
        assert_eq!(chap_secret_bytes(&t), 0, "{len}: nothing stored");
    }
    assert_eq!(t.set_chap(&secret(12)), isdsc::SUCCESS);
    let before = show(&t);
    let a = chap_raw(&t, &secret(17));
    assert_eq!(a.out, [0x4C, 0x00, 0xFF, 0xEF]);
    assert_eq!(show(&t), before, "the stored secret is kept");
}

#[test]
fn binary_secret_bytes_are_accepted() {
    let t = iscsisec!();
    assert_eq!(
        t.set_chap(&[0, 0xFF, 0, 0x80, 1, 2, 3, 4, 5, 6, 7, 0]),
        isdsc::SUCCESS
    );
    assert_eq!(chap_secret_bytes(&t), 12);
}
