//! The conformance suite: SPEC §3 (transport rules), §4 (operation semantics), §5 (lookup
//! precedence), §6 (damaged storage) and §7 (the command line), driven through
//! `iscsisec --state DIR exec CLASS METHOD_ID [--out-size N]` with hand-built IN buffers.
//!
//! It runs against any implementation of SPEC §7: set `ISCSISEC_BIN` to its path; by default it
//! runs our own host (`iscsisec-conformance-target`, built with the tests). Every test has its
//! own state directory, and every call is a new process, so each one also goes through a
//! restart.
//!
//! ```sh
//! cargo test -p iscsisec-tests --test conformance
//! ISCSISEC_BIN=/path/to/iscsisec cargo test -p iscsisec-tests --test conformance
//! ```

mod common;

mod chap;
mod clear_cache;
mod damaged;
mod foreign;
mod get_psk;
mod group_key;
mod guid;
mod lookup;
mod set_psk;
mod show;
mod storage;
mod transport;
mod tunnel;
