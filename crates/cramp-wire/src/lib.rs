//! # cramp-wire
//!
//! The edge shapes shared by the CLI and the server: parsing a case (SPEC §3) with messages that
//! name the field and the fix, the assessment as JSON (SPEC §4) for either audience, and the
//! readable report rendered from that same shape.

pub mod ask;
pub mod diary;
pub mod input;
pub mod json;
pub mod knowledge_dir;
pub mod output;
pub mod problem;
pub mod report;

pub use input::{FhirOptions, Input, InputError, parse_case, parse_fhir, parse_input};
pub use output::{AssessmentOut, WireCache, to_wire};
pub use report::{Style, render};

use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, KnowledgeBase, assess};

/// Parse (a case or a FHIR R4 Bundle), assess and serialise: the whole request path of
/// `POST /api/v1/assess`.
/// `cache` must have been built from the same knowledge base (`WireCache::new(kb)`). The answer is
/// the JSON as bytes (UTF-8; the same bytes serde_json writes for `to_wire`), ready to send.
pub fn assess_json(
    kb: &KnowledgeBase,
    cache: &WireCache,
    body: &str,
    audience: Audience,
    opts: AssessOptions,
) -> Result<Vec<u8>, InputError> {
    let input = parse_input(kb, body)?;
    let mut a = assess(kb, &input.case, opts);
    a.input_warnings.extend(input.notes);
    // An assessment is about 24 KB of JSON: size the buffer once rather than grow it by doubling.
    let mut out = Vec::with_capacity(32 * 1024);
    json::WriteJson::write_json(&to_wire(&a, audience, Some(cache)), &mut out);
    Ok(out)
}
