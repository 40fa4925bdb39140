//! # cramp-core
//!
//! The knowledge base and the assessment engine for nocturnal leg cramps. No IO, no HTTP, no FHIR:
//! callers hand in file contents and a parsed case and get an `Assessment` back.
//!
//! ## Layout
//! - `vocab`: the closed vocabularies of SPEC §4 (red-flag ids, plan ids, urgencies, …).
//! - `knowledge`: loading, indexing and linting (`kb check`) the `knowledge/*.toml` files.
//! - `rules`: the registry of rules in code and the knowledge entry each one uses.
//! - `case`: the case of SPEC §3, with its range checks.
//! - `engine`: the decision logic (`assess`).
//! - `assessment`: the result, borrowed from the knowledge base so both voices render from it.
//! - `diary`: the diary's vocabularies, records and warning-sign advice (SPEC §7).
//! - `trial`: the diary's n-of-1 stretching trial (SPEC §7).
//! - `search`: follow-up questions answered from approved entries (SPEC §6).

pub mod assessment;
pub mod case;
pub mod diary;
pub mod engine;
pub mod knowledge;
pub mod rules;
pub mod search;
pub mod serde_msg;
pub mod template;
pub mod trial;
pub mod vocab;

pub use assessment::Assessment;
pub use case::{Case, CaseError};
pub use engine::{AssessOptions, assess};
pub use knowledge::{KnowledgeBase, KnowledgeFile, LoadError};

/// The engine version, reported beside `kb_version`.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
