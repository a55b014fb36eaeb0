//! An IKEv1 phase-1 test initiator and a strongSwan harness, to prove keys against a real peer.
//!
//! ```text
//!   tests/tests/ike_interop.rs
//!        │ iscsisec verbs (WMI buffers) ──► state directory ◄── Provider::start (DirStore)
//!        ▼                                                          │ lookup (SPEC §5)
//!   initiator (state machine, UDP) ◄────────────────────────────────┘
//!        │  wire (codec)   crypto (MODP-2048, HMAC-SHA2-256, AES-CBC-128)
//!        ▼
//!   charon (strongSwan, IKEv1 responder) in a loopback-only network namespace ◄── lab
//! ```
//!
//! Test support only: nothing here ships in the driver. The initiator is written the way an
//! HBA's IKE engine would use the project: it holds the provider's lookup, asks it for the key
//! of the identifier it presents, and runs phase 1 with that key (RFC 2409, preshared-key
//! authentication, main and aggressive mode, one proposal: AES-CBC-128, HMAC-SHA2-256,
//! MODP-2048). [`lab`] starts charon per scenario and asks it, over its own vici socket,
//! whether the IKE SA is established.

pub mod crypto;
pub mod initiator;
pub mod lab;
pub mod wire;

pub use initiator::{
    Discard, Established, Identity, Initiator, Mode, Phase1Error, PresharedKeys, Timing,
};
