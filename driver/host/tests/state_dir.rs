//! The state directory as the host finds it, through `iscsisec` processes: directories it did
//! not create keep their mode, new ones are owner-only, symbolic links are refused, and an entry
//! that blocks the writes of a record is reported.
//!
//! ```text
//!   this file ──spawns──► iscsisec --state DIR … ──► DirStore ──► DIR (as the user left it)
//! ```

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_iscsisec");

fn run(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(BIN)
        .arg("--state")
        .arg(dir)
        .args(args)
        .output()
        .expect("run iscsisec");
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {output:?}"
    );
    output
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SUCCESS: &str = "status=SUCCESS code=0x00000000\n";

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn an_existing_directory_keeps_its_mode_and_new_ones_are_owner_only() {
    // Issue 7 finding 5: opening an existing state directory chmodded it to 0700 (a 1777
    // directory lost its sticky bit).
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    for existing_mode in [0o1777, 0o755, 0o750] {
        let dir = tmp.path().join(format!("existing-{existing_mode:o}"));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(existing_mode)).unwrap();
        for args in [
            &["GroupKey", "k", "*"][..],
            &["show", "--json"],
            &["lookup", "--port", "0", "--id-type", "fqdn", "--id", "h"],
            &["ClearCache"],
        ] {
            run(&dir, args);
            assert_eq!(mode(&dir), existing_mode, "{args:?} changed the mode");
        }
        // What the host creates inside is owner-only all the same.
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    // Directories the host creates, parents included, are 0700, even with a permissive umask.
    let nested = tmp.path().join("a/b/state");
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 000 && exec "$0" --state "$1" GroupKey k '*'"#)
        .arg(BIN)
        .arg(&nested)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), SUCCESS, "{}", stderr(&out));
    for dir in [tmp.path().join("a"), tmp.path().join("a/b"), nested.clone()] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for file in fs::read_dir(&nested).unwrap() {
        let path = file.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
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
    for args in [&["GroupKey", "k", "*"][..], &["show", "--json"]] {
        let out = run(&link, args);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: ") && err.contains("is a symbolic link"),
            "{err}"
        );
    }
    assert_eq!(
        fs::read_dir(&real).unwrap().count(),
        0,
        "nothing went through the link"
    );
    // A lock file that is a link (to anywhere, here a file that must not be created or locked).
    let target = tmp.path().join("not-a-lock");
    std::os::unix::fs::symlink(&target, real.join(".lock")).unwrap();
    for args in [&["GroupKey", "k", "*"][..], &["show", "--json"]] {
        let out = run(&real, args);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = stderr(&out);
        assert_eq!(
            err,
            format!(
                "error: the lock file {} is a symbolic link; refusing it\n",
                real.join(".lock").display()
            )
        );
    }
    assert!(!target.exists());
    // The same directory without the link works.
    fs::remove_file(real.join(".lock")).unwrap();
    assert_eq!(stdout(&run(&real, &["GroupKey", "k", "*"])), SUCCESS);
}

#[test]
fn a_directory_at_a_records_temporary_name_is_reported() {
    // Issue 7 finding 3: a directory at `.NAME.tmp` blocked every write of NAME silently.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    assert_eq!(stdout(&run(&dir, &["GroupKey", "k", "*"])), SUCCESS);
    let blocker = dir.join(".group-key.tmp");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("x"), b"the user's").unwrap();
    let out = run(&dir, &["show", "--json"]);
    let err = stderr(&out);
    assert!(
        err.starts_with("storage: ")
            && err.contains(".group-key.tmp")
            && err.contains("every write of record group-key fails"),
        "{err}"
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["foreign_entries"], 1, "{shown}");
    assert_eq!(shown["corrupt_records"], 0, "{shown}");
    let out = run(&dir, &["GroupKey", "new", "*"]);
    assert_eq!(
        stdout(&out),
        "status=ISDSC_NON_SPECIFIC_ERROR code=0xEFFF0001\n"
    );
    assert!(stderr(&out).contains("every write of record group-key fails"));
    assert!(
        blocker.join("x").exists(),
        "the user's directory is left alone"
    );
    // Other records are written as usual, and once it is gone so is the group key.
    assert_eq!(stdout(&run(&dir, &["CHAPSecret", "twelve-bytes"])), SUCCESS);
    fs::remove_dir_all(&blocker).unwrap();
    assert_eq!(stdout(&run(&dir, &["GroupKey", "new", "*"])), SUCCESS);
    assert!(stderr(&run(&dir, &["show", "--json"])).is_empty());
}

#[test]
fn a_state_path_that_is_not_a_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, b"not a directory").unwrap();
    let out = run(&file, &["show", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("is not a directory"));
    assert_eq!(fs::read(&file).unwrap(), b"not a directory");
}
