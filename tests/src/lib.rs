//! Shared helpers for the integration and conformance tests: where the `iscsisec` binary is,
//! a fresh state directory per test, hand-built WMI buffers and the parsing of `exec`'s answer.
//!
//! ```text
//!   tests/tests/conformance ──► this file ──► `iscsisec --state DIR …` (any implementation)
//! ```
//!
//! The buffers are built here byte by byte from SPEC §2 (explicit offsets, little-endian), never
//! with the core's wire emitters, so that the conformance suite checks the layouts
//! independently. The binary is `$ISCSISEC_BIN` if set, else this crate's
//! `iscsisec-conformance-target` (our own host, built by cargo with the tests, so never stale).
//!
//! [`bench`](mod@bench) is the hot path's benchmark support (`hotpath`, `benches/lookup.rs`).

pub mod bench;

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod ike;
pub mod iscsi;
pub mod system;

/// `MSiSCSI_SecurityConfigOperations`, methods 1–6.
pub const SECURITY_CONFIG: &str = "MSiSCSI_SecurityConfigOperations";
/// `MSiSCSI_Operations`, method 71.
pub const OPERATIONS: &str = "MSiSCSI_Operations";
/// `MSiSCSI_SecurityConfigOperations`'s GUID, Windows text form.
pub const SECURITY_CONFIG_GUID: &str = "391F3325-0BA3-4083-A861-CF4F6F97A527";
/// `MSiSCSI_Operations`'s GUID, Windows text form.
pub const OPERATIONS_GUID: &str = "EA4D82BF-29DA-4E12-800A-E5437964462C";

/// Method ids (SPEC §2).
pub mod method {
    /// SetPresharedKeyForId.
    pub const SET_PSK: u32 = 1;
    /// GetPresharedKeyForId.
    pub const GET_PSK: u32 = 2;
    /// SetGroupPresharedKey.
    pub const SET_GROUP_KEY: u32 = 3;
    /// SetTunnelModeOuterAddress.
    pub const SET_TUNNEL: u32 = 4;
    /// ClearCache.
    pub const CLEAR_CACHE: u32 = 5;
    /// SetGenerationalGuid.
    pub const SET_GUID: u32 = 6;
    /// SetCHAPSharedSecret (Operations class).
    pub const SET_CHAP: u32 = 71;
}

/// NTSTATUS values of SPEC §3.
pub mod nt {
    /// `STATUS_SUCCESS`.
    pub const SUCCESS: u32 = 0x0000_0000;
    /// `STATUS_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: u32 = 0xC000_000D;
    /// `STATUS_BUFFER_TOO_SMALL`.
    pub const BUFFER_TOO_SMALL: u32 = 0xC000_0023;
    /// `STATUS_WMI_GUID_NOT_FOUND`.
    pub const WMI_GUID_NOT_FOUND: u32 = 0xC000_0295;
    /// `STATUS_WMI_ITEMID_NOT_FOUND`.
    pub const WMI_ITEMID_NOT_FOUND: u32 = 0xC000_0297;
}

/// ISDSC status codes of SPEC §4 (the OUT `Status`).
pub mod isdsc {
    /// Success.
    pub const SUCCESS: u32 = 0;
    /// `ISDSC_NON_SPECIFIC_ERROR`.
    pub const NON_SPECIFIC_ERROR: u32 = 0xEFFF_0001;
    /// `ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE`.
    pub const TARGET_PRESHAREDKEY_UNAVAILABLE: u32 = 0xEFFF_0027;
    /// `ISDSC_HBA_SECURITY_CACHE_FULL`.
    pub const HBA_SECURITY_CACHE_FULL: u32 = 0xEFFF_002C;
    /// `ISDSC_INVALID_PORT_NUMBER`.
    pub const INVALID_PORT_NUMBER: u32 = 0xEFFF_002D;
    /// `ISDSC_IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED`.
    pub const IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED: u32 = 0xEFFF_0030;
    /// `ISDSC_IKE_ID_PAYLOAD_INCORRECT_SIZE`.
    pub const IKE_ID_PAYLOAD_INCORRECT_SIZE: u32 = 0xEFFF_0031;
    /// `ISDSC_CACHE_CORRUPTED`.
    pub const CACHE_CORRUPTED: u32 = 0xEFFF_0036;
    /// `ISDSC_SHORT_CHAP_SECRET` (a warning).
    pub const SHORT_CHAP_SECRET: u32 = 0xAFFF_0048;
    /// `ISDSC_INVALID_INITIATOR_CHAP_SECRET`.
    pub const INVALID_INITIATOR_CHAP_SECRET: u32 = 0xEFFF_004C;
    /// `ISDSC_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: u32 = 0xEFFF_0056;
}

/// IKE identifier types (RFC 2407).
pub mod id_type {
    /// `ID_IPV4_ADDR`.
    pub const IPV4: u8 = 1;
    /// `ID_FQDN`.
    pub const FQDN: u8 = 2;
    /// `ID_USER_FQDN`.
    pub const USER_FQDN: u8 = 3;
    /// `ID_IPV6_ADDR`.
    pub const IPV6: u8 = 5;
}

/// `PortNumber` meaning every port.
pub const ALL_PORTS: u32 = 0xFFFF_FFFF;

/// The OUT size of every method but GetPresharedKeyForId.
pub const STATUS_OUT_LEN: u32 = 4;
/// The OUT size of GetPresharedKeyForId.
pub const GET_PSK_OUT_LEN: u32 = 16;

/// The binary under test: `$ISCSISEC_BIN` if set, else `default` (pass
/// `env!("CARGO_BIN_EXE_iscsisec-conformance-target")`, or use [`iscsisec!`]).
#[must_use]
pub fn binary(default: &str) -> PathBuf {
    match std::env::var_os("ISCSISEC_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(default),
    }
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
        let mut args = vec!["lookup", "--port", port, "--id-type", id_type, "--id", id];
        if reveal {
            args.push("--reveal");
        }
        let out = self.run(&args, &[]);
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

/// Reads a little-endian `u32` at `at`.
///
/// # Panics
///
/// If `bytes` is shorter than `at + 4`.
#[must_use]
pub fn u32_le(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// The four little-endian bytes of an OUT `Status`: what stdout carries for a 4-byte OUT.
#[must_use]
pub fn status_out(status: u32) -> Vec<u8> {
    status.to_le_bytes().to_vec()
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

fn len32(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).expect("test buffers are small")
}

/// `SetPresharedKeyForId_IN` with the declared sizes equal to the given bytes.
///
/// `0: u32 PortNumber · 8: u64 SecurityFlags · 16: u8 IdType · 20: u32 IdSize · 24: u32 KeySize
/// · 28: Id · 28+IdSize: Key`. Padding bytes 4..8 and 17..20 are filled with 0xA5: callers may
/// leave garbage there and it must not matter.
#[must_use]
pub fn set_psk_in(port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut tail = id.to_vec();
    tail.extend_from_slice(key);
    set_psk_in_raw(port, flags, id_type, len32(id), len32(key), &tail)
}

/// `SetPresharedKeyForId_IN` with any declared sizes, followed by `tail` (id, key, padding…).
#[must_use]
pub fn set_psk_in_raw(
    port: u32,
    flags: u64,
    id_type: u8,
    id_size: u32,
    key_size: u32,
    tail: &[u8],
) -> Vec<u8> {
    let mut b = vec![0u8; 28];
    put(&mut b, 0, &port.to_le_bytes());
    put(&mut b, 4, &[0xA5; 4]);
    put(&mut b, 8, &flags.to_le_bytes());
    b[16] = id_type;
    put(&mut b, 17, &[0xA5; 3]);
    put(&mut b, 20, &id_size.to_le_bytes());
    put(&mut b, 24, &key_size.to_le_bytes());
    b.extend_from_slice(tail);
    b
}

/// `GetPresharedKeyForId_IN`: `0: u32 PortNumber · 4: u8 IdType · 8: u32 IdSize · 12: Id`.
/// Padding bytes 5..8 are 0xA5, so that an OUT written over them without zeroing its own
/// padding (OUT bytes 4..8) shows.
#[must_use]
pub fn get_psk_in(port: u32, id_type: u8, id: &[u8]) -> Vec<u8> {
    get_psk_in_raw(port, id_type, len32(id), id)
}

/// `GetPresharedKeyForId_IN` with any declared IdSize, followed by `tail`.
#[must_use]
pub fn get_psk_in_raw(port: u32, id_type: u8, id_size: u32, tail: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 12];
    put(&mut b, 0, &port.to_le_bytes());
    b[4] = id_type;
    put(&mut b, 5, &[0xA5; 3]);
    put(&mut b, 8, &id_size.to_le_bytes());
    b.extend_from_slice(tail);
    b
}

/// `0: u32 Size · 4: bytes[Size]`: SetGroupPresharedKey_IN and SetCHAPSharedSecret_IN.
#[must_use]
pub fn sized_in(bytes: &[u8]) -> Vec<u8> {
    sized_in_raw(len32(bytes), bytes)
}

/// A `u32` size followed by `tail`, whatever the size says.
#[must_use]
pub fn sized_in_raw(size: u32, tail: &[u8]) -> Vec<u8> {
    let mut b = size.to_le_bytes().to_vec();
    b.extend_from_slice(tail);
    b
}

/// An `ISCSI_IP_Address` to build.
#[derive(Debug, Clone)]
pub enum Addr {
    /// Type 0 with this text: its UTF-16LE bytes at their real length, no NUL (L = 2 × units).
    Text(String),
    /// Type 0 with exactly these `TextAddress` bytes; L is their length (odd, over 512, with a
    /// NUL and padding: anything).
    TextBytes(Vec<u8>),
    /// Type 1; the four bytes at offset 4 as given.
    V4([u8; 4]),
    /// Type 2 with address, flow info and scope id.
    V6 {
        /// `IpV6Address`.
        address: [u8; 16],
        /// `IpV6FlowInfo`.
        flow: u32,
        /// `IpV6ScopeId`.
        scope: u32,
    },
    /// Type 3 (empty).
    Empty,
    /// Any `Type` value with every other field zero.
    Type(u32),
    /// Any `Type` value, every other field zero, and these `TextAddress` bytes (the length
    /// rule holds whatever the type).
    TypeWithText(u32, Vec<u8>),
}

impl Addr {
    /// `Addr::Text` from a `&str`.
    #[must_use]
    pub fn text(s: &str) -> Addr {
        Addr::Text(s.to_owned())
    }

    /// `Addr::V6` with zero flow info and scope.
    #[must_use]
    pub fn v6(address: [u8; 16]) -> Addr {
        Addr::V6 {
            address,
            flow: 0,
            scope: 0,
        }
    }

    /// The `Type` field.
    #[must_use]
    pub fn address_type(&self) -> u32 {
        match self {
            Addr::Text(_) | Addr::TextBytes(_) => 0,
            Addr::V4(_) => 1,
            Addr::V6 { .. } => 2,
            Addr::Empty => 3,
            Addr::Type(t) | Addr::TypeWithText(t, _) => *t,
        }
    }

    /// The `TextAddress` bytes (L is their length).
    #[must_use]
    pub fn text_bytes(&self) -> Vec<u8> {
        match self {
            Addr::Text(t) => utf16(t),
            Addr::TextBytes(b) | Addr::TypeWithText(_, b) => b.clone(),
            _ => Vec::new(),
        }
    }
}

/// UTF-16LE bytes of `s`, no NUL.
#[must_use]
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The two shapes of SetTunnelModeOuterAddress_IN (SPEC §2), told apart by InBufferSize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// WMI's marshalling: each counted string at its real length, the outer address at
    /// `align4(38 + L1)`; under 1100 bytes.
    Packed,
    /// The C structs' fixed stride (1100 bytes, the outer address at 552), each L the text's
    /// real length.
    FixedStride,
    /// The fixed stride as the WDK sample's `iSpReadTCPConfigInfo` fills it: each L = 512,
    /// the text followed by NULs up to 512 bytes.
    FixedStride512,
}

/// Every shape, for tests that must hold in each.
pub const SHAPES: [Shape; 3] = [Shape::Packed, Shape::FixedStride, Shape::FixedStride512];

/// `sizeof(ISCSI_IP_Address)` in C: only the fixed stride lays addresses out at this size.
pub const C_IP_ADDRESS_LEN: usize = 548;
/// `sizeof(SetTunnelModeOuterAddress_IN)` in C: an IN at least this long is the fixed stride.
pub const FIXED_STRIDE_LEN: usize = 1100;
/// The outer address's offset in the fixed stride.
pub const FIXED_STRIDE_OUTER: usize = 552;
/// Offset of the destination's `TextAddress` length (L1) in both shapes.
pub const L1_AT: usize = 36;

/// Where the packed shape puts the outer address after a destination text of `l1` bytes.
#[must_use]
pub fn packed_outer_at(l1: usize) -> usize {
    (38 + l1).next_multiple_of(4)
}

/// `ISCSI_IP_Address` at its real length, as WMI packs it: `0: u32 Type · 4: u32 IpV4Address ·
/// 8: u8 IpV6Address[16] · 24: u32 IpV6FlowInfo · 28: u32 IpV6ScopeId · 32: u16 L · 34: L bytes
/// of text` (34 + L bytes, no padding).
///
/// # Panics
///
/// If the text is longer than a `u16` length can say.
#[must_use]
pub fn ip_address(a: &Addr) -> Vec<u8> {
    let text = a.text_bytes();
    let l = u16::try_from(text.len()).expect("a TextAddress length is a u16");
    ip_address_with_length(a, l, &text)
}

/// `ISCSI_IP_Address` with `TextAddress` length `l` followed by `text` (any bytes, whatever
/// `l` says).
#[must_use]
pub fn ip_address_with_length(a: &Addr, l: u16, text: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 34];
    put(&mut b, 0, &a.address_type().to_le_bytes());
    match a {
        Addr::V4(v4) => put(&mut b, 4, v4),
        Addr::V6 {
            address,
            flow,
            scope,
        } => {
            put(&mut b, 8, address);
            put(&mut b, 24, &flow.to_le_bytes());
            put(&mut b, 28, &scope.to_le_bytes());
        }
        _ => {}
    }
    put(&mut b, 32, &l.to_le_bytes());
    b.extend_from_slice(text);
    b
}

/// `SetTunnelModeOuterAddress_IN` as WMI marshals it: `0: u32 PortNumber · 4: Destination
/// (34 + L1) · align4(38 + L1): TunnelModeOuterAddress (34 + L2)`. The padding before the
/// outer address is 0xA5: callers may leave garbage there and it must not matter.
///
/// # Panics
///
/// If the result would be 1100 bytes or more (then it would be read as the fixed stride).
#[must_use]
pub fn tunnel_in(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let mut b = port.to_le_bytes().to_vec();
    b.extend_from_slice(&ip_address(destination));
    b.resize(b.len().next_multiple_of(4), 0xA5);
    b.extend_from_slice(&ip_address(outer));
    assert!(
        b.len() < FIXED_STRIDE_LEN,
        "a packed IN is under 1100 bytes"
    );
    b
}

/// `SetTunnelModeOuterAddress_IN` in the C structs' fixed stride: `0: u32 PortNumber · 4:
/// Destination · 552: TunnelModeOuterAddress`, each address in a 548-byte slot whose unused
/// bytes are zero, the L fields the texts' real lengths. 1100 bytes, more if the outer text
/// runs past its slot.
///
/// # Panics
///
/// If the destination's text would run into the outer address (over 514 bytes).
#[must_use]
pub fn tunnel_in_fixed(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let d = ip_address(destination);
    assert!(d.len() <= C_IP_ADDRESS_LEN, "the destination fits its slot");
    fixed_stride(port, &d, &ip_address(outer))
}

/// The fixed stride as `iSpReadTCPConfigInfo` fills it: each L = 512 and each text followed
/// by NULs up to 512 bytes (so the text ends at its first NUL, SPEC §2).
///
/// # Panics
///
/// If a text is longer than 512 bytes.
#[must_use]
pub fn tunnel_in_c(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let slot = |a: &Addr| {
        let mut text = a.text_bytes();
        assert!(text.len() <= 512, "TextAddress holds 512 bytes");
        text.resize(512, 0);
        ip_address_with_length(a, 512, &text)
    };
    fixed_stride(port, &slot(destination), &slot(outer))
}

fn fixed_stride(port: u32, destination: &[u8], outer: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; FIXED_STRIDE_LEN.max(FIXED_STRIDE_OUTER + outer.len())];
    put(&mut b, 0, &port.to_le_bytes());
    put(&mut b, 4, destination);
    put(&mut b, FIXED_STRIDE_OUTER, outer);
    b
}

/// [`tunnel_in`], [`tunnel_in_fixed`] or [`tunnel_in_c`] by shape.
///
/// # Panics
///
/// As the builder of that shape.
#[must_use]
pub fn tunnel_in_shaped(shape: Shape, port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    match shape {
        Shape::Packed => tunnel_in(port, destination, outer),
        Shape::FixedStride => tunnel_in_fixed(port, destination, outer),
        Shape::FixedStride512 => tunnel_in_c(port, destination, outer),
    }
}

/// Lower-case hex of `bytes`, as `lookup --reveal` prints keys.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn hand_built_layouts_have_the_spec_offsets() {
        let b = set_psk_in(1, 0x0102, 2, b"ab", b"k");
        assert_eq!(b.len(), 31);
        assert_eq!(&b[0..4], &[1, 0, 0, 0]);
        assert_eq!(&b[8..16], &[2, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(b[16], 2);
        assert_eq!(&b[20..28], &[2, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&b[28..], b"abk");

        let g = get_psk_in(ALL_PORTS, 5, &[9; 16]);
        assert_eq!(g.len(), 28);
        assert_eq!(&g[0..5], &[0xff, 0xff, 0xff, 0xff, 5]);
        assert_eq!(&g[8..12], &[16, 0, 0, 0]);

        let v6 = Addr::V6 {
            address: [7; 16],
            flow: 2,
            scope: 3,
        };
        // Packed: an IPv4 destination (L1 = 0) ends at 38, the outer address starts at 40.
        let t = tunnel_in(1, &Addr::V4([192, 0, 2, 1]), &v6);
        assert_eq!(t.len(), 74);
        assert_eq!(&t[4..8], &[1, 0, 0, 0]);
        assert_eq!(&t[8..12], &[192, 0, 2, 1]);
        assert_eq!(&t[36..40], &[0, 0, 0xA5, 0xA5]);
        assert_eq!(&t[40..44], &[2, 0, 0, 0]);
        assert_eq!(&t[48..64], &[7; 16]);
        assert_eq!(&t[64..74], &[2, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
        // Packed text: "ab" is L1 = 4, 38 + 4 = 42, so two bytes of padding before 44.
        let t = tunnel_in(0, &Addr::text("ab"), &Addr::text("c"));
        assert_eq!(&t[36..44], &[4, 0, b'a', 0, b'b', 0, 0xA5, 0xA5]);
        assert_eq!(&t[44..48], &[0; 4]);
        assert_eq!(&t[76..80], &[2, 0, b'c', 0]);
        assert_eq!(t.len(), 80);
        assert_eq!(packed_outer_at(4), 44);
        assert_eq!(packed_outer_at(6), 44);
        // Fixed stride, real lengths: the outer address at 552 whatever L1 says.
        let f = tunnel_in_fixed(1, &Addr::text("ab"), &v6);
        assert_eq!(f.len(), 1100);
        assert_eq!(&f[36..42], &[4, 0, b'a', 0, b'b', 0]);
        assert!(f[42..552].iter().all(|&b| b == 0));
        assert_eq!(&f[552..556], &[2, 0, 0, 0]);
        assert_eq!(&f[560..576], &[7; 16]);
        assert_eq!(&f[576..586], &[2, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
        // Fixed stride as the C sample fills it: L = 512, the text, NULs.
        let c = tunnel_in_c(1, &Addr::text("ab"), &Addr::text("c"));
        assert_eq!(c.len(), 1100);
        assert_eq!(&c[36..44], &[0, 2, b'a', 0, b'b', 0, 0, 0]);
        assert_eq!(&c[584..590], &[0, 2, b'c', 0, 0, 0]);
        let x = ip_address(&Addr::text("ab"));
        assert_eq!(x, [&[0u8; 32][..], &[4, 0, b'a', 0, b'b', 0]].concat());
        assert_eq!(sized_in(b"xy"), vec![2, 0, 0, 0, b'x', b'y']);
    }
}
