//! A minimal iSCSI login initiator and fixtures for the mutual-CHAP interop suite.
//!
//! Used by `tests/chap_interop.rs`.
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

/// Entry points for the fuzz target (`fuzz/fuzz_targets/iscsi_login.rs` compiles this file,
/// `pdu.rs` and `text.rs` in by path).
#[doc(hidden)]
pub mod fuzzing;
