//! Mutual CHAP against a real iSCSI target: method 71's secret at work.
//!
//! ```text
//!   iscsisec --state DIR (exec 71 / CHAPSecret)   ──► records in DIR
//!   Adapter::start(DIR) ──► initiator secret ──► login (tests/src/iscsi) ──► tgtd on 127.0.0.1
//!                                                  └─► iscsisec_core::chap decides every step
//! ```
//!
//! Most scenarios log in to a private `tgtd` (Debian package `tgt`) set up with `tgtadm`: an
//! incoming account for us (one-way CHAP) and an outgoing account whose password must equal our
//! initiator secret (mutual CHAP). `iscsi-inq` (package `libiscsi-bin`) is a second opinion on
//! that setup. Reflection and the challenge table need a target that misbehaves on cue: a
//! scripted fake target on loopback. Where tgt is missing a tgtd scenario prints one `SKIP:`
//! line, except under `CI`, where it fails.
//!
//! ```sh
//! cargo test -p iscsisec-tests --test chap_interop -- --test-threads=1
//! ```

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use iscsisec_core::ChapSecretBuffer;
use iscsisec_core::chap::{ChapConfig, ChapRefusal, ConnectionSecurity, md5_response};
use iscsisec_tests::iscsi::adapter::{Adapter, Authenticator, authenticator};
use iscsisec_tests::iscsi::fake_target::FakeTarget;
use iscsisec_tests::iscsi::login::{Auth, LoginConfig, LoginError, Session, Transcript, login};
use iscsisec_tests::iscsi::tgtd::{Tgtd, find_program, prerequisites, tgtd_can_run};
use iscsisec_tests::{Iscsisec, iscsisec, isdsc};

const TID: u32 = 1;
const TARGET_IQN: &str = "iqn.2024-01.test.iscsisec:chap-interop";
const INITIATOR_IQN: &str = "iqn.1991-05.com.microsoft:iscsisec-chap-interop";
/// Our CHAP_N; tgtd's incoming account.
const INCOMING_USER: &str = "iscsisec-initiator";
/// The per-target secret (LoginToTarget's): the incoming account's password.
const TARGET_SECRET: &str = "target-secret-16";
/// tgtd's CHAP_N in mutual CHAP; its outgoing account.
const OUTGOING_USER: &str = "iscsisec-target";
/// The initiator CHAP secret (method 71); tgtd's outgoing password in the good cases.
const INITIATOR_SECRET: &str = "initiator-sec-16";
const TIMEOUT: Duration = Duration::from_secs(10);

/// A private tgtd, or `None` after a `SKIP:` line (a failure under CI).
fn tgtd_or_skip(test: &str) -> Option<Tgtd> {
    if !tgtd_can_run(test) {
        return None;
    }
    Some(Tgtd::start().unwrap_or_else(|e| panic!("{test}: tgtd did not start: {e}")))
}

/// Target `TID` with our incoming account and, for mutual CHAP, an outgoing account.
fn set_up_target(tgtd: &Tgtd, outgoing_password: Option<&str>) {
    tgtd.add_target(TID, TARGET_IQN).unwrap();
    tgtd.add_account(INCOMING_USER, TARGET_SECRET).unwrap();
    tgtd.bind_incoming(TID, INCOMING_USER).unwrap();
    if let Some(password) = outgoing_password {
        tgtd.add_account(OUTGOING_USER, password).unwrap();
        tgtd.bind_outgoing(TID, OUTGOING_USER).unwrap();
    }
}

fn config<'a>(auth: Auth<'a>) -> LoginConfig<'a> {
    LoginConfig {
        initiator_name: INITIATOR_IQN,
        target_name: TARGET_IQN,
        auth,
        security: ConnectionSecurity::Cleartext,
        timeout: TIMEOUT,
    }
}

fn mutual(initiator_secret: &ChapSecretBuffer) -> Auth<'_> {
    Auth::Mutual {
        name: INCOMING_USER,
        target_secret: TARGET_SECRET.as_bytes(),
        initiator_secret,
    }
}

/// A mutual-CHAP login to `addr` with the secret `adapter` reads.
fn mutual_login(
    addr: SocketAddr,
    adapter: &Adapter,
    auth: &Authenticator,
) -> (Result<Session, LoginError>, Transcript) {
    let secret = adapter.initiator_secret();
    let mut transcript = Transcript::default();
    let result = login(addr, &config(mutual(&secret)), auth, &mut transcript);
    (result, transcript)
}

fn refusal(result: Result<Session, LoginError>) -> ChapRefusal {
    match result {
        Err(LoginError::Refused(r)) => r,
        other => panic!("expected a refusal by the core, got {other:?}"),
    }
}

/// `iscsisec CHAPSecret <secret>` (the iscsicli verb); returns its output line.
fn chap_secret_verb(ic: &Iscsisec, secret: &str) -> String {
    let out = ic.run(&["CHAPSecret", secret], &[]);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn chap_secret_bytes(ic: &Iscsisec) -> u64 {
    let show: serde_json::Value = serde_json::from_str(&ic.show_json()).unwrap();
    show["chap_secret_bytes"].as_u64().unwrap()
}

/// The log of `tgtd` on failure, for a readable panic.
fn with_log<T>(tgtd: &Tgtd, result: Result<T, LoginError>) -> T {
    result.unwrap_or_else(|e| panic!("login failed: {e}\ntgtd log:\n{}", tgtd.log()))
}

#[test]
fn one_way_chap_reaches_the_full_feature_phase() {
    let Some(tgtd) = tgtd_or_skip("one_way_chap_reaches_the_full_feature_phase") else {
        return;
    };
    set_up_target(&tgtd, None);
    let auth = authenticator(ChapConfig::default());
    let one_way = |secret: &'static str| {
        let mut transcript = Transcript::default();
        let cfg = config(Auth::OneWay {
            name: INCOMING_USER,
            target_secret: secret.as_bytes(),
        });
        (
            login(tgtd.portal(), &cfg, &auth, &mut transcript),
            transcript,
        )
    };

    let (result, transcript) = one_way(TARGET_SECRET);
    let session = with_log(&tgtd, result);
    assert_ne!(session.tsih, 0);
    assert!(transcript.sent("CHAP_R") && !transcript.sent("CHAP_C"));
    assert_eq!(session.operational.get("HeaderDigest"), Some("None"));
    // tgtd agrees: our session is in its I_T nexus list.
    tgtd.wait_for_sessions(TID, &[INITIATOR_IQN]).unwrap();
    session.close();
    tgtd.wait_for_sessions(TID, &[]).unwrap();

    // And tgtd really checks our answer: the wrong per-target secret is refused by the target
    // (status class 2, detail 1: authentication failure).
    let (result, _) = one_way("wrong-secret-16b");
    assert!(
        matches!(
            result,
            Err(LoginError::Target {
                class: 2,
                detail: 1
            })
        ),
        "{result:?}"
    );
    tgtd.wait_for_sessions(TID, &[]).unwrap();
}

#[test]
fn mutual_chap_with_the_secret_set_through_method_71_verifies() {
    let test = "mutual_chap_with_the_secret_set_through_method_71_verifies";
    let Some(tgtd) = tgtd_or_skip(test) else {
        return;
    };
    set_up_target(&tgtd, Some(INITIATOR_SECRET));
    // The secret reaches the core as the driver would get it: a raw method 71 IN buffer
    // (u32 SharedSecretSize, then the bytes) through `iscsisec exec MSiSCSI_Operations 71`.
    let ic = iscsisec!();
    assert_eq!(ic.set_chap(INITIATOR_SECRET.as_bytes()), isdsc::SUCCESS);
    assert_eq!(chap_secret_bytes(&ic), 16);

    let adapter = Adapter::start(ic.state_dir()).unwrap();
    let auth = authenticator(ChapConfig::default());
    let (result, transcript) = mutual_login(tgtd.portal(), &adapter, &auth);
    let session = with_log(&tgtd, result);
    // The target answered our challenge and the core verified it with the method 71 secret.
    assert!(transcript.sent("CHAP_C") && transcript.received("CHAP_R"));
    assert_eq!(session.target_chap_name.as_deref(), Some(OUTGOING_USER));
    assert_ne!(session.tsih, 0);
    tgtd.wait_for_sessions(TID, &[INITIATOR_IQN]).unwrap();
    assert_eq!(auth.in_progress(), 0, "the verified login freed its slot");
    session.close();
    tgtd.wait_for_sessions(TID, &[]).unwrap();

    // Second opinion on the tgtd setup: libiscsi's iscsi-inq logs in with mutual CHAP using
    // the same secrets and succeeds, and fails with another initiator secret.
    if prerequisites(
        &format!("{test} (iscsi-inq second opinion)"),
        &[("iscsi-inq", "libiscsi-bin")],
    ) {
        let inq = |target_password: &str| {
            let url = format!(
                "iscsi://{INCOMING_USER}%{TARGET_SECRET}@{}/{TARGET_IQN}/1\
                 ?target_user={OUTGOING_USER}&target_password={target_password}",
                tgtd.portal()
            );
            Command::new(find_program("iscsi-inq").unwrap())
                .args(["-i", "iqn.2024-01.test:libiscsi", &url])
                .output()
                .unwrap()
        };
        let good = inq(INITIATOR_SECRET);
        let text = String::from_utf8_lossy(&good.stdout);
        assert!(good.status.success(), "iscsi-inq: {good:?}");
        assert!(text.contains("DIRECT_ACCESS"), "{text}");
        let bad = inq("another-secret-1");
        assert!(!bad.status.success());
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(err.contains("CHAP_R"), "{err}");
    }
}

#[test]
fn mutual_chap_with_a_different_initiator_secret_rejects_the_target() {
    let Some(tgtd) =
        tgtd_or_skip("mutual_chap_with_a_different_initiator_secret_rejects_the_target")
    else {
        return;
    };
    set_up_target(&tgtd, Some(INITIATOR_SECRET));
    let ic = iscsisec!();
    // Set through the iscsicli verb this time; the target knows another secret.
    assert_eq!(
        chap_secret_verb(&ic, "other-initiator1"),
        "status=SUCCESS code=0x00000000"
    );
    let adapter = Adapter::start(ic.state_dir()).unwrap();
    let auth = authenticator(ChapConfig::default());
    let (result, transcript) = mutual_login(tgtd.portal(), &adapter, &auth);
    assert_eq!(refusal(result), ChapRefusal::Mismatch);
    // We got the target's answer, refused it and closed: nothing sent after it.
    assert!(transcript.received("CHAP_R"));
    assert!(transcript.aborted);
    let last = transcript.pdus.last().unwrap();
    assert_eq!(last.0, iscsisec_tests::iscsi::login::Direction::Received);
    assert!(!transcript.sent("HeaderDigest"), "no operational stage");
    assert_eq!(auth.in_progress(), 0);
    tgtd.wait_for_sessions(TID, &[]).unwrap();
}

#[test]
fn an_11_byte_secret_is_refused_before_use_on_a_connection_without_ipsec() {
    let Some(tgtd) =
        tgtd_or_skip("an_11_byte_secret_is_refused_before_use_on_a_connection_without_ipsec")
    else {
        return;
    };
    set_up_target(&tgtd, Some("short-11byt"));
    let ic = iscsisec!();
    // Method 71 stores it with the SHORT_CHAP_SECRET warning...
    assert_eq!(ic.set_chap(b"short-11byt"), isdsc::SHORT_CHAP_SECRET);
    assert_eq!(chap_secret_bytes(&ic), 11);
    let adapter = Adapter::start(ic.state_dir()).unwrap();
    assert_eq!(adapter.initiator_secret().expose_secret().len(), 11);
    // ...and the login refuses it on this plain TCP connection before using it: we never
    // answered the target's challenge, never sent ours.
    let auth = authenticator(ChapConfig::default());
    let (result, transcript) = mutual_login(tgtd.portal(), &adapter, &auth);
    let r = refusal(result);
    assert_eq!(r, ChapRefusal::ShortSecretWithoutIpsec);
    assert!(r.to_string().contains("under 12 bytes"));
    assert!(transcript.received("CHAP_C"));
    assert!(!transcript.sent("CHAP_R") && !transcript.sent("CHAP_C"));
    assert!(transcript.aborted);
    tgtd.wait_for_sessions(TID, &[]).unwrap();
}

#[test]
fn both_directions_sharing_one_secret_are_refused() {
    let Some(tgtd) = tgtd_or_skip("both_directions_sharing_one_secret_are_refused") else {
        return;
    };
    // tgtd answers our challenge with our own per-target secret.
    set_up_target(&tgtd, Some(TARGET_SECRET));
    let auth = authenticator(ChapConfig::default());

    // Our initiator secret differs: the target's answer is made with the secret we answer it
    // with, so both directions share one secret. Refused when the answer arrives.
    let ic = iscsisec!();
    assert_eq!(ic.set_chap(INITIATOR_SECRET.as_bytes()), isdsc::SUCCESS);
    let adapter = Adapter::start(ic.state_dir()).unwrap();
    let (result, transcript) = mutual_login(tgtd.portal(), &adapter, &auth);
    assert_eq!(refusal(result), ChapRefusal::SharedSecret);
    assert!(transcript.received("CHAP_R") && transcript.aborted);
    adapter.stop();

    // Our initiator secret equals the per-target secret as well: refused before use.
    assert_eq!(ic.set_chap(TARGET_SECRET.as_bytes()), isdsc::SUCCESS);
    let adapter = Adapter::start(ic.state_dir()).unwrap();
    let (result, transcript) = mutual_login(tgtd.portal(), &adapter, &auth);
    assert_eq!(refusal(result), ChapRefusal::SharedSecret);
    assert!(!transcript.sent("CHAP_R"));
    assert_eq!(auth.in_progress(), 0);
    tgtd.wait_for_sessions(TID, &[]).unwrap();
}

#[test]
fn a_cleared_secret_refuses_mutual_chap_with_a_clear_error() {
    let Some(tgtd) = tgtd_or_skip("a_cleared_secret_refuses_mutual_chap_with_a_clear_error") else {
        return;
    };
    set_up_target(&tgtd, Some(INITIATOR_SECRET));
    let ic = iscsisec!();
    assert_eq!(ic.set_chap(INITIATOR_SECRET.as_bytes()), isdsc::SUCCESS);
    // Size 0 clears it (method 71).
    assert_eq!(ic.set_chap(&[]), isdsc::SUCCESS);
    assert_eq!(chap_secret_bytes(&ic), 0);
    let adapter = Adapter::start(ic.state_dir()).unwrap();
    assert!(adapter.initiator_secret().expose_secret().is_empty());
    let auth = authenticator(ChapConfig::default());
    let (result, transcript) = mutual_login(tgtd.portal(), &adapter, &auth);
    let err = result.unwrap_err();
    assert!(matches!(
        err,
        LoginError::Refused(ChapRefusal::NoInitiatorSecret)
    ));
    assert_eq!(
        err.to_string(),
        "refused by the core: no initiator CHAP secret is set (SetCHAPSharedSecret): cannot \
         authenticate the target"
    );
    assert!(!transcript.sent("CHAP_R"));
    // One-way CHAP does not need the initiator secret and still works.
    let mut transcript = Transcript::default();
    let cfg = config(Auth::OneWay {
        name: INCOMING_USER,
        target_secret: TARGET_SECRET.as_bytes(),
    });
    let session = with_log(&tgtd, login(tgtd.portal(), &cfg, &auth, &mut transcript));
    session.close();
}

#[test]
fn a_secret_survives_a_restart_of_the_host() {
    let Some(tgtd) = tgtd_or_skip("a_secret_survives_a_restart_of_the_host") else {
        return;
    };
    set_up_target(&tgtd, Some(INITIATOR_SECRET));
    let ic = iscsisec!();
    assert_eq!(
        chap_secret_verb(&ic, INITIATOR_SECRET),
        "status=SUCCESS code=0x00000000"
    );
    let auth = authenticator(ChapConfig::default());
    for round in 0..2 {
        // Each round is a fresh provider rebuilt from the records in the state directory.
        let adapter = Adapter::start(ic.state_dir()).unwrap();
        let (result, _) = mutual_login(tgtd.portal(), &adapter, &auth);
        let session = with_log(&tgtd, result);
        assert_eq!(
            session.target_chap_name.as_deref(),
            Some(OUTGOING_USER),
            "{round}"
        );
        session.close();
        adapter.stop();
        tgtd.wait_for_sessions(TID, &[]).unwrap();
        // Another process reads the same directory between the two host starts.
        assert_eq!(chap_secret_bytes(&ic), 16);
    }
}

/// Scripted target for the reflection and capacity scenarios: the challenge it sends first.
const FAKE_CHALLENGE: [u8; 16] = *b"fake-target-chal";
const FAKE_NAME: &str = "fake-target";

/// A state directory with the initiator secret, and a provider over it.
fn adapter_with_secret() -> (Iscsisec, Adapter) {
    let ic = iscsisec!();
    assert_eq!(ic.set_chap(INITIATOR_SECRET.as_bytes()), isdsc::SUCCESS);
    let adapter = Adapter::start(ic.state_dir()).unwrap();
    (ic, adapter)
}

#[test]
fn a_reflected_challenge_on_a_second_connection_is_refused() {
    let fake = FakeTarget::bind().unwrap();
    let addr = fake.addr().unwrap();
    let (_ic, adapter) = adapter_with_secret();
    let secret = adapter.initiator_secret();
    let auth = authenticator(ChapConfig::default());
    let cfg = config(mutual(&secret));

    std::thread::scope(|s| {
        // Login 1: the target takes our challenge and holds the login.
        let first = s.spawn(|| {
            let mut t = Transcript::default();
            (login(addr, &cfg, &auth, &mut t), t)
        });
        let mut conn1 = fake.accept(TIMEOUT).unwrap();
        let answer1 = conn1.challenge(1, &FAKE_CHALLENGE).unwrap();
        let ours1 = answer1.challenge.clone().expect("mutual: our CHAP_C");
        assert_eq!(auth.in_progress(), 1);

        // Login 2, concurrent: the target sends our first challenge back as its own.
        let second = s.spawn(|| {
            let mut t = Transcript::default();
            (login(addr, &cfg, &auth, &mut t), t)
        });
        let mut conn2 = fake.accept(TIMEOUT).unwrap();
        let refused = conn2.challenge(2, &ours1);
        assert!(
            refused.is_err(),
            "the initiator answered a reflected challenge"
        );
        let (result2, transcript2) = second.join().unwrap();
        assert_eq!(refusal(result2), ChapRefusal::Reflection);
        assert!(
            !transcript2.sent("CHAP_R"),
            "no answer to the reflected challenge"
        );
        assert!(transcript2.aborted);
        conn2.close();

        // Login 1 still completes with a correct answer to its own challenge.
        let id1 = answer1.identifier.expect("mutual: our CHAP_I");
        let response = md5_response(id1, INITIATOR_SECRET.as_bytes(), &ours1);
        conn1
            .finish(Some(FAKE_NAME), Some(response.as_bytes()))
            .unwrap();
        let (result1, _) = first.join().unwrap();
        let session = result1.unwrap();
        assert_eq!(session.target_chap_name.as_deref(), Some(FAKE_NAME));
        session.close();
    });
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn a_full_challenge_table_refuses_a_login_until_one_ends() {
    let fake = FakeTarget::bind().unwrap();
    let addr = fake.addr().unwrap();
    let (_ic, adapter) = adapter_with_secret();
    let secret = adapter.initiator_secret();
    // One slot: one mutual login at a time.
    let auth = authenticator(ChapConfig {
        max_logins: 1,
        ..ChapConfig::default()
    });
    let cfg = config(mutual(&secret));
    let run = || {
        let mut t = Transcript::default();
        (login(addr, &cfg, &auth, &mut t), t)
    };

    std::thread::scope(|s| {
        let first = s.spawn(run);
        let mut conn1 = fake.accept(TIMEOUT).unwrap();
        let _ = conn1.challenge(1, &FAKE_CHALLENGE).unwrap();
        // The table is full: a second login is refused with a clear error.
        let second = s.spawn(run);
        let mut conn2 = fake.accept(TIMEOUT).unwrap();
        assert!(conn2.challenge(2, b"another-challeng").is_err());
        let (result2, _) = second.join().unwrap();
        let err = result2.unwrap_err();
        assert!(matches!(err, LoginError::Refused(ChapRefusal::TableFull)));
        assert!(err.to_string().contains("challenge table full"), "{err}");
        conn2.close();
        // The first login is abandoned (the target hangs up): its slot is freed.
        conn1.close();
        let (result1, _) = first.join().unwrap();
        assert!(matches!(result1, Err(LoginError::Pdu(_))), "{result1:?}");
    });
    assert_eq!(auth.in_progress(), 0);

    // A third login now gets the slot and completes.
    std::thread::scope(|s| {
        let third = s.spawn(run);
        let mut conn = fake.accept(TIMEOUT).unwrap();
        let answer = conn.challenge(3, &FAKE_CHALLENGE).unwrap();
        let response = md5_response(
            answer.identifier.unwrap(),
            INITIATOR_SECRET.as_bytes(),
            &answer.challenge.unwrap(),
        );
        conn.finish(Some(FAKE_NAME), Some(response.as_bytes()))
            .unwrap();
        let (result, _) = third.join().unwrap();
        result.unwrap().close();
    });
    assert_eq!(auth.in_progress(), 0);
}
