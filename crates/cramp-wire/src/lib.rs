//! # cramp-wire
//!
//! The edge shapes shared by the CLI and the server: parsing a case (SPEC §3) with messages that
//! name the field and the fix, the assessment as JSON (SPEC §4) for either audience, and the
//! readable report rendered from that same shape.

pub mod input;
pub mod output;
pub mod report;

pub use input::{InputError, parse_case};
pub use output::{AssessmentOut, to_wire};
pub use report::{Style, render};

use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, KnowledgeBase, assess};

/// Parse, assess and serialise one case: the whole request path of `POST /api/v1/assess`.
pub fn assess_json(
    kb: &KnowledgeBase,
    body: &str,
    audience: Audience,
    opts: AssessOptions,
) -> Result<String, InputError> {
    let case = parse_case(body)?;
    let a = assess(kb, &case, opts);
    Ok(serde_json::to_string(&to_wire(&a, audience))
        .expect("the assessment shape always serialises"))
}
