//! Load: 8 `iscsisec` processes at a time change different entries of one state directory,
//! 200 changes each; afterwards every change is present. Meanwhile other processes look a key
//! up over and over, and every lookup answers, with the right key.
//!
//! Each writer owns 20 entries and changes each of them 10 times (a new key every time), so
//! that the directory holds 161 records and each of the 1,600 processes reads at most that many
//! at start: with one new entry per change the test would cost minutes, every process reading
//! up to 1,600 records. Every change answers SUCCESS; afterwards each entry holds the key of its
//! last change, and no other entry exists.
//!
//! ```text
//!   8 writer threads ──► iscsisec PSKey … (one process per change, 1600 in all) ──┐
//!   2 reader threads ──► iscsisec lookup … (until the writers are done)          ├──► DIR
//!   then: the host's DirStore opened in this process, every entry looked up ◄────┘
//! ```

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use iscsisec_core::{AdapterConfig, Identifier, KeyBuffer, KeySource, PortSelector, Provider};
use iscsisec_host::store::{Access, DirStore};
use iscsisec_tests::*;

const WRITERS: usize = 8;
const CHANGES: usize = 200;
const READERS: usize = 2;
/// Entries each writer owns.
const ENTRIES: usize = 20;

fn bin() -> PathBuf {
    binary(env!("CARGO_BIN_EXE_iscsisec-conformance-target"))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_on(&bin(), dir, args)
}

/// The identifier, port and key of change `i` of writer `w`: entry `i % ENTRIES` of the
/// writer's own, with a key no other change has.
fn change(w: usize, i: usize) -> (String, u32, String) {
    let entry = i % ENTRIES;
    (
        format!("w{w}-{entry}.load.example"),
        u32::try_from(entry % 2).expect("0 or 1"),
        format!("key-{w}-{i}-{}", "k".repeat(i % 7)),
    )
}

#[test]
fn eight_processes_change_different_entries_at_once_and_lookups_always_answer() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("state");
    let out = run(
        &dir,
        &[
            "PSKey",
            "*",
            "*",
            "0x01",
            "2",
            "steady.example",
            "steady-key",
            "*",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let expected_lookup = format!("source=all-ports key={}\n", hex(b"steady-key"));
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let lookups = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (dir, done, lookups, expected) = (
                dir.clone(),
                Arc::clone(&done),
                Arc::clone(&lookups),
                expected_lookup.clone(),
            );
            std::thread::spawn(move || {
                let port = if r % 2 == 0 { "0" } else { "1" };
                // Bounded: the writers finish in well under this many lookups.
                for _ in 0..100_000 {
                    if done.load(Ordering::SeqCst) {
                        break;
                    }
                    let out = run(
                        &dir,
                        &[
                            "lookup",
                            "--port",
                            port,
                            "--id-type",
                            "fqdn",
                            "--id",
                            "steady.example",
                            "--reveal",
                        ],
                    );
                    assert_eq!(
                        (
                            out.status.code(),
                            String::from_utf8_lossy(&out.stdout).into_owned()
                        ),
                        (Some(0), expected.clone()),
                        "a lookup during the load: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    lookups.fetch_add(1, Ordering::SeqCst);
                    // Leave the two cores to the writers between lookups.
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                for i in 0..CHANGES {
                    let (id, port, key) = change(w, i);
                    let port = port.to_string();
                    let out = run(&dir, &["PSKey", "*", &port, "0x05", "2", &id, &key, "*"]);
                    assert_eq!(
                        String::from_utf8_lossy(&out.stdout),
                        "status=SUCCESS code=0x00000000\n",
                        "writer {w} change {i}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer failed");
    }
    done.store(true, Ordering::SeqCst);
    for r in readers {
        r.join().expect("a reader failed");
    }
    let elapsed = started.elapsed();
    // Every change is present, with its key: the store read back in this process.
    let store = DirStore::open(&dir, Access::Read, |m| panic!("storage: {m}")).expect("opens");
    let platform = iscsisec_host::platform::process_platform();
    let (p, report) = Provider::start(store, AdapterConfig::default(), platform).expect("starts");
    assert_eq!(
        (report.loaded, report.corrupt, report.foreign),
        (WRITERS * ENTRIES + 1, 0, 0)
    );
    for w in 0..WRITERS {
        // The last change of each entry.
        for i in CHANGES - ENTRIES..CHANGES {
            let (id, port, key) = change(w, i);
            let id = Identifier::parse(2, id.as_bytes()).expect("valid");
            let mut out = KeyBuffer::new();
            assert_eq!(
                p.lookup(PortSelector::Port(port), &id, &mut out),
                Ok(KeySource::Port)
            );
            assert_eq!(out.expose_secret(), key.as_bytes(), "writer {w} change {i}");
        }
    }
    let lookups = lookups.load(Ordering::SeqCst);
    assert!(lookups >= READERS, "the readers ran");
    let _ = writeln!(
        std::io::stderr(),
        "load: {} changes by {WRITERS} concurrent processes in {:.1} s, each acknowledged and \
         the last of each entry present; {lookups} lookups from other processes meanwhile, all \
         answered",
        WRITERS * CHANGES,
        elapsed.as_secs_f64()
    );
}
