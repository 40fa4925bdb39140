//! Runs the JSON request path on one case many times, for a profiler:
//! `cargo build --release --example profile_case -p cramp-wire &&
//!  valgrind --tool=callgrind target/release/examples/profile_case CASE.json 2000`

use cramp_core::knowledge::KnowledgeBase;
use cramp_core::vocab::Audience;
use cramp_wire::{WireCache, assess_json, knowledge_dir};
use std::hint::black_box;

// The allocator of the `cramp` binary, so that this measures the path the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let case = std::fs::read_to_string(args.next().expect("CASE.json")).unwrap();
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let files: Vec<_> = knowledge_dir::files(&root).unwrap();
    let kb = KnowledgeBase::load(&files).unwrap();
    let cache = WireCache::new(&kb);
    for _ in 0..n {
        black_box(assess_json(&kb, &cache, black_box(&case), Audience::Clinician, Default::default()).unwrap());
    }
}
