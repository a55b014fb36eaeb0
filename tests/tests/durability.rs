//! Durability under crashes (SPEC §6): power loss at every storage operation of a scripted
//! workload, and a torn write at every write, in the core over the fault store; then a real
//! `iscsisec` process killed at every system call of a change, with its directory store on real
//! files, and the order of its flushes.
//!
//! ```text
//!   core:  workload ──► Provider ──► FaultStore (PowerLoss / TornWrite at op N) ──► medium
//!                                                     restart from the medium ◄──┘  check
//!   host:  strace -e inject=SYSCALL:signal=SIGKILL:when=M iscsisec --state COPY <change>
//!                                  restart: show --json, lookup --reveal ◄── check
//! ```
//!
//! After each crash: the provider starts; every method that answered SUCCESS or a warning is
//! fully present; each record the method in flight touched is wholly old or wholly new; nothing
//! is torn or misread (a torn record is damage, never a key). Each test prints how many crash
//! points it tried on the real standard error.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use iscsisec_core::record::{MAX_RECORD_LEN, Record, RecordName, RecordRef};
use iscsisec_core::store::MemoryStore;
use iscsisec_core::table::Table;
use iscsisec_core::testing::{FaultStore, Op, Scenario};
use iscsisec_core::testing::{TestPlatform, fingerprint, test_platform};
use iscsisec_core::{
    AdapterConfig, Identifier, IsdscStatus, KeyBuffer, LookupMiss, PortSelector, Provider,
    RecordStore,
};
use iscsisec_tests::*;

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

// ====================================================================== the core, in process

fn config() -> AdapterConfig {
    AdapterConfig {
        port_count: 2,
        max_entries: 64,
    }
}

/// The OUT status of `call`, or `None` if the transport refused it.
fn execute<S: RecordStore>(p: &mut Provider<S, TestPlatform>, call: &Call) -> Option<IsdscStatus> {
    call.execute(p).map(|(status, _)| status)
}

type Records = BTreeMap<Vec<u8>, Vec<u8>>;

fn records(store: &MemoryStore) -> Records {
    store
        .names()
        .map(|n| (n.to_vec(), store.get(n).unwrap_or_default().to_vec()))
        .collect()
}

fn encoded(r: RecordRef<'_>) -> (Vec<u8>, Vec<u8>) {
    let mut buf = [0u8; MAX_RECORD_LEN];
    let n = r.encode(&mut buf).expect("a table entry encodes");
    (r.name().as_str().as_bytes().to_vec(), buf[..n].to_vec())
}

/// Everything the table holds, as the records it would be stored as (the GUID when set).
fn table_view(t: &Table<TestPlatform>) -> Records {
    let mut view = Records::new();
    for e in t.psk_entries() {
        view.extend([encoded(RecordRef::Psk {
            port: e.port,
            id: &e.id,
            flags: e.flags,
            key: e.expose_secret(),
        })]);
    }
    if let Some(k) = t.group_key() {
        view.extend([encoded(RecordRef::GroupKey(k.expose_secret()))]);
    }
    for e in t.tunnel_entries() {
        view.extend([encoded(RecordRef::Tunnel {
            port: e.port,
            destination: &e.destination,
            outer: &e.outer,
        })]);
    }
    if let Some(s) = t.chap_secret() {
        view.extend([encoded(RecordRef::ChapSecret(s.expose_secret()))]);
    }
    let guid = t.generational_guid();
    if guid != [0; 16] {
        view.extend([encoded(RecordRef::GenerationalGuid(&guid))]);
    }
    view
}

/// What the fault-free run saw: each call's answer, the operations it made, the medium after it.
struct Reference {
    answers: Vec<Option<IsdscStatus>>,
    /// `ops[c]..ops[c + 1]` are the operations of call `c`.
    ops: Vec<usize>,
    after: Vec<Records>,
    log: Vec<Op>,
}

fn reference(calls: &[Call]) -> Reference {
    let (store, handle) = FaultStore::new(MemoryStore::new());
    let mut p = Provider::start(store, config(), test_platform())
        .expect("starts")
        .0;
    let mut r = Reference {
        answers: Vec::new(),
        ops: vec![0],
        after: vec![Records::new()],
        log: Vec::new(),
    };
    for call in calls {
        let answer = execute(&mut p, call);
        r.answers.push(answer);
        r.ops.push(handle.ops());
        r.after.push(records(&handle.durable()));
        // Memory and the medium agree after every call of a healthy run.
        assert_eq!(
            table_view(p.table()),
            *r.after.last().expect("pushed"),
            "{}",
            call.what
        );
    }
    r.log = handle.log();
    // Every answer is a success, a warning, or the refusal the workload meant.
    for (call, answer) in calls.iter().zip(&r.answers) {
        let ok = answer.is_some_and(|s| s == IsdscStatus::SUCCESS || s.is_warning());
        assert_eq!(
            ok,
            !call.what.starts_with("refused"),
            "{}: {answer:?}",
            call.what
        );
    }
    r
}

/// The call during which operation `op` happens.
fn call_of(r: &Reference, op: usize) -> usize {
    (0..r.answers.len())
        .find(|&c| r.ops[c] <= op && op < r.ops[c + 1])
        .expect("every operation belongs to a call")
}

/// Replays the workload with `scenario` until call `upto` (the one in flight) has run; checks
/// that every earlier call answered as in the reference; returns the medium.
fn crash(calls: &[Call], r: &Reference, scenario: Scenario, upto: usize) -> MemoryStore {
    let (store, handle) = FaultStore::with(MemoryStore::new(), scenario);
    let mut p = Provider::start(store, config(), test_platform())
        .expect("starts")
        .0;
    for (c, call) in calls.iter().enumerate().take(upto + 1) {
        let answer = execute(&mut p, call);
        if c < upto {
            assert_eq!(
                answer, r.answers[c],
                "{scenario:?}: {} answered otherwise",
                call.what
            );
        }
    }
    assert!(handle.power_lost(), "{scenario:?} never struck");
    handle.durable()
}

/// Restarts from `medium` and checks it against the states before and after call `c`. `torn`
/// names the record whose write was torn, which must be damage, not a key.
fn check_restart(medium: MemoryStore, r: &Reference, c: usize, torn: Option<&str>, what: &str) {
    let durable = records(&medium);
    let (before, after) = (&r.after[c], &r.after[c + 1]);
    let (mut p, report) = match Provider::start(medium, config(), test_platform()) {
        Ok(started) => started,
        Err(e) => panic!("{what}: the provider does not start: {e}"),
    };
    let mut names: Vec<&Vec<u8>> = before
        .keys()
        .chain(after.keys())
        .chain(durable.keys())
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let shown = String::from_utf8_lossy(name);
        if torn.is_some_and(|t| t.as_bytes() == name.as_slice()) {
            continue;
        }
        let now = durable.get(name);
        assert!(
            now == before.get(name) || now == after.get(name),
            "{what}: record {shown} is neither old nor new"
        );
    }
    let mut view = durable.clone();
    match torn {
        None => assert_eq!(report.corrupt, 0, "{what}: {report:?}"),
        Some(name) => {
            let stored = durable.get(name.as_bytes());
            let whole = stored.is_some_and(|b| Record::decode(name, b).is_ok());
            if whole {
                // Every byte made it: that is the new record.
                assert_eq!(stored, after.get(name.as_bytes()), "{what}");
                assert_eq!(report.corrupt, 0, "{what}");
            } else {
                view.remove(name.as_bytes());
                assert_eq!(
                    report.corrupt,
                    usize::from(stored.is_some()),
                    "{what}: {report:?}"
                );
                if stored.is_some() {
                    let parsed = RecordName::parse(name.as_bytes()).expect("a record name");
                    assert!(
                        p.table().corrupt_records().any(|n| n == parsed.as_str()),
                        "{what}: torn {name} not reported"
                    );
                }
            }
        }
    }
    // Nothing misread: the table holds exactly what the medium's valid records say.
    assert_eq!(
        table_view(p.table()),
        view,
        "{what}: the table and the medium disagree"
    );
    // A torn explicit key is refused, never stood in for by a lower level.
    if let Some(name) =
        torn.filter(|n| durable.contains_key(n.as_bytes()) && !view.contains_key(n.as_bytes()))
    {
        for (port, id) in identities() {
            if RecordName::psk(port, &id).as_str() == name {
                let mut out = KeyBuffer::new();
                let miss = p.lookup(port, &id, &mut out);
                assert_eq!(miss, Err(LookupMiss::Damaged), "{what}: {id}");
            }
        }
    }
    // The restarted provider works: a change goes through.
    let status = execute(
        &mut p,
        &Call::security_config("after restart", method::SET_GUID, vec![0x33; 16]),
    );
    assert_eq!(status, Some(IsdscStatus::SUCCESS), "{what}");
}

fn identities() -> Vec<(PortSelector, Identifier)> {
    let fqdn = |s: &str| Identifier::parse(2, s.as_bytes()).expect("valid");
    vec![
        (PortSelector::Port(0), fqdn("a.example")),
        (PortSelector::All, fqdn("a.example")),
        (
            PortSelector::Port(1),
            Identifier::parse(1, &[192, 0, 2, 9]).expect("valid"),
        ),
        (
            PortSelector::Port(1),
            Identifier::parse(3, b"u@example").expect("valid"),
        ),
    ]
}

#[test]
fn power_loss_at_every_storage_operation_loses_nothing_acknowledged() {
    let calls = calls::workload();
    let r = reference(&calls);
    let total = *r.ops.last().expect("ops");
    assert!(total >= 20, "the workload reaches storage: {total}");
    let mut tried = 0;
    for op in 0..total {
        let c = call_of(&r, op);
        for applied in [false, true] {
            let scenario = Scenario::PowerLoss { at: op, applied };
            let medium = crash(&calls, &r, scenario, c);
            let what = format!(
                "power lost at operation {op} ({}) of `{}`, applied: {applied}",
                r.log[op].name(),
                calls[c].what
            );
            check_restart(medium, &r, c, None, &what);
        }
        tried += 1;
    }
    assert_eq!(tried, total);
    say(&format!(
        "durability: power loss at each of the workload's {total} storage operations \
         (each taking effect or not: {} restarts), all checked",
        2 * total
    ));
}

#[test]
fn a_torn_write_at_every_write_is_damage_never_a_key() {
    let calls = calls::workload();
    let r = reference(&calls);
    let total = *r.ops.last().expect("ops");
    let mut writes = 0;
    let mut restarts = 0;
    for (op, logged) in r.log.iter().enumerate() {
        let Op::Write(name) = logged else { continue };
        let c = call_of(&r, op);
        let len = r.after[c + 1].get(name.as_bytes()).map_or(0, Vec::len);
        assert!(len > 0, "{name}");
        for keep in 0..=len {
            let medium = crash(&calls, &r, Scenario::TornWrite { at: op, keep }, c);
            let what = format!(
                "write {op} ({name}) of `{}` torn after {keep} of {len} bytes",
                calls[c].what
            );
            check_restart(medium, &r, c, Some(name), &what);
            restarts += 1;
        }
        writes += 1;
    }
    assert!(writes > 10);
    say(&format!(
        "durability: a torn write at each of the {writes} writes among the workload's {total} \
         storage operations, at every length ({restarts} restarts), all checked"
    ));
}

#[test]
fn a_failing_store_changes_nothing_and_the_next_restart_agrees() {
    // Every call of the workload against a device that fails every operation after a budget.
    let calls = calls::workload();
    let r = reference(&calls);
    let total = *r.ops.last().expect("ops");
    for budget in 0..=total {
        let (store, handle) = FaultStore::with(MemoryStore::new(), Scenario::FailAfter(budget));
        let mut p = Provider::start(store, config(), test_platform())
            .expect("starts")
            .0;
        for call in &calls {
            let before = fingerprint(p.table());
            let answer = execute(&mut p, call);
            if answer == Some(IsdscStatus::NON_SPECIFIC_ERROR) && call.method != method::CLEAR_CACHE
            {
                assert_eq!(
                    fingerprint(p.table()),
                    before,
                    "budget {budget}: {}",
                    call.what
                );
            }
            // Memory and the medium agree after every call, failed ClearCache included.
            assert_eq!(
                table_view(p.table()),
                records(&handle.durable()),
                "budget {budget}: {}",
                call.what
            );
        }
    }
}

// ====================================================================== the host, real files

/// One syscall of a traced run: its name, and the whole line.
struct Syscall {
    name: String,
    line: String,
}

/// The syscalls of an `strace -f -y -s 64 -o FILE` trace, in order.
fn syscalls(trace: &str) -> Vec<Syscall> {
    trace
        .lines()
        .filter_map(|line| {
            let rest = line.split_once(' ')?.1.trim_start();
            if rest.starts_with("+++") || rest.starts_with("---") || rest.starts_with('<') {
                return None;
            }
            let name = rest.split_once('(')?.0;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return None;
            }
            Some(Syscall {
                name: name.to_owned(),
                line: line.to_owned(),
            })
        })
        .collect()
}

fn bin() -> PathBuf {
    binary(env!("CARGO_BIN_EXE_iscsisec-conformance-target"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_on(&bin(), dir, args)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).expect("copy target");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

fn traced(dir: &Path, args: &[&str], trace: &Path, extra: &[&str]) -> Output {
    Command::new("strace")
        // cargo's library path makes the loader search a dozen directories: syscalls that
        // only slow the test down.
        .env_remove("LD_LIBRARY_PATH")
        .args(["-f", "-y", "-s", "64", "-o"])
        .arg(trace)
        .args(extra)
        .arg(bin())
        .arg("--state")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("strace runs")
}

/// What a restart finds: `show --json` (the host starts, and its view of the entries), and
/// the bytes of every record file by name (the host's temporary and lock files left out).
type Observed = (serde_json::Value, BTreeMap<String, Vec<u8>>);

fn observe(dir: &Path) -> Observed {
    let out = run_in(dir, &["show", "--json"]);
    assert!(
        out.status.success(),
        "the host does not start after the crash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let files = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry"))
        .map(|e| e.file_name().into_string().expect("record names are text"))
        .filter(|name| !name.starts_with('.'))
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).expect("a record file");
            (name, bytes)
        })
        .collect();
    (shown, files)
}

/// The state every change starts from: explicit keys, the group key, the CHAP secret.
fn base_state(dir: &Path) {
    for args in [
        &[
            "PSKey",
            "*",
            "0",
            "0x05",
            "2",
            "a.example",
            "a-port-old",
            "*",
        ][..],
        &[
            "PSKey",
            "*",
            "*",
            "0x09",
            "2",
            "a.example",
            "a-all-old",
            "*",
        ],
        &["GroupKey", "group-old", "*"],
        &["CHAPSecret", "chap-old-123"],
    ] {
        let out = run_in(dir, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
}

fn changes() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "replace a key",
            vec![
                "PSKey",
                "*",
                "0",
                "0x05",
                "2",
                "a.example",
                "a-port-new-and-longer",
                "*",
            ],
        ),
        (
            "a new key",
            vec![
                "PSKey",
                "*",
                "0",
                "0x01",
                "2",
                "b.example",
                "b-port-new",
                "*",
            ],
        ),
        ("ClearCache (four removals)", vec!["ClearCache"]),
    ]
}

/// Whether `now` is, record by record, either `old` or `new` (file bytes by name), with nothing
/// damaged or foreign, and `show` agreeing entry by entry.
fn old_or_new(now: &Observed, old: &Observed, new: &Observed) -> bool {
    let mut names: Vec<&String> = old
        .1
        .keys()
        .chain(new.1.keys())
        .chain(now.1.keys())
        .collect();
    names.dedup();
    let files_ok = names
        .iter()
        .all(|n| now.1.get(*n) == old.1.get(*n) || now.1.get(*n) == new.1.get(*n));
    let members_ok = [
        "group_key",
        "chap_secret_bytes",
        "generational_guid",
        "tunnel",
    ]
    .iter()
    .all(|m| now.0[m] == old.0[m] || now.0[m] == new.0[m]);
    let list = |v: &serde_json::Value| v["psk"].as_array().cloned().unwrap_or_default();
    let (now_psk, old_psk, new_psk) = (list(&now.0), list(&old.0), list(&new.0));
    let psk_ok = now_psk
        .iter()
        .all(|e| old_psk.contains(e) || new_psk.contains(e));
    files_ok
        && members_ok
        && psk_ok
        && now.0["corrupt_records"] == 0
        && now.0["foreign_entries"] == 0
}

/// The checks on a healthy traced run of a change: the record's temporary file is written,
/// flushed, renamed into place, the directory flushed, and only then the status printed.
fn check_flush_order(what: &str, calls: &[Syscall], dir: &Path) {
    let pos = |pred: &dyn Fn(&Syscall) -> bool, from: usize| {
        calls.iter().skip(from).position(pred).map(|i| i + from)
    };
    let dir_text = dir.display().to_string();
    let status = pos(
        &|c| c.name == "write" && c.line.contains("write(1<") && c.line.contains("status="),
        0,
    )
    .unwrap_or_else(|| panic!("{what}: no status line written"));
    let changes: Vec<usize> = (0..calls.len())
        .filter(|&i| {
            let c = &calls[i];
            (c.name.starts_with("rename") || c.name.starts_with("unlink"))
                && c.line.contains(&dir_text)
        })
        .collect();
    assert!(!changes.is_empty(), "{what}: no rename or unlink");
    for &i in &changes {
        let c = &calls[i];
        if c.name.starts_with("rename") {
            let temp = c
                .line
                .split('"')
                .nth(1)
                .unwrap_or_else(|| panic!("{what}: {}", c.line));
            let opened = pos(
                &|s| s.name == "openat" && s.line.contains(temp) && s.line.contains("O_CREAT"),
                0,
            )
            .unwrap_or_else(|| panic!("{what}: {temp} never created"));
            let fd_tag = format!("<{temp}>");
            let written = pos(&|s| s.name == "write" && s.line.contains(&fd_tag), opened)
                .unwrap_or_else(|| panic!("{what}: {temp} never written"));
            let synced = pos(&|s| s.name == "fsync" && s.line.contains(&fd_tag), written)
                .unwrap_or_else(|| panic!("{what}: {temp} never flushed"));
            assert!(synced < i, "{what}: {temp} renamed before it was flushed");
        }
        let dir_fd = format!("<{dir_text}>)");
        let dir_synced = pos(&|s| s.name == "fsync" && s.line.contains(&dir_fd), i)
            .unwrap_or_else(|| panic!("{what}: the directory is not flushed after {}", c.line));
        assert!(
            dir_synced < status,
            "{what}: the status was printed before the directory flush"
        );
    }
}

#[test]
fn killing_iscsisec_at_every_syscall_of_a_change_loses_nothing_acknowledged() {
    if let Some(why) = system::strace_unavailable() {
        system::skip_or_fail("kill at every syscall", &why);
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = tmp.path().join("base");
    base_state(&base);
    let old = observe(&base);
    let mut total = 0;
    let mut after_ack = 0;
    for (what, args) in changes() {
        // The healthy run: its syscalls, its flush order, and the state after it.
        let healthy = tmp.path().join(format!("healthy-{total}"));
        copy_dir(&base, &healthy);
        let trace_path = tmp.path().join("trace");
        let out = traced(&healthy, &args, &trace_path, &[]);
        assert!(out.status.success(), "{what}: {out:?}");
        let trace = std::fs::read_to_string(&trace_path).expect("trace");
        let calls = syscalls(&trace);
        assert!(calls.len() > 30, "{what}: {} syscalls", calls.len());
        check_flush_order(what, &calls, &healthy);
        let new = observe(&healthy);
        assert_ne!(new, old, "{what} changed nothing");
        // Kill it at each of them in turn.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, call) in calls.iter().enumerate() {
            let nth = seen.entry(&call.name).or_insert(0);
            *nth += 1;
            if k == 0 {
                // The execve that starts the process: strace cannot stop it there, and a kill
                // then is a process that never ran, which leaves `base` as it is (`old`).
                assert_eq!(call.name, "execve", "{what}");
                continue;
            }
            let dir = tmp.path().join(format!("kill-{total}-{k}"));
            copy_dir(&base, &dir);
            let inject = format!("inject={}:signal=SIGKILL:when={nth}", call.name);
            let killed_trace = tmp.path().join("killed-trace");
            let out = traced(&dir, &args, &killed_trace, &["-e", &inject]);
            // It died where it was meant to: the k-th syscall is the last one traced.
            let killed = syscalls(&std::fs::read_to_string(&killed_trace).expect("trace"));
            assert_eq!(
                killed.len(),
                k + 1,
                "{what}: syscall {k} ({}) is not deterministic",
                call.name
            );
            let acknowledged = String::from_utf8_lossy(&out.stdout).contains("status=SUCCESS");
            let now = observe(&dir);
            assert!(
                old_or_new(&now, &old, &new),
                "{what}: killed at syscall {k} ({}): neither old nor new: {now:?}",
                call.line
            );
            if acknowledged {
                assert_eq!(
                    now, new,
                    "{what}: killed at {k} after SUCCESS, and the change is lost"
                );
                after_ack += 1;
            }
            std::fs::remove_dir_all(&dir).expect("clean up");
        }
        total += calls.len();
    }
    assert!(
        after_ack >= changes().len(),
        "kills after the status line were tried"
    );
    say(&format!(
        "durability: iscsisec killed at each of the {total} syscalls of {} changes (the first, \
         the execve that starts it, as a process that never ran; {after_ack} kills after SUCCESS \
         was printed), all checked",
        changes().len()
    ));
}

#[test]
fn new_state_directories_are_flushed_into_their_parents() {
    // Issue 7 finding 6: directories made on first use were not flushed into their parents, so
    // a crash could lose the directory, and with it every record acknowledged inside.
    if let Some(why) = system::strace_unavailable() {
        system::skip_or_fail("directory flush", &why);
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let state = tmp.path().join("a/b/state");
    let trace_path = tmp.path().join("trace");
    let out = traced(&state, &["GroupKey", "k", "*"], &trace_path, &[]);
    assert!(out.status.success(), "{out:?}");
    let calls = syscalls(&std::fs::read_to_string(&trace_path).expect("trace"));
    let status = calls
        .iter()
        .position(|c| c.name == "write" && c.line.contains("status="))
        .expect("a status line");
    for made in [tmp.path().join("a"), tmp.path().join("a/b"), state.clone()] {
        let parent = made.parent().expect("a parent").display().to_string();
        let made = made.display().to_string();
        let created = calls
            .iter()
            .position(|c| c.name.starts_with("mkdir") && c.line.contains(&format!("\"{made}\"")))
            .unwrap_or_else(|| panic!("{made} not created"));
        let flushed = calls
            .iter()
            .skip(created)
            .position(|c| c.name == "fsync" && c.line.contains(&format!("<{parent}>)")));
        assert!(
            flushed.is_some_and(|f| created + f < status),
            "{made} is not flushed into {parent} before the status is printed"
        );
    }
}
