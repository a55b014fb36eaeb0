//! The state directory as `iscsisec` processes leave and find it: one file per record, the
//! lock, leftover temporary files, what goes wrong in storage told on standard error, modes
//! and symbolic links, and where the directory is by default.
//!
//! ```text
//!   this file ──spawns──► iscsisec --state DIR … ──► DirStore ──► DIR (as the user left it)
//!                          stderr: storage: … ◄────────┘
//! ```
//!
//! What the core does with damaged or foreign entries is SPEC §6, proven through `exec` by the
//! conformance suite (`damaged.rs`, `foreign.rs`, `storage.rs`); here only what the host adds.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
#[cfg(target_os = "linux")]
use std::process::{Child, Command, Stdio};
#[cfg(target_os = "linux")]
use std::time::{Duration, Instant};

use common::{SUCCESS, State, found, spawn};

// ----- files -----

#[test]
fn each_record_is_a_file_named_by_the_core() {
    let s = State::new();
    assert!(!s.dir.exists());
    s.rows(&[(&["GroupKey", "persisted", "*"], SUCCESS, 0)]);
    assert_eq!(s.records(), BTreeSet::from(["group-key".to_owned()]));
    // The file holds a record (magic, version, checksum), not the plain key.
    let stored = fs::read(s.dir.join("group-key")).unwrap();
    assert!(stored.starts_with(b"iSEC"), "{stored:?}");
    s.rows(&[
        (
            &["PSKey", "*", "0", "0", "2", "p.example", "kp", "*"],
            SUCCESS,
            0,
        ),
        (&["CHAPSecret", "twelve-bytes"], SUCCESS, 0),
        (
            &["TunnelAddr", "*", "0", "198.51.100.7", "203.0.113.1", "*"],
            SUCCESS,
            0,
        ),
    ]);
    let guid: Vec<u8> = (1..=16).collect();
    let r = s.run_stdin(&["exec", "MSiSCSI_SecurityConfigOperations", "6"], &guid);
    assert_eq!(r.stderr, "ntstatus=0x00000000 used=4\n");
    // Explicit keys and tunnel mappings are named by a 32-digit hash of what identifies them.
    let kinds = |s: &State| -> Vec<String> {
        s.records()
            .into_iter()
            .map(|n| match n.split_once('-') {
                Some((kind @ ("psk" | "tunnel"), hash)) if hash.len() == 32 => format!("{kind}-…"),
                _ => n,
            })
            .collect()
    };
    assert_eq!(
        kinds(&s),
        [
            "chap-secret",
            "generational-guid",
            "group-key",
            "psk-…",
            "tunnel-…"
        ]
    );
    // ClearCache removes the files of what it clears; the tunnel mapping and the GUID stay.
    s.rows(&[(&["ClearCache"], SUCCESS, 0)]);
    assert_eq!(kinds(&s), ["generational-guid", "tunnel-…"]);
}

#[test]
fn leftover_temp_files_are_ignored_and_removed_by_the_next_change() {
    let s = State::new();
    s.rows(&[(&["GroupKey", "real-key", "*"], SUCCESS, 0)]);
    let temps = [".group-key.tmp", ".psk-0123.tmp"];
    fs::write(s.dir.join(temps[0]), b"iSEC half-written garbage").unwrap();
    fs::write(s.dir.join(temps[1]), b"").unwrap();
    // Readers neither count them nor remove them.
    let v = s.show();
    assert_eq!(
        (
            &v["corrupt_records"],
            &v["foreign_entries"],
            &v["group_key"]
        ),
        (&0.into(), &0.into(), &true.into()),
        "a leftover temp file is the host's own"
    );
    assert_eq!(s.lookup("0", "2", "x").out(), found("group", b"real-key"));
    assert!(temps.iter().all(|t| s.dir.join(t).exists()));
    // The next process that may change records removes them, even if it changes nothing.
    s.rows(&[(
        &["GetPSKey", "*", "0", "2", "x"],
        "status=ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE code=0xEFFF0027 flags=0x0000000000000000",
        1,
    )]);
    assert_eq!(s.records(), BTreeSet::from(["group-key".to_owned()]));
}

// ----- what goes wrong in storage is told on stderr -----

#[test]
fn a_failed_write_is_told_on_stderr() {
    let s = State::new();
    s.rows(&[(&["GroupKey", "old-key", "*"], SUCCESS, 0)]);
    // A directory where the CHAP secret's file would go: the rename fails.
    let blocker = s.dir.join("chap-secret");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("x"), b"").unwrap();
    let r = s.run(&["CHAPSecret", "twelve-bytes"]);
    assert_eq!(
        (r.out().as_str(), r.code),
        ("status=ISDSC_NON_SPECIFIC_ERROR code=0xEFFF0001\n", Some(1))
    );
    // Told as met: the directory at the record's name while loading, then the failed rename.
    let lines: Vec<&str> = r.stderr.lines().collect();
    let [loading, writing] = lines.as_slice() else {
        panic!("two storage lines: {r:?}");
    };
    let shown = blocker.display();
    assert_eq!(
        *loading,
        format!("storage: cannot read a record {shown}: not a regular file")
    );
    let rename = format!("storage: cannot rename into place {shown}: ");
    assert!(writing.starts_with(&rename), "{r:?}");
    assert!(!s.dir.join(".chap-secret.tmp").exists());
}

#[cfg(unix)]
#[test]
fn an_unreadable_entry_is_a_corrupt_record_told_on_stderr() {
    let s = State::new();
    s.rows(&[(&["GroupKey", "k", "*"], SUCCESS, 0)]);
    // A FIFO would block a naive reader; a symlink could point anywhere. Neither is read.
    let link = s.dir.join("psk-0123456789abcdef0123456789abcdef");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let r = s.run(&["show", "--json"]);
    assert_eq!(r.json()["corrupt_records"], 1);
    assert_eq!(
        r.stderr,
        format!(
            "storage: cannot read a record {}: not a regular file\n",
            link.display()
        )
    );
    s.rows(&[(&["ClearCache"], SUCCESS, 0)]);
    assert!(fs::symlink_metadata(&link).is_err());
    let r = s.run(&["show", "--json"]);
    assert_eq!(
        (&r.json()["corrupt_records"], r.stderr.as_str()),
        (&0.into(), "")
    );
}

#[test]
fn a_directory_at_a_records_temporary_name_is_reported() {
    // Issue 7 finding 3: a directory at `.NAME.tmp` blocked every write of NAME silently.
    let s = State::new();
    s.rows(&[(&["GroupKey", "k", "*"], SUCCESS, 0)]);
    let blocker = s.dir.join(".group-key.tmp");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("x"), b"the user's").unwrap();
    let reported = format!(
        "storage: {} is not a file: every write of record group-key fails until it is removed\n",
        blocker.display()
    );
    let r = s.run(&["show", "--json"]);
    assert_eq!(r.stderr, reported);
    let v = r.json();
    assert_eq!(
        (&v["foreign_entries"], &v["corrupt_records"]),
        (&1.into(), &0.into()),
        "{v}"
    );
    let r = s.run(&["GroupKey", "new", "*"]);
    assert_eq!(r.out(), "status=ISDSC_NON_SPECIFIC_ERROR code=0xEFFF0001\n");
    let write_failed = format!("storage: cannot write {}: ", blocker.display());
    assert!(
        r.stderr.starts_with(&reported) && r.stderr[reported.len()..].starts_with(&write_failed),
        "{r:?}"
    );
    assert!(
        blocker.join("x").exists(),
        "the user's directory is left alone"
    );
    // Other records are written as usual, and once it is gone so is the group key.
    s.rows(&[(&["CHAPSecret", "twelve-bytes"], SUCCESS, 0)]);
    fs::remove_dir_all(&blocker).unwrap();
    s.rows(&[(&["GroupKey", "new", "*"], SUCCESS, 0)]);
    assert_eq!(s.run(&["show", "--json"]).stderr, "");
}

// ----- the lock -----

/// Whether process `pid` is waiting for a `flock` (Linux: a `->` line of `/proc/locks`).
#[cfg(target_os = "linux")]
fn waits_for_a_lock(pid: u32) -> bool {
    let locks = fs::read_to_string("/proc/locks").expect("/proc/locks");
    locks.lines().any(|line| {
        let mut fields = line.split_whitespace().skip(1);
        fields.next() == Some("->") && fields.nth(3) == Some(pid.to_string().as_str())
    })
}

/// Starts `iscsisec --state DIR args`, its output piped.
#[cfg(target_os = "linux")]
fn start(s: &State, args: &[&str]) -> Child {
    Command::new(common::BIN)
        .arg("--state")
        .arg(&s.dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts `iscsisec --state DIR args` and returns once it waits for the lock, or panics after
/// ten seconds.
#[cfg(target_os = "linux")]
fn start_waiting(s: &State, args: &[&str]) -> Child {
    let mut child = start(s, args);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !waits_for_a_lock(child.id()) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{args:?} did not wait for the lock: it exited with {status}");
        }
        assert!(Instant::now() < deadline, "{args:?} never waited");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// Runs `iscsisec --state DIR args` and returns its exit code and standard output, or kills
/// it and panics if it has not finished within ten seconds (it waited for the lock).
#[cfg(target_os = "linux")]
fn run_without_waiting(s: &State, args: &[&str]) -> (Option<i32>, String) {
    let mut child = start(s, args);
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline || waits_for_a_lock(child.id()) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{args:?} waited for the lock");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    finish(child)
}

/// The answer of a process started by [`start_waiting`], once it has run.
#[cfg(target_os = "linux")]
fn finish(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[cfg(target_os = "linux")]
#[test]
fn changes_wait_for_the_lock_and_readers_share_it() {
    let s = State::new();
    s.rows(&[(&["GroupKey", "first", "*"], SUCCESS, 0)]);
    let lock = fs::File::options()
        .read(true)
        .write(true)
        .open(s.dir.join(".lock"))
        .unwrap();
    // Held to change: every command waits, readers too.
    lock.lock().unwrap();
    let change = start_waiting(&s, &["GroupKey", "second", "*"]);
    let reader = start_waiting(
        &s,
        &["lookup", "--port", "0", "--id-type", "2", "--id", "x"],
    );
    lock.unlock().unwrap();
    assert_eq!(finish(change), (Some(0), format!("{SUCCESS}\n")));
    assert_eq!(finish(reader), (Some(0), "source=group\n".to_owned()));
    // Held to read: readers run alongside, changes wait.
    lock.lock_shared().unwrap();
    let (code, shown) = run_without_waiting(&s, &["show", "--json"]);
    assert!(
        code == Some(0) && shown.starts_with(r#"{"group_key":true,"#),
        "{shown}"
    );
    let change = start_waiting(&s, &["ClearCache"]);
    let lookup = [
        "lookup",
        "--port",
        "0",
        "--id-type",
        "2",
        "--id",
        "x",
        "--reveal",
    ];
    assert_eq!(
        run_without_waiting(&s, &lookup),
        (Some(0), found("group", b"second"))
    );
    lock.unlock().unwrap();
    assert_eq!(finish(change), (Some(0), format!("{SUCCESS}\n")));
    assert_eq!(s.show()["group_key"], false);
}

// ----- modes and links -----

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn an_existing_directory_keeps_its_mode() {
    // Issue 7 finding 5: opening an existing state directory chmodded it to 0700 (a 1777
    // directory lost its sticky bit). Directories the host creates are 0700: secrets.rs
    // `state_files_and_directories_are_created_owner_only`.
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    for existing_mode in [0o1777, 0o755, 0o750] {
        let dir = tmp.path().join(format!("existing-{existing_mode:o}"));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(existing_mode)).unwrap();
        let d = dir.to_str().unwrap();
        for args in [
            &["GroupKey", "k", "*"][..],
            &["show", "--json"],
            &["lookup", "--port", "0", "--id-type", "fqdn", "--id", "h"],
            &["ClearCache"],
        ] {
            spawn(&[&["--state", d][..], args].concat(), b"", &[]);
            assert_eq!(mode(&dir), existing_mode, "{args:?} changed the mode");
        }
        // What the host creates inside is owner-only all the same.
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_state_directory_or_lock_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir(&real).unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // A lock file that is a link (to anywhere, here a file that must not be created or locked).
    let target = tmp.path().join("not-a-lock");
    let lock_link = tmp.path().join("with-link");
    fs::create_dir(&lock_link).unwrap();
    std::os::unix::fs::symlink(&target, lock_link.join(".lock")).unwrap();
    for (dir, line) in [
        (
            &link,
            format!(
                "error: the state directory {} is a symbolic link; refusing it (pass the \
                 directory it points to)",
                link.display()
            ),
        ),
        (
            &lock_link,
            format!(
                "error: the lock file {} is a symbolic link; refusing it",
                lock_link.join(".lock").display()
            ),
        ),
    ] {
        for args in [&["GroupKey", "k", "*"][..], &["show", "--json"]] {
            let r = spawn(
                &[&["--state", dir.to_str().unwrap()][..], args].concat(),
                b"",
                &[],
            );
            assert_eq!(
                (r.code, r.stderr.as_str()),
                (Some(1), format!("{line}\n").as_str()),
                "{args:?}"
            );
        }
    }
    assert_eq!(
        fs::read_dir(&real).unwrap().count(),
        0,
        "nothing went through the link"
    );
    assert!(!target.exists());
    // The same directory without the link works.
    fs::remove_file(lock_link.join(".lock")).unwrap();
    let r = spawn(
        &["--state", lock_link.to_str().unwrap(), "GroupKey", "k", "*"],
        b"",
        &[],
    );
    assert_eq!(r.out(), format!("{SUCCESS}\n"));
}

#[test]
fn a_state_path_that_is_not_a_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, b"not a directory").unwrap();
    let r = spawn(
        &["--state", file.to_str().unwrap(), "show", "--json"],
        b"",
        &[],
    );
    assert_eq!(
        (r.code, r.stderr),
        (
            Some(1),
            format!("error: {} is not a directory\n", file.display())
        )
    );
    assert_eq!(fs::read(&file).unwrap(), b"not a directory");
}

// ----- the default directory -----

#[cfg(not(windows))]
#[test]
fn default_state_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let xdg = tmp.path().join("xdg");
    let run = |env: &[(&str, Option<&Path>)]| spawn(&["GroupKey", "k", "*"], b"", env);
    let r = run(&[("HOME", Some(&home)), ("XDG_STATE_HOME", None)]);
    assert_eq!(r.out(), format!("{SUCCESS}\n"));
    assert!(home.join(".local/state/iscsisec/group-key").exists());
    let r = run(&[("HOME", Some(&home)), ("XDG_STATE_HOME", Some(&xdg))]);
    assert_eq!(r.out(), format!("{SUCCESS}\n"));
    assert!(xdg.join("iscsisec/group-key").exists());
    // A relative XDG_STATE_HOME is ignored (XDG Base Directory spec).
    let r = run(&[
        ("HOME", Some(&home)),
        ("XDG_STATE_HOME", Some(Path::new("rel"))),
    ]);
    assert_eq!(r.out(), format!("{SUCCESS}\n"));
    assert!(!Path::new("rel").exists());
    run(&[("HOME", None), ("XDG_STATE_HOME", None)]).assert_usage_error(
        "error: no default state directory (HOME is not set): pass --state DIR",
    );
}

#[cfg(windows)]
#[test]
fn default_state_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, Option<&Path>)]| spawn(&["GroupKey", "k", "*"], b"", env);
    let r = run(&[("LOCALAPPDATA", Some(tmp.path()))]);
    assert_eq!(r.out(), format!("{SUCCESS}\n"));
    assert!(tmp.path().join("iscsisec").join("group-key").exists());
    run(&[("LOCALAPPDATA", None)]).assert_usage_error(
        "error: no default state directory (LOCALAPPDATA is not set): pass --state DIR",
    );
}
