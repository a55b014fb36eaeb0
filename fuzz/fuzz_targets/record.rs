//! Arbitrary bytes as a stored record: must decode or be refused, and re-encode exactly.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iscsisec_core::fuzzing::record(data));
