//! Validates `knowledge/` with the same loader the binary uses and embeds the files, so `cramp`
//! works the same from any directory and a broken knowledge base fails the build.

use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile, Level};
use std::path::PathBuf;

#[path = "../cramp-wire/src/knowledge_dir.rs"]
mod knowledge_dir;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest
        .join("../../knowledge")
        .canonicalize()
        .expect("knowledge/ exists beside crates/");
    println!("cargo:rerun-if-changed={}", root.display());
    let (paths, files): (Vec<PathBuf>, Vec<KnowledgeFile>) = knowledge_dir::read(&root)
        .expect("knowledge/ is readable")
        .into_iter()
        .unzip();
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
