//! The `iscsisec` command line driven as a user would: every call a fresh process.
//!
//! ```text
//!   this file ──spawns──► iscsisec --state <temp dir> … ──► core ──► files
//! ```
//!
//! Each test uses its own temporary state directory. Because every invocation is a new process
//! that rebuilds its table from the directory, every assertion after the first call is also an
//! assertion about persistence.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_iscsisec");

/// What one invocation did.
#[derive(Debug)]
struct Run {
    /// `None` if the process died of a signal (a panic aborts: `panic = "abort"`).
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn out(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "{self:?}");
        serde_json::from_slice(&self.stdout).expect("show --json prints JSON")
    }

    /// Exit 2, nothing on stdout, exactly one line on stderr: the bad-argument contract.
    fn assert_usage_error(&self, what: &str) {
        assert_eq!(self.code, Some(2), "{what}: {self:?}");
        assert!(self.stdout.is_empty(), "{what}: {self:?}");
        assert_eq!(self.stderr_lines().len(), 1, "{what}: {self:?}");
        assert!(self.stderr.starts_with("error: "), "{what}: {self:?}");
    }

    /// Never crashed: exited with a code, and no panic message.
    fn assert_no_crash(&self) {
        assert!(self.code.is_some(), "killed by a signal: {self:?}");
        assert!(!self.stderr.contains("panicked"), "{self:?}");
    }
}

fn spawn(args: &[&str], stdin: &[u8], env: &[(&str, Option<&Path>)]) -> Run {
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
    run.assert_no_crash();
    run
}

/// A fresh state directory (a not-yet-existing subdirectory of a temporary directory, so that
/// its creation is exercised too).
struct State {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl State {
    fn new() -> State {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("state");
        State { _tmp: tmp, dir }
    }

    fn dir_str(&self) -> &str {
        self.dir.to_str().expect("UTF-8 temp path")
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, b"")
    }

    fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut all = vec!["--state", self.dir_str()];
        all.extend_from_slice(args);
        spawn(&all, stdin, &[])
    }

    /// Runs a verb and checks its one-line status output and exit code.
    fn verb(&self, args: &[&str], expect_line: &str, expect_code: i32) {
        let r = self.run(args);
        assert_eq!(r.out(), format!("{expect_line}\n"), "{args:?}: {r:?}");
        assert_eq!(r.code, Some(expect_code), "{args:?}: {r:?}");
    }

    fn show(&self) -> Value {
        self.run(&["show", "--json"]).json()
    }

    /// The record files (everything but the lock file).
    fn records(&self) -> BTreeSet<String> {
        fs::read_dir(&self.dir)
            .expect("read state dir")
            .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
            .filter(|n| n != ".lock")
            .collect()
    }
}

const SUCCESS: &str = "status=SUCCESS code=0x00000000";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn lookup_line(source: &str, key: &[u8]) -> String {
    format!("source={source} key={}\n", hex(key))
}

/// SetPresharedKeyForId_IN, laid out by hand from SPEC §2 (not with the core's emitter).
fn psk_in(port: u32, flags: u64, id_type: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 28];
    b[0..4].copy_from_slice(&port.to_le_bytes());
    b[8..16].copy_from_slice(&flags.to_le_bytes());
    b[16] = id_type;
    b[20..24].copy_from_slice(&u32::try_from(id.len()).unwrap().to_le_bytes());
    b[24..28].copy_from_slice(&u32::try_from(key.len()).unwrap().to_le_bytes());
    b.extend_from_slice(id);
    b.extend_from_slice(key);
    b
}

// ----- the iscsicli verbs -----

#[test]
fn group_key_sets_and_clears() {
    let s = State::new();
    s.verb(&["GroupKey", "group-key-one", "*"], SUCCESS, 0);
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "fqdn",
        "--id",
        "any.example",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("group", b"group-key-one"));
    assert_eq!(r.code, Some(0));
    // Hex form, and a key that starts with a hyphen.
    s.verb(&["GroupKey", "0x00FF10", "persist-token"], SUCCESS, 0);
    let r = s.run(&[
        "lookup",
        "--port",
        "1",
        "--id-type",
        "2",
        "--id",
        "x",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("group", &[0x00, 0xff, 0x10]));
    s.verb(&["GroupKey", "-dash-key", "*"], SUCCESS, 0);
    let r = s.run(&[
        "lookup",
        "--port",
        "1",
        "--id-type",
        "2",
        "--id",
        "x",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("group", b"-dash-key"));
    assert_eq!(s.show()["group_key"], true);
    s.verb(&["GroupKey", "*", "*"], SUCCESS, 0);
    let r = s.run(&[
        "lookup",
        "--port",
        "1",
        "--id-type",
        "2",
        "--id",
        "x",
        "--reveal",
    ]);
    assert_eq!((r.out().as_str(), r.code), ("source=none\n", Some(1)));
    assert_eq!(s.show()["group_key"], false);
    // 257 bytes: the core refuses it.
    let long = "k".repeat(257);
    s.verb(
        &["GroupKey", &long, "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
}

#[test]
fn pskey_and_getpskey() {
    let s = State::new();
    s.verb(
        &[
            "PSKey",
            "*",
            "0",
            "0x0B",
            "2",
            "Host.Example",
            "port0-key",
            "*",
        ],
        SUCCESS,
        0,
    );
    // Names compare without ASCII case.
    s.verb(
        &["GetPSKey", "*", "0", "2", "host.EXAMPLE"],
        "status=SUCCESS code=0x00000000 flags=0x000000000000000B",
        0,
    );
    // Port 1 finds no explicit key (the group key does not count).
    s.verb(
        &["GetPSKey", "*", "1", "2", "host.example"],
        "status=ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE code=0xEFFF0027 flags=0x0000000000000000",
        1,
    );
    // IPv4 and IPv6 identifiers, all ports, default flags.
    s.verb(
        &["PSKey", "*", "*", "*", "1", "192.0.2.7", "v4-key", "*"],
        SUCCESS,
        0,
    );
    s.verb(
        &["PSKey", "*", "*", "5", "5", "2001:db8::7", "v6-key", "*"],
        SUCCESS,
        0,
    );
    s.verb(
        &["GetPSKey", "*", "1", "1", "192.0.2.7"],
        "status=SUCCESS code=0x00000000 flags=0x0000000000000000",
        0,
    );
    s.verb(
        &["GetPSKey", "*", "*", "5", "2001:DB8:0::7"],
        "status=SUCCESS code=0x00000000 flags=0x0000000000000005",
        0,
    );
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "ipv6",
        "--id",
        "2001:db8::7",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("all-ports", b"v6-key"));
    // Key * removes the entry.
    s.verb(
        &["pskey", "*", "0", "*", "2", "host.example", "*", "*"],
        SUCCESS,
        0,
    );
    s.verb(
        &["getpskey", "*", "0", "2", "host.example"],
        "status=ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE code=0xEFFF0027 flags=0x0000000000000000",
        1,
    );
}

#[test]
fn pskey_statuses_come_from_the_core() {
    let s = State::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["PSKey", "*", "0", "0", "4", "anything", "k", "*"],
            "status=ISDSC_IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED code=0xEFFF0030",
        ),
        (
            &["PSKey", "*", "0", "0x60", "2", "h.example", "k", "*"],
            "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        ),
        (
            &["PSKey", "*", "0", "0x80", "2", "h.example", "k", "*"],
            "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        ),
        (
            &["PSKey", "*", "0", "0", "2", "has space", "k", "*"],
            "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        ),
        (
            &["PSKey", "*", "7", "0", "2", "h.example", "k", "*"],
            "status=ISDSC_INVALID_PORT_NUMBER code=0xEFFF002D",
        ),
        (
            &["GetPSKey", "*", "0", "3", ""],
            "status=ISDSC_IKE_ID_PAYLOAD_INCORRECT_SIZE code=0xEFFF0031 flags=0x0000000000000000",
        ),
    ];
    for (args, line) in cases {
        s.verb(args, line, 1);
    }
    let long_key = format!("0x{}", "ab".repeat(257));
    s.verb(
        &["PSKey", "*", "0", "0", "2", "h.example", &long_key, "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
    let max_key = format!("0x{}", "ab".repeat(256));
    s.verb(
        &["PSKey", "*", "0", "0", "2", "h.example", &max_key, "*"],
        SUCCESS,
        0,
    );
    assert_eq!(s.show()["psk"].as_array().unwrap().len(), 1);
}

#[test]
fn chap_secret_sizes_and_warning() {
    let s = State::new();
    s.verb(
        &["CHAPSecret", "ten-bytes!"],
        "status=ISDSC_SHORT_CHAP_SECRET code=0xAFFF0048",
        0,
    );
    assert_eq!(s.show()["chap_secret_bytes"], 10);
    s.verb(&["chapsecret", "twelve-bytes"], SUCCESS, 0);
    assert_eq!(s.show()["chap_secret_bytes"], 12);
    s.verb(
        &["CHAPSecret", "seventeen-bytes!!"],
        "status=ISDSC_INVALID_INITIATOR_CHAP_SECRET code=0xEFFF004C",
        1,
    );
    assert_eq!(
        s.show()["chap_secret_bytes"],
        12,
        "an error changes nothing"
    );
    s.verb(
        &["CHAPSecret", "0x00112233445566778899aabbccddeeff"],
        SUCCESS,
        0,
    );
    assert_eq!(s.show()["chap_secret_bytes"], 16);
    s.verb(&["CHAPSecret", "*"], SUCCESS, 0);
    assert_eq!(s.show()["chap_secret_bytes"], 0);
}

#[test]
fn tunnel_addresses_of_every_form() {
    let s = State::new();
    s.verb(
        &["TunnelAddr", "*", "0", "198.51.100.7", "203.0.113.1", "*"],
        SUCCESS,
        0,
    );
    s.verb(
        &["TunnelAddr", "*", "*", "2001:db8::9", "fe80::1%12", "*"],
        SUCCESS,
        0,
    );
    s.verb(
        &["tunneladdr", "*", "1", "Target.Example", "gw.example", "*"],
        SUCCESS,
        0,
    );
    let v = s.show();
    let mut tunnels: Vec<(String, String, String)> = v["tunnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["port"].to_string(),
                t["destination"].to_string(),
                t["outer"].to_string(),
            )
        })
        .collect();
    tunnels.sort();
    assert_eq!(
        tunnels,
        vec![
            (
                "\"*\"".into(),
                "\"2001:db8::9\"".into(),
                "\"fe80::1%12\"".into()
            ),
            (
                "0".into(),
                "\"198.51.100.7\"".into(),
                "\"203.0.113.1\"".into()
            ),
            (
                "1".into(),
                "\"target.example\"".into(),
                "\"gw.example\"".into()
            ),
        ]
    );
    // Tunnel * removes the mapping; a destination of * is refused by the core.
    s.verb(
        &["TunnelAddr", "*", "0", "198.51.100.7", "*", "*"],
        SUCCESS,
        0,
    );
    assert_eq!(s.show()["tunnel"].as_array().unwrap().len(), 2);
    s.verb(
        &["TunnelAddr", "*", "0", "*", "203.0.113.1", "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
    // 256 units are the longest text (L = 512); 257 make L = 514, which the core refuses,
    // as destination or as outer address.
    let fits = "a".repeat(256);
    let too_long = "a".repeat(257);
    s.verb(&["TunnelAddr", "*", "0", &fits, &fits, "*"], SUCCESS, 0);
    s.verb(
        &["TunnelAddr", "*", "0", &too_long, "gw.example", "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
    s.verb(
        &["TunnelAddr", "*", "0", "198.51.100.9", &too_long, "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
    // Texts long enough that WMI's packed form would pass 1100 bytes are refused the same way.
    let far_too_long = "a".repeat(600);
    s.verb(
        &["TunnelAddr", "*", "0", "198.51.100.9", &far_too_long, "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
    s.verb(
        &["TunnelAddr", "*", "0", &far_too_long, &far_too_long, "*"],
        "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056",
        1,
    );
    let v = s.show();
    let longest = v["tunnel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["destination"] == fits.as_str())
        .expect("the 256-unit mapping");
    assert_eq!(longest["outer"], fits.as_str());
    s.verb(
        &["TunnelAddr", "*", "2", "198.51.100.7", "203.0.113.1", "*"],
        "status=ISDSC_INVALID_PORT_NUMBER code=0xEFFF002D",
        1,
    );
}

#[test]
fn clear_cache_clears_keys_and_secret_and_keeps_tunnels_and_guid() {
    let s = State::new();
    s.verb(&["GroupKey", "g", "*"], SUCCESS, 0);
    s.verb(
        &["PSKey", "*", "0", "0", "2", "a.example", "ka", "*"],
        SUCCESS,
        0,
    );
    s.verb(
        &["PSKey", "*", "*", "0", "2", "b.example", "kb", "*"],
        SUCCESS,
        0,
    );
    s.verb(&["CHAPSecret", "twelve-bytes"], SUCCESS, 0);
    s.verb(
        &["TunnelAddr", "*", "0", "198.51.100.7", "203.0.113.1", "*"],
        SUCCESS,
        0,
    );
    let guid: Vec<u8> = (1..=16).collect();
    let r = s.run_stdin(&["exec", "MSiSCSI_SecurityConfigOperations", "6"], &guid);
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0x00000000 used=4"));
    assert_eq!(s.records().len(), 6);
    s.verb(&["ClearCache"], SUCCESS, 0);
    let v = s.show();
    assert_eq!(v["group_key"], false);
    assert_eq!(v["psk"], serde_json::json!([]));
    assert_eq!(v["chap_secret_bytes"], 0);
    assert_eq!(v["tunnel"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["generational_guid"],
        "04030201-0605-0807-090a-0b0c0d0e0f10"
    );
    assert_eq!(s.records().len(), 2, "{:?}", s.records());
    s.verb(&["clearcache"], SUCCESS, 0);
}

// ----- exec -----

#[test]
fn exec_round_trip_with_a_hand_built_buffer() {
    let s = State::new();
    let input = psk_in(0xFFFF_FFFF, 0x07, 1, &[192, 0, 2, 10], b"raw-key");
    let r = s.run_stdin(&["exec", "MSiSCSI_SecurityConfigOperations", "1"], &input);
    assert_eq!(r.code, Some(0));
    assert_eq!(r.stdout, [0, 0, 0, 0], "OUT: Status SUCCESS");
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0x00000000 used=4"));
    let r = s.run(&[
        "lookup",
        "--port",
        "1",
        "--id-type",
        "1",
        "--id",
        "192.0.2.10",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("all-ports", b"raw-key"));

    // GetPresharedKeyForId through a GUID class in braces, lower case, hex method id.
    let mut get = vec![0u8; 12];
    get[0..4].copy_from_slice(&1u32.to_le_bytes());
    get[4] = 1;
    get[8..12].copy_from_slice(&4u32.to_le_bytes());
    get.extend_from_slice(&[192, 0, 2, 10]);
    let r = s.run_stdin(
        &["exec", "{391f3325-0ba3-4083-a861-cf4f6f97a527}", "0x2"],
        &get,
    );
    let mut out = vec![0u8; 16];
    out[8] = 0x07;
    assert_eq!(r.stdout, out, "Status 0, pad, SecurityFlags 7");
    assert_eq!(
        r.stderr_lines().last(),
        Some(&"ntstatus=0x00000000 used=16")
    );

    // An error status is still a dispatched call: exit 0, the status in OUT.
    let bad = psk_in(5, 0, 2, b"x", b"k");
    let r = s.run_stdin(&["exec", "msiscsi_securityconfigoperations", "1"], &bad);
    assert_eq!(
        (r.code, r.stdout.as_slice()),
        (Some(0), &0xEFFF_002Du32.to_le_bytes()[..])
    );

    // The CHAP method of the Operations class, by GUID without braces.
    let mut chap = 12u32.to_le_bytes().to_vec();
    chap.extend_from_slice(b"twelve-bytes");
    let r = s.run_stdin(
        &["exec", "EA4D82BF-29DA-4E12-800A-E5437964462C", "71"],
        &chap,
    );
    assert_eq!(r.stdout, [0, 0, 0, 0]);
    assert_eq!(s.show()["chap_secret_bytes"], 12);
}

#[test]
fn exec_out_size_too_small_writes_nothing_and_changes_nothing() {
    let s = State::new();
    let input = psk_in(0, 0, 2, b"h.example", b"never-stored");
    let r = s.run_stdin(
        &[
            "exec",
            "MSiSCSI_SecurityConfigOperations",
            "1",
            "--out-size",
            "3",
        ],
        &input,
    );
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.is_empty(), "{r:?}");
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0xC0000023 used=4"));
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "fqdn",
        "--id",
        "h.example",
    ]);
    assert_eq!((r.out().as_str(), r.code), ("source=none\n", Some(1)));
    // A larger OutBufferSize is fine: used stays the OUT size.
    let r = s.run_stdin(
        &[
            "exec",
            "MSiSCSI_SecurityConfigOperations",
            "1",
            "--out-size",
            "65536",
        ],
        &input,
    );
    assert_eq!(r.stdout, [0, 0, 0, 0]);
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0x00000000 used=4"));
}

#[test]
fn exec_transport_errors() {
    let s = State::new();
    // Unknown method id: OutBufferSize defaults to 0, ITEMID_NOT_FOUND.
    let r = s.run(&["exec", "MSiSCSI_Operations", "1"]);
    assert_eq!((r.code, r.stdout.len()), (Some(0), 0));
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0xC0000297 used=0"));
    // Short input.
    let r = s.run_stdin(&["exec", "MSiSCSI_SecurityConfigOperations", "1"], &[0; 27]);
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0xC000000D used=0"));
    // Declared sizes that overflow 32 bits.
    let mut huge = psk_in(0, 0, 2, b"h", b"k");
    huge[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    huge[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
    let r = s.run_stdin(&["exec", "MSiSCSI_SecurityConfigOperations", "1"], &huge);
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0xC000000D used=0"));
    // Exactly 64 KiB of input is accepted (ClearCache ignores it).
    let r = s.run_stdin(
        &["exec", "MSiSCSI_SecurityConfigOperations", "5"],
        &vec![0xa5; 65536],
    );
    assert_eq!(r.stdout, [0, 0, 0, 0]);
    assert_eq!(r.stderr_lines().last(), Some(&"ntstatus=0x00000000 used=4"));
}

// ----- bad arguments -----

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let s = State::new();
    let d = s.dir_str();
    // 32768 UTF-16 units: 65536 bytes, more than a counted string's u16 length can say.
    let text_over_u16 = "t".repeat(32_768);
    let cases: &[(&str, &[&str])] = &[
        ("unknown class", &["exec", "MSiSCSI_Other", "1"]),
        (
            "bad GUID",
            &["exec", "{391F3325-0BA3-4083-A861-CF4F6F97A52}", "1"],
        ),
        (
            "GUID without closing brace",
            &["exec", "{391F3325-0BA3-4083-A861-CF4F6F97A527", "1"],
        ),
        (
            "unserved GUID",
            &["exec", "00000000-0000-0000-0000-000000000001", "1"],
        ),
        (
            "bad method id",
            &["exec", "MSiSCSI_Operations", "seventy-one"],
        ),
        (
            "method id over u32",
            &["exec", "MSiSCSI_Operations", "0x100000000"],
        ),
        (
            "out-size over 64 KiB",
            &["exec", "MSiSCSI_Operations", "71", "--out-size", "65537"],
        ),
        (
            "InitiatorName not *",
            &["PSKey", "iqn.x", "0", "0", "2", "h", "k", "*"],
        ),
        (
            "InitiatorName not * (GetPSKey)",
            &["GetPSKey", "me", "0", "2", "h"],
        ),
        (
            "InitiatorName not * (TunnelAddr)",
            &["TunnelAddr", "me", "0", "1.2.3.4", "*", "*"],
        ),
        (
            "text address longer than a WMI string",
            &["TunnelAddr", "*", "0", "1.2.3.4", &text_over_u16, "*"],
        ),
        (
            "odd hex key",
            &["PSKey", "*", "0", "0", "2", "h", "0xabc", "*"],
        ),
        ("odd hex group key", &["GroupKey", "0x123", "*"]),
        ("non-hex key", &["CHAPSecret", "0xzz"]),
        (
            "bad IPv4 id",
            &["PSKey", "*", "0", "0", "1", "192.0.2", "k", "*"],
        ),
        ("bad IPv6 id", &["GetPSKey", "*", "0", "5", "not-v6"]),
        ("bad port", &["PSKey", "*", "one", "0", "2", "h", "k", "*"]),
        (
            "IdType over a byte",
            &["PSKey", "*", "0", "0", "258", "h", "k", "*"],
        ),
        (
            "flags not a number",
            &["PSKey", "*", "0", "valid", "2", "h", "k", "*"],
        ),
        ("missing arguments", &["PSKey", "*", "0"]),
        ("missing Persist", &["GroupKey", "k"]),
        ("unknown command", &["SetKey"]),
        ("no command", &[]),
        (
            "lookup port not below --ports",
            &["lookup", "--port", "2", "--id-type", "1", "--id", "1.2.3.4"],
        ),
        (
            "lookup bad id type",
            &["lookup", "--port", "0", "--id-type", "dns", "--id", "h"],
        ),
        (
            "lookup unsupported id type",
            &["lookup", "--port", "0", "--id-type", "4", "--id", "h"],
        ),
        (
            "lookup bad IPv4",
            &["lookup", "--port", "0", "--id-type", "ipv4", "--id", "h"],
        ),
        (
            "lookup bad name",
            &["lookup", "--port", "0", "--id-type", "fqdn", "--id", "a b"],
        ),
        (
            "lookup missing --id",
            &["lookup", "--port", "0", "--id-type", "fqdn"],
        ),
        ("show without --json", &["show"]),
        ("bad --ports", &["--ports", "two", "show", "--json"]),
        (
            "bad --max-entries",
            &["show", "--json", "--max-entries", "-1"],
        ),
    ];
    for (what, args) in cases {
        let mut all = vec!["--state", d];
        all.extend_from_slice(args);
        spawn(&all, b"", &[]).assert_usage_error(what);
    }
    // Over 64 KiB of standard input.
    let r = s.run_stdin(&["exec", "MSiSCSI_Operations", "71"], &vec![0u8; 65537]);
    r.assert_usage_error("stdin over 64 KiB");
    let r = s.run_stdin(&["exec", "MSiSCSI_Operations", "71"], &vec![0u8; 200_000]);
    r.assert_usage_error("stdin far over 64 KiB");
    // None of this stored anything.
    assert!(!s.dir.exists() || s.records().is_empty());
}

#[test]
fn an_empty_key_is_a_usage_error_and_star_is_the_only_clear() {
    // Finding 8 of issue 7: `GroupKey "$UNSET" *` used to delete the group key.
    let s = State::new();
    s.verb(&["GroupKey", "group-key", "*"], SUCCESS, 0);
    s.verb(
        &["PSKey", "*", "0", "0", "2", "h.example", "psk", "*"],
        SUCCESS,
        0,
    );
    s.verb(&["CHAPSecret", "twelve-bytes"], SUCCESS, 0);
    let before = s.show();
    for (what, args) in [
        ("empty group key", &["GroupKey", "", "*"][..]),
        ("0x group key", &["GroupKey", "0x", "*"][..]),
        ("0X group key", &["GroupKey", "0X", "*"][..]),
        (
            "empty PSKey key",
            &["PSKey", "*", "0", "0", "2", "h.example", "", "*"][..],
        ),
        (
            "0x PSKey key",
            &["PSKey", "*", "0", "0", "2", "h.example", "0x", "*"][..],
        ),
        ("empty CHAP secret", &["CHAPSecret", ""][..]),
        ("0x CHAP secret", &["CHAPSecret", "0x"][..]),
    ] {
        let r = s.run(args);
        r.assert_usage_error(what);
        assert!(r.stderr.contains("pass *"), "{what}: {r:?}");
    }
    assert_eq!(s.show(), before, "nothing was cleared");
    // A key that starts with `-` is a value after `--` (and, unambiguously, without it).
    s.verb(&["GroupKey", "--", "-dash-key", "*"], SUCCESS, 0);
    s.verb(&["CHAPSecret", "--", "-dash-secret"], SUCCESS, 0);
    s.verb(
        &[
            "PSKey",
            "*",
            "0",
            "0",
            "2",
            "h.example",
            "--",
            "-dash-psk",
            "*",
        ],
        SUCCESS,
        0,
    );
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "fqdn",
        "--id",
        "other",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("group", b"-dash-key"));
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "fqdn",
        "--id",
        "h.example",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("port", b"-dash-psk"));
    assert_eq!(s.show()["chap_secret_bytes"], 12);
    // `*` clears.
    s.verb(&["GroupKey", "*", "*"], SUCCESS, 0);
    s.verb(&["CHAPSecret", "*"], SUCCESS, 0);
    s.verb(
        &["PSKey", "*", "0", "0", "2", "h.example", "*", "*"],
        SUCCESS,
        0,
    );
    let v = s.show();
    assert_eq!(
        (v["group_key"].clone(), v["chap_secret_bytes"].clone()),
        (Value::Bool(false), Value::from(0))
    );
    assert_eq!(v["psk"].as_array().unwrap().len(), 0);
}

#[test]
fn errors_never_quote_a_key_or_secret() {
    let s = State::new();
    for args in [
        &["GroupKey", "0xsecretsecret1", "*"][..],
        &["CHAPSecret", "0xsecretsecret1"][..],
        &["PSKey", "*", "0", "0", "2", "h", "0xsecretsecret1", "*"][..],
    ] {
        let r = s.run(args);
        r.assert_usage_error("bad hex");
        assert!(!r.stderr.contains("secretsecret"), "{r:?}");
    }
}

#[test]
fn help_and_version_print_normally() {
    let r = spawn(&["--help"], b"", &[]);
    assert_eq!(r.code, Some(0));
    let help = r.out();
    for verb in [
        "exec",
        "lookup",
        "show",
        "GroupKey",
        "PSKey",
        "GetPSKey",
        "CHAPSecret",
        "TunnelAddr",
        "ClearCache",
        "demo",
    ] {
        assert!(help.contains(verb), "{verb} missing from --help");
    }
    let r = spawn(&["PSKey", "--help"], b"", &[]);
    assert_eq!(r.code, Some(0));
    assert!(r.out().contains("<InitiatorName>"));
    let r = spawn(&["--version"], b"", &[]);
    assert_eq!((r.out().as_str(), r.code), ("iscsisec 0.1.0\n", Some(0)));
}

// ----- lookup -----

#[test]
fn lookup_precedence_across_processes() {
    let s = State::new();
    s.verb(&["GroupKey", "the-group-key", "*"], SUCCESS, 0);
    s.verb(
        &[
            "PSKey",
            "*",
            "*",
            "0",
            "2",
            "init.example",
            "the-all-ports-key",
            "*",
        ],
        SUCCESS,
        0,
    );
    s.verb(
        &[
            "PSKey",
            "*",
            "0",
            "0",
            "2",
            "init.example",
            "the-port0-key",
            "*",
        ],
        SUCCESS,
        0,
    );
    let look = |port: &str, id: &str| {
        s.run(&[
            "lookup",
            "--port",
            port,
            "--id-type",
            "fqdn",
            "--id",
            id,
            "--reveal",
        ])
    };
    let r = look("0", "INIT.example");
    assert_eq!(
        (r.out(), r.code),
        (lookup_line("port", b"the-port0-key"), Some(0))
    );
    let r = look("1", "init.example");
    assert_eq!(
        (r.out(), r.code),
        (lookup_line("all-ports", b"the-all-ports-key"), Some(0))
    );
    let r = look("*", "init.example");
    assert_eq!(
        (r.out(), r.code),
        (lookup_line("all-ports", b"the-all-ports-key"), Some(0))
    );
    let r = look("0", "other.example");
    assert_eq!(
        (r.out(), r.code),
        (lookup_line("group", b"the-group-key"), Some(0))
    );
    // Without --reveal: only the source.
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "2",
        "--id",
        "init.example",
    ]);
    assert_eq!((r.out().as_str(), r.code), ("source=port\n", Some(0)));
    // Remove level by level.
    s.verb(
        &["PSKey", "*", "0", "0", "2", "init.example", "*", "*"],
        SUCCESS,
        0,
    );
    let r = look("0", "init.example");
    assert_eq!(r.out(), lookup_line("all-ports", b"the-all-ports-key"));
    s.verb(
        &["PSKey", "*", "*", "0", "2", "init.example", "*", "*"],
        SUCCESS,
        0,
    );
    let r = look("0", "init.example");
    assert_eq!(r.out(), lookup_line("group", b"the-group-key"));
    s.verb(&["GroupKey", "*", "*"], SUCCESS, 0);
    let r = look("0", "init.example");
    assert_eq!((r.out().as_str(), r.code), ("source=none\n", Some(1)));
    assert!(r.stderr.is_empty());
}

// ----- --ports and --max-entries -----

#[test]
fn ports_option_sets_the_port_count() {
    let s = State::new();
    s.verb(
        &["PSKey", "*", "3", "0", "2", "h.example", "k3", "*"],
        "status=ISDSC_INVALID_PORT_NUMBER code=0xEFFF002D",
        1,
    );
    // Global options go after the verb too.
    s.verb(
        &[
            "PSKey",
            "*",
            "3",
            "0",
            "2",
            "h.example",
            "k3",
            "*",
            "--ports",
            "4",
        ],
        SUCCESS,
        0,
    );
    s.run(&[
        "lookup",
        "--port",
        "3",
        "--id-type",
        "fqdn",
        "--id",
        "h.example",
    ])
    .assert_usage_error("port 3 of 2");
    let r = s.run(&[
        "--ports",
        "4",
        "lookup",
        "--port",
        "3",
        "--id-type",
        "fqdn",
        "--id",
        "h.example",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("port", b"k3"));
    // A stored entry for a port beyond the current count still loads and shows.
    assert_eq!(s.show()["psk"][0]["port"], 3);
    s.verb(&["--ports", "0", "GroupKey", "g", "*"], SUCCESS, 0);
    s.verb(
        &[
            "--ports",
            "0",
            "TunnelAddr",
            "*",
            "0",
            "1.2.3.4",
            "5.6.7.8",
            "*",
        ],
        "status=ISDSC_INVALID_PORT_NUMBER code=0xEFFF002D",
        1,
    );
}

#[test]
fn max_entries_option_sets_the_capacity() {
    let s = State::new();
    let m = ["--max-entries", "2"];
    let psk = |id: &str, key: &str| {
        let mut a = m.to_vec();
        a.extend_from_slice(&["PSKey", "*", "0", "0", "2", id, key, "*"]);
        s.run(&a)
    };
    assert_eq!(psk("a.example", "ka").out(), format!("{SUCCESS}\n"));
    assert_eq!(psk("b.example", "kb").out(), format!("{SUCCESS}\n"));
    let r = psk("c.example", "kc");
    assert_eq!(
        (r.out().as_str(), r.code),
        (
            "status=ISDSC_HBA_SECURITY_CACHE_FULL code=0xEFFF002C\n",
            Some(1)
        )
    );
    // Replacing an entry never fails for capacity; removing makes room.
    assert_eq!(psk("a.example", "ka2").out(), format!("{SUCCESS}\n"));
    assert_eq!(psk("b.example", "*").out(), format!("{SUCCESS}\n"));
    assert_eq!(psk("c.example", "kc").out(), format!("{SUCCESS}\n"));
    // Tunnel mappings have their own capacity.
    s.verb(
        &[
            "--max-entries",
            "1",
            "TunnelAddr",
            "*",
            "0",
            "1.2.3.4",
            "5.6.7.8",
            "*",
        ],
        SUCCESS,
        0,
    );
    s.verb(
        &[
            "--max-entries",
            "1",
            "TunnelAddr",
            "*",
            "0",
            "1.2.3.5",
            "5.6.7.8",
            "*",
        ],
        "status=ISDSC_HBA_SECURITY_CACHE_FULL code=0xEFFF002C",
        1,
    );
    // Loading never drops entries beyond the maximum.
    let r = s.run(&["--max-entries", "0", "show", "--json"]);
    assert_eq!(r.json()["psk"].as_array().unwrap().len(), 2);
}

// ----- show --json -----

#[test]
fn show_json_has_the_exact_shape_and_no_secrets() {
    let s = State::new();
    let group = "show-group-key-bytes";
    let port_key = "show-port-key-bytes";
    let all_key = [0xde, 0xad, 0xbe, 0xef, 0x42, 0x17];
    let chap = "show-chap-secret";
    s.verb(&["GroupKey", group, "*"], SUCCESS, 0);
    s.verb(
        &[
            "PSKey",
            "*",
            "1",
            "0x15",
            "3",
            "User@Host.Example",
            port_key,
            "*",
        ],
        SUCCESS,
        0,
    );
    s.verb(
        &[
            "PSKey",
            "*",
            "*",
            "0",
            "1",
            "192.0.2.44",
            &format!("0x{}", hex(&all_key)),
            "*",
        ],
        SUCCESS,
        0,
    );
    s.verb(&["CHAPSecret", chap], SUCCESS, 0);
    s.verb(
        &["TunnelAddr", "*", "*", "Target.Example", "2001:db8::1", "*"],
        SUCCESS,
        0,
    );
    let guid = [
        0x25, 0x33, 0x1f, 0x39, 0xa3, 0x0b, 0x83, 0x40, 0xa8, 0x61, 0xcf, 0x4f, 0x6f, 0x97, 0xa5,
        0x27,
    ];
    s.run_stdin(&["exec", "MSiSCSI_SecurityConfigOperations", "6"], &guid);

    let r = s.run(&["show", "--json"]);
    let text = r.out();
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    let v = r.json();
    let obj = v.as_object().unwrap();
    let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "group_key",
            "psk",
            "chap_secret_bytes",
            "generational_guid",
            "tunnel",
            "corrupt_records",
            "foreign_entries"
        ])
    );
    // The members come in SPEC order.
    let order = [
        "\"group_key\"",
        "\"psk\"",
        "\"chap_secret_bytes\"",
        "\"generational_guid\"",
        "\"tunnel\"",
        "\"corrupt_records\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(v["group_key"], true);
    assert_eq!(
        v["psk"],
        serde_json::json!([
            {"port": 1, "id_type": 3, "id": "user@host.example", "flags": 21},
            {"port": "*", "id_type": 1, "id": "192.0.2.44", "flags": 0},
        ])
    );
    for entry in v["psk"].as_array().unwrap() {
        assert_eq!(entry.as_object().unwrap().len(), 4);
    }
    assert_eq!(v["chap_secret_bytes"], chap.len());
    assert_eq!(
        v["generational_guid"],
        "391f3325-0ba3-4083-a861-cf4f6f97a527"
    );
    assert_eq!(
        v["tunnel"],
        serde_json::json!([{"port": "*", "destination": "target.example", "outer": "2001:db8::1"}])
    );
    assert_eq!(v["corrupt_records"], 0);
    // No key or secret, as text or as hex in either case.
    for secret in [
        group.as_bytes(),
        port_key.as_bytes(),
        &all_key,
        chap.as_bytes(),
    ] {
        let h = hex(secret);
        for needle in [
            String::from_utf8_lossy(secret).into_owned(),
            h.clone(),
            h.to_uppercase(),
        ] {
            assert!(!text.contains(&needle), "{needle} in {text}");
            assert!(!r.stderr.contains(&needle));
        }
    }
    assert!(!text.contains("deadbeef") && !text.contains("DEADBEEF"));
}

#[test]
fn show_json_of_an_empty_state() {
    let s = State::new();
    let r = s.run(&["show", "--json"]);
    assert_eq!(
        r.out(),
        "{\"group_key\":false,\"psk\":[],\"chap_secret_bytes\":0,\"generational_guid\":\
         \"00000000-0000-0000-0000-000000000000\",\"tunnel\":[],\"corrupt_records\":0,\
         \"foreign_entries\":0}\n"
    );
}

// ----- storage -----

#[test]
fn state_persists_across_invocations_as_files() {
    let s = State::new();
    assert!(!s.dir.exists());
    s.verb(&["GroupKey", "persisted", "*"], SUCCESS, 0);
    assert_eq!(s.records(), BTreeSet::from(["group-key".to_owned()]));
    s.verb(
        &["PSKey", "*", "0", "0", "2", "p.example", "kp", "*"],
        SUCCESS,
        0,
    );
    let names = s.records();
    assert_eq!(names.len(), 2);
    assert!(
        names.iter().any(|n| n.starts_with("psk-") && n.len() == 36),
        "{names:?}"
    );
    // Many separate processes later, still there.
    for _ in 0..3 {
        let r = s.run(&[
            "lookup",
            "--port",
            "0",
            "--id-type",
            "fqdn",
            "--id",
            "p.example",
            "--reveal",
        ]);
        assert_eq!(r.out(), lookup_line("port", b"kp"));
    }
    // The files hold records, not the plain key alone.
    let stored = fs::read(s.dir.join("group-key")).unwrap();
    assert!(stored.starts_with(b"iSEC"));
}

#[cfg(unix)]
#[test]
fn files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let s = State::new();
    s.verb(&["GroupKey", "k", "*"], SUCCESS, 0);
    s.verb(&["CHAPSecret", "twelve-bytes"], SUCCESS, 0);
    s.verb(
        &["PSKey", "*", "0", "0", "2", "p.example", "kp", "*"],
        SUCCESS,
        0,
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&s.dir), 0o700);
    let mut files = 0;
    for entry in fs::read_dir(&s.dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert_eq!(files, 4, "three records and the lock file");
}

#[test]
fn leftover_temp_files_are_ignored_and_removed() {
    let s = State::new();
    s.verb(&["GroupKey", "real-key", "*"], SUCCESS, 0);
    fs::write(s.dir.join(".group-key.tmp"), b"iSEC half-written garbage").unwrap();
    fs::write(s.dir.join(".psk-0123.tmp"), b"").unwrap();
    let v = s.show();
    assert_eq!(v["corrupt_records"], 0);
    assert_eq!(
        v["foreign_entries"], 0,
        "a leftover temp file is the host's own"
    );
    assert_eq!(v["group_key"], true);
    let r = s.run(&[
        "lookup",
        "--port",
        "0",
        "--id-type",
        "2",
        "--id",
        "x",
        "--reveal",
    ]);
    assert_eq!(r.out(), lookup_line("group", b"real-key"));
    // The next process that may change records removes them.
    s.verb(
        &["GetPSKey", "*", "0", "2", "x"],
        "status=ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE code=0xEFFF0027 flags=0x0000000000000000",
        1,
    );
    assert_eq!(s.records(), BTreeSet::from(["group-key".to_owned()]));
}

#[test]
fn a_storage_failure_answers_non_specific_error_and_changes_nothing() {
    let s = State::new();
    s.verb(&["GroupKey", "old-key", "*"], SUCCESS, 0);
    // A directory where the CHAP secret's file would go: the rename fails.
    fs::create_dir(s.dir.join("chap-secret")).unwrap();
    fs::write(s.dir.join("chap-secret").join("x"), b"").unwrap();
    let r = s.run(&["CHAPSecret", "twelve-bytes"]);
    assert_eq!(r.out(), "status=ISDSC_NON_SPECIFIC_ERROR code=0xEFFF0001\n");
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("storage: "), "{r:?}");
    assert_eq!(s.show()["chap_secret_bytes"], 0);
    assert!(!s.dir.join(".chap-secret.tmp").exists());
    // A state path that is a file: a runtime failure, exit 1, one line.
    let file = s.dir.join("group-key");
    let r = spawn(
        &["--state", file.to_str().unwrap(), "show", "--json"],
        b"",
        &[],
    );
    assert_eq!((r.code, r.stderr_lines().len()), (Some(1), 1), "{r:?}");
}

#[test]
fn concurrent_processes_take_turns() {
    let s = State::new();
    let ids: Vec<String> = (0..8).map(|i| format!("host{i}.example")).collect();
    let threads: Vec<_> = ids
        .iter()
        .map(|id| {
            let dir = s.dir_str().to_owned();
            let id = id.clone();
            std::thread::spawn(move || {
                spawn(
                    &[
                        "--state",
                        &dir,
                        "PSKey",
                        "*",
                        "0",
                        "0",
                        "2",
                        &id,
                        &format!("key-{id}"),
                        "*",
                    ],
                    b"",
                    &[],
                )
            })
        })
        .collect();
    for t in threads {
        let r = t.join().unwrap();
        assert_eq!(r.out(), format!("{SUCCESS}\n"));
    }
    assert_eq!(s.show()["psk"].as_array().unwrap().len(), 8);
    for id in &ids {
        let r = s.run(&[
            "lookup",
            "--port",
            "0",
            "--id-type",
            "fqdn",
            "--id",
            id,
            "--reveal",
        ]);
        assert_eq!(r.out(), lookup_line("port", format!("key-{id}").as_bytes()));
    }
}

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
    let r = run(&[("HOME", None), ("XDG_STATE_HOME", None)]);
    r.assert_usage_error("no default state directory");
    assert!(r.stderr.contains("--state"));
}

#[cfg(windows)]
#[test]
fn default_state_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, Option<&Path>)]| spawn(&["GroupKey", "k", "*"], b"", env);
    let r = run(&[("LOCALAPPDATA", Some(tmp.path()))]);
    assert_eq!(r.out(), format!("{SUCCESS}\n"));
    assert!(tmp.path().join("iscsisec").join("group-key").exists());
    let r = run(&[("LOCALAPPDATA", None)]);
    r.assert_usage_error("no default state directory");
}

// ----- damaged records -----

struct Keys {
    group: &'static [u8],
    port0: &'static [u8],
    all_ports: &'static [u8],
}

const KEYS: Keys = Keys {
    group: b"flip-group-key",
    port0: b"flip-port0-key",
    all_ports: b"flip-all-ports-key",
};

/// A state with one record of every kind.
fn full_state() -> State {
    let s = State::new();
    let text = |k: &[u8]| String::from_utf8(k.to_vec()).unwrap();
    s.verb(&["GroupKey", &text(KEYS.group), "*"], SUCCESS, 0);
    s.verb(
        &[
            "PSKey",
            "*",
            "0",
            "0x0B",
            "2",
            "host.example",
            &text(KEYS.port0),
            "*",
        ],
        SUCCESS,
        0,
    );
    s.verb(
        &[
            "PSKey",
            "*",
            "*",
            "0x07",
            "1",
            "192.0.2.10",
            &text(KEYS.all_ports),
            "*",
        ],
        SUCCESS,
        0,
    );
    s.verb(&["CHAPSecret", "flip-chap-secret"], SUCCESS, 0);
    s.verb(
        &["TunnelAddr", "*", "1", "198.51.100.7", "gw.example", "*"],
        SUCCESS,
        0,
    );
    let r = s.run_stdin(
        &["exec", "MSiSCSI_SecurityConfigOperations", "6"],
        &[0x11; 16],
    );
    assert_eq!(r.stdout, [0, 0, 0, 0]);
    assert_eq!(s.records().len(), 6);
    s
}

fn copy_state(from: &State) -> State {
    let to = State::new();
    fs::create_dir(&to.dir).unwrap();
    for name in from.records() {
        fs::copy(from.dir.join(&name), to.dir.join(&name)).unwrap();
    }
    to
}

/// Runs a lookup and returns the key it printed, if any, checking the exit code matches.
fn looked_up(s: &State, port: &str, id_type: &str, id: &str) -> Option<Vec<u8>> {
    let r = s.run(&[
        "lookup",
        "--port",
        port,
        "--id-type",
        id_type,
        "--id",
        id,
        "--reveal",
    ]);
    let out = r.out();
    if out == "source=none\n" {
        assert_eq!(r.code, Some(1), "{r:?}");
        return None;
    }
    assert_eq!(r.code, Some(0), "{r:?}");
    let key_hex = out.trim_end().split(" key=").nth(1).expect("key printed");
    let key = (0..key_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&key_hex[i..i + 2], 16).unwrap())
        .collect();
    Some(key)
}

#[test]
fn flipping_any_byte_of_any_record_never_serves_a_wrong_key() {
    let pristine = full_state();
    let mut cases = 0;
    for name in pristine.records() {
        let len = fs::metadata(pristine.dir.join(&name)).unwrap().len() as usize;
        let positions: BTreeSet<usize> =
            [0, 3, 4, 5, 6, 8, 12, len / 2, len - 33, len - 32, len - 1]
                .into_iter()
                .filter(|&p| p < len)
                .collect();
        for pos in positions {
            let s = copy_state(&pristine);
            let path = s.dir.join(&name);
            let mut bytes = fs::read(&path).unwrap();
            bytes[pos] ^= 0xFF;
            fs::write(&path, &bytes).unwrap();
            let what = format!("{name} byte {pos}");

            let v = s.show();
            assert!(v["corrupt_records"].as_u64().unwrap() >= 1, "{what}: {v}");
            // Each identifier gets its own key or nothing, never another one.
            let k = looked_up(&s, "0", "fqdn", "host.example");
            assert!(
                k.is_none() || k.as_deref() == Some(KEYS.port0),
                "{what}: {k:?}"
            );
            let k = looked_up(&s, "1", "ipv4", "192.0.2.10");
            assert!(
                k.is_none() || k.as_deref() == Some(KEYS.all_ports),
                "{what}: {k:?}"
            );
            let k = looked_up(&s, "0", "fqdn", "unknown.example");
            assert!(
                k.is_none() || k.as_deref() == Some(KEYS.group),
                "{what}: {k:?}"
            );
            let k = looked_up(&s, "1", "fqdn", "host.example");
            assert!(
                k.is_none() || k.as_deref() == Some(KEYS.group),
                "{what}: {k:?}"
            );
            let r = s.run(&["GetPSKey", "*", "0", "2", "host.example"]);
            assert!(matches!(r.code, Some(0 | 1)), "{what}: {r:?}");
            assert!(r.out().starts_with("status="), "{what}: {r:?}");
            // The verbs still work on a damaged store.
            s.verb(
                &["TunnelAddr", "*", "0", "198.51.100.8", "gw.example", "*"],
                SUCCESS,
                0,
            );

            s.verb(&["ClearCache"], SUCCESS, 0);
            assert!(!path.exists(), "{what}: the damaged record is removed");
            let v = s.show();
            assert_eq!(v["corrupt_records"], 0, "{what}: {v}");
            assert_eq!(looked_up(&s, "0", "fqdn", "host.example"), None, "{what}");
            cases += 1;
        }
    }
    assert!(cases >= 6 * 8, "{cases} cases");
}

#[test]
fn a_damaged_explicit_key_is_reported_not_replaced_by_the_group_key() {
    let pristine = full_state();
    let s = copy_state(&pristine);
    // Find host.example's record: the one whose damage makes its lookup miss.
    let psk_files: Vec<String> = s
        .records()
        .into_iter()
        .filter(|n| n.starts_with("psk-"))
        .collect();
    assert_eq!(psk_files.len(), 2);
    let mut reported = 0;
    for name in psk_files {
        let s = copy_state(&pristine);
        let path = s.dir.join(&name);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let r = s.run(&[
            "lookup",
            "--port",
            "0",
            "--id-type",
            "fqdn",
            "--id",
            "host.example",
            "--reveal",
        ]);
        if r.code == Some(1) {
            assert_eq!(r.out(), "source=none\n");
            assert_eq!(r.stderr_lines().len(), 1, "{r:?}");
            assert!(r.stderr.contains("damaged"), "{r:?}");
            assert!(r.stderr.contains("ClearCache"), "{r:?}");
            s.verb(
                &["GetPSKey", "*", "0", "2", "host.example"],
                "status=ISDSC_CACHE_CORRUPTED code=0xEFFF0036 flags=0x0000000000000000",
                1,
            );
            // Setting the key again repairs it.
            s.verb(
                &[
                    "PSKey",
                    "*",
                    "0",
                    "0",
                    "2",
                    "host.example",
                    "fresh-key",
                    "*",
                ],
                SUCCESS,
                0,
            );
            let r = s.run(&[
                "lookup",
                "--port",
                "0",
                "--id-type",
                "fqdn",
                "--id",
                "host.example",
                "--reveal",
            ]);
            assert_eq!(r.out(), lookup_line("port", b"fresh-key"));
            reported += 1;
        }
    }
    assert_eq!(reported, 1);
}

#[test]
fn truncated_emptied_and_oversized_records_are_survived() {
    let pristine = full_state();
    for name in pristine.records() {
        for damage in ["empty", "truncated", "oversized", "foreign"] {
            let s = copy_state(&pristine);
            let path = s.dir.join(&name);
            let bytes = fs::read(&path).unwrap();
            match damage {
                "empty" => fs::write(&path, b"").unwrap(),
                "truncated" => fs::write(&path, &bytes[..bytes.len() - 1]).unwrap(),
                "oversized" => {
                    let mut big = bytes.clone();
                    big.resize(100_000, 0x5a);
                    fs::write(&path, &big).unwrap();
                }
                _ => fs::write(s.dir.join("not-a-record"), &bytes).unwrap(),
            }
            // A file whose name no record has is a foreign entry, whatever it holds (SPEC §6).
            let foreign = usize::from(damage == "foreign");
            let v = s.show();
            assert_eq!(v["corrupt_records"], 1 - foreign, "{name} {damage}");
            assert_eq!(v["foreign_entries"], foreign, "{name} {damage}");
            let k = looked_up(&s, "0", "fqdn", "host.example");
            assert!(
                k.is_none() || k.as_deref() == Some(KEYS.port0),
                "{name} {damage}"
            );
            s.verb(&["ClearCache"], SUCCESS, 0);
            let v = s.show();
            assert_eq!(v["corrupt_records"], 0, "{name} {damage}");
            assert_eq!(v["foreign_entries"], foreign, "{name} {damage}: left alone");
        }
    }
}

// ----- demo -----

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
    s.verb(&["GroupKey", "real-group-key", "*"], SUCCESS, 0);
    s.verb(
        &["PSKey", "*", "0", "0", "2", "real.example", "real-key", "*"],
        SUCCESS,
        0,
    );
    let snapshot = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().into_string().unwrap(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&s.dir);
    let r = s.run(&["demo"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.out().contains("--state is left untouched"), "{r:?}");
    assert!(
        !r.out().contains(s.dir_str()),
        "the demo ran in the state directory"
    );
    assert_eq!(snapshot(&s.dir), before, "the state directory changed");
    let v = s.show();
    assert_eq!(v["group_key"], true);
    assert_eq!(
        v["tunnel"].as_array().unwrap().len(),
        0,
        "no demo mapping left"
    );
    // Neither a --state that does not exist yet nor the default directory is created.
    let tmp = tempfile::tempdir().unwrap();
    let absent = tmp.path().join("absent");
    let home = tmp.path().join("home");
    let r = spawn(
        &["--state", absent.to_str().unwrap(), "demo"],
        b"",
        &[("HOME", Some(&home)), ("XDG_STATE_HOME", None)],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = spawn(
        &["demo"],
        b"",
        &[("HOME", Some(&home)), ("XDG_STATE_HOME", None)],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!absent.exists() && !home.exists());
}

#[cfg(unix)]
#[test]
fn an_unreadable_entry_is_a_corrupt_record_and_is_logged() {
    let s = State::new();
    s.verb(&["GroupKey", "k", "*"], SUCCESS, 0);
    // A FIFO would block a naive reader; a symlink could point anywhere. Neither is read.
    let name = "psk-0123456789abcdef0123456789abcdef";
    std::os::unix::fs::symlink("/dev/zero", s.dir.join(name)).unwrap();
    let r = s.run(&["show", "--json"]);
    assert_eq!(r.json()["corrupt_records"], 1);
    assert_eq!(r.stderr_lines().len(), 1, "{r:?}");
    assert!(
        r.stderr.starts_with("storage: cannot read a record"),
        "{r:?}"
    );
    s.verb(&["ClearCache"], SUCCESS, 0);
    assert!(fs::symlink_metadata(s.dir.join(name)).is_err());
    let r = s.run(&["show", "--json"]);
    assert_eq!(r.json()["corrupt_records"], 0);
    assert!(r.stderr.is_empty());
}
