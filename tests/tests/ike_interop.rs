//! IKE phase 1 against a real peer: the keys our lookup serves authenticate strongSwan.
//!
//! ```text
//!   iscsisec verbs ──► state dir ──► Provider::start ──► lookup ──► test initiator
//!                                                                       │ UDP, loopback
//!                                      swanctl --list-sas ◄── charon ◄──┘ (own namespace)
//! ```
//!
//! Every key reaches the provider the way it reaches the driver: an `iscsisec` verb builds the
//! WMI buffer, the core stores it, and a provider started over that state directory serves it
//! to the initiator through the SPEC §5 lookup. A handshake is "established" only when both
//! sides say so: our initiator verified the responder's `HASH_R`, and charon lists the IKE SA
//! with our cookie as `ESTABLISHED`. charon's secrets are loaded through swanctl and are the
//! only other place the keys are written.
//!
//! Run: `cargo test -p iscsisec-tests --test ike_interop -- --test-threads=1` (as root, with
//! charon-systemd, strongswan-swanctl, libcharon-extra-plugins and iproute2; without them each
//! charon scenario prints `SKIP:`, and fails when `CI` is set). The silent and garbage peers
//! need none of that and always run.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use iscsisec_core::{
    AdapterConfig, Identifier, KeyBuffer, KeySource, LookupMiss, PortSelector, Provider, Reader,
};
use iscsisec_host::platform::{ProcessPlatform, process_platform};
use iscsisec_host::store::{Access, DirStore};
use iscsisec_tests::ike::lab::{self, Charon, INITIATOR_A, INITIATOR_B, Responder};
use iscsisec_tests::ike::wire::{self, Body, Message, Payload};
use iscsisec_tests::ike::{Discard, Established, Identity, Initiator, Mode, Phase1Error, Timing};
use iscsisec_tests::{Iscsisec, iscsisec};

/// How long charon may take to list an SA after our side completed.
const LIST_BOUND: Duration = Duration::from_secs(5);
/// Timing for the failure scenarios: fast, and the bound the assertions check.
const FAST: Timing = Timing {
    retransmit_after: Duration::from_millis(400),
    tries: 3,
};
/// A failure must be reported within this (FAST's 1.2 s of waiting plus slack for the DH).
const FAILURE_BOUND: Duration = Duration::from_secs(5);

const MM_SPECIFIC: &str = "mm-key-for-127.0.0.2";
const MM_GROUP: &str = "mm-group-key";
const AM_GROUP: &str = "am-group-key";

// ---------------------------------------------------------------------------------------------
// Main mode: charon picks the key by our address (a main-mode connection without local id and
// no aggressive-mode connection, reference §1.3 row 5); we look up our own IPv4 address.

#[test]
fn main_mode_explicit_key_for_our_ipv4_is_established() {
    let verbs: [&[&str]; 2] = [&psk("*", "1", "127.0.0.2", MM_SPECIFIC), &group(MM_GROUP)];
    scenario(
        "main_mode_explicit_key_for_our_ipv4_is_established",
        &verbs,
        &main_responder(),
        |s| {
            let (est, sa) = s.establish(
                PortSelector::Port(0),
                INITIATOR_A,
                &Mode::Main,
                "main mode with the explicit key completes",
            );
            assert_eq!(est.key_source, KeySource::AllPorts);
            assert_eq!(est.identity, Identity::Ipv4(INITIATOR_A));
            assert_eq!(
                (est.responder_id.id_type, est.responder_id.data.as_slice()),
                (1, &[127, 0, 0, 1][..])
            );
            assert_eq!(
                (
                    sa.name.as_str(),
                    sa.remote_host.as_str(),
                    sa.remote_id.as_str()
                ),
                ("mm", "127.0.0.2", "127.0.0.2")
            );
        },
    );
}

#[test]
fn main_mode_without_explicit_key_uses_the_group_key() {
    // An explicit key for another address, and the group key; we initiate from 127.0.0.3.
    let verbs: [&[&str]; 2] = [&psk("*", "1", "127.0.0.2", MM_SPECIFIC), &group(MM_GROUP)];
    scenario(
        "main_mode_without_explicit_key_uses_the_group_key",
        &verbs,
        &main_responder(),
        |s| {
            let (est, sa) = s.establish(
                PortSelector::Port(1),
                INITIATOR_B,
                &Mode::Main,
                "main mode with the group key completes against charon's default secret",
            );
            assert_eq!(est.key_source, KeySource::Group);
            assert_eq!(sa.remote_host, "127.0.0.3");
        },
    );
}

#[test]
fn main_mode_explicit_key_unlike_the_peers_fails_within_a_bound() {
    // Our explicit key differs from charon's key for 127.0.0.2; the group key equals charon's
    // default, so a lookup that fell back to it would succeed: it must not.
    let verbs: [&[&str]; 2] = [
        &psk("*", "1", "127.0.0.2", "not-the-peers-key"),
        &group(MM_GROUP),
    ];
    scenario(
        "main_mode_explicit_key_unlike_the_peers_fails_within_a_bound",
        &verbs,
        &main_responder(),
        |s| {
            let provider = s.provider();
            let (err, took) = s.fails(&provider.reader(), PortSelector::Port(0), &Mode::Main);
            // charon cannot decrypt message 5, so message 6 never comes (or a notification does).
            match &err {
                Phase1Error::NoAnswer { awaiting, .. }
                | Phase1Error::PeerNotify { awaiting, .. } => {
                    assert!(awaiting.contains("message 6"), "{err}");
                }
                other => panic!("unexpected error: {other}"),
            }
            let text = err.to_string();
            assert!(
                !text.contains("not-the-peers-key"),
                "an error must not show the key: {text}"
            );
            let sas = s.charon.ike_sas().expect("swanctl");
            assert!(
                sas.iter().all(|sa| sa.state != "ESTABLISHED"),
                "charon established an SA with a wrong key: {sas:?}"
            );
            eprintln!("wrong main-mode key reported in {took:?}: {err}");
        },
    );
}

#[test]
fn binary_64_byte_key_set_in_hex_is_established() {
    let key = binary_key();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let hex_key = format!("0x{hex}");
    let verbs: [&[&str]; 2] = [&psk("0", "1", "127.0.0.2", &hex_key), &group(MM_GROUP)];
    let responder = Responder::main_mode()
        .secret(&["127.0.0.2"], &key)
        .secret(&[], MM_GROUP.as_bytes());
    scenario(
        "binary_64_byte_key_set_in_hex_is_established",
        &verbs,
        &responder,
        |s| {
            let provider = s.provider();
            let reader = provider.reader();
            // The lookup hands over all 64 bytes, NULs and 0xff included.
            let mut buf = KeyBuffer::new();
            let id = Identifier::parse(1, &INITIATOR_A.octets()).expect("IPv4 identifier");
            assert_eq!(
                reader.lookup(PortSelector::Port(0), &id, &mut buf),
                Ok(KeySource::Port)
            );
            assert_eq!(buf.expose_secret(), &key[..]);
            drop(buf);
            let est = s.handshake(
                &reader,
                PortSelector::Port(0),
                INITIATOR_A,
                &Mode::Main,
                "main mode with the binary key completes",
            );
            assert_eq!(est.key_source, KeySource::Port);
            s.established(&est);
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Aggressive mode: charon picks the key by the identifier we send in the clear.

#[test]
fn aggressive_mode_explicit_fqdn_key_is_established() {
    let verbs: [&[&str]; 2] = [
        &psk("*", "2", "Initiator.Lab", "am-fqdn-key"),
        &group(AM_GROUP),
    ];
    let responder = aggressive_responder().secret(&["fqdn:initiator.lab"], b"am-fqdn-key");
    scenario(
        "aggressive_mode_explicit_fqdn_key_is_established",
        &verbs,
        &responder,
        |s| {
            let (est, sa) = s.establish(
                PortSelector::Port(0),
                INITIATOR_A,
                &aggressive_fqdn("initiator.lab"),
                "aggressive mode with the FQDN key completes",
            );
            assert_eq!(est.key_source, KeySource::AllPorts);
            assert_eq!(
                (est.responder_id.id_type, est.responder_id.data.as_slice()),
                (2, &b"responder.lab"[..])
            );
            assert_eq!(
                (sa.name.as_str(), sa.remote_id.as_str()),
                ("am", "initiator.lab")
            );
        },
    );
}

#[test]
fn aggressive_mode_unknown_fqdn_uses_the_group_key() {
    let verbs: [&[&str]; 2] = [
        &psk("*", "2", "initiator.lab", "am-fqdn-key"),
        &group(AM_GROUP),
    ];
    let responder = aggressive_responder().secret(&["fqdn:initiator.lab"], b"am-fqdn-key");
    scenario(
        "aggressive_mode_unknown_fqdn_uses_the_group_key",
        &verbs,
        &responder,
        |s| {
            let (est, sa) = s.establish(
                PortSelector::Port(0),
                INITIATOR_A,
                &aggressive_fqdn("stranger.lab"),
                "aggressive mode with the group key completes",
            );
            assert_eq!(est.key_source, KeySource::Group);
            assert_eq!(sa.remote_id, "stranger.lab");
        },
    );
}

#[test]
fn aggressive_mode_user_fqdn_key_is_established() {
    let verbs: [&[&str]; 2] = [
        &psk("1", "3", "iscsi@initiator.lab", "am-user-key"),
        &group(AM_GROUP),
    ];
    let responder = aggressive_responder().secret(&["email:iscsi@initiator.lab"], b"am-user-key");
    scenario(
        "aggressive_mode_user_fqdn_key_is_established",
        &verbs,
        &responder,
        |s| {
            let mode = Mode::Aggressive(Identity::UserFqdn("iscsi@initiator.lab".to_owned()));
            let (est, sa) = s.establish(
                PortSelector::Port(1),
                INITIATOR_B,
                &mode,
                "aggressive mode with the USER_FQDN key completes",
            );
            assert_eq!(est.key_source, KeySource::Port);
            assert_eq!(sa.remote_id, "iscsi@initiator.lab");
        },
    );
}

#[test]
fn aggressive_mode_ipv4_and_ipv6_identifier_keys_are_established() {
    let verbs: [&[&str]; 3] = [
        &psk("*", "1", "192.0.2.10", "am-ipv4-key"),
        &psk("*", "5", "2001:db8::10", "am-ipv6-key"),
        &group(AM_GROUP),
    ];
    let responder = aggressive_responder()
        .secret(&["192.0.2.10"], b"am-ipv4-key")
        .secret(&["2001:db8::10"], b"am-ipv6-key");
    scenario(
        "aggressive_mode_ipv4_and_ipv6_identifier_keys_are_established",
        &verbs,
        &responder,
        |s| {
            let provider = s.provider();
            let reader = provider.reader();
            let v4 = Ipv4Addr::new(192, 0, 2, 10);
            let v6: Ipv6Addr = "2001:db8::10".parse().expect("address");
            for (identity, shown) in [
                (Identity::Ipv4(v4), "192.0.2.10"),
                (Identity::Ipv6(v6), "2001:db8::10"),
            ] {
                let mode = Mode::Aggressive(identity.clone());
                let est = s.handshake(
                    &reader,
                    PortSelector::Port(0),
                    INITIATOR_A,
                    &mode,
                    &format!("aggressive mode as {identity}"),
                );
                assert_eq!(est.key_source, KeySource::AllPorts, "{identity}");
                assert_eq!(s.established(&est).remote_id, shown);
            }
        },
    );
}

#[test]
fn port_specific_key_beats_the_all_ports_key() {
    let verbs: [&[&str]; 3] = [
        &psk("*", "2", "initiator.lab", "all-ports-key"),
        &psk("0", "2", "initiator.lab", "port0-key"),
        &group(AM_GROUP),
    ];
    // charon knows the port-0 key for the identifier.
    let responder = aggressive_responder().secret(&["fqdn:initiator.lab"], b"port0-key");
    scenario(
        "port_specific_key_beats_the_all_ports_key",
        &verbs,
        &responder,
        |s| {
            let provider = s.provider();
            let reader = provider.reader();
            let mode = aggressive_fqdn("initiator.lab");
            let est = s.handshake(
                &reader,
                PortSelector::Port(0),
                INITIATOR_A,
                &mode,
                "port 0 gets the port-0 key, which charon has",
            );
            assert_eq!(est.key_source, KeySource::Port);
            s.established(&est);
            // Port 1 has no key of its own: the all-ports key, which charon does not have.
            // Aggressive mode shows it at once: the responder's HASH_R does not verify.
            let (err, _) = s.fails(&reader, PortSelector::Port(1), &mode);
            assert!(
                matches!(err, Phase1Error::Authentication { detail, .. } if detail.contains("HASH_R")),
                "{err}"
            );
            assert_eq!(
                established_count(s.charon),
                1,
                "only port 0's SA is established"
            );
        },
    );
}

#[test]
fn keys_survive_a_provider_restart_from_storage() {
    let verbs: [&[&str]; 2] = [&psk("*", "1", "127.0.0.2", MM_SPECIFIC), &group(MM_GROUP)];
    scenario(
        "keys_survive_a_provider_restart_from_storage",
        &verbs,
        &main_responder(),
        |s| {
            let first = s.provider();
            let first_reader = first.reader();
            let a = s.handshake(
                &first_reader,
                PortSelector::Port(0),
                INITIATOR_A,
                &Mode::Main,
                "before the restart",
            );
            s.established(&a);
            drop(first);

            // The stopped provider's reader serves nothing, and the initiator holding it
            // refuses.
            let socket = s.lab.socket(INITIATOR_A).expect("socket in the lab");
            let err = Initiator::new(&first_reader, PortSelector::Port(0))
                .phase1(&socket, s.lab.responder(), &Mode::Main)
                .expect_err("a stopped provider serves no key");
            assert!(
                matches!(
                    err,
                    Phase1Error::NoKey {
                        miss: LookupMiss::Stopped,
                        ..
                    }
                ),
                "{err}"
            );
            drop(socket);

            // Another process reads the same directory while no provider holds it.
            let show = s.adapter.run(&["show", "--json"], b"");
            assert!(show.status.success(), "{show:?}");
            assert!(String::from_utf8_lossy(&show.stdout).contains("\"group_key\":true"));

            let second = s.provider();
            let b = s.handshake(
                &second.reader(),
                PortSelector::Port(0),
                INITIATOR_A,
                &Mode::Main,
                "after the restart",
            );
            assert_eq!(b.key_source, KeySource::AllPorts);
            assert_ne!(a.initiator_cookie, b.initiator_cookie);
            s.established(&b);
            assert_eq!(established_count(s.charon), 2);
        },
    );
}

#[test]
fn after_clear_cache_the_lookup_finds_nothing_and_the_initiator_refuses() {
    let verbs: [&[&str]; 2] = [
        &psk("*", "2", "initiator.lab", "am-fqdn-key"),
        &group(AM_GROUP),
    ];
    let responder = aggressive_responder().secret(&["fqdn:initiator.lab"], b"am-fqdn-key");
    scenario(
        "after_clear_cache_the_lookup_finds_nothing_and_the_initiator_refuses",
        &verbs,
        &responder,
        |s| {
            let mode = aggressive_fqdn("initiator.lab");
            // The provider is dropped afterwards: ClearCache needs the directory's lock.
            s.establish(
                PortSelector::Port(0),
                INITIATOR_A,
                &mode,
                "before ClearCache",
            );

            verb(s.adapter, &["ClearCache"]);
            let provider = s.provider();
            let reader = provider.reader();
            let id = Identifier::parse(2, b"initiator.lab").expect("FQDN");
            let mut buf = KeyBuffer::new();
            assert_eq!(
                reader.lookup(PortSelector::Port(0), &id, &mut buf),
                Err(LookupMiss::NoKey)
            );
            assert!(buf.expose_secret().is_empty());

            let socket = s.lab.socket(INITIATOR_A).expect("socket in the lab");
            let started = Instant::now();
            let err = Initiator::new(&reader, PortSelector::Port(0))
                .phase1(&socket, s.lab.responder(), &mode)
                .expect_err("no key: the initiator must not start");
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "refused without waiting"
            );
            assert!(
                matches!(
                    err,
                    Phase1Error::NoKey {
                        miss: LookupMiss::NoKey,
                        ..
                    }
                ),
                "{err:?}"
            );
            let text = err.to_string();
            assert!(
                text.contains("refusing to start phase 1")
                    && text.contains("FQDN initiator.lab")
                    && text.contains("nothing was sent"),
                "{text}"
            );
            // Nothing reached charon: still exactly the one SA from before.
            thread::sleep(Duration::from_millis(300));
            assert_eq!(s.charon.ike_sas().expect("swanctl").len(), 1);
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Peers that misbehave (no charon needed: a scripted socket on loopback).

#[test]
fn a_silent_peer_is_a_clear_error_within_a_bound() {
    let adapter = iscsisec!();
    verb(&adapter, &["GroupKey", "any-key", "*"]);
    let provider = start_provider(&adapter);
    let reader = provider.reader();
    for mode in [
        Mode::Main,
        Mode::Aggressive(Identity::Fqdn("initiator.lab".to_owned())),
    ] {
        let peer = ScriptedPeer::start(|_| Vec::new());
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let started = Instant::now();
        let err = Initiator::new(&reader, PortSelector::Port(0))
            .timing(FAST)
            .phase1(&socket, peer.addr, &mode)
            .expect_err("nobody answers");
        let took = started.elapsed();
        assert!(took < FAILURE_BOUND, "{took:?}");
        assert!(
            took >= FAST.retransmit_after * FAST.tries,
            "it waited the whole bound"
        );
        let Phase1Error::NoAnswer {
            tries,
            dropped,
            last_drop,
            ..
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!((*tries, *dropped, last_drop), (3, 0, &None));
        assert!(err.to_string().contains("nothing arrived"), "{err}");
        assert_eq!(peer.finish(), 3, "the first message was sent three times");
    }
}

#[test]
fn a_peer_answering_garbage_is_a_clear_error_within_a_bound() {
    let adapter = iscsisec!();
    verb(&adapter, &["GroupKey", "any-key", "*"]);
    let provider = start_provider(&adapter);
    let reader = provider.reader();
    for mode in [
        Mode::Main,
        Mode::Aggressive(Identity::Fqdn("initiator.lab".to_owned())),
    ] {
        // Each request gets a burst of bad answers, several of them echoing our cookie so
        // that the decoder gets past the cookie check.
        let peer = ScriptedPeer::start(garbage_for);
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let started = Instant::now();
        let err = Initiator::new(&reader, PortSelector::Port(0))
            .timing(FAST)
            .phase1(&socket, peer.addr, &mode)
            .expect_err("garbage never completes phase 1");
        let took = started.elapsed();
        assert!(took < FAILURE_BOUND, "{took:?}");
        let Phase1Error::NoAnswer {
            dropped, last_drop, ..
        } = &err
        else {
            panic!("{err}");
        };
        // NoAnswer means none was accepted; at least the first burst arrived in its window
        // (under load the last burst may come after the last window closed).
        let per_request = u32::try_from(garbage_for(&[0; 28]).len()).expect("small");
        assert!(
            (per_request..=3 * per_request).contains(dropped),
            "bad answers dropped: {err}"
        );
        assert!(matches!(
            last_drop,
            Some(Discard::Malformed(_)) | Some(Discard::Unexpected(_))
        ));
        eprintln!("garbage peer ({mode:?}): {err}");
        assert_eq!(peer.finish(), 3, "the request was sent three times");
    }
}

#[test]
fn a_forged_answer_with_a_degenerate_public_value_is_refused() {
    let adapter = iscsisec!();
    verb(&adapter, &["GroupKey", "any-key", "*"]);
    let provider = start_provider(&adapter);
    let reader = provider.reader();
    // The answer echoes our SA, then offers g^xr = 1, which would make the shared secret 1.
    let peer = ScriptedPeer::start(|request| {
        let Ok(m) = Message::decode(request) else {
            return Vec::new();
        };
        let sa = m
            .payloads()
            .iter()
            .find(|p| matches!(p, Payload::Sa(_)))
            .cloned();
        let mut one = vec![0u8; 256];
        one[255] = 1;
        let answer = Message {
            responder_cookie: [7; 8],
            body: Body::Plain(vec![
                sa.expect("our message 1 has an SA"),
                Payload::Ke(one),
                Payload::Nonce(vec![5; 32]),
                Payload::Id(wire::IdPayload {
                    id_type: 2,
                    protocol: 0,
                    port: 0,
                    data: b"forger".to_vec(),
                }),
                Payload::Hash(vec![0; 32]),
            ]),
            ..m
        };
        vec![answer.encode().expect("encodes")]
    });
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let mode = Mode::Aggressive(Identity::Fqdn("initiator.lab".to_owned()));
    let err = Initiator::new(&reader, PortSelector::Port(0))
        .timing(FAST)
        .phase1(&socket, peer.addr, &mode)
        .expect_err("a degenerate DH value is refused");
    assert!(
        err.to_string().contains("Diffie-Hellman public value"),
        "{err}"
    );
    peer.finish();
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn main_responder() -> Responder {
    Responder::main_mode()
        .secret(&["127.0.0.2"], MM_SPECIFIC.as_bytes())
        .secret(&[], MM_GROUP.as_bytes())
}

fn aggressive_responder() -> Responder {
    Responder::aggressive_mode().secret(&[], AM_GROUP.as_bytes())
}

fn aggressive_fqdn(name: &str) -> Mode {
    Mode::Aggressive(Identity::Fqdn(name.to_owned()))
}

/// `PSKey * PORT 0 ID_TYPE ID KEY *`.
fn psk<'a>(port: &'a str, id_type: &'a str, id: &'a str, key: &'a str) -> [&'a str; 8] {
    ["PSKey", "*", port, "0", id_type, id, key, "*"]
}

/// `GroupKey KEY *`.
fn group(key: &str) -> [&str; 3] {
    ["GroupKey", key, "*"]
}

/// 64 bytes with 0x00 and 0xff at both ends and inside.
fn binary_key() -> Vec<u8> {
    let mut key: Vec<u8> = (0u8..64)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    for (i, b) in [(0, 0x00), (13, 0x00), (27, 0xff), (40, 0x00), (63, 0xff)] {
        key[i] = b;
    }
    key
}

/// Runs an `iscsisec` verb on the adapter's state directory and requires success.
fn verb(adapter: &Iscsisec, args: &[&str]) {
    let out = adapter.run(args, b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("status=SUCCESS"),
        "iscsisec {}: {stdout}{}",
        args.first().copied().unwrap_or_default(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts a provider over the adapter's state directory (it holds the directory's lock until
/// dropped, so no verb may run meanwhile).
fn start_provider(adapter: &Iscsisec) -> Provider<DirStore, ProcessPlatform> {
    let store = DirStore::open(adapter.state_dir(), Access::Change, |m| {
        eprintln!("storage: {m}");
    })
    .expect("state directory opens");
    let (provider, report) = Provider::start(store, AdapterConfig::default(), process_platform())
        .expect("provider starts");
    assert_eq!(report.corrupt, 0);
    provider
}

/// One charon scenario: the lab (or, without it, a `SKIP:` line and nothing else), an adapter
/// whose state directory the `verbs` wrote, and charon holding `responder`'s secrets.
fn scenario(name: &str, verbs: &[&[&str]], responder: &Responder, run: impl FnOnce(&Scenario<'_>)) {
    let Some(lab) = lab::lab_or_skip(name) else {
        return;
    };
    let adapter = iscsisec!();
    for args in verbs {
        verb(&adapter, args);
    }
    let charon = lab.charon(responder).expect("charon starts");
    run(&Scenario {
        lab: &lab,
        adapter: &adapter,
        charon: &charon,
    });
}

/// What a charon scenario works with.
struct Scenario<'a> {
    lab: &'a lab::Lab,
    adapter: &'a Iscsisec,
    charon: &'a Charon<'a>,
}

impl Scenario<'_> {
    /// A provider over the adapter's state directory (see [`start_provider`]).
    fn provider(&self) -> Provider<DirStore, ProcessPlatform> {
        start_provider(self.adapter)
    }

    /// One phase 1 from `from` inside the lab, with the default timing; a failure panics with
    /// `what` and charon's log tail.
    fn handshake(
        &self,
        reader: &Reader<ProcessPlatform>,
        port: PortSelector,
        from: Ipv4Addr,
        mode: &Mode,
        what: &str,
    ) -> Established {
        let socket = self.lab.socket(from).expect("socket in the lab");
        Initiator::new(reader, port)
            .phase1(&socket, self.lab.responder(), mode)
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", self.charon.log_tail()))
    }

    /// A provider, one phase 1 with it ([`Scenario::handshake`]), and charon's word that the SA
    /// is established ([`Scenario::established`]).
    fn establish(
        &self,
        port: PortSelector,
        from: Ipv4Addr,
        mode: &Mode,
        what: &str,
    ) -> (Established, lab::IkeSa) {
        let provider = self.provider();
        let est = self.handshake(&provider.reader(), port, from, mode, what);
        let sa = self.established(&est);
        (est, sa)
    }

    /// One phase 1 from [`INITIATOR_A`] with the fast timing that must fail, within
    /// [`FAILURE_BOUND`]; the error and how long it took.
    fn fails(
        &self,
        reader: &Reader<ProcessPlatform>,
        port: PortSelector,
        mode: &Mode,
    ) -> (Phase1Error, Duration) {
        let socket = self.lab.socket(INITIATOR_A).expect("socket in the lab");
        let started = Instant::now();
        let err = Initiator::new(reader, port)
            .timing(FAST)
            .phase1(&socket, self.lab.responder(), mode)
            .expect_err("this phase 1 must fail");
        let took = started.elapsed();
        assert!(took < FAILURE_BOUND, "reported after {took:?}: {err}");
        (err, took)
    }

    /// charon must list our SA (by our cookie) as established.
    fn established(&self, est: &Established) -> lab::IkeSa {
        let sa = self
            .charon
            .wait_established(&est.initiator_cookie, LIST_BOUND)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sa.version, "1");
        sa
    }
}

fn established_count(charon: &Charon<'_>) -> usize {
    charon
        .ike_sas()
        .expect("swanctl")
        .iter()
        .filter(|sa| sa.state == "ESTABLISHED")
        .count()
}

/// Bad answers to `request`: random-looking bytes, a short header, and messages carrying our
/// cookie that are malformed in the header, the payload chain, the SA or the encryption.
fn garbage_for(request: &[u8]) -> Vec<Vec<u8>> {
    let mut cookie_header = request
        .get(..28)
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| vec![0; 28]);
    cookie_header.resize(28, 0);
    cookie_header[8..16].copy_from_slice(&[9; 8]);
    let with_len = |mut m: Vec<u8>| {
        let len = u32::try_from(m.len()).expect("small");
        m[24..28].copy_from_slice(&len.to_be_bytes());
        m
    };
    let mut bad_version = cookie_header.clone();
    bad_version[17] = 0x20;
    let mut overlong_payload = cookie_header.clone();
    overlong_payload[16] = 1; // SA
    overlong_payload.extend_from_slice(&[0, 0, 0xff, 0xff, 0, 0, 0, 1]);
    let mut bad_sa = cookie_header.clone();
    bad_sa[16] = 1;
    // SA with a proposal claiming two transforms and holding none.
    bad_sa.extend_from_slice(&[0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 8, 1, 1, 0, 2]);
    let mut ragged_cipher = cookie_header.clone();
    ragged_cipher[16] = 5;
    ragged_cipher[19] = 1;
    ragged_cipher.extend_from_slice(&[0xab; 21]);
    let mut no_payloads = cookie_header.clone();
    no_payloads[16] = 0;
    vec![
        (0u8..97).map(|i| i.wrapping_mul(151)).collect(),
        vec![0x10; 12],
        with_len(bad_version),
        with_len(overlong_payload),
        with_len(bad_sa),
        with_len(ragged_cipher),
        with_len(no_payloads),
        Vec::new(),
    ]
}

/// A UDP socket on 127.0.0.1 answering each datagram with what `script` returns; counts the
/// datagrams it got. Its thread stops on `finish`.
struct ScriptedPeer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    received: Arc<AtomicU32>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ScriptedPeer {
    fn start(script: impl Fn(&[u8]) -> Vec<Vec<u8>> + Send + 'static) -> ScriptedPeer {
        let socket = UdpSocket::bind((IpAddr::V4(Ipv4Addr::LOCALHOST), 0)).expect("bind peer");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let addr = socket.local_addr().expect("address");
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicU32::new(0));
        let (stop2, received2) = (Arc::clone(&stop), Arc::clone(&received));
        let thread = thread::spawn(move || {
            let mut buf = vec![0u8; 65_536];
            while !stop2.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                received2.fetch_add(1, Ordering::Relaxed);
                for answer in script(&buf[..n]) {
                    let _ = socket.send_to(&answer, from);
                }
            }
        });
        ScriptedPeer {
            addr,
            stop,
            received,
            thread: Some(thread),
        }
    }

    /// Stops the peer; returns how many datagrams it received.
    fn finish(mut self) -> u32 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().expect("peer thread");
        }
        self.received.load(Ordering::Relaxed)
    }
}

impl Drop for ScriptedPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
