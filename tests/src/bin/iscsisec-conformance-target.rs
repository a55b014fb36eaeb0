//! `iscsisec` as the conformance suite runs it by default: our own host's command line, built
//! with the tests (see `tests/src/lib.rs`; `$ISCSISEC_BIN` overrides it).

fn main() -> std::process::ExitCode {
    iscsisec_host::cli::main()
}
