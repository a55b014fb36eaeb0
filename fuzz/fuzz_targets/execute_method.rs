//! Arbitrary sequences of WMI method calls (class, method id, sizes, bytes, store failures)
//! against a provider over a memory store; the oracle is in `iscsisec_core::fuzzing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iscsisec_core::fuzzing::execute_methods(data));
