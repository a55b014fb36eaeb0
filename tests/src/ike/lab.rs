//! The interop lab: a loopback-only network namespace with strongSwan's charon as responder.
//!
//! ```text
//!   test ──► lab (this file) ──► ip netns add iscsisec-ike-<pid>-<n>   lo: 127.0.0.1, .2, .3
//!                 │                 └─ charon-systemd (own STRONGSWAN_CONF, vici socket, port)
//!                 ├──► swanctl --load-all / --list-sas  (over that vici socket)
//!                 └──► UdpSocket bound inside the namespace (a thread that setns()es)
//! ```
//!
//! One lab per scenario, one at a time: a process-wide mutex and a lock file serialise labs
//! across the test binaries `cargo test --workspace` runs, and each lab has its own namespace
//! name, directory and charon port. Everything started is stopped by PID (charon: SIGTERM,
//! then SIGKILL after a bound) and the namespace is deleted when the lab drops, also when a
//! test fails. Every wait polls with a bound.
//!
//! Prerequisites: root, `ip` with network namespaces, `/usr/sbin/charon-systemd` and
//! `swanctl` (Debian: charon-systemd, strongswan-swanctl, libcharon-extra-plugins,
//! iproute2). [`Lab::open`] reports a missing one as [`LabError::Missing`]; [`lab_or_skip`]
//! turns that into one `SKIP:` line, or a failure when the environment variable `CI` is set.

use std::fmt::{self, Write as _};
use std::fs::{self, File};
use std::io::Write as _;
use std::marker::PhantomData;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The responder's address inside the namespace.
pub const RESPONDER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
/// The first initiator address (added to `lo`).
pub const INITIATOR_A: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
/// The second initiator address (added to `lo`).
pub const INITIATOR_B: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
/// IKE's UDP port: the initiator's source port.
pub const IKE_PORT: u16 = 500;
/// The proposal charon is configured with (the initiator's one proposal).
pub const PROPOSAL: &str = "aes128-sha256-modp2048";

/// Where charon is, unless `ISCSISEC_CHARON` says otherwise.
const CHARON: &str = "/usr/sbin/charon-systemd";
/// Bound on charon's start (vici socket answering).
const START_BOUND: Duration = Duration::from_secs(15);
/// Bound on charon's exit after SIGTERM, before SIGKILL.
const STOP_BOUND: Duration = Duration::from_secs(5);
/// Interval of every poll.
const POLL: Duration = Duration::from_millis(25);

static IN_PROCESS: Mutex<()> = Mutex::new(());
static SEQUENCE: AtomicU16 = AtomicU16::new(0);

/// Why a lab could not be opened.
#[derive(Debug)]
pub enum LabError {
    /// A prerequisite is missing (not root, no `ip`, no charon, no namespaces): skip.
    Missing(String),
    /// The prerequisites are there but something failed: a test failure.
    Failed(String),
}

/// Opens a lab for `scenario`, or prints one `SKIP:` line and gives `None` when a
/// prerequisite is missing — unless `CI` is set, where a missing prerequisite fails.
///
/// # Panics
///
/// When the lab fails with its prerequisites present, or under `CI` when one is missing.
#[must_use]
pub fn lab_or_skip(scenario: &str) -> Option<Lab> {
    match Lab::open(scenario) {
        Ok(lab) => Some(lab),
        Err(LabError::Missing(why)) => {
            if ci() {
                panic!("{scenario}: a prerequisite of the IKE interop suite is missing: {why}");
            }
            // Written to the process's stderr directly, past the test harness's capture, and
            // on a line of its own (the harness has printed `test NAME ... ` without a newline).
            let _ = write!(std::io::stderr(), "\nSKIP: {scenario}: {why}\n");
            None
        }
        Err(LabError::Failed(why)) => panic!("{scenario}: the lab failed: {why}"),
    }
}

/// Whether the environment variable `CI` is set (to anything but the empty string).
#[must_use]
pub fn ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// One scenario's namespace and directory; holds the suite's lock while it lives.
#[derive(Debug)]
pub struct Lab {
    scenario: String,
    netns: String,
    dir: tempfile::TempDir,
    charon_port: u16,
    // Dropped last (fields drop in order): the namespace goes before the lock is released.
    _file_lock: File,
    _guard: MutexGuard<'static, ()>,
}

impl Lab {
    /// Takes the suite's lock, checks the prerequisites and creates the namespace.
    ///
    /// # Errors
    ///
    /// [`LabError::Missing`] for a missing prerequisite, [`LabError::Failed`] otherwise.
    pub fn open(scenario: &str) -> Result<Lab, LabError> {
        let guard = IN_PROCESS.lock().unwrap_or_else(PoisonError::into_inner);
        let lock_path = std::env::temp_dir().join("iscsisec-ike-interop.lock");
        let file_lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| LabError::Failed(format!("cannot open {}: {e}", lock_path.display())))?;
        file_lock
            .lock()
            .map_err(|e| LabError::Failed(format!("cannot lock {}: {e}", lock_path.display())))?;
        check_prerequisites()?;
        remove_stale_namespaces();

        let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let netns = format!("iscsisec-ike-{}-{seq}", std::process::id());
        // Unique per lab within the process; the namespace keeps processes apart anyway.
        let charon_port = 17_000u16.saturating_add(seq.saturating_mul(2) % 2_000);
        let dir = tempfile::Builder::new()
            .prefix("iscsisec-ike-")
            .tempdir()
            .map_err(|e| LabError::Failed(format!("cannot create a lab directory: {e}")))?;

        let add = run("ip", &["netns", "add", &netns]);
        match add {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                return Err(LabError::Missing(format!(
                    "cannot create a network namespace (ip netns add): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            Err(e) => return Err(LabError::Missing(format!("cannot run ip: {e}"))),
        }
        let lab = Lab {
            scenario: scenario.to_owned(),
            netns,
            dir,
            charon_port,
            _file_lock: file_lock,
            _guard: guard,
        };
        let ns = lab.netns.as_str();
        for args in [
            &["-n", ns, "link", "set", "lo", "up"][..],
            &["-n", ns, "addr", "add", "127.0.0.2/8", "dev", "lo"],
            &["-n", ns, "addr", "add", "127.0.0.3/8", "dev", "lo"],
        ] {
            checked("ip", args).map_err(LabError::Failed)?;
        }
        Ok(lab)
    }

    /// The scenario's name.
    #[must_use]
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The lab's directory (charon's configuration and log).
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where charon listens.
    #[must_use]
    pub fn responder(&self) -> SocketAddr {
        SocketAddr::V4(SocketAddrV4::new(RESPONDER, self.charon_port))
    }

    /// A UDP socket bound to `addr`, port 500, inside the namespace: IKE's own port, as an
    /// HBA sends from. (charon listens on the lab's own port; with port 500 on neither side it
    /// would expect RFC 3948's non-ESP marker before each message.)
    ///
    /// # Errors
    ///
    /// The namespace cannot be entered or the bind fails.
    pub fn socket(&self, addr: Ipv4Addr) -> Result<UdpSocket, String> {
        let path = PathBuf::from("/run/netns").join(&self.netns);
        sys::bind_in_namespace(&path, SocketAddrV4::new(addr, IKE_PORT))
    }

    /// Starts charon with `responder`'s connection and secrets, loaded through swanctl.
    ///
    /// # Errors
    ///
    /// charon does not start, its vici socket does not answer within the bound, or swanctl
    /// refuses the configuration; the message carries charon's log tail.
    pub fn charon(&self, responder: &Responder) -> Result<Charon<'_>, String> {
        let run_dir = self.dir().join(format!("charon-{}", responder.name));
        fs::create_dir_all(&run_dir).map_err(|e| format!("{}: {e}", run_dir.display()))?;
        let conf = run_dir.join("strongswan.conf");
        let swanctl_conf = run_dir.join("swanctl.conf");
        let vici = run_dir.join("charon.vici");
        let log = run_dir.join("charon.log");
        write_file(&conf, &strongswan_conf(self.charon_port, &vici, &log))?;
        write_file(&swanctl_conf, &responder.swanctl_conf())?;

        let charon =
            std::env::var_os("ISCSISEC_CHARON").map_or_else(|| CHARON.into(), PathBuf::from);
        let stdout = File::create(run_dir.join("stdout")).map_err(|e| e.to_string())?;
        let stderr = File::create(run_dir.join("stderr")).map_err(|e| e.to_string())?;
        let child = Command::new("ip")
            .args(["netns", "exec", &self.netns])
            .arg(&charon)
            .env("STRONGSWAN_CONF", &conf)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", charon.display()))?;
        let mut charon = Charon {
            child,
            conf,
            uri: format!("unix://{}", vici.display()),
            log,
            _lab: PhantomData,
        };
        charon.wait_ready()?;
        let load = charon.swanctl(&[
            "--load-all",
            "--noprompt",
            "--file",
            &swanctl_conf.to_string_lossy(),
        ])?;
        if !load.status.success() {
            return Err(format!(
                "swanctl --load-all failed: {}{}\n{}",
                String::from_utf8_lossy(&load.stdout),
                String::from_utf8_lossy(&load.stderr),
                charon.log_tail()
            ));
        }
        Ok(charon)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if std::env::var_os("ISCSISEC_LAB_KEEP").is_some() {
            self.dir.disable_cleanup(true);
            let _ = writeln!(
                std::io::stderr(),
                "lab {}: kept {}",
                self.scenario,
                self.dir.path().display()
            );
        }
        if let Err(e) = checked("ip", &["netns", "del", &self.netns]) {
            let _ = writeln!(std::io::stderr(), "lab {}: {e}", self.scenario);
        }
    }
}

/// The responder's mode: which connection charon has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderMode {
    /// A main-mode connection without a local id, and no aggressive-mode connection: charon's
    /// main-mode key choice then goes by the initiator's IP address (reference §1.3, row 5).
    Main,
    /// An aggressive-mode connection with this local id (swanctl syntax, e.g.
    /// `fqdn:responder.lab`), remote id `%any`.
    Aggressive(String),
}

/// A charon configuration: one connection and its secrets.
#[derive(Clone)]
pub struct Responder {
    name: &'static str,
    mode: ResponderMode,
    secrets: Vec<(Vec<String>, Vec<u8>)>,
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let owners: Vec<&Vec<String>> = self.secrets.iter().map(|(ids, _)| ids).collect();
        f.debug_struct("Responder")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("secret_owners", &owners)
            .finish_non_exhaustive()
    }
}

impl Responder {
    /// The main-mode responder (connection `mm`).
    #[must_use]
    pub fn main_mode() -> Responder {
        Responder {
            name: "mm",
            mode: ResponderMode::Main,
            secrets: Vec::new(),
        }
    }

    /// The aggressive-mode responder (connection `am`, local id `fqdn:responder.lab`).
    #[must_use]
    pub fn aggressive_mode() -> Responder {
        Responder {
            name: "am",
            mode: ResponderMode::Aggressive("fqdn:responder.lab".to_owned()),
            secrets: Vec::new(),
        }
    }

    /// Adds a secret owned by `ids` (swanctl identities such as `127.0.0.2`,
    /// `fqdn:initiator.lab`, `email:user@lab`); no ids makes it charon's default (`%any`).
    #[must_use]
    pub fn secret(mut self, ids: &[&str], secret: &[u8]) -> Responder {
        self.secrets.push((
            ids.iter().map(|s| (*s).to_owned()).collect(),
            secret.to_vec(),
        ));
        self
    }

    /// The connection's name, as `swanctl --list-sas` shows it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn swanctl_conf(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "connections {{\n  {} {{", self.name);
        s.push_str(
            "    version = 1\n    local_addrs = 127.0.0.1\n    remote_addrs = 127.0.0.0/8\n",
        );
        let _ = writeln!(s, "    proposals = {PROPOSAL}");
        match &self.mode {
            ResponderMode::Main => {
                s.push_str("    aggressive = no\n    local {\n      auth = psk\n    }\n");
            }
            ResponderMode::Aggressive(id) => {
                let _ = writeln!(
                    s,
                    "    aggressive = yes\n    local {{\n      auth = psk\n      id = {id}\n    }}"
                );
            }
        }
        s.push_str("    remote {\n      auth = psk\n    }\n  }\n}\nsecrets {\n");
        for (i, (ids, secret)) in self.secrets.iter().enumerate() {
            let _ = writeln!(s, "  ike-{i} {{");
            for (j, id) in ids.iter().enumerate() {
                let _ = writeln!(s, "    id-{j} = {id}");
            }
            // Hex, so that any bytes (NUL, 0xff, quotes) reach charon exactly.
            let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(s, "    secret = 0x{hex}\n  }}");
        }
        s.push_str("}\n");
        s
    }
}

/// A running charon; stopped by PID when dropped (before its lab, which it borrows).
#[derive(Debug)]
pub struct Charon<'lab> {
    child: Child,
    conf: PathBuf,
    uri: String,
    log: PathBuf,
    _lab: PhantomData<&'lab Lab>,
}

/// One IKE SA as `swanctl --list-sas --raw` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IkeSa {
    /// Connection name.
    pub name: String,
    /// `state=` (e.g. `ESTABLISHED`).
    pub state: String,
    /// `initiator-spi=` (our cookie, hex).
    pub initiator_spi: String,
    /// `remote-host=`.
    pub remote_host: String,
    /// `remote-id=`.
    pub remote_id: String,
    /// `version=`.
    pub version: String,
}

impl Charon<'_> {
    /// Runs swanctl against this charon's vici socket.
    ///
    /// # Errors
    ///
    /// swanctl cannot be started.
    pub fn swanctl(&self, args: &[&str]) -> Result<Output, String> {
        Command::new("swanctl")
            .args(args)
            .args(["--uri", &self.uri])
            .env("STRONGSWAN_CONF", &self.conf)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run swanctl: {e}"))
    }

    /// The IKE SAs charon lists.
    ///
    /// # Errors
    ///
    /// swanctl fails.
    pub fn ike_sas(&self) -> Result<Vec<IkeSa>, String> {
        let out = self.swanctl(&["--list-sas", "--raw", "--noblock"])?;
        if !out.status.success() {
            return Err(format!(
                "swanctl --list-sas failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(parse_list_sas(&String::from_utf8_lossy(&out.stdout)))
    }

    /// Waits (bounded) until charon lists the IKE SA whose initiator SPI is `cookie` as
    /// `ESTABLISHED`, and returns it.
    ///
    /// # Errors
    ///
    /// Not established within `bound`; the message lists what charon shows and its log tail.
    pub fn wait_established(&self, cookie: &[u8; 8], bound: Duration) -> Result<IkeSa, String> {
        let spi: String = cookie.iter().map(|b| format!("{b:02x}")).collect();
        let started = Instant::now();
        let mut seen = Vec::new();
        while started.elapsed() < bound {
            seen = self.ike_sas()?;
            if let Some(sa) = seen
                .iter()
                .find(|sa| sa.initiator_spi == spi && sa.state == "ESTABLISHED")
            {
                return Ok(sa.clone());
            }
            thread::sleep(POLL);
        }
        Err(format!(
            "charon lists no established IKE SA with initiator SPI {spi} after {:?}; it lists \
             {seen:?}\n{}",
            bound,
            self.log_tail()
        ))
    }

    /// The last lines of charon's log, for failure messages (charon logs no key bytes at the
    /// levels configured here).
    #[must_use]
    pub fn log_tail(&self) -> String {
        let text = self.log();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines.get(lines.len().saturating_sub(25)..).unwrap_or(&[]);
        format!(
            "charon log ({}):\n  {}",
            self.log.display(),
            tail.join("\n  ")
        )
    }

    /// charon's log so far.
    #[must_use]
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "charon exited at start ({status})\n{}",
                    self.log_tail()
                ));
            }
            if self.swanctl(&["--stats"])?.status.success() {
                return Ok(());
            }
            if started.elapsed() > START_BOUND {
                return Err(format!(
                    "charon's vici socket did not answer within {START_BOUND:?}\n{}",
                    self.log_tail()
                ));
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for Charon<'_> {
    fn drop(&mut self) {
        sys::terminate(&self.child);
        let started = Instant::now();
        while started.elapsed() < STOP_BOUND {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strongswan_conf(port: u16, vici: &Path, log: &Path) -> String {
    let nat_t = port.saturating_add(1);
    format!(
        "charon-systemd {{
  load = random nonce aes sha1 sha2 hmac kdf gmp kernel-netlink socket-default vici
  port = {port}
  port_nat_t = {nat_t}
  install_routes = no
  install_virtual_ip = no
  # Aggressive mode with a preshared key is refused without this (reference §1.3).
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  plugins {{
    vici {{
      socket = unix://{vici}
    }}
  }}
  journal {{
    default = -1
  }}
  filelog {{
    lab {{
      path = {log}
      time_format = %T
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
    }}
  }}
}}
swanctl {{
  load = random nonce
}}
",
        vici = vici.display(),
        log = log.display(),
    )
}

/// Parses `swanctl --list-sas --raw` output: `list-sa event {NAME {key=value ...}}` lines.
fn parse_list_sas(text: &str) -> Vec<IkeSa> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("list-sa event {") else {
            continue;
        };
        let Some((name, body)) = rest.split_once(" {") else {
            continue;
        };
        let mut sa = IkeSa {
            name: name.trim().to_owned(),
            ..IkeSa::default()
        };
        // Only the top level matters: stop at the first nested block (child SAs).
        let top = body.split(" child-sas").next().unwrap_or(body);
        for token in top.split_whitespace() {
            let Some((k, v)) = token.split_once('=') else {
                continue;
            };
            let v = v.trim_end_matches('}').to_owned();
            match k {
                "state" => sa.state = v,
                "initiator-spi" => sa.initiator_spi = v,
                "remote-host" => sa.remote_host = v,
                "remote-id" => sa.remote_id = v,
                "version" => sa.version = v,
                _ => {}
            }
        }
        out.push(sa);
    }
    out
}

fn check_prerequisites() -> Result<(), LabError> {
    if !cfg!(target_os = "linux") {
        return Err(LabError::Missing(
            "the lab needs Linux (network namespaces)".to_owned(),
        ));
    }
    if !sys::is_root() {
        return Err(LabError::Missing(
            "not root (network namespaces and charon need it)".to_owned(),
        ));
    }
    let charon = std::env::var_os("ISCSISEC_CHARON").map_or_else(|| CHARON.into(), PathBuf::from);
    if !charon.is_file() {
        return Err(LabError::Missing(format!(
            "{} not found (Debian packages charon-systemd, strongswan-swanctl, \
             libcharon-extra-plugins)",
            charon.display()
        )));
    }
    for (tool, package) in [("swanctl", "strongswan-swanctl"), ("ip", "iproute2")] {
        match Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
        {
            Ok(_) => {}
            Err(e) => {
                return Err(LabError::Missing(format!(
                    "{tool} cannot run ({e}; Debian package {package})"
                )));
            }
        }
    }
    Ok(())
}

/// Deletes lab namespaces left by a test process that died without unwinding (its PID, in the
/// name, is gone), after stopping the processes still in them by PID: only this suite creates
/// `iscsisec-ike-*` namespaces, so what runs there is a charon it started.
fn remove_stale_namespaces() {
    let Ok(list) = run("ip", &["netns", "list"]) else {
        return;
    };
    for line in String::from_utf8_lossy(&list.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        let Some(owner) = name
            .strip_prefix("iscsisec-ike-")
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if owner == std::process::id() || Path::new("/proc").join(owner.to_string()).exists() {
            continue;
        }
        if let Ok(pids) = run("ip", &["netns", "pids", name]) {
            for pid in String::from_utf8_lossy(&pids.stdout).lines() {
                if let Ok(pid) = pid.trim().parse::<i32>() {
                    sys::terminate_pid(pid);
                }
            }
        }
        let _ = run("ip", &["netns", "del", name]);
        let _ = writeln!(std::io::stderr(), "lab: removed a stale namespace {name}");
    }
}

fn run(program: &str, args: &[&str]) -> std::io::Result<Output> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
}

fn checked(program: &str, args: &[&str]) -> Result<(), String> {
    let out = run(program, args).map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Writes a configuration file readable by its owner only (swanctl.conf holds the secrets).
fn write_file(path: &Path, text: &str) -> Result<(), String> {
    sys::private_file(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// What the lab needs from Linux. Elsewhere the lab reports itself missing before any of it
/// is used, and the interop scenarios skip.
#[cfg(target_os = "linux")]
mod sys {
    use std::fs::File;
    use std::io;
    use std::net::{SocketAddrV4, UdpSocket};
    use std::os::fd::AsFd;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;
    use std::process::Child;
    use std::thread;

    pub(super) fn is_root() -> bool {
        rustix::process::geteuid().is_root()
    }

    /// Binds a UDP socket inside the network namespace `ns` (a `/run/netns` file).
    pub(super) fn bind_in_namespace(ns: &Path, addr: SocketAddrV4) -> Result<UdpSocket, String> {
        // setns() changes the calling thread only: a short-lived thread enters the namespace
        // and creates the socket, which stays in that namespace for its whole life.
        thread::scope(|s| {
            s.spawn(|| {
                let file = File::open(ns).map_err(|e| format!("{}: {e}", ns.display()))?;
                rustix::thread::move_into_link_name_space(
                    file.as_fd(),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .map_err(|e| format!("setns {}: {e}", ns.display()))?;
                UdpSocket::bind(addr).map_err(|e| format!("bind {addr}: {e}"))
            })
            .join()
            .unwrap_or_else(|_| Err("the namespace thread panicked".to_owned()))
        })
    }

    /// Asks `child` to stop (SIGTERM, by its PID).
    pub(super) fn terminate(child: &Child) {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }

    /// Asks the process `pid` to stop (SIGTERM).
    pub(super) fn terminate_pid(pid: i32) {
        if let Some(pid) = rustix::process::Pid::from_raw(pid) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
    }

    pub(super) fn private_file(path: &Path) -> io::Result<File> {
        File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use std::fs::File;
    use std::io;
    use std::net::{SocketAddrV4, UdpSocket};
    use std::path::Path;
    use std::process::Child;

    pub(super) fn is_root() -> bool {
        false
    }

    pub(super) fn bind_in_namespace(_: &Path, _: SocketAddrV4) -> Result<UdpSocket, String> {
        Err("network namespaces need Linux".to_owned())
    }

    /// Nothing gentle to send here; the caller kills the child after its bound.
    pub(super) fn terminate(_: &Child) {}

    pub(super) fn terminate_pid(_: i32) {}

    pub(super) fn private_file(path: &Path) -> io::Result<File> {
        File::create(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_sas_raw_output_parses() {
        let text = "list-sa event {mm {uniqueid=1 version=1 state=ESTABLISHED \
                    local-host=127.0.0.1 remote-host=127.0.0.2 remote-id=127.0.0.2 \
                    initiator-spi=0102030405060708 responder-spi=1112131415161718 \
                    child-sas {}}}\n";
        let sas = parse_list_sas(text);
        assert_eq!(
            sas,
            vec![IkeSa {
                name: "mm".into(),
                state: "ESTABLISHED".into(),
                initiator_spi: "0102030405060708".into(),
                remote_host: "127.0.0.2".into(),
                remote_id: "127.0.0.2".into(),
                version: "1".into(),
            }]
        );
    }

    #[test]
    fn secrets_are_written_in_hex() {
        let conf = Responder::main_mode()
            .secret(&["127.0.0.2"], b"\x00\xffk")
            .secret(&[], b"group")
            .swanctl_conf();
        assert!(
            conf.contains("id-0 = 127.0.0.2\n    secret = 0x00ff6b\n"),
            "{conf}"
        );
        assert!(
            conf.contains("ike-1 {\n    secret = 0x67726f7570\n"),
            "{conf}"
        );
        assert!(conf.contains("aggressive = no"));
        assert!(!conf.contains("id = "), "no local id in main mode: {conf}");
    }
}
