//! The `iscsisec` command line (SPEC §7): `exec`, `lookup`, `show`, the iscsicli verbs, `demo`.
//!
//! ```text
//!   argv, stdin ──► cli (this file) ──► text ──► core wire emitters ─┐
//!                                                                    ▼
//!   stdout, stderr, exit code ◄── cli ◄──── Provider::execute_method / lookup ◄── DirStore
//! ```
//!
//! Every invocation is a fresh process: it opens the state directory (taking its lock),
//! rebuilds the core's table from the stored records, runs one command and exits. The host
//! decides nothing: it turns text into bytes, hands them to the core and prints the answer.
//!
//! Exit codes: 0 success; 1 nothing found (`lookup`), an ISDSC error from an iscsicli verb, or
//! a storage or runtime failure; 2 bad arguments, with exactly one line on standard error.

use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};
use iscsisec_core::consts::{
    OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID, class_by_name, method,
};
use iscsisec_core::domain::ValidationError;
use iscsisec_core::provider::out_size;
use iscsisec_core::wire::{
    GetPresharedKeyForIdIn, GetPresharedKeyForIdOut, SetChapSharedSecretIn, SetGroupPresharedKeyIn,
    SetPresharedKeyForIdIn, SetTunnelModeOuterAddressIn, StatusOut,
};
use iscsisec_core::{
    AdapterConfig, Guid, Identifier, IsdscStatus, KeyBuffer, LoadReport, LookupMiss, MethodResult,
    NtStatus, PortSelector, Provider,
};
use zeroize::Zeroizing;

use crate::platform::{ProcessPlatform, process_platform};
use crate::store::{Access, DirStore};
use crate::{demo, show, text};

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
        Err(e) => return clap_error(&e),
    };
    match run(&cli) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

// ----- the command line -----

/// iscsisec: the iSCSI HBA security provider's core, hosted in a process with a directory as
/// its nonvolatile storage.
#[derive(Parser)]
#[command(name = "iscsisec", version)]
struct Cli {
    /// Directory holding the stored records [default: $XDG_STATE_HOME/iscsisec,
    /// ~/.local/state/iscsisec, or %LOCALAPPDATA%\iscsisec on Windows]
    #[arg(long, global = true, value_name = "DIR")]
    state: Option<PathBuf>,
    /// The adapter's port count: valid port numbers are 0..N
    #[arg(long, global = true, value_name = "N", default_value = "2",
          value_parser = text::unsigned_as::<u32>)]
    ports: u32,
    /// The most explicit keys (and, separately, tunnel mappings) the adapter holds
    #[arg(long, global = true, value_name = "N", default_value = "4096",
          value_parser = text::unsigned_as::<usize>)]
    max_entries: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs one WMI method with the IN buffer read from standard input, as the driver would
    Exec(ExecArgs),
    /// Looks up the preshared key IKE would use for an initiator identifier
    Lookup(LookupArgs),
    /// Describes the stored state (never key or secret bytes)
    Show(ShowArgs),
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
    /// Shows the provider's main job end to end, one fresh process per step
    Demo,
}

#[derive(Args)]
struct ExecArgs {
    /// MSiSCSI_SecurityConfigOperations, MSiSCSI_Operations, or a class GUID
    #[arg(value_name = "CLASS")]
    class: String,
    /// The WMI method id (decimal, or hex with 0x)
    #[arg(value_name = "METHOD_ID")]
    method_id: String,
    /// OutBufferSize [default: the method's OUT size, 0 for an unknown method]
    #[arg(long, value_name = "N")]
    out_size: Option<String>,
}

#[derive(Args)]
struct LookupArgs {
    /// A port number, or * for all ports
    #[arg(long, value_name = "P")]
    port: String,
    /// 1|2|3|5 or ipv4|fqdn|user-fqdn|ipv6
    #[arg(long, value_name = "T")]
    id_type: String,
    /// Dotted IPv4, textual IPv6, or the name
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    id: String,
    /// Also print the key bytes, in lower-case hex
    #[arg(long)]
    reveal: bool,
}

#[derive(Args)]
struct ShowArgs {
    /// Print one JSON object (the only format)
    #[arg(long, required = true)]
    json: bool,
}

/// A key or secret argument: wiped on drop, never printed.
#[derive(Clone)]
struct SecretArg(Zeroizing<String>);

impl fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretArg([secret elided])")
    }
}

fn secret_arg(s: &str) -> Result<SecretArg, Infallible> {
    Ok(SecretArg(Zeroizing::new(s.to_owned())))
}

// ----- failures -----

/// Why a command did not complete.
enum Failure {
    /// Bad arguments: exit 2.
    Usage(String),
    /// Storage or another runtime failure: exit 1.
    Runtime(String),
}

impl Failure {
    fn report(self) -> ExitCode {
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

fn usage(message: String) -> Failure {
    Failure::Usage(message)
}

/// Prints a clap error: help and version normally (exit 0), anything else as its first line
/// (exit 2).
fn clap_error(e: &clap::Error) -> ExitCode {
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

fn stderr_line(line: &str) {
    // Nothing sensible remains if standard error itself fails.
    let _ = writeln!(io::stderr().lock(), "{line}");
}

fn stdout_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Runtime(format!("cannot write to standard output: {e}")))
}

fn stdout_line(line: &str) -> Result<(), Failure> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(line.len().saturating_add(1)));
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    stdout_bytes(&bytes)
}

// ----- running a command -----

fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Exec(args) => exec(cli, args),
        Command::Lookup(args) => lookup(cli, args),
        Command::Show(_) => show(cli),
        Command::Demo => demo::run(&demo::Settings {
            state_given: cli.state.is_some(),
            ports: cli.ports,
            max_entries: cli.max_entries,
        })
        .map_err(Failure::Runtime),
        verb => {
            let call = build_call(verb)?;
            let (mut provider, _) = open(cli, Access::Change)?;
            report_verb(&call, &mut provider)
        }
    }
}

/// Resolves the state directory, opens it for `access` and starts the core over it.
fn open(
    cli: &Cli,
    access: Access,
) -> Result<(Provider<DirStore, ProcessPlatform>, LoadReport), Failure> {
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
    let store = DirStore::open(&dir, access).map_err(Failure::Runtime)?;
    let config = AdapterConfig {
        port_count: cli.ports,
        max_entries: cli.max_entries,
    };
    match Provider::start(store, config, process_platform()) {
        Ok((provider, report)) => {
            // Files that could not be read at all (the core counts them as corrupt records),
            // and entries that block writes.
            for failure in provider.store().take_failures() {
                stderr_line(&format!("storage: {failure}"));
            }
            Ok((provider, report))
        }
        Err(e) => Err(Failure::Runtime(format!(
            "cannot load the records in {}: {e}",
            dir.display()
        ))),
    }
}

/// The per-user default state directory: `%LOCALAPPDATA%\iscsisec` on Windows, else
/// `$XDG_STATE_HOME/iscsisec`, else `$HOME/.local/state/iscsisec`.
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

/// One method call, the same path for `exec` and the iscsicli verbs: a buffer of
/// `max(in, out)` bytes holding the IN data, handed to the core as the driver would.
fn dispatch(
    provider: &mut Provider<DirStore, ProcessPlatform>,
    class: &Guid,
    method_id: u32,
    input: &[u8],
    out_size: u32,
) -> (MethodResult, Zeroizing<Vec<u8>>) {
    let out_len = usize::try_from(out_size).map_or(MAX_BUFFER, |n| n.min(MAX_BUFFER));
    let mut buffer = Zeroizing::new(vec![0u8; input.len().max(out_len)]);
    if let Some(dst) = buffer.get_mut(..input.len()) {
        dst.copy_from_slice(input);
    }
    let in_size = u32::try_from(input.len()).unwrap_or(u32::MAX);
    let result = provider.execute_method(class, method_id, &mut buffer, in_size, out_size);
    // The core only answers ISDSC_NON_SPECIFIC_ERROR for a storage failure; say what it was.
    for failure in provider.store().take_failures() {
        stderr_line(&format!("storage: {failure}"));
    }
    (result, buffer)
}

// ----- exec -----

fn exec(cli: &Cli, args: &ExecArgs) -> Result<ExitCode, Failure> {
    let class = class(&args.class)?;
    let method_id = text::number_as::<u32>("METHOD_ID", &args.method_id).map_err(usage)?;
    let out_size = match &args.out_size {
        Some(n) => {
            let n = text::number_as::<u32>("--out-size", n).map_err(usage)?;
            if usize::try_from(n).map_or(true, |n| n > MAX_BUFFER) {
                return Err(usage(format!(
                    "--out-size: {n} is more than {MAX_BUFFER} bytes"
                )));
            }
            n
        }
        None => out_size(&class, method_id).unwrap_or(0),
    };
    let input = read_stdin()?;
    let (mut provider, _) = open(cli, Access::Change)?;
    let (result, buffer) = dispatch(&mut provider, &class, method_id, &input, out_size);
    let written = if result.status.is_success() {
        let used = usize::try_from(result.used).unwrap_or(usize::MAX);
        stdout_bytes(buffer.get(..used).unwrap_or(&buffer))
    } else {
        Ok(())
    };
    if let Err(Failure::Runtime(m) | Failure::Usage(m)) = &written {
        stderr_line(&format!("error: {m}"));
    }
    stderr_line(&format!(
        "ntstatus=0x{:08X} used={}",
        result.status.0, result.used
    ));
    Ok(if written.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `CLASS`: a class name of SPEC §1 in any case, or a GUID the core serves.
fn class(text: &str) -> Result<Guid, Failure> {
    if let Some(guid) = class_by_name(text) {
        return Ok(guid);
    }
    let Some(guid) = Guid::parse(text) else {
        return Err(usage(format!(
            "CLASS: '{text}' is neither MSiSCSI_SecurityConfigOperations, MSiSCSI_Operations \
             nor a GUID"
        )));
    };
    // The core knows which classes it serves.
    if out_size(&guid, 0) == Err(NtStatus::WMI_GUID_NOT_FOUND) {
        return Err(usage(format!(
            "CLASS: {{{guid}}} is not a class this provider serves"
        )));
    }
    Ok(guid)
}

/// Reads standard input whole, up to [`MAX_BUFFER`] bytes, into a buffer wiped on drop.
fn read_stdin() -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut buffer = Zeroizing::new(vec![0u8; MAX_BUFFER.saturating_add(1)]);
    let mut filled = 0usize;
    let mut stdin = io::stdin().lock();
    while let Some(rest) = buffer.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match stdin.read(rest) {
            Ok(0) => break,
            Ok(n) => filled = filled.saturating_add(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Failure::Runtime(format!("cannot read standard input: {e}"))),
        }
    }
    if filled > MAX_BUFFER {
        return Err(usage(format!(
            "standard input holds more than {MAX_BUFFER} bytes (the IN buffer is at most 64 KiB)"
        )));
    }
    buffer.truncate(filled);
    Ok(buffer)
}

// ----- lookup -----

fn lookup(cli: &Cli, args: &LookupArgs) -> Result<ExitCode, Failure> {
    let raw_port = text::port("--port", &args.port).map_err(usage)?;
    let port = PortSelector::parse(raw_port, cli.ports).map_err(|_| {
        usage(format!(
            "--port: {} is not a port of this adapter (0 to {} or *; see --ports)",
            args.port,
            cli.ports.saturating_sub(1)
        ))
    })?;
    let raw_type = text::id_type_name(&args.id_type).map_err(usage)?;
    let id_bytes = text::identifier("--id", raw_type, &args.id).map_err(usage)?;
    let id = Identifier::parse(raw_type, &id_bytes)
        .map_err(|e| usage(format!("--id: {}", identifier_problem(e, raw_type))))?;
    let (provider, _) = open(cli, Access::Read)?;
    let mut key = KeyBuffer::new();
    match provider.lookup(port, &id, &mut key) {
        Ok(source) => {
            // Room for the whole line up front: a reallocation would leave key text behind.
            let room = 32usize.saturating_add(key.expose_secret().len().saturating_mul(2));
            let mut line = Zeroizing::new(String::with_capacity(room));
            line.push_str("source=");
            line.push_str(source.as_str());
            if args.reveal {
                line.push_str(" key=");
                line.push_str(&text::hex(key.expose_secret()));
            }
            stdout_line(&line)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(LookupMiss::Damaged) => {
            stdout_line("source=none")?;
            stderr_line(
                "error: a stored record for this identifier is damaged; run ClearCache or set \
                 the key again",
            );
            Ok(ExitCode::FAILURE)
        }
        Err(_) => {
            stdout_line("source=none")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Says in words why the core refused an identifier.
fn identifier_problem(e: ValidationError, raw_type: u8) -> String {
    match e {
        ValidationError::IdTypeNotSupported => {
            format!("{raw_type} is not an identifier type (1 ipv4, 2 fqdn, 3 user-fqdn, 5 ipv6)")
        }
        ValidationError::IdIncorrectSize => "a name identifier is 1 to 255 bytes long".to_owned(),
        ValidationError::IdBadByte => {
            "a name identifier holds only printable ASCII, without spaces".to_owned()
        }
        other => format!("the identifier is refused: {other}"),
    }
}

// ----- show -----

fn show(cli: &Cli) -> Result<ExitCode, Failure> {
    let (provider, report) = open(cli, Access::Read)?;
    stdout_line(&show::json(provider.table(), &report))?;
    Ok(ExitCode::SUCCESS)
}

// ----- iscsicli verbs -----

/// A verb's WMI call: which method, and its IN buffer (wiped on drop: it may hold a key).
struct Call {
    class: Guid,
    method_id: u32,
    input: Zeroizing<Vec<u8>>,
}

impl Call {
    fn security_config(method_id: u32, input: Zeroizing<Vec<u8>>) -> Call {
        Call {
            class: SECURITY_CONFIG_OPERATIONS_GUID,
            method_id,
            input,
        }
    }
}

/// Builds the IN buffer of a verb with the core's emitter.
fn emit_with(
    len: usize,
    emit: impl FnOnce(&mut [u8]) -> Result<(), iscsisec_core::wire::WireError>,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut input = Zeroizing::new(vec![0u8; len]);
    emit(&mut input).map_err(|e| Failure::Runtime(format!("cannot build the IN buffer: {e}")))?;
    Ok(input)
}

fn initiator_name(text: &str) -> Result<(), Failure> {
    if text == "*" {
        Ok(())
    } else {
        Err(usage(format!(
            "InitiatorName: '{text}' is not supported; pass * (this adapter's initiator)"
        )))
    }
}

fn id_type_arg(text: &str) -> Result<u8, Failure> {
    text::number_as::<u8>("IdType", text).map_err(usage)
}

fn build_call(verb: &Command) -> Result<Call, Failure> {
    match verb {
        Command::GroupKey { key, persist: _ } => {
            let key = text::secret("Key", &key.0).map_err(usage)?;
            let repr = SetGroupPresharedKeyIn { key: &key };
            let input = emit_with(repr.buffer_len(), |b| repr.emit(b))?;
            Ok(Call::security_config(
                method::SET_GROUP_PRESHARED_KEY,
                input,
            ))
        }
        Command::PsKey {
            initiator_name: name,
            port,
            security_flags,
            id_type,
            id,
            key,
            persist: _,
        } => {
            initiator_name(name)?;
            let port_number = text::port("Port", port).map_err(usage)?;
            let security_flags = text::security_flags(security_flags).map_err(usage)?;
            let id_type = id_type_arg(id_type)?;
            let id = text::identifier("Id", id_type, id).map_err(usage)?;
            let key = text::secret("Key", &key.0).map_err(usage)?;
            let repr = SetPresharedKeyForIdIn {
                port_number,
                security_flags,
                id_type,
                id: &id,
                key: &key,
            };
            let input = emit_with(repr.buffer_len(), |b| repr.emit(b))?;
            Ok(Call::security_config(
                method::SET_PRESHARED_KEY_FOR_ID,
                input,
            ))
        }
        Command::GetPsKey {
            initiator_name: name,
            port,
            id_type,
            id,
        } => {
            initiator_name(name)?;
            let port_number = text::port("Port", port).map_err(usage)?;
            let id_type = id_type_arg(id_type)?;
            let id = text::identifier("Id", id_type, id).map_err(usage)?;
            let repr = GetPresharedKeyForIdIn {
                port_number,
                id_type,
                id: &id,
            };
            let input = emit_with(repr.buffer_len(), |b| repr.emit(b))?;
            Ok(Call::security_config(
                method::GET_PRESHARED_KEY_FOR_ID,
                input,
            ))
        }
        Command::ChapSecret { secret } => {
            let secret = text::secret("Secret", &secret.0).map_err(usage)?;
            let repr = SetChapSharedSecretIn {
                shared_secret: &secret,
            };
            let input = emit_with(repr.buffer_len(), |b| repr.emit(b))?;
            Ok(Call {
                class: OPERATIONS_GUID,
                method_id: method::SET_CHAP_SHARED_SECRET,
                input,
            })
        }
        Command::TunnelAddr {
            initiator_name: name,
            port,
            destination,
            tunnel,
            persist: _,
        } => {
            initiator_name(name)?;
            let port_number = text::port("Port", port).map_err(usage)?;
            let destination = text::ip_address("Destination", destination).map_err(usage)?;
            let tunnel = text::ip_address("Tunnel", tunnel).map_err(usage)?;
            // WMI's packed form, as a management tool's call reaches the driver.
            let repr =
                SetTunnelModeOuterAddressIn::new(port_number, destination.view(), tunnel.view());
            let input = emit_with(repr.buffer_len(), |b| repr.emit(b))?;
            Ok(Call::security_config(
                method::SET_TUNNEL_MODE_OUTER_ADDRESS,
                input,
            ))
        }
        Command::ClearCache => Ok(Call::security_config(
            method::CLEAR_CACHE,
            Zeroizing::new(Vec::new()),
        )),
        Command::Exec(_) | Command::Lookup(_) | Command::Show(_) | Command::Demo => Err(
            Failure::Runtime("internal: not an iscsicli verb".to_owned()),
        ),
    }
}

/// Dispatches a verb's call and prints `status=NAME code=0x…` (and GetPSKey's flags).
fn report_verb(
    call: &Call,
    provider: &mut Provider<DirStore, ProcessPlatform>,
) -> Result<ExitCode, Failure> {
    let out = out_size(&call.class, call.method_id).unwrap_or(0);
    let (result, buffer) = dispatch(provider, &call.class, call.method_id, &call.input, out);
    if !result.status.is_success() {
        stdout_line(&format!("ntstatus=0x{:08X}", result.status.0))?;
        return Ok(ExitCode::FAILURE);
    }
    let used = usize::try_from(result.used).unwrap_or(usize::MAX);
    let out = buffer.get(..used).unwrap_or(&buffer);
    let unreadable = |_| Failure::Runtime("the OUT buffer is shorter than its struct".to_owned());
    let (status, flags) = if call.method_id == method::GET_PRESHARED_KEY_FOR_ID
        && call.class == SECURITY_CONFIG_OPERATIONS_GUID
    {
        let o = GetPresharedKeyForIdOut::parse(out).map_err(unreadable)?;
        (o.status, Some(o.security_flags))
    } else {
        (StatusOut::parse(out).map_err(unreadable)?.status, None)
    };
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

/// 0 for success or a warning (the change was made), 1 otherwise.
fn verb_exit_code(status: IsdscStatus) -> ExitCode {
    if status == IsdscStatus::SUCCESS || status.is_warning() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
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
        }
        let cli = parse(&["GroupKey", "k", "*", "--state", "/t"]).unwrap();
        assert_eq!(cli.state.as_deref(), Some(Path::new("/t")));
    }

    #[test]
    fn hyphenated_keys_are_values_not_options() {
        let cli = parse(&["GroupKey", "-not-an-option", "*"]).unwrap();
        let Command::GroupKey { key, .. } = cli.command else {
            panic!("not GroupKey");
        };
        assert_eq!(key.0.as_str(), "-not-an-option");
        assert_eq!(format!("{key:?}"), "SecretArg([secret elided])");
    }

    #[test]
    fn clap_errors_render_to_one_line_naming_what_is_missing() {
        let e = parse(&["PSKey", "*", "0"]).err().unwrap();
        let line = first_line_of(&e);
        assert!(!line.contains('\n'));
        assert!(
            line.contains("<SecurityFlags>") && line.contains("<Persist>"),
            "{line}"
        );
    }

    #[test]
    fn classes_by_name_or_served_guid_only() {
        assert!(matches!(class("msiscsi_operations"), Ok(g) if g == OPERATIONS_GUID));
        assert!(matches!(
            class("{391f3325-0ba3-4083-a861-cf4f6f97a527}"),
            Ok(g) if g == SECURITY_CONFIG_OPERATIONS_GUID
        ));
        assert!(matches!(
            class("00000000-0000-0000-0000-000000000000"),
            Err(Failure::Usage(_))
        ));
        assert!(matches!(class("MSiSCSI_Other"), Err(Failure::Usage(_))));
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
