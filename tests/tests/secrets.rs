//! Secrets never outlive their use and never show: (a) no freed heap block still holds a key or
//! CHAP secret that was set, through set, replace, remove, ClearCache, lookups, restart and drop,
//! over the core's `MemoryStore` and the host's `DirStore`; (b) nothing `iscsisec` prints holds
//! a secret; (c) `Debug` of every type holding one hides it; (d) state files and directories are
//! created owner-only.
//!
//! ```text
//!   Recording (global allocator) ── on every free, while armed on this thread ──► scan the block
//!        for each secret the workload sets ──► count a violation (no allocation in the allocator)
//! ```
//!
//! The test builds its IN buffers in wiped-on-drop buffers of exact size, so that a hit is the
//! code's leak, not the test's. Stack memory is out of scope (it is not freed to an allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use iscsisec_core::consts::{OPERATIONS_GUID, SECURITY_CONFIG_OPERATIONS_GUID, method};
use iscsisec_core::record::{Record, RecordRef};
use iscsisec_core::store::MemoryStore;
use iscsisec_core::testing::FaultStore;
use iscsisec_core::testing::{TestPlatform, test_platform};
use iscsisec_core::wire::{
    SetChapSharedSecretIn, SetGroupPresharedKeyIn, SetPresharedKeyForIdIn, StatusOut,
};
use iscsisec_core::{
    AdapterConfig, ChapSecretBuffer, Identifier, IsdscStatus, KeyBuffer, KeySource, PortSelector,
    Provider, RecordStore,
};
use iscsisec_host::store::{Access, DirStore};
use iscsisec_tests::*;
use zeroize::Zeroizing;

// ----- the secrets the workloads set -----

const PSK_PORT: &[u8] = b"psk-port0-secret-Aq7";
const PSK_PORT_REPLACED: &[u8] = b"psk-port0-replaced-Bq7";
const PSK_ALL: &[u8] = b"psk-allports-secret-Cq7";
const GROUP: &[u8] = b"group-key-secret-Dq7";
const GROUP_REPLACED: &[u8] = b"group-key-replaced-Eq7";
const CHAP: &[u8] = b"chap-secret-16-F";
const CHAP_SHORT: &[u8] = b"chapShort7";

const SECRETS: [&[u8]; 7] = [
    PSK_PORT,
    PSK_PORT_REPLACED,
    PSK_ALL,
    GROUP,
    GROUP_REPLACED,
    CHAP,
    CHAP_SHORT,
];

// ----- the recording allocator -----

/// Passes every call to the system allocator; while armed on the current thread, scans each
/// block about to be freed for the secrets and counts the hits.
struct Recording;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

static HITS: AtomicUsize = AtomicUsize::new(0);
/// 1 + the index in [`SECRETS`] of the first hit, and the size of its block.
static FIRST_SECRET: AtomicUsize = AtomicUsize::new(0);
static FIRST_SIZE: AtomicUsize = AtomicUsize::new(0);

fn holds(block: &[u8], needle: &[u8]) -> bool {
    block.windows(needle.len()).any(|w| w == needle)
}

fn scan(block: &[u8]) {
    for (i, secret) in SECRETS.iter().enumerate() {
        if holds(block, secret) {
            if HITS.fetch_add(1, Ordering::SeqCst) == 0 {
                FIRST_SECRET.store(i + 1, Ordering::SeqCst);
                FIRST_SIZE.store(block.len(), Ordering::SeqCst);
            }
            return;
        }
    }
}

// SAFETY: every method forwards to `System` with the caller's layout, which upholds
// `GlobalAlloc`'s contract; `realloc` is `alloc` + copy + `dealloc`, each with valid layouts.
unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout has a non-zero size (GlobalAlloc contract).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.try_with(Cell::get).unwrap_or(false) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes until it is freed below.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            scan(block);
        }
        // SAFETY: `ptr` was allocated by `System` with `layout` (every path above does so).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Not `System.realloc`: a move would free the old block without the scan.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `new_size` is non-zero (GlobalAlloc contract for `realloc`).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            let n = layout.size().min(new_size);
            // SAFETY: both blocks are live, at least `n` bytes long, and distinct.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, n) };
            // SAFETY: `ptr` was allocated with `layout` and is not used after this.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// One test at a time arms the allocator and reads the counters.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` with the allocator armed on this thread and returns the hits it caused.
fn armed(f: impl FnOnce()) -> usize {
    HITS.store(0, Ordering::SeqCst);
    FIRST_SECRET.store(0, Ordering::SeqCst);
    ARMED.with(|a| a.set(true));
    f();
    ARMED.with(|a| a.set(false));
    HITS.load(Ordering::SeqCst)
}

fn first_hit() -> String {
    let i = FIRST_SECRET.load(Ordering::SeqCst);
    let size = FIRST_SIZE.load(Ordering::SeqCst);
    match i.checked_sub(1).and_then(|i| SECRETS.get(i)) {
        Some(s) => format!(
            "a freed block of {size} bytes held {:?}",
            String::from_utf8_lossy(s)
        ),
        None => "none".to_owned(),
    }
}

// ----- the core workload -----

fn fqdn(name: &str) -> Identifier {
    Identifier::parse(2, name.as_bytes()).expect("a valid name")
}

/// A method call whose IN buffer is built in place, in a buffer of exact size wiped on drop.
fn call<S: RecordStore>(
    p: &mut Provider<S, TestPlatform>,
    class: iscsisec_core::Guid,
    method_id: u32,
    len: usize,
    emit: impl FnOnce(&mut [u8]),
) -> IsdscStatus {
    let mut buf = Zeroizing::new(vec![0u8; len.max(4)]);
    emit(&mut buf);
    let in_size = u32::try_from(len).expect("small");
    let r = p.execute_method(&class, method_id, &mut buf, in_size, 4);
    assert!(r.status.is_success(), "{r:?}");
    StatusOut::parse(&buf).expect("an OUT").status
}

fn set_psk<S: RecordStore>(
    p: &mut Provider<S, TestPlatform>,
    port: u32,
    id: &str,
    key: &[u8],
) -> IsdscStatus {
    let repr = SetPresharedKeyForIdIn {
        port_number: port,
        security_flags: 1,
        id_type: 2,
        id: id.as_bytes(),
        key,
    };
    call(
        p,
        SECURITY_CONFIG_OPERATIONS_GUID,
        method::SET_PRESHARED_KEY_FOR_ID,
        repr.buffer_len(),
        |b| repr.emit(b).expect("fits"),
    )
}

fn set_group<S: RecordStore>(p: &mut Provider<S, TestPlatform>, key: &[u8]) -> IsdscStatus {
    let repr = SetGroupPresharedKeyIn { key };
    call(
        p,
        SECURITY_CONFIG_OPERATIONS_GUID,
        method::SET_GROUP_PRESHARED_KEY,
        repr.buffer_len(),
        |b| repr.emit(b).expect("fits"),
    )
}

fn set_chap<S: RecordStore>(p: &mut Provider<S, TestPlatform>, secret: &[u8]) -> IsdscStatus {
    let repr = SetChapSharedSecretIn {
        shared_secret: secret,
    };
    call(
        p,
        OPERATIONS_GUID,
        method::SET_CHAP_SHARED_SECRET,
        repr.buffer_len(),
        |b| repr.emit(b).expect("fits"),
    )
}

fn clear_cache<S: RecordStore>(p: &mut Provider<S, TestPlatform>) -> IsdscStatus {
    call(
        p,
        SECURITY_CONFIG_OPERATIONS_GUID,
        method::CLEAR_CACHE,
        0,
        |_| {},
    )
}

/// Looks up and compares without copying the key anywhere.
fn expect_key<S: RecordStore>(
    p: &Provider<S, TestPlatform>,
    port: PortSelector,
    id: &str,
    source: KeySource,
    key: &[u8],
) {
    let mut out = KeyBuffer::new();
    let got = p.lookup(port, &fqdn(id), &mut out);
    assert_eq!(got, Ok(source), "{id}");
    assert!(out.expose_secret() == key, "{id}: another key");
}

fn start<S: RecordStore>(store: S) -> Provider<S, TestPlatform> {
    Provider::start(store, AdapterConfig::default(), test_platform())
        .expect("the provider starts")
        .0
}

/// Set, replace, remove, ClearCache, lookups, restarts, and a drop at the end.
fn workload<S: RecordStore>(store: S, restart: impl Fn(S) -> S) {
    let ok = IsdscStatus::SUCCESS;
    let (p0, p1) = (PortSelector::Port(0), PortSelector::Port(1));
    let mut p = start(store);
    assert_eq!(set_psk(&mut p, 0, "a.example", PSK_PORT), ok);
    assert_eq!(set_psk(&mut p, 0xFFFF_FFFF, "a.example", PSK_ALL), ok);
    assert_eq!(set_group(&mut p, GROUP), ok);
    assert_eq!(set_chap(&mut p, CHAP), ok);
    expect_key(&p, p0, "a.example", KeySource::Port, PSK_PORT);
    expect_key(&p, p1, "a.example", KeySource::AllPorts, PSK_ALL);
    expect_key(&p, p0, "b.example", KeySource::Group, GROUP);
    // Replace each.
    assert_eq!(set_psk(&mut p, 0, "a.example", PSK_PORT_REPLACED), ok);
    assert_eq!(set_group(&mut p, GROUP_REPLACED), ok);
    assert_eq!(set_chap(&mut p, CHAP_SHORT), IsdscStatus::SHORT_CHAP_SECRET);
    expect_key(&p, p0, "a.example", KeySource::Port, PSK_PORT_REPLACED);
    // Restart from storage.
    let mut p = start(restart(p.into_store()));
    expect_key(&p, p0, "a.example", KeySource::Port, PSK_PORT_REPLACED);
    expect_key(&p, p0, "b.example", KeySource::Group, GROUP_REPLACED);
    // Remove each.
    assert_eq!(set_psk(&mut p, 0, "a.example", b""), ok);
    assert_eq!(set_group(&mut p, b""), ok);
    assert_eq!(set_chap(&mut p, b""), ok);
    expect_key(&p, p0, "a.example", KeySource::AllPorts, PSK_ALL);
    // Set again, then ClearCache.
    assert_eq!(set_psk(&mut p, 0, "a.example", PSK_PORT), ok);
    assert_eq!(set_group(&mut p, GROUP), ok);
    assert_eq!(set_chap(&mut p, CHAP), ok);
    assert_eq!(clear_cache(&mut p), ok);
    let mut out = KeyBuffer::new();
    assert!(p.lookup(p0, &fqdn("a.example"), &mut out).is_err());
    // Set once more and end with a restart and a drop of everything.
    assert_eq!(set_psk(&mut p, 0, "a.example", PSK_PORT), ok);
    assert_eq!(set_group(&mut p, GROUP), ok);
    assert_eq!(set_chap(&mut p, CHAP), ok);
    let p = start(restart(p.into_store()));
    expect_key(&p, p0, "a.example", KeySource::Port, PSK_PORT);
    drop(p);
}

#[test]
fn the_recording_allocator_catches_a_freed_secret() {
    // The positive control: without it, "no hits" could mean "no scanning".
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let hits = armed(|| drop(std::hint::black_box(GROUP.to_vec())));
    assert_eq!(hits, 1);
    let hits = armed(|| drop(Zeroizing::new(std::hint::black_box(GROUP.to_vec()))));
    assert_eq!(hits, 0, "a wiped block is clean");
    // Growing a vector frees the old block: that copy is caught too.
    let hits = armed(|| {
        let mut v = Vec::with_capacity(GROUP.len());
        v.extend_from_slice(GROUP);
        v.reserve(4096);
        let mut v = Zeroizing::new(v);
        v.push(0);
    });
    assert_eq!(hits, 1);
}

#[test]
fn no_freed_block_holds_a_secret_with_the_memory_store() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let hits = armed(|| workload(MemoryStore::new(), |s| s));
    assert_eq!(hits, 0, "{}", first_hit());
    // The fault store the other tests use wipes too (it keeps a MemoryStore).
    let hits = armed(|| {
        let (store, handle) = FaultStore::new(MemoryStore::new());
        workload(store, |s| s);
        drop(handle);
    });
    assert_eq!(hits, 0, "{}", first_hit());
}

#[test]
fn no_freed_block_holds_a_secret_with_the_directory_store() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("state");
    let open = |dir: &Path| {
        DirStore::open(dir, Access::Change, |m| panic!("storage: {m}")).expect("the store opens")
    };
    let hits = armed(|| {
        let store = open(&dir);
        workload(store, |s| {
            drop(s);
            open(&dir)
        });
    });
    assert_eq!(hits, 0, "{}", first_hit());
}

// ----- (b) what the host prints -----

/// Whether `text` holds `secret` as bytes, as lower- or upper-case hex, or as a decimal list.
fn shows(text: &[u8], secret: &[u8]) -> bool {
    let lower: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let decimal = secret
        .iter()
        .take(6)
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    holds(text, secret)
        || holds(text, lower.as_bytes())
        || holds(text, lower.to_uppercase().as_bytes())
        || holds(text, decimal.as_bytes())
}

#[test]
fn nothing_the_host_prints_holds_a_secret() {
    let t = iscsisec!();
    let hexed = |s: &[u8]| format!("0x{}", hex(s));
    let (psk_port, psk_all, group, chap) = (
        String::from_utf8_lossy(PSK_PORT).into_owned(),
        hexed(PSK_ALL),
        String::from_utf8_lossy(GROUP).into_owned(),
        String::from_utf8_lossy(CHAP).into_owned(),
    );
    let mut printed: Vec<(String, Vec<u8>)> = Vec::new();
    let mut run = |args: &[&str], stdin: &[u8], stdout_may_show: bool| {
        let out = t.run(args, stdin);
        let what = args.join(" ");
        if !stdout_may_show {
            printed.push((format!("{what} (stdout)"), out.stdout.clone()));
        }
        printed.push((format!("{what} (stderr)"), out.stderr.clone()));
        out
    };
    run(&["GroupKey", &group, "*"], b"", false);
    run(
        &["PSKey", "*", "0", "0x0B", "2", "a.example", &psk_port, "*"],
        b"",
        false,
    );
    run(
        &["PSKey", "*", "*", "0", "2", "a.example", &psk_all, "*"],
        b"",
        false,
    );
    run(&["CHAPSecret", &chap], b"", false);
    run(
        &["exec", SECURITY_CONFIG, "1"],
        &set_psk_in(1, 1, 2, b"b.example", PSK_PORT_REPLACED),
        false,
    );
    run(&["exec", OPERATIONS, "71"], &sized_in(CHAP_SHORT), false);
    run(
        &["exec", SECURITY_CONFIG, "3", "--out-size", "2"],
        &sized_in(GROUP_REPLACED),
        false,
    );
    let got = run(&["GetPSKey", "*", "0", "2", "a.example"], b"", false);
    assert!(String::from_utf8_lossy(&got.stdout).starts_with("status=SUCCESS"));
    let shown = run(&["show", "--json"], b"", false);
    assert!(String::from_utf8_lossy(&shown.stdout).contains(r#""chap_secret_bytes":10"#));
    run(&lookup_args("0", "fqdn", "a.example", false), b"", false);
    let revealed = run(&lookup_args("0", "fqdn", "a.example", true), b"", true);
    assert!(
        shows(&revealed.stdout, PSK_PORT),
        "--reveal is the one place a key shows"
    );
    // Refused input: bad hex, too long, too long a secret, an empty key.
    run(
        &["GroupKey", &format!("{}z", hexed(GROUP)), "*"],
        b"",
        false,
    );
    run(
        &[
            "PSKey",
            "*",
            "0",
            "0",
            "2",
            "a.example",
            &format!("{}0", hexed(PSK_PORT)),
            "*",
        ],
        b"",
        false,
    );
    run(&["CHAPSecret", &format!("{chap}{chap}")], b"", false);
    run(
        &["GroupKey", &format!("{group}{}", "x".repeat(300)), "*"],
        b"",
        false,
    );
    // A storage failure, then damage: the messages name paths, never bytes.
    std::fs::create_dir(t.state_dir().join(".group-key.tmp")).expect("a blocker");
    run(&["GroupKey", &group, "*"], b"", false);
    let group_file = t.state_dir().join("group-key");
    let mut bytes = std::fs::read(&group_file).expect("the group key's record");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&group_file, &bytes).expect("damage it");
    run(&["show", "--json"], b"", false);
    run(&lookup_args("1", "fqdn", "z.example", true), b"", false);
    run(&["ClearCache"], b"", false);
    run(&["demo"], b"", false);
    for (what, text) in &printed {
        for secret in SECRETS {
            assert!(
                !shows(text, secret),
                "{what} printed {:?}:\n{}",
                String::from_utf8_lossy(secret),
                String::from_utf8_lossy(text)
            );
        }
    }
    assert_eq!(printed.len(), 39, "every command was checked");
}

// ----- (c) Debug of everything that holds a secret -----

#[test]
fn debug_of_every_type_holding_a_secret_hides_it() {
    let mut texts: Vec<(&str, String)> = Vec::new();
    let mut p = start(MemoryStore::new());
    set_psk(&mut p, 0, "a.example", PSK_PORT);
    set_group(&mut p, GROUP);
    set_chap(&mut p, CHAP);
    let mut out = KeyBuffer::new();
    p.lookup(PortSelector::Port(0), &fqdn("a.example"), &mut out)
        .expect("a key");
    texts.push(("KeyBuffer", format!("{out:?} {out:#?}")));
    let mut chap = ChapSecretBuffer::new();
    p.chap_secret(&mut chap).expect("a secret");
    texts.push(("ChapSecretBuffer", format!("{chap:?} {chap:#?}")));
    let reader = p.reader();
    texts.push(("Reader", format!("{reader:?} {reader:#?}")));
    texts.push(("Provider", format!("{p:?} {p:#?}")));
    texts.push(("Table", format!("{:?}", p.table())));
    for e in p.table().psk_entries() {
        texts.push(("PskEntry", format!("{e:?} {e:#?}")));
    }
    let group = p.table().group_key().expect("set");
    let chap_entry = p.table().chap_secret().expect("set");
    texts.push(("SecretEntry", format!("{group:?} {chap_entry:#?}")));
    texts.push(("MemoryStore", format!("{:?}", p.store())));
    let id = fqdn("a.example");
    let refs = [
        RecordRef::Psk {
            port: PortSelector::All,
            id: &id,
            flags: iscsisec_core::SecurityFlags::parse(1).expect("flags"),
            key: PSK_ALL,
        },
        RecordRef::GroupKey(GROUP),
        RecordRef::ChapSecret(CHAP),
    ];
    for r in refs {
        texts.push(("RecordRef", format!("{r:?} {r:#?}")));
        let mut buf = Zeroizing::new([0u8; iscsisec_core::record::MAX_RECORD_LEN]);
        let n = r.encode(buf.as_mut_slice()).expect("encodes");
        let name = r.name();
        let record = Record::decode(name.as_str(), &buf[..n]).expect("decodes");
        texts.push(("Record", format!("{record:?} {record:#?}")));
        let loaded = iscsisec_core::record::classify(name.as_str().as_bytes(), Ok(&buf[..n]));
        texts.push(("Loaded", format!("{loaded:?}")));
    }
    texts.push((
        "SetPresharedKeyForIdIn",
        format!(
            "{:?}",
            SetPresharedKeyForIdIn {
                port_number: 0,
                security_flags: 0,
                id_type: 2,
                id: b"a",
                key: PSK_PORT
            }
        ),
    ));
    texts.push((
        "SetGroupPresharedKeyIn",
        format!("{:?}", SetGroupPresharedKeyIn { key: GROUP }),
    ));
    texts.push((
        "SetChapSharedSecretIn",
        format!(
            "{:?}",
            SetChapSharedSecretIn {
                shared_secret: CHAP
            }
        ),
    ));
    let (mut fault, handle) = FaultStore::new(MemoryStore::new());
    fault.write("group-key", GROUP).expect("write");
    texts.push(("FaultStore", format!("{fault:?} {handle:?}")));
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut dir =
        DirStore::open(tmp.path(), Access::Change, |m| panic!("storage: {m}")).expect("opens");
    dir.write("group-key", GROUP).expect("write");
    texts.push(("DirStore", format!("{dir:?}")));
    for (what, text) in &texts {
        assert!(!text.is_empty(), "{what}");
        for s in SECRETS {
            assert!(!shows(text.as_bytes(), s), "{what}: {text}");
        }
    }
}

// ----- (d) what the host creates is owner-only -----

#[cfg(unix)]
#[test]
fn state_files_and_directories_are_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let t = iscsisec!();
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let state = tmp.path().join("new/parents/state");
    let bin = t.bin().to_path_buf();
    // Under the most permissive umask, every change and read.
    let script = r#"set -f && umask 000 && for args in "GroupKey g1 *" "PSKey * 0 0 2 a.example k1 *" \
        "CHAPSecret twelve-bytes" "TunnelAddr * 0 192.0.2.1 192.0.2.2 *" "show --json" \
        "GroupKey g2 *" "ClearCache"; do "$0" --state "$1" $args >/dev/null || exit 1; done"#;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&bin)
        .arg(&state)
        .env("SHELLOPTS", "")
        .status()
        .expect("sh runs");
    assert!(status.success());
    let mode = |p: &Path| {
        std::fs::symlink_metadata(p)
            .expect("exists")
            .permissions()
            .mode()
            & 0o7777
    };
    for dir in ["new", "new/parents", "new/parents/state"] {
        assert_eq!(mode(&tmp.path().join(dir)), 0o700, "{dir}");
    }
    let mut files = 0;
    for entry in std::fs::read_dir(&state).expect("readable") {
        let path = entry.expect("an entry").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert_eq!(
        files, 2,
        "the lock file and the tunnel mapping ClearCache keeps"
    );
}
