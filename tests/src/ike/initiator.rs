//! The phase-1 initiator: main and aggressive mode with a preshared key (RFC 2409 §5.4).
//!
//! ```text
//!   Initiator::phase1 ──► key lookup (PresharedKeys: the provider's lookup, SPEC §5)
//!        │                     │ key copied into a KeyBuffer, wiped on drop
//!        ▼                     ▼
//!   run (UDP, retransmit, bound) ──► Exchange (this file: the state machine, no I/O)
//!                                        │
//!                                        ├──► wire   (decode / encode)
//!                                        └──► crypto (DH, SKEYID, HASH_I/R, AES-CBC)
//! ```
//!
//! Main mode, six messages: SA ⇄ SA, KE Ni ⇄ KE Nr, then encrypted IDii HASH_I ⇄ IDir HASH_R.
//! The identifier looked up is the initiator's own address (the responder can only choose the
//! key by address), and that address is the ID sent. Aggressive mode, three messages: SA KE Ni
//! IDii ⇄ SA KE Nr IDir HASH_R, then encrypted HASH_I; the identifier looked up is the one in
//! IDii. One proposal: AES-CBC-128, SHA2-256 (its HMAC is the PRF), preshared key, MODP-2048.
//!
//! What arrives is untrusted: a datagram that does not decode, is not from the peer, or is not
//! the awaited answer is dropped and counted; a well-formed answer that shows the exchange
//! cannot succeed (a notification, a changed proposal, a `HASH_R` that does not verify) ends
//! it with a [`Phase1Error`] naming why. Waiting is bounded by [`Timing`].

// Untrusted bytes pass through here: no panicking shortcuts outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use iscsisec_core::{Identifier, KeyBuffer, KeySource, LookupMiss, Platform, PortSelector, Reader};
use sha2::{Digest, Sha256};

use super::crypto::{
    self, BLOCK_LEN, CryptoError, DhSecret, Phase1Keys, Transcript, constant_time_eq,
};
use super::wire::{
    Attribute, AttributeValue, Body, DecodeError, EncodeError, IdPayload, Message, Payload,
    Proposal, SaPayload, Transform, attribute, decode_payloads_padded, encode_payloads, exchange,
    flag, payload_type,
};

/// Where the initiator gets its preshared key: the provider's lookup (SPEC §5).
///
/// Implemented for the core's [`Reader`], the hot-path handle an HBA's IKE engine holds
/// (`Provider::reader`): it asks it for the key of the identifier it is about to present.
pub trait PresharedKeys {
    /// Copies the key for `id` on `port` into `out` and says where it came from.
    ///
    /// # Errors
    ///
    /// The lookup's [`LookupMiss`].
    fn lookup_key(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut KeyBuffer,
    ) -> Result<KeySource, LookupMiss>;
}

impl<P: Platform> PresharedKeys for Reader<P> {
    fn lookup_key(
        &self,
        port: PortSelector,
        id: &Identifier,
        out: &mut KeyBuffer,
    ) -> Result<KeySource, LookupMiss> {
        self.lookup(port, id, out)
    }
}

/// The identifier the initiator presents in aggressive mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// `ID_IPV4_ADDR`.
    Ipv4(Ipv4Addr),
    /// `ID_FQDN`.
    Fqdn(String),
    /// `ID_USER_FQDN`.
    UserFqdn(String),
    /// `ID_IPV6_ADDR`.
    Ipv6(Ipv6Addr),
}

impl Identity {
    /// The RFC 2407 ID type.
    #[must_use]
    pub fn id_type(&self) -> u8 {
        match self {
            Identity::Ipv4(_) => 1,
            Identity::Fqdn(_) => 2,
            Identity::UserFqdn(_) => 3,
            Identity::Ipv6(_) => 5,
        }
    }

    /// The identification data as sent.
    #[must_use]
    pub fn data(&self) -> Vec<u8> {
        match self {
            Identity::Ipv4(a) => a.octets().to_vec(),
            Identity::Ipv6(a) => a.octets().to_vec(),
            Identity::Fqdn(s) | Identity::UserFqdn(s) => s.as_bytes().to_vec(),
        }
    }

    fn from_ip(ip: IpAddr) -> Identity {
        match ip {
            IpAddr::V4(a) => Identity::Ipv4(a),
            IpAddr::V6(a) => Identity::Ipv6(a),
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Ipv4(a) => write!(f, "IPv4 {a}"),
            Identity::Ipv6(a) => write!(f, "IPv6 {a}"),
            Identity::Fqdn(s) => write!(f, "FQDN {s}"),
            Identity::UserFqdn(s) => write!(f, "USER_FQDN {s}"),
        }
    }
}

/// The exchange to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Main mode (identity protection): the key goes by the socket's own address.
    Main,
    /// Aggressive mode, presenting this identifier.
    Aggressive(Identity),
}

/// How long to wait: each request is sent up to `tries` times, `retransmit_after` apart, so
/// no step waits longer than `tries × retransmit_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Wait for an answer this long before sending the request again.
    pub retransmit_after: Duration,
    /// Sends of one request before giving up (at least 1).
    pub tries: u32,
}

impl Default for Timing {
    /// One second, three tries.
    fn default() -> Timing {
        Timing {
            retransmit_after: Duration::from_secs(1),
            tries: 3,
        }
    }
}

/// A completed phase 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Established {
    /// The identifier we presented (and looked the key up for).
    pub identity: Identity,
    /// Where the lookup found the key.
    pub key_source: KeySource,
    /// Our cookie (charon's "initiator SPI").
    pub initiator_cookie: [u8; 8],
    /// The responder's cookie.
    pub responder_cookie: [u8; 8],
    /// The responder's ID payload, whose `HASH_R` verified.
    pub responder_id: IdPayload,
    /// Datagrams we sent, retransmissions included.
    pub sent: u32,
    /// Datagrams received and dropped (malformed, foreign or unexpected).
    pub dropped: u32,
}

/// Why phase 1 did not complete.
#[derive(Debug)]
#[non_exhaustive]
pub enum Phase1Error {
    /// The lookup has no key for the identifier: nothing was sent.
    NoKey {
        /// The identifier looked up.
        identity: Identity,
        /// The adapter port looked up on.
        port: PortSelector,
        /// The lookup's answer.
        miss: LookupMiss,
    },
    /// The identifier to present cannot be formed (unbound socket, a name the table refuses).
    Identity(String),
    /// A socket operation failed.
    Io {
        /// Which one.
        what: &'static str,
        /// The OS error.
        error: io::Error,
    },
    /// A cryptographic step failed (random source, the peer's public value).
    Crypto(CryptoError),
    /// A message could not be encoded.
    Encode(EncodeError),
    /// No acceptable answer within the bound.
    NoAnswer {
        /// The message we were waiting for.
        awaiting: &'static str,
        /// Times the request was sent.
        tries: u32,
        /// Time spent waiting for this answer.
        waited: Duration,
        /// Datagrams dropped meanwhile.
        dropped: u32,
        /// Why the last one was dropped.
        last_drop: Option<Discard>,
    },
    /// The peer sent an error notification.
    PeerNotify {
        /// The message we were waiting for.
        awaiting: &'static str,
        /// The notify message type (RFC 2408 §3.14.1).
        notify_type: u16,
    },
    /// The responder's SA is not our proposal.
    ProposalRejected(String),
    /// Authentication failed: the peer's hash did not verify or its message did not decrypt.
    Authentication {
        /// The message that failed.
        message: &'static str,
        /// What failed.
        detail: &'static str,
    },
}

impl fmt::Display for Phase1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase1Error::NoKey {
                identity,
                port,
                miss,
            } => {
                let port = match port {
                    PortSelector::Port(n) => format!("port {n}"),
                    PortSelector::All => "all ports".to_owned(),
                };
                write!(
                    f,
                    "refusing to start phase 1: the lookup has no preshared key for {identity} \
                     on {port} ({miss}); nothing was sent"
                )
            }
            Phase1Error::Identity(s) => write!(f, "cannot form the identifier to present: {s}"),
            Phase1Error::Io { what, error } => write!(f, "{what}: {error}"),
            Phase1Error::Crypto(e) => write!(f, "{e}"),
            Phase1Error::Encode(e) => write!(f, "{e}"),
            Phase1Error::NoAnswer {
                awaiting,
                tries,
                waited,
                dropped,
                last_drop,
            } => {
                write!(
                    f,
                    "no acceptable answer ({awaiting}) after {tries} tries in {:.1} s",
                    waited.as_secs_f64()
                )?;
                match last_drop {
                    Some(d) => write!(f, "; {dropped} datagram(s) dropped, the last: {d}"),
                    None => write!(f, "; nothing arrived"),
                }
            }
            Phase1Error::PeerNotify {
                awaiting,
                notify_type,
            } => write!(
                f,
                "the peer answered with notification {} ({notify_type}) while we awaited \
                 {awaiting}",
                notify_name(*notify_type)
            ),
            Phase1Error::ProposalRejected(s) => write!(f, "the responder's proposal: {s}"),
            Phase1Error::Authentication { message, detail } => write!(
                f,
                "authentication failed at {message}: {detail} (the preshared keys differ)"
            ),
        }
    }
}

impl std::error::Error for Phase1Error {}

/// Why a received datagram was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discard {
    /// It did not decode.
    Malformed(DecodeError),
    /// It came from another address than the peer's.
    Stranger(SocketAddr),
    /// Its initiator cookie is not ours.
    NotOurs,
    /// Well-formed and ours, but not the awaited answer.
    Unexpected(&'static str),
}

impl fmt::Display for Discard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Discard::Malformed(e) => write!(f, "malformed ({e})"),
            Discard::Stranger(a) => write!(f, "from {a}, not the peer"),
            Discard::NotOurs => f.write_str("another initiator cookie"),
            Discard::Unexpected(s) => write!(f, "unexpected: {s}"),
        }
    }
}

/// An initiator holding a key lookup, as an HBA's IKE engine holds the provider's [`Reader`].
pub struct Initiator<'k, K: PresharedKeys + ?Sized> {
    keys: &'k K,
    port: PortSelector,
    timing: Timing,
}

impl<K: PresharedKeys + ?Sized> fmt::Debug for Initiator<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Initiator")
            .field("port", &self.port)
            .field("timing", &self.timing)
            .finish_non_exhaustive()
    }
}

impl<'k, K: PresharedKeys + ?Sized> Initiator<'k, K> {
    /// An initiator on adapter port `port` (the port the lookup is asked about).
    pub fn new(keys: &'k K, port: PortSelector) -> Initiator<'k, K> {
        Initiator {
            keys,
            port,
            timing: Timing::default(),
        }
    }

    /// Sets the retransmission bound.
    #[must_use]
    pub fn timing(mut self, timing: Timing) -> Initiator<'k, K> {
        self.timing = timing;
        self
    }

    /// Runs phase 1 from `socket` to `peer`: looks the key up for the identifier to present
    /// (main mode: the socket's own address), then exchanges messages until `HASH_R`
    /// verifies (and, in aggressive mode, the final `HASH_I` is sent).
    ///
    /// # Errors
    ///
    /// [`Phase1Error::NoKey`] before anything is sent when the lookup has no key; any other
    /// [`Phase1Error`] when the exchange fails or no answer arrives within the bound.
    pub fn phase1(
        &self,
        socket: &UdpSocket,
        peer: SocketAddr,
        mode: &Mode,
    ) -> Result<Established, Phase1Error> {
        let identity = match mode {
            Mode::Aggressive(id) => id.clone(),
            Mode::Main => {
                let local = socket.local_addr().map_err(|error| Phase1Error::Io {
                    what: "reading the socket's address",
                    error,
                })?;
                if local.ip().is_unspecified() {
                    return Err(Phase1Error::Identity(
                        "main mode needs a socket bound to one address (it is the identifier)"
                            .to_owned(),
                    ));
                }
                Identity::from_ip(local.ip())
            }
        };
        let identifier = Identifier::parse(identity.id_type(), &identity.data())
            .map_err(|e| Phase1Error::Identity(format!("{identity}: {e:?}")))?;
        let mut psk = KeyBuffer::new();
        let key_source = self
            .keys
            .lookup_key(self.port, &identifier, &mut psk)
            .map_err(|miss| Phase1Error::NoKey {
                identity: identity.clone(),
                port: self.port,
                miss,
            })?;
        let aggressive = matches!(mode, Mode::Aggressive(_));
        let (exchange, first) = Exchange::start(aggressive, identity, key_source, psk)?;
        drive(exchange, first, socket, peer, self.timing)
    }
}

/// Sends `first`, then feeds answers to the exchange until it completes, fails or times out.
fn drive(
    mut exchange: Exchange,
    first: Vec<u8>,
    socket: &UdpSocket,
    peer: SocketAddr,
    timing: Timing,
) -> Result<Established, Phase1Error> {
    let tries = timing.tries.max(1);
    let mut request = first;
    let mut sent = 0u32;
    let mut dropped = 0u32;
    let mut buf = vec![0u8; 65_536];
    let capture = Capture::from_env();
    'requests: loop {
        let started = Instant::now();
        let mut last_drop = None;
        for attempt in 1..=tries {
            socket
                .send_to(&request, peer)
                .map_err(|error| Phase1Error::Io {
                    what: "sending to the peer",
                    error,
                })?;
            capture.record("sent", &request);
            sent = sent.saturating_add(1);
            let deadline = Instant::now()
                .checked_add(timing.retransmit_after)
                .unwrap_or_else(Instant::now);
            loop {
                let now = Instant::now();
                let Some(left) = deadline
                    .checked_duration_since(now)
                    .filter(|d| !d.is_zero())
                else {
                    break;
                };
                socket
                    .set_read_timeout(Some(left))
                    .map_err(|error| Phase1Error::Io {
                        what: "setting the socket timeout",
                        error,
                    })?;
                let (n, from) = match socket.recv_from(&mut buf) {
                    Ok(got) => got,
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                    {
                        break;
                    }
                    // Linux reports an ICMP port-unreachable from an earlier send here.
                    Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                    Err(error) => {
                        return Err(Phase1Error::Io {
                            what: "receiving from the peer",
                            error,
                        });
                    }
                };
                let datagram = buf.get(..n).unwrap_or(&[]);
                capture.record("received", datagram);
                let outcome = if from == peer {
                    exchange.handle(datagram)
                } else {
                    Err(Outcome::Discard(Discard::Stranger(from)))
                };
                match outcome {
                    Ok(Step::Send(next)) => {
                        request = next;
                        continue 'requests;
                    }
                    Ok(Step::Done { last }) => {
                        if let Some(last) = last {
                            socket
                                .send_to(&last, peer)
                                .map_err(|error| Phase1Error::Io {
                                    what: "sending to the peer",
                                    error,
                                })?;
                            capture.record("sent", &last);
                            sent = sent.saturating_add(1);
                        }
                        let mut e = exchange.established()?;
                        e.sent = sent;
                        e.dropped = dropped;
                        return Ok(e);
                    }
                    Err(Outcome::Discard(why)) => {
                        dropped = dropped.saturating_add(1);
                        last_drop = Some(why);
                    }
                    Err(Outcome::Fail(e)) => return Err(e),
                }
            }
            if attempt == tries {
                return Err(Phase1Error::NoAnswer {
                    awaiting: exchange.awaiting(),
                    tries,
                    waited: started.elapsed(),
                    dropped,
                    last_drop,
                });
            }
        }
    }
}

/// Writes every datagram sent and received to `$ISCSISEC_IKE_CAPTURE/<n>-<direction>.bin`
/// when that variable names a directory (how the fuzz seeds were taken from charon's answers).
/// Datagrams carry no key: public values, nonces, cookies and ciphertext.
struct Capture {
    dir: Option<std::path::PathBuf>,
}

static CAPTURED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Capture {
    fn from_env() -> Capture {
        Capture {
            dir: std::env::var_os("ISCSISEC_IKE_CAPTURE").map(Into::into),
        }
    }

    fn record(&self, direction: &str, datagram: &[u8]) {
        let Some(dir) = &self.dir else {
            return;
        };
        let n = CAPTURED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{n:03}-{direction}.bin");
        // Best effort: a capture that cannot be written does not change the exchange.
        let _ =
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(dir.join(name), datagram));
    }
}

/// What the exchange wants done after an answer.
enum Step {
    /// Send this request and wait for its answer.
    Send(Vec<u8>),
    /// Phase 1 is complete on our side; send `last` (aggressive mode's message 3) if any.
    Done { last: Option<Vec<u8>> },
}

/// Why an answer did not advance the exchange.
enum Outcome {
    /// Drop it and keep waiting.
    Discard(Discard),
    /// The exchange failed.
    Fail(Phase1Error),
}

impl From<Discard> for Outcome {
    fn from(d: Discard) -> Outcome {
        Outcome::Discard(d)
    }
}

impl From<Phase1Error> for Outcome {
    fn from(e: Phase1Error) -> Outcome {
        Outcome::Fail(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Main mode: message 1 sent, awaiting the responder's SA.
    MainSa,
    /// Main mode: message 3 sent, awaiting KE and Nr.
    MainKe,
    /// Main mode: message 5 sent, awaiting IDir and HASH_R.
    MainAuth,
    /// Aggressive mode: message 1 sent, awaiting SA KE Nr IDir HASH_R.
    AggressiveAuth,
    /// Complete.
    Done,
}

const NONCE_LEN: usize = 32;
/// RFC 2409 §5: nonces of 8 to 256 bytes.
const NONCE_RANGE: std::ops::RangeInclusive<usize> = 8..=256;

/// Proposal values (RFC 2409 Appendix A, RFC 4868 for SHA2-256).
mod proposal {
    pub const DOI_IPSEC: u32 = 1;
    pub const SIT_IDENTITY_ONLY: u32 = 1;
    pub const PROTO_ISAKMP: u8 = 1;
    pub const KEY_IKE: u8 = 1;
    pub const AES_CBC: u64 = 7;
    pub const KEY_BITS: u64 = 128;
    pub const SHA2_256: u64 = 4;
    pub const PRESHARED_KEY: u64 = 1;
    pub const MODP_2048: u64 = 14;
    pub const LIFE_SECONDS: u16 = 1;
    pub const LIFE: u16 = 28_800;
}

/// The one transform we offer.
fn our_transform() -> Transform {
    let basic = |kind, v: u64| Attribute {
        kind,
        value: AttributeValue::Basic(u16::try_from(v).unwrap_or(u16::MAX)),
    };
    Transform {
        number: 1,
        id: proposal::KEY_IKE,
        attributes: vec![
            basic(attribute::ENCRYPTION, proposal::AES_CBC),
            basic(attribute::KEY_LENGTH, proposal::KEY_BITS),
            basic(attribute::HASH, proposal::SHA2_256),
            basic(attribute::AUTHENTICATION, proposal::PRESHARED_KEY),
            basic(attribute::GROUP, proposal::MODP_2048),
            basic(attribute::LIFE_TYPE, u64::from(proposal::LIFE_SECONDS)),
            basic(attribute::LIFE_DURATION, u64::from(proposal::LIFE)),
        ],
    }
}

fn our_sa() -> SaPayload {
    SaPayload {
        doi: proposal::DOI_IPSEC,
        situation: proposal::SIT_IDENTITY_ONLY,
        proposals: vec![Proposal {
            number: 1,
            protocol: proposal::PROTO_ISAKMP,
            spi: Vec::new(),
            transforms: vec![our_transform()],
        }],
    }
}

/// Checks the responder's SA: one proposal, one transform, our algorithms (life may differ).
fn check_chosen(sa: &SaPayload) -> Result<(), Phase1Error> {
    let reject = |s: &str| Err(Phase1Error::ProposalRejected(s.to_owned()));
    let [p] = sa.proposals.as_slice() else {
        return reject("not exactly one proposal");
    };
    let [t] = p.transforms.as_slice() else {
        return reject("not exactly one transform");
    };
    if sa.doi != proposal::DOI_IPSEC || p.protocol != proposal::PROTO_ISAKMP {
        return reject("another DOI or protocol");
    }
    let wanted = [
        (attribute::ENCRYPTION, proposal::AES_CBC, "encryption"),
        (attribute::KEY_LENGTH, proposal::KEY_BITS, "key length"),
        (attribute::HASH, proposal::SHA2_256, "hash"),
        (
            attribute::AUTHENTICATION,
            proposal::PRESHARED_KEY,
            "authentication",
        ),
        (attribute::GROUP, proposal::MODP_2048, "group"),
    ];
    for (kind, value, name) in wanted {
        if t.attribute(kind) != Some(value) {
            return Err(Phase1Error::ProposalRejected(format!(
                "{name} is {:?}, we offered {value}",
                t.attribute(kind)
            )));
        }
    }
    Ok(())
}

/// One phase-1 exchange, without I/O: [`Exchange::start`] gives the first datagram,
/// [`Exchange::handle`] takes each answer.
struct Exchange {
    state: State,
    identity: Identity,
    key_source: KeySource,
    exchange_type: u8,
    cky_i: [u8; 8],
    cky_r: [u8; 8],
    sai_b: Vec<u8>,
    dh: DhSecret,
    ni: [u8; NONCE_LEN],
    idii: IdPayload,
    /// The looked-up key, until SKEYID is derived from it.
    psk: Option<KeyBuffer>,
    keys: Option<Phase1Keys>,
    gxr: Vec<u8>,
    /// The CBC chaining state: the IV for the next encrypted message.
    iv: [u8; BLOCK_LEN],
    responder_id: Option<IdPayload>,
}

impl Exchange {
    fn start(
        aggressive: bool,
        identity: Identity,
        key_source: KeySource,
        psk: KeyBuffer,
    ) -> Result<(Exchange, Vec<u8>), Phase1Error> {
        let mut cky_i = [0u8; 8];
        while cky_i == [0; 8] {
            crypto::random(&mut cky_i).map_err(Phase1Error::Crypto)?;
        }
        let mut ni = [0u8; NONCE_LEN];
        crypto::random(&mut ni).map_err(Phase1Error::Crypto)?;
        let dh = DhSecret::generate().map_err(Phase1Error::Crypto)?;
        let sa = Payload::Sa(our_sa());
        let sai_b = sa.body().map_err(Phase1Error::Encode)?;
        let idii = IdPayload {
            id_type: identity.id_type(),
            protocol: 0,
            port: 0,
            data: identity.data(),
        };
        let (state, exchange_type, payloads) = if aggressive {
            (
                State::AggressiveAuth,
                exchange::AGGRESSIVE,
                vec![
                    sa,
                    Payload::Ke(dh.public().to_vec()),
                    Payload::Nonce(ni.to_vec()),
                    Payload::Id(idii.clone()),
                ],
            )
        } else {
            (State::MainSa, exchange::IDENTITY_PROTECTION, vec![sa])
        };
        let ex = Exchange {
            state,
            identity,
            key_source,
            exchange_type,
            cky_i,
            cky_r: [0; 8],
            sai_b,
            dh,
            ni,
            idii,
            psk: Some(psk),
            keys: None,
            gxr: Vec::new(),
            iv: [0; BLOCK_LEN],
            responder_id: None,
        };
        let first = ex.plain(payloads)?;
        Ok((ex, first))
    }

    /// The message awaited, for error reports.
    fn awaiting(&self) -> &'static str {
        match self.state {
            State::MainSa => "main mode message 2 (SA)",
            State::MainKe => "main mode message 4 (KE, Nr)",
            State::MainAuth => "main mode message 6 (IDir, HASH_R)",
            State::AggressiveAuth => "aggressive mode message 2 (SA, KE, Nr, IDir, HASH_R)",
            State::Done => "nothing",
        }
    }

    fn handle(&mut self, datagram: &[u8]) -> Result<Step, Outcome> {
        let msg = Message::decode(datagram).map_err(Discard::Malformed)?;
        if msg.initiator_cookie != self.cky_i {
            return Err(Discard::NotOurs.into());
        }
        if msg.exchange == exchange::INFORMATIONAL {
            return Err(self.informational(&msg));
        }
        if msg.exchange != self.exchange_type {
            return Err(Discard::Unexpected("another exchange type").into());
        }
        if msg.message_id != 0 {
            return Err(Discard::Unexpected("a phase-2 message id").into());
        }
        if self.state != State::MainSa
            && self.state != State::AggressiveAuth
            && msg.responder_cookie != self.cky_r
        {
            return Err(Discard::Unexpected("another responder cookie").into());
        }
        if msg.responder_cookie == [0; 8] {
            return Err(Discard::Unexpected("a zero responder cookie").into());
        }
        match self.state {
            State::MainSa => self.main_sa(&msg),
            State::MainKe => self.main_ke(&msg),
            State::MainAuth => self.main_auth(&msg),
            State::AggressiveAuth => self.aggressive_auth(&msg),
            State::Done => Err(Discard::Unexpected("a message after completion").into()),
        }
    }

    /// Main mode message 2: the chosen SA.
    fn main_sa(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let sa = find_sa(msg.payloads()).ok_or(Discard::Unexpected("no SA payload"))?;
        check_chosen(sa)?;
        self.cky_r = msg.responder_cookie;
        self.state = State::MainKe;
        let next = self.plain(vec![
            Payload::Ke(self.dh.public().to_vec()),
            Payload::Nonce(self.ni.to_vec()),
        ])?;
        Ok(Step::Send(next))
    }

    /// Main mode message 4: KE and Nr; derive the keys and send IDii, HASH_I encrypted.
    fn main_ke(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let (gxr, nr) = ke_and_nonce(msg.payloads())?;
        self.derive(&gxr, &nr)?;
        let keys = self.keys.as_ref().ok_or(Discard::Unexpected("no keys"))?;
        let idii_b = Payload::Id(self.idii.clone())
            .body()
            .map_err(Phase1Error::Encode)?;
        let hash_i = keys.hash_i(&self.transcript(), &idii_b);
        self.iv = crypto::initial_iv(self.dh.public(), &self.gxr);
        let next = self.encrypted(vec![
            Payload::Id(self.idii.clone()),
            Payload::Hash(hash_i.to_vec()),
        ])?;
        self.state = State::MainAuth;
        Ok(Step::Send(next))
    }

    /// Main mode message 6: decrypt, verify HASH_R.
    fn main_auth(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let Body::Encrypted { first, ciphertext } = &msg.body else {
            return Err(Discard::Unexpected("message 6 not encrypted").into());
        };
        let keys = self.keys.as_ref().ok_or(Discard::Unexpected("no keys"))?;
        let plain = keys
            .decrypt(&self.iv, ciphertext)
            .map_err(Phase1Error::Crypto)?;
        let Ok(payloads) = decode_payloads_padded(*first, &plain) else {
            return Err(Phase1Error::Authentication {
                message: "main mode message 6",
                detail: "it does not decrypt into payloads with our keys",
            }
            .into());
        };
        let idir = find_id(&payloads).ok_or(Phase1Error::Authentication {
            message: "main mode message 6",
            detail: "no ID payload",
        })?;
        let hash_r = find_hash(&payloads).ok_or(Phase1Error::Authentication {
            message: "main mode message 6",
            detail: "no HASH payload",
        })?;
        self.verify_hash_r(idir, hash_r, "main mode message 6")?;
        self.iv = crypto::next_iv(ciphertext);
        self.responder_id = Some(idir.clone());
        self.state = State::Done;
        Ok(Step::Done { last: None })
    }

    /// Aggressive mode message 2: SA, KE, Nr, IDir, HASH_R; answer with HASH_I encrypted.
    fn aggressive_auth(&mut self, msg: &Message) -> Result<Step, Outcome> {
        let payloads = msg.payloads();
        let sa = find_sa(payloads).ok_or(Discard::Unexpected("no SA payload"))?;
        check_chosen(sa)?;
        let (gxr, nr) = ke_and_nonce(payloads)?;
        let idir = find_id(payloads).ok_or(Discard::Unexpected("no ID payload"))?;
        let hash_r = find_hash(payloads).ok_or(Discard::Unexpected("no HASH payload"))?;
        self.cky_r = msg.responder_cookie;
        self.derive(&gxr, &nr)?;
        self.verify_hash_r(idir, hash_r, "aggressive mode message 2")?;
        let keys = self.keys.as_ref().ok_or(Discard::Unexpected("no keys"))?;
        let idii_b = Payload::Id(self.idii.clone())
            .body()
            .map_err(Phase1Error::Encode)?;
        let hash_i = keys.hash_i(&self.transcript(), &idii_b);
        self.iv = crypto::initial_iv(self.dh.public(), &self.gxr);
        let last = self.encrypted(vec![Payload::Hash(hash_i.to_vec())])?;
        self.responder_id = Some(idir.clone());
        self.state = State::Done;
        Ok(Step::Done { last: Some(last) })
    }

    /// An informational message: an error notification ends the exchange; anything else is
    /// dropped. An encrypted one is read with the phase-1 keys if we have them.
    fn informational(&self, msg: &Message) -> Outcome {
        let payloads = match &msg.body {
            Body::Plain(p) => p.clone(),
            Body::Encrypted { first, ciphertext } => {
                let Some(keys) = &self.keys else {
                    return Discard::Unexpected("an encrypted notification before keys exist")
                        .into();
                };
                // RFC 2409 Appendix B: IV = hash(last phase-1 CBC block | message id).
                let digest = Sha256::new()
                    .chain_update(self.iv)
                    .chain_update(msg.message_id.to_be_bytes())
                    .finalize();
                let mut iv = [0u8; BLOCK_LEN];
                for (d, s) in iv.iter_mut().zip(digest.iter()) {
                    *d = *s;
                }
                let decoded = keys
                    .decrypt(&iv, ciphertext)
                    .ok()
                    .and_then(|p| decode_payloads_padded(*first, &p).ok());
                match decoded {
                    Some(p) => p,
                    None => {
                        return Discard::Unexpected(
                            "an encrypted notification that does not decrypt with our keys \
                             (do the preshared keys differ?)",
                        )
                        .into();
                    }
                }
            }
        };
        let error = payloads.iter().find_map(|p| match p {
            // Types below 16384 are errors, public or private (RFC 2408 §3.14.1).
            Payload::Notify(n) if n.notify_type < 16_384 => Some(n.notify_type),
            _ => None,
        });
        match error {
            Some(notify_type) => Phase1Error::PeerNotify {
                awaiting: self.awaiting(),
                notify_type,
            }
            .into(),
            None => Discard::Unexpected("an informational message without an error").into(),
        }
    }

    fn derive(&mut self, gxr: &[u8], nr: &[u8]) -> Result<(), Phase1Error> {
        let gxy = self.dh.shared(gxr).map_err(Phase1Error::Crypto)?;
        // The key is used once, here, and its buffer wiped right after.
        let psk = self.psk.take().unwrap_or_default();
        let keys = Phase1Keys::derive(
            psk.expose_secret(),
            &self.ni,
            nr,
            gxy.as_ref(),
            &self.cky_i,
            &self.cky_r,
        );
        drop(psk);
        self.gxr = gxr.to_vec();
        self.keys = Some(keys);
        Ok(())
    }

    fn transcript(&self) -> Transcript<'_> {
        Transcript {
            gxi: self.dh.public(),
            gxr: &self.gxr,
            cky_i: &self.cky_i,
            cky_r: &self.cky_r,
            sai_b: &self.sai_b,
        }
    }

    fn verify_hash_r(
        &self,
        idir: &IdPayload,
        hash_r: &[u8],
        message: &'static str,
    ) -> Result<(), Phase1Error> {
        let keys = self.keys.as_ref().ok_or(Phase1Error::Authentication {
            message,
            detail: "no keys",
        })?;
        let idir_b = Payload::Id(idir.clone())
            .body()
            .map_err(Phase1Error::Encode)?;
        let expected = keys.hash_r(&self.transcript(), &idir_b);
        if constant_time_eq(&expected, hash_r) {
            Ok(())
        } else {
            Err(Phase1Error::Authentication {
                message,
                detail: "the responder's HASH_R does not verify",
            })
        }
    }

    fn plain(&self, payloads: Vec<Payload>) -> Result<Vec<u8>, Phase1Error> {
        Message {
            initiator_cookie: self.cky_i,
            responder_cookie: self.cky_r,
            exchange: self.exchange_type,
            flags: 0,
            message_id: 0,
            body: Body::Plain(payloads),
        }
        .encode()
        .map_err(Phase1Error::Encode)
    }

    /// Encrypts `payloads` under the current IV and advances the IV to the last block.
    fn encrypted(&mut self, payloads: Vec<Payload>) -> Result<Vec<u8>, Phase1Error> {
        let first = payloads.first().map_or(payload_type::NONE, Payload::kind);
        let plain =
            zeroize::Zeroizing::new(encode_payloads(&payloads).map_err(Phase1Error::Encode)?);
        let keys = self.keys.as_ref().ok_or(Phase1Error::Authentication {
            message: "encrypting",
            detail: "no keys",
        })?;
        let ciphertext = keys.encrypt(&self.iv, &plain);
        self.iv = crypto::next_iv(&ciphertext);
        Message {
            initiator_cookie: self.cky_i,
            responder_cookie: self.cky_r,
            exchange: self.exchange_type,
            flags: flag::ENCRYPTION,
            message_id: 0,
            body: Body::Encrypted { first, ciphertext },
        }
        .encode()
        .map_err(Phase1Error::Encode)
    }

    fn established(&self) -> Result<Established, Phase1Error> {
        let responder_id = self
            .responder_id
            .clone()
            .ok_or(Phase1Error::Authentication {
                message: "completion",
                detail: "no responder ID",
            })?;
        Ok(Established {
            identity: self.identity.clone(),
            key_source: self.key_source,
            initiator_cookie: self.cky_i,
            responder_cookie: self.cky_r,
            responder_id,
            sent: 0,
            dropped: 0,
        })
    }
}

fn find_sa(payloads: &[Payload]) -> Option<&SaPayload> {
    payloads.iter().find_map(|p| match p {
        Payload::Sa(sa) => Some(sa),
        _ => None,
    })
}

fn find_id(payloads: &[Payload]) -> Option<&IdPayload> {
    payloads.iter().find_map(|p| match p {
        Payload::Id(id) => Some(id),
        _ => None,
    })
}

fn find_hash(payloads: &[Payload]) -> Option<&[u8]> {
    payloads.iter().find_map(|p| match p {
        Payload::Hash(h) => Some(h.as_slice()),
        _ => None,
    })
}

/// The KE and nonce payloads of an answer, checked for size.
fn ke_and_nonce(payloads: &[Payload]) -> Result<(Vec<u8>, Vec<u8>), Outcome> {
    let ke = payloads.iter().find_map(|p| match p {
        Payload::Ke(k) => Some(k),
        _ => None,
    });
    let nonce = payloads.iter().find_map(|p| match p {
        Payload::Nonce(n) => Some(n),
        _ => None,
    });
    let (Some(ke), Some(nonce)) = (ke, nonce) else {
        return Err(Discard::Unexpected("no KE or nonce payload").into());
    };
    if !NONCE_RANGE.contains(&nonce.len()) {
        return Err(Discard::Unexpected("a nonce outside 8..=256 bytes").into());
    }
    Ok((ke.clone(), nonce.clone()))
}

/// The RFC 2408 §3.14.1 name of an error notification type.
#[must_use]
pub fn notify_name(t: u16) -> &'static str {
    const NAMES: [&str; 31] = [
        "RESERVED",
        "INVALID-PAYLOAD-TYPE",
        "DOI-NOT-SUPPORTED",
        "SITUATION-NOT-SUPPORTED",
        "INVALID-COOKIE",
        "INVALID-MAJOR-VERSION",
        "INVALID-MINOR-VERSION",
        "INVALID-EXCHANGE-TYPE",
        "INVALID-FLAGS",
        "INVALID-MESSAGE-ID",
        "INVALID-PROTOCOL-ID",
        "INVALID-SPI",
        "INVALID-TRANSFORM-ID",
        "ATTRIBUTES-NOT-SUPPORTED",
        "NO-PROPOSAL-CHOSEN",
        "BAD-PROPOSAL-SYNTAX",
        "PAYLOAD-MALFORMED",
        "INVALID-KEY-INFORMATION",
        "INVALID-ID-INFORMATION",
        "INVALID-CERT-ENCODING",
        "INVALID-CERTIFICATE",
        "CERT-TYPE-UNSUPPORTED",
        "INVALID-CERT-AUTHORITY",
        "INVALID-HASH-INFORMATION",
        "AUTHENTICATION-FAILED",
        "INVALID-SIGNATURE",
        "ADDRESS-NOTIFICATION",
        "NOTIFY-SA-LIFETIME",
        "CERTIFICATE-UNAVAILABLE",
        "UNSUPPORTED-EXCHANGE-TYPE",
        "UNEQUAL-PAYLOAD-LENGTHS",
    ];
    NAMES.get(usize::from(t)).copied().unwrap_or("unnamed")
}
