//! What `iscsisec` accepts: the clap declarations of its options and commands.
//!
//! ```text
//!   argv ──► args (this file: clap) ──► Cli { state, ports, max_entries, command }
//!                                         │
//!                                         └──► verbs (runs the command)
//! ```
//!
//! Only the shape of the command line lives here: names, order, defaults and help text. What a
//! value means (a port, a key in hex, an address) is read by `text` when a verb runs, so that
//! every argument error comes out as one line naming the argument.

use std::convert::Infallible;
use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use zeroize::Zeroizing;

use super::text;

/// iscsisec: the iSCSI HBA security provider's core, hosted in a process with a directory as
/// its nonvolatile storage.
#[derive(Parser)]
#[command(name = "iscsisec", version)]
pub(super) struct Cli {
    /// Directory holding the stored records [default: $XDG_STATE_HOME/iscsisec,
    /// ~/.local/state/iscsisec, or %LOCALAPPDATA%\iscsisec on Windows]
    #[arg(long, global = true, value_name = "DIR")]
    pub(super) state: Option<PathBuf>,
    /// The adapter's port count: valid port numbers are 0..N
    #[arg(long, global = true, value_name = "N", default_value = "2",
          value_parser = text::unsigned_as::<u32>)]
    pub(super) ports: u32,
    /// The most explicit keys (and, separately, tunnel mappings) the adapter holds
    #[arg(long, global = true, value_name = "N", default_value = "4096",
          value_parser = text::unsigned_as::<usize>)]
    pub(super) max_entries: usize,
    #[command(subcommand)]
    pub(super) command: Command,
}

/// The commands: the three of SPEC §7, the iscsicli verbs, and `demo`.
#[derive(Subcommand)]
pub(super) enum Command {
    /// Runs one WMI method with the IN buffer read from standard input, as the driver would
    Exec(ExecArgs),
    /// Looks up the preshared key IKE would use for an initiator identifier
    Lookup(LookupArgs),
    /// Describes the stored state (never key or secret bytes)
    Show(ShowArgs),
    // The iscsicli verbs, listed among the commands.
    #[command(flatten)]
    Verb(Verb),
    /// Shows the provider's main job end to end, one fresh process per step
    Demo,
}

/// The iscsicli verbs (SPEC §7), with iscsicli's argument names and order.
#[derive(Subcommand)]
pub(super) enum Verb {
    /// Sets (or with * clears) the group preshared key
    #[command(name = "GroupKey", alias = "groupkey")]
    GroupKey {
        /// The key: text, 0x followed by hex digits, or * to clear
        #[arg(value_name = "Key", value_parser = secret_arg, allow_hyphen_values = true)]
        key: SecretArg,
        /// Accepted and ignored: every change is persistent
        #[arg(value_name = "Persist", allow_hyphen_values = true)]
        persist: String,
    },
    /// Sets (or with Key * removes) the preshared key for an initiator identifier
    #[command(name = "PSKey", alias = "pskey")]
    PsKey {
        /// Must be *
        #[arg(value_name = "InitiatorName")]
        initiator_name: String,
        /// A port number, or * for all ports
        #[arg(value_name = "Port")]
        port: String,
        /// ISCSI_SECURITY_FLAGS, or * for 0
        #[arg(value_name = "SecurityFlags")]
        security_flags: String,
        /// 1 IPv4, 2 FQDN, 3 user FQDN, 5 IPv6
        #[arg(value_name = "IdType")]
        id_type: String,
        /// Dotted IPv4 (type 1), IPv6 (type 5), or the name
        #[arg(value_name = "Id", allow_hyphen_values = true)]
        id: String,
        /// The key: text, 0x followed by hex digits, or * to remove
        #[arg(value_name = "Key", value_parser = secret_arg, allow_hyphen_values = true)]
        key: SecretArg,
        /// Accepted and ignored: every change is persistent
        #[arg(value_name = "Persist", allow_hyphen_values = true)]
        persist: String,
    },
    /// Shows whether an explicit key is set for an identifier, and its security flags
    #[command(name = "GetPSKey", alias = "getpskey")]
    GetPsKey {
        /// Must be *
        #[arg(value_name = "InitiatorName")]
        initiator_name: String,
        /// A port number, or * for all ports
        #[arg(value_name = "Port")]
        port: String,
        /// 1 IPv4, 2 FQDN, 3 user FQDN, 5 IPv6
        #[arg(value_name = "IdType")]
        id_type: String,
        /// Dotted IPv4 (type 1), IPv6 (type 5), or the name
        #[arg(value_name = "Id", allow_hyphen_values = true)]
        id: String,
    },
    /// Sets (or with * clears) the initiator CHAP secret
    #[command(name = "CHAPSecret", alias = "chapsecret")]
    ChapSecret {
        /// The secret: text, 0x followed by hex digits, or * to clear
        #[arg(value_name = "Secret", value_parser = secret_arg, allow_hyphen_values = true)]
        secret: SecretArg,
    },
    /// Maps a destination to a tunnel-mode outer address (Tunnel * removes the mapping)
    #[command(name = "TunnelAddr", alias = "tunneladdr")]
    TunnelAddr {
        /// Must be *
        #[arg(value_name = "InitiatorName")]
        initiator_name: String,
        /// A port number, or * for all ports
        #[arg(value_name = "Port")]
        port: String,
        /// IPv4, IPv6 (with an optional %scope) or a text address
        #[arg(value_name = "Destination", allow_hyphen_values = true)]
        destination: String,
        /// IPv4, IPv6, a text address, or * to remove the mapping
        #[arg(value_name = "Tunnel", allow_hyphen_values = true)]
        tunnel: String,
        /// Accepted and ignored: every change is persistent
        #[arg(value_name = "Persist", allow_hyphen_values = true)]
        persist: String,
    },
    /// Clears every preshared key, the group key and the CHAP secret
    #[command(name = "ClearCache", alias = "clearcache")]
    ClearCache,
}

/// `exec CLASS METHOD_ID [--out-size N]`.
#[derive(Args)]
pub(super) struct ExecArgs {
    /// MSiSCSI_SecurityConfigOperations, MSiSCSI_Operations, or a class GUID
    #[arg(value_name = "CLASS")]
    pub(super) class: String,
    /// The WMI method id (decimal, or hex with 0x)
    #[arg(value_name = "METHOD_ID")]
    pub(super) method_id: String,
    /// OutBufferSize [default: the method's OUT size, 0 for an unknown method]
    #[arg(long, value_name = "N")]
    pub(super) out_size: Option<String>,
}

/// `lookup --port P --id-type T --id ID [--reveal]`.
#[derive(Args)]
pub(super) struct LookupArgs {
    /// A port number, or * for all ports
    #[arg(long, value_name = "P")]
    pub(super) port: String,
    /// 1|2|3|5 or ipv4|fqdn|user-fqdn|ipv6
    #[arg(long, value_name = "T")]
    pub(super) id_type: String,
    /// Dotted IPv4, textual IPv6, or the name
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub(super) id: String,
    /// Also print the key bytes, in lower-case hex
    #[arg(long)]
    pub(super) reveal: bool,
}

/// `show --json`.
#[derive(Args)]
pub(super) struct ShowArgs {
    /// Print one JSON object (the only format)
    #[arg(long, required = true)]
    json: bool,
}

/// A key or secret argument: wiped on drop, never printed.
#[derive(Clone)]
pub(super) struct SecretArg(pub(super) Zeroizing<String>);

impl fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretArg([secret elided])")
    }
}

fn secret_arg(s: &str) -> Result<SecretArg, Infallible> {
    Ok(SecretArg(Zeroizing::new(s.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::path::Path;

    #[test]
    fn the_clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("iscsisec").chain(args.iter().copied()))
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let before = parse(&["--state", "/s", "--ports", "4", "ClearCache"]).unwrap();
        let after = parse(&["clearcache", "--state", "/s", "--ports", "0x4"]).unwrap();
        for cli in [before, after] {
            assert_eq!(cli.state.as_deref(), Some(Path::new("/s")));
            assert_eq!(cli.ports, 4);
            assert_eq!(cli.max_entries, 4096);
            assert!(matches!(cli.command, Command::Verb(Verb::ClearCache)));
        }
        let cli = parse(&["GroupKey", "k", "*", "--state", "/t"]).unwrap();
        assert_eq!(cli.state.as_deref(), Some(Path::new("/t")));
    }

    #[test]
    fn hyphenated_keys_are_values_not_options() {
        let cli = parse(&["GroupKey", "-not-an-option", "*"]).unwrap();
        let Command::Verb(Verb::GroupKey { key, persist }) = cli.command else {
            panic!("not GroupKey");
        };
        assert_eq!((key.0.as_str(), persist.as_str()), ("-not-an-option", "*"));
        assert_eq!(format!("{key:?}"), "SecretArg([secret elided])");
    }
}
