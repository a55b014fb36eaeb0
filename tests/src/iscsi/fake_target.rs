//! A scripted iSCSI target on loopback, for the interop tests.
//!
//! It does what a real target will not do on request: send a chosen challenge (a reflected
//! one), hold a login half-way, answer with a chosen response.
//!
//! ```text
//!   chap_interop test ──► fake_target (this file) ◄── TCP 127.0.0.1 ── login (the initiator)
//!                             └─► pdu, text (the same wire code, target side)
//! ```
//!
//! Each step is a method the test calls in order, so the test decides the timing (two logins
//! interleaved on two connections). Every wait is bounded by the connection's timeout.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::pdu::{LoginRequest, LoginResponse, PduError, RawPdu, Stage};
use super::text::{TextKeys, decode_binary, decode_number, encode_hex};

/// A listening fake target.
#[derive(Debug)]
pub struct FakeTarget {
    listener: TcpListener,
}

impl FakeTarget {
    /// Listens on 127.0.0.1 on a free port.
    ///
    /// # Errors
    ///
    /// The socket's error.
    pub fn bind() -> io::Result<FakeTarget> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        Ok(FakeTarget { listener })
    }

    /// The address to log in to.
    ///
    /// # Errors
    ///
    /// The socket's error.
    pub fn addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts the next connection, waiting at most `timeout`; the connection then uses
    /// `timeout` for every read and write.
    ///
    /// # Errors
    ///
    /// No connection within `timeout`, or the socket's error.
    pub fn accept(&self, timeout: Duration) -> io::Result<FakeConnection> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false)?;
                    stream.set_read_timeout(Some(timeout))?;
                    stream.set_write_timeout(Some(timeout))?;
                    return Ok(FakeConnection {
                        stream,
                        isid: [0; 6],
                        itt: 0,
                        stat_sn: 1,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// What the initiator answered to our challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiatorAnswer {
    /// Its `CHAP_N`.
    pub name: String,
    /// Its `CHAP_R`.
    pub response: Vec<u8>,
    /// Its `CHAP_I`, for mutual CHAP.
    pub identifier: Option<u8>,
    /// Its `CHAP_C`, for mutual CHAP.
    pub challenge: Option<Vec<u8>>,
}

/// One connection to the fake target.
#[derive(Debug)]
pub struct FakeConnection {
    stream: TcpStream,
    isid: [u8; 6],
    itt: u32,
    stat_sn: u32,
}

impl FakeConnection {
    /// Reads one Login request and its keys.
    ///
    /// # Errors
    ///
    /// A description of what went wrong (closed, timed out, not a Login request, bad text).
    pub fn read(&mut self) -> Result<(LoginRequest, TextKeys), String> {
        let pdu = RawPdu::read_from(&mut self.stream).map_err(|e| e.to_string())?;
        let request = LoginRequest::from_raw(&pdu).map_err(|e| e.to_string())?;
        self.isid = request.isid;
        self.itt = request.itt;
        let keys = TextKeys::parse(&request.data).map_err(|e| e.to_string())?;
        Ok((request, keys))
    }

    /// Sends a successful Login response.
    ///
    /// # Errors
    ///
    /// The stream's error.
    pub fn reply(
        &mut self,
        transit: bool,
        current: Stage,
        next: Stage,
        keys: &TextKeys,
        tsih: u16,
    ) -> io::Result<()> {
        let response = LoginResponse {
            transit,
            continue_: false,
            current,
            next,
            version_max: 0,
            version_active: 0,
            isid: self.isid,
            tsih,
            itt: self.itt,
            stat_sn: self.stat_sn,
            exp_cmd_sn: 0,
            max_cmd_sn: 0,
            status_class: 0,
            status_detail: 0,
            data: keys.emit(),
        };
        self.stat_sn = self.stat_sn.wrapping_add(1);
        response.to_raw().write_to(&mut self.stream)
    }

    /// Runs the security stage up to the initiator's CHAP answer, sending `identifier` and
    /// `challenge` as our `CHAP_I`/`CHAP_C`.
    ///
    /// # Errors
    ///
    /// A description of what the initiator did wrong or of an I/O failure.
    pub fn challenge(
        &mut self,
        identifier: u8,
        challenge: &[u8],
    ) -> Result<InitiatorAnswer, String> {
        let (first, keys) = self.read()?;
        if first.current != Stage::Security || keys.get("AuthMethod") != Some("CHAP") {
            return Err(format!("first request offers {:?}", keys.get("AuthMethod")));
        }
        let mut method = TextKeys::new();
        method.push("AuthMethod", "CHAP");
        self.reply(false, Stage::Security, Stage::Security, &method, 0)
            .map_err(|e| e.to_string())?;
        let (_, keys) = self.read()?;
        if keys.get("CHAP_A") != Some("5") {
            return Err(format!("CHAP_A {:?}", keys.get("CHAP_A")));
        }
        let mut ours = TextKeys::new();
        ours.push("CHAP_A", "5")
            .push("CHAP_I", identifier.to_string())
            .push("CHAP_C", encode_hex(challenge));
        self.reply(false, Stage::Security, Stage::Security, &ours, 0)
            .map_err(|e| e.to_string())?;
        let (_, keys) = self.read()?;
        let binary = |k: &str| -> Result<Option<Vec<u8>>, String> {
            keys.get(k)
                .map(|v| decode_binary(v).map_err(|e| format!("{k}: {e}")))
                .transpose()
        };
        Ok(InitiatorAnswer {
            name: keys.get("CHAP_N").ok_or("no CHAP_N")?.to_owned(),
            response: binary("CHAP_R")?.ok_or("no CHAP_R")?,
            identifier: keys
                .get("CHAP_I")
                .map(|v| {
                    decode_number(v)
                        .ok()
                        .and_then(|n| u8::try_from(n).ok())
                        .ok_or("bad CHAP_I")
                })
                .transpose()?,
            challenge: binary("CHAP_C")?,
        })
    }

    /// Ends the security stage (with our `CHAP_N`/`CHAP_R` when given) and answers the
    /// operational stage up to the full feature phase.
    ///
    /// # Errors
    ///
    /// A description of what went wrong, the initiator closing the connection included.
    pub fn finish(
        &mut self,
        chap_name: Option<&str>,
        chap_response: Option<&[u8]>,
    ) -> Result<(), String> {
        let mut keys = TextKeys::new();
        if let Some(name) = chap_name {
            keys.push("CHAP_N", name);
        }
        if let Some(response) = chap_response {
            keys.push("CHAP_R", encode_hex(response));
        }
        self.reply(true, Stage::Security, Stage::Operational, &keys, 0)
            .map_err(|e| e.to_string())?;
        let (request, offered) = self.read()?;
        if request.current != Stage::Operational || !request.transit {
            return Err(format!("operational request {request:?}"));
        }
        // Accept what was offered, as a permissive target would.
        let mut agreed = TextKeys::new();
        for (k, v) in offered.pairs() {
            agreed.push(k, v.as_str());
        }
        self.reply(
            true,
            Stage::Operational,
            Stage::FullFeature,
            &agreed,
            0x1234,
        )
        .map_err(|e| e.to_string())
    }

    /// Waits (at most the connection's timeout) for the initiator to close the connection
    /// without sending another PDU: true if it did.
    #[must_use]
    pub fn closed_by_peer(&mut self) -> bool {
        match RawPdu::read_from(&mut self.stream) {
            Err(PduError::Closed) => true,
            Err(PduError::Io(e)) => e.kind() == io::ErrorKind::ConnectionReset,
            _ => false,
        }
    }

    /// Closes the connection.
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
