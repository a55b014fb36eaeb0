//! Arbitrary bytes as an ISAKMP datagram (and as a decrypted payload chain) for the IKE test
//! initiator's decoder: must be refused or decode, and re-encode exactly.
#![no_main]

// The codec is std-only and included by path, so that this target builds without the test
// crate's other dependencies.
#[path = "../../tests/src/ike/wire.rs"]
#[expect(dead_code, reason = "the codec's constants and helpers serve the initiator")]
mod wire;

libfuzzer_sys::fuzz_target!(|data: &[u8]| wire::fuzz_round_trip(data));
