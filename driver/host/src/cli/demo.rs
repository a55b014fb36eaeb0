//! `iscsisec demo`: the provider's main job end to end, one fresh process per step.
//!
//! ```text
//!   demo (this file) ──spawns──► iscsisec --state DIR <step> ──► core ──► DIR
//!        ▲                                      │
//!        └──────── prints each command line and its output ◄───┘
//! ```
//!
//! Every step runs this same program again (`std::env::current_exe`) as a new process, so each
//! step starts from what the previous ones stored: the demo shows persistence as a side effect.
//! It always works in a fresh directory of its own, removed afterwards: it never reads or
//! changes the state directory (`--state` or the default), since its ClearCache step would
//! wipe real keys.
//! Keys are set through the iscsicli verbs and through a raw WMI IN buffer sent to `exec`,
//! whose bytes are printed (they are the bytes the driver's WMI callback receives); lookups
//! then show each precedence level of SPEC §5. A second raw buffer maps a text destination,
//! to show how WMI packs a counted string (SPEC §2).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use iscsisec_core::consts::{ALL_PORTS, ip_address_type};
use iscsisec_core::wire::{IscsiIpAddress, SetPresharedKeyForIdIn, SetTunnelModeOuterAddressIn};
use zeroize::Zeroizing;

/// What `demo` needs from the command line.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    /// Whether `--state` was given: the demo says it leaves that directory alone.
    pub state_given: bool,
    /// `--ports`, passed on to every step.
    pub ports: u32,
    /// `--max-entries`, passed on to every step.
    pub max_entries: usize,
}

/// Runs the demo; exit 0 when every step exited as expected.
///
/// # Errors
///
/// The program or the state directory could not be set up, or standard output failed.
pub(super) fn run(settings: &Settings) -> Result<ExitCode, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find this program to run the steps: {e}"))?;
    if settings.state_given {
        writeln!(
            io::stdout(),
            "note: the demo works in a fresh directory of its own; --state is left untouched."
        )
        .map_err(stdout_error)?;
    }
    let dir = fresh_temp_dir()?;
    let demo = Demo {
        exe,
        dir: dir.clone(),
        settings: settings.clone(),
    };
    let result = demo.all_steps();
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        let _ = writeln!(
            io::stderr(),
            "warning: cannot remove {}: {e}",
            dir.display()
        );
    }
    let failed = result?;
    let mut out = io::stdout().lock();
    let summary = if failed == 0 {
        "Every step exited as expected.".to_owned()
    } else {
        format!("{failed} step(s) did not exit as expected.")
    };
    writeln!(out, "{summary}").map_err(stdout_error)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

struct Demo {
    exe: PathBuf,
    dir: PathBuf,
    settings: Settings,
}

/// One step: what it shows, the arguments after `--state DIR`, the IN buffer for `exec`, and
/// the exit code it should have.
struct Step {
    title: &'static str,
    explain: &'static str,
    args: Vec<String>,
    stdin: Option<Zeroizing<Vec<u8>>>,
    expect: i32,
}

fn step(title: &'static str, explain: &'static str, args: &[&str], expect: i32) -> Step {
    Step {
        title,
        explain,
        args: args.iter().map(|&a| a.to_owned()).collect(),
        stdin: None,
        expect,
    }
}

/// The all-ports key of the demo, set through a raw WMI buffer.
const ALL_PORTS_KEY: &[u8] = b"demo-all-ports-key";

impl Demo {
    /// Runs every step and returns how many did not exit as expected.
    fn all_steps(&self) -> Result<usize, String> {
        let mut out = io::stdout().lock();
        writeln!(
            out,
            "iscsisec demo: each step below is a separate iscsisec process using the state \
             directory\n  {}\nso each one starts from what the earlier ones stored (a restart \
             every time). The keys are demo values.",
            self.dir.display()
        )
        .map_err(stdout_error)?;
        drop(out);
        let mut failed = 0usize;
        for (n, step) in self.steps()?.into_iter().enumerate() {
            if !self.run_step(n.saturating_add(1), &step)? {
                failed = failed.saturating_add(1);
            }
        }
        Ok(failed)
    }

    fn steps(&self) -> Result<Vec<Step>, String> {
        let class = "MSiSCSI_SecurityConfigOperations";
        let fqdn = ["--id-type", "fqdn", "--id"];
        Ok(vec![
            step(
                "Set the group key (GroupKey)",
                "The group key is the fallback for any initiator without an explicit key.",
                &["GroupKey", "demo-group-key", "*"],
                0,
            ),
            step(
                "Set an explicit key for FQDN initiator.example on port 0 (PSKey)",
                "Security flags 0x0B: valid, IKE/IPsec enabled, aggressive mode (the mode in \
                 which an FQDN identifier is usable).",
                &[
                    "PSKey",
                    "*",
                    "0",
                    "0x0B",
                    "2",
                    "initiator.example",
                    "demo-port0-key",
                    "*",
                ],
                0,
            ),
            Step {
                title: "Set an all-ports key for IPv4 192.0.2.10 through a raw WMI buffer (exec)",
                explain: "This is SetPresharedKeyForId_IN exactly as the driver's WMI callback \
                          receives it: PortNumber 0xFFFFFFFF (all ports), SecurityFlags 0x07 \
                          (valid, IKE/IPsec, main mode), IdType 1, IdSize 4, KeySize 18, the \
                          address, the key. stdout is the OUT buffer (Status 0).",
                args: vec![class.to_owned(), "1".to_owned()],
                stdin: Some(all_ports_buffer()?),
                expect: 0,
            },
            step(
                "Look up initiator.example on port 0",
                "Precedence 1: the explicit key for this port and identifier.",
                &[
                    &["lookup", "--port", "0"][..],
                    &fqdn[..],
                    &["initiator.example", "--reveal"],
                ]
                .concat(),
                0,
            ),
            step(
                "Look up 192.0.2.10 on port 1",
                "Precedence 2: no key for port 1, so the all-ports key for the same identifier.",
                &[
                    "lookup",
                    "--port",
                    "1",
                    "--id-type",
                    "ipv4",
                    "--id",
                    "192.0.2.10",
                    "--reveal",
                ],
                0,
            ),
            step(
                "Look up initiator.example on port 1",
                "Its explicit key is for port 0 only, and it has no all-ports key: group key.",
                &[
                    &["lookup", "--port", "1"][..],
                    &fqdn[..],
                    &["initiator.example", "--reveal"],
                ]
                .concat(),
                0,
            ),
            step(
                "Look up an unknown identifier",
                "Precedence 3: no explicit key at all, so the group key.",
                &[
                    &["lookup", "--port", "0"][..],
                    &fqdn[..],
                    &["unknown.example", "--reveal"],
                ]
                .concat(),
                0,
            ),
            step(
                "Clear the group key (GroupKey with Key *)",
                "A key of size 0 clears it.",
                &["GroupKey", "*", "*"],
                0,
            ),
            step(
                "Look up the unknown identifier again",
                "Precedence 4: nothing, exit code 1.",
                &[
                    &["lookup", "--port", "0"][..],
                    &fqdn[..],
                    &["unknown.example", "--reveal"],
                ]
                .concat(),
                1,
            ),
            step(
                "Read back the flags of initiator.example's key (GetPSKey)",
                "GetPresharedKeyForId answers the stored security flags, never key bytes.",
                &["GetPSKey", "*", "0", "2", "initiator.example"],
                0,
            ),
            step(
                "Set the group key again, this time as hex (GroupKey 0x...)",
                "Keys are text unless they start with 0x; then they are bytes in hex.",
                &["GroupKey", "0x64656d6f2d67726f75702d6b65792d32", "*"],
                0,
            ),
            step(
                "Set a 10-byte initiator CHAP secret (CHAPSecret)",
                "Stored, with the warning that a secret under 12 bytes is usable only on \
                 IPsec-protected connections (exit 0: a warning means the change was made).",
                &["CHAPSecret", "demo-chap!"],
                0,
            ),
            step(
                "Map a destination to a tunnel-mode outer address (TunnelAddr)",
                "Tunnel mappings are not part of the key cache: ClearCache keeps them.",
                &["TunnelAddr", "*", "*", "198.51.100.7", "203.0.113.1", "*"],
                0,
            ),
            Step {
                title: "Map a text destination through a raw WMI buffer (exec)",
                explain: "SetTunnelModeOuterAddress_IN as WMI marshals it: PortNumber 0, then \
                          the destination, Type 0 (text), whose TextAddress is a counted \
                          string: its length in bytes (0x1c, 28) at offset 36, then \
                          target.example in UTF-16. The outer address, IPv4 203.0.113.9, starts \
                          at the next multiple of 4 after the text (68); its own text is empty. \
                          102 bytes in all: the C header's fixed 1100-byte layout is accepted \
                          too.",
                args: vec![class.to_owned(), "4".to_owned()],
                stdin: Some(text_tunnel_buffer()?),
                expect: 0,
            },
            step(
                "Describe the stored state (show --json)",
                "Never any key or secret bytes: only whether the group key is set and the CHAP \
                 secret's length.",
                &["show", "--json"],
                0,
            ),
            step(
                "Clear the key cache (ClearCache)",
                "Removes every explicit key, the group key and the CHAP secret, from memory and \
                 from storage.",
                &["ClearCache"],
                0,
            ),
            step(
                "Describe the stored state again",
                "The keys and the CHAP secret are gone; the tunnel mapping stays.",
                &["show", "--json"],
                0,
            ),
        ])
    }

    /// Runs one step, prints it, and says whether it exited as expected.
    fn run_step(&self, n: usize, step: &Step) -> Result<bool, String> {
        let mut out = io::stdout().lock();
        let mut args: Vec<OsString> = vec!["--state".into(), self.dir.clone().into()];
        let mut shown: Vec<String> = vec!["--state".to_owned(), shell_quote_path(&self.dir)];
        if self.settings.ports != 2 {
            let ports = self.settings.ports.to_string();
            args.extend(["--ports".into(), ports.clone().into()]);
            shown.extend(["--ports".to_owned(), ports]);
        }
        if self.settings.max_entries != 4096 {
            let max = self.settings.max_entries.to_string();
            args.extend(["--max-entries".into(), max.clone().into()]);
            shown.extend(["--max-entries".to_owned(), max]);
        }
        if step.stdin.is_some() {
            args.push("exec".into());
            shown.push("exec".to_owned());
        }
        args.extend(step.args.iter().map(OsString::from));
        shown.extend(step.args.iter().map(|a| shell_quote(a)));

        let mut text = format!("\n== {n}. {} ==\n{}\n", step.title, step.explain);
        if let Some(input) = &step.stdin {
            let _ = write!(
                text,
                "IN buffer ({} bytes):\n{}",
                input.len(),
                hex_dump(input)
            );
            let _ = writeln!(text, "$ iscsisec {} < in.bin", shown.join(" "));
        } else {
            let _ = writeln!(text, "$ iscsisec {}", shown.join(" "));
        }
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        out.flush().map_err(stdout_error)?;

        let output = self.spawn(&args, step.stdin.as_deref().map(Vec::as_slice))?;
        let code = output.status.code();
        let mut text = String::new();
        if step.stdin.is_some() {
            let _ = write!(
                text,
                "OUT buffer on stdout ({} bytes):\n{}",
                output.stdout.len(),
                hex_dump(&output.stdout)
            );
        } else {
            text.push_str(&String::from_utf8_lossy(&output.stdout));
        }
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            let _ = writeln!(text, "stderr: {line}");
        }
        let as_expected = code == Some(step.expect);
        match code {
            Some(c) if as_expected => {
                let _ = writeln!(text, "(exit {c})");
            }
            Some(c) => {
                let _ = writeln!(text, "UNEXPECTED: exit {c}, expected {}", step.expect);
            }
            None => {
                let _ = writeln!(text, "UNEXPECTED: killed by a signal");
            }
        }
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        Ok(as_expected)
    }

    fn spawn(
        &self,
        args: &[OsString],
        stdin: Option<&[u8]>,
    ) -> Result<std::process::Output, String> {
        let mut command = Command::new(&self.exe);
        command
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let spawn_error = |e: io::Error| format!("cannot run {}: {e}", self.exe.display());
        let mut child = command.spawn().map_err(spawn_error)?;
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // The buffer is small (well under a pipe's capacity); the pipe closes on drop.
            pipe.write_all(bytes)
                .map_err(|e| format!("cannot feed the IN buffer: {e}"))?;
        }
        child.wait_with_output().map_err(spawn_error)
    }
}

/// SetPresharedKeyForId_IN for the all-ports key of 192.0.2.10, built by the core's emitter.
fn all_ports_buffer() -> Result<Zeroizing<Vec<u8>>, String> {
    let repr = SetPresharedKeyForIdIn {
        port_number: ALL_PORTS,
        security_flags: 0x07,
        id_type: 1,
        id: &[192, 0, 2, 10],
        key: ALL_PORTS_KEY,
    };
    let mut buffer = Zeroizing::new(vec![0u8; repr.buffer_len()]);
    repr.emit(&mut buffer)
        .map_err(|e| format!("cannot build the demo's IN buffer: {e}"))?;
    Ok(buffer)
}

/// SetTunnelModeOuterAddress_IN mapping target.example on port 0 to 203.0.113.9, in WMI's
/// packed form, built by the core's emitter.
fn text_tunnel_buffer() -> Result<Zeroizing<Vec<u8>>, String> {
    let text: Vec<u8> = TEXT_DESTINATION
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut destination = IscsiIpAddress::zeroed(ip_address_type::TEXT);
    destination.text_address = &text;
    let mut outer = IscsiIpAddress::zeroed(ip_address_type::IPV4);
    outer.ipv4_address = [203, 0, 113, 9];
    let repr = SetTunnelModeOuterAddressIn::new(0, destination, outer);
    let mut buffer = Zeroizing::new(vec![0u8; repr.buffer_len()]);
    repr.emit(&mut buffer)
        .map_err(|e| format!("cannot build the demo's IN buffer: {e:?}"))?;
    Ok(buffer)
}

/// The text destination of the demo's raw tunnel buffer.
const TEXT_DESTINATION: &str = "target.example";

/// Sixteen bytes a line, with offsets.
fn hex_dump(bytes: &[u8]) -> String {
    let mut text = String::new();
    for (i, line) in bytes.chunks(16).enumerate() {
        let _ = write!(text, "  {:04x}:", i.saturating_mul(16));
        for b in line {
            let _ = write!(text, " {b:02x}");
        }
        text.push('\n');
    }
    text
}

/// The argument as a POSIX shell would need it to be typed.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

fn shell_quote_path(path: &Path) -> String {
    shell_quote(&path.to_string_lossy())
}

/// A new, empty, private directory under the system's temporary directory.
fn fresh_temp_dir() -> Result<PathBuf, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let base = std::env::temp_dir();
    for attempt in 0u32..100 {
        let dir = base.join(format!(
            "iscsisec-demo-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match create_private(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "cannot create a fresh directory under {}",
        base.display()
    ))
}

#[cfg(unix)]
fn create_private(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private(dir: &Path) -> io::Result<()> {
    std::fs::create_dir(dir)
}

fn stdout_error(e: io::Error) -> String {
    format!("cannot write to standard output: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_buffer_is_the_spec_layout() {
        let b = all_ports_buffer().unwrap();
        assert_eq!(b.len(), 28 + 4 + ALL_PORTS_KEY.len());
        assert_eq!(b[0..4], [0xff; 4]);
        assert_eq!(b[8], 0x07);
        assert_eq!(b[16], 1);
        assert_eq!(b[20..24], 4u32.to_le_bytes());
        assert_eq!(b[28..32], [192, 0, 2, 10]);
        assert_eq!(&b[32..], ALL_PORTS_KEY);
    }

    #[test]
    fn the_raw_tunnel_buffer_is_wmis_packed_layout() {
        let b = text_tunnel_buffer().unwrap();
        assert_eq!(b.len(), 102);
        assert_eq!(b[0..8], [0; 8], "port 0, Type 0");
        assert_eq!(b[36..38], 28u16.to_le_bytes());
        assert_eq!(b[38..42], [b't', 0, b'a', 0]);
        assert_eq!(b[66..68], [0, 0], "padding to 68");
        assert_eq!(b[68..72], 1u32.to_le_bytes());
        assert_eq!(b[72..76], [203, 0, 113, 9]);
        assert_eq!(b[100..102], [0, 0], "L2 = 0");
    }

    #[test]
    fn quoting_and_dump() {
        assert_eq!(shell_quote("*"), "'*'");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
        assert_eq!(shell_quote("0x0B"), "0x0B");
        assert_eq!(
            hex_dump(&[1; 17]),
            "  0000: 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n  0010: 01\n"
        );
        assert_eq!(hex_dump(&[0xab]), "  0000: ab\n");
    }
}
