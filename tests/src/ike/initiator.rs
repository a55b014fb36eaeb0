//! The phase-1 initiator: main and aggressive mode with a preshared key (RFC 2409 §5.4).
//!
//! ```text
//!   Initiator::phase1 (this file) ──► key lookup (PresharedKeys: the provider's lookup, SPEC §5)
//!        │                              │ key copied into a KeyBuffer, wiped on drop
//!        ▼                              ▼
//!   drive (this file: UDP, retransmit, bound) ──► handshake::Exchange (state machine, no I/O)
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

use super::crypto::CryptoError;
use super::wire::{DecodeError, EncodeError, IdPayload};

mod handshake;

use handshake::{Exchange, Outcome, Step};

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
