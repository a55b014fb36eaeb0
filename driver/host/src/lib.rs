//! The iscsisec user-mode host: the core over a directory, and the `iscsisec` command line.
//!
//! ```text
//!   iscsisec (argv, stdin) ──► cli ──► iscsisec-core Provider ──► store::DirStore
//!                               │       (decides everything)        (one file per record)
//!                               ├──► cli::show (JSON)                    │
//!                               ├──► cli::demo (re-runs this program)    │ failures, as met
//!                               └──► stderr ◄────────────────────────────┘
//! ```
//!
//! The core decides every size check, status code and validation rule; this crate only moves
//! bytes between a process (arguments, standard streams, a directory) and the core. It runs on
//! any OS, which makes it the way to exercise the provider without Windows: each invocation is
//! a fresh process that rebuilds its table from the directory, so every call also proves
//! persistence.
//!
//! [`cli::main`] is the whole program; [`store::DirStore`] is the [`iscsisec_core::RecordStore`]
//! over a directory.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::unreachable,
    )
)]

pub mod cli;
pub mod platform;
pub mod store;
