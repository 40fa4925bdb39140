//! Reading a knowledge directory from disk: every `*.toml` below it, in a stable order, with paths
//! relative to it. The one implementation of that walk: the binary, its build script and the tests
//! use it (the build script and the core's tests include this file by path, since the core itself
//! does no IO).

use cramp_core::knowledge::KnowledgeFile;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
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

/// The knowledge files below `dir`, with their absolute paths (for `include_str!`).
pub fn read(dir: &Path) -> std::io::Result<Vec<(PathBuf, KnowledgeFile)>> {
    let mut paths = Vec::new();
    collect(dir, &mut paths)?;
    paths
        .into_iter()
        .map(|p| {
            let contents = std::fs::read_to_string(&p)?;
            let path = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            Ok((p, KnowledgeFile { path, contents }))
        })
        .collect()
}

/// The knowledge files below `dir`, without their paths (what `KnowledgeBase::load` takes).
#[allow(dead_code)] // the build script includes this file and uses only `read`
pub fn files(dir: &Path) -> std::io::Result<Vec<KnowledgeFile>> {
    Ok(read(dir)?.into_iter().map(|(_, f)| f).collect())
}
