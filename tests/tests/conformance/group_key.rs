//! SPEC §4 SetGroupPresharedKey (method 3): 0 clears, 1–256 sets, more is INVALID_PARAMETER.

use crate::common::*;

fn group_lookup(t: &Iscsisec) -> Lookup {
    t.lookup("1", "fqdn", "anyone.example", true)
}

#[test]
fn set_replace_and_clear_the_group_key() {
    let t = iscsisec!();
    assert!(!has_group_key(&t));
    assert_eq!(t.set_group_key(b"first"), isdsc::SUCCESS);
    assert!(has_group_key(&t));
    assert_eq!(
        group_lookup(&t).line(),
        format!("source=group key={}", hex(b"first"))
    );
    assert_eq!(t.set_group_key(b"second"), isdsc::SUCCESS);
    assert_eq!(
        group_lookup(&t).line(),
        format!("source=group key={}", hex(b"second"))
    );
    assert_eq!(t.set_group_key(b""), isdsc::SUCCESS);
    assert!(!has_group_key(&t));
    let l = group_lookup(&t);
    assert_eq!((l.code, l.line()), (Some(1), "source=none"));
    // Clearing an absent group key succeeds.
    assert_eq!(t.set_group_key(b""), isdsc::SUCCESS);
}

#[test]
fn group_key_sizes_1_and_256_are_accepted_257_is_invalid_parameter() {
    let t = iscsisec!();
    assert_eq!(t.set_group_key(&[0xFF]), isdsc::SUCCESS);
    assert_eq!(group_lookup(&t).line(), "source=group key=ff");
    let binary: Vec<u8> = (0..=255u8).rev().collect();
    assert_eq!(t.set_group_key(&binary), isdsc::SUCCESS);
    assert_eq!(
        group_lookup(&t).line(),
        format!("source=group key={}", hex(&binary))
    );
    let before = show(&t);
    for len in [257usize, 1000, 4096] {
        assert_eq!(
            t.set_group_key(&vec![1; len]),
            isdsc::INVALID_PARAMETER,
            "{len}"
        );
    }
    assert_eq!(show(&t), before);
    assert_eq!(
        group_lookup(&t).line(),
        format!("source=group key={}", hex(&binary))
    );
}
