//! Shared test helper: the repository's knowledge base, loaded once.

use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use cramp_wire::WireCache;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn load_dir(dir: &Path, root: &Path, out: &mut Vec<KnowledgeFile>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            load_dir(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(KnowledgeFile {
                path: p.strip_prefix(root).unwrap().to_string_lossy().into(),
                contents: std::fs::read_to_string(&p).unwrap(),
            });
        }
    }
}

pub fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        let mut files = Vec::new();
        load_dir(&root, &root, &mut files);
        KnowledgeBase::load(&files).expect("knowledge base loads")
    })
}

#[allow(dead_code)]
pub fn cache() -> &'static WireCache {
    static CACHE: OnceLock<WireCache> = OnceLock::new();
    CACHE.get_or_init(|| WireCache::new(kb()))
}
