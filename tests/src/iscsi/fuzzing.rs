//! The oracle of the `iscsi_login` fuzz target over the login parsers.
//!
//! What a target sends during login must be refused or round-trip through the test
//! initiator's parsers.
//!
//! ```text
//!   fuzz/fuzz_targets/iscsi_login.rs ──► fuzzing (this file) ──► pdu, text
//! ```
//!
//! This file, `pdu.rs` and `text.rs` use nothing but `std` and `base64`, so that the fuzz
//! target compiles them in by path without the rest of this crate (its harness dependencies
//! would double the fuzz build).

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
