//! The `iscsisec` command line's own rules: each verb's arguments reach their WMI field, answers
//! print as SPEC §7 says, bad arguments exit 2 with one line, and the global options.
//!
//! ```text
//!   this file ──spawns──► iscsisec --state <temp dir> VERB ARGS… ──► core ──► files
//!                              stdout line + exit code ◄──┘
//! ```
//!
//! What the core decides (every status, size and precedence rule of SPEC §3–§6) is proven once
//! through `exec` by the conformance suite (`tests/tests/conformance`) and at the core's API by
//! its own tests; here a core status only shows up as the line a verb prints for it. The
//! state directory (files, modes, the lock, storage messages) is `state_dir.rs`; the demo is
//! `demo.rs`.

mod common;

use common::{SUCCESS, State, found, spawn};
use iscsisec_core::wire::{GetPresharedKeyForIdIn, SetChapSharedSecretIn};

const UNAVAILABLE: &str =
    "status=ISDSC_TARGET_PRESHAREDKEY_UNAVAILABLE code=0xEFFF0027 flags=0x0000000000000000";
const INVALID_PARAMETER: &str = "status=ISDSC_INVALID_PARAMETER code=0xEFFF0056";
const INVALID_PORT_NUMBER: &str = "status=ISDSC_INVALID_PORT_NUMBER code=0xEFFF002D";
const CACHE_FULL: &str = "status=ISDSC_HBA_SECURITY_CACHE_FULL code=0xEFFF002C";

// ----- the iscsicli verbs -----

#[test]
fn each_verb_argument_reaches_its_field() {
    let s = State::new();
    s.rows(&[
        // Text and 0x hex keys; Persist is accepted and ignored.
        (&["GroupKey", "group-key-one", "*"], SUCCESS, 0),
        (&["GroupKey", "0x00FF10", "persist-token"], SUCCESS, 0),
        // Port, SecurityFlags (hex, or * for 0), IdType, Id of each type, Key; lower-case aliases.
        (
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
        ),
        (
            &["PSKey", "*", "*", "*", "1", "192.0.2.7", "v4-key", "*"],
            SUCCESS,
            0,
        ),
        (
            &["PSKey", "*", "*", "5", "5", "2001:db8::7", "v6-key", "*"],
            SUCCESS,
            0,
        ),
        (
            &[
                "pskey",
                "*",
                "1",
                "0x15",
                "3",
                "User@Host.Example",
                "0xdeadbeef4217",
                "*",
            ],
            SUCCESS,
            0,
        ),
        (
            &["chapsecret", "0x00112233445566778899aabbccddeeff"],
            SUCCESS,
            0,
        ),
        // Destination and Tunnel: IPv4, IPv6 with a scope, text.
        (
            &["TunnelAddr", "*", "0", "198.51.100.7", "203.0.113.1", "*"],
            SUCCESS,
            0,
        ),
        (
            &["TunnelAddr", "*", "*", "2001:db8::9", "fe80::1%12", "*"],
            SUCCESS,
            0,
        ),
        (
            &["tunneladdr", "*", "1", "Target.Example", "gw.example", "*"],
            SUCCESS,
            0,
        ),
        // GetPSKey prints the flags; other IPv6 spellings are the same address.
        (
            &["GetPSKey", "*", "0", "2", "host.EXAMPLE"],
            "status=SUCCESS code=0x00000000 flags=0x000000000000000B",
            0,
        ),
        (
            &["getpskey", "*", "1", "1", "192.0.2.7"],
            "status=SUCCESS code=0x00000000 flags=0x0000000000000000",
            0,
        ),
        (
            &["GetPSKey", "*", "*", "5", "2001:DB8:0::7"],
            "status=SUCCESS code=0x00000000 flags=0x0000000000000005",
            0,
        ),
        (&["GetPSKey", "*", "1", "2", "host.example"], UNAVAILABLE, 1),
    ]);
    // Everything landed where the arguments said, and nothing else: the whole description.
    assert_eq!(
        s.run(&["show", "--json"]).out(),
        concat!(
            r#"{"group_key":true,"psk":["#,
            r#"{"port":0,"id_type":2,"id":"host.example","flags":11},"#,
            r#"{"port":1,"id_type":3,"id":"user@host.example","flags":21},"#,
            r#"{"port":"*","id_type":1,"id":"192.0.2.7","flags":0},"#,
            r#"{"port":"*","id_type":5,"id":"2001:db8::7","flags":5}],"#,
            r#""chap_secret_bytes":16,"generational_guid":"00000000-0000-0000-0000-000000000000","#,
            r#""tunnel":[{"port":0,"destination":"198.51.100.7","outer":"203.0.113.1"},"#,
            r#"{"port":1,"destination":"target.example","outer":"gw.example"},"#,
            r#"{"port":"*","destination":"2001:db8::9","outer":"fe80::1%12"}],"#,
            r#""corrupt_records":0,"foreign_entries":0}"#,
            "\n"
        )
    );
    // And each key is the argument's bytes.
    for (port, id_type, id, line) in [
        ("0", "fqdn", "host.example", found("port", b"port0-key")),
        ("1", "ipv4", "192.0.2.7", found("all-ports", b"v4-key")),
        ("0", "ipv6", "2001:db8::7", found("all-ports", b"v6-key")),
        (
            "1",
            "user-fqdn",
            "user@host.example",
            found("port", &[0xde, 0xad, 0xbe, 0xef, 0x42, 0x17]),
        ),
        (
            "0",
            "fqdn",
            "other.example",
            found("group", &[0x00, 0xff, 0x10]),
        ),
    ] {
        let r = s.lookup(port, id_type, id);
        assert_eq!((r.out(), r.code), (line, Some(0)), "{id}");
    }
    // `*` as Key, Tunnel or Secret removes or clears; ClearCache and its alias.
    s.rows(&[
        (
            &["PSKey", "*", "0", "*", "2", "host.example", "*", "*"],
            SUCCESS,
            0,
        ),
        (&["GetPSKey", "*", "0", "2", "host.example"], UNAVAILABLE, 1),
        (
            &["TunnelAddr", "*", "0", "198.51.100.7", "*", "*"],
            SUCCESS,
            0,
        ),
        (&["GroupKey", "*", "*"], SUCCESS, 0),
        (&["CHAPSecret", "*"], SUCCESS, 0),
    ]);
    let v = s.show();
    assert_eq!(
        (
            &v["group_key"],
            &v["chap_secret_bytes"],
            v["psk"].as_array().map(Vec::len),
            v["tunnel"].as_array().map(Vec::len),
        ),
        (&false.into(), &0.into(), Some(3), Some(2))
    );
    s.rows(&[(&["ClearCache"], SUCCESS, 0), (&["clearcache"], SUCCESS, 0)]);
    assert_eq!(s.show()["psk"], serde_json::json!([]));
}

#[test]
fn verbs_print_the_cores_answer_by_name_and_code() {
    let s = State::new();
    let long_text = "k".repeat(257);
    let key_256 = format!("0x{}", "ab".repeat(256));
    let key_257 = format!("0x{}", "ab".repeat(257));
    // 256 UTF-16 units are the longest text address (L = 512), 257 make L = 514; 600 make WMI's
    // packed IN longer than 1100 bytes, which the core then reads as the C fixed stride.
    let (units_256, units_257, units_600) = ("a".repeat(256), "a".repeat(257), "a".repeat(600));
    s.rows(&[
        // A warning: the change is made, exit 0. An error: exit 1.
        (
            &["CHAPSecret", "ten-bytes!"],
            "status=ISDSC_SHORT_CHAP_SECRET code=0xAFFF0048",
            0,
        ),
        (
            &["CHAPSecret", "seventeen-bytes!!"],
            "status=ISDSC_INVALID_INITIATOR_CHAP_SECRET code=0xEFFF004C",
            1,
        ),
        // Keys reach the core at their full length, text or hex.
        (&["GroupKey", &key_256, "*"], SUCCESS, 0),
        (&["GroupKey", &key_257, "*"], INVALID_PARAMETER, 1),
        (&["GroupKey", &long_text, "*"], INVALID_PARAMETER, 1),
        (
            &["PSKey", "*", "0", "0", "2", "h.example", &key_257, "*"],
            INVALID_PARAMETER,
            1,
        ),
        // Each other field reaches the core as given.
        (
            &["PSKey", "*", "7", "0", "2", "h.example", "k", "*"],
            INVALID_PORT_NUMBER,
            1,
        ),
        (
            &["PSKey", "*", "0", "0x80", "2", "h.example", "k", "*"],
            INVALID_PARAMETER,
            1,
        ),
        (
            &["PSKey", "*", "0", "0", "4", "anything", "k", "*"],
            "status=ISDSC_IKE_ID_PAYLOAD_TYPE_NOT_SUPPORTED code=0xEFFF0030",
            1,
        ),
        (
            &["GetPSKey", "*", "0", "3", ""],
            "status=ISDSC_IKE_ID_PAYLOAD_INCORRECT_SIZE code=0xEFFF0031 flags=0x0000000000000000",
            1,
        ),
        (
            &["TunnelAddr", "*", "2", "198.51.100.7", "203.0.113.1", "*"],
            INVALID_PORT_NUMBER,
            1,
        ),
        // A destination of * is an empty address, which the core refuses.
        (
            &["TunnelAddr", "*", "0", "*", "203.0.113.1", "*"],
            INVALID_PARAMETER,
            1,
        ),
        // Text addresses reach the core at their full length, whatever the IN's size.
        (
            &["TunnelAddr", "*", "0", &units_256, &units_256, "*"],
            SUCCESS,
            0,
        ),
        (
            &["TunnelAddr", "*", "0", &units_257, "gw.example", "*"],
            INVALID_PARAMETER,
            1,
        ),
        (
            &["TunnelAddr", "*", "0", "198.51.100.9", &units_257, "*"],
            INVALID_PARAMETER,
            1,
        ),
        (
            &["TunnelAddr", "*", "0", "198.51.100.9", &units_600, "*"],
            INVALID_PARAMETER,
            1,
        ),
        (
            &["TunnelAddr", "*", "0", &units_600, &units_600, "*"],
            INVALID_PARAMETER,
            1,
        ),
    ]);
    let v = s.show();
    assert_eq!(
        (&v["group_key"], &v["chap_secret_bytes"], &v["psk"]),
        (&true.into(), &10.into(), &serde_json::json!([]))
    );
    assert_eq!(
        v["tunnel"],
        serde_json::json!([{"port": 0, "destination": units_256, "outer": units_256}])
    );
}

#[test]
fn exec_takes_method_ids_and_out_sizes_in_decimal_or_hex() {
    let s = State::new();
    let secret = SetChapSharedSecretIn {
        shared_secret: b"twelve-bytes",
    };
    let mut input = vec![0u8; secret.buffer_len()];
    secret.emit(&mut input).unwrap();
    let r = s.run_stdin(&["exec", "MSiSCSI_Operations", "0x47"], &input);
    assert_eq!(
        (r.code, r.stdout.as_slice(), r.stderr.as_str()),
        (Some(0), &[0u8; 4][..], "ntstatus=0x00000000 used=4\n")
    );
    let get = GetPresharedKeyForIdIn {
        port_number: 0,
        id_type: 2,
        id: b"h.example",
    };
    let mut input = vec![0u8; get.buffer_len()];
    get.emit(&mut input).unwrap();
    let r = s.run_stdin(
        &[
            "exec",
            "MSiSCSI_SecurityConfigOperations",
            "2",
            "--out-size",
            "0x10",
        ],
        &input,
    );
    let mut out = 0xEFFF_0027u32.to_le_bytes().to_vec();
    out.resize(16, 0);
    assert_eq!(
        (r.code, r.stdout, r.stderr.as_str()),
        (Some(0), out, "ntstatus=0x00000000 used=16\n")
    );
}

// ----- bad arguments -----

#[test]
fn bad_arguments_exit_2_with_one_line_naming_the_argument() {
    let s = State::new();
    // 32768 UTF-16 units: 65536 bytes, more than a counted string's u16 length can say.
    let text_over_u16 = "t".repeat(32_768);
    let lookup = |port, id_type, id| ["lookup", "--port", port, "--id-type", id_type, "--id", id];
    s.usage_errors(&[
        (
            &["exec", "MSiSCSI_Other", "1"],
            "error: CLASS: 'MSiSCSI_Other' is neither MSiSCSI_SecurityConfigOperations, \
             MSiSCSI_Operations nor a GUID",
        ),
        (
            &["exec", "{391F3325-0BA3-4083-A861-CF4F6F97A527", "1"],
            "error: CLASS: '{391F3325-0BA3-4083-A861-CF4F6F97A527' is neither \
             MSiSCSI_SecurityConfigOperations, MSiSCSI_Operations nor a GUID",
        ),
        (
            &["exec", "00000000-0000-0000-0000-000000000001", "1"],
            "error: CLASS: {00000000-0000-0000-0000-000000000001} is not a class this provider \
             serves",
        ),
        (
            &["exec", "MSiSCSI_Operations", "seventy-one"],
            "error: METHOD_ID: 'seventy-one' is not a number (decimal, or hex with 0x)",
        ),
        (
            &["exec", "MSiSCSI_Operations", "0x100000000"],
            "error: METHOD_ID: '0x100000000' is too large",
        ),
        (
            &["exec", "MSiSCSI_Operations", "71", "--out-size", "65537"],
            "error: --out-size: 65537 is more than 65536 bytes",
        ),
        (
            &["PSKey", "iqn.x", "0", "0", "2", "h", "k", "*"],
            "error: InitiatorName: 'iqn.x' is not supported; pass * (this adapter's initiator)",
        ),
        (
            &["GetPSKey", "me", "0", "2", "h"],
            "error: InitiatorName: 'me' is not supported; pass * (this adapter's initiator)",
        ),
        (
            &["TunnelAddr", "me", "0", "1.2.3.4", "*", "*"],
            "error: InitiatorName: 'me' is not supported; pass * (this adapter's initiator)",
        ),
        (
            &["TunnelAddr", "*", "0", "1.2.3.4", &text_over_u16, "*"],
            "error: Tunnel: a text address of 32768 UTF-16 units does not fit a WMI string (at \
             most 32767)",
        ),
        // A key or secret is never quoted back.
        (
            &["PSKey", "*", "0", "0", "2", "h", "0xsecretsecret1", "*"],
            "error: Key: a 0x key needs an even number of hex digits",
        ),
        (
            &["GroupKey", "0xsecretsecret12", "*"],
            "error: Key: a 0x key may hold only hex digits",
        ),
        (
            &["CHAPSecret", "0xsecretsecret12"],
            "error: Secret: a 0x key may hold only hex digits",
        ),
        (
            &["PSKey", "*", "0", "0", "1", "192.0.2", "k", "*"],
            "error: Id: '192.0.2' is not a dotted IPv4 address",
        ),
        (
            &["GetPSKey", "*", "0", "5", "not-v6"],
            "error: Id: 'not-v6' is not an IPv6 address",
        ),
        (
            &["PSKey", "*", "one", "0", "2", "h", "k", "*"],
            "error: Port: 'one' is not a number (decimal, or hex with 0x)",
        ),
        (
            &["PSKey", "*", "0", "0", "258", "h", "k", "*"],
            "error: IdType: '258' is too large",
        ),
        (
            &["PSKey", "*", "0", "valid", "2", "h", "k", "*"],
            "error: SecurityFlags: 'valid' is not a number (decimal, or hex with 0x)",
        ),
        (
            &["PSKey", "*", "0"],
            "error: the following required arguments were not provided: <SecurityFlags>, \
             <IdType>, <Id>, <Key>, <Persist>",
        ),
        (
            &["GroupKey", "k"],
            "error: the following required arguments were not provided: <Persist>",
        ),
        (&["SetKey"], "error: unrecognized subcommand 'SetKey'"),
        (
            &[],
            "error: 'iscsisec' requires a subcommand but one was not provided",
        ),
        (
            &lookup("2", "1", "1.2.3.4"),
            "error: --port: 2 is not a port of this adapter (0 to 1 or *; see --ports)",
        ),
        (
            &lookup("0", "dns", "h"),
            "error: --id-type: 'dns' is not 1, 2, 3, 5, ipv4, fqdn, user-fqdn or ipv6",
        ),
        (
            &lookup("0", "4", "h"),
            "error: --id: 4 is not an identifier type (1 ipv4, 2 fqdn, 3 user-fqdn, 5 ipv6)",
        ),
        (
            &lookup("0", "ipv4", "h"),
            "error: --id: 'h' is not a dotted IPv4 address",
        ),
        (
            &lookup("0", "fqdn", "a b"),
            "error: --id: a name identifier holds only printable ASCII, without spaces",
        ),
        (
            &["lookup", "--port", "0", "--id-type", "fqdn"],
            "error: the following required arguments were not provided: --id <ID>",
        ),
        (
            &["show"],
            "error: the following required arguments were not provided: --json",
        ),
        (
            &["--ports", "two", "show", "--json"],
            "error: invalid value 'two' for '--ports <N>': not a number (decimal, or hex with 0x)",
        ),
        (
            &["show", "--json", "--max-entries", "-1"],
            "error: unexpected argument '-1' found",
        ),
    ]);
    let stdin_over = "error: standard input holds more than 65536 bytes (the IN buffer is at most \
                      64 KiB)";
    for len in [65_537, 200_000] {
        s.run_stdin(&["exec", "MSiSCSI_Operations", "71"], &vec![0u8; len])
            .assert_usage_error(stdin_over);
    }
    // Without a command, the state directory is not even created.
    assert!(!s.dir.exists());
    // The one case with no --state: no command at all asks for one.
    spawn(&[], b"", &[]).assert_usage_error("error: a command is required (see iscsisec --help)");
}

#[test]
fn an_empty_key_is_a_usage_error_and_star_is_the_only_clear() {
    // Finding 8 of issue 7: `GroupKey "$UNSET" *` used to delete the group key.
    let s = State::new();
    s.rows(&[
        (&["GroupKey", "group-key", "*"], SUCCESS, 0),
        (
            &["PSKey", "*", "0", "0", "2", "h.example", "psk", "*"],
            SUCCESS,
            0,
        ),
        (&["CHAPSecret", "twelve-bytes"], SUCCESS, 0),
    ]);
    let before = s.show();
    let empty_key = "error: Key: an empty key is not a key; pass * to clear";
    let bare_0x = "error: Key: 0x needs hex digits after it; pass * to clear";
    s.usage_errors(&[
        (&["GroupKey", "", "*"], empty_key),
        (&["GroupKey", "0x", "*"], bare_0x),
        (&["GroupKey", "0X", "*"], bare_0x),
        (
            &["PSKey", "*", "0", "0", "2", "h.example", "", "*"],
            empty_key,
        ),
        (
            &["PSKey", "*", "0", "0", "2", "h.example", "0x", "*"],
            bare_0x,
        ),
        (
            &["CHAPSecret", ""],
            "error: Secret: an empty key is not a key; pass * to clear",
        ),
        (
            &["CHAPSecret", "0x"],
            "error: Secret: 0x needs hex digits after it; pass * to clear",
        ),
    ]);
    assert_eq!(s.show(), before, "nothing was cleared");
    // A key that starts with `-` is a value, after `--` or without it.
    s.rows(&[
        (&["GroupKey", "--", "-dash-key", "*"], SUCCESS, 0),
        (&["CHAPSecret", "--", "-dash-secret"], SUCCESS, 0),
        (
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
        ),
        (
            &["PSKey", "*", "1", "0", "2", "h.example", "-dash-psk1", "*"],
            SUCCESS,
            0,
        ),
    ]);
    for (port, id, line) in [
        ("0", "other", found("group", b"-dash-key")),
        ("0", "h.example", found("port", b"-dash-psk")),
        ("1", "h.example", found("port", b"-dash-psk1")),
    ] {
        assert_eq!(s.lookup(port, "fqdn", id).out(), line);
    }
    assert_eq!(s.show()["chap_secret_bytes"], "-dash-secret".len());
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
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(verb)),
            "{verb} missing from --help:\n{help}"
        );
    }
    let r = spawn(&["PSKey", "--help"], b"", &[]);
    assert_eq!(r.code, Some(0));
    assert!(
        r.out().contains(
            "Usage: iscsisec PSKey [OPTIONS] <InitiatorName> <Port> <SecurityFlags> <IdType> <Id> \
             <Key> <Persist>"
        ),
        "{}",
        r.out()
    );
    let r = spawn(&["--version"], b"", &[]);
    assert_eq!((r.out().as_str(), r.code), ("iscsisec 0.1.0\n", Some(0)));
}

// ----- global options -----

#[test]
fn ports_and_max_entries_set_the_adapter_before_or_after_the_verb() {
    let s = State::new();
    let max_1 = ["--max-entries", "1"];
    let psk = |id: &'static str| ["PSKey", "*", "3", "0", "2", id, "k3", "*"];
    let tunnel = |destination: &'static str| ["TunnelAddr", "*", "0", destination, "5.6.7.8", "*"];
    s.rows(&[
        (&psk("h.example"), INVALID_PORT_NUMBER, 1),
        (
            &[&psk("h.example")[..], &["--ports", "4"]].concat(),
            SUCCESS,
            0,
        ),
        (
            &[&["--ports", "0"][..], &tunnel("1.2.3.4")].concat(),
            INVALID_PORT_NUMBER,
            1,
        ),
        (&["--ports", "0", "GroupKey", "g", "*"], SUCCESS, 0),
        // Explicit keys and tunnel mappings are counted apart.
        (
            &[&max_1[..], &["--ports", "4"], &psk("i.example")].concat(),
            CACHE_FULL,
            1,
        ),
        (&[&max_1[..], &tunnel("1.2.3.4")].concat(), SUCCESS, 0),
        (&[&max_1[..], &tunnel("1.2.3.5")].concat(), CACHE_FULL, 1),
    ]);
    // The port-3 entry is stored, loads under the default --ports 2, and is served with 4.
    assert_eq!(
        s.show()["psk"],
        serde_json::json!([{"port": 3, "id_type": 2, "id": "h.example", "flags": 0}])
    );
    s.lookup("3", "fqdn", "h.example").assert_usage_error(
        "error: --port: 3 is not a port of this adapter (0 to 1 or *; see --ports)",
    );
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
    assert_eq!(r.out(), found("port", b"k3"));
}

// ----- lookup -----

#[test]
fn lookup_says_on_stderr_only_when_a_record_is_damaged() {
    let s = State::new();
    s.rows(&[(
        &["PSKey", "*", "0", "0", "2", "host.example", "port-key", "*"],
        SUCCESS,
        0,
    )]);
    let miss = s.lookup("0", "fqdn", "other.example");
    assert_eq!(
        (miss.out().as_str(), miss.code, miss.stderr.as_str()),
        ("source=none\n", Some(1), "")
    );
    let records: Vec<String> = s.records().into_iter().collect();
    let [record] = records.as_slice() else {
        panic!("one record: {records:?}");
    };
    let path = s.dir.join(record);
    let mut bytes = std::fs::read(&path).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    s.rows(&[(&["GroupKey", "group-key", "*"], SUCCESS, 0)]);
    let damaged = s.lookup("0", "fqdn", "host.example");
    assert_eq!(
        (
            damaged.out().as_str(),
            damaged.code,
            damaged.stderr.as_str()
        ),
        (
            "source=none\n",
            Some(1),
            "error: a stored record for this identifier is damaged; run ClearCache or set the \
             key again\n"
        )
    );
    // Other identifiers are served as usual, without a word on stderr.
    let other = s.lookup("0", "fqdn", "other.example");
    assert_eq!(
        (other.out(), other.stderr.as_str()),
        (found("group", b"group-key"), "")
    );
}
