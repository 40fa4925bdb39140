//! The words of the EHR-facing surfaces: CDS Hooks card framing (`cds.toml`) and the assessment
//! form as a Questionnaire (`form.toml`). Structure and decisions stay in code; these files hold
//! only what is shown.

use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSummaries {
    pub red_flag: String,
    pub quinine_taken: String,
    pub medication_review: String,
    pub workup: String,
    /// The results outside their range (`patient-view`).
    pub results: String,
    pub assessment: String,
    pub questions: String,
    pub order_avoid: String,
    /// `order_avoid` for a patient without leg cramps (quinine, magnesium and baclofen orders).
    pub order_avoid_no_cramps: String,
    /// `order_avoid` for an order that states another indication (a safety item stays).
    pub order_avoid_other_indication: String,
    pub order_option: String,
    pub order_statement: String,
}

impl CardSummaries {
    pub fn all(&self) -> [(&'static str, &str); 12] {
        [
            ("questions", &self.questions),
            ("red_flag", &self.red_flag),
            ("quinine_taken", &self.quinine_taken),
            ("medication_review", &self.medication_review),
            ("workup", &self.workup),
            ("results", &self.results),
            ("assessment", &self.assessment),
            ("order_avoid", &self.order_avoid),
            ("order_avoid_no_cramps", &self.order_avoid_no_cramps),
            ("order_avoid_other_indication", &self.order_avoid_other_indication),
            ("order_option", &self.order_option),
            ("order_statement", &self.order_statement),
        ]
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardLabels {
    pub why: String,
    pub rule: String,
    pub kb_version: String,
    pub review_status: String,
    pub certainty: String,
    pub sources: String,
    pub not_available: String,
    pub analyte_absent: String,
    pub key_null: String,
    pub evidence_link: String,
    pub remove_order: String,
    pub remove_order_action: String,
    pub medication: String,
    pub ordered: String,
    pub condition: String,
    pub lab: String,
    pub answers: String,
    pub tier: String,
    pub questions: String,
    pub questionnaire_link: String,
}

/// A code of one of the service's own code systems, with its display.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coded {
    pub code: String,
    pub display: String,
}

/// How an order's own reason (`reasonCode`, `reasonReference`) is read: whether it is in the
/// service's scope (leg cramps, restless legs, limb movements), and which avoid items speak only of
/// a drug's use for cramps (`cds.toml` `[order_reasons]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderReasons {
    pub for_cramps_only: Vec<String>,
    /// Lowercase words: a reason whose text contains one is in scope.
    pub in_scope_words: Vec<String>,
    /// ICD-10-CM prefixes: a reason coded with one is in scope.
    pub in_scope_icd10: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsCard {
    pub plan: Vec<crate::vocab::PlanId>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CdsWording {
    pub source_label: String,
    pub summaries: CardSummaries,
    /// The plan items that act on a result outside its range, shown on the results card when the
    /// assessment gives them (`cds.toml` `[results_card]`).
    pub results_card: ResultsCard,
    pub order_summary_by_entry: HashMap<String, String>,
    pub order_reasons: OrderReasons,
    pub labels: CardLabels,
    pub red_flag_titles: HashMap<String, String>,
    pub topic: Vec<Coded>,
    pub override_reason: Vec<Coded>,
}

impl CdsWording {
    /// The display of a topic code (`None` for a code the file does not define; `kb check` and the
    /// service's tests keep the two in step).
    pub fn topic(&self, code: &str) -> Option<&Coded> {
        self.topic.iter().find(|t| t.code == code)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormWording {
    pub title: String,
    pub description: String,
    pub groups: HashMap<String, String>,
    /// Question text by field path.
    pub items: HashMap<String, String>,
    /// Answer display by "field path.code".
    pub answers: HashMap<String, String>,
}

/// The card topics the CDS service uses; `cds.toml` gives each its display (`kb check`).
pub mod topic {
    pub const RED_FLAG: &str = "red-flag";
    pub const QUININE_SAFETY: &str = "quinine-safety";
    pub const DRUG_INDUCED_CRAMP: &str = "drug-induced-cramp";
    pub const MISSING_WORKUP: &str = "missing-workup";
    pub const RESULTS: &str = "abnormal-results";
    pub const ASSESSMENT: &str = "assessment";
    pub const ORDER_REVIEW: &str = "order-review";
    pub const ALL: &[&str] = &[
        RED_FLAG,
        QUININE_SAFETY,
        DRUG_INDUCED_CRAMP,
        MISSING_WORKUP,
        RESULTS,
        ASSESSMENT,
        ORDER_REVIEW,
    ];
}

/// The longest a summary template may be, placeholders removed: what is left of the 139 characters
/// is room for the filled values, which the service shortens to fit.
pub const SUMMARY_TEMPLATE_MAX: usize = 100;

/// A template's length with its `{placeholders}` removed.
pub fn literal_len(template: &str) -> usize {
    let mut n = 0;
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => inside = true,
            '}' => inside = false,
            _ if !inside => n += 1,
            _ => {}
        }
    }
    n
}
