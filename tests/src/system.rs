//! What the machine offers the tests beyond a temporary directory: a read-only view of a state
//! directory (a private mount namespace), `strace`, and the SKIP rule for what is missing.
//!
//! ```text
//!   test ──► skip_or_fail ──► "SKIP: why" on stderr, or a failure when $CI is set
//!   test ──► read_only_run ──► unshare -m: bind DIR over itself read-only ──► iscsisec …
//! ```

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Whether the tests run under CI (env `CI` set and not empty), where a missing
/// prerequisite is a failure rather than a skip.
#[must_use]
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// Reports a test that cannot run here: one line starting `SKIP:` on the real standard error
/// (not the captured one), or, under CI, a failure.
///
/// # Panics
///
/// Under CI, always: a missing prerequisite there is a failure.
pub fn skip_or_fail(test: &str, why: &str) {
    assert!(!under_ci(), "{test}: prerequisite missing under CI: {why}");
    let _ = writeln!(std::io::stderr(), "SKIP: {test}: {why}");
}

/// Why a private mount namespace with a read-only bind mount cannot be made here, or `None`
/// if it can (it needs `unshare`, `mount` and root, or an unprivileged user namespace).
#[must_use]
pub fn read_only_mounts_unavailable() -> Option<String> {
    let probe = tempfile::tempdir().ok()?;
    let mut command = read_only_command(probe.path(), Path::new("/bin/true"), &[]);
    match command.stdin(Stdio::null()).output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "cannot bind-mount a directory read-only in a private mount namespace: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("cannot run unshare: {e}")),
    }
}

/// `program args…` run with `dir` read-only: in a private mount namespace, `dir` is bind-mounted
/// over itself and remounted read-only, as a file system remounted read-only after errors
/// would be. Nothing outside the namespace sees the mount.
#[must_use]
pub fn read_only_command(dir: &Path, program: &Path, args: &[OsString]) -> Command {
    let mut command = Command::new("unshare");
    command
        .arg("--mount")
        .arg("--propagation")
        .arg("private")
        .arg("sh")
        .arg("-c")
        .arg(r#"mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@""#)
        .arg(dir)
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `program args…` with `dir` read-only (see [`read_only_command`]) and `stdin` as its
/// standard input.
///
/// # Panics
///
/// If `unshare` cannot be started.
#[must_use]
pub fn read_only_run(dir: &Path, program: &Path, args: &[OsString], stdin: &[u8]) -> Output {
    let mut child = read_only_command(dir, program, args)
        .spawn()
        .expect("unshare runs");
    if let Some(mut pipe) = child.stdin.take() {
        // A process that exits before reading its input closes the pipe: not a failure here.
        let _ = pipe.write_all(stdin);
    }
    child.wait_with_output().expect("unshare runs to the end")
}

/// Why `strace` cannot trace a child here, or `None` if it can.
#[must_use]
pub fn strace_unavailable() -> Option<String> {
    match Command::new("strace")
        .args(["-f", "-o", "/dev/null", "/bin/true"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "strace cannot trace here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("strace is not installed (apt package strace): {e}")),
    }
}
