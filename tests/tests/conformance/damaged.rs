//! SPEC §6 damaged storage as seen through the command line: a stored file with a flipped byte
//! is skipped and counted, GetPresharedKeyForId answers CACHE_CORRUPTED for a missing entry,
//! ClearCache removes the damage, and no damage crashes the host or makes it serve a wrong key.
//!
//! The byte-flip sweep over every stored file is here once through the command line; the core
//! sweeps its record decoder and its provider over every byte of every record.

use std::path::PathBuf;

use crate::common::*;

/// Runs `change` and returns the stored files it created or rewrote.
fn files_written_by(t: &Iscsisec, change: impl FnOnce()) -> Vec<PathBuf> {
    let before = t.stored_files();
    change();
    t.stored_files()
        .into_iter()
        .filter(|(path, bytes)| !before.iter().any(|(p, b)| p == path && b == bytes))
        .map(|(path, _)| path)
        .collect()
}

/// Flips every bit of the byte at `at` (clamped to the file) and returns the original bytes.
fn flip(path: &PathBuf, at: usize) -> Vec<u8> {
    let original = std::fs::read(path).expect("stored file readable");
    assert!(!original.is_empty(), "{} is empty", path.display());
    let mut damaged = original.clone();
    let at = at.min(damaged.len() - 1);
    damaged[at] ^= 0xFF;
    std::fs::write(path, &damaged).expect("stored file writable");
    original
}

/// Sets an explicit key and damages the file(s) its record went to.
fn set_and_damage(t: &Iscsisec, port: u32, flags: u64, id: &[u8], key: &[u8]) -> usize {
    let files = files_written_by(t, || {
        assert_eq!(
            t.set_psk(port, flags, id_type::FQDN, id, key),
            isdsc::SUCCESS
        );
    });
    assert!(
        !files.is_empty(),
        "setting a key wrote no file in {}",
        t.state_dir().display()
    );
    for f in &files {
        let len = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        flip(f, usize::try_from(len / 2).unwrap_or(0));
    }
    files.len()
}

#[test]
fn a_damaged_record_is_skipped_and_counted_and_get_answers_cache_corrupted() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 0x03, id_type::FQDN, b"a.example", b"key a"),
        isdsc::SUCCESS
    );
    let damaged = set_and_damage(&t, 0, 0x05, b"b.example", b"key b");
    let state = show(&t);
    assert_eq!(state["corrupt_records"], json!(damaged), "{state}");
    assert_eq!(
        psks_of(&state),
        vec![psk("0", 2, "a.example", 3)],
        "the rest still loads"
    );
    // The damaged entry, and any other missing one, may be the damaged one.
    for id in [&b"b.example"[..], b"never-set.example"] {
        assert_eq!(
            t.get_psk(0, id_type::FQDN, id),
            (isdsc::CACHE_CORRUPTED, 0),
            "{}",
            String::from_utf8_lossy(id)
        );
    }
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"a.example"),
        (isdsc::SUCCESS, 3)
    );
    let l = t.lookup("0", "fqdn", "a.example", true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"key a")));
    // Setting the entry again replaces the damaged record.
    assert_eq!(
        t.set_psk(0, 0x05, id_type::FQDN, b"b.example", b"key b"),
        isdsc::SUCCESS
    );
    assert_eq!(corrupt_records(&t), 0);
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"b.example"),
        (isdsc::SUCCESS, 5)
    );
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"never-set.example"),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn clear_cache_removes_damaged_records() {
    let t = iscsisec!();
    assert_eq!(
        t.set_tunnel(0, &Addr::V4(V4), &Addr::V4(V4_OUTER)),
        isdsc::SUCCESS
    );
    set_and_damage(&t, ALL_PORTS, 0x01, b"a.example", b"key a");
    assert!(corrupt_records(&t) >= 1);
    assert_eq!(
        t.get_psk(1, id_type::FQDN, b"other.example"),
        (isdsc::CACHE_CORRUPTED, 0)
    );
    assert_eq!(t.clear_cache(), isdsc::SUCCESS);
    let state = show(&t);
    assert_eq!(state["corrupt_records"], json!(0), "{state}");
    assert_eq!(
        tunnels_of(&state),
        vec![tunnel("0", V4_TEXT, "198.51.100.1")]
    );
    assert_eq!(
        t.get_psk(1, id_type::FQDN, b"a.example"),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
}

#[test]
fn a_damaged_port_record_does_not_let_a_lower_precedence_key_stand_in() {
    let t = iscsisec!();
    assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS);
    set_and_damage(&t, 0, 0x01, b"x.example", b"port key");
    assert_eq!(corrupt_records(&t), 1);
    // The lookup must not hand out the group key in place of the damaged explicit key.
    let l = t.lookup("0", "fqdn", "x.example", true);
    assert_ne!(
        l.code,
        Some(0),
        "served {:?} in place of a damaged explicit key",
        l.line()
    );
    assert_eq!(l.code, Some(1), "no crash: {}", l.stderr);
    assert!(!l.stdout.contains(&hex(b"group key")));
    // Other identifiers still get the group key.
    let l = t.lookup("0", "fqdn", "y.example", true);
    assert_eq!(l.line(), format!("source=group key={}", hex(b"group key")));
}

#[test]
fn get_agrees_with_the_lookup_when_the_port_record_is_damaged() {
    // SPEC §4: GetPresharedKeyForId "finds the explicit entry the lookup would use". With the
    // port-0 record damaged the lookup refuses to fall back to the all-ports key (SPEC §6: never
    // serve a wrong key), so Get must not report that all-ports entry either.
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(ALL_PORTS, 0x09, id_type::FQDN, FQDN, b"all-ports key"),
        isdsc::SUCCESS
    );
    set_and_damage(&t, 0, 0x05, FQDN, b"port key");
    let l = t.lookup("0", "fqdn", "initiator.example.com", true);
    assert_eq!(l.code, Some(1), "the lookup refuses: {}", l.stdout);
    assert_eq!(
        t.get_psk(0, id_type::FQDN, FQDN),
        (isdsc::CACHE_CORRUPTED, 0),
        "Get reports an entry the lookup would not use"
    );
    // Port 1 never had an entry of its own: the all-ports one answers both.
    assert_eq!(t.get_psk(1, id_type::FQDN, FQDN), (isdsc::SUCCESS, 0x09));
    let l = t.lookup("1", "fqdn", "initiator.example.com", true);
    assert_eq!(
        l.line(),
        format!("source=all-ports key={}", hex(b"all-ports key"))
    );
}

/// Puts every stored file back as `snapshot` holds it, and removes any other.
fn restore(t: &Iscsisec, snapshot: &[(PathBuf, Vec<u8>)]) {
    for (path, _) in t.stored_files() {
        if !snapshot.iter().any(|(p, _)| *p == path) {
            std::fs::remove_file(&path).expect("remove a file the snapshot lacks");
        }
    }
    for (path, bytes) in snapshot {
        std::fs::write(path, bytes).expect("restore a stored file");
    }
}

/// How a stored file is damaged in the sweep below.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Every bit of the byte at this offset flipped.
    Flip(usize),
    /// Emptied.
    Empty,
    /// The last byte cut off.
    Truncated,
    /// Padded with 0x5A to 100,000 bytes, far past any record.
    Oversized,
}

impl Damage {
    fn apply(self, path: &PathBuf) {
        let mut bytes = std::fs::read(path).expect("stored file readable");
        match self {
            Damage::Flip(at) => {
                flip(path, at);
                return;
            }
            Damage::Empty => bytes.clear(),
            Damage::Truncated => {
                bytes.pop();
            }
            Damage::Oversized => bytes.resize(100_000, 0x5A),
        }
        std::fs::write(path, &bytes).expect("stored file writable");
    }
}

#[test]
fn no_damage_to_any_stored_file_crashes_the_host_or_serves_a_wrong_key() {
    // SPEC §6: a damaged record is counted, never serves a wrong key, never stops the rest, and
    // ClearCache removes it. Every stored file in turn, each byte that holds a field of a
    // typical record (and the last 33, where a trailing checksum would be), and whole-file
    // damage; each time from the same state.
    let t = iscsisec!();
    populate(&t);
    let snapshot = t.stored_files();
    let files: Vec<PathBuf> = snapshot
        .iter()
        .filter(|(_, b)| !b.is_empty())
        .map(|(p, _)| p.clone())
        .collect();
    assert!(files.len() >= 7, "one record per entry: {files:?}");
    let allowed = |l: &Lookup, ok: &str, what: &str| match l.code {
        Some(0) => assert_eq!(l.line(), ok, "{what}: a wrong key"),
        Some(1) => assert_eq!(l.line(), "source=none", "{what}"),
        other => panic!("{what}: exit {other:?} (a crash?): {}", l.stderr),
    };
    // populate(): the port-0 key of V4, the all-ports key of FQDN, the group key.
    let port_key = format!("source=port key={}", hex(b"port key"));
    let mut cases = 0;
    for file in &files {
        let len = std::fs::metadata(file).map_or(0, |m| m.len());
        let len = usize::try_from(len).unwrap_or(0);
        let mut damages: Vec<Damage> = [0, 3, 4, 5, 6, 8, 12, len / 2]
            .into_iter()
            .chain([33, 32, 1].map(|back| len.saturating_sub(back)))
            .filter(|&at| at < len)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(Damage::Flip)
            .collect();
        damages.extend([Damage::Empty, Damage::Truncated, Damage::Oversized]);
        for damage in damages {
            damage.apply(file);
            let what = format!("{} {damage:?}", file.display());
            let state = show(&t);
            assert_eq!(
                (&state["corrupt_records"], &state["foreign_entries"]),
                (&json!(1), &json!(0)),
                "{what}: {state}"
            );
            // Each identifier gets its own key or nothing, never another one.
            allowed(&t.lookup("0", "ipv4", V4_TEXT, true), &port_key, &what);
            allowed(
                &t.lookup("1", "fqdn", "initiator.example.com", true),
                &format!("source=all-ports key={}", hex(b"all-ports key")),
                &what,
            );
            allowed(
                &t.lookup("1", "ipv4", V4_TEXT, true),
                &format!("source=group key={}", hex(b"group key")),
                &what,
            );
            let get = t.get_psk(0, id_type::IPV4, &V4);
            assert!(
                [(isdsc::SUCCESS, 0x07), (isdsc::CACHE_CORRUPTED, 0)].contains(&get),
                "{what}: {get:x?}"
            );
            // Changes still work on a damaged store, and ClearCache removes the damage.
            assert_eq!(
                t.set_tunnel(1, &Addr::V4(V4_OUTER), &Addr::text("gw2")),
                isdsc::SUCCESS,
                "{what}"
            );
            assert_eq!(t.clear_cache(), isdsc::SUCCESS, "{what}");
            assert_eq!(corrupt_records(&t), 0, "{what}");
            assert!(
                !t.stored_files().iter().any(|(p, _)| p == file),
                "{what}: the damaged record is still stored"
            );
            let l = t.lookup("0", "ipv4", V4_TEXT, true);
            assert_eq!((l.code, l.line()), (Some(1), "source=none"), "{what}");
            restore(&t, &snapshot);
            cases += 1;
        }
    }
    assert!(cases >= 7 * 11, "{cases} cases");
    assert_eq!(corrupt_records(&t), 0);
}

#[test]
fn a_records_bytes_under_a_name_no_record_has_are_a_foreign_entry() {
    let t = iscsisec!();
    let files = files_written_by(&t, || {
        assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS);
    });
    let [record] = files.as_slice() else {
        eprintln!("note: records are not one file each here; test skipped");
        return;
    };
    let copy = t.state_dir().join("not-a-record");
    std::fs::copy(record, &copy).expect("copy a record");
    let state = show(&t);
    assert_eq!(
        (&state["corrupt_records"], &state["foreign_entries"]),
        (&json!(0), &json!(1)),
        "{state}"
    );
    assert_eq!(t.clear_cache(), isdsc::SUCCESS);
    let state = show(&t);
    assert_eq!(
        (&state["corrupt_records"], &state["foreign_entries"]),
        (&json!(0), &json!(1)),
        "left alone: {state}"
    );
    assert!(copy.exists());
}

/// Moves the file of a record written by `set` over the file of a record written by `other`.
/// `None` if the implementation does not keep one file per record.
fn move_record_over(t: &Iscsisec, set: impl FnOnce(), other: impl FnOnce()) -> Option<()> {
    let moved = files_written_by(t, set);
    let target = files_written_by(t, other);
    let ([from], [to]) = (moved.as_slice(), target.as_slice()) else {
        eprintln!("note: records are not one file each here; moved-record test skipped");
        return None;
    };
    std::fs::rename(from, to).expect("rename a record file over another");
    Some(())
}

#[test]
fn a_record_moved_to_another_records_name_never_lets_a_lower_key_stand_in() {
    // SPEC §6: a record stored under another record's name is damage to the identity its
    // content names and to the name it was found under. Issue 7 finding 1: the lookup used to
    // serve the all-ports key for the moved port-level entry.
    let t = iscsisec!();
    assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS);
    assert_eq!(
        t.set_psk(
            ALL_PORTS,
            0x09,
            id_type::FQDN,
            b"x.example",
            b"x all-ports key"
        ),
        isdsc::SUCCESS
    );
    let Some(()) = move_record_over(
        &t,
        || {
            assert_eq!(
                t.set_psk(0, 0x05, id_type::FQDN, b"x.example", b"x port key"),
                isdsc::SUCCESS
            )
        },
        || {
            assert_eq!(
                t.set_psk(0, 0x03, id_type::FQDN, b"y.example", b"y port key"),
                isdsc::SUCCESS
            )
        },
    ) else {
        return;
    };
    for id in ["x.example", "y.example"] {
        let l = t.lookup("0", "fqdn", id, true);
        assert_eq!(
            (l.code, l.line()),
            (Some(1), "source=none"),
            "{id}: a lower-precedence key stood in for a moved record: {}",
            l.stderr
        );
        assert_eq!(
            t.get_psk(0, id_type::FQDN, id.as_bytes()),
            (isdsc::CACHE_CORRUPTED, 0),
            "{id}"
        );
    }
    assert!(corrupt_records(&t) >= 1);
    // Port 1 never had a key of its own for x: its all-ports key is the right answer there.
    let l = t.lookup("1", "fqdn", "x.example", true);
    assert_eq!(
        l.line(),
        format!("source=all-ports key={}", hex(b"x all-ports key"))
    );
    // Setting the key again ends the damage for that identifier.
    assert_eq!(
        t.set_psk(0, 0x05, id_type::FQDN, b"x.example", b"x new key"),
        isdsc::SUCCESS
    );
    let l = t.lookup("0", "fqdn", "x.example", true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"x new key")));
    assert_eq!(t.clear_cache(), isdsc::SUCCESS);
    assert_eq!(corrupt_records(&t), 0);
}

#[test]
fn a_moved_group_key_or_chap_record_is_never_served_from_the_wrong_name() {
    // The same for whole-adapter records: the group key's record moved over an explicit key's.
    let t = iscsisec!();
    let Some(()) = move_record_over(
        &t,
        || assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS),
        || {
            assert_eq!(
                t.set_psk(0, 0x01, id_type::FQDN, b"z.example", b"z key"),
                isdsc::SUCCESS
            )
        },
    ) else {
        return;
    };
    let l = t.lookup("0", "fqdn", "z.example", true);
    assert_eq!((l.code, l.line()), (Some(1), "source=none"), "{}", l.stderr);
    let l = t.lookup("0", "fqdn", "other.example", true);
    assert_eq!(
        l.code,
        Some(1),
        "the group key is gone from its own name: {}",
        l.line()
    );
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"z.example"),
        (isdsc::CACHE_CORRUPTED, 0)
    );
}
