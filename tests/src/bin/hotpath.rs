//! `hotpath`: the hot-path figures of issue 6 in one run, ending with one `RESULT` line.
//!
//! ```text
//!   cargo run --release -p iscsisec-tests --bin hotpath -- [--quick] [--plot FILE] [--seed N]
//!
//!   for n in 1k, 10k, 100k, 1M:   workload ──► our Provider, the HashMap floors, the scan
//!       lookups (3 paths × 5 candidates, interleaved rounds, medians)
//!       1k:   update latency; 2 readers vs 1 with a writer at 1,000 updates/s, and the
//!             machine's own 2-vs-1 ceiling
//!       100k: Provider::start over the records, from memory and from a state directory
//!       1M:   update latency
//!   RESULT ratio_floor=… ratio_floor_1m=… scaling_2t=… scaling_share=… vs_linear_100k=…
//!          load_100k_ms=… lookup_1m_ns=… update_1m_us=…
//! ```
//!
//! # Method
//!
//! * **Workload.** `n` explicit keys of 32 random bytes over distinct random identifiers, half
//!   IPv4 addresses, half FQDNs of 2–4 labels of 3–12 characters; three in four are for one
//!   of 2 ports, one in four for all ports; `n / 4` more identifiers have no key; a group key
//!   is set. Up to 100k entries the provider is filled through `execute_method`
//!   (one SetGroupPresharedKey and one SetPresharedKeyForId buffer per entry, MemoryStore);
//!   at 1M it is `Provider::start` over a MemoryStore holding the same records, written with
//!   `RecordRef::encode` under `RecordRef::name()` (1M method calls would dominate the run).
//! * **Queries.** Per path, one endless pre-shuffled sequence: every pass over the path's
//!   population (port-specific entries for "hit", all-ports entries queried on a random port
//!   for "miss port, hit all-ports", keyless identifiers on a random port for "miss all,
//!   group key") is a fresh random permutation, so no key is hot or follows its neighbour. A
//!   round takes the next batch of the sequence and runs it through every candidate in a
//!   rotated order (each candidate goes first, on a cold batch, equally often); each
//!   candidate's time for the batch gives its ns per lookup for the round; the figure is the
//!   median over the rounds. Results go through `std::hint::black_box`. Before timing, every
//!   candidate's answers are checked against the workload on a full batch.
//! * **Candidates.** `Reader::lookup` (one `Provider::reader()` made beforehand),
//!   `Provider::lookup`, the floor — an unsynchronised `std::collections::HashMap` from the
//!   compact (port, type, identifier bytes) to the key bytes, hashed with SipHash-1-3 under a
//!   random key (the table's own hash), a hit copying the key into a `KeyBuffer`-sized buffer,
//!   "miss port, hit all-ports" costing two probes and "miss all" two probes and the group key
//!   (`iscsisec_tests::bench::floor`) — the same map with identity and key in one allocation
//!   ("packed floor"), and the anchors' linear best-match scan (`bench::scan`; hit path only,
//!   on the first queries of each batch, since one scan costs ~10⁶ lookups at 1M).
//! * **Scaling.** At 1k entries: lookups/s summed over 2 reader threads ÷ with 1 reader
//!   thread, while a writer thread replaces a random entry's key through `execute_method` at
//!   a steady 1,000 updates/s (paced by deadlines). The ceiling: the same thread counts, no
//!   writer, each thread doing floor lookups in a private clone of the floor (same hasher, same
//!   queries): what this machine gives two threads that share nothing. Phases interleave
//!   (ours 1, ours 2, ceiling 1, ceiling 2, …); each round gives a 2-vs-1 ratio, the figure is
//!   the median; `scaling_share` = ours ÷ ceiling.
//! * **Load.** `Provider::start` over a MemoryStore clone holding the 100k workload's
//!   records (clone and drop not timed; median of repeats), and `DirStore::open` +
//!   `Provider::start` over a state directory whose files the bench wrote directly (one file
//!   per record, no fsync; the page cache is warm).
//! * **Update.** One SetPresharedKeyForId replacing an existing entry's key through
//!   `execute_method` on the MemoryStore provider, timed per call (buffer built untimed),
//!   median of many, at 1k and 1M entries.
//!
//! `--quick` runs fewer and shorter rounds (under a minute on the project's 2-core machine);
//! `--plot FILE` also writes the lookup-vs-entries chart (SVG). `--seed N` repeats a workload.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use iscsisec_core::{KeyBuffer, Provider, Reader};
use iscsisec_host::platform::{ProcessPlatform, process_platform};
use iscsisec_host::store::{Access, DirStore};
use iscsisec_tests::bench::floor::{Floor, FloorScratch, PackedFloor, SipBuild};
use iscsisec_tests::bench::plot::{Series, lookup_chart};
use iscsisec_tests::bench::scan::Scan;
use iscsisec_tests::bench::stats::{median, percentile, rotation, thread_cpu_ns};
use iscsisec_tests::bench::{
    BenchProvider, KEY_LEN, Path, Query, Stream, Workload, execute_set_psk, set_psk_buffer,
};

/// How much to measure.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Lookup rounds per size and path.
    rounds: usize,
    /// Queries per candidate and round.
    batch: usize,
    /// Rounds of the linear scan.
    scan_rounds: usize,
    /// Scaling rounds (each: four phases).
    scaling_rounds: usize,
    /// Length of one scaling phase.
    phase: Duration,
    /// Repeats of the in-memory load.
    load_repeats: usize,
    /// Repeats of the directory load.
    dir_repeats: usize,
    /// Updates timed per size.
    updates: usize,
}

const QUICK: Plan = Plan {
    rounds: 61,
    batch: 1024,
    scan_rounds: 7,
    scaling_rounds: 15,
    phase: Duration::from_millis(100),
    load_repeats: 3,
    dir_repeats: 1,
    updates: 500,
};

const FULL: Plan = Plan {
    rounds: 301,
    batch: 1024,
    scan_rounds: 21,
    scaling_rounds: 41,
    phase: Duration::from_millis(250),
    load_repeats: 9,
    dir_repeats: 3,
    updates: 5000,
};

/// Table sizes measured.
const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// Scanned lookups per round: about 2·10⁶ secrets walked.
fn scan_batch(n: usize) -> usize {
    (2_000_000 / n).clamp(2, 2048)
}

struct Args {
    quick: bool,
    plot: Option<PathBuf>,
    seed: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        plot: None,
        seed: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--plot" => args.plot = Some(it.next().ok_or("--plot needs a file")?.into()),
            "--seed" => {
                let s = it.next().ok_or("--seed needs a number")?;
                args.seed = Some(s.parse().map_err(|_| format!("bad seed {s:?}"))?);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// The candidates of a lookup round, by index.
const READER: usize = 0;
const PROVIDER: usize = 1;
const FLOOR: usize = 2;
const PACKED: usize = 3;
const SCAN: usize = 4;

/// Median ns per lookup of each candidate on one path (NaN where not measured).
#[derive(Debug, Clone, Copy)]
struct PathFigures {
    ns: [f64; 5],
}

/// Everything measured on one table.
struct Implementations<'a> {
    workload: &'a Workload,
    provider: &'a BenchProvider,
    reader: Reader<ProcessPlatform>,
    floor: Floor,
    packed: PackedFloor,
    scan: Scan,
}

impl Implementations<'_> {
    /// Checks every candidate's answer on `batch` (untimed).
    fn check(&self, path: Path, batch: &[Query]) {
        let (mut out, mut scratch) = (KeyBuffer::new(), FloorScratch::new());
        for (i, q) in batch.iter().enumerate() {
            let want = Ok(path.source());
            assert_eq!(self.reader.lookup(q.port, &q.id, &mut out), want);
            assert_eq!(out.expose_secret(), q.expect);
            assert_eq!(self.provider.lookup(q.port, &q.id, &mut out), want);
            assert_eq!(out.expose_secret(), q.expect);
            assert_eq!(self.floor.lookup(q.port, &q.id, &mut scratch), want.ok());
            assert_eq!(scratch.key(), q.expect);
            assert_eq!(self.packed.lookup(q.port, &q.id, &mut scratch), want.ok());
            assert_eq!(scratch.key(), q.expect);
            if i < 2 {
                assert_eq!(self.scan.lookup(q.port, &q.id, &mut scratch), want.ok());
                assert_eq!(scratch.key(), q.expect);
            }
        }
    }

    /// Runs `batch` through candidate `c`; returns ns per lookup.
    fn time(&self, c: usize, batch: &[Query], scan_len: usize) -> f64 {
        let (mut out, mut scratch) = (KeyBuffer::new(), FloorScratch::new());
        let start = thread_cpu_ns();
        let count = match c {
            READER => {
                for q in batch {
                    black_box(self.reader.lookup(q.port, black_box(&q.id), &mut out)).ok();
                    black_box(&mut out);
                }
                batch.len()
            }
            PROVIDER => {
                for q in batch {
                    black_box(self.provider.lookup(q.port, black_box(&q.id), &mut out)).ok();
                    black_box(&mut out);
                }
                batch.len()
            }
            FLOOR => {
                for q in batch {
                    black_box(self.floor.lookup(q.port, black_box(&q.id), &mut scratch));
                    black_box(&mut scratch);
                }
                batch.len()
            }
            PACKED => {
                for q in batch {
                    black_box(self.packed.lookup(q.port, black_box(&q.id), &mut scratch));
                    black_box(&mut scratch);
                }
                batch.len()
            }
            _ => {
                let batch = &batch[..scan_len.min(batch.len())];
                for q in batch {
                    black_box(self.scan.lookup(q.port, black_box(&q.id), &mut scratch));
                    black_box(&mut scratch);
                }
                batch.len()
            }
        };
        (thread_cpu_ns() - start) as f64 / count as f64
    }

    /// Interleaved rounds on one path: in each, every candidate but the scan runs its own
    /// next batch of the sequence (no candidate finds entries another has just pulled into
    /// the cache), in a rotated order. The scan (hit path only) runs in rounds of its own
    /// afterwards, since each of its lookups evicts every cache.
    fn measure(&self, path: Path, plan: &Plan, seed: u64) -> PathFigures {
        let mut stream = Stream::new(self.workload, path, seed);
        let warm = stream.batch(self.workload, plan.batch);
        self.check(path, &warm);
        let scan_len = scan_batch(self.workload.entries.len());
        for c in [READER, PROVIDER, FLOOR, PACKED] {
            self.time(c, &warm, scan_len);
        }
        let mut samples: [Vec<f64>; 5] = Default::default();
        for round in 0..plan.rounds {
            for c in rotation(round, 4) {
                let batch = stream.batch(self.workload, plan.batch);
                samples[c].push(self.time(c, &batch, scan_len));
            }
        }
        if path == Path::Hit {
            for _ in 0..plan.scan_rounds {
                let batch = stream.batch(self.workload, scan_len);
                samples[SCAN].push(self.time(SCAN, &batch, scan_len));
            }
        }
        PathFigures {
            ns: samples.map(|s| median(&s)),
        }
    }
}

/// Figures of one table size.
struct SizeFigures {
    n: usize,
    paths: Vec<(Path, PathFigures)>,
}

impl SizeFigures {
    fn hit(&self) -> &PathFigures {
        &self.paths[0].1
    }
}

fn print_size(f: &SizeFigures) {
    println!(
        "\n  {:>9} entries | {:<26} | {:>10} {:>10} {:>10} {:>10} | {:>10} {:>7} {:>7}",
        f.n,
        "path (ns per lookup)",
        "Reader",
        "Provider",
        "floor",
        "packed",
        "scan",
        "÷floor",
        "÷packed"
    );
    for (path, p) in &f.paths {
        println!(
            "  {:>17} | {:<26} | {:>10.1} {:>10.1} {:>10.1} {:>10.1} | {:>10} {:>7.2} {:>7.2}",
            "",
            path.name(),
            p.ns[READER],
            p.ns[PROVIDER],
            p.ns[FLOOR],
            p.ns[PACKED],
            if p.ns[SCAN].is_nan() {
                "-".to_owned()
            } else {
                format!("{:.0}", p.ns[SCAN])
            },
            p.ns[READER] / p.ns[FLOOR],
            p.ns[READER] / p.ns[PACKED],
        );
    }
}

/// Median and 99th percentile µs of `count` replacements of random port-specific entries.
fn measure_updates(
    provider: &mut BenchProvider,
    w: &Workload,
    count: usize,
    rng: &mut fastrand::Rng,
) -> (f64, f64) {
    let hits = w.population(Path::Hit);
    let mut us = Vec::with_capacity(count);
    let mut last = None;
    for _ in 0..count {
        let e = &w.entries[hits[rng.usize(..hits.len())] as usize];
        let mut key = [0u8; KEY_LEN];
        rng.fill(&mut key);
        let mut buf = set_psk_buffer(e.port, &e.id, &key);
        let start = Instant::now();
        execute_set_psk(provider, &mut buf);
        us.push(start.elapsed().as_nanos() as f64 / 1000.0);
        last = Some((e, key));
    }
    if let Some((e, key)) = last {
        let mut out = KeyBuffer::new();
        assert!(
            provider
                .lookup(e.port, &e.id.identifier(), &mut out)
                .is_ok()
        );
        assert_eq!(out.expose_secret(), key, "the replaced key is served");
    }
    (median(&us), percentile(&us, 0.99))
}

/// The scaling figures (medians over rounds; ratios are per round, then the median).
struct Scaling {
    ours_1t: f64,
    ours_2t: f64,
    ceiling_1t: f64,
    ceiling_2t: f64,
    ratio_ours: f64,
    ratio_ceiling: f64,
    /// The same ratios over per-thread CPU time.
    cpu_ratio_ours: f64,
    cpu_ratio_ceiling: f64,
    updates_per_s: f64,
}

/// Per-thread work of a scaling phase: lookups until `stop`, returning (lookups, wall
/// seconds, CPU seconds of the thread).
fn run_until(
    stop: &AtomicBool,
    start: &Barrier,
    mut pass: impl FnMut() -> usize,
) -> (f64, f64, f64) {
    start.wait();
    let (t, cpu) = (Instant::now(), thread_cpu_ns());
    let mut done = 0usize;
    while !stop.load(Ordering::Relaxed) {
        done += pass();
    }
    let cpu = (thread_cpu_ns() - cpu) as f64 / 1e9;
    (done as f64, t.elapsed().as_secs_f64(), cpu)
}

/// Lookups per second of a phase: over wall time (what the threads achieved together), and
/// over each thread's own CPU time (what a lookup costs while others run beside it).
#[derive(Debug, Clone, Copy)]
struct Rate {
    wall: f64,
    cpu: f64,
}

/// One phase: `threads` threads doing `make(thread)`'s work for `length`, summed.
fn phase<F, G>(threads: usize, length: Duration, make: F) -> Rate
where
    F: Fn(usize) -> G + Sync,
    G: FnMut() -> usize,
{
    let stop = AtomicBool::new(false);
    let start = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (stop, start, make) = (&stop, &start, &make);
                s.spawn(move || run_until(stop, start, make(t)))
            })
            .collect();
        start.wait();
        std::thread::sleep(length);
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().fold(
            Rate {
                wall: 0.0,
                cpu: 0.0,
            },
            |r, h| {
                let (n, wall, cpu) = h.join().expect("reader thread");
                Rate {
                    wall: r.wall + n / wall,
                    cpu: r.cpu + n / cpu.max(1e-9),
                }
            },
        )
    })
}

/// 2 readers vs 1 at 1k entries with a writer at 1,000 updates/s, and the machine's ceiling.
fn measure_scaling(
    mut provider: BenchProvider,
    w: &Workload,
    floor: &Floor,
    plan: &Plan,
    seed: u64,
) -> Scaling {
    let reader = provider.reader();
    // Each thread walks its own slice of the hit sequence, over and over.
    let mut stream = Stream::new(w, Path::Hit, seed);
    let queries: Vec<Vec<Query>> = (0..2).map(|_| stream.batch(w, 4096)).collect();
    let writing = AtomicBool::new(false);
    let quit = AtomicBool::new(false);
    let mut ours = (Vec::new(), Vec::new());
    let mut ceiling = (Vec::new(), Vec::new());
    let mut ratios = (Vec::new(), Vec::new());
    let mut cpu_ratios = (Vec::new(), Vec::new());
    let mut writer_time = Duration::ZERO;
    let updates = std::thread::scope(|s| {
        let (writing, quit) = (&writing, &quit);
        let writer = s.spawn(move || {
            let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed);
            let hits = w.population(Path::Hit);
            let mut done = 0u64;
            let tick = Duration::from_millis(1);
            let mut next = Instant::now();
            while !quit.load(Ordering::Relaxed) {
                if !writing.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    next = Instant::now();
                    continue;
                }
                next += tick;
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let e = &w.entries[hits[rng.usize(..hits.len())] as usize];
                let mut key = [0u8; KEY_LEN];
                rng.fill(&mut key);
                let mut buf = set_psk_buffer(e.port, &e.id, &key);
                execute_set_psk(&mut provider, &mut buf);
                done += 1;
            }
            done
        });
        let ours_work = |t: usize| {
            let (reader, queries) = (reader.clone(), &queries[t]);
            let mut out = KeyBuffer::new();
            move || {
                for q in queries {
                    black_box(reader.lookup(q.port, black_box(&q.id), &mut out)).ok();
                    black_box(&mut out);
                }
                queries.len()
            }
        };
        let ceiling_work = |t: usize| {
            let (private, queries) = (floor.clone(), &queries[t]);
            let mut out = FloorScratch::new();
            move || {
                for q in queries {
                    black_box(private.lookup(q.port, black_box(&q.id), &mut out));
                    black_box(&mut out);
                }
                queries.len()
            }
        };
        for _ in 0..plan.scaling_rounds {
            writing.store(true, Ordering::Relaxed);
            let t = Instant::now();
            let o1 = phase(1, plan.phase, ours_work);
            let o2 = phase(2, plan.phase, ours_work);
            writer_time += t.elapsed();
            writing.store(false, Ordering::Relaxed);
            let c1 = phase(1, plan.phase, ceiling_work);
            let c2 = phase(2, plan.phase, ceiling_work);
            ours.0.push(o1.wall);
            ours.1.push(o2.wall);
            ceiling.0.push(c1.wall);
            ceiling.1.push(c2.wall);
            ratios.0.push(o2.wall / o1.wall);
            ratios.1.push(c2.wall / c1.wall);
            cpu_ratios.0.push(o2.cpu / o1.cpu);
            cpu_ratios.1.push(c2.cpu / c1.cpu);
        }
        quit.store(true, Ordering::Relaxed);
        writer.join().expect("writer thread")
    });
    Scaling {
        ours_1t: median(&ours.0),
        ours_2t: median(&ours.1),
        ceiling_1t: median(&ceiling.0),
        ceiling_2t: median(&ceiling.1),
        ratio_ours: median(&ratios.0),
        ratio_ceiling: median(&ratios.1),
        cpu_ratio_ours: median(&cpu_ratios.0),
        cpu_ratio_ceiling: median(&cpu_ratios.1),
        updates_per_s: updates as f64 / writer_time.as_secs_f64(),
    }
}

/// Load figures at 100k.
struct Load {
    memory_ms: f64,
    dir_ms: f64,
    dir_write_ms: f64,
    records: usize,
}

fn measure_load(w: &Workload, plan: &Plan) -> Load {
    let store = w.memory_store();
    let records = store.len();
    let mut memory = Vec::new();
    for _ in 0..plan.load_repeats {
        let copy = store.clone();
        let t = Instant::now();
        let (p, report) =
            Provider::start(copy, w.config(), process_platform()).expect("start from memory");
        memory.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!((report.loaded, report.corrupt), (records, 0));
        drop(p);
    }
    drop(store);
    let dir = tempfile::Builder::new()
        .prefix("hotpath-state-")
        .tempdir()
        .expect("temporary state directory");
    let t = Instant::now();
    for (name, bytes) in w.records() {
        std::fs::write(dir.path().join(name.as_str()), bytes).expect("write a record file");
    }
    let dir_write_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut from_dir = Vec::new();
    for _ in 0..plan.dir_repeats {
        let t = Instant::now();
        let store = DirStore::open(dir.path(), Access::Change, |m| eprintln!("storage: {m}"))
            .expect("open the state directory");
        let (p, report) =
            Provider::start(store, w.config(), process_platform()).expect("start from dir");
        from_dir.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!((report.loaded, report.corrupt), (records, 0));
        drop(p);
    }
    Load {
        memory_ms: median(&memory),
        dir_ms: median(&from_dir),
        dir_write_ms,
        records,
    }
}

/// The 1-, 5- and 15-minute load averages: how shared the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or("unknown CPU", |m| m.trim_start_matches([' ', '\t', ':']));
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cpus} CPUs available")
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("hotpath: {e}\nusage: hotpath [--quick] [--plot FILE] [--seed N]");
            return ExitCode::from(2);
        }
    };
    let plan = if args.quick { QUICK } else { FULL };
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    println!(
        "hotpath: {} mode, seed {seed}, {}, load average {}",
        if args.quick { "quick" } else { "full" },
        machine(),
        load_average()
    );
    println!(
        "  per path: {} rounds × {} queries per candidate (thread CPU time, medians); scan: {} \
         rounds of 2e6 secrets walked",
        plan.rounds, plan.batch, plan.scan_rounds
    );

    let mut sizes = Vec::new();
    let mut scaling = None;
    let mut load = None;
    let mut update_1k = (f64::NAN, f64::NAN);
    let mut update_1m = (f64::NAN, f64::NAN);
    for n in SIZES {
        let t = Instant::now();
        let w = Workload::generate(n, &mut rng);
        let generated = t.elapsed();
        let t = Instant::now();
        let (mut provider, how) = if n >= 1_000_000 {
            let store = w.memory_store();
            let encoded = t.elapsed();
            let (p, _) =
                Provider::start(store, w.config(), process_platform()).expect("start over 1M");
            let how = format!(
                "records encoded into a MemoryStore ({:.2} s) and Provider::start",
                encoded.as_secs_f64()
            );
            (p, how)
        } else {
            (w.provider_by_methods(), "execute_method calls".to_owned())
        };
        let filled = t.elapsed();
        let t = Instant::now();
        let imp = Implementations {
            workload: &w,
            provider: &provider,
            reader: provider.reader(),
            floor: Floor::build(&w, SipBuild::random(&mut rng)),
            packed: PackedFloor::build(&w, SipBuild::random(&mut rng)),
            scan: Scan::build(&w),
        };
        println!(
            "\n{n} entries: workload {:.2} s; provider filled by {how} in {:.2} s; floors and \
             scan list ({} secrets) {:.2} s",
            generated.as_secs_f64(),
            filled.as_secs_f64(),
            imp.scan.len(),
            t.elapsed().as_secs_f64()
        );
        let paths = Path::ALL
            .iter()
            .map(|&p| (p, imp.measure(p, &plan, rng.u64(..))))
            .collect();
        let figures = SizeFigures { n, paths };
        print_size(&figures);
        let floor = imp.floor.clone();
        drop(imp);
        match n {
            1_000 => {
                update_1k = measure_updates(&mut provider, &w, plan.updates, &mut rng);
                println!(
                    "  update (SetPresharedKeyForId replace): median {:.2} µs, p99 {:.2} µs",
                    update_1k.0, update_1k.1
                );
                let s = measure_scaling(provider, &w, &floor, &plan, rng.u64(..));
                println!(
                    "  2 readers vs 1, writer at {:.0} updates/s: {:.2} M/s vs {:.2} M/s = {:.2}×",
                    s.updates_per_s,
                    s.ours_2t / 1e6,
                    s.ours_1t / 1e6,
                    s.ratio_ours
                );
                println!(
                    "  machine ceiling (private HashMap per thread, no writer): {:.2} M/s vs \
                     {:.2} M/s = {:.2}×; share {:.2}",
                    s.ceiling_2t / 1e6,
                    s.ceiling_1t / 1e6,
                    s.ratio_ceiling,
                    s.ratio_ours / s.ratio_ceiling
                );
                println!(
                    "  over per-thread CPU time (cost per lookup when two run): ours {:.2}×, \
                     ceiling {:.2}× (2.00 = nothing shared)",
                    s.cpu_ratio_ours, s.cpu_ratio_ceiling
                );
                scaling = Some(s);
            }
            100_000 => {
                let l = measure_load(&w, &plan);
                println!(
                    "  Provider::start over {} records: {:.1} ms from memory, {:.1} ms from a \
                     state directory (files written in {:.0} ms, warm page cache)",
                    l.records, l.memory_ms, l.dir_ms, l.dir_write_ms
                );
                load = Some(l);
                drop(provider);
            }
            1_000_000 => {
                update_1m = measure_updates(&mut provider, &w, plan.updates, &mut rng);
                println!(
                    "  update (SetPresharedKeyForId replace): median {:.2} µs, p99 {:.2} µs",
                    update_1m.0, update_1m.1
                );
                drop(provider);
            }
            _ => drop(provider),
        }
        sizes.push(figures);
    }

    let at = |n: usize| sizes.iter().find(|f| f.n == n).expect("size measured");
    let ratio_floor = at(1_000).hit().ns[READER] / at(1_000).hit().ns[FLOOR];
    let ratio_floor_1m = at(1_000_000).hit().ns[READER] / at(1_000_000).hit().ns[FLOOR];
    let vs_linear = at(100_000).hit().ns[SCAN] / at(100_000).hit().ns[READER];
    let s = scaling.expect("scaling measured");
    let l = load.expect("load measured");
    let share = s.ratio_ours / s.ratio_ceiling;
    let lookup_1m = at(1_000_000).hit().ns[READER];

    if let Some(path) = &args.plot {
        // Ours last, so that its line is drawn over the floors it runs close to.
        let series = [
            (SCAN, "linear best-match scan (strongSwan / libreswan)"),
            (FLOOR, "HashMap floor (SipHash-1-3, unsynchronised)"),
            (PACKED, "packed HashMap floor (one allocation per entry)"),
            (READER, "ours (Reader::lookup)"),
        ]
        .map(|(c, name)| Series {
            name: name.to_owned(),
            points: sizes.iter().map(|f| (f.n as f64, f.hit().ns[c])).collect(),
        });
        match lookup_chart(path, "Preshared-key lookup, hit path, median ns", &series) {
            Ok(()) => println!("\nplot written to {}", path.display()),
            Err(e) => {
                eprintln!("hotpath: cannot write the plot {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }

    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "\ntargets: ratio_floor ≤ 1.5 {}; ratio_floor_1m ≤ 1.5 {}; scaling_share ≥ 0.9 {}; \
         vs_linear_100k ≥ 1000 {}; load_100k_ms ≤ 500 {}",
        verdict(ratio_floor <= 1.5),
        verdict(ratio_floor_1m <= 1.5),
        verdict(share >= 0.9),
        verdict(vs_linear >= 1000.0),
        verdict(l.memory_ms <= 500.0)
    );
    println!(
        "also: update_1k_us={:.2} update_1m_p99_us={:.2} load_100k_dir_ms={:.1} \
         ratio_packed_1m={:.2} run_s={:.1} load_average_after={:?}",
        update_1k.0,
        update_1m.1,
        l.dir_ms,
        lookup_1m / at(1_000_000).hit().ns[PACKED],
        started.elapsed().as_secs_f64(),
        load_average()
    );
    println!(
        "RESULT ratio_floor={ratio_floor:.2} ratio_floor_1m={ratio_floor_1m:.2} \
         scaling_2t={:.2} scaling_share={share:.2} vs_linear_100k={vs_linear:.0} \
         load_100k_ms={:.1} lookup_1m_ns={lookup_1m:.1} update_1m_us={:.2}",
        s.ratio_ours, l.memory_ms, update_1m.0
    );
    ExitCode::SUCCESS
}
