//! A minimal iSCSI login initiator and its test fixtures, for the mutual-CHAP interop suite
//! (`tests/chap_interop.rs`).
//!
//! ```text
//!   tests/chap_interop.rs
//!      │
//!      ├─► adapter      provider over an iscsisec state directory → initiator CHAP secret
//!      ├─► login        the initiator: security stage (CHAP_A=5) → operational → full feature
//!      │     ├─► pdu    Login request/response PDUs (RFC 7143 §11.12, §11.13), framing
//!      │     └─► text   key=value text, binary and number values
//!      ├─► tgtd         a private tgtd on 127.0.0.1 (the real target), set up with tgtadm
//!      └─► fake_target  a scripted target on 127.0.0.1 (reflection, held logins)
//! ```
//!
//! Every CHAP decision is the core's (`iscsisec_core::chap`); this module moves bytes.
//! The PDU and text parsers take what a target sends; `fuzz/fuzz_targets/iscsi_login.rs`
//! drives them through [`fuzzing::login_response`].

pub mod adapter;
pub mod fake_target;
pub mod login;
pub mod pdu;
pub mod text;
pub mod tgtd;

/// Entry points for the fuzz target.
#[doc(hidden)]
pub mod fuzzing {
    use super::pdu::{LoginResponse, RawPdu};
    use super::text::{TextKeys, decode_binary, decode_number, encode_hex};

    /// Parses `data` as a Login response PDU and its text as the initiator does; whatever
    /// parses must re-emit to bytes that parse to the same thing, and every value must decode
    /// or fail without panicking.
    ///
    /// # Panics
    ///
    /// When a round trip does not hold (a finding).
    pub fn login_response(data: &[u8]) {
        // Framing, as read from a stream and as split from a buffer: the same PDU.
        let from_stream = RawPdu::read_from(&mut &data[..]);
        let from_bytes = RawPdu::from_bytes(data);
        if let (Ok(a), Ok(b)) = (&from_stream, &from_bytes) {
            assert_eq!(a, b, "stream and buffer framing disagree");
        }
        if let Ok(pdu) = from_bytes {
            if let Ok(response) = LoginResponse::from_raw(&pdu) {
                let again = LoginResponse::from_raw(
                    &RawPdu::from_bytes(&response.to_raw().to_bytes()).expect("re-framed"),
                )
                .expect("re-parsed");
                assert_eq!(again, response, "login response round trip");
            }
            // The data segment as the initiator reads it.
            text_keys(&pdu.data);
        }
        // And the whole input as a data segment, to reach the text parser directly.
        text_keys(data);
    }

    /// Parses `data` as a text data segment; whatever parses must round-trip, and the CHAP
    /// values in it must decode or fail cleanly.
    ///
    /// # Panics
    ///
    /// When a round trip does not hold (a finding).
    pub fn text_keys(data: &[u8]) {
        let Ok(keys) = TextKeys::parse(data) else {
            return;
        };
        let again = TextKeys::parse(&keys.emit()).expect("emitted text parses");
        assert_eq!(again, keys, "text round trip");
        for (_, value) in keys.pairs() {
            if let Ok(bytes) = decode_binary(value) {
                assert_eq!(decode_binary(&encode_hex(&bytes)).expect("hex"), bytes);
            }
            let _ = decode_number(value);
        }
    }
}
