//! A minimal iSCSI login initiator: CHAP, then on to the full feature phase.
//!
//! The security stage with CHAP (`CHAP_A=5`), one-way or mutual, then operational negotiation
//! to the full feature phase.
//!
//! ```text
//!   chap_interop tests ──► login (this file) ──► pdu, text ──► TCP to tgtd or the fake target
//!                              │
//!                              └─► iscsisec_core::chap (every CHAP decision)
//! ```
//!
//! The exchange follows RFC 7143 Appendix B's example: the first request offers AuthMethod, the
//! target picks CHAP, we send `CHAP_A=5`, the target sends `CHAP_I`/`CHAP_C`, we answer (and,
//! for mutual CHAP, challenge it) with T=1 towards the operational stage, and a target that
//! transits sends its own `CHAP_N`/`CHAP_R`, which the core verifies before anything else
//! happens. Any refusal by the core closes the connection at once: the login is aborted.
//! Nothing here decides about CHAP: the core does, this file moves keys.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use iscsisec_core::chap::{
    CHAP_A_MD5, ChapRefusal, ConnectionSecurity, TargetAnswer, TargetChallenge,
};

use iscsisec_core::ChapSecretBuffer;

use super::adapter::Authenticator;

use super::pdu::{LoginRequest, LoginResponse, PduError, RawPdu, Stage};
use super::text::{TextError, TextKeys, decode_binary, decode_number, encode_hex};

/// Most login PDUs we exchange before calling the target unreasonable.
const MAX_EXCHANGES: usize = 16;

/// How the initiator authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// `AuthMethod=None`.
    None,
    /// One-way CHAP: the target authenticates us with the per-target secret.
    OneWay {
        /// Our `CHAP_N` (the target's incoming account name).
        name: &'a str,
        /// The per-target ("outgoing") secret we answer the target's challenge with.
        target_secret: &'a [u8],
    },
    /// Mutual CHAP: as one-way, and we authenticate the target with the initiator secret.
    Mutual {
        /// Our `CHAP_N`.
        name: &'a str,
        /// The per-target secret.
        target_secret: &'a [u8],
        /// The initiator CHAP secret as the core's lookup copied it (empty: none set).
        initiator_secret: &'a ChapSecretBuffer,
    },
}

/// Everything a login needs besides the address and the authenticator.
#[derive(Debug, Clone, Copy)]
pub struct LoginConfig<'a> {
    /// `InitiatorName`.
    pub initiator_name: &'a str,
    /// `TargetName`.
    pub target_name: &'a str,
    /// How to authenticate.
    pub auth: Auth<'a>,
    /// Whether the connection is IPsec-protected (ours never are: loopback TCP).
    pub security: ConnectionSecurity,
    /// Connect, read and write timeout.
    pub timeout: Duration,
}

/// Why a login did not reach the full feature phase.
#[derive(Debug)]
pub enum LoginError {
    /// Connecting failed.
    Connect(io::Error),
    /// A PDU could not be read, written or understood.
    Pdu(PduError),
    /// A text segment or value could not be understood.
    Text(TextError),
    /// The core refused a CHAP step; we closed the connection.
    Refused(ChapRefusal),
    /// The target answered with a non-zero status (class 2 detail 1: authentication failed).
    Target {
        /// Status-Class.
        class: u8,
        /// Status-Detail.
        detail: u8,
    },
    /// The target did something the login does not allow here.
    Protocol(String),
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginError::Connect(e) => write!(f, "connect: {e}"),
            LoginError::Pdu(e) => write!(f, "PDU: {e}"),
            LoginError::Text(e) => write!(f, "text: {e}"),
            LoginError::Refused(r) => write!(f, "refused by the core: {r}"),
            LoginError::Target { class, detail } => {
                write!(f, "target status class {class:#04x} detail {detail:#04x}")
            }
            LoginError::Protocol(what) => write!(f, "protocol: {what}"),
        }
    }
}

impl std::error::Error for LoginError {}

impl From<PduError> for LoginError {
    fn from(e: PduError) -> LoginError {
        LoginError::Pdu(e)
    }
}

impl From<io::Error> for LoginError {
    fn from(e: io::Error) -> LoginError {
        LoginError::Pdu(PduError::Io(e))
    }
}

impl From<TextError> for LoginError {
    fn from(e: TextError) -> LoginError {
        LoginError::Text(e)
    }
}

/// Which direction a PDU went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Initiator to target.
    Sent,
    /// Target to initiator.
    Received,
}

/// The key names of every login PDU exchanged, in order (names only, never values), so that a
/// test can say what was and was not sent before a refusal.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// One entry per PDU.
    pub pdus: Vec<(Direction, Vec<String>)>,
    /// Every PDU the target sent, as framed on the wire (header and padded data segment):
    /// what the fuzz target's seeds are made of.
    pub received_pdus: Vec<Vec<u8>>,
    /// The connection was closed by us after a refusal.
    pub aborted: bool,
}

impl Transcript {
    /// Whether any PDU we sent carried `key`.
    #[must_use]
    pub fn sent(&self, key: &str) -> bool {
        self.has(Direction::Sent, key)
    }

    /// Whether any PDU we received carried `key`.
    #[must_use]
    pub fn received(&self, key: &str) -> bool {
        self.has(Direction::Received, key)
    }

    fn has(&self, direction: Direction, key: &str) -> bool {
        self.pdus
            .iter()
            .any(|(d, keys)| *d == direction && keys.iter().any(|k| k == key))
    }
}

/// A session in the full feature phase. The connection stays open until this is dropped.
#[derive(Debug)]
pub struct Session {
    /// The TSIH the target gave the session.
    pub tsih: u16,
    /// The target's `CHAP_N` in mutual CHAP.
    pub target_chap_name: Option<String>,
    /// The operational keys the target answered with.
    pub operational: TextKeys,
    stream: TcpStream,
}

impl Session {
    /// Closes the connection.
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// The operational keys we offer (RFC 7143 §13 defaults, no digests).
const OPERATIONAL: &[(&str, &str)] = &[
    ("HeaderDigest", "None"),
    ("DataDigest", "None"),
    ("MaxConnections", "1"),
    ("InitialR2T", "Yes"),
    ("ImmediateData", "Yes"),
    ("MaxRecvDataSegmentLength", "8192"),
    ("MaxBurstLength", "262144"),
    ("FirstBurstLength", "65536"),
    ("DefaultTime2Wait", "2"),
    ("DefaultTime2Retain", "0"),
    ("MaxOutstandingR2T", "1"),
    ("DataPDUInOrder", "Yes"),
    ("DataSequenceInOrder", "Yes"),
    ("ErrorRecoveryLevel", "0"),
];

/// A distinct ISID per login of this process, so that concurrent logins are separate sessions.
fn next_isid() -> [u8; 6] {
    static NEXT: AtomicU16 = AtomicU16::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    let pid = std::process::id().to_be_bytes();
    // Type 0b10 (random), then our bytes.
    [0x80, pid[2], pid[3], 0x3d, n[0], n[1]]
}

/// Logs in to `addr` as `config` says; every CHAP step goes through `authenticator`.
/// `transcript` records the key names exchanged, whatever the outcome.
///
/// # Errors
///
/// [`LoginError`]: a refusal by the core, a refusal by the target, or a protocol or I/O error.
pub fn login(
    addr: SocketAddr,
    config: &LoginConfig<'_>,
    authenticator: &Authenticator,
    transcript: &mut Transcript,
) -> Result<Session, LoginError> {
    let stream = TcpStream::connect_timeout(&addr, config.timeout).map_err(LoginError::Connect)?;
    stream.set_read_timeout(Some(config.timeout))?;
    stream.set_write_timeout(Some(config.timeout))?;
    stream.set_nodelay(true)?;
    let mut conn = Connection {
        stream,
        isid: next_isid(),
        itt: 1,
        exp_stat_sn: 0,
        exchanges: 0,
        transcript,
    };
    match run(&mut conn, config, authenticator) {
        Ok((target_chap_name, tsih, operational)) => Ok(Session {
            tsih,
            target_chap_name,
            operational,
            stream: conn.stream,
        }),
        Err(e) => {
            if matches!(e, LoginError::Refused(_)) {
                conn.transcript.aborted = true;
            }
            let _ = conn.stream.shutdown(Shutdown::Both);
            Err(e)
        }
    }
}

struct Connection<'t> {
    stream: TcpStream,
    isid: [u8; 6],
    itt: u32,
    exp_stat_sn: u32,
    exchanges: usize,
    transcript: &'t mut Transcript,
}

impl Connection<'_> {
    /// Sends one request and reads the whole response (following C bits), checking status.
    fn exchange(
        &mut self,
        transit: bool,
        current: Stage,
        next: Stage,
        keys: &TextKeys,
    ) -> Result<(LoginResponse, TextKeys), LoginError> {
        self.send(transit, current, next, keys.emit())?;
        self.transcript
            .pdus
            .push((Direction::Sent, keys.names().map(str::to_owned).collect()));
        let mut response = self.read_response(current)?;
        let mut data = std::mem::take(&mut response.data);
        while response.continue_ {
            // The target's text continues: collect it with empty requests (RFC 7143 §6.3).
            self.send(false, current, current, Vec::new())?;
            self.transcript.pdus.push((Direction::Sent, Vec::new()));
            response = self.read_response(current)?;
            data.append(&mut response.data);
            if data.len() > super::pdu::MAX_DATA_SEGMENT {
                return Err(LoginError::Protocol("continued text too long".into()));
            }
        }
        let text = TextKeys::parse(&data)?;
        self.transcript.pdus.push((
            Direction::Received,
            text.names().map(str::to_owned).collect(),
        ));
        Ok((response, text))
    }

    fn send(
        &mut self,
        transit: bool,
        current: Stage,
        next: Stage,
        data: Vec<u8>,
    ) -> Result<(), LoginError> {
        self.exchanges += 1;
        if self.exchanges > MAX_EXCHANGES {
            return Err(LoginError::Protocol("too many login PDUs".into()));
        }
        let request = LoginRequest {
            transit,
            continue_: false,
            current,
            next,
            isid: self.isid,
            tsih: 0,
            itt: self.itt,
            cid: 0,
            cmd_sn: 0,
            exp_stat_sn: self.exp_stat_sn,
            data,
        };
        request.to_raw().write_to(&mut self.stream)?;
        Ok(())
    }

    /// Reads one Login response and checks its status, task and stage.
    fn read_response(&mut self, current: Stage) -> Result<LoginResponse, LoginError> {
        let pdu = RawPdu::read_from(&mut self.stream)?;
        self.transcript.received_pdus.push(pdu.to_bytes());
        let response = LoginResponse::from_raw(&pdu)?;
        self.exp_stat_sn = response.stat_sn.wrapping_add(1);
        if response.status_class != 0 {
            self.transcript.pdus.push((Direction::Received, Vec::new()));
            return Err(LoginError::Target {
                class: response.status_class,
                detail: response.status_detail,
            });
        }
        if response.itt != self.itt || response.isid != self.isid {
            return Err(LoginError::Protocol("response for another task".into()));
        }
        if response.current != current {
            return Err(LoginError::Protocol(format!(
                "target answered in stage {:?}, we are in {:?}",
                response.current, current
            )));
        }
        Ok(response)
    }
}

/// The whole login; returns (target CHAP_N, TSIH, operational keys).
fn run(
    conn: &mut Connection<'_>,
    config: &LoginConfig<'_>,
    authenticator: &Authenticator,
) -> Result<(Option<String>, u16, TextKeys), LoginError> {
    let mut first = TextKeys::new();
    first
        .push("InitiatorName", config.initiator_name)
        .push("SessionType", "Normal")
        .push("TargetName", config.target_name);
    let (target_chap_name, security_done) = match config.auth {
        Auth::None => {
            first.push("AuthMethod", "None");
            let (resp, _) = conn.exchange(true, Stage::Security, Stage::Operational, &first)?;
            (None, resp)
        }
        Auth::OneWay { .. } | Auth::Mutual { .. } => {
            first.push("AuthMethod", "CHAP");
            let (resp, keys) = conn.exchange(true, Stage::Security, Stage::Operational, &first)?;
            if resp.transit || keys.get("AuthMethod") != Some("CHAP") {
                return Err(LoginError::Protocol(format!(
                    "target did not choose AuthMethod=CHAP (it said {:?})",
                    keys.get("AuthMethod")
                )));
            }
            chap(conn, config, authenticator)?
        }
    };
    if !security_done.transit || security_done.next != Stage::Operational {
        return Err(LoginError::Protocol(
            "target did not leave the security stage".into(),
        ));
    }
    let mut operational = TextKeys::new();
    for (k, v) in OPERATIONAL {
        operational.push(k, *v);
    }
    let mut offered = operational;
    for _ in 0..4 {
        let (resp, keys) = conn.exchange(true, Stage::Operational, Stage::FullFeature, &offered)?;
        if resp.transit && resp.next == Stage::FullFeature {
            if resp.tsih == 0 {
                return Err(LoginError::Protocol("final response without a TSIH".into()));
            }
            return Ok((target_chap_name, resp.tsih, keys));
        }
        // The target wants another round: offer nothing new, agree to go on.
        offered = TextKeys::new();
    }
    Err(LoginError::Protocol(
        "target never reached the full feature phase".into(),
    ))
}

/// The CHAP part of the security stage; returns (target CHAP_N, the response that transits).
fn chap(
    conn: &mut Connection<'_>,
    config: &LoginConfig<'_>,
    authenticator: &Authenticator,
) -> Result<(Option<String>, LoginResponse), LoginError> {
    let mut algorithm = TextKeys::new();
    algorithm.push("CHAP_A", CHAP_A_MD5.to_string());
    let (_, keys) = conn.exchange(false, Stage::Security, Stage::Security, &algorithm)?;
    if keys.get("CHAP_A") != Some("5") {
        return Err(LoginError::Protocol(format!(
            "target did not accept CHAP_A=5 (it said {:?})",
            keys.get("CHAP_A")
        )));
    }
    let identifier = keys
        .get("CHAP_I")
        .ok_or_else(|| LoginError::Protocol("no CHAP_I".into()))?;
    let identifier = u8::try_from(decode_number(identifier)?)
        .map_err(|_| LoginError::Protocol("CHAP_I over 255".into()))?;
    let challenge = decode_binary(
        keys.get("CHAP_C")
            .ok_or_else(|| LoginError::Protocol("no CHAP_C".into()))?,
    )?;
    let target = TargetChallenge {
        identifier,
        challenge: &challenge,
    };

    let mut answer = TextKeys::new();
    match config.auth {
        Auth::OneWay {
            name,
            target_secret,
        } => {
            let response = authenticator
                .respond(&target, target_secret)
                .map_err(LoginError::Refused)?;
            answer
                .push("CHAP_N", name)
                .push("CHAP_R", encode_hex(response.as_bytes()));
            let (resp, _) = conn.exchange(true, Stage::Security, Stage::Operational, &answer)?;
            Ok((None, resp))
        }
        Auth::Mutual {
            name,
            target_secret,
            initiator_secret,
        } => {
            let mutual = authenticator
                .begin_mutual(&target, target_secret, initiator_secret, config.security)
                .map_err(LoginError::Refused)?;
            answer
                .push("CHAP_N", name)
                .push("CHAP_R", encode_hex(mutual.response().as_bytes()))
                .push("CHAP_I", mutual.identifier().to_string())
                .push("CHAP_C", encode_hex(mutual.challenge()));
            // If this fails the `mutual` value is dropped: an abandoned login frees its slot.
            let (resp, keys) = conn.exchange(true, Stage::Security, Stage::Operational, &answer)?;
            let target_name = keys.get("CHAP_N").map(str::to_owned);
            let response = match keys.get("CHAP_R") {
                Some(r) => decode_binary(r)?,
                None => Vec::new(),
            };
            mutual
                .verify(
                    &TargetAnswer {
                        name: target_name.as_deref().map(str::as_bytes),
                        response: &response,
                    },
                    initiator_secret,
                    target_secret,
                )
                .map_err(LoginError::Refused)?;
            Ok((target_name, resp))
        }
        Auth::None => Err(LoginError::Protocol("no CHAP configured".into())),
    }
}
