//! The knowledge base: sources, entries, tables and wording, parsed from `knowledge/*.toml`.
//!
//! `KnowledgeBase::load` takes file contents (the caller reads the files: the core does no IO),
//! parses and indexes them, and fails on anything structurally wrong (a parse error, a duplicate
//! id, a reference to an unknown source or entry). `check` adds the editorial lint of
//! `cramp kb check` (citations, marks against status, review dates, codes, the rule registry).

mod cds;
mod check;
mod conditions;
mod drugs;
mod labs;

pub use cds::{CardLabels, CardSummaries, CdsWording, Coded, FormWording, SUMMARY_TEMPLATE_MAX, literal_len, topic};
pub use check::{CheckIssue, CheckReport, Level};
pub use conditions::{
    CodeRead, ConditionTable, Finding, Gate, GateId, icd10_codes, icd10_in, is_icd10, normalise_icd, snomed_codes,
    snomed_in,
};
pub use drugs::{
    AtcSet, BeersGroup, CodeProfile, Drug, DrugGroup, DrugTable, GroupRole, SetId, SetMask, atc_in, is_atc,
    normalise_atc, rxnorm_in,
};
pub use labs::{
    Analyte, AnalyteId, LabTable, Range, Trigger, TriggerId, UnitConversion, is_loinc, loinc_in, normalise_unit,
};

use crate::rules::{RULES, RuleId};
use crate::vocab::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::Date;

/// Whether a name, trimmed of spaces and final punctuation and compared in lower case, is one of
/// `none_names` ("None.", "NIL", "n/a"): it says there is nothing to list.
pub fn says_none(name: &str, none_names: &[String]) -> bool {
    let name = name.trim().trim_end_matches(['.', ';', ',', '!']).trim();
    none_names.iter().any(|w| w.eq_ignore_ascii_case(name))
}

/// The shortest word read as a misspelling of a known one (drug names, `near_words`): shorter
/// words are too close to each other for one edit to identify one.
pub(crate) const NEAR_MIN_LEN: usize = 6;

/// Whether a word as sent is one edit (a letter added, dropped, changed or two swapped) from a
/// known word that starts with the same letter: the nearest-spelling reading of drug and
/// condition names.
pub(crate) fn one_edit_apart(sent: &str, known: &str) -> bool {
    if sent.chars().next() != known.chars().next() || sent.len().abs_diff(known.len()) > 1 {
        return false;
    }
    // ASCII words (nearly every name) are compared in one pass without the edit-distance table;
    // anything else goes through `strsim`, the reference the property test compares with.
    if sent.is_ascii() && known.is_ascii() {
        one_edit_bytes(sent.as_bytes(), known.as_bytes())
    } else {
        strsim::osa_distance(sent, known) == 1
    }
}

/// Optimal-string-alignment distance exactly 1 between two byte strings: past their common
/// prefix, the rest matches after one byte changed, dropped, added, or two neighbours swapped.
fn one_edit_bytes(a: &[u8], b: &[u8]) -> bool {
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match a.len() as isize - b.len() as isize {
        0 if p == a.len() => false,
        0 => {
            a[p + 1..] == b[p + 1..]
                || (p + 1 < a.len() && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..])
        }
        1 => a[p + 1..] == b[p..],
        -1 => a[p..] == b[p + 1..],
        _ => false,
    }
}

/// A problem that stops the knowledge base from loading at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("missing knowledge file {0}")]
    MissingFile(&'static str),
    #[error("{file}: duplicate id {id}")]
    DuplicateId { file: String, id: String },
    #[error("{0}")]
    Invalid(String),
}

/// One knowledge file: its path relative to `knowledge/` and its contents.
pub struct KnowledgeFile {
    pub path: String,
    pub contents: String,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub checks: String,
    pub performed_by: String,
}

/// A cited source (EVIDENCE.md §0.2).
#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub citation: String,
    pub kind: SourceKind,
    pub year: i32,
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub url: Option<String>,
    pub locator: String,
    pub verification: Mark,
    pub passage_verbatim: bool,
    pub passage: String,
    /// The passage as served: verbatim words, or the summary marked as such.
    pub quote: String,
}

impl Source {
    /// SPEC §4: `https://doi.org/<DOI>`, else the PubMed page, else the recorded URL.
    pub fn link(&self) -> Option<String> {
        if let Some(doi) = &self.doi {
            Some(format!("https://doi.org/{doi}"))
        } else if let Some(pmid) = &self.pmid {
            Some(format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
        } else {
            self.url.clone()
        }
    }
}

/// A knowledge entry: one reviewed statement in two voices.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position in `KnowledgeBase::entries`, for caches kept beside the knowledge base.
    pub index: usize,
    pub id: String,
    pub kind: EntryKind,
    pub file: String,
    pub item: Option<String>,
    pub clinician: String,
    pub patient: String,
    pub population: String,
    pub certainty: Option<Certainty>,
    pub marks: Vec<Mark>,
    pub sources: Vec<String>,
    /// Positions of `sources` in `KnowledgeBase::sources`, resolved at load (unknown ids left out;
    /// `kb check` reports them).
    pub source_positions: Vec<usize>,
    pub conflicts: Vec<ConflictTopic>,
    pub status: ReviewStatus,
    pub reviewer: String,
    pub reviewed_on: Option<Date>,
    pub next_review_due: Option<Date>,
    pub clinical_signoff: String,
    pub urgency: Option<Urgency>,
    pub urgency_sudden: Option<Urgency>,
    pub refer_to: Vec<Destination>,
    /// `atypical_age`: the paediatric review c.7 adds with weakness, a raised CK, or cramps that
    /// persist despite first-line measures (`refractory_cramps`).
    pub refer_to_if_weak: Vec<Destination>,
    /// `neurological_deficit`: where a deficit of sudden onset goes (c.5: a possible stroke, the
    /// emergency department), at `urgency_sudden`.
    pub refer_to_sudden: Vec<Destination>,
    pub tier: Option<PlanTier>,
    pub atc: Option<String>,
    pub display: Option<String>,
    pub option_for: Option<OptionFor>,
    pub dosing: Option<String>,
    pub severity: Option<Severity>,
    pub condition_clinician: Option<String>,
    pub condition_patient: Option<String>,
}

impl Entry {
    pub fn text(&self, audience: Audience) -> &str {
        match audience {
            Audience::Clinician => &self.clinician,
            Audience::Patient => &self.patient,
        }
    }
}

/// Two voices of one phrase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    pub clinician: String,
    pub patient: String,
    #[serde(default)]
    pub marks: Vec<Mark>,
}

impl Phrase {
    pub fn text(&self, audience: Audience) -> &str {
        match audience {
            Audience::Clinician => &self.clinician,
            Audience::Patient => &self.patient,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub lab_new_clinician: String,
    pub lab_new_patient: String,
    pub lab_repeat_clinician: String,
    pub lab_repeat_patient: String,
    pub finding_clinician: String,
    pub finding_patient: String,
    pub finding_uninterpreted_clinician: String,
    pub finding_uninterpreted_patient: String,
    pub finding_calcium_adjusted_clinician: String,
    /// A result judged against a range, limit or threshold of the knowledge base in another unit:
    /// the result in that unit, as `{converted}` of `finding_clinician`.
    pub finding_converted_clinician: String,
    pub basis_lab_range: String,
    pub basis_default_range: String,
    pub basis_rls: String,
    pub basis_rls_child: String,
    pub basis_critical: String,
    pub basis_no_range: String,
    pub conditional_clinician: String,
    pub conditional_patient: String,
    pub dosing_patient: String,
    pub considered_elsewhere_clinician: String,
    pub considered_elsewhere_patient: String,
    pub considered_undocumented_clinician: String,
    pub considered_undocumented_patient: String,
    pub notice_clinician: String,
    pub notice_patient: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    pub questions: HashMap<String, Phrase>,
    pub reasons: HashMap<String, Phrase>,
    pub templates: Templates,
    pub referral: ReferralWords,
    pub interpretation_words: HashMap<String, Phrase>,
    pub because: HashMap<String, Phrase>,
    /// A source's kind in words (SPEC §4 `sources[].kind`), for people reading a citation.
    pub source_kinds: HashMap<String, Phrase>,
}

impl Wording {
    /// A result's reading in the audience's words ("below the usual range"), or its SPEC §4 code
    /// when the file has none.
    pub fn interpretation_word(&self, i: Interpretation, audience: Audience) -> &str {
        self.interpretation_words
            .get(i.as_str())
            .map_or(i.as_str(), |p| p.text(audience))
    }

    /// A source's kind (`rct`, the SPEC §4 code) in the audience's words ("randomised trial"), or
    /// the code when the file has none (`cramp kb check` fails then).
    pub fn source_kind_word<'a>(&'a self, kind: &'a str, audience: Audience) -> &'a str {
        self.source_kinds.get(kind).map_or(kind, |p| p.text(audience))
    }
}

/// The referral in words (`wording.toml` `[referral]`): a sentence per voice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralWords {
    /// With `{to}` and `{urgency}`.
    pub template: Phrase,
    /// When no referral is recommended.
    pub none: Phrase,
    /// When no referral is recommended but a warning sign is raised.
    pub signs_only: Phrase,
    /// Each destination (SPEC §4 vocabulary).
    pub to: HashMap<String, Phrase>,
    /// Each urgency.
    pub urgency: HashMap<String, Phrase>,
}

/// A number a rule compares against, with where it comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub value: f64,
    pub unit: String,
    pub evidence: String,
    #[serde(default)]
    pub source: Option<String>,
    pub mark: Mark,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub older_adult_age: Threshold,
    pub child_age: Threshold,
    pub seated_stretching_age: Threshold,
    pub pregnancy_question_age_low: Threshold,
    pub pregnancy_question_age_high: Threshold,
    pub pad_abi: Threshold,
    pub qtc_male_or_unknown: Threshold,
    pub qtc_female: Threshold,
    pub qt_potassium_low: Threshold,
    pub qt_magnesium_low: Threshold,
    pub refractory_stretching_weeks: Threshold,
    pub refractory_episodes_per_week: Threshold,
    pub refractory_worst_pain: Threshold,
    pub kidney_failure_egfr: Threshold,
    pub hydration_sodium_min: Threshold,
    pub rls_ferritin_iron: Threshold,
    pub rls_ferritin_iv_only: Threshold,
    pub rls_esrd_ferritin: Threshold,
    pub rls_ferritin_child: Threshold,
    pub rls_tsat: Threshold,
    pub rls_significant_episodes_per_week: Threshold,
    pub bradycardia_heart_rate: Threshold,
    pub trimester_second_weeks: Threshold,
    pub trimester_third_weeks: Threshold,
    pub calcium_albumin_factor: Threshold,
    pub calcium_albumin_reference: Threshold,
}

impl Thresholds {
    pub fn all(&self) -> Vec<(&'static str, &Threshold)> {
        vec![
            ("older_adult_age", &self.older_adult_age),
            ("child_age", &self.child_age),
            ("seated_stretching_age", &self.seated_stretching_age),
            ("pregnancy_question_age_low", &self.pregnancy_question_age_low),
            ("pregnancy_question_age_high", &self.pregnancy_question_age_high),
            ("pad_abi", &self.pad_abi),
            ("qtc_male_or_unknown", &self.qtc_male_or_unknown),
            ("qtc_female", &self.qtc_female),
            ("qt_potassium_low", &self.qt_potassium_low),
            ("qt_magnesium_low", &self.qt_magnesium_low),
            ("refractory_stretching_weeks", &self.refractory_stretching_weeks),
            ("refractory_episodes_per_week", &self.refractory_episodes_per_week),
            ("refractory_worst_pain", &self.refractory_worst_pain),
            ("kidney_failure_egfr", &self.kidney_failure_egfr),
            ("hydration_sodium_min", &self.hydration_sodium_min),
            ("rls_ferritin_iron", &self.rls_ferritin_iron),
            ("rls_ferritin_iv_only", &self.rls_ferritin_iv_only),
            ("rls_esrd_ferritin", &self.rls_esrd_ferritin),
            ("rls_ferritin_child", &self.rls_ferritin_child),
            ("rls_tsat", &self.rls_tsat),
            (
                "rls_significant_episodes_per_week",
                &self.rls_significant_episodes_per_week,
            ),
            ("bradycardia_heart_rate", &self.bradycardia_heart_rate),
            ("trimester_second_weeks", &self.trimester_second_weeks),
            ("trimester_third_weeks", &self.trimester_third_weeks),
            ("calcium_albumin_factor", &self.calcium_albumin_factor),
            ("calcium_albumin_reference", &self.calcium_albumin_reference),
        ]
    }
}

/// A classification code (SPEC §4, EVIDENCE.md d.1).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationCode {
    pub id: String,
    pub code: String,
    pub display: String,
    /// The same condition in plain words, for the patient's answer.
    pub patient: String,
    pub mark: Mark,
}

impl ClassificationCode {
    /// The code's name in the audience's words.
    pub fn display_for(&self, patient: bool) -> &str {
        if patient { &self.patient } else { &self.display }
    }
}

/// The whole knowledge base, parsed and indexed.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// The content version declared in `kb.toml`.
    pub content_version: String,
    /// `content_version` + "+" + 12 hex digits of SHA-256 over the canonical files.
    pub kb_version: String,
    pub roles: Vec<Role>,
    pub sources: Vec<Source>,
    pub entries: Vec<Entry>,
    pub drugs: DrugTable,
    pub conditions: ConditionTable,
    pub labs: LabTable,
    pub thresholds: Thresholds,
    pub wording: Wording,
    /// CDS Hooks card framing (`cds.toml`).
    pub cds: CdsWording,
    /// The assessment form's words, for the Questionnaire (`form.toml`).
    pub form: FormWording,
    /// The n-of-1 stretching trial's protocol numbers, words and published effect (`trial.toml`).
    pub trial: crate::trial::TrialConfig,
    /// The follow-up questions' vocabulary and ranking numbers (`search.toml`).
    pub search: crate::search::SearchVocabulary,
    /// The diary's warning signs and the red-flag entry answering each (`diary.toml`).
    pub diary: crate::diary::DiaryConfig,
    pub codes: Vec<ClassificationCode>,
    source_index: HashMap<String, usize>,
    entry_index: HashMap<String, usize>,
    rule_index: Vec<usize>,
    code_index: HashMap<String, usize>,
    /// The entry of each drug group and of each lab analyte, resolved at load.
    group_entries: Vec<usize>,
    analyte_entries: Vec<usize>,
}

// ---- raw file shapes ------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKb {
    version: String,
    role: Vec<RawRole>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: String,
    name: String,
    checks: String,
    performed_by: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSources {
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    citation: String,
    kind: SourceKind,
    year: i32,
    #[serde(default)]
    doi: Option<String>,
    #[serde(default)]
    pmid: Option<String>,
    #[serde(default)]
    url: Option<String>,
    locator: String,
    verification: Mark,
    passage_kind: String,
    passage: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    kind: Option<EntryKind>,
    reviewer: Option<String>,
    reviewed_on: Option<String>,
    next_review_due: Option<String>,
    clinical_signoff: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntryFile {
    #[serde(default)]
    defaults: RawDefaults,
    entry: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    kind: Option<EntryKind>,
    item: Option<String>,
    clinician: String,
    patient: String,
    population: String,
    certainty: Option<Certainty>,
    marks: Vec<Mark>,
    sources: Vec<String>,
    #[serde(default)]
    conflicts: Vec<ConflictTopic>,
    status: ReviewStatus,
    reviewer: Option<String>,
    reviewed_on: Option<String>,
    next_review_due: Option<String>,
    clinical_signoff: Option<String>,
    urgency: Option<Urgency>,
    urgency_sudden: Option<Urgency>,
    #[serde(default)]
    refer_to: Vec<Destination>,
    #[serde(default)]
    refer_to_if_weak: Vec<Destination>,
    #[serde(default)]
    refer_to_sudden: Vec<Destination>,
    tier: Option<PlanTier>,
    atc: Option<String>,
    display: Option<String>,
    option_for: Option<OptionFor>,
    dosing: Option<String>,
    severity: Option<Severity>,
    condition_clinician: Option<String>,
    condition_patient: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodes {
    negations: Vec<String>,
    negations_added: Vec<String>,
    negations_after: Vec<String>,
    near_words: Vec<String>,
    #[serde(default)]
    none_names: Vec<String>,
    #[serde(default)]
    uncertain: Vec<String>,
    #[serde(default)]
    status_observation: Vec<conditions::StatusObservation>,
    gate: Vec<conditions::RawGate>,
    code: Vec<ClassificationCode>,
}

fn parse<T: for<'de> Deserialize<'de>>(file: &KnowledgeFile) -> Result<T, LoadError> {
    toml::from_str(&file.contents).map_err(|e| LoadError::Parse {
        file: file.path.clone(),
        message: e.to_string(),
    })
}

fn parse_date(file: &str, id: &str, field: &str, value: &Option<String>) -> Result<Option<Date>, LoadError> {
    let Some(s) = value else { return Ok(None) };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, format)
        .map(Some)
        .map_err(|_| LoadError::Invalid(format!("{file}: {id}: {field} {s:?} is not a date (YYYY-MM-DD)")))
}

/// Parses a `YYYY-MM-DD` date (for `--as-of`).
pub fn parse_iso_date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// The canonical form of a knowledge file for `kb_version`: LF line endings.
fn canonical(contents: &str) -> String {
    contents.replace("\r\n", "\n")
}

impl KnowledgeBase {
    /// Parses and indexes the knowledge files. `files` holds every `*.toml` under `knowledge/`,
    /// with paths relative to it (`kb.toml`, `entries/plan.toml`, …).
    pub fn load(files: &[KnowledgeFile]) -> Result<KnowledgeBase, LoadError> {
        let find = |name: &'static str| {
            files
                .iter()
                .find(|f| f.path == name)
                .ok_or(LoadError::MissingFile(name))
        };
        let raw_kb: RawKb = parse(find("kb.toml")?)?;
        let raw_sources: RawSources = parse(find("sources.toml")?)?;
        let raw_codes: RawCodes = parse(find("conditions.toml")?)?;
        let drugs = DrugTable::load(&parse(find("drugs.toml")?)?)?;
        let labs = LabTable::load(parse(find("labs.toml")?)?)?;
        let thresholds: Thresholds = parse(find("thresholds.toml")?)?;
        let wording: Wording = parse(find("wording.toml")?)?;
        let cds: CdsWording = parse(find("cds.toml")?)?;
        let form: FormWording = parse(find("form.toml")?)?;
        let trial: crate::trial::TrialConfig = parse(find("trial.toml")?)?;
        let mut search: crate::search::SearchVocabulary = parse(find("search.toml")?)?;
        search.expand_word_lists().map_err(LoadError::Invalid)?;
        let diary: crate::diary::DiaryConfig = parse(find("diary.toml")?)?;

        let mut digest = Sha256::new();
        let mut sorted: Vec<&KnowledgeFile> = files.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for f in &sorted {
            digest.update(f.path.as_bytes());
            digest.update([0u8]);
            digest.update(canonical(&f.contents).as_bytes());
            digest.update([0u8]);
        }
        let hash = digest.finalize();
        let hex: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let kb_version = format!("{}+{}", raw_kb.version, hex);

        let roles = raw_kb
            .role
            .into_iter()
            .map(|r| Role {
                id: r.id,
                name: r.name,
                checks: r.checks,
                performed_by: r.performed_by,
            })
            .collect();

        let mut sources = Vec::new();
        let mut source_index = HashMap::default();
        for s in raw_sources.source {
            if source_index.insert(s.id.clone(), sources.len()).is_some() {
                return Err(LoadError::DuplicateId {
                    file: "sources.toml".into(),
                    id: s.id,
                });
            }
            let verbatim = match s.passage_kind.as_str() {
                "verbatim" => true,
                "summary" => false,
                other => {
                    return Err(LoadError::Invalid(format!(
                        "sources.toml: {}: passage_kind {other:?} must be \"verbatim\" or \"summary\"",
                        s.id
                    )));
                }
            };
            let quote = if verbatim {
                s.passage.clone()
            } else {
                format!("Summary, not a verbatim quote: {}", s.passage)
            };
            sources.push(Source {
                id: s.id,
                citation: s.citation,
                kind: s.kind,
                year: s.year,
                doi: s.doi,
                pmid: s.pmid,
                url: s.url,
                locator: s.locator,
                verification: s.verification,
                passage_verbatim: verbatim,
                passage: s.passage,
                quote,
            });
        }

        let mut entries = Vec::new();
        let mut entry_index = HashMap::default();
        let mut entry_files: Vec<&KnowledgeFile> = sorted
            .iter()
            .copied()
            .filter(|f| f.path.starts_with("entries/"))
            .collect();
        entry_files.sort_by(|a, b| a.path.cmp(&b.path));
        for file in entry_files {
            let raw: RawEntryFile = parse(file)?;
            let d = raw.defaults;
            for e in raw.entry {
                let reviewed_on = e.reviewed_on.or_else(|| d.reviewed_on.clone());
                let next_review_due = e.next_review_due.or_else(|| d.next_review_due.clone());
                let entry = Entry {
                    index: entries.len(),
                    kind: e.kind.or(d.kind).unwrap_or(EntryKind::Rule),
                    file: file.path.clone(),
                    item: e.item,
                    clinician: e.clinician,
                    patient: e.patient,
                    population: e.population,
                    certainty: e.certainty,
                    marks: e.marks,
                    source_positions: e
                        .sources
                        .iter()
                        .filter_map(|id| source_index.get(id).copied())
                        .collect(),
                    sources: e.sources,
                    conflicts: e.conflicts,
                    status: e.status,
                    reviewer: e.reviewer.or_else(|| d.reviewer.clone()).unwrap_or_default(),
                    reviewed_on: parse_date(&file.path, &e.id, "reviewed_on", &reviewed_on)?,
                    next_review_due: parse_date(&file.path, &e.id, "next_review_due", &next_review_due)?,
                    clinical_signoff: e
                        .clinical_signoff
                        .or_else(|| d.clinical_signoff.clone())
                        .unwrap_or_default(),
                    urgency: e.urgency,
                    urgency_sudden: e.urgency_sudden,
                    refer_to: e.refer_to,
                    refer_to_if_weak: e.refer_to_if_weak,
                    refer_to_sudden: e.refer_to_sudden,
                    tier: e.tier,
                    atc: e.atc,
                    display: e.display,
                    option_for: e.option_for,
                    dosing: e.dosing,
                    severity: e.severity,
                    condition_clinician: e.condition_clinician,
                    condition_patient: e.condition_patient,
                    id: e.id,
                };
                if entry_index.insert(entry.id.clone(), entries.len()).is_some() {
                    return Err(LoadError::DuplicateId {
                        file: file.path.clone(),
                        id: entry.id,
                    });
                }
                entries.push(entry);
            }
        }

        let mut rule_index = Vec::with_capacity(RULES.len());
        for (i, (rule, id)) in RULES.iter().enumerate() {
            debug_assert_eq!(*rule as usize, i);
            match entry_index.get(*id) {
                Some(&idx) => rule_index.push(idx),
                None => {
                    return Err(LoadError::Invalid(format!("rule {id} has no knowledge entry")));
                }
            }
        }
        for group in &drugs.groups {
            if !entry_index.contains_key(&group.entry) {
                return Err(LoadError::Invalid(format!(
                    "drugs.toml: group {} names unknown entry {}",
                    group.id, group.entry
                )));
            }
        }
        for analyte in &labs.analytes {
            if !entry_index.contains_key(&analyte.entry) {
                return Err(LoadError::Invalid(format!(
                    "labs.toml: {} names unknown entry {}",
                    analyte.key, analyte.entry
                )));
            }
        }

        let group_entries = drugs.groups.iter().map(|g| entry_index[&g.entry]).collect();
        let analyte_entries = labs.analytes.iter().map(|a| entry_index[&a.entry]).collect();
        let mut conditions = ConditionTable::load(
            raw_codes.gate,
            raw_codes.negations,
            raw_codes.negations_added,
            raw_codes.negations_after,
            raw_codes.near_words,
        )?;
        conditions.none_names = raw_codes.none_names.iter().map(|w| w.to_lowercase()).collect();
        conditions.set_uncertain(&raw_codes.uncertain)?;
        conditions.set_status_observations(raw_codes.status_observation)?;
        let mut code_index = HashMap::default();
        for (i, c) in raw_codes.code.iter().enumerate() {
            if code_index.insert(c.id.clone(), i).is_some() {
                return Err(LoadError::DuplicateId {
                    file: "conditions.toml".into(),
                    id: c.id.clone(),
                });
            }
        }

        Ok(KnowledgeBase {
            content_version: raw_kb.version,
            kb_version,
            roles,
            sources,
            entries,
            drugs,
            conditions,
            labs,
            thresholds,
            wording,
            cds,
            form,
            trial,
            search,
            diary,
            codes: raw_codes.code,
            source_index,
            entry_index,
            rule_index,
            code_index,
            group_entries,
            analyte_entries,
        })
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_index.get(id).map(|&i| &self.sources[i])
    }

    pub fn source_position(&self, id: &str) -> Option<usize> {
        self.source_index.get(id).copied()
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entry_index.get(id).map(|&i| &self.entries[i])
    }

    /// The entry of a rule in code (resolved at load, so this cannot fail).
    pub fn rule(&self, rule: RuleId) -> &Entry {
        &self.entries[self.rule_index[rule as usize]]
    }

    /// The entry of a drug group (by its position in `drugs.groups`).
    pub fn group_entry(&self, group: usize) -> &Entry {
        &self.entries[self.group_entries[group]]
    }

    /// The entry of a lab analyte (by its position in `labs.analytes`).
    pub fn analyte_entry(&self, analyte: usize) -> &Entry {
        &self.entries[self.analyte_entries[analyte]]
    }

    /// A classification code by its id in `conditions.toml`.
    pub fn code(&self, id: &str) -> Option<&ClassificationCode> {
        self.code_index.get(id).map(|&i| &self.codes[i])
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// Runs the editorial lint of `cramp kb check`. With `as_of`, review dates are checked too.
    pub fn check(&self, as_of: Option<Date>) -> CheckReport {
        check::check(self, as_of)
    }
}

/// The editorial state of the knowledge base (`cramp kb status`): entries by review status, reviews
/// overdue or due soon, and entries still without clinical sign-off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusReport {
    pub approved: Vec<String>,
    pub in_review: Vec<String>,
    pub draft: Vec<String>,
    /// (entry id, next review due), oldest first.
    pub overdue: Vec<(String, Date)>,
    /// Due on or before `as_of` + the window, and not overdue, soonest first.
    pub due_soon: Vec<(String, Date)>,
    pub without_signoff: Vec<String>,
}

impl KnowledgeBase {
    /// The editorial state as of `as_of`, with reviews due within `due_within_days` listed as due soon.
    pub fn status(&self, as_of: Date, due_within_days: i64) -> StatusReport {
        let mut r = StatusReport::default();
        let horizon = as_of
            .checked_add(time::Duration::days(due_within_days))
            .unwrap_or(Date::MAX);
        for e in &self.entries {
            match e.status {
                ReviewStatus::Approved => r.approved.push(e.id.clone()),
                ReviewStatus::InReview => r.in_review.push(e.id.clone()),
                ReviewStatus::Draft => r.draft.push(e.id.clone()),
            }
            if let Some(due) = e.next_review_due {
                if due < as_of {
                    r.overdue.push((e.id.clone(), due));
                } else if due <= horizon {
                    r.due_soon.push((e.id.clone(), due));
                }
            }
            if e.clinical_signoff.trim().is_empty() {
                r.without_signoff.push(e.id.clone());
            }
        }
        r.overdue.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        r.due_soon.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        r
    }
}

#[cfg(test)]
mod one_edit_tests {
    use super::one_edit_apart;

    fn by_strsim(sent: &str, known: &str) -> bool {
        sent.chars().next() == known.chars().next()
            && sent.len().abs_diff(known.len()) <= 1
            && strsim::osa_distance(sent, known) == 1
    }

    proptest::proptest! {
        #[test]
        fn the_one_pass_check_agrees_with_the_edit_distance(a in "[abcé]{0,7}", b in "[abcé]{0,7}") {
            proptest::prop_assert_eq!(one_edit_apart(&a, &b), by_strsim(&a, &b));
        }

        #[test]
        fn the_one_pass_check_agrees_on_near_spellings(a in "[ab]{1,6}", i in 0usize..6, c in "[abc]") {
            // One edit of `a` at a time, which random pairs rarely produce.
            let i = i.min(a.len() - 1);
            let mut changed = a.clone();
            changed.replace_range(i..=i, &c);
            let mut dropped = a.clone();
            dropped.remove(i);
            let mut added = a.clone();
            added.insert_str(i, &c);
            let mut swapped = a.clone().into_bytes();
            if i + 1 < swapped.len() {
                swapped.swap(i, i + 1);
            }
            let swapped = String::from_utf8(swapped).unwrap();
            for b in [changed, dropped, added, swapped] {
                proptest::prop_assert_eq!(one_edit_apart(&a, &b), by_strsim(&a, &b));
                proptest::prop_assert_eq!(one_edit_apart(&b, &a), by_strsim(&b, &a));
            }
        }
    }

    #[test]
    fn one_edit_means_a_letter_changed_dropped_added_or_two_swapped() {
        assert!(one_edit_apart("furosimide", "furosemide"));
        assert!(one_edit_apart("amlodipin", "amlodipine"));
        assert!(one_edit_apart("cirrohsis", "cirrhosis"));
        assert!(one_edit_apart("dialyisis", "dialysis"));
        assert!(!one_edit_apart("cirrhosis", "cirrhosis"));
        assert!(!one_edit_apart("primary", "pregnant"));
        assert!(!one_edit_apart("hypertension", "hemodialysis"));
    }
}
