//! The result of one assessment (SPEC §4), computed once for both audiences.
//!
//! Items point at their knowledge entry; the text of either voice is rendered from it by the wire
//! crate. Every item that carries sources is built from an entry, and entries cannot be uncited
//! (`kb check`), so an uncited recommendation cannot be represented.

use crate::knowledge::{ClassificationCode, Entry, KnowledgeBase, Phrase, Source};
use crate::vocab::*;

#[derive(Debug, Clone)]
pub struct Assessment<'kb> {
    pub kb: &'kb KnowledgeBase,
    pub classification: Classification<'kb>,
    pub questions: Vec<Question>,
    pub red_flags: Vec<RedFlag<'kb>>,
    pub medication_review: Vec<ReviewItem<'kb>>,
    pub unrecognized_medications: Vec<String>,
    pub labs: Vec<LabOrder<'kb>>,
    pub lab_findings: Vec<LabFinding<'kb>>,
    pub plan: Vec<PlanItem<'kb>>,
    pub medication_options: Vec<OptionItem<'kb>>,
    pub avoid: Vec<AvoidItem<'kb>>,
    pub referral: Referral<'kb>,
    pub evidence_conflicts: Vec<ConflictItem<'kb>>,
    pub considered: Vec<ConsideredItem<'kb>>,
    pub input_warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Classification<'kb> {
    pub most_likely: Option<MostLikely<'kb>>,
    pub differential: Vec<DifferentialItem<'kb>>,
    pub entry: &'kb Entry,
}

#[derive(Debug, Clone)]
pub struct MostLikely<'kb> {
    pub code: &'kb ClassificationCode,
    pub confidence: Confidence,
}

#[derive(Debug, Clone)]
pub struct DifferentialItem<'kb> {
    pub code: &'kb ClassificationCode,
    pub status: DifferentialStatus,
    pub because: Vec<Because<'kb>>,
}

/// One reason a condition is in the differential: a phrase, with the condition it names if any.
#[derive(Debug, Clone)]
pub struct Because<'kb> {
    pub phrase: &'kb Phrase,
    pub condition: Option<&'kb str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub field: &'static str,
}

#[derive(Debug, Clone)]
pub struct RedFlag<'kb> {
    pub id: RedFlagId,
    pub urgency: Urgency,
    pub entry: &'kb Entry,
}

#[derive(Debug, Clone)]
pub struct ReviewItem<'kb> {
    /// The name as given (or the code when no name was given).
    pub medication: String,
    pub atc: String,
    pub drug_class: &'kb str,
    /// What "{drug}" reads as in the text.
    pub drug_name: String,
    pub tier: Tier,
    pub entry: &'kb Entry,
}

#[derive(Debug, Clone)]
pub struct LabOrder<'kb> {
    pub loinc: String,
    pub display: &'kb str,
    pub repeat: bool,
    pub reasons: Vec<&'kb Phrase>,
    pub entry: &'kb Entry,
    pub review_status: ReviewStatus,
}

/// How a lab finding was judged.
#[derive(Debug, Clone)]
pub enum Basis {
    LabRange {
        low: Option<f64>,
        high: Option<f64>,
        unit: String,
    },
    DefaultRange {
        low: Option<f64>,
        high: Option<f64>,
    },
    RlsThreshold,
    /// The paediatric RLS ferritin threshold of c.2 ([S]).
    RlsThresholdChild,
    Critical {
        limit: f64,
    },
    NoRange,
    NotInterpreted {
        why: String,
    },
}

#[derive(Debug, Clone)]
pub struct LabFinding<'kb> {
    pub loinc: Option<String>,
    pub display: String,
    pub value: f64,
    pub unit: Option<String>,
    pub canonical_unit: &'kb str,
    /// The value in `canonical_unit` (c.3), when its unit was usable: what the ranges of the
    /// knowledge base, the critical limits and the iron thresholds are compared with.
    pub canonical_value: Option<f64>,
    pub interpretation: Option<Interpretation>,
    pub basis: Basis,
    /// A total calcium adjusted for the case's albumin, in the unit the calcium was sent in (c.3,
    /// [U] formula): shown beside the result, never interpreted in its place.
    pub adjusted: Option<f64>,
    pub entry: &'kb Entry,
    pub review_status: ReviewStatus,
}

#[derive(Debug, Clone)]
pub struct PlanItem<'kb> {
    pub id: PlanId,
    pub entry: &'kb Entry,
}

#[derive(Debug, Clone)]
pub struct OptionItem<'kb> {
    pub entry: &'kb Entry,
    pub option_for: OptionFor,
    /// Offered only with the condition in the entry's `condition_*` text (e.g. eGFR unknown).
    pub conditional: bool,
}

#[derive(Debug, Clone)]
pub struct AvoidItem<'kb> {
    pub atc: Option<String>,
    pub display: String,
    /// Where the patient voice names it otherwise (a Beers group without its ATC code).
    pub display_patient: Option<String>,
    pub severity: Severity,
    pub entry: &'kb Entry,
}

#[derive(Debug, Clone)]
pub struct Referral<'kb> {
    pub urgency: Option<Urgency>,
    pub to: Vec<Destination>,
    pub reasons: Vec<&'kb Entry>,
}

impl Referral<'_> {
    pub fn recommended(&self) -> bool {
        !self.to.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct ConflictItem<'kb> {
    pub topic: ConflictTopic,
    pub entry: &'kb Entry,
}

/// What became of a drug in `considering[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Avoid,
    Option,
    Statement,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Avoid => "avoid",
            Decision::Option => "medication_options",
            Decision::Statement => "statement",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConsideredItem<'kb> {
    pub name: String,
    pub atc: Option<String>,
    pub drug_name: String,
    pub decision: Decision,
    pub tier: Option<Tier>,
    pub entry: Option<&'kb Entry>,
    /// `entry` is the option this drug is in another population, shown with why it is not offered here.
    pub elsewhere: bool,
    /// `entry` is an option of this patient's population, withheld because a diagnosis it needs was
    /// read only through the knowledge base's additions (`input_warnings` says which and how).
    pub undocumented: bool,
}

impl<'kb> Assessment<'kb> {
    /// Every source cited by an item, in order of first citation.
    pub fn cited_sources(&self) -> Vec<&'kb Source> {
        self.cited_source_positions()
            .into_iter()
            .map(|i| &self.kb.sources[i])
            .collect()
    }

    /// The positions in `KnowledgeBase::sources` of every cited source, in order of first citation.
    pub fn cited_source_positions(&self) -> Vec<usize> {
        let mut seen = vec![false; self.kb.sources.len()];
        let mut out = Vec::new();
        let mut add = |entry: &'kb Entry| {
            for &pos in &entry.source_positions {
                if !seen[pos] {
                    seen[pos] = true;
                    out.push(pos);
                }
            }
        };

        add(self.classification.entry);
        self.red_flags.iter().for_each(|i| add(i.entry));
        self.medication_review.iter().for_each(|i| add(i.entry));
        self.labs.iter().for_each(|i| add(i.entry));
        self.lab_findings.iter().for_each(|i| add(i.entry));
        self.plan.iter().for_each(|i| add(i.entry));
        self.medication_options.iter().for_each(|i| add(i.entry));
        self.avoid.iter().for_each(|i| add(i.entry));
        self.evidence_conflicts.iter().for_each(|i| add(i.entry));
        self.considered.iter().filter_map(|i| i.entry).for_each(&mut add);
        self.referral.reasons.iter().for_each(|e| add(e));
        out
    }
}
