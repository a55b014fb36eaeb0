//! Tests of mutual CHAP: RFC 1994 vectors, the SPEC §5 refusals in their order, the challenge
//! table and the generator.

use super::*;
use crate::fuzzing::{Call, Class};
use crate::testing::buffers::chap_secret_in;
use crate::testing::{TestPlatform, TestRandom, platform_with};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::format;
use std::string::ToString;
use std::vec::Vec;

// Fixed vectors computed independently of this crate with Python's hashlib:
//   python3 -c 'import hashlib
//   print(hashlib.md5(bytes([ID]) + SECRET + CHALLENGE).hexdigest())'
// for each (ID, SECRET, CHALLENGE) below.
/// (`CHAP_I`, secret, challenge maker, expected response in hex).
type Vector = (u8, &'static [u8], fn() -> Vec<u8>, &'static str);

const VECTORS: &[Vector] = &[
    // ID 0x2a, "abcdefghijkl", bytes(range(16))
    (
        0x2a,
        b"abcdefghijkl",
        || (0u8..16).collect(),
        "cec6cff406e03600ec3585732fc9de13",
    ),
    // ID 0x00, bytes(range(0xf0, 0x100)) (binary secret), b"\x00" (1-byte challenge)
    (
        0x00,
        &[
            0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
            0xfe, 0xff,
        ],
        || std::vec![0],
        "7f81dfb2df5900956a169d8fa8a3100b",
    ),
    // ID 0xff, "initsecret1234", bytes((i*7+3)%256 for i in range(1024)) (longest challenge)
    (
        0xff,
        b"initsecret1234",
        || {
            (0..1024u32)
                .map(|i| u8::try_from((i * 7 + 3) % 256).unwrap())
                .collect()
        },
        "9371e73d3b484cf900910df9d494c3cd",
    ),
    // ID 0x01, "x", bytes(16)
    (
        0x01,
        b"x",
        || std::vec![0; 16],
        "2af57b9ba2ef359ceed1597aba200aa0",
    ),
];

/// A test platform that counts its read-side sections and whose random source can be made to
/// fail; everything else is the test platform's.
struct Probe {
    inner: TestPlatform,
    sections: AtomicUsize,
    random_fails: AtomicBool,
}

impl Probe {
    fn new() -> Probe {
        Probe {
            inner: seeded(Some(9)),
            sections: AtomicUsize::new(0),
            random_fails: AtomicBool::new(false),
        }
    }
}

// SAFETY: every call is the test platform's, which keeps the contract; counting a section and
// refusing random bytes change nothing of it.
#[allow(unsafe_code, reason = "a counting wrapper around the test platform")]
unsafe impl Platform for Probe {
    fn read<R>(&self, f: impl FnOnce() -> R) -> R {
        self.sections.fetch_add(1, Ordering::Relaxed);
        self.inner.read(f)
    }

    fn defer(&self, retired: crate::reclaim::Retired) {
        self.inner.defer(retired);
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), RandomError> {
        if self.random_fails.load(Ordering::Relaxed) {
            return Err(RandomError);
        }
        self.inner.fill_random(out)
    }
}

fn hex(bytes: &[u8]) -> std::string::String {
    use core::fmt::Write;
    bytes
        .iter()
        .fold(std::string::String::new(), |mut text, b| {
            write!(text, "{b:02x}").unwrap();
            text
        })
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn secret(bytes: &[u8]) -> ChapSecretBuffer {
    let mut b = ChapSecretBuffer::new();
    b.fill(bytes);
    b
}

/// A test platform whose random source gives `Some(byte)` repeated, or fails for `None`.
fn seeded(byte: Option<u8>) -> TestPlatform {
    platform_with(byte.map_or(TestRandom::Fails, TestRandom::Repeat))
}

/// The authenticators of these tests.
type Auth = ChapAuthenticator<TestPlatform>;

fn with_seed(config: ChapConfig, seed: u8) -> Auth {
    ChapAuthenticator::new(config, seeded(Some(seed))).unwrap()
}

/// A fixed seed: reproducible challenges, so tests can predict them with a twin.
fn authenticator(max_logins: usize, seed: u8) -> Auth {
    with_seed(
        ChapConfig {
            max_logins,
            reseed_interval: 1000,
        },
        seed,
    )
}

const INITIATOR: &[u8] = b"initiator-secret";
const OUTGOING: &[u8] = b"per-target-secret";

fn target(challenge: &[u8]) -> TargetChallenge<'_> {
    TargetChallenge {
        identifier: 7,
        challenge,
    }
}

/// A mutual login on a cleartext connection: the target's `challenge` (`CHAP_I` 7), answered
/// with [`OUTGOING`], our challenge to be answered with `initiator`.
fn begin<'a, P: Platform>(
    auth: &'a ChapAuthenticator<P>,
    challenge: &[u8],
    initiator: &ChapSecretBuffer,
) -> Result<MutualChap<'a, P>, ChapRefusal> {
    auth.begin_mutual(
        &target(challenge),
        OUTGOING,
        initiator,
        ConnectionSecurity::Cleartext,
    )
}

/// What a correct target answers to `login`'s challenge with `secret`.
fn answer_with<P: Platform>(login: &MutualChap<'_, P>, secret: &[u8]) -> [u8; RESPONSE_LEN] {
    *md5_response(login.identifier(), secret, login.challenge()).as_bytes()
}

fn named(response: &[u8]) -> TargetAnswer<'_> {
    TargetAnswer {
        name: Some(b"iqn.2024-01.test:target"),
        response,
    }
}

#[test]
fn md5_response_matches_independent_vectors() {
    for (id, secret, challenge, expected) in VECTORS {
        let got = md5_response(*id, secret, &challenge());
        assert_eq!(hex(got.as_bytes()), *expected, "id {id:#04x}");
        assert_eq!(got.as_bytes().as_slice(), unhex(expected).as_slice());
    }
}

#[test]
fn one_way_response_is_the_rfc_1994_computation() {
    let auth = authenticator(2, 1);
    let (id, secret, challenge, expected) = VECTORS[0];
    let c = challenge();
    let r = auth
        .respond(
            &TargetChallenge {
                identifier: id,
                challenge: &c,
            },
            secret,
        )
        .unwrap();
    assert_eq!(hex(r.as_bytes()), expected);
}

#[test]
fn mutual_round_trip_verifies_and_frees_the_slot() {
    let auth = authenticator(2, 1);
    let (id, outgoing, challenge, expected) = VECTORS[2];
    let c = challenge();
    let init = secret(b"abcdefghijkl");
    let login = auth
        .begin_mutual(
            &TargetChallenge {
                identifier: id,
                challenge: &c,
            },
            outgoing,
            &init,
            ConnectionSecurity::Cleartext,
        )
        .unwrap();
    assert_eq!(hex(login.response().as_bytes()), expected);
    assert_eq!(auth.in_progress(), 1);
    // The target computes its answer the RFC 1994 way, checked here against the vector
    // function `md5_response` (itself checked against hashlib above).
    let good = answer_with(&login, b"abcdefghijkl");
    assert_eq!(login.verify(&named(&good), &init, outgoing), Ok(()));
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn challenges_are_fresh_per_login() {
    let auth = authenticator(3, 1);
    let init = secret(INITIATOR);
    let a = begin(&auth, b"t1", &init).unwrap();
    let b = begin(&auth, b"t2", &init).unwrap();
    assert_ne!(a.challenge(), b.challenge());
    assert_ne!(a.challenge(), &[0; CHALLENGE_LEN]);
}

#[test]
fn a_wrong_answer_is_a_mismatch() {
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    let login = begin(&auth, b"c", &init).unwrap();
    let mut wrong = answer_with(&login, b"another-secret-16");
    assert_eq!(
        login.verify(&named(&wrong), &init, OUTGOING),
        Err(ChapRefusal::Mismatch)
    );
    // One flipped bit of the right answer is refused too.
    let login = begin(&auth, b"c", &init).unwrap();
    wrong = answer_with(&login, INITIATOR);
    wrong[15] ^= 1;
    assert_eq!(
        login.verify(&named(&wrong), &init, OUTGOING),
        Err(ChapRefusal::Mismatch)
    );
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn chap_n_is_required_but_not_matched() {
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    for name in [None, Some(&b""[..])] {
        let login = begin(&auth, b"c", &init).unwrap();
        let good = answer_with(&login, INITIATOR);
        let answer = TargetAnswer {
            name,
            response: &good,
        };
        assert_eq!(
            login.verify(&answer, &init, OUTGOING),
            Err(ChapRefusal::MissingName)
        );
    }
    let login = begin(&auth, b"c", &init).unwrap();
    let good = answer_with(&login, INITIATOR);
    let answer = TargetAnswer {
        name: Some(b"any name at all"),
        response: &good,
    };
    assert_eq!(login.verify(&answer, &init, OUTGOING), Ok(()));
}

#[test]
fn a_response_of_the_wrong_length_is_refused() {
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    for len in [0, 15, 17, 20] {
        let login = begin(&auth, b"c", &init).unwrap();
        assert_eq!(
            login.verify(&named(&std::vec![0; len]), &init, OUTGOING),
            Err(ChapRefusal::BadResponse)
        );
    }
}

#[test]
fn no_secret_is_refused_before_anything_is_sent() {
    let auth = authenticator(1, 1);
    let empty = ChapSecretBuffer::new();
    assert_eq!(
        begin(&auth, b"c", &empty).unwrap_err(),
        ChapRefusal::NoInitiatorSecret
    );
    assert_eq!(
        auth.begin_mutual(&target(b"c"), OUTGOING, &empty, ConnectionSecurity::Ipsec)
            .unwrap_err(),
        ChapRefusal::NoInitiatorSecret
    );
    assert_eq!(auth.in_progress(), 0);
    assert!(
        ChapRefusal::NoInitiatorSecret
            .to_string()
            .contains("no initiator CHAP secret is set")
    );
}

#[test]
fn a_short_secret_needs_ipsec() {
    let auth = authenticator(1, 1);
    let short = secret(b"11-byte-sec");
    assert_eq!(short.expose_secret().len(), 11);
    assert_eq!(
        begin(&auth, b"c", &short).unwrap_err(),
        ChapRefusal::ShortSecretWithoutIpsec
    );
    assert_eq!(auth.in_progress(), 0);
    // The same secret is usable on an IPsec-protected connection, and 12 bytes without.
    let login = auth
        .begin_mutual(&target(b"c"), OUTGOING, &short, ConnectionSecurity::Ipsec)
        .unwrap();
    let good = answer_with(&login, b"11-byte-sec");
    assert_eq!(login.verify(&named(&good), &short, OUTGOING), Ok(()));
    let twelve = secret(b"12-byte-secr");
    let login = begin(&auth, b"c", &twelve).unwrap();
    let good = answer_with(&login, b"12-byte-secr");
    assert_eq!(login.verify(&named(&good), &twelve, OUTGOING), Ok(()));
}

#[test]
fn no_outgoing_secret_is_refused() {
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    assert_eq!(
        auth.respond(&target(b"c"), b"").unwrap_err(),
        ChapRefusal::NoOutgoingSecret
    );
    assert_eq!(
        auth.begin_mutual(&target(b"c"), b"", &init, ConnectionSecurity::Cleartext)
            .unwrap_err(),
        ChapRefusal::NoOutgoingSecret
    );
}

#[test]
fn equal_secrets_are_refused_before_use() {
    let auth = authenticator(1, 1);
    let init = secret(OUTGOING.get(..16).unwrap());
    let same = OUTGOING.get(..16).unwrap();
    assert_eq!(
        auth.begin_mutual(&target(b"c"), same, &init, ConnectionSecurity::Cleartext)
            .unwrap_err(),
        ChapRefusal::SharedSecret
    );
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn an_answer_made_with_our_outgoing_secret_is_refused_as_shared() {
    // The target answers with the secret we answer it with: both directions share it,
    // even though our initiator secret differs.
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    let login = begin(&auth, b"c", &init).unwrap();
    let shared = answer_with(&login, OUTGOING);
    assert_eq!(
        login.verify(&named(&shared), &init, OUTGOING),
        Err(ChapRefusal::SharedSecret)
    );
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn the_secret_is_checked_again_at_verify() {
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    let login = begin(&auth, b"c", &init).unwrap();
    let good = answer_with(&login, INITIATOR);
    let cleared = ChapSecretBuffer::new();
    assert_eq!(
        login.verify(&named(&good), &cleared, OUTGOING),
        Err(ChapRefusal::NoInitiatorSecret)
    );
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn a_reflected_challenge_is_refused_one_way_and_mutual() {
    let auth = authenticator(3, 1);
    let init = secret(INITIATOR);
    let first = begin(&auth, b"c1", &init).unwrap();
    let ours = *first.challenge();
    assert_eq!(
        begin(&auth, &ours, &init).unwrap_err(),
        ChapRefusal::Reflection
    );
    assert_eq!(
        auth.respond(&target(&ours), OUTGOING).unwrap_err(),
        ChapRefusal::Reflection
    );
    assert_eq!(auth.in_progress(), 1, "the refused login took no slot");
    // Once the first login is over, the challenge is no longer outstanding.
    drop(first);
    assert!(auth.respond(&target(&ours), OUTGOING).is_ok());
}

#[test]
fn bad_target_challenges_are_refused() {
    let auth = authenticator(1, 1);
    let init = secret(INITIATOR);
    let too_long = std::vec![1u8; MAX_TARGET_CHALLENGE_LEN + 1];
    for c in [&[][..], &too_long] {
        assert_eq!(
            auth.respond(&target(c), OUTGOING).unwrap_err(),
            ChapRefusal::BadChallenge
        );
        assert_eq!(
            begin(&auth, c, &init).unwrap_err(),
            ChapRefusal::BadChallenge
        );
    }
    let longest = std::vec![1u8; MAX_TARGET_CHALLENGE_LEN];
    assert!(auth.respond(&target(&longest), OUTGOING).is_ok());
}

#[test]
fn we_never_send_the_targets_challenge() {
    // Twin authenticators with one seed draw the same stream: `twin` shows what `auth`
    // would draw first, and a target that sends exactly that gets a redrawn challenge.
    let auth = authenticator(2, 9);
    let twin = authenticator(2, 9);
    let init = secret(INITIATOR);
    let first_draw = begin(&twin, b"x", &init).unwrap();
    let second_draw = begin(&twin, b"y", &init).unwrap();
    let predicted = *first_draw.challenge();
    let login = begin(&auth, &predicted, &init).unwrap();
    assert_ne!(login.challenge(), &predicted);
    assert_eq!(login.challenge(), second_draw.challenge(), "drawn again");
    assert_eq!(login.identifier(), second_draw.identifier());
}

#[test]
fn a_full_table_refuses_and_finished_or_abandoned_logins_free_slots() {
    let auth = authenticator(2, 1);
    assert_eq!(auth.capacity(), 2);
    let init = secret(INITIATOR);
    let begin = || begin(&auth, b"c", &init);
    let a = begin().unwrap();
    let b = begin().unwrap();
    assert_eq!(begin().unwrap_err(), ChapRefusal::TableFull);
    assert!(ChapRefusal::TableFull.to_string().contains("table full"));
    // A finished login (verified, whatever the result) frees its slot.
    let good = answer_with(&a, INITIATOR);
    assert_eq!(a.verify(&named(&good), &init, OUTGOING), Ok(()));
    assert_eq!(auth.in_progress(), 1);
    let c = begin().unwrap();
    assert_eq!(begin().unwrap_err(), ChapRefusal::TableFull);
    // An abandoned one (dropped) frees it too.
    drop(b);
    drop(c);
    assert_eq!(auth.in_progress(), 0);
    let _d = begin().unwrap();
    let _e = begin().unwrap();
    assert_eq!(begin().unwrap_err(), ChapRefusal::TableFull);
}

#[test]
fn zero_capacity_refuses_every_mutual_login_but_not_one_way() {
    let auth = authenticator(0, 1);
    let init = secret(INITIATOR);
    assert_eq!(
        begin(&auth, b"c", &init).unwrap_err(),
        ChapRefusal::TableFull
    );
    assert!(auth.respond(&target(b"c"), OUTGOING).is_ok());
}

#[test]
fn the_generator_must_be_reseeded_and_a_failed_source_changes_nothing() {
    let auth = ChapAuthenticator::new(
        ChapConfig {
            max_logins: 1,
            reseed_interval: 2,
        },
        Probe::new(),
    )
    .unwrap();
    let init = secret(INITIATOR);
    let begin = || begin(&auth, b"c", &init).map(drop);
    assert!(!auth.reseed_due());
    begin().unwrap();
    assert!(auth.reseed_due());
    begin().unwrap();
    assert_eq!(begin().unwrap_err(), ChapRefusal::ReseedRequired);
    assert_eq!(auth.in_progress(), 0, "a refused login holds no slot");
    auth.platform.random_fails.store(true, Ordering::Relaxed);
    assert_eq!(auth.reseed(), Err(RandomError));
    assert_eq!(begin().unwrap_err(), ChapRefusal::ReseedRequired);
    auth.platform.random_fails.store(false, Ordering::Relaxed);
    auth.reseed().unwrap();
    assert!(!auth.reseed_due());
    begin().unwrap();
}

#[test]
fn setup_reports_a_failed_source_and_an_impossible_table() {
    let failed = ChapAuthenticator::new(ChapConfig::default(), seeded(None));
    assert_eq!(failed.unwrap_err(), ChapSetupError::Random(RandomError));
    let huge = ChapAuthenticator::new(
        ChapConfig {
            max_logins: usize::MAX,
            reseed_interval: 1,
        },
        seeded(Some(1)),
    );
    assert_eq!(huge.unwrap_err(), ChapSetupError::OutOfMemory);
}

#[test]
fn the_seed_reaches_the_generator() {
    // Different seeds, different first challenges.
    let init = secret(INITIATOR);
    let a = authenticator(1, 1);
    let b = authenticator(1, 2);
    let la = begin(&a, b"c", &init).unwrap();
    let lb = begin(&b, b"c", &init).unwrap();
    assert_ne!(la.challenge(), lb.challenge());
}

#[test]
fn the_lock_free_count_follows_the_table() {
    let auth = authenticator(3, 1);
    let init = secret(INITIATOR);
    let begin = || begin(&auth, b"c", &init);
    let counts = |auth: &Auth| (auth.in_progress(), auth.inner.lock().slots.in_use());
    let a = begin().unwrap();
    let b = begin().unwrap();
    assert_eq!(counts(&auth), (2, 2));
    let c = begin().unwrap();
    assert_eq!(begin().unwrap_err(), ChapRefusal::TableFull);
    assert_eq!(counts(&auth), (3, 3));
    drop(b);
    let good = answer_with(&a, INITIATOR);
    assert_eq!(a.verify(&named(&good), &init, OUTGOING), Ok(()));
    assert_eq!(counts(&auth), (1, 1));
    drop(c);
    assert_eq!(counts(&auth), (0, 0));
}

#[test]
fn logins_on_many_threads_share_the_table() {
    let auth = with_seed(
        ChapConfig {
            max_logins: 8,
            reseed_interval: 10_000,
        },
        3,
    );
    let init = secret(INITIATOR);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..200 {
                    let login = begin(&auth, b"c", &init).unwrap();
                    let good = answer_with(&login, INITIATOR);
                    assert_eq!(login.verify(&named(&good), &init, OUTGOING), Ok(()));
                }
            });
        }
    });
    assert_eq!(auth.in_progress(), 0);
    assert_eq!(auth.inner.lock().slots.in_use(), 0);
}

/// Method 71 through the provider, as the driver receives it.
fn set_chap<S: crate::RecordStore, P: Platform>(p: &mut crate::Provider<S, P>, secret: &[u8]) {
    let call = Call::new(
        Class::Operations,
        crate::consts::method::SET_CHAP_SHARED_SECRET,
        chap_secret_in(secret),
    );
    assert_eq!(call.execute(p).0.status, crate::NtStatus::SUCCESS);
}

#[test]
fn the_secret_comes_from_the_readers_buffer_and_is_never_printed() {
    let (mut provider, _) = crate::Provider::start(
        crate::store::MemoryStore::new(),
        crate::AdapterConfig::default(),
        crate::testing::test_platform(),
    )
    .unwrap();
    let reader = provider.reader();
    let auth = authenticator(1, 1);
    let mut buf = ChapSecretBuffer::new();
    let refused = |buf: &ChapSecretBuffer| begin(&auth, b"c", buf).map(drop);

    // Not set: the read misses, the buffer is empty, the login is refused.
    assert!(reader.chap_secret(&mut buf).is_err());
    assert_eq!(refused(&buf), Err(ChapRefusal::NoInitiatorSecret));

    // Set by method 71: the read copies it and a correct answer verifies.
    set_chap(&mut provider, INITIATOR);
    reader.chap_secret(&mut buf).unwrap();
    let login = begin(&auth, b"c", &buf).unwrap();
    let good = answer_with(&login, INITIATOR);
    assert_eq!(login.verify(&named(&good), &buf, OUTGOING), Ok(()));
    let text = format!("{buf:?} {:?} {auth:?}", ChapRefusal::Mismatch);
    assert!(!text.contains("initiator-secret"));

    // Cleared by method 71 (size 0): refused again.
    set_chap(&mut provider, &[]);
    assert!(reader.chap_secret(&mut buf).is_err());
    assert_eq!(refused(&buf), Err(ChapRefusal::NoInitiatorSecret));

    // Set, then the provider stops: the reader misses, the login is refused.
    set_chap(&mut provider, INITIATOR);
    drop(provider.into_store());
    assert!(reader.chap_secret(&mut buf).is_err());
    assert_eq!(refused(&buf), Err(ChapRefusal::NoInitiatorSecret));
}

#[test]
fn every_use_of_the_lock_is_inside_a_read_side_section() {
    // In the kernel a section is DISPATCH_LEVEL: a caller at PASSIVE_LEVEL holding the spin
    // lock cannot be preempted on its processor by a DPC that would spin on it.
    let auth = ChapAuthenticator::new(ChapConfig::default(), Probe::new()).unwrap();
    let init = secret(INITIATOR);
    let sections = || auth.platform.sections.load(Ordering::Relaxed);
    assert_eq!(sections(), 0, "making it takes no lock");

    assert!(auth.respond(&target(b"c"), OUTGOING).is_ok());
    assert_eq!(sections(), 1, "respond: the reflection check");

    let login = begin(&auth, b"c", &init).unwrap();
    assert_eq!(sections(), 2, "begin_mutual: slot and challenge");
    let good = answer_with(&login, INITIATOR);
    assert_eq!(login.verify(&named(&good), &init, OUTGOING), Ok(()));
    assert_eq!(sections(), 3, "verify: the slot is freed");

    drop(begin(&auth, b"c", &init).unwrap());
    assert_eq!(sections(), 5, "an abandoned login frees its slot");

    auth.reseed().unwrap();
    assert_eq!(sections(), 6, "reseed");

    // Refusals decided before the table is looked at take no lock.
    assert_eq!(
        auth.respond(&target(b""), OUTGOING).unwrap_err(),
        ChapRefusal::BadChallenge
    );
    assert_eq!(sections(), 6);
    assert_eq!(auth.in_progress(), 0);
}

#[test]
fn every_refusal_has_a_message_of_its_own() {
    use ChapRefusal::*;
    let mut seen = std::collections::BTreeSet::new();
    for r in [
        NoInitiatorSecret,
        ShortSecretWithoutIpsec,
        NoOutgoingSecret,
        SharedSecret,
        Reflection,
        TableFull,
        ReseedRequired,
        GeneratorFailure,
        BadChallenge,
        MissingName,
        BadResponse,
        Mismatch,
    ] {
        let text = r.to_string();
        assert!(text.len() > 10, "{r:?}");
        assert!(seen.insert(text), "{r:?} has a message of its own");
    }
}
