//! The security half of an iSCSI HBA miniport, as a `no_std` library.
//!
//! ```text
//!   WMI method call (class, id, buffer, sizes)        IKE phase 1 / mutual CHAP
//!                  │                                            │
//!   ┌──────────────▼────────────────────────────────────────────▼─────────┐
//!   │ provider   dispatch, SPEC §3 transport rules, SPEC §4 semantics     │
//!   │ wire       byte-exact views of every IN and OUT buffer              │
//!   │ domain     ports, flags, identifiers, addresses: parsed = valid     │
//!   │ table      explicit keys, group key, tunnel map, CHAP secret        │
//!   │ lookup     the hot-path reader (copies the key into your buffer)    │
//!   │ chap       mutual CHAP: challenges, answers, SPEC §5 refusals       │
//!   │ record     the versioned, checksummed nonvolatile record format     │
//!   └──────────────┬──────────────────────────────────────────────────────┘
//!                  │ trait RecordStore (the host's nonvolatile storage)
//! ```
//!
//! The core decides everything: every size check, every status code, the order of operations.
//! A host (the KMDF driver, the `iscsisec` user-mode tool, a vendor's Storport miniport) only
//! moves bytes between its platform and [`Provider::execute_method`], implements
//! [`RecordStore`] over its nonvolatile storage and calls [`Provider::lookup`] from its IKE
//! engine.
//!
//! No input reachable from a caller or from storage can panic this crate: the lints below deny
//! `unwrap`, `expect`, slice indexing, `panic!` and overflowing arithmetic outside tests.

#![no_std]
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::pedantic)]
// The one pedantic lint the core does not follow. The others it meets, or allows at the one site
// where it does not, with the reason there (`#[expect(clippy::…, reason = …)]`); the words
// clippy::doc_markdown may leave without backticks are in driver/core/clippy.toml.
#![expect(
    clippy::single_match_else,
    reason = "a two-arm match whose arms are both real cases (a reader slot or the shared \
              counter, a node to replace or none, a key or a miss) reads as the decision it is"
)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::as_conversions,
    )
)]
#![cfg_attr(
    test,
    allow(
        clippy::duplicate_mod,
        reason = "the loom model compiles the fenced module's files a second time, on purpose"
    )
)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod chap;
pub mod consts;
pub mod domain;
pub mod guid;
pub mod lookup;
pub mod platform;
pub mod provider;
#[allow(
    unsafe_code,
    reason = "the one fenced module: lock-free nodes, links and retirement (loom- and \
              Miri-checked)"
)]
pub mod reclaim;
pub mod record;
pub mod secret;
pub mod status;
pub mod store;
pub mod table;
pub mod wire;

#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(test)]
mod proptests;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod testing;

pub use chap::{ChapAuthenticator, ChapConfig, ChapRefusal, ConnectionSecurity, MutualChap};
pub use domain::{IdType, Identifier, PortSelector, SecurityFlags};
pub use guid::Guid;
pub use lookup::{ChapSecretBuffer, KeyBuffer, KeySource, LookupMiss, Reader};
pub use platform::{Platform, RandomError};
pub use provider::{AdapterConfig, LoadReport, MethodResult, Provider, StartError};
pub use status::{IsdscStatus, NtStatus};
pub use store::{RecordStore, StoreError};
