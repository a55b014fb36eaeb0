//! The host tests' harness: `iscsisec` run as a user would, one fresh process per call.
//!
//! ```text
//!   cli.rs, state_dir.rs, demo.rs ──► common (this file) ──spawns──► iscsisec --state DIR …
//! ```
//!
//! Every test has its own state directory (a not-yet-existing subdirectory of a temporary
//! directory, so that its creation is exercised too). Because every call is a new process that
//! rebuilds its table from the directory, every assertion after the first call is also one
//! about persistence. Tests are written as tables of `(arguments, expected line, exit code)`.

#![allow(
    dead_code,
    reason = "each test file is its own crate and uses part of this harness"
)]

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The binary under test, built by cargo with the tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_iscsisec");

/// A verb's line when the core answered SUCCESS.
pub const SUCCESS: &str = "status=SUCCESS code=0x00000000";

/// What one invocation did.
#[derive(Debug)]
pub struct Run {
    /// `None` if the process died of a signal (a panic aborts: `panic = "abort"`).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    /// Standard output as text.
    pub fn out(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    /// `show --json`'s object.
    pub fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "{self:?}");
        serde_json::from_slice(&self.stdout).expect("show --json prints JSON")
    }

    /// The bad-argument contract: exit 2, nothing on stdout, exactly `line` on stderr.
    pub fn assert_usage_error(&self, line: &str) {
        assert_eq!(
            (self.code, self.out(), self.stderr.as_str()),
            (Some(2), String::new(), format!("{line}\n").as_str()),
        );
    }
}

/// Runs `iscsisec` with `args`, `stdin` as standard input, and `env` set (`Some`) or removed
/// (`None`); asserts it was not killed (a panic aborts the process).
pub fn spawn(args: &[&str], stdin: &[u8], env: &[(&str, Option<&Path>)]) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let mut child = command.spawn().expect("spawn iscsisec");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    // A separate thread: the child may stop reading (over 64 KiB) and exit.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for iscsisec");
    writer.join().expect("writer thread");
    let run = Run {
        code: output.status.code(),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(run.code.is_some(), "killed by a signal: {run:?}");
    run
}

/// A fresh state directory, removed with its temporary parent on drop.
pub struct State {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl State {
    pub fn new() -> State {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("state");
        State { _tmp: tmp, dir }
    }

    pub fn dir_str(&self) -> &str {
        self.dir.to_str().expect("UTF-8 temp path")
    }

    /// `iscsisec --state DIR <args>`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, b"")
    }

    /// `iscsisec --state DIR <args> < stdin`.
    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut all = vec!["--state", self.dir_str()];
        all.extend_from_slice(args);
        spawn(&all, stdin, &[])
    }

    /// Runs each row in order and checks its one line on standard output and its exit code.
    pub fn rows(&self, rows: &[(&[&str], &str, i32)]) {
        for (args, line, code) in rows {
            let r = self.run(args);
            assert_eq!(
                (r.out(), r.code),
                (format!("{line}\n"), Some(*code)),
                "{args:?}: {r:?}"
            );
        }
    }

    /// Runs each row and checks the bad-argument contract with its exact error line.
    pub fn usage_errors(&self, rows: &[(&[&str], &str)]) {
        for (args, line) in rows {
            let r = self.run(args);
            assert_eq!(
                (r.code, r.out(), r.stderr.as_str()),
                (Some(2), String::new(), format!("{line}\n").as_str()),
                "{args:?}"
            );
        }
    }

    /// `show --json`, parsed.
    pub fn show(&self) -> Value {
        self.run(&["show", "--json"]).json()
    }

    /// `lookup --port P --id-type T --id ID --reveal`.
    pub fn lookup(&self, port: &str, id_type: &str, id: &str) -> Run {
        self.run(&[
            "lookup",
            "--port",
            port,
            "--id-type",
            id_type,
            "--id",
            id,
            "--reveal",
        ])
    }

    /// The names in the state directory but the lock file.
    pub fn records(&self) -> BTreeSet<String> {
        fs::read_dir(&self.dir)
            .expect("read state dir")
            .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
            .filter(|n| n != ".lock")
            .collect()
    }
}

/// `source=SOURCE key=HEX`, as `lookup --reveal` prints a key.
pub fn found(source: &str, key: &[u8]) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("source={source} key={hex}\n")
}

/// Every file of `dir` with its bytes, sorted by name.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().into_string().expect("UTF-8");
            (name, fs::read(e.path()).expect("read file"))
        })
        .collect();
    files.sort();
    files
}
