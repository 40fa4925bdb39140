//! Criterion benchmarks of a CDS Hooks call in process (issue 5; the wrk figure is
//! `scripts/load patient-view`): `examples/cds-patient-view-request.json` (patient-view, 23
//! prefetch keys, 17 KB as written) read and answered (cards as JSON):
//! - `patient_view_full_prefetch`: what the server does per call (one-pass reading);
//! - `patient_view_read_as_text`: the same with the reference reading, for comparison;
//! - `patient_view_read_only`: the request reading alone.
//!
//! Run: `cargo bench -p cramp-cds --bench hook`.

use cramp_cds::{Env, PATIENT_VIEW, Prepared, evaluate, read_request, read_request_as_text};
use cramp_core::knowledge::KnowledgeBase;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

// The allocator of the `cramp` binary, so that this measures the path the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let kb = KnowledgeBase::load(&cramp_wire::knowledge_dir::files(&root.join("knowledge")).unwrap()).unwrap();
    let body = std::fs::read_to_string(root.join("examples/cds-patient-view-request.json")).unwrap();
    let base = "http://127.0.0.1:8080";
    let prepared = Prepared::new(&kb, base);
    let env = Env {
        base_url: base,
        prepared: &prepared,
        today: time::macros::date!(2026 - 11 - 23),
        include_unreviewed: false,
    };
    let none = Vec::new();
    c.bench_function("patient_view_full_prefetch", |b| {
        b.iter(|| {
            let req = read_request(PATIENT_VIEW, black_box(&body)).unwrap();
            black_box(evaluate(&kb, req, &none, &env).unwrap())
        })
    });
    c.bench_function("patient_view_read_as_text", |b| {
        b.iter(|| {
            let req = read_request_as_text(PATIENT_VIEW, black_box(&body)).unwrap();
            black_box(evaluate(&kb, req, &none, &env).unwrap())
        })
    });
    c.bench_function("patient_view_read_only", |b| {
        b.iter(|| black_box(read_request(PATIENT_VIEW, black_box(&body)).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
