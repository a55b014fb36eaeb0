//! Test support for the integration, conformance and interop suites: the `iscsisec` command line
//! as a process, WMI buffers built byte by byte from SPEC §2, and the peers of the interop
//! suites.
//!
//! ```text
//!   tests/tests/* ──► cli (Iscsisec: `iscsisec --state DIR …`, any implementation)
//!                 ──► calls (Call: a method call on a core Provider, in process)
//!                 ──► buffers (IN bytes from SPEC §2) ── spec (SPEC's numbers)
//!                 ──► ike (IKE initiator, charon lab) · iscsi (login initiator, tgtd) · system
//! ```
//!
//! Everything in [`spec`], [`buffers`] and [`cli`], and [`Call`], is re-exported at the crate
//! root, so a suite says `use iscsisec_tests::*;`. [`bench`](mod@bench) is the hot path's
//! benchmark support (`hotpath`, `benches/lookup.rs`).

pub mod bench;
pub mod buffers;
pub mod calls;
pub mod cli;
pub mod ike;
pub mod iscsi;
pub mod spec;
pub mod system;

pub use buffers::*;
pub use calls::Call;
pub use cli::*;
pub use spec::*;
