//! An adapter as the `iscsisec` command line shows it: a binary, a state directory, and the
//! answers of `exec`, `lookup` and `show` read back from its output.
//!
//! ```text
//!   test ──► Iscsisec (this file) ──spawns──► iscsisec --state DIR … (any implementation)
//!                 ▲                               │
//!                 └── Answer / Lookup / show text ┘
//! ```
//!
//! The binary is `$ISCSISEC_BIN` if set, else this crate's `iscsisec-conformance-target` (our
//! own host, built by cargo with the tests, so never stale). Every call is a fresh process.

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::buffers::{Addr, Shape, get_psk_in, set_psk_in, sized_in, tunnel_in_shaped, u32_le};
use crate::spec::{GET_PSK_OUT_LEN, OPERATIONS, SECURITY_CONFIG, STATUS_OUT_LEN, method, nt};
use crate::system;

/// The binary under test: `$ISCSISEC_BIN` if set, else `default` (pass
/// `env!("CARGO_BIN_EXE_iscsisec-conformance-target")`, or use [`crate::iscsisec!`]).
#[must_use]
pub fn binary(default: &str) -> PathBuf {
    match std::env::var_os("ISCSISEC_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(default),
    }
}

/// Runs `bin --state dir <args>` with nothing on standard input, for suites that keep their
/// own state directories; cargo's library path is left out of the environment (it only makes
/// the loader search more directories, which traced runs would count).
///
/// # Panics
///
/// If the binary cannot be started.
#[must_use]
pub fn run_on(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .env_remove("LD_LIBRARY_PATH")
        .arg("--state")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()))
}

/// A fresh [`Iscsisec`] with its own state directory, running `$ISCSISEC_BIN` or this crate's
/// `iscsisec-conformance-target`. Only usable from this package's integration tests (cargo sets
/// `CARGO_BIN_EXE_*` for those).
#[macro_export]
macro_rules! iscsisec {
    () => {
        $crate::Iscsisec::new($crate::binary(env!(
            "CARGO_BIN_EXE_iscsisec-conformance-target"
        )))
    };
}

/// One adapter as seen through the `iscsisec` command line: a binary, a state directory of its
/// own (deleted on drop) and the global options (`--ports`, `--max-entries`). Every call is a
/// fresh process, so every call also goes through a restart.
#[derive(Debug)]
pub struct Iscsisec {
    bin: PathBuf,
    state: tempfile::TempDir,
    global: Vec<String>,
}

impl Iscsisec {
    /// An adapter with default settings and an empty state directory.
    ///
    /// # Panics
    ///
    /// If the temporary directory cannot be made.
    #[must_use]
    pub fn new(bin: PathBuf) -> Iscsisec {
        let state = tempfile::Builder::new()
            .prefix("iscsisec-conformance-")
            .tempdir()
            .expect("a temporary state directory");
        Iscsisec {
            bin,
            state,
            global: Vec::new(),
        }
    }

    /// Sets `--ports N` on every later call.
    #[must_use]
    pub fn ports(mut self, n: u32) -> Iscsisec {
        self.set_global("--ports", n.to_string());
        self
    }

    /// Sets `--max-entries N` on every later call.
    #[must_use]
    pub fn max_entries(mut self, n: usize) -> Iscsisec {
        self.set_global("--max-entries", n.to_string());
        self
    }

    /// Changes `--max-entries` for later calls (a restart with another setting).
    pub fn set_max_entries(&mut self, n: usize) {
        self.set_global("--max-entries", n.to_string());
    }

    fn set_global(&mut self, option: &str, value: String) {
        if let Some(i) = self.global.iter().position(|a| a == option) {
            self.global.remove(i);
            self.global.remove(i);
        }
        self.global.push(option.to_owned());
        self.global.push(value);
    }

    /// The state directory (`--state`).
    #[must_use]
    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    /// The binary under test.
    #[must_use]
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// The full argument list [`Iscsisec::run`] passes for `args`: `--state DIR`, the global
    /// options, then `args`.
    #[must_use]
    pub fn argv(&self, args: &[&str]) -> Vec<OsString> {
        let mut argv: Vec<OsString> = vec!["--state".into(), self.state_dir().into()];
        argv.extend(self.global.iter().map(OsString::from));
        argv.extend(args.iter().map(OsString::from));
        argv
    }

    /// Runs `iscsisec --state DIR <global options> <args>` with `stdin` as standard input and
    /// the state directory mounted read-only (see [`system::read_only_run`]).
    #[must_use]
    pub fn run_read_only(&self, args: &[&str], stdin: &[u8]) -> Output {
        system::read_only_run(self.state_dir(), &self.bin, &self.argv(args), stdin)
    }

    /// Runs `iscsisec --state DIR <global options> <args>` with `stdin` as standard input.
    ///
    /// # Panics
    ///
    /// If the binary cannot be started.
    #[must_use]
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let argv = self.argv(args);
        let mut child = Command::new(&self.bin)
            .args(&argv)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()));
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // A process that exits before reading all of stdin closes the pipe; that is its
        // business, not a test failure.
        let _ = pipe.write_all(stdin);
        drop(pipe);
        child.wait_with_output().expect("the child runs to the end")
    }

    /// `exec CLASS METHOD_ID` with the IN buffer `input` and the default OutBufferSize.
    ///
    /// # Panics
    ///
    /// If the call was not dispatched (exit status not 0, or no `ntstatus=… used=…` line).
    #[must_use]
    pub fn exec(&self, class: &str, method_id: u32, input: &[u8]) -> Answer {
        self.exec_args(&[class, &method_id.to_string()], input)
    }

    /// `exec CLASS METHOD_ID --out-size N` with the IN buffer `input`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::exec`].
    #[must_use]
    pub fn exec_out(&self, class: &str, method_id: u32, input: &[u8], out_size: u32) -> Answer {
        self.exec_args(
            &[
                class,
                &method_id.to_string(),
                "--out-size",
                &out_size.to_string(),
            ],
            input,
        )
    }

    fn exec_args(&self, args: &[&str], input: &[u8]) -> Answer {
        let mut argv = vec!["exec"];
        argv.extend_from_slice(args);
        let output = self.run(&argv, input);
        Answer::parse(&argv, &output)
    }

    /// Calls a SecurityConfigOperations method and returns its OUT `Status`, checking the
    /// transport answer: `STATUS_SUCCESS`, used = OUT size, stdout exactly the OUT bytes, and
    /// for GetPresharedKeyForId the padding bytes 4..8 zero.
    ///
    /// # Panics
    ///
    /// If the transport answer is not a success of the right size.
    #[must_use]
    pub fn call(&self, method_id: u32, input: &[u8]) -> u32 {
        self.exec(SECURITY_CONFIG, method_id, input).status()
    }

    /// SetCHAPSharedSecret (Operations, 71) with `secret`; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn set_chap(&self, secret: &[u8]) -> u32 {
        self.exec(OPERATIONS, method::SET_CHAP, &sized_in(secret))
            .status()
    }

    /// SetPresharedKeyForId; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn set_psk(&self, port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> u32 {
        self.call(method::SET_PSK, &set_psk_in(port, flags, id_type, id, key))
    }

    /// GetPresharedKeyForId; returns `(Status, SecurityFlags)` of its OUT.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn get_psk(&self, port: u32, id_type: u8, id: &[u8]) -> (u32, u64) {
        self.exec(
            SECURITY_CONFIG,
            method::GET_PSK,
            &get_psk_in(port, id_type, id),
        )
        .get_psk_out()
    }

    /// SetGroupPresharedKey; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn set_group_key(&self, key: &[u8]) -> u32 {
        self.call(method::SET_GROUP_KEY, &sized_in(key))
    }

    /// SetTunnelModeOuterAddress in WMI's packed shape; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn set_tunnel(&self, port: u32, destination: &Addr, outer: &Addr) -> u32 {
        self.set_tunnel_as(Shape::Packed, port, destination, outer)
    }

    /// SetTunnelModeOuterAddress in the given shape; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`] and [`tunnel_in_shaped`].
    #[must_use]
    pub fn set_tunnel_as(&self, shape: Shape, port: u32, destination: &Addr, outer: &Addr) -> u32 {
        self.call(
            method::SET_TUNNEL,
            &tunnel_in_shaped(shape, port, destination, outer),
        )
    }

    /// ClearCache; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn clear_cache(&self) -> u32 {
        self.call(method::CLEAR_CACHE, &[])
    }

    /// SetGenerationalGuid; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn set_guid(&self, guid: [u8; 16]) -> u32 {
        self.call(method::SET_GUID, &guid)
    }

    /// `show --json`'s standard output.
    ///
    /// # Panics
    ///
    /// If `show --json` does not exit 0.
    #[must_use]
    pub fn show_json(&self) -> String {
        let out = self.run(&["show", "--json"], &[]);
        assert!(
            out.status.success(),
            "show --json failed: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("show --json prints UTF-8")
    }

    /// `lookup --port P --id-type T --id ID [--reveal]`.
    #[must_use]
    pub fn lookup(&self, port: &str, id_type: &str, id: &str, reveal: bool) -> Lookup {
        let out = self.run(&lookup_args(port, id_type, id, reveal), &[]);
        Lookup {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Every regular file under the state directory with its bytes, sorted by path.
    ///
    /// # Panics
    ///
    /// If the directory cannot be read.
    #[must_use]
    pub fn stored_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut dirs = vec![self.state_dir().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("state directory readable") {
                let entry = entry.expect("directory entry");
                let ty = entry.file_type().expect("file type");
                if ty.is_dir() {
                    dirs.push(entry.path());
                } else if ty.is_file() {
                    let bytes = std::fs::read(entry.path()).expect("stored file readable");
                    files.push((entry.path(), bytes));
                }
            }
        }
        files.sort();
        files
    }
}

/// The arguments of `lookup --port P --id-type T --id ID [--reveal]`.
#[must_use]
pub fn lookup_args<'a>(port: &'a str, id_type: &'a str, id: &'a str, reveal: bool) -> Vec<&'a str> {
    let mut args = vec!["lookup", "--port", port, "--id-type", id_type, "--id", id];
    if reveal {
        args.push("--reveal");
    }
    args
}

/// What `lookup` answered.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Exit code.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Lookup {
    /// The one line of standard output, trimmed.
    #[must_use]
    pub fn line(&self) -> &str {
        self.stdout.trim_end_matches(['\n', '\r'])
    }
}

/// The answer of one dispatched `exec`: the NTSTATUS and BufferUsed from the last line of
/// standard error, and the OUT bytes from standard output.
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    /// The NTSTATUS.
    pub ntstatus: u32,
    /// BufferUsed.
    pub used: u32,
    /// Standard output: the first `used` bytes of the buffer when the NTSTATUS is a success.
    pub out: Vec<u8>,
    /// Standard error, for messages.
    pub stderr: String,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ntstatus=0x{:08X} used={} out={:02x?}",
            self.ntstatus, self.used, self.out
        )
    }
}

impl Answer {
    /// Parses the output of `iscsisec … exec …`.
    ///
    /// # Panics
    ///
    /// If the process did not exit 0 or the last line of standard error is not
    /// `ntstatus=0xXXXXXXXX used=N`.
    #[must_use]
    pub fn parse(argv: &[&str], output: &Output) -> Answer {
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(
            output.status.code(),
            Some(0),
            "`{}` must exit 0 when the call was dispatched; stderr:\n{stderr}",
            argv.join(" ")
        );
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let (ntstatus, used) = parse_status_line(last).unwrap_or_else(|| {
            panic!(
                "`{}`: last line of stderr is not `ntstatus=0xXXXXXXXX used=N`: {last:?}",
                argv.join(" ")
            )
        });
        Answer {
            ntstatus,
            used,
            out: output.stdout.clone(),
            stderr,
        }
    }

    /// Asserts a transport-level refusal: this NTSTATUS, this BufferUsed, nothing on stdout.
    ///
    /// # Panics
    ///
    /// If the answer differs.
    pub fn assert_refused(&self, ntstatus: u32, used: u32) {
        assert_eq!(
            (self.ntstatus, self.used, self.out.as_slice()),
            (ntstatus, used, &[][..]),
            "expected ntstatus=0x{ntstatus:08X} used={used} and no OUT, got {self:?}"
        );
    }

    /// The OUT `Status` of a method whose OUT is 4 bytes, checking `STATUS_SUCCESS`, used = 4
    /// and stdout = the 4 bytes; or of GetPresharedKeyForId (16 bytes) with its padding zero.
    ///
    /// # Panics
    ///
    /// If the transport answer is not such a success.
    #[must_use]
    pub fn status(&self) -> u32 {
        assert_eq!(self.ntstatus, nt::SUCCESS, "{self:?}\n{}", self.stderr);
        assert!(
            self.used == STATUS_OUT_LEN || self.used == GET_PSK_OUT_LEN,
            "used must be an OUT size: {self:?}"
        );
        assert_eq!(
            self.out.len(),
            usize::try_from(self.used).unwrap_or(usize::MAX),
            "stdout must be exactly the first `used` bytes: {self:?}"
        );
        if self.used == GET_PSK_OUT_LEN {
            assert_eq!(self.out[4..8], [0; 4], "OUT padding must be zero: {self:?}");
        }
        u32_le(&self.out, 0)
    }

    /// `(Status, SecurityFlags)` of a GetPresharedKeyForId OUT, checking the transport answer
    /// (success, used 16, 16 bytes, padding 4..8 zero).
    ///
    /// # Panics
    ///
    /// If the transport answer is not such a success.
    #[must_use]
    pub fn get_psk_out(&self) -> (u32, u64) {
        assert_eq!(
            self.used, GET_PSK_OUT_LEN,
            "GetPresharedKeyForId uses 16: {self:?}"
        );
        let status = self.status();
        let mut flags = [0u8; 8];
        flags.copy_from_slice(&self.out[8..16]);
        (status, u64::from_le_bytes(flags))
    }
}

/// Parses `ntstatus=0xXXXXXXXX used=N` (eight hex digits, either case).
#[must_use]
pub fn parse_status_line(line: &str) -> Option<(u32, u32)> {
    let rest = line.trim().strip_prefix("ntstatus=0x")?;
    let (hex, rest) = rest.split_once(' ')?;
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let used = rest.trim().strip_prefix("used=")?;
    if used.is_empty() || !used.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((u32::from_str_radix(hex, 16).ok()?, used.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_parses_exactly() {
        assert_eq!(
            parse_status_line("ntstatus=0xC0000023 used=16"),
            Some((0xC000_0023, 16))
        );
        assert_eq!(
            parse_status_line("ntstatus=0x00000000 used=4\n"),
            Some((0, 4))
        );
        assert_eq!(
            parse_status_line("ntstatus=0xc0000297 used=0"),
            Some((0xC000_0297, 0))
        );
        for bad in [
            "",
            "ntstatus=0xC000023 used=16",
            "ntstatus=C0000023 used=16",
            "ntstatus=0xC0000023 used=",
            "ntstatus=0xC0000023 used=-1",
            "ntstatus=0xC0000023",
            "status=0xC0000023 used=1",
        ] {
            assert_eq!(parse_status_line(bad), None, "{bad:?}");
        }
    }
}
