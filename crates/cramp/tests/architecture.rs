//! The invariants of ARCHITECTURE.md, checked.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Lines of code outside `#[cfg(test)]` modules and comments.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        if !code.trim().is_empty() {
            out.push((i + 1, code.to_string()));
        }
    }
    out
}

/// The `[dependencies]` section of a crate's manifest (not its dev-dependencies).
fn dependencies(krate: &str) -> String {
    let manifest = std::fs::read_to_string(root().join(format!("crates/{krate}/Cargo.toml"))).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap_or("");
    deps.split("[dev-dependencies]").next().unwrap_or("").to_string()
}

#[test]
fn the_core_does_no_io() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/cramp-core/src"), &mut files);
    assert!(!files.is_empty());
    let forbidden = [
        "std::fs",
        "std::net",
        "std::io",
        "std::env",
        "std::process",
        "println!",
        "eprintln!",
        "print!(",
        "File::",
        "stdin",
    ];
    for f in &files {
        for (n, line) in code_lines(f) {
            for word in forbidden {
                assert!(
                    !line.contains(word),
                    "{}:{n} uses {word}: the core does no IO",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn the_core_knows_nothing_of_http_fhir_or_json() {
    let deps = dependencies("cramp-core");
    for crate_name in ["serde_json", "axum", "http", "tokio", "reqwest", "fhir"] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(crate_name)),
            "cramp-core depends on {crate_name}"
        );
    }
}

#[test]
fn only_the_server_crate_knows_http() {
    for krate in ["cramp-core", "cramp-wire", "cramp-fhir", "cramp-cds", "cramp-store"] {
        let deps = dependencies(krate);
        for name in ["axum", "tokio", "tower", "hyper", "http"] {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(name)),
                "{krate} depends on {name}"
            );
        }
    }
}

#[test]
fn only_the_store_crate_knows_sql() {
    for krate in [
        "cramp-core",
        "cramp-wire",
        "cramp-fhir",
        "cramp-cds",
        "cramp-server",
        "cramp",
    ] {
        let deps = dependencies(krate);
        for name in ["sqlx", "rusqlite", "postgres", "tokio-postgres", "diesel"] {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(name)),
                "{krate} depends on {name}: storage goes through cramp-store"
            );
        }
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/cramp-server/src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for sql in ["SELECT ", "INSERT INTO", "DELETE FROM", "UPDATE "] {
            assert!(!text.contains(sql), "{} holds SQL ({sql})", f.display());
        }
    }
}

#[test]
fn no_recommendation_text_lives_in_rust() {
    // Clinical statements live in knowledge/; Rust holds decision logic. A string literal of seven
    // or more words in the engine or the output crate would be prose that belongs in the knowledge
    // base. Input warnings (messages about the input, starting with the field they name) are the
    // only sentences allowed there, like error messages at the edge.
    let mut files = Vec::new();
    rust_files(&root().join("crates/cramp-core/src/engine"), &mut files);
    files.push(root().join("crates/cramp-wire/src/output.rs"));
    files.push(root().join("crates/cramp-cds/src/cards.rs"));
    files.push(root().join("crates/cramp-wire/src/report.rs"));
    let input_warning = [
        "{at}",
        "labs[{i}]",
        "patient:",
        "symptoms.",
        "conditions[{i}]",
        "medications[{i}]",
    ];
    let mut prose = Vec::new();
    for f in &files {
        for (n, line) in code_lines(f) {
            if line.contains(".expect(") || line.contains("panic!") || line.contains("assert") {
                continue;
            }
            for (i, part) in line.split('"').enumerate() {
                let words = part
                    .split_whitespace()
                    .filter(|w| !w.starts_with('{') && !w.starts_with('['))
                    .count();
                if i % 2 == 1 && words >= 7 && !input_warning.iter().any(|w| part.starts_with(w)) {
                    prose.push(format!("{}:{n}: {part:?}", f.display()));
                }
            }
        }
    }
    assert!(
        prose.is_empty(),
        "prose in Rust (move it to knowledge/):\n{}",
        prose.join("\n")
    );
}

#[test]
fn every_rule_in_the_registry_is_listed_once() {
    let mut ids: Vec<&str> = cramp_core::rules::RULES.iter().map(|(_, id)| *id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "a knowledge id appears twice in the rule registry");
}

#[test]
fn the_readme_opens_with_the_two_commands_and_ci_runs_the_test_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let block = readme.split("```").nth(1).expect("README opens with a code block");
    let commands: Vec<&str> = block.lines().skip(1).filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(commands.len(), 2, "README's first block holds the two commands");
    assert!(commands[0].contains("serve"), "the first command starts the server");
    let test_command = commands[1].split('#').next().unwrap().trim();
    let runs_it = ci.lines().any(|l| l.trim() == format!("exec {test_command}"));
    assert!(
        runs_it,
        ".ci/run does not run the README's test command {test_command:?}"
    );
}

#[test]
fn only_the_fhir_crate_knows_fhir() {
    // FHIR element names and code-system URIs appear in the code of cramp-fhir only; everything else
    // sees a SPEC §3 case.
    for krate in ["cramp-core", "cramp-wire", "cramp-cds", "cramp-server", "cramp"] {
        let mut files = Vec::new();
        rust_files(&root().join(format!("crates/{krate}/src")), &mut files);
        for f in files {
            for (n, line) in code_lines(&f) {
                for word in [
                    "\"resourceType",
                    "valueQuantity",
                    "clinicalStatus",
                    "linkId",
                    "referenceRange",
                ] {
                    assert!(!line.contains(word), "{}:{n} mentions {word}: {line}", f.display());
                }
            }
        }
    }
}
