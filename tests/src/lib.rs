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

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

    /// SetTunnelModeOuterAddress; returns the OUT `Status`.
    ///
    /// # Panics
    ///
    /// As [`Iscsisec::call`].
    #[must_use]
    pub fn set_tunnel(&self, port: u32, destination: &Addr, outer: &Addr) -> u32 {
        self.call(method::SET_TUNNEL, &tunnel_in(port, destination, outer))
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
    /// Type 0 with this text, NUL-terminated (the rest of the 257 units zero).
    Text(String),
    /// Type 0 with exactly these UTF-16 units in `TextAddress` (no NUL added: up to 257).
    TextUnits(Vec<u16>),
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
}

/// Size of `ISCSI_IP_Address`.
pub const IP_ADDRESS_LEN: usize = 548;
/// Size of `SetTunnelModeOuterAddress_IN`.
pub const TUNNEL_IN_LEN: usize = 4 + 2 * IP_ADDRESS_LEN;

/// `ISCSI_IP_Address`: `0: u32 Type · 4: u32 IpV4Address · 8: u8 IpV6Address[16] · 24: u32
/// IpV6FlowInfo · 28: u32 IpV6ScopeId · 32: u16 TextAddress[257] · 546: 2 bytes padding`.
///
/// # Panics
///
/// If a text is longer than 257 units.
#[must_use]
pub fn ip_address(a: &Addr) -> [u8; IP_ADDRESS_LEN] {
    let mut b = [0u8; IP_ADDRESS_LEN];
    let (ty, units): (u32, Vec<u16>) = match a {
        Addr::Text(t) => (0, t.encode_utf16().collect()),
        Addr::TextUnits(u) => (0, u.clone()),
        Addr::V4(_) => (1, Vec::new()),
        Addr::V6 { .. } => (2, Vec::new()),
        Addr::Empty => (3, Vec::new()),
        Addr::Type(t) => (*t, Vec::new()),
    };
    assert!(units.len() <= 257, "TextAddress holds 257 units");
    put(&mut b, 0, &ty.to_le_bytes());
    for (i, u) in units.iter().enumerate() {
        put(&mut b, 32 + 2 * i, &u.to_le_bytes());
    }
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
    b
}

/// `SetTunnelModeOuterAddress_IN`: `0: u32 PortNumber · 4: Destination · 552: TunnelOuter`
/// (1100 bytes).
#[must_use]
pub fn tunnel_in(port: u32, destination: &Addr, outer: &Addr) -> Vec<u8> {
    let mut b = port.to_le_bytes().to_vec();
    b.extend_from_slice(&ip_address(destination));
    b.extend_from_slice(&ip_address(outer));
    assert_eq!(b.len(), TUNNEL_IN_LEN);
    b
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

        let t = tunnel_in(
            1,
            &Addr::V4([192, 0, 2, 1]),
            &Addr::V6 {
                address: [7; 16],
                flow: 2,
                scope: 3,
            },
        );
        assert_eq!(&t[4..8], &[1, 0, 0, 0]);
        assert_eq!(&t[8..12], &[192, 0, 2, 1]);
        assert_eq!(&t[552..556], &[2, 0, 0, 0]);
        assert_eq!(&t[560..576], &[7; 16]);
        assert_eq!(&t[576..584], &[2, 0, 0, 0, 3, 0, 0, 0]);
        let x = ip_address(&Addr::text("ab"));
        assert_eq!(&x[32..38], &[b'a', 0, b'b', 0, 0, 0]);
        assert_eq!(sized_in(b"xy"), vec![2, 0, 0, 0, b'x', b'y']);
    }
}
