//! The `iscsisec` binary: see [`iscsisec_host::cli`].

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    iscsisec_host::cli::main()
}
