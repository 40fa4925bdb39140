//! Runs one CDS Hooks call (read, evaluate, cards as JSON) many times, for a profiler:
//! `cargo build --release --example profile_hook -p cramp-cds &&
//!  valgrind --tool=callgrind target/release/examples/profile_hook examples/cds-patient-view-request.json 1000`

use cramp_cds::{Env, Prepared, evaluate, read_request};
use cramp_core::knowledge::KnowledgeBase;
use cramp_wire::knowledge_dir;
use std::hint::black_box;
use std::path::Path;

// The allocator of the `cramp` binary, so that this measures the path the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let body = std::fs::read_to_string(args.next().expect("REQUEST.json")).unwrap();
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let service = args.next().unwrap_or_else(|| cramp_cds::PATIENT_VIEW.to_string());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let kb = KnowledgeBase::load(&knowledge_dir::files(&root).unwrap()).unwrap();
    let base = "http://127.0.0.1:8080";
    let prepared = Prepared::new(&kb, base);
    let env = Env {
        base_url: base,
        prepared: &prepared,
        today: time::macros::date!(2026 - 11 - 23),
        include_unreviewed: false,
    };
    for _ in 0..n {
        let req = read_request(&service, black_box(&body)).unwrap();
        black_box(evaluate(&kb, req, &Vec::new(), &env).unwrap());
    }
}
