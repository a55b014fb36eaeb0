//! criterion: the hit-path lookup at 1k and 100k entries, ours (`Reader::lookup`) against the
//! unsynchronised HashMap floor, over the same pre-shuffled queries.
//!
//! ```text
//!   cargo bench -p iscsisec-tests --bench lookup
//!   lookup/1000/ours   lookup/1000/floor   lookup/100000/ours   lookup/100000/floor
//! ```
//!
//! Each iteration is one lookup of the next query of a slice of the hit sequence (4k queries
//! at 1k entries, 50k at 100k: entries visited in random order, no hot key). `hotpath` measures more (both miss
//! paths, 1M, scaling, load, updates); this is the view criterion's statistics give.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iscsisec_core::KeyBuffer;
use iscsisec_tests::bench::floor::{Floor, FloorScratch, SipBuild};
use iscsisec_tests::bench::{Path, Stream, Workload};

fn lookup(c: &mut Criterion) {
    let mut rng = fastrand::Rng::with_seed(0x1ce);
    let mut group = c.benchmark_group("lookup");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [1_000, 100_000] {
        let w = Workload::generate(n, &mut rng);
        let provider = w.provider_by_methods();
        let reader = provider.reader();
        let floor = Floor::build(&w, SipBuild::random(&mut rng));
        // Enough queries to visit the table in random order, few enough (≈ 300 bytes each)
        // that walking them costs both candidates little.
        let count = (n / 2).clamp(4096, 1 << 16);
        let queries = Stream::new(&w, Path::Hit, rng.u64(..)).batch(&w, count);
        group.bench_function(BenchmarkId::new(n.to_string(), "ours"), |b| {
            let (mut out, mut i) = (KeyBuffer::new(), 0usize);
            b.iter(|| {
                let q = &queries[i];
                i = if i + 1 == queries.len() { 0 } else { i + 1 };
                black_box(reader.lookup(q.port, black_box(&q.id), &mut out)).ok();
                black_box(&mut out);
            });
        });
        group.bench_function(BenchmarkId::new(n.to_string(), "floor"), |b| {
            let (mut out, mut i) = (FloorScratch::new(), 0usize);
            b.iter(|| {
                let q = &queries[i];
                i = if i + 1 == queries.len() { 0 } else { i + 1 };
                black_box(floor.lookup(q.port, black_box(&q.id), &mut out));
                black_box(&mut out);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
