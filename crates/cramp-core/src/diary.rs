//! The patient diary's words (SPEC §7): the closed vocabularies of an episode, the diary's records,
//! and the advice for warning signs, built from the red-flag entries `knowledge/diary.toml` names.
//! No IO: storage is `cramp-store`, the JSON `cramp-wire`, the FHIR export `cramp-fhir`.

use crate::knowledge::{Entry, KnowledgeBase};
use crate::search::VocabularyReview;
use crate::vocab::{Audience, Urgency, vocab};
use serde::Deserialize;
use std::collections::BTreeMap;

vocab!(Leg { Left = "left", Right = "right", Both = "both" });
vocab!(Muscle { Calf = "calf", Foot = "foot", Thigh = "thigh", Hamstring = "hamstring", Other = "other" });
vocab!(Helped {
    Stretching = "stretching", Walking = "walking", Massage = "massage", Heat = "heat", Cold = "cold",
    Medication = "medication", Nothing = "nothing", Other = "other",
});
vocab!(WarningSign {
    CalfSwollenOneSide = "calf_swollen_one_side", CalfWarmOrRed = "calf_warm_or_red", NewWeakness = "new_weakness",
    UnusualBleedingOrBruising = "unusual_bleeding_or_bruising",
});

/// One cramp episode as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// RFC 3339 as the patient's device sent it (its offset keeps the patient's local date).
    pub started_at: String,
    pub leg: Leg,
    pub muscle: Muscle,
    pub duration_min: f64,
    pub pain: f64,
    pub woke_from_sleep: bool,
    pub helped: Vec<Helped>,
    pub warning_signs: Vec<WarningSign>,
}

/// One nightly check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Night {
    /// YYYY-MM-DD.
    pub date: String,
    pub stretched: bool,
    pub sleep_quality: f64,
    pub cramps: u32,
}

/// `knowledge/diary.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiaryConfig {
    pub review: VocabularyReview,
    /// Warning sign → red-flag entry id.
    pub warning_signs: BTreeMap<WarningSign, String>,
    /// Warning sign → the words the patient ticks.
    pub labels: BTreeMap<WarningSign, String>,
    /// The page's headline for each trial verdict.
    pub verdicts: VerdictWords,
    /// The heading of warning-sign advice, by urgency (`kb check`: every urgency has one).
    pub advice_headings: BTreeMap<Urgency, String>,
    pub fhir: DiaryFhir,
}

/// The diary page's headline for each verdict of the n-of-1 trial.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictWords {
    pub improved: String,
    pub no_change: String,
    pub worse: String,
    pub inconclusive: String,
}

/// The codes of the FHIR export: one LOINC code (pain), the rest the service's own code system.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiaryFhir {
    pub pain_loinc: String,
    pub pain_loinc_display: String,
    pub pain_loinc_mark: crate::vocab::Mark,
    pub pain_loinc_status: crate::vocab::ReviewStatus,
    pub local: Vec<LocalCode>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalCode {
    pub code: String,
    pub display: String,
}

impl DiaryFhir {
    /// The display of a local code (`kb check` makes sure every code the export uses exists).
    pub fn display(&self, code: &str) -> Option<&str> {
        self.local.iter().find(|c| c.code == code).map(|c| c.display.as_str())
    }
}

/// The local codes the FHIR export uses.
pub const LOCAL_CODES: &[&str] = &[
    "cramp-episode",
    "cramp-duration",
    "cramp-leg",
    "cramp-muscle",
    "cramp-woke-from-sleep",
    "cramp-helped",
    "cramp-warning-sign",
    "nightly-check-in",
    "nightly-cramps",
    "nightly-stretched",
    "nightly-sleep-quality",
];

/// The advice for the warning signs of one episode: the most urgent of their red-flag entries sets
/// the urgency; every entry's text is given, most urgent first, with all their sources.
#[derive(Debug, Clone)]
pub struct Advice<'kb> {
    pub urgency: Urgency,
    pub entries: Vec<&'kb Entry>,
}

impl Advice<'_> {
    pub fn text(&self, audience: Audience) -> String {
        self.entries
            .iter()
            .map(|e| e.text(audience))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every source of the entries, once, in order of first citation.
    pub fn sources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in self.entries.iter().flat_map(|e| e.sources.iter()) {
            if !out.contains(&s.as_str()) {
                out.push(s);
            }
        }
        out
    }
}

/// The advice for an episode's warning signs; `None` when it has none. A sign whose entry is
/// missing cannot happen in a knowledge base that loaded (`kb check` refuses it), so it is skipped.
pub fn advice<'kb>(kb: &'kb KnowledgeBase, signs: &[WarningSign]) -> Option<Advice<'kb>> {
    let mut entries: Vec<&Entry> = Vec::new();
    for sign in signs {
        if let Some(e) = kb.diary.warning_signs.get(sign).and_then(|id| kb.entry(id))
            && !entries.iter().any(|x| x.id == e.id)
        {
            entries.push(e);
        }
    }
    // Most urgent first; knowledge-base order among equals (stable sort).
    entries.sort_by_key(|e| std::cmp::Reverse(e.urgency.unwrap_or(Urgency::Routine)));
    let urgency = entries.first()?.urgency.unwrap_or(Urgency::Routine);
    Some(Advice { urgency, entries })
}
