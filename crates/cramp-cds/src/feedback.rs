//! The feedback endpoint's body (CDS Hooks 2.0.1 §Feedback), read and checked. What is kept of it
//! is only what SPEC §2 item 10 and issue 6 name: the card, its rule, the outcome, the override
//! reason's code and the time — never a free-text comment, never a patient identifier.

use serde::Deserialize;

use crate::HookError;
use cramp_wire::problem;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    feedback: Option<Vec<Item>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    card: Option<String>,
    outcome: Option<String>,
    accepted_suggestions: Option<Vec<AcceptedSuggestion>>,
    override_reason: Option<OverrideReason>,
    outcome_timestamp: Option<String>,
}

#[derive(Deserialize)]
struct AcceptedSuggestion {
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OverrideReason {
    reason: Option<Reason>,
}

#[derive(Deserialize)]
struct Reason {
    code: Option<String>,
    system: Option<String>,
}

/// One piece of feedback as kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Feedback {
    pub card: String,
    pub outcome: Outcome,
    pub accepted_suggestions: Vec<String>,
    pub override_reason: Option<String>,
    /// RFC 3339, as sent.
    pub outcome_timestamp: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Accepted,
    Overridden,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Overridden => "overridden",
        }
    }
}

fn bad(detail: String) -> HookError {
    HookError {
        kind: &problem::INVALID_FEEDBACK,
        detail,
        missing_keys: Vec::new(),
    }
}

/// Reads a feedback body: every item needs `card`, `outcome` (accepted or overridden),
/// `outcomeTimestamp` (RFC 3339), and for `accepted` the `acceptedSuggestions`.
pub fn read(body: &str) -> Result<Vec<Feedback>, HookError> {
    let b: Body = serde_json::from_str(body).map_err(|e| {
        bad(format!(
            "the body is not CDS Hooks feedback ({e}); send {{\"feedback\": [...]}}"
        ))
    })?;
    let items = b
        .feedback
        .ok_or_else(|| bad("`feedback` is required: an array of feedback items".into()))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.into_iter().enumerate() {
        let at = |f: &str| format!("feedback[{i}].{f}");
        let card = it
            .card
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| bad(format!("`{}` is required: the uuid of the card", at("card"))))?;
        let outcome = match it.outcome.as_deref() {
            Some("accepted") => Outcome::Accepted,
            Some("overridden") => Outcome::Overridden,
            Some(other) => {
                return Err(bad(format!(
                    "`{}`: {other:?} is not an outcome; use accepted or overridden",
                    at("outcome")
                )));
            }
            None => return Err(bad(format!("`{}` is required: accepted or overridden", at("outcome")))),
        };
        let ts = it.outcome_timestamp.ok_or_else(|| {
            bad(format!(
                "`{}` is required (RFC 3339, e.g. 2026-11-23T10:00:00Z)",
                at("outcomeTimestamp")
            ))
        })?;
        if time::OffsetDateTime::parse(&ts, &time::format_description::well_known::Rfc3339).is_err() {
            return Err(bad(format!(
                "`{}`: {ts:?} is not an RFC 3339 date-time",
                at("outcomeTimestamp")
            )));
        }
        let accepted: Vec<String> = it
            .accepted_suggestions
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.id)
            .collect();
        if outcome == Outcome::Accepted && accepted.is_empty() {
            return Err(bad(format!(
                "`{}` is required when the outcome is accepted: the ids of the accepted suggestions",
                at("acceptedSuggestions")
            )));
        }
        let override_reason = match it.override_reason.and_then(|o| o.reason) {
            None => None,
            Some(Reason {
                code: Some(code),
                system: Some(_),
            }) => Some(code),
            Some(_) => {
                return Err(bad(format!(
                    "`{}` needs both `code` and `system` (one of the card's overrideReasons)",
                    at("overrideReason.reason")
                )));
            }
        };
        out.push(Feedback {
            card,
            outcome,
            accepted_suggestions: accepted,
            override_reason,
            outcome_timestamp: ts,
        });
    }
    Ok(out)
}
