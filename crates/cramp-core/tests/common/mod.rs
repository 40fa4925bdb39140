//! The repository's knowledge base, loaded once for a test binary.

use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use std::path::Path;
use std::sync::OnceLock;

#[path = "../../../cramp-wire/src/knowledge_dir.rs"]
mod knowledge_dir;

pub fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        let files: Vec<KnowledgeFile> = knowledge_dir::files(&root).unwrap();
        KnowledgeBase::load(&files).expect("knowledge base loads")
    })
}
