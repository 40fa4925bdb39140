//! Validates `knowledge/` with the same loader the binary uses and embeds the files, so `cramp`
//! works the same from any directory and a broken knowledge base fails the build.

use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile, Level};
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("knowledge/ is readable")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest
        .join("../../knowledge")
        .canonicalize()
        .expect("knowledge/ exists beside crates/");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut paths = Vec::new();
    collect(&root, &mut paths);
    let files: Vec<KnowledgeFile> = paths
        .iter()
        .map(|p| KnowledgeFile {
            path: p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"),
            contents: std::fs::read_to_string(p).expect("knowledge file is UTF-8"),
        })
        .collect();
    let kb = KnowledgeBase::load(&files).unwrap_or_else(|e| panic!("knowledge base does not load: {e}"));
    let report = kb.check(None);
    let errors: Vec<String> = report
        .issues
        .iter()
        .filter(|i| i.level == Level::Error)
        .map(|i| format!("{}: {}", i.subject, i.message))
        .collect();
    if !errors.is_empty() {
        panic!("knowledge base check failed:\n{}", errors.join("\n"));
    }
    let mut code = String::from(
        "/// The knowledge files, validated at build time: (path relative to knowledge/, contents).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (f, p) in files.iter().zip(&paths) {
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            f.path,
            p.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded_knowledge.rs");
    std::fs::write(out, code).unwrap();
}
