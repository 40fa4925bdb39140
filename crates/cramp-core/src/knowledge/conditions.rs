//! Condition gates (EVIDENCE.md d.1a): recognition by ICD-10-CM prefix, SNOMED CT id or name.

use super::LoadError;
use serde::Deserialize;

macro_rules! gates {
    ($($name:ident = $id:literal,)*) => {
        /// The conditions that rules depend on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum GateId { $($name,)* }
        impl GateId {
            pub const ALL: &'static [GateId] = &[$(GateId::$name,)*];
            pub fn as_str(self) -> &'static str { match self { $(GateId::$name => $id,)* } }
        }
    };
}

gates! {
    Cirrhosis = "cirrhosis",
    HepaticEncephalopathy = "hepatic_encephalopathy",
    Ckd = "ckd",
    KidneyFailure = "kidney_failure",
    EsrdDialysis = "esrd_dialysis",
    HeartFailure = "heart_failure",
    Diabetes = "diabetes",
    DiabetesType1 = "diabetes_type1",
    Pad = "pad",
    Falls = "falls",
    Smoker = "smoker",
    Nocturia = "nocturia",
    IntradialyticHypotension = "intradialytic_hypotension",
    Pregnancy = "pregnancy",
    Hypomagnesaemia = "hypomagnesaemia",
    AvBlock = "av_block",
    LongQt = "long_qt",
    Rls = "rls",
    LegCramps = "leg_cramps",
    QuinineToxicitySigns = "quinine_toxicity_signs",
    Clti = "clti",
    Gangrene = "gangrene",
    LowerLimbWound = "lower_limb_wound",
    MotorNeuronDisease = "motor_neuron_disease",
    Als = "als",
    Neuropathy = "neuropathy",
    LumbarStenosis = "lumbar_stenosis",
    Alcohol = "alcohol",
    GiLosses = "gi_losses",
    Hypoparathyroidism = "hypoparathyroidism",
    VitaminDDeficiency = "vitamin_d_deficiency",
    ThyroidDisease = "thyroid_disease",
    Myalgia = "myalgia",
    Hyponatraemia = "hyponatraemia",
    FluidRestriction = "fluid_restriction",
    Hypokalaemia = "hypokalaemia",
    ConfusionOrDrowsiness = "confusion_or_drowsiness",
    DvtSigns = "dvt_signs",
    FasciculationFinding = "fasciculation_finding",
    MuscleWastingFinding = "muscle_wasting_finding",
    DysphagiaFinding = "dysphagia_finding",
    SpeechChangeFinding = "speech_change_finding",
    WeaknessFinding = "weakness_finding",
    SuddenOnset = "sudden_onset",
}

/// A yes/no finding of SPEC §3 that a condition on the problem list may state ("dysphagia",
/// "foot drop"): a gate's `finding` in conditions.toml, read as that field (engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    Fasciculations,
    MuscleWasting,
    Dysphagia,
    GaitOrSpeechChange,
    Weakness,
}

impl Finding {
    /// Each finding with the SPEC §3 field path that holds it.
    pub const PATHS: &'static [(&'static str, Finding)] = &[
        ("exam.fasciculations", Finding::Fasciculations),
        ("symptoms.muscle_wasting", Finding::MuscleWasting),
        ("symptoms.dysphagia", Finding::Dysphagia),
        ("symptoms.gait_or_speech_change", Finding::GaitOrSpeechChange),
        ("symptoms.weakness", Finding::Weakness),
    ];

    pub fn path(self) -> &'static str {
        Finding::PATHS.iter().find(|(_, f)| *f == self).map_or("", |(p, _)| p)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGate {
    id: String,
    display: String,
    icd10: Vec<String>,
    #[serde(default)]
    snomed: Vec<String>,
    #[serde(default)]
    synonyms: Vec<String>,
    #[serde(default)]
    whole_word: Vec<String>,
    #[serde(default)]
    excludes: Vec<String>,
    #[serde(default)]
    offer_names: Vec<String>,
    #[serde(default)]
    current_within_weeks: Option<u32>,
    #[serde(default)]
    finding: Option<String>,
    mark: crate::vocab::Mark,
}

#[derive(Debug, Clone)]
pub struct Gate {
    pub id: GateId,
    pub display: String,
    /// ICD-10-CM prefixes, upper case without dots.
    pub icd10: Vec<String>,
    /// The first letters of `icd10`, one bit per letter A-Z: a code of another letter is not
    /// compared with the prefixes.
    pub icd10_letters: u32,
    pub icd10_as_written: Vec<String>,
    pub snomed: Vec<String>,
    pub synonyms: Vec<String>,
    pub whole_word: Vec<String>,
    pub excludes: Vec<String>,
    /// The names (lower case) a drug may be started on, with the gate's ICD-10-CM codes: EVIDENCE.md
    /// d.1a's own, without SNOMED CT ids or the knowledge base's additions (`facts::offer_documented`).
    pub offer_names: Vec<String>,
    /// A condition that lasts a bounded time (pregnancy): one recorded as beginning longer ago than
    /// this is not read as current (FHIR input, where a problem list may keep it "active").
    pub current_within_weeks: Option<u32>,
    /// The SPEC §3 finding a condition of this gate states (a symptom or sign on the problem list).
    pub finding: Option<Finding>,
    pub mark: crate::vocab::Mark,
}

/// An Observation code whose value (a coded concept, not a quantity) records a condition, as a
/// US Core pregnancy status does: read as a condition when it is recent enough (`conditions.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusObservation {
    pub loinc: String,
    pub display: String,
    /// Its CDS Hooks prefetch key.
    pub key: String,
    /// Only an observation dated within this many weeks of today is read.
    pub within_weeks: u32,
    /// Patients (by `patient.sex`) for whom a missing one is not listed as data not available.
    #[serde(default)]
    pub unlisted_for_sex: Vec<String>,
    pub mark: crate::vocab::Mark,
}

impl ConditionTable {
    /// Sets the status observations, each checked as the gates are (`load`).
    pub(super) fn set_status_observations(&mut self, raw: Vec<StatusObservation>) -> Result<(), LoadError> {
        for o in &raw {
            if !super::labs::is_loinc(&o.loinc) || o.within_weeks == 0 {
                return Err(LoadError::Invalid(format!(
                    "conditions.toml: status_observation {:?}: malformed LOINC code or empty look-back",
                    o.loinc
                )));
            }
            if let Some(bad) = o
                .unlisted_for_sex
                .iter()
                .find(|s| !crate::case::Sex::CODES.contains(&s.as_str()))
            {
                return Err(LoadError::Invalid(format!(
                    "conditions.toml: status_observation {:?}: {bad:?} is no patient.sex value",
                    o.loinc
                )));
            }
        }
        self.status_observations = raw;
        Ok(())
    }
    /// The status observation of a LOINC code, if it is one.
    pub fn status_observation(&self, loinc: &str) -> Option<&StatusObservation> {
        self.status_observations.iter().find(|o| o.loinc == loinc)
    }
}

#[derive(Debug, Clone)]
pub struct ConditionTable {
    pub gates: Vec<Gate>,
    pub negations: Vec<String>,
    /// Words that negate a synonym when they follow its word ("cirrhosis ruled out", "pregnancy
    /// test negative"), compared after punctuation is read as spaces.
    pub negations_after: Vec<String>,
    /// Words a misspelt word of a name may be read as (`near_name`), and their first letters
    /// (`letter_bit`).
    pub near_words: Vec<String>,
    near_letters: u32,
    /// Whole names that say there is no condition ("none", "nil"), lower case.
    pub none_names: Vec<String>,
    /// Words that say a named diagnosis is not established ("possible", "?", "r/o"), lower case:
    /// such a mention withholds and reviews, never starts a drug (`uncertain_gates`).
    pub uncertain: Vec<String>,
    /// `uncertain` in one automaton: most names hold none of them and are passed in one scan.
    uncertain_any: Option<aho_corasick::AhoCorasick>,
    /// Observation codes whose value records a condition (FHIR input: pregnancy status).
    pub status_observations: Vec<StatusObservation>,
    /// Every gate's synonyms, whole-word synonyms and exclusions in one automaton, with what each
    /// pattern is.
    names: aho_corasick::AhoCorasick,
    patterns: Vec<(GateId, PatternKind)>,
}

// `lower_name_gates` answers with one bit per gate.
const _: () = assert!(GateId::ALL.len() <= 64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatternKind {
    Synonym,
    WholeWord,
    Exclude,
}

/// ICD-10-CM as compared: upper case, no dots, no trailing "-".
pub fn normalise_icd(code: &str) -> String {
    code.trim()
        .trim_end_matches('-')
        .chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// A condition code as it was found in what was sent: `code` as compared (`normalise_icd` for
/// ICD-10-CM, the digits for SNOMED CT), `as_sent` the word it was read from, `decorated` when the
/// field held more than the code ("ICD-10: K74.60", "SCTID: 19943007", "19943007 |Cirrhosis|").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRead<'a> {
    pub code: std::borrow::Cow<'a, str>,
    pub as_sent: &'a str,
    pub decorated: bool,
}

/// The ICD-10-CM codes in an `icd10` field: each word (split at spaces and `: ; , ( ) | /`) that,
/// without dots, reads as one (a letter, a digit, then one to five letters or digits), so a label
/// ("ICD-10-CM:") or a description ("K74.60 - cirrhosis") is passed over and several codes
/// ("K74.60; K76.82") are each read. No word of a description reads as a code (its second
/// character would have to be a digit).
pub fn icd10_codes(sent: &str) -> impl Iterator<Item = CodeRead<'_>> {
    let trimmed = sent.trim();
    trimmed
        .split(|c: char| c.is_whitespace() || ":;,()|/".contains(c))
        .filter(|w| !w.is_empty())
        .filter_map(move |w| {
            let code = normalise_icd(w);
            let b = code.as_bytes();
            let shaped = (3..=7).contains(&b.len())
                && b[0].is_ascii_uppercase()
                && b[1].is_ascii_digit()
                && b[2..].iter().all(u8::is_ascii_alphanumeric);
            shaped.then_some(CodeRead {
                code: code.into(),
                as_sent: w,
                decorated: w.len() != trimmed.len(),
            })
        })
}

/// The first of [`icd10_codes`].
pub fn icd10_in(sent: &str) -> Option<CodeRead<'_>> {
    icd10_codes(sent).next()
}

/// The SNOMED CT ids in a `snomed` field: each run of 6 to 18 digits (an SCTID's length), so a
/// label ("SCTID:") or a term after it ("|Cirrhosis of liver|") is passed over.
pub fn snomed_codes(sent: &str) -> impl Iterator<Item = CodeRead<'_>> {
    let trimmed = sent.trim();
    trimmed
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| (6..=18).contains(&run.len()))
        .map(move |run| CodeRead {
            code: run.into(),
            as_sent: run,
            decorated: run.len() != trimmed.len(),
        })
}

/// The first of [`snomed_codes`].
pub fn snomed_in(sent: &str) -> Option<CodeRead<'_>> {
    snomed_codes(sent).next()
}

/// ICD-10-CM syntax: a letter, a digit, an alphanumeric, then up to four alphanumerics after a dot.
pub fn is_icd10(code: &str) -> bool {
    let c = code.trim().trim_end_matches('-');
    let (head, tail) = c.split_once('.').unwrap_or((c, ""));
    let h = head.as_bytes();
    h.len() == 3
        && h[0].is_ascii_uppercase()
        && h[1].is_ascii_digit()
        && h[2].is_ascii_alphanumeric()
        && tail.len() <= 4
        && tail.bytes().all(|b| b.is_ascii_alphanumeric())
        && c.contains('.') != tail.is_empty()
}

impl ConditionTable {
    pub(super) fn load(
        raw: Vec<RawGate>,
        negations: Vec<String>,
        added: Vec<String>,
        after: Vec<String>,
        near_words: Vec<String>,
    ) -> Result<ConditionTable, LoadError> {
        let mut gates: Vec<Option<Gate>> = vec![None; GateId::ALL.len()];
        for g in raw {
            let id = *GateId::ALL
                .iter()
                .find(|x| x.as_str() == g.id)
                .ok_or_else(|| LoadError::Invalid(format!("conditions.toml: unknown gate {}", g.id)))?;
            for code in &g.icd10 {
                // A chapter letter ("O") is a valid prefix for the pregnancy gate.
                let ok = code.len() == 1 && code.chars().all(|c| c.is_ascii_uppercase())
                    || is_icd10(code)
                    || (code.len() == 3 && is_icd10(code));
                if !ok {
                    return Err(LoadError::Invalid(format!(
                        "conditions.toml: {}: malformed ICD-10-CM code {code:?}",
                        g.id
                    )));
                }
            }
            for s in &g.snomed {
                if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
                    return Err(LoadError::Invalid(format!(
                        "conditions.toml: {}: malformed SNOMED CT id {s:?}",
                        g.id
                    )));
                }
            }
            let names_lower: Vec<String> = g
                .synonyms
                .iter()
                .chain(&g.whole_word)
                .map(|s| s.to_lowercase())
                .collect();
            for o in &g.offer_names {
                if !names_lower.iter().any(|n| n.contains(&o.to_lowercase())) {
                    return Err(LoadError::Invalid(format!(
                        "conditions.toml: {}: offer name {o:?} is not part of one of the gate's names",
                        g.id
                    )));
                }
            }
            let finding = match &g.finding {
                None => None,
                Some(path) => Some(
                    Finding::PATHS
                        .iter()
                        .find(|(p, _)| p == path)
                        .map(|(_, f)| *f)
                        .ok_or_else(|| {
                            LoadError::Invalid(format!(
                                "conditions.toml: {}: finding {path:?} is not one of {:?}",
                                g.id,
                                Finding::PATHS.iter().map(|(p, _)| *p).collect::<Vec<_>>()
                            ))
                        })?,
                ),
            };
            gates[id as usize] = Some(Gate {
                id,
                display: g.display,
                icd10: g.icd10.iter().map(|c| normalise_icd(c)).collect(),
                icd10_letters: g.icd10.iter().fold(0, |m, c| m | letter_bit(&normalise_icd(c))),
                icd10_as_written: g.icd10,
                snomed: g.snomed,
                synonyms: g.synonyms.iter().map(|s| s.to_lowercase()).collect(),
                whole_word: g.whole_word.iter().map(|s| s.to_lowercase()).collect(),
                excludes: g.excludes.iter().map(|s| s.to_lowercase()).collect(),
                offer_names: g.offer_names.iter().map(|s| s.to_lowercase()).collect(),
                current_within_weeks: g.current_within_weeks.filter(|&w| w > 0),
                finding,
                mark: g.mark,
            });
        }
        let gates = gates
            .into_iter()
            .enumerate()
            .map(|(i, g)| {
                g.ok_or_else(|| {
                    LoadError::Invalid(format!("conditions.toml: gate {} is missing", GateId::ALL[i].as_str()))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let negations = negations.into_iter().chain(added).map(|n| n.to_lowercase()).collect();
        let negations_after = after.iter().map(|n| n.to_lowercase()).collect();
        let mut texts: Vec<&str> = Vec::new();
        let mut patterns = Vec::new();
        for g in &gates {
            for (list, kind) in [
                (&g.synonyms, PatternKind::Synonym),
                (&g.whole_word, PatternKind::WholeWord),
                (&g.excludes, PatternKind::Exclude),
            ] {
                for t in list.iter().filter(|t| !t.is_empty()) {
                    texts.push(t);
                    patterns.push((g.id, kind));
                }
            }
        }
        let names = aho_corasick::AhoCorasick::new(&texts)
            .map_err(|e| LoadError::Invalid(format!("conditions.toml: synonyms: {e}")))?;
        Ok(ConditionTable {
            gates,
            negations,
            negations_after,
            near_letters: near_words.iter().fold(0, |m, w| m | letter_bit(w)),
            near_words: near_words.iter().map(|w| w.to_lowercase()).collect(),
            none_names: Vec::new(),
            uncertain: Vec::new(),
            uncertain_any: None,
            status_observations: Vec::new(),
            names,
            patterns,
        })
    }

    /// A lower-case name with its misspelt words read as `near_words`: a word one edit from a near
    /// word (a letter added, dropped, changed or two swapped), six letters or more, same first
    /// letter, is replaced by it; a word that near to several is replaced only when they all name
    /// the same gates. Returns the corrected name and each word as sent with the word it was read
    /// as; none when no word was corrected. The caller keeps the correction only if it adds to what
    /// the name names.
    pub fn near_name(&self, lower: &str) -> Option<(String, Vec<(String, String)>)> {
        let mut corrected = String::new();
        let mut copied = 0;
        let mut read = Vec::new();
        // Runs of ASCII letters (near words are ASCII), found by bytes: no character decoding.
        let b = lower.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let tok = &lower[start..i];
            // Only words that start as a near word does; a word spelt right is not corrected. The
            // near words within one letter of its length and with its first letter, by bytes.
            let candidates = || {
                self.near_words
                    .iter()
                    .filter(|w| w.as_bytes().first() == Some(&b[start]) && w.len().abs_diff(tok.len()) <= 1)
            };
            if tok.len() < super::NEAR_MIN_LEN
                || self.near_letters & letter_bit(tok) == 0
                || candidates().any(|w| w == tok)
            {
                continue;
            }
            let mut near = candidates().filter(|w| super::one_edit_apart(tok, w));
            let Some(first) = near.next() else { continue };
            let names = |w: &str| self.lower_name_gates_and_negated(w).0;
            if near.any(|w| names(w) != names(first)) {
                continue;
            }
            corrected.push_str(&lower[copied..start]);
            corrected.push_str(first);
            copied = i;
            read.push((tok.to_string(), first.clone()));
        }
        if read.is_empty() {
            return None;
        }
        corrected.push_str(&lower[copied..]);
        Some((corrected, read))
    }

    /// The gates a lower-case condition name matches (EVIDENCE.md d.1a), as a bit per `GateId`:
    /// one pass over the name for every gate's synonyms.
    pub fn lower_name_gates(&self, lower: &str) -> u64 {
        self.lower_name_gates_and_negated(lower).0
    }

    /// As `lower_name_gates`, with a second mask: the gates whose synonyms occur only after a
    /// negation ("no encephalopathy", "history of renal failure"), which a safety gate may want to
    /// confirm before it relies on their absence.
    pub fn lower_name_gates_and_negated(&self, lower: &str) -> (u64, u64) {
        let (mut hits, mut excluded, mut negated) = (0u64, 0u64, 0u64);
        for m in self.names.find_overlapping_iter(lower) {
            let (gate, kind) = self.patterns[m.pattern().as_usize()];
            let bit = 1u64 << gate as usize;
            let counts = match kind {
                PatternKind::Exclude => {
                    excluded |= bit;
                    continue;
                }
                PatternKind::Synonym => true,
                PatternKind::WholeWord => whole_word_or_plural_at(lower, m.start(), m.end()),
            };
            if counts {
                if self.negated_at(lower, m.start(), m.end()) {
                    negated |= bit;
                } else {
                    hits |= bit;
                }
            }
        }
        (hits & !excluded, negated & !hits & !excluded)
    }

    /// Whether the synonym found at `start..end` of a lower-case name is negated: preceded by a
    /// negation, or its word followed by one of `negations_after` (punctuation read as spaces).
    fn negated_at(&self, lower: &str, start: usize, end: usize) -> bool {
        let before = &lower[..start];
        if self.negations.iter().any(|n| before.ends_with(n.as_str())) {
            return true;
        }
        // The rest of the synonym's word ("pregnan" in "pregnancy"), then what follows it.
        let rest = &lower[end..];
        let rest = rest.trim_start_matches(|c: char| c.is_alphanumeric());
        let mut words = String::with_capacity(rest.len());
        for w in rest.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            words.push_str(w);
            words.push(' ');
        }
        self.negations_after.iter().any(|n| {
            words
                .strip_prefix(n.as_str())
                .is_some_and(|after| after.is_empty() || after.starts_with(' '))
        })
    }

    /// The gates a lower-case name mentions only as not established ("possible cirrhosis",
    /// "?cirrhosis", "cirrhosis not excluded"), with the first word that says so: a mention with
    /// one of `uncertain` before it in its clause or first after it, or a "?" against its word. A
    /// gate also mentioned plainly in the name is not among them.
    pub fn uncertain_gates(&self, lower: &str) -> (u64, Option<&str>) {
        if !self.uncertain_any.as_ref().is_some_and(|a| a.is_match(lower)) {
            return (0, None);
        }
        let (mut certain, mut uncertain, mut word) = (0u64, 0u64, None);
        for m in self.names.find_overlapping_iter(lower) {
            let (gate, kind) = self.patterns[m.pattern().as_usize()];
            let counts = match kind {
                PatternKind::Exclude => false,
                PatternKind::Synonym => true,
                PatternKind::WholeWord => whole_word_or_plural_at(lower, m.start(), m.end()),
            };
            if !counts || self.negated_at(lower, m.start(), m.end()) {
                continue;
            }
            let bit = 1u64 << gate as usize;
            match self.uncertain_at(lower, m.start(), m.end()) {
                Some(w) => {
                    uncertain |= bit;
                    word = word.or(Some(w));
                }
                None => certain |= bit,
            }
        }
        let only = uncertain & !certain;
        (only, word.filter(|_| only != 0))
    }

    /// Sets `uncertain` (lower-cased) and its automaton.
    pub(super) fn set_uncertain(&mut self, words: &[String]) -> Result<(), LoadError> {
        self.uncertain = words.iter().map(|w| w.to_lowercase()).collect();
        self.uncertain_any = Some(
            aho_corasick::AhoCorasick::new(&self.uncertain)
                .map_err(|e| LoadError::Invalid(format!("conditions.toml: uncertain: {e}")))?,
        );
        Ok(())
    }

    /// The word of `uncertain` that qualifies the mention at `start..end` of a lower-case name:
    /// before it in its clause (after the last ",", ";", ":" or bracket), or first after its word
    /// (past an opening bracket or dash) and last in its clause ("cirrhosis - suspected",
    /// "cirrhosis (query)", "cirrhosis not excluded"; not "cirrhosis - likely alcohol-related",
    /// which qualifies the cause), or "vs" after it; "?" only against the word itself
    /// ("?cirrhosis", "cirrhosis?", not the "?" of "cirrhosis ?alcohol-related").
    fn uncertain_at(&self, lower: &str, start: usize, end: usize) -> Option<&str> {
        let before = &lower[..start];
        let clause = &before[before.rfind([',', ';', ':', '(', ')']).map_or(0, |i| i + 1)..];
        let after = lower[end..].trim_start_matches(char::is_alphanumeric).trim_start();
        let question = self.uncertain.iter().find(|w| w.as_str() == "?");
        if let Some(q) = question
            && (clause.trim_end().ends_with('?')
                || after
                    .strip_prefix('?')
                    .is_some_and(|t| !t.starts_with(char::is_alphanumeric)))
        {
            return Some(q.as_str());
        }
        let after = after.trim_start_matches(['(', '-', ' ']);
        self.uncertain
            .iter()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .find(|w| {
                clause
                    .match_indices(w.as_str())
                    .any(|(at, _)| whole_word_at(clause, at, at + w.len()))
                    || after.strip_prefix(w.as_str()).is_some_and(|t| {
                        let ends_clause = t
                            .trim_start_matches([' ', ')', '.', '?', '!'])
                            .chars()
                            .next()
                            .is_none_or(|c| matches!(c, ',' | ';' | ':' | '('));
                        !t.starts_with(char::is_alphanumeric) && (ends_clause || matches!(w.as_str(), "vs" | "versus"))
                    })
            })
            .map(String::as_str)
    }

    pub fn gate(&self, id: GateId) -> &Gate {
        &self.gates[id as usize]
    }

    /// Whether a coded condition falls under a gate. `icd10` is the code as `normalise_icd` gives
    /// it (normalise once per condition, test every gate); `snomed` is trimmed.
    pub fn code_matches(&self, id: GateId, icd10: Option<&str>, snomed: Option<&str>) -> bool {
        let gate = self.gate(id);
        if let Some(c) = icd10
            && gate.icd10_letters & letter_bit(c) != 0
            && gate.icd10.iter().any(|p| c.starts_with(p.as_str()))
        {
            return true;
        }
        snomed.is_some_and(|s| gate.snomed.iter().any(|x| x == s))
    }

    /// For a condition that lasts a bounded time (`current_within_weeks`: pregnancy), how many weeks
    /// after its onset it is still read as current; the shortest of the gates it reaches.
    pub fn current_within_weeks(&self, c: &crate::case::ConditionInput) -> Option<u32> {
        let mut bounded = self
            .gates
            .iter()
            .filter_map(|g| g.current_within_weeks.map(|w| (g.id, w)))
            .peekable();
        bounded.peek()?;
        let icd = c.icd10.as_deref().map(normalise_icd);
        let lower = c.name.as_deref().map(str::to_lowercase);
        bounded
            .filter(|&(id, _)| {
                self.code_matches(id, icd.as_deref(), c.snomed.as_deref().map(str::trim))
                    || lower.as_deref().is_some_and(|n| self.lower_name_matches(id, n))
            })
            .map(|(_, w)| w)
            .min()
    }

    /// Whether a condition name matches a gate's synonyms (EVIDENCE.md d.1a).
    pub fn name_matches(&self, id: GateId, name: &str) -> bool {
        self.lower_name_matches(id, &name.to_lowercase())
    }

    /// As `name_matches`, for a name already in lower case (`lower_name_gates` tests every gate at once).
    pub fn lower_name_matches(&self, id: GateId, lower: &str) -> bool {
        self.lower_name_gates(lower) & (1 << id as usize) != 0
    }

    /// The first implementation of name matching, one scan per synonym: kept as the reference the
    /// automaton is tested against.
    #[cfg(test)]
    fn lower_name_matches_by_scan(&self, id: GateId, lower: &str) -> bool {
        let gate = self.gate(id);
        if gate.excludes.iter().any(|x| lower.contains(x.as_str())) {
            return false;
        }
        gate.synonyms.iter().any(|s| self.occurs(lower, s, false))
            || gate.whole_word.iter().any(|s| self.occurs(lower, s, true))
    }

    /// An occurrence of `needle` not preceded by a negation; as a whole word (plural allowed) if asked.
    #[cfg(test)]
    fn occurs(&self, hay: &str, needle: &str, whole_word: bool) -> bool {
        // Names and synonyms are short: scanning for the first byte and comparing the rest is much
        // cheaper than setting up a two-way searcher for every synonym of every gate.
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let Some(&first) = n.first() else { return false };
        let mut from = 0;
        while let Some(pos) = h.get(from..).and_then(|rest| rest.iter().position(|&b| b == first)) {
            let start = from + pos;
            if !h[start..].starts_with(n) {
                from = start + 1;
                continue;
            }
            let end = start + needle.len();
            from = start + 1;
            if whole_word {
                let before_ok = hay[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let rest = &hay[end..];
                let rest = rest.strip_prefix('s').unwrap_or(rest);
                let after_ok = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
                if !(before_ok && after_ok) {
                    continue;
                }
            }
            if self.negated_at(hay, start, end) {
                continue;
            }
            return true;
        }
        false
    }
}

/// Whether `start..end` of a text is a whole word or phrase: no letter or digit on either side.
fn whole_word_at(text: &str, start: usize, end: usize) -> bool {
    text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
        && text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// Whether `start..end` of a text is a whole word, or one with a plural "s" ("CKDs").
fn whole_word_or_plural_at(text: &str, start: usize, end: usize) -> bool {
    whole_word_at(text, start, end) || (text[end..].starts_with('s') && whole_word_at(text, start, end + 1))
}

/// The bit of a code's or word's first letter (A-Z or a-z, one bit per letter), or none for an
/// empty text or another first character.
fn letter_bit(text: &str) -> u32 {
    match text.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() => 1 << (b.to_ascii_lowercase() - b'a'),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd10_codes_are_checked_for_shape() {
        assert!(is_icd10("G47.62"));
        assert!(is_icd10("K70.31"));
        assert!(is_icd10("I10"));
        assert!(is_icd10("O26.89-"));
        assert!(!is_icd10("G4762"));
        assert!(!is_icd10("cirrhosis"));
    }

    /// The knowledge base's own condition table.
    fn table() -> ConditionTable {
        #[derive(serde::Deserialize)]
        struct File {
            negations: Vec<String>,
            negations_added: Vec<String>,
            negations_after: Vec<String>,
            near_words: Vec<String>,
            gate: Vec<RawGate>,
        }
        let f: File = toml::from_str(include_str!("../../../../knowledge/conditions.toml")).unwrap();
        ConditionTable::load(f.gate, f.negations, f.negations_added, f.negations_after, f.near_words).unwrap()
    }

    #[test]
    fn the_automaton_matches_names_exactly_as_one_scan_per_synonym_did() {
        let t = table();
        // Every synonym and exclusion, alone, inside other words, plural, negated, in upper case
        // (names arrive lowercased), with neighbours; and names from the vignettes' world.
        let mut words: Vec<String> = t
            .gates
            .iter()
            .flat_map(|g| g.synonyms.iter().chain(&g.whole_word).chain(&g.excludes).cloned())
            .collect();
        words.extend(
            [
                "alcohol-related cirrhosis with ascites",
                "no cirrhosis",
                "ex-smoker",
                "pad of the foot",
                "ckd stage 4 on haemodialysis",
                "prediabetes",
                "type 2 diabetes",
                "nocturnal leg cramps",
                "hf",
                "hfs",
            ]
            .map(String::from),
        );
        let mut names = Vec::new();
        for w in &words {
            for n in &t.negations {
                names.push(format!("{n}{w}"));
            }
            names.extend([
                w.clone(),
                format!("{w}s"),
                format!("x{w}"),
                format!("{w}x"),
                format!("history: {w}, stable"),
                format!("{w} and {w}"),
                format!("{w} ruled out"),
                format!("{w}, test: negative"),
                format!("{w} negative for x"),
                format!("{w} excludedx"),
            ]);
        }
        for name in &names {
            let lower = name.to_lowercase();
            for id in GateId::ALL {
                assert_eq!(
                    t.lower_name_matches(*id, &lower),
                    t.lower_name_matches_by_scan(*id, &lower),
                    "{name:?} for gate {}",
                    id.as_str()
                );
            }
        }
    }

    #[test]
    fn icd10_codes_are_compared_without_dots() {
        assert_eq!(normalise_icd("k70.31"), "K7031");
        let icd = |s| icd10_in(s).map(|r| (r.code.into_owned(), r.decorated));
        assert_eq!(icd("K74.60"), Some(("K7460".to_string(), false)));
        assert_eq!(icd(" k7460 "), Some(("K7460".to_string(), false)));
        assert_eq!(icd("ICD-10-CM: K74.60"), Some(("K7460".to_string(), true)));
        assert_eq!(icd("ICD10 K74.6 (cirrhosis)"), Some(("K746".to_string(), true)));
        assert_eq!(
            icd("K74.60 - Unspecified cirrhosis of liver"),
            Some(("K7460".to_string(), true))
        );
        assert_eq!(icd("I10"), Some(("I10".to_string(), false)));
        assert_eq!(icd("cirrhosis"), None);
        let all = |s| icd10_codes(s).map(|r| r.code.into_owned()).collect::<Vec<_>>();
        assert_eq!(all("K74.60; K76.82 (hepatic encephalopathy)"), ["K7460", "K7682"]);
        assert_eq!(all("Unspecified cirrhosis of liver"), Vec::<String>::new());
        let sct_all = |s| snomed_codes(s).map(|r| r.code.into_owned()).collect::<Vec<_>>();
        assert_eq!(sct_all("19943007, 25075006"), ["19943007", "25075006"]);
        assert_eq!(icd("ICD-10"), None);
        let sct = |s| snomed_in(s).map(|r| (r.code.into_owned(), r.decorated));
        assert_eq!(sct("19943007"), Some(("19943007".to_string(), false)));
        assert_eq!(sct("SCTID: 19943007"), Some(("19943007".to_string(), true)));
        assert_eq!(
            sct("19943007 |Cirrhosis of liver|"),
            Some(("19943007".to_string(), true))
        );
        assert_eq!(sct("SNOMED CT 12345"), None);
        assert_eq!(sct("cirrhosis"), None);
        assert_eq!(normalise_icd("I70.21-"), "I7021");
    }
}
