//! Shared test helper: the repository's knowledge base, loaded once.

use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use cramp_wire::WireCache;
use std::path::Path;
use std::sync::OnceLock;

pub fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        let files: Vec<KnowledgeFile> = cramp_wire::knowledge_dir::files(&root).unwrap();
        KnowledgeBase::load(&files).expect("knowledge base loads")
    })
}

#[allow(dead_code)]
pub fn cache() -> &'static WireCache {
    static CACHE: OnceLock<WireCache> = OnceLock::new();
    CACHE.get_or_init(|| WireCache::new(kb()))
}
