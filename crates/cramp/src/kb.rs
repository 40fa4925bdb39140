//! Loading the knowledge base: the embedded copy, or another directory for editors.

use cramp_core::{KnowledgeBase, KnowledgeFile};
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_knowledge.rs"));
}

/// The knowledge base compiled into the binary.
pub fn embedded() -> Result<KnowledgeBase, String> {
    let files: Vec<KnowledgeFile> = embedded::FILES
        .iter()
        .map(|(p, c)| KnowledgeFile {
            path: (*p).to_string(),
            contents: (*c).to_string(),
        })
        .collect();
    KnowledgeBase::load(&files).map_err(|e| format!("the embedded knowledge base does not load: {e}"))
}

/// A knowledge base read from a directory (`--knowledge DIR` or `CRAMP_KNOWLEDGE`).
pub fn from_dir(dir: &Path) -> Result<KnowledgeBase, String> {
    let files = cramp_wire::knowledge_dir::read(dir).map_err(|e| {
        format!(
            "--knowledge {}: cannot read it ({e}); give the path of a knowledge/ directory",
            dir.display()
        )
    })?;
    let files: Vec<KnowledgeFile> = files.into_iter().map(|(_, f)| f).collect();
    KnowledgeBase::load(&files).map_err(|e| format!("--knowledge {}: {e}", dir.display()))
}
