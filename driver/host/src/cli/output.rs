//! What `iscsisec` prints, and its exit codes.
//!
//! ```text
//!   verbs ──► output (this file) ──► stdout: OUT bytes, source=…, status=NAME code=0x…
//!   store ──┘                        stderr: ntstatus=0x… used=N, storage: …, error: …
//!                                    exit:   0 done · 1 not found / refused / runtime · 2 usage
//! ```
//!
//! Every line the program writes is formatted here, so that the formats SPEC §7 fixes are
//! written once. A line that may hold key bytes (`lookup --reveal`) is built in a buffer that
//! is wiped when it is dropped.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use iscsisec_core::{IsdscStatus, KeySource, MethodResult, NtStatus};
use zeroize::Zeroizing;

use super::text;

/// Why a command did not complete.
#[derive(Debug)]
pub(super) enum Failure {
    /// Bad arguments: exit 2.
    Usage(String),
    /// Storage or another runtime failure: exit 1.
    Runtime(String),
}

impl Failure {
    /// Prints the one `error: …` line and gives the exit code.
    pub(super) fn report(self) -> ExitCode {
        match self {
            Failure::Usage(message) => {
                stderr_line(&format!("error: {message}"));
                ExitCode::from(2)
            }
            Failure::Runtime(message) => {
                stderr_line(&format!("error: {message}"));
                ExitCode::FAILURE
            }
        }
    }
}

/// A bad-arguments failure (exit 2).
pub(super) fn usage(message: String) -> Failure {
    Failure::Usage(message)
}

/// Prints a clap error: help and version normally (exit 0), anything else as its first line
/// (exit 2).
pub(super) fn clap_error(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Help goes to stdout; if even that fails there is nothing left to tell.
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            stderr_line("error: a command is required (see iscsisec --help)");
            ExitCode::from(2)
        }
        _ => {
            stderr_line(&first_line_of(e));
            ExitCode::from(2)
        }
    }
}

/// The first line of a clap error, completed with the missing arguments' names when clap puts
/// them on the following lines.
fn first_line_of(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut line = rendered
        .lines()
        .next()
        .unwrap_or("error: bad arguments")
        .to_owned();
    if line.ends_with(':') {
        if let Some(ContextValue::Strings(names)) = e.get(ContextKind::InvalidArg) {
            line.push(' ');
            line.push_str(&names.join(", "));
        } else if let Some(ContextValue::String(name)) = e.get(ContextKind::InvalidArg) {
            line.push(' ');
            line.push_str(name);
        }
    }
    line
}

/// The [`crate::store::FailureSink`] of every store the program opens: `storage: …` on
/// standard error, as the failure happens.
pub(super) fn storage_failure(message: &str) {
    stderr_line(&format!("storage: {message}"));
}

/// `exec`'s last line of standard error (SPEC §7).
pub(super) fn exec_status(result: MethodResult) {
    stderr_line(&format!(
        "ntstatus=0x{:08X} used={}",
        result.status.0, result.used
    ));
}

/// An iscsicli verb's answer: `status=NAME code=0x…` (and GetPSKey's ` flags=0x…`); exit 0
/// for success or a warning (the change was made), 1 otherwise.
///
/// # Errors
///
/// Standard output cannot be written.
pub(super) fn verb_status(status: IsdscStatus, flags: Option<u64>) -> Result<ExitCode, Failure> {
    let mut line = format!(
        "status={} code=0x{:08X}",
        status.name().unwrap_or("UNKNOWN"),
        status.0
    );
    if let Some(flags) = flags {
        let _ = write!(line, " flags=0x{flags:016X}");
    }
    stdout_line(&line)?;
    Ok(verb_exit_code(status))
}

/// A verb whose call the transport refused (never for the buffers the verbs build): the
/// NTSTATUS on standard output, exit 1.
///
/// # Errors
///
/// Standard output cannot be written.
pub(super) fn verb_transport_error(status: NtStatus) -> Result<ExitCode, Failure> {
    stdout_line(&format!("ntstatus=0x{:08X}", status.0))?;
    Ok(ExitCode::FAILURE)
}

fn verb_exit_code(status: IsdscStatus) -> ExitCode {
    if status == IsdscStatus::SUCCESS || status.is_warning() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `lookup`'s answer when a key was found: `source=…`, and ` key=HEX` when `revealed` holds
/// the key; exit 0.
///
/// # Errors
///
/// Standard output cannot be written.
pub(super) fn lookup_found(
    source: KeySource,
    revealed: Option<&[u8]>,
) -> Result<ExitCode, Failure> {
    let key_len = revealed.map_or(0, <[u8]>::len);
    // Room for the whole line up front: a reallocation would leave key text behind.
    let room = 32usize.saturating_add(key_len.saturating_mul(2));
    let mut line = Zeroizing::new(String::with_capacity(room));
    line.push_str("source=");
    line.push_str(source.as_str());
    if let Some(key) = revealed {
        line.push_str(" key=");
        line.push_str(&text::hex(key));
    }
    stdout_line(&line)?;
    Ok(ExitCode::SUCCESS)
}

/// `lookup`'s answer when nothing is served: `source=none`, exit 1; when the record that
/// would answer is damaged, also one `error:` line saying how to repair it.
///
/// # Errors
///
/// Standard output cannot be written.
pub(super) fn lookup_none(damaged: bool) -> Result<ExitCode, Failure> {
    stdout_line("source=none")?;
    if damaged {
        stderr_line(
            "error: a stored record for this identifier is damaged; run ClearCache or set the \
             key again",
        );
    }
    Ok(ExitCode::FAILURE)
}

/// Writes one line to standard error; nothing sensible remains if that fails.
pub(super) fn stderr_line(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Writes `bytes` to standard output as they are.
///
/// # Errors
///
/// Standard output cannot be written.
pub(super) fn stdout_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Runtime(format!("cannot write to standard output: {e}")))
}

/// Writes one line to standard output, through a buffer wiped on drop.
///
/// # Errors
///
/// Standard output cannot be written.
pub(super) fn stdout_line(line: &str) -> Result<(), Failure> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(line.len().saturating_add(1)));
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    stdout_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::Cli;
    use clap::Parser;

    #[test]
    fn clap_errors_render_to_one_line_naming_what_is_missing() {
        let e = Cli::try_parse_from(["iscsisec", "PSKey", "*", "0"])
            .err()
            .unwrap();
        assert_eq!(
            first_line_of(&e),
            "error: the following required arguments were not provided: <SecurityFlags>, \
             <IdType>, <Id>, <Key>, <Persist>"
        );
    }

    #[test]
    fn warnings_succeed_and_errors_fail() {
        assert_eq!(verb_exit_code(IsdscStatus::SUCCESS), ExitCode::SUCCESS);
        assert_eq!(
            verb_exit_code(IsdscStatus::SHORT_CHAP_SECRET),
            ExitCode::SUCCESS
        );
        assert_eq!(
            verb_exit_code(IsdscStatus::CACHE_CORRUPTED),
            ExitCode::FAILURE
        );
    }
}
