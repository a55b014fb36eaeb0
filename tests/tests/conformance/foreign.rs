//! SPEC §6 foreign entries: an entry in the state directory whose *name* cannot be a record name
//! (`lost+found`, `notes.txt`, a name with a backslash, names that are not ASCII), whatever its
//! type, is reported as `foreign_entries`, is never a corrupt record, never a reason for
//! CACHE_CORRUPTED, and ClearCache neither deletes it nor fails because of it.

use std::path::{Path, PathBuf};

use crate::common::*;

/// Plants foreign entries of every kind in `dir` and returns their paths.
fn plant(dir: &Path) -> Vec<PathBuf> {
    let mut planted = Vec::new();
    let lost = dir.join("lost+found");
    std::fs::create_dir(&lost).expect("lost+found");
    std::fs::write(lost.join("#12345"), b"a file fsck found").expect("file in lost+found");
    planted.push(lost);
    for (name, bytes) in [
        ("notes.txt", &b"the admin's notes"[..]),
        ("back\\slash", b"a name with a backslash"),
        ("GROUP-KEY", b"upper case is not a record name"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("foreign file");
        planted.push(path);
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // Two names that read the same once made readable (each invalid byte becomes U+FFFD).
        for raw in [&b"bad-\xff-name"[..], b"bad-\xfe-name"] {
            let path = dir.join(std::ffi::OsStr::from_bytes(raw));
            std::fs::write(&path, b"x").expect("non-UTF-8 name");
            planted.push(path);
        }
        let fifo = dir.join("a-fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            planted.push(fifo);
        }
    }
    planted
}

#[test]
fn foreign_entries_are_counted_and_left_alone_never_damage() {
    let t = iscsisec!();
    assert_eq!(
        t.set_psk(0, 0x01, id_type::FQDN, b"a.example", b"key a"),
        isdsc::SUCCESS
    );
    assert_eq!(t.set_group_key(b"group key"), isdsc::SUCCESS);
    let planted = plant(t.state_dir());
    let state = show(&t);
    assert_eq!(state["corrupt_records"], json!(0), "{state}");
    assert_eq!(state["foreign_entries"], json!(planted.len()), "{state}");
    // A miss is a plain miss, not CACHE_CORRUPTED.
    assert_eq!(
        t.get_psk(0, id_type::FQDN, b"missing.example"),
        (isdsc::TARGET_PRESHAREDKEY_UNAVAILABLE, 0)
    );
    let l = t.lookup("0", "fqdn", "a.example", true);
    assert_eq!(l.line(), format!("source=port key={}", hex(b"key a")));
    // ClearCache succeeds every time and deletes none of them.
    for round in 0..2 {
        assert_eq!(t.clear_cache(), isdsc::SUCCESS, "round {round}");
        for path in &planted {
            assert!(
                std::fs::symlink_metadata(path).is_ok(),
                "ClearCache deleted {}",
                path.display()
            );
        }
        let state = show(&t);
        assert_eq!(state["foreign_entries"], json!(planted.len()), "{state}");
        assert_eq!(state["corrupt_records"], json!(0), "{state}");
        assert_eq!(state["group_key"], json!(false), "{state}");
    }
    assert!(
        std::fs::read_dir(t.state_dir().join("lost+found")).is_ok_and(|mut d| d.next().is_some())
    );
}
