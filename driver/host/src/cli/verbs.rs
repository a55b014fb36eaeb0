//! What each command does: arguments to bytes, one call into the core, the answer to output.
//!
//! ```text
//!   exec      stdin ─────────────────────────┐
//!   GroupKey, PSKey, …  text ──► core emitter ┴─► dispatch ──► Provider::execute_method
//!   lookup    text ──► Identifier ──────────────────────────► Provider::lookup
//!   show      ──────────────────────────────────────────────► Provider::table ──► show::json
//! ```
//!
//! The host decides nothing here: `exec` hands the core what standard input held, the iscsicli
//! verbs build their IN buffer with the core's own wire emitters, and every status, size check
//! and validation is the core's. Argument errors that stop a command before the core is asked
//! (an unparsable number, `InitiatorName` not `*`) are usage errors.

use std::io::{self, Read};
use std::process::ExitCode;

use iscsisec_core::consts::{
    OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID, class_by_name, method,
};
use iscsisec_core::domain::ValidationError;
use iscsisec_core::provider::out_size;
use iscsisec_core::wire::{
    GetPresharedKeyForIdIn, GetPresharedKeyForIdOut, SetChapSharedSecretIn, SetGroupPresharedKeyIn,
    SetPresharedKeyForIdIn, SetTunnelModeOuterAddressIn, StatusOut, WireError,
};
use iscsisec_core::{
    Guid, Identifier, KeyBuffer, LookupMiss, MethodResult, NtStatus, PortSelector,
};
use zeroize::Zeroizing;

use super::MAX_BUFFER;
use super::args::{Cli, ExecArgs, LookupArgs, Verb};
use super::output::{self, Failure, usage};
use super::state::{Adapter, open};
use super::{show, text};
use crate::store::Access;

// ----- exec -----

/// `exec CLASS METHOD_ID [--out-size N]`: standard input is the IN buffer; the OUT bytes go to
/// standard output, `ntstatus=… used=…` last on standard error. Exit 0 once dispatched.
pub(super) fn exec(cli: &Cli, args: &ExecArgs) -> Result<ExitCode, Failure> {
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
    let (mut adapter, _) = open(cli, Access::Change)?;
    let (result, buffer) = dispatch(&mut adapter, &class, method_id, &input, out_size);
    let written = if result.status.is_success() {
        output::stdout_bytes(used_part(&buffer, result))
    } else {
        Ok(())
    };
    if let Err(Failure::Runtime(m) | Failure::Usage(m)) = &written {
        output::stderr_line(&format!("error: {m}"));
    }
    output::exec_status(result);
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

/// One method call, the same path for `exec` and the iscsicli verbs: a buffer of
/// `max(in, out)` bytes holding the IN data, handed to the core as the driver would.
fn dispatch(
    adapter: &mut Adapter,
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
    let result = adapter.execute_method(class, method_id, &mut buffer, in_size, out_size);
    (result, buffer)
}

/// The first `used` bytes of the buffer: what the core wrote of the OUT data.
fn used_part(buffer: &[u8], result: MethodResult) -> &[u8] {
    let used = usize::try_from(result.used).unwrap_or(usize::MAX);
    buffer.get(..used).unwrap_or(buffer)
}

// ----- lookup -----

/// `lookup --port P --id-type T --id ID [--reveal]`: the key IKE phase 1 would use.
pub(super) fn lookup(cli: &Cli, args: &LookupArgs) -> Result<ExitCode, Failure> {
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
    let (adapter, _) = open(cli, Access::Read)?;
    let mut key = KeyBuffer::new();
    match adapter.lookup(port, &id, &mut key) {
        Ok(source) => output::lookup_found(source, args.reveal.then(|| key.expose_secret())),
        Err(miss) => output::lookup_none(miss == LookupMiss::Damaged),
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

/// `show --json`: the stored state, without key or secret bytes.
pub(super) fn show(cli: &Cli) -> Result<ExitCode, Failure> {
    let (adapter, report) = open(cli, Access::Read)?;
    output::stdout_line(&show::json(adapter.table(), &report))?;
    Ok(ExitCode::SUCCESS)
}

// ----- iscsicli verbs -----

/// An iscsicli verb: its IN buffer built with the core's emitter, dispatched as `exec` would,
/// the answer printed as `status=NAME code=0x…`.
pub(super) fn iscsicli(cli: &Cli, verb: &Verb) -> Result<ExitCode, Failure> {
    let call = build_call(verb)?;
    let (mut adapter, _) = open(cli, Access::Change)?;
    let out = out_size(&call.class, call.method_id).unwrap_or(0);
    let (result, buffer) = dispatch(&mut adapter, &call.class, call.method_id, &call.input, out);
    if !result.status.is_success() {
        return output::verb_transport_error(result.status);
    }
    let out = used_part(&buffer, result);
    let unreadable = |_| Failure::Runtime("the OUT buffer is shorter than its struct".to_owned());
    if call.class == SECURITY_CONFIG_OPERATIONS_GUID
        && call.method_id == method::GET_PRESHARED_KEY_FOR_ID
    {
        let o = GetPresharedKeyForIdOut::parse(out).map_err(unreadable)?;
        output::verb_status(o.status, Some(o.security_flags))
    } else {
        output::verb_status(StatusOut::parse(out).map_err(unreadable)?.status, None)
    }
}

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
    emit: impl FnOnce(&mut [u8]) -> Result<(), WireError>,
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

fn build_call(verb: &Verb) -> Result<Call, Failure> {
    match verb {
        Verb::GroupKey { key, persist: _ } => {
            let key = text::secret("Key", &key.0).map_err(usage)?;
            let repr = SetGroupPresharedKeyIn { key: &key };
            let input = emit_with(repr.buffer_len(), |b| repr.emit(b))?;
            Ok(Call::security_config(
                method::SET_GROUP_PRESHARED_KEY,
                input,
            ))
        }
        Verb::PsKey {
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
        Verb::GetPsKey {
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
        Verb::ChapSecret { secret } => {
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
        Verb::TunnelAddr {
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
        Verb::ClearCache => Ok(Call::security_config(
            method::CLEAR_CACHE,
            Zeroizing::new(Vec::new()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_by_name_or_served_guid_only() {
        assert!(matches!(class("msiscsi_operations"), Ok(g) if g == OPERATIONS_GUID));
        assert!(matches!(
            class("{391f3325-0ba3-4083-a861-cf4f6f97a527}"),
            Ok(g) if g == SECURITY_CONFIG_OPERATIONS_GUID
        ));
        assert!(matches!(
            class("00000000-0000-0000-0000-000000000000"),
            Err(Failure::Usage(m)) if m == "CLASS: {00000000-0000-0000-0000-000000000000} is not \
                                            a class this provider serves"
        ));
        assert!(matches!(
            class("MSiSCSI_Other"),
            Err(Failure::Usage(m)) if m.starts_with("CLASS: 'MSiSCSI_Other' is neither")
        ));
    }
}
