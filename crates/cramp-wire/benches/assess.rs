//! Criterion benchmarks of the real request path over every public vignette case (SPEC §8 speed):
//! - `assess`: one in-process assessment of an already-parsed case (goal: median <= 10 µs);
//! - `json`: JSON parse + assessment + JSON serialisation, what the server does per request
//!   (goal: median <= 20 µs).
//!
//! Cases come from ../shared/clinical/vignettes when it is beside the clone, else examples/.
//! Run: `cargo bench -p cramp-wire --bench assess`.

use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, assess};
use cramp_wire::{WireCache, assess_json, parse_case};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

// The allocator of the `cramp` binary, so that this measures the path the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::{Path, PathBuf};

fn cases(repo: &Path) -> Vec<(String, String)> {
    let vignettes = repo.join("../shared/clinical/vignettes");
    let mut out = Vec::new();
    if vignettes.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&vignettes)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for p in paths {
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            out.push((v["id"].as_str().unwrap().to_string(), v["case"].to_string()));
        }
    } else {
        for e in std::fs::read_dir(repo.join("examples")).unwrap().flatten() {
            out.push((
                e.file_name().to_string_lossy().into(),
                std::fs::read_to_string(e.path()).unwrap(),
            ));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = repo.join("knowledge");
    let kb_files: Vec<KnowledgeFile> = cramp_wire::knowledge_dir::files(&root).unwrap();
    let kb = KnowledgeBase::load(&kb_files).unwrap();
    let cache = WireCache::new(&kb);
    let cases = cases(&repo);
    let parsed: Vec<_> = cases.iter().map(|(_, text)| parse_case(text).unwrap()).collect();
    // The server's request path for one body.
    let json_path = |text: &str| assess_json(&kb, &cache, text, Audience::Clinician, AssessOptions::default()).unwrap();

    // One iteration assesses every case once; the per-case figure is the time divided by the count.
    let n = cases.len();
    let mut g = c.benchmark_group(format!("all_{n}_cases"));
    g.bench_function("assess", |b| {
        b.iter(|| {
            for case in &parsed {
                black_box(assess(&kb, black_box(case), AssessOptions::default()));
            }
        })
    });
    g.bench_function("json_parse_assess_serialise", |b| {
        b.iter(|| {
            for (_, text) in &cases {
                black_box(json_path(black_box(text)));
            }
        })
    });
    // The stages of the JSON path, to see where its time goes.
    g.bench_function("stage_parse", |b| {
        b.iter(|| {
            for (_, text) in &cases {
                black_box(parse_case(black_box(text)).unwrap());
            }
        })
    });
    let assessed: Vec<_> = parsed
        .iter()
        .map(|case| assess(&kb, case, AssessOptions::default()))
        .collect();
    g.bench_function("stage_to_wire", |b| {
        b.iter(|| {
            for a in &assessed {
                black_box(cramp_wire::to_wire(black_box(a), Audience::Clinician, Some(&cache)));
            }
        })
    });
    g.bench_function("stage_serialise", |b| {
        let wires: Vec<_> = assessed
            .iter()
            .map(|a| cramp_wire::to_wire(a, Audience::Clinician, Some(&cache)))
            .collect();
        b.iter(|| {
            for w in &wires {
                let mut out = Vec::with_capacity(32 * 1024);
                cramp_wire::json::WriteJson::write_json(black_box(w), &mut out);
                black_box(out);
            }
        })
    });
    g.finish();
    // The case the load test sends (V34 when the vignettes are present): one request's work.
    if let Some((id, text)) = cases.iter().find(|(id, _)| id == "V34").or(cases.first()) {
        c.bench_function(&format!("json_path_{id}"), |b| {
            b.iter(|| black_box(json_path(black_box(text))))
        });
        let case = parse_case(text).unwrap();
        c.bench_function(&format!("assess_{id}"), |b| {
            b.iter(|| black_box(assess(&kb, black_box(&case), AssessOptions::default())))
        });
    }
    // A follow-up question end to end (search and the SPEC §6 JSON), and building the index.
    let searcher = cramp_core::search::Searcher::new(&kb);
    c.bench_function("ask_does_magnesium_help", |b| {
        b.iter(|| {
            let a = cramp_wire::ask::answer(&kb, &searcher, black_box("does magnesium help?"), Audience::Patient);
            black_box(serde_json::to_vec(&a).unwrap())
        })
    });
    // A question that names no drug, with long words: each is looked up for a drug misspelt by one
    // letter (`by_near_name`) before the search.
    c.bench_function("ask_no_drug_long_words", |b| {
        b.iter(|| {
            let q = "when should I worry about terrible overnight calf cramps during pregnancy";
            let a = cramp_wire::ask::answer(&kb, &searcher, black_box(q), Audience::Patient);
            black_box(serde_json::to_vec(&a).unwrap())
        })
    });
    c.bench_function("ask_index_build", |b| {
        b.iter(|| black_box(cramp_core::search::Searcher::new(black_box(&kb))))
    });
    // The n-of-1 trial over ten years of nightly check-ins (3,652 nights, an episode every third
    // night), from the stored records to the JSON the API answers (issue 6).
    let start = time::macros::date!(2016 - 01 - 01);
    let nights: Vec<cramp_core::diary::Night> = (0..3652)
        .map(|i| cramp_core::diary::Night {
            date: (start + time::Duration::days(i)).to_string(),
            stretched: i >= 14 && i % 5 != 0,
            sleep_quality: 6.0,
            cramps: (i % 4) as u32,
        })
        .collect();
    let episode_dates: Vec<(String, f64)> = (0..3652)
        .step_by(3)
        .map(|i| ((start + time::Duration::days(i)).to_string(), (i % 11) as f64))
        .collect();
    c.bench_function("trial_ten_years", |b| {
        b.iter(|| {
            let (n, p) = cramp_wire::diary::trial_inputs(
                black_box(&nights).iter(),
                episode_dates.iter().map(|(d, pain)| (d.as_str(), *pain)),
            );
            let t = cramp_core::trial::evaluate(&kb.trial, &n, &p);
            black_box(cramp_wire::diary::trial_json(&kb, &t).to_string())
        })
    });
    c.bench_function("kb_load_and_check", |b| {
        b.iter(|| {
            let kb = KnowledgeBase::load(black_box(&kb_files)).unwrap();
            black_box(kb.check(None));
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
