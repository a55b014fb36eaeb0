//! `iscsisec demo`: it runs every step as expected, shows what the README says it shows, and
//! never touches the state directory.
//!
//! ```text
//!   this file ──spawns──► iscsisec demo ──spawns──► iscsisec --state <its own dir> <step>
//! ```

mod common;

use std::path::Path;

use common::{SUCCESS, State, snapshot, spawn};

#[test]
fn the_demo_runs_end_to_end() {
    let r = spawn(&["demo"], b"", &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let out = r.out();
    for expected in [
        "source=port key=",
        "source=all-ports key=",
        "source=group key=",
        "source=none",
        "flags=0x000000000000000B",
        "status=ISDSC_SHORT_CHAP_SECRET code=0xAFFF0048",
        "ntstatus=0x00000000 used=4",
        "  0000: ff ff ff ff 00 00 00 00 07 00 00 00 00 00 00 00",
        // The text destination's counted string: L1 = 0x1c, then "targe…" in UTF-16.
        "IN buffer (102 bytes):",
        "  0020: 00 00 00 00 1c 00 74 00 61 00 72 00 67 00 65 00",
        "\"destination\":\"target.example\"",
        "\"corrupt_records\":0",
        "\"group_key\":true",
        "Every step exited as expected.",
    ] {
        assert!(out.contains(expected), "{expected} missing from:\n{out}");
    }
    // The temporary state directory is gone afterwards.
    let dir_line = out
        .lines()
        .find_map(|l| l.strip_prefix("$ iscsisec --state "))
        .expect("a command line");
    let dir = dir_line.split(' ').next().unwrap();
    assert!(!Path::new(dir).exists(), "{dir} left behind");
}

#[test]
fn the_demo_never_reads_or_changes_the_state_directory() {
    // Finding 4 of issue 7: `--state DIR demo` used to run its ClearCache in DIR.
    let s = State::new();
    s.rows(&[
        (&["GroupKey", "real-group-key", "*"], SUCCESS, 0),
        (
            &["PSKey", "*", "0", "0", "2", "real.example", "real-key", "*"],
            SUCCESS,
            0,
        ),
    ]);
    let before = snapshot(&s.dir);
    let r = s.run(&["demo"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.out().starts_with(
            "note: the demo works in a fresh directory of its own; --state is left untouched.\n"
        ),
        "{r:?}"
    );
    assert!(
        !r.out().contains(s.dir_str()),
        "the demo ran in the state directory"
    );
    assert_eq!(snapshot(&s.dir), before, "the state directory changed");
    // Neither a --state that does not exist yet nor the default directory is created.
    let tmp = tempfile::tempdir().unwrap();
    let absent = tmp.path().join("absent");
    let home = tmp.path().join("home");
    let env = [("HOME", Some(home.as_path())), ("XDG_STATE_HOME", None)];
    let r = spawn(&["--state", absent.to_str().unwrap(), "demo"], b"", &env);
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = spawn(&["demo"], b"", &env);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!absent.exists() && !home.exists());
}
