//! Runs one CDS Hooks call (read, evaluate, cards as JSON) many times, for a profiler:
//! `cargo build --release --example profile_hook -p cramp-cds &&
//!  valgrind --tool=callgrind target/release/examples/profile_hook examples/cds-patient-view-request.json 1000`

use cramp_cds::{Env, Prepared, evaluate, read_request};
use cramp_core::knowledge::KnowledgeBase;
use cramp_wire::knowledge_dir;
use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

// The allocator of the `cramp` binary, so that this measures the path the server runs; counted.
#[global_allocator]
static ALLOCATOR: Counting = Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

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
    // The reading alone, then the whole call: the difference is the evaluation.
    let a0 = ALLOCATIONS.load(Ordering::Relaxed);
    let req = read_request(&service, &body).unwrap();
    let a1 = ALLOCATIONS.load(Ordering::Relaxed);
    black_box(evaluate(&kb, req, &Vec::new(), &env).unwrap());
    let a2 = ALLOCATIONS.load(Ordering::Relaxed);
    eprintln!("allocations per call: read {}, evaluate {}", a1 - a0, a2 - a1);
    let t = std::time::Instant::now();
    for _ in 0..n {
        black_box(read_request(&service, black_box(&body)).unwrap());
    }
    let read = t.elapsed();
    let t = std::time::Instant::now();
    for _ in 0..n {
        let req = read_request(&service, black_box(&body)).unwrap();
        black_box(evaluate(&kb, req, &Vec::new(), &env).unwrap());
    }
    let all = t.elapsed();
    eprintln!(
        "per call: read {:.1} µs, read + evaluate {:.1} µs",
        read.as_secs_f64() * 1e6 / n as f64,
        all.as_secs_f64() * 1e6 / n as f64
    );
}
