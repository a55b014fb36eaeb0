//! The `iscsisec` command line (SPEC §7): `exec`, `lookup`, `show`, the iscsicli verbs, `demo`.
//!
//! ```text
//!   argv, stdin ──► args ──► verbs ──► text ──► core wire emitters ─┐
//!                             │                                     ▼
//!                             └──► state ──► DirStore ──► Provider::execute_method / lookup
//!                                                          │
//!   stdout, stderr, exit code ◄── output ◄─────────────────┘  (and storage: lines from the store)
//! ```
//!
//! Every invocation is a fresh process: it opens the state directory (taking its lock),
//! rebuilds the core's table from the stored records, runs one command and exits. The host
//! decides nothing: it turns text into bytes, hands them to the core and prints the answer.
//!
//! One module per job: `args` declares the command line (clap), `state` opens the store and
//! starts the core, `verbs` runs each command, `output` prints every line and picks the exit
//! code; `text` reads argument values, `show` writes the JSON, `demo` runs the demo.
//!
//! Exit codes: 0 success; 1 nothing found (`lookup`), an ISDSC error from an iscsicli verb, or
//! a storage or runtime failure; 2 bad arguments, with exactly one line on standard error.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod demo;
mod output;
mod show;
mod state;
mod text;
mod verbs;

use args::{Cli, Command};
use output::Failure;

/// Largest IN buffer `exec` reads and largest `--out-size` (SPEC §7: 64 KiB).
pub const MAX_BUFFER: usize = 64 * 1024;

/// Runs the `iscsisec` program on this process's arguments and standard streams.
///
/// This is the whole program; a binary's `main` only returns what this returns. Never panics
/// on any input: every failure becomes a message and an exit code.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return output::clap_error(&e),
    };
    match run(&cli) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Exec(args) => verbs::exec(cli, args),
        Command::Lookup(args) => verbs::lookup(cli, args),
        Command::Show(_) => verbs::show(cli),
        Command::Verb(verb) => verbs::iscsicli(cli, verb),
        Command::Demo => demo::run(&demo::Settings {
            state_given: cli.state.is_some(),
            ports: cli.ports,
            max_entries: cli.max_entries,
        })
        .map_err(Failure::Runtime),
    }
}
