//! A private `tgtd` (package `tgt`) on 127.0.0.1, set up with `tgtadm`.
//!
//! ```text
//!   chap_interop test ──► tgtd (this file) ──spawn──► tgtd -f -C N --iscsi portal=127.0.0.1:P
//!                              └──────────── tgtadm -C N … (targets, LUNs, CHAP accounts)
//! ```
//!
//! Each [`Tgtd`] is a daemon of its own: a free TCP port P for the portal, a control port N
//! derived from P (tgtd takes 1..32767; its control socket is `/var/run/tgtd/socket.N`, never
//! the system daemon's `socket.0`), a scratch directory for the LUN file and the log. Only one
//! exists at a time on the machine: [`Tgtd::start`] holds an exclusive lock on a lock file in
//! the temporary directory for the daemon's whole life, because `cargo test` runs tests on
//! parallel threads and several checkouts may run the suite at once. [`Tgtd`]'s drop stops the
//! daemon by its PID: every target deleted, `tgtadm --mode system --op delete`, a bounded wait,
//! then SIGKILL.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Name of the lock file (in the system temporary directory) that serialises daemons.
pub const LOCK_FILE: &str = "iscsisec-tgtd-harness.lock";
/// How long a daemon may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a daemon may take to exit after `system delete` before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(3);

/// Finds `program` in `PATH`, `/usr/sbin` or `/sbin`.
#[must_use]
pub fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// True when env `CI` is set (to anything but empty): a missing prerequisite is a failure.
#[must_use]
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// Whether a test that needs `programs` can run: `true` if all are installed. Otherwise prints
/// one line `SKIP: <test>: …` to the terminal (past the test harness's capture) and answers
/// `false`, or, under CI, panics.
///
/// # Panics
///
/// Under CI, when a program is missing.
#[must_use]
pub fn prerequisites(test: &str, programs: &[(&str, &str)]) -> bool {
    let missing: Vec<String> = programs
        .iter()
        .filter(|(program, _)| find_program(program).is_none())
        .map(|(program, package)| format!("{program} (apt-get install {package})"))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!("not installed: {}", missing.join(", "));
    assert!(!under_ci(), "{test}: CI is set and a prerequisite is {why}");
    // Straight to the process's stderr: `eprintln!` output is captured by the harness. The
    // leading newline ends the harness's "test NAME ... " so that the line starts with SKIP.
    let _ = write!(std::io::stderr(), "\nSKIP: {test}: {why}\n");
    false
}

/// Whether a private tgtd can run here (needs `tgtd` and `tgtadm`, and write access to tgtd's
/// fixed runtime directory `/var/run/tgtd`, i.e. root): `true` if so. Otherwise prints one
/// line `SKIP: <test>: …` and answers `false`, or, under CI, panics.
///
/// # Panics
///
/// Under CI, when something is missing.
#[must_use]
pub fn tgtd_can_run(test: &str) -> bool {
    if !prerequisites(test, &[("tgtd", "tgt"), ("tgtadm", "tgt")]) {
        return false;
    }
    let dir = Path::new("/var/run/tgtd");
    let writable = fs::create_dir_all(dir).is_ok() && tempfile::tempfile_in(dir).is_ok();
    if writable {
        return true;
    }
    let why = "tgtd needs to write /var/run/tgtd (run as root)";
    assert!(!under_ci(), "{test}: CI is set and {why}");
    let _ = write!(std::io::stderr(), "\nSKIP: {test}: {why}\n");
    false
}

/// A running private `tgtd`.
#[derive(Debug)]
pub struct Tgtd {
    // Declared first: dropped (the daemon stopped) before the directory and the lock go.
    process: DaemonProcess,
    portal: SocketAddr,
    dir: tempfile::TempDir,
    // Held (locked) for the daemon's life.
    _lock: File,
}

/// The daemon process; dropping it stops the daemon.
#[derive(Debug)]
struct DaemonProcess {
    child: Child,
    control_port: u16,
    tgtadm: PathBuf,
}

impl Tgtd {
    /// Starts a daemon on a free loopback port, waiting for the machine-wide harness lock
    /// first, and waits until it answers both `tgtadm` and TCP connections. Up to three ports
    /// are tried (one may be taken between finding it free and tgtd binding it).
    ///
    /// # Errors
    ///
    /// A description when `tgtd` or `tgtadm` is missing, the lock cannot be taken, or the
    /// daemon does not come up (its log is included).
    pub fn start() -> Result<Tgtd, String> {
        let tgtd = find_program("tgtd").ok_or("tgtd is not installed")?;
        let tgtadm = find_program("tgtadm").ok_or("tgtadm is not installed")?;
        let lock_path = std::env::temp_dir().join(LOCK_FILE);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
        lock.lock()
            .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
        let dir = tempfile::Builder::new()
            .prefix("iscsisec-tgtd-")
            .tempdir()
            .map_err(|e| format!("scratch directory: {e}"))?;
        let log_path = dir.path().join("tgtd.log");
        let mut errors = Vec::new();
        for _ in 0..3 {
            let port = free_port().map_err(|e| format!("no free port: {e}"))?;
            let control_port = control_port_for(port);
            let log = File::create(&log_path).map_err(|e| format!("tgtd log: {e}"))?;
            let log_err = log.try_clone().map_err(|e| format!("tgtd log: {e}"))?;
            let child = Command::new(&tgtd)
                .arg("-f")
                .args(["-C", &control_port.to_string()])
                .args(["--iscsi", &format!("portal=127.0.0.1:{port}")])
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", tgtd.display()))?;
            let mut process = DaemonProcess {
                child,
                control_port,
                tgtadm: tgtadm.clone(),
            };
            let portal = SocketAddr::from(([127, 0, 0, 1], port));
            match process.wait_until_up(portal) {
                Ok(()) => {
                    return Ok(Tgtd {
                        process,
                        portal,
                        dir,
                        _lock: lock,
                    });
                }
                Err(e) => {
                    drop(process);
                    let log = fs::read_to_string(&log_path).unwrap_or_default();
                    errors.push(format!("port {port}: {e}; log:\n{log}"));
                }
            }
        }
        Err(errors.join("\n---\n"))
    }

    /// The iSCSI portal, `127.0.0.1:P`.
    #[must_use]
    pub fn portal(&self) -> SocketAddr {
        self.portal
    }

    /// The daemon's PID.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.process.child.id()
    }

    /// Runs `tgtadm -C N --lld iscsi ARGS`; its standard output on success.
    ///
    /// # Errors
    ///
    /// Its exit status and standard error otherwise. (Passwords are arguments of `tgtadm`;
    /// the error text never includes the arguments.)
    pub fn tgtadm(&self, args: &[&str]) -> Result<String, String> {
        self.process.tgtadm(args)
    }

    /// Creates target `tid` named `iqn` with a 1 MiB file-backed LUN 1, open to every
    /// initiator address.
    ///
    /// # Errors
    ///
    /// As [`Tgtd::tgtadm`], or the LUN file cannot be made.
    pub fn add_target(&self, tid: u32, iqn: &str) -> Result<(), String> {
        let tid = tid.to_string();
        let lun = self.dir.path().join(format!("lun-{tid}.img"));
        File::create(&lun)
            .and_then(|f| f.set_len(1 << 20))
            .map_err(|e| format!("LUN file {}: {e}", lun.display()))?;
        let lun = lun.to_string_lossy().into_owned();
        self.tgtadm(&[
            "--mode",
            "target",
            "--op",
            "new",
            "--tid",
            &tid,
            "--targetname",
            iqn,
        ])?;
        self.tgtadm(&[
            "--mode",
            "logicalunit",
            "--op",
            "new",
            "--tid",
            &tid,
            "--lun",
            "1",
            "--backing-store",
            &lun,
        ])?;
        self.tgtadm(&[
            "--mode",
            "target",
            "--op",
            "bind",
            "--tid",
            &tid,
            "--initiator-address",
            "ALL",
        ])?;
        Ok(())
    }

    /// Creates the CHAP account `user` with `password` (tgtd takes it as a C string: no NUL).
    ///
    /// # Errors
    ///
    /// As [`Tgtd::tgtadm`].
    pub fn add_account(&self, user: &str, password: &str) -> Result<(), String> {
        self.tgtadm(&[
            "--mode",
            "account",
            "--op",
            "new",
            "--user",
            user,
            "--password",
            password,
        ])
        .map(drop)
    }

    /// Binds `user` to target `tid` as its incoming account (the initiator authenticates with
    /// it: one-way CHAP).
    ///
    /// # Errors
    ///
    /// As [`Tgtd::tgtadm`].
    pub fn bind_incoming(&self, tid: u32, user: &str) -> Result<(), String> {
        self.bind(tid, user, &[])
    }

    /// Binds `user` to target `tid` as its outgoing account (the target authenticates itself
    /// with it: mutual CHAP; the password must equal the initiator CHAP secret).
    ///
    /// # Errors
    ///
    /// As [`Tgtd::tgtadm`].
    pub fn bind_outgoing(&self, tid: u32, user: &str) -> Result<(), String> {
        self.bind(tid, user, &["--outgoing"])
    }

    /// `tgtadm --mode account --op bind --tid TID --user USER EXTRA…`.
    fn bind(&self, tid: u32, user: &str, extra: &[&str]) -> Result<(), String> {
        let tid = tid.to_string();
        let mut args = vec![
            "--mode", "account", "--op", "bind", "--tid", &tid, "--user", user,
        ];
        args.extend_from_slice(extra);
        self.tgtadm(&args).map(drop)
    }

    /// The initiator names tgtd lists in target `tid`'s I_T nexus information (the sessions
    /// it has in the full feature phase).
    ///
    /// # Errors
    ///
    /// As [`Tgtd::tgtadm`].
    pub fn sessions(&self, tid: u32) -> Result<Vec<String>, String> {
        let show = self.tgtadm(&["--mode", "target", "--op", "show"])?;
        let mut in_target = false;
        let mut names = Vec::new();
        for line in show.lines() {
            if let Some(rest) = line.strip_prefix("Target ") {
                in_target = rest.split(':').next() == Some(&tid.to_string());
            } else if in_target && let Some(name) = line.trim().strip_prefix("Initiator: ") {
                // "Initiator: iqn… alias: …"
                let name = name.split_whitespace().next().unwrap_or("");
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    /// Waits (up to two seconds) until tgtd lists exactly `expected` sessions of target `tid`.
    ///
    /// # Errors
    ///
    /// The last list seen, if it never matched.
    pub fn wait_for_sessions(&self, tid: u32, expected: &[&str]) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let now = self.sessions(tid)?;
            if now == expected {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "tgtd lists sessions {now:?}, expected {expected:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The daemon's log so far.
    #[must_use]
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("tgtd.log")).unwrap_or_default()
    }

    /// The scratch directory (LUN files, log).
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl DaemonProcess {
    fn tgtadm(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.tgtadm)
            .args(["-C", &self.control_port.to_string(), "--lld", "iscsi"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run tgtadm: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "tgtadm {} failed ({}): {}",
                args.first().copied().unwrap_or(""),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    fn wait_until_up(&mut self, portal: SocketAddr) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("tgtd exited at start ({status})"));
            }
            let admin = self.tgtadm(&["--mode", "target", "--op", "show"]).is_ok();
            let connected = TcpStream::connect_timeout(&portal, Duration::from_millis(200));
            if admin && connected.is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "tgtd did not come up within {START_TIMEOUT:?} (tgtadm answered: {admin}, \
                     portal: {connected:?})"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for DaemonProcess {
    /// Stops the daemon by its PID: every target deleted (tgtd refuses `system delete` while
    /// one exists), `system delete`, at most [`STOP_TIMEOUT`] (tgtd takes about 1.3 s), then
    /// SIGKILL.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let show = self
                .tgtadm(&["--mode", "target", "--op", "show"])
                .unwrap_or_default();
            for line in show.lines() {
                let tid = line
                    .strip_prefix("Target ")
                    .and_then(|rest| rest.split(':').next());
                if let Some(tid) = tid {
                    let _ = self.tgtadm(&[
                        "--mode", "target", "--op", "delete", "--force", "--tid", tid,
                    ]);
                }
            }
            let _ = self.tgtadm(&["--mode", "system", "--op", "delete"]);
            let deadline = Instant::now() + STOP_TIMEOUT;
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        if matches!(self.child.try_wait(), Ok(None)) {
            // `Child::kill` sends SIGKILL to this PID only.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        // This daemon's control socket files (the harness lock we hold makes them ours).
        let socket = format!("/var/run/tgtd/socket.{}", self.control_port);
        let _ = fs::remove_file(&socket);
        let _ = fs::remove_file(format!("{socket}.lock"));
    }
}

/// tgtd's control port for portal port `port`: in 1000..=31000, different for each try.
fn control_port_for(port: u16) -> u16 {
    1000 + port % 30000
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
