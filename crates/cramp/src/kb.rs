//! Loading the knowledge base: the embedded copy, or another directory for editors.

use cramp_core::{KnowledgeBase, KnowledgeFile};
use std::path::{Path, PathBuf};

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

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

/// A knowledge base read from a directory (`--knowledge DIR` or `CRAMP_KNOWLEDGE`).
pub fn from_dir(dir: &Path) -> Result<KnowledgeBase, String> {
    let mut paths = Vec::new();
    collect(dir, &mut paths).map_err(|e| {
        format!(
            "--knowledge {}: cannot read the directory ({e}); give the path of a knowledge/ directory",
            dir.display()
        )
    })?;
    let mut files = Vec::new();
    for p in paths {
        let contents = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let path = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        files.push(KnowledgeFile { path, contents });
    }
    KnowledgeBase::load(&files).map_err(|e| format!("--knowledge {}: {e}", dir.display()))
}
