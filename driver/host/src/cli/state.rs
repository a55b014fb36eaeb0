//! Opening the state: which directory, its store, and the core started over it.
//!
//! ```text
//!   --state DIR | $XDG_STATE_HOME | $HOME | %LOCALAPPDATA%
//!        │
//!        ▼
//!   state (this file) ──► DirStore::open(DIR, access, storage: … to stderr) ──► Provider::start
//! ```
//!
//! Every command that touches the state goes through [`open`], so every store the program
//! opens tells its storage failures to standard error as they happen: a command cannot forget
//! to print them. Commands that only read (`lookup`, `show`) open it with [`Access::Read`] and
//! share the lock with other readers; the others take it exclusively.

use std::path::PathBuf;

use iscsisec_core::{AdapterConfig, LoadReport, Provider};

use super::args::Cli;
use super::output::{self, Failure, usage};
use crate::platform::{ProcessPlatform, process_platform};
use crate::store::{Access, DirStore};

/// The core over the state directory, as every command uses it.
pub(super) type Adapter = Provider<DirStore, ProcessPlatform>;

/// Resolves the state directory, opens it for `access` and starts the core over it. Files the
/// store could not read (the core counts them as corrupt records) and entries that block writes
/// are printed as `storage:` lines while the records load.
///
/// # Errors
///
/// No state directory is given or known (usage); the directory cannot be opened or its records
/// cannot be loaded at all (runtime).
pub(super) fn open(cli: &Cli, access: Access) -> Result<(Adapter, LoadReport), Failure> {
    let dir = match &cli.state {
        Some(dir) => dir.clone(),
        None => default_state_dir().ok_or_else(|| {
            let unset = if cfg!(windows) {
                "LOCALAPPDATA"
            } else {
                "HOME"
            };
            usage(format!(
                "no default state directory ({unset} is not set): pass --state DIR"
            ))
        })?,
    };
    let store = DirStore::open(&dir, access, output::storage_failure).map_err(Failure::Runtime)?;
    let config = AdapterConfig {
        port_count: cli.ports,
        max_entries: cli.max_entries,
    };
    Provider::start(store, config, process_platform())
        .map_err(|e| Failure::Runtime(format!("cannot load the records in {}: {e}", dir.display())))
}

/// The per-user default state directory: `%LOCALAPPDATA%\iscsisec` on Windows, else
/// `$XDG_STATE_HOME/iscsisec` (when absolute), else `$HOME/.local/state/iscsisec`.
fn default_state_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| PathBuf::from(d).join("iscsisec"));
    }
    if let Some(xdg) = var("XDG_STATE_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg.join("iscsisec"));
    }
    var("HOME").map(|h| PathBuf::from(h).join(".local/state/iscsisec"))
}
