//! Runs the JSON request path on one case many times, for a profiler:
//! `cargo build --release --example profile_case -p cramp-wire &&
//!  valgrind --tool=callgrind target/release/examples/profile_case CASE.json 2000`
//!
//! It prints the time per request. With `CRAMP_PROFILE_EVICT_KB=N` it writes one byte in every
//! cache line of an N KiB buffer before each request, as the load generator and the kernel's
//! network path do between two requests on a shared core, and reports the time per request
//! without that writing: the cost of the request with cold caches (BENCHMARKS.md).

use cramp_core::knowledge::KnowledgeBase;
use cramp_core::vocab::Audience;
use cramp_wire::{WireCache, assess_json, knowledge_dir};
use std::hint::black_box;

// The allocator of the `cramp` binary, so that this measures the path the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let case = std::fs::read_to_string(args.next().expect("CASE.json")).unwrap();
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let files: Vec<_> = knowledge_dir::files(&root).unwrap();
    let kb = KnowledgeBase::load(&files).unwrap();
    let cache = WireCache::new(&kb);
    let evict_bytes = std::env::var("CRAMP_PROFILE_EVICT_KB")
        .ok()
        .map(|kb| {
            kb.parse::<usize>()
                .expect("CRAMP_PROFILE_EVICT_KB: a whole number of KiB")
                * 1024
        })
        .unwrap_or(0);
    let mut evict = vec![0u8; evict_bytes];
    let mut evicting = Duration::ZERO;
    let start = Instant::now();
    for i in 0..n {
        if !evict.is_empty() {
            let t = Instant::now();
            for line in evict.chunks_mut(64) {
                line[0] = line[0].wrapping_add(i as u8);
            }
            black_box(&evict);
            evicting += t.elapsed();
        }
        black_box(assess_json(&kb, &cache, black_box(&case), Audience::Clinician, Default::default()).unwrap());
    }
    if n > 0 {
        let per_request = (start.elapsed() - evicting).as_secs_f64() * 1e6 / n as f64;
        eprintln!(
            "{per_request:.1} µs a request ({n} requests, {} KiB evicted before each)",
            evict_bytes / 1024
        );
    }
}
