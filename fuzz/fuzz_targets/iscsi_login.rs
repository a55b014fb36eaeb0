//! Arbitrary bytes as what an iSCSI target sends during login.
//!
//! The test initiator's Login response PDU framing and its text-key and CHAP value parsers
//! must refuse or round-trip.
//!
//! The parsers and the oracle are `tests/src/iscsi/{pdu,text,fuzzing}.rs`, compiled in here by
//! path: they need only `std` and `base64`, while the `iscsisec-tests` crate around them brings
//! the test harness's dependencies (the host, clap, tempfile), which would double the fuzz build.
#![no_main]

#[path = "../../tests/src/iscsi"]
#[expect(dead_code, reason = "the initiator's side of the parsers is not fuzzed here")]
mod iscsi {
    pub mod fuzzing;
    pub mod pdu;
    pub mod text;
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| iscsi::fuzzing::login_response(data));
