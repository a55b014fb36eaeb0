//! iSCSI Login request and response PDUs (RFC 7143 §11.12, §11.13), framing.
//!
//! ```text
//!   login / fake_target ──► pdu (this file) ──► TCP stream
//!     48-byte basic header segment (BHS), AHS (TotalAHSLength × 4 bytes),
//!     data segment (DataSegmentLength bytes, padded to a multiple of 4)
//! ```
//!
//! Only what a login needs: no digests (we negotiate `HeaderDigest=None`, `DataDigest=None`).
//! The readers take what a peer sends, so they bound every length and never panic.

use std::fmt;
use std::io::{self, Read, Write};

/// Length of the basic header segment.
pub const BHS_LEN: usize = 48;
/// Largest data segment we read (a login's text fits in 8 KiB; targets may send up to their
/// MaxRecvDataSegmentLength, which is small during login).
pub const MAX_DATA_SEGMENT: usize = 64 * 1024;
/// Opcode of a Login request.
pub const OP_LOGIN_REQUEST: u8 = 0x03;
/// Opcode of a Login response.
pub const OP_LOGIN_RESPONSE: u8 = 0x23;
/// The immediate-delivery bit of the first byte (set on Login requests).
pub const IMMEDIATE: u8 = 0x40;
/// iSCSI protocol version (RFC 7143: 0x00).
pub const VERSION: u8 = 0x00;

const FLAG_TRANSIT: u8 = 0x80;
const FLAG_CONTINUE: u8 = 0x40;

/// A login stage (CSG/NSG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// 0: SecurityNegotiation.
    Security,
    /// 1: LoginOperationalNegotiation.
    Operational,
    /// 3: FullFeaturePhase.
    FullFeature,
}

impl Stage {
    /// The 2-bit stage code.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Stage::Security => 0,
            Stage::Operational => 1,
            Stage::FullFeature => 3,
        }
    }

    /// The stage of a 2-bit code (2 is reserved).
    ///
    /// # Errors
    ///
    /// [`PduError::BadStage`] for 2 or anything over 3.
    pub fn from_code(code: u8) -> Result<Stage, PduError> {
        match code {
            0 => Ok(Stage::Security),
            1 => Ok(Stage::Operational),
            3 => Ok(Stage::FullFeature),
            other => Err(PduError::BadStage(other)),
        }
    }
}

/// What is wrong with a PDU.
#[derive(Debug)]
pub enum PduError {
    /// Reading or writing the stream failed (a timeout included).
    Io(io::Error),
    /// The peer closed the connection at a PDU boundary.
    Closed,
    /// Fewer than 48 bytes of header.
    Short,
    /// A data segment longer than [`MAX_DATA_SEGMENT`].
    TooLong(usize),
    /// Not the opcode expected here.
    Opcode(u8),
    /// A reserved stage code.
    BadStage(u8),
    /// Both T and C set (RFC 7143 §11.12.2 forbids it).
    TransitAndContinue,
    /// The data segment is shorter than DataSegmentLength says.
    Truncated,
}

impl fmt::Display for PduError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PduError::Io(e) => write!(f, "i/o: {e}"),
            PduError::Closed => f.write_str("the peer closed the connection"),
            PduError::Short => f.write_str("PDU shorter than its 48-byte header"),
            PduError::TooLong(n) => write!(f, "data segment of {n} bytes is too long"),
            PduError::Opcode(op) => write!(f, "unexpected opcode {op:#04x}"),
            PduError::BadStage(s) => write!(f, "reserved login stage {s}"),
            PduError::TransitAndContinue => f.write_str("both T and C bits set"),
            PduError::Truncated => f.write_str("data segment shorter than declared"),
        }
    }
}

impl std::error::Error for PduError {}

impl From<io::Error> for PduError {
    fn from(e: io::Error) -> PduError {
        PduError::Io(e)
    }
}

/// One PDU as framed on the wire: its header and its data segment (without padding). An AHS,
/// if any, is read and dropped (logins carry none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPdu {
    /// The basic header segment.
    pub bhs: [u8; BHS_LEN],
    /// The data segment, DataSegmentLength bytes.
    pub data: Vec<u8>,
}

impl RawPdu {
    /// Splits a whole PDU held in `bytes` (as [`RawPdu::to_bytes`] makes it).
    ///
    /// # Errors
    ///
    /// [`PduError::Short`], [`PduError::TooLong`], [`PduError::Truncated`].
    pub fn from_bytes(bytes: &[u8]) -> Result<RawPdu, PduError> {
        let (bhs, rest) = bytes
            .split_first_chunk::<BHS_LEN>()
            .ok_or(PduError::Short)?;
        let (ahs_len, data_len) = lengths(bhs)?;
        let rest = rest.get(ahs_len..).ok_or(PduError::Truncated)?;
        let data = rest.get(..data_len).ok_or(PduError::Truncated)?;
        Ok(RawPdu {
            bhs: *bhs,
            data: data.to_vec(),
        })
    }

    /// The PDU's bytes: header with DataSegmentLength set, no AHS, data, zero padding.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bhs = self.bhs;
        bhs[4] = 0;
        let len = u32::try_from(self.data.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes();
        bhs[5..8].copy_from_slice(&len[1..]);
        let mut out = Vec::with_capacity(BHS_LEN + padded(self.data.len()));
        out.extend_from_slice(&bhs);
        out.extend_from_slice(&self.data);
        out.resize(BHS_LEN + padded(self.data.len()), 0);
        out
    }

    /// Reads one PDU from `stream`.
    ///
    /// # Errors
    ///
    /// [`PduError::Closed`] when the stream ends before a header starts, [`PduError::Io`] for
    /// an error or a stream that ends mid-PDU, [`PduError::TooLong`].
    pub fn read_from(stream: &mut impl Read) -> Result<RawPdu, PduError> {
        let mut bhs = [0u8; BHS_LEN];
        let mut got = 0;
        while got < BHS_LEN {
            match stream.read(&mut bhs[got..]) {
                Ok(0) if got == 0 => return Err(PduError::Closed),
                Ok(0) => return Err(PduError::Io(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(PduError::Io(e)),
            }
        }
        let (ahs_len, data_len) = lengths(&bhs)?;
        let mut ahs = vec![0u8; ahs_len];
        stream.read_exact(&mut ahs)?;
        let mut data = vec![0u8; padded(data_len)];
        stream.read_exact(&mut data)?;
        data.truncate(data_len);
        Ok(RawPdu { bhs, data })
    }

    /// Writes the PDU to `stream`.
    ///
    /// # Errors
    ///
    /// The stream's error.
    pub fn write_to(&self, stream: &mut impl Write) -> io::Result<()> {
        stream.write_all(&self.to_bytes())?;
        stream.flush()
    }

    /// The opcode (low six bits of byte 0).
    #[must_use]
    pub fn opcode(&self) -> u8 {
        self.bhs[0] & 0x3f
    }
}

/// (AHS bytes, data segment bytes) of a header, bounded.
fn lengths(bhs: &[u8; BHS_LEN]) -> Result<(usize, usize), PduError> {
    let ahs = usize::from(bhs[4]) * 4;
    let data = usize::try_from(u32::from_be_bytes([0, bhs[5], bhs[6], bhs[7]]))
        .map_err(|_| PduError::TooLong(usize::MAX))?;
    if data > MAX_DATA_SEGMENT {
        return Err(PduError::TooLong(data));
    }
    Ok((ahs, data))
}

/// `len` rounded up to a multiple of 4.
fn padded(len: usize) -> usize {
    len.div_ceil(4) * 4
}

/// A Login request (RFC 7143 §11.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// T: the initiator is ready to move to `next`.
    pub transit: bool,
    /// C: the text continues in the next PDU.
    pub continue_: bool,
    /// CSG.
    pub current: Stage,
    /// NSG (meaningful only with `transit`).
    pub next: Stage,
    /// ISID.
    pub isid: [u8; 6],
    /// TSIH (0 for a new session).
    pub tsih: u16,
    /// Initiator task tag.
    pub itt: u32,
    /// Connection id.
    pub cid: u16,
    /// CmdSN.
    pub cmd_sn: u32,
    /// ExpStatSN.
    pub exp_stat_sn: u32,
    /// The text keys.
    pub data: Vec<u8>,
}

impl LoginRequest {
    /// The PDU.
    #[must_use]
    pub fn to_raw(&self) -> RawPdu {
        let mut bhs = [0u8; BHS_LEN];
        bhs[0] = IMMEDIATE | OP_LOGIN_REQUEST;
        bhs[1] = stage_flags(self.transit, self.continue_, self.current, self.next);
        bhs[2] = VERSION; // Version-max
        bhs[3] = VERSION; // Version-min
        bhs[8..14].copy_from_slice(&self.isid);
        bhs[14..16].copy_from_slice(&self.tsih.to_be_bytes());
        bhs[16..20].copy_from_slice(&self.itt.to_be_bytes());
        bhs[20..22].copy_from_slice(&self.cid.to_be_bytes());
        bhs[24..28].copy_from_slice(&self.cmd_sn.to_be_bytes());
        bhs[28..32].copy_from_slice(&self.exp_stat_sn.to_be_bytes());
        RawPdu {
            bhs,
            data: self.data.clone(),
        }
    }

    /// Reads a Login request out of a PDU (what a target does; the fake target uses it).
    ///
    /// # Errors
    ///
    /// [`PduError::Opcode`], [`PduError::BadStage`], [`PduError::TransitAndContinue`].
    pub fn from_raw(pdu: &RawPdu) -> Result<LoginRequest, PduError> {
        if pdu.opcode() != OP_LOGIN_REQUEST {
            return Err(PduError::Opcode(pdu.opcode()));
        }
        let b = &pdu.bhs;
        let (transit, continue_, current, next) = parse_stage_flags(b[1])?;
        Ok(LoginRequest {
            transit,
            continue_,
            current,
            next,
            isid: [b[8], b[9], b[10], b[11], b[12], b[13]],
            tsih: u16::from_be_bytes([b[14], b[15]]),
            itt: u32::from_be_bytes([b[16], b[17], b[18], b[19]]),
            cid: u16::from_be_bytes([b[20], b[21]]),
            cmd_sn: u32::from_be_bytes([b[24], b[25], b[26], b[27]]),
            exp_stat_sn: u32::from_be_bytes([b[28], b[29], b[30], b[31]]),
            data: pdu.data.clone(),
        })
    }
}

/// A Login response (RFC 7143 §11.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginResponse {
    /// T: the target moves to `next`.
    pub transit: bool,
    /// C: the text continues in the next PDU.
    pub continue_: bool,
    /// CSG.
    pub current: Stage,
    /// NSG (meaningful only with `transit`).
    pub next: Stage,
    /// Version-max.
    pub version_max: u8,
    /// Version-active.
    pub version_active: u8,
    /// ISID (echoed).
    pub isid: [u8; 6],
    /// TSIH (the target's session handle on the final response).
    pub tsih: u16,
    /// Initiator task tag (echoed).
    pub itt: u32,
    /// StatSN.
    pub stat_sn: u32,
    /// ExpCmdSN.
    pub exp_cmd_sn: u32,
    /// MaxCmdSN.
    pub max_cmd_sn: u32,
    /// Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error).
    pub status_class: u8,
    /// Status-Detail.
    pub status_detail: u8,
    /// The text keys.
    pub data: Vec<u8>,
}

impl LoginResponse {
    /// Reads a Login response out of a PDU.
    ///
    /// # Errors
    ///
    /// [`PduError::Opcode`] (a Reject, for instance), [`PduError::BadStage`],
    /// [`PduError::TransitAndContinue`].
    pub fn from_raw(pdu: &RawPdu) -> Result<LoginResponse, PduError> {
        if pdu.opcode() != OP_LOGIN_RESPONSE {
            return Err(PduError::Opcode(pdu.opcode()));
        }
        let b = &pdu.bhs;
        let (transit, continue_, current, next) = parse_stage_flags(b[1])?;
        Ok(LoginResponse {
            transit,
            continue_,
            current,
            next,
            version_max: b[2],
            version_active: b[3],
            isid: [b[8], b[9], b[10], b[11], b[12], b[13]],
            tsih: u16::from_be_bytes([b[14], b[15]]),
            itt: u32::from_be_bytes([b[16], b[17], b[18], b[19]]),
            stat_sn: u32::from_be_bytes([b[24], b[25], b[26], b[27]]),
            exp_cmd_sn: u32::from_be_bytes([b[28], b[29], b[30], b[31]]),
            max_cmd_sn: u32::from_be_bytes([b[32], b[33], b[34], b[35]]),
            status_class: b[36],
            status_detail: b[37],
            data: pdu.data.clone(),
        })
    }

    /// The PDU (what a target sends; the fake target uses it).
    #[must_use]
    pub fn to_raw(&self) -> RawPdu {
        let mut bhs = [0u8; BHS_LEN];
        bhs[0] = OP_LOGIN_RESPONSE;
        bhs[1] = stage_flags(self.transit, self.continue_, self.current, self.next);
        bhs[2] = self.version_max;
        bhs[3] = self.version_active;
        bhs[8..14].copy_from_slice(&self.isid);
        bhs[14..16].copy_from_slice(&self.tsih.to_be_bytes());
        bhs[16..20].copy_from_slice(&self.itt.to_be_bytes());
        bhs[24..28].copy_from_slice(&self.stat_sn.to_be_bytes());
        bhs[28..32].copy_from_slice(&self.exp_cmd_sn.to_be_bytes());
        bhs[32..36].copy_from_slice(&self.max_cmd_sn.to_be_bytes());
        bhs[36] = self.status_class;
        bhs[37] = self.status_detail;
        RawPdu {
            bhs,
            data: self.data.clone(),
        }
    }
}

fn stage_flags(transit: bool, continue_: bool, current: Stage, next: Stage) -> u8 {
    let mut flags = (current.code() << 2) | if transit { next.code() } else { 0 };
    if transit {
        flags |= FLAG_TRANSIT;
    }
    if continue_ {
        flags |= FLAG_CONTINUE;
    }
    flags
}

fn parse_stage_flags(flags: u8) -> Result<(bool, bool, Stage, Stage), PduError> {
    let transit = flags & FLAG_TRANSIT != 0;
    let continue_ = flags & FLAG_CONTINUE != 0;
    if transit && continue_ {
        return Err(PduError::TransitAndContinue);
    }
    let current = Stage::from_code((flags >> 2) & 3)?;
    // NSG is reserved (and may be anything) when T is clear: read it as the current stage.
    let next = if transit {
        Stage::from_code(flags & 3)?
    } else {
        current
    };
    Ok((transit, continue_, current, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LoginRequest {
        LoginRequest {
            transit: true,
            continue_: false,
            current: Stage::Security,
            next: Stage::Operational,
            isid: [0x80, 1, 2, 3, 4, 5],
            tsih: 0,
            itt: 0x0102_0304,
            cid: 7,
            cmd_sn: 9,
            exp_stat_sn: 0,
            data: b"AuthMethod=CHAP\0".to_vec(),
        }
    }

    #[test]
    fn request_bytes_follow_rfc_7143() {
        let bytes = request().to_raw().to_bytes();
        assert_eq!(bytes.len(), BHS_LEN + 16);
        assert_eq!(bytes[0], 0x43, "I bit + opcode 0x03");
        assert_eq!(bytes[1], 0x81, "T, CSG 0, NSG 1");
        assert_eq!(&bytes[5..8], &[0, 0, 16], "DataSegmentLength");
        assert_eq!(&bytes[8..14], &[0x80, 1, 2, 3, 4, 5]);
        assert_eq!(&bytes[16..20], &[1, 2, 3, 4]);
        assert_eq!(&bytes[20..22], &[0, 7]);
        assert_eq!(&bytes[24..28], &[0, 0, 0, 9]);
        let back = LoginRequest::from_raw(&RawPdu::from_bytes(&bytes).unwrap()).unwrap();
        assert_eq!(back, request());
    }

    #[test]
    fn data_is_padded_to_four_bytes() {
        let mut r = request();
        r.data = b"A=1\0B".to_vec();
        let bytes = r.to_raw().to_bytes();
        assert_eq!(bytes.len(), BHS_LEN + 8);
        assert_eq!(&bytes[5..8], &[0, 0, 5]);
        let pdu = RawPdu::read_from(&mut bytes.as_slice()).unwrap();
        assert_eq!(pdu.data, b"A=1\0B");
    }

    #[test]
    fn response_round_trip_and_flags() {
        let resp = LoginResponse {
            transit: true,
            continue_: false,
            current: Stage::Operational,
            next: Stage::FullFeature,
            version_max: 0,
            version_active: 0,
            isid: [1; 6],
            tsih: 0x1234,
            itt: 5,
            stat_sn: 1,
            exp_cmd_sn: 2,
            max_cmd_sn: 3,
            status_class: 0,
            status_detail: 0,
            data: b"HeaderDigest=None\0".to_vec(),
        };
        let bytes = resp.to_raw().to_bytes();
        assert_eq!(bytes[0], 0x23);
        assert_eq!(bytes[1], 0x87);
        let back = LoginResponse::from_raw(&RawPdu::from_bytes(&bytes).unwrap()).unwrap();
        assert_eq!(back, resp);
    }

    #[test]
    fn refuses_bad_pdus() {
        let good = request().to_raw().to_bytes();
        assert!(matches!(
            RawPdu::from_bytes(&good[..47]),
            Err(PduError::Short)
        ));
        assert!(matches!(
            RawPdu::from_bytes(&good[..50]),
            Err(PduError::Truncated)
        ));
        let mut long = good.clone();
        long[5..8].copy_from_slice(&[0x01, 0x00, 0x01]);
        assert!(matches!(
            RawPdu::from_bytes(&long),
            Err(PduError::TooLong(65537))
        ));
        let pdu = RawPdu::from_bytes(&good).unwrap();
        assert!(matches!(
            LoginResponse::from_raw(&pdu),
            Err(PduError::Opcode(0x03))
        ));
        let mut both = pdu.clone();
        both.bhs[1] = 0xc1;
        assert!(matches!(
            LoginRequest::from_raw(&both),
            Err(PduError::TransitAndContinue)
        ));
        let mut reserved = pdu.clone();
        reserved.bhs[1] = 0x82;
        assert!(matches!(
            LoginRequest::from_raw(&reserved),
            Err(PduError::BadStage(2))
        ));
        assert!(matches!(
            RawPdu::read_from(&mut &[][..]),
            Err(PduError::Closed)
        ));
        assert!(matches!(
            RawPdu::read_from(&mut &good[..60]),
            Err(PduError::Io(_))
        ));
    }

    #[test]
    fn an_ahs_is_skipped() {
        let mut bytes = request().to_raw().to_bytes();
        bytes[4] = 1;
        bytes.splice(BHS_LEN..BHS_LEN, [9, 9, 9, 9]);
        let pdu = RawPdu::from_bytes(&bytes).unwrap();
        assert_eq!(pdu.data, b"AuthMethod=CHAP\0");
        let pdu = RawPdu::read_from(&mut bytes.as_slice()).unwrap();
        assert_eq!(pdu.data, b"AuthMethod=CHAP\0");
    }
}
