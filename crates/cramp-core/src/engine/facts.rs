//! Facts derived once from a case: recognised conditions, resolved medicines, normalised labs.

use crate::case::*;
use crate::knowledge::{
    AnalyteId, CodeProfile, CodeRead, GateId, KnowledgeBase, SetId, SetMask, atc_in, icd10_codes, loinc_in, rxnorm_in,
    says_none, snomed_codes,
};

/// One ingredient of a medication taken or considered.
#[derive(Debug, Clone)]
pub struct Ingredient {
    /// The name as given (or the code when no name was given).
    pub label: String,
    /// The effective ATC code: the patient's own (current WHO spelling), else the drug's, else its class.
    pub code: Option<String>,
    pub drug: Option<usize>,
    pub considering: bool,
    /// The sets and groups `code` and `drug` fall in, worked out when the ingredient is resolved.
    pub profile: CodeProfile,
}

/// One lab result as the rules read it.
#[derive(Debug, Clone)]
pub struct LabResult {
    pub input: usize,
    pub analyte: usize,
    pub id: AnalyteId,
    pub loinc: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    /// The value in the analyte's canonical unit, when the unit is usable.
    pub canonical: Option<f64>,
    /// A value below zero in a usable unit: not interpreted (`canonical` is `None`).
    pub below_zero: bool,
    pub factor: f64,
    pub offset: f64,
    pub date: Option<String>,
}

#[derive(Debug)]
pub struct Facts {
    pub gates: [bool; GateId::ALL.len()],
    /// Gates a condition name mentions only after a negation ("no …", "history of …"), one bit per
    /// `GateId` (a gate also met otherwise is not set here).
    pub negated_mentions: u64,
    /// Gates some condition meets in the terms a drug may be started on (`offer_documented`), one
    /// bit per `GateId`.
    pub offer_gates: u64,
    /// For each condition (its index in `case.conditions`) that meets a gate only otherwise (an
    /// added name or abbreviation, a SNOMED CT id alone): those gates, one bit per `GateId`. Said in
    /// `input_warnings` when a drug is withheld for want of them.
    pub undocumented: Vec<(usize, u64)>,
    /// For each condition whose name says it is not established ("possible", "?": the
    /// `uncertain` words), the gates it would otherwise document for an offer and the word.
    pub uncertain: Vec<(usize, u64, String)>,
    /// The drug sets a taken medication's name names when its ATC code names another drug (the
    /// code decides the drug; the name is kept for the rules that withhold one).
    pub named_sets: SetMask,
    /// Every ingredient of every medication taken or considered.
    pub ingredients: Vec<Ingredient>,
    pub unrecognized: Vec<String>,
    /// The latest result of each recognised analyte.
    pub labs: Vec<LabResult>,
    /// Results sent with a name the knowledge base does not know, or a LOINC it does not know.
    pub warnings: Vec<String>,
    pub pregnant: bool,
    pub pregnancy_unknown: bool,
    /// Pregnancy recorded where it is doubtful (sex male, or an age outside the ages at which
    /// pregnancy is asked): kept (the safer reading), warned and asked.
    pub pregnancy_doubtful: bool,
    pub female: bool,
    pub male: bool,
    pub age: Option<f64>,
    /// Kidney failure known from the conditions (d.1a), before any eGFR is read: an eGFR below its
    /// critical limit is then expected, not a new finding.
    pub kidney_failure_named: bool,
    /// The corrected QT: `exam.qtc_ms`, else a usable QTc sent among the labs (`qtc_as_lab`).
    pub qtc_ms: Option<f64>,
}

impl Facts {
    pub fn gate(&self, id: GateId) -> bool {
        self.gates[id as usize]
    }

    /// Younger than `years` (unknown age: no).
    pub fn under(&self, years: f64) -> bool {
        self.age.is_some_and(|a| a < years)
    }

    pub fn takes(&self, set: SetId) -> bool {
        self.ingredients.iter().any(|i| !i.considering && i.in_set(set))
    }

    pub fn takes_or_considers(&self, set: SetId) -> bool {
        self.ingredients.iter().any(|i| i.in_set(set))
    }

    pub fn considers(&self, set: SetId) -> bool {
        self.ingredients.iter().any(|i| i.considering && i.in_set(set))
    }

    pub fn lab(&self, id: AnalyteId) -> Option<&LabResult> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// The value in canonical units of the latest usable result of an analyte.
    pub fn value(&self, id: AnalyteId) -> Option<f64> {
        self.lab(id).and_then(|l| l.canonical)
    }
}

impl Ingredient {
    /// Whether the ingredient is in an ATC set, by its code's prefixes or by the drug's id.
    pub fn in_set(&self, set: SetId) -> bool {
        self.profile.in_set(set)
    }
}

fn resolve<'a>(
    kb: &KnowledgeBase,
    d: &'a DrugInput,
    at: &str,
    considering: bool,
    warnings: &mut Vec<String>,
    unrecognized: &mut Vec<String>,
    named_sets: &mut SetMask,
) -> Vec<Ingredient> {
    // The codes in the code fields ("ATC: C03AA03", "RxCUI 5487"); text there that holds no code
    // is the medicine's name when `name` is absent ("atc": "hydrochlorothiazide").
    let atc_read = d.atc.as_deref().map(|sent| (sent, atc_in(sent)));
    let rx_read = d.rxnorm.as_deref().map(|sent| (sent, rxnorm_in(sent)));
    let no_code =
        |read: &Option<(&'a str, Option<CodeRead<'a>>)>| read.as_ref().filter(|(_, r)| r.is_none()).map(|(s, _)| *s);
    let name = d
        .name
        .as_deref()
        .or_else(|| no_code(&atc_read))
        .or_else(|| no_code(&rx_read));
    for (field, read, example) in [("atc", &atc_read, "C03AA03"), ("rxnorm", &rx_read, "5487")] {
        match read {
            Some((sent, Some(r))) if r.decorated => warnings.push(format!(
                "{at}.{field}: read as {:?} from {sent:?}; send the code alone",
                r.as_sent
            )),
            Some((sent, None)) if d.name.is_none() && name == Some(*sent) => warnings.push(format!(
                "{at}.{field}: {sent:?} holds no code (e.g. {example}) and was read as the medicine's name; send the name in `name`"
            )),
            Some((sent, None)) => warnings.push(format!(
                "{at}.{field}: {sent:?} is not a code (e.g. {example}); it was ignored"
            )),
            _ => {}
        }
    }
    let label = name
        .map(str::to_string)
        .or_else(|| d.atc.clone())
        .or_else(|| d.rxnorm.clone().map(|r| format!("RxNorm {r}")))
        .unwrap_or_default();
    let by_name = name.map(|n| kb.drugs.by_name(n)).unwrap_or_default();
    let drug_code = |idx: usize| kb.drugs.drugs[idx].code().map(str::to_string);
    // Read from the name: the form it gives may change the code (salbutamol tablets, R03CC02).
    let named_code = |idx: usize| {
        kb.drugs
            .code_as_named(idx, name.unwrap_or_default())
            .map(str::to_string)
    };
    // A medicine sent by code alone is shown by the drug the code names, with the code as sent
    // ("Hydrochlorothiazide (RxNorm 5487)"), not by the bare code.
    let make = |label: String, code: Option<String>, own_code: bool, drug: Option<usize>| Ingredient {
        profile: kb.drugs.ingredient_profile(code.as_deref(), own_code, drug),
        label: match (name, drug) {
            (None, Some(idx)) => kb.drugs.labelled(idx, &label),
            _ => label,
        },
        code,
        drug,
        considering,
    };

    if let Some((_, Some(atc))) = &atc_read {
        let code = kb.drugs.current_atc(&atc.code);
        let drug = kb
            .drugs
            .by_atc(&code)
            .or_else(|| by_name.first().copied().filter(|_| by_name.len() == 1));
        let agrees = by_name
            .iter()
            .any(|&idx| drug_code(idx).is_some_and(|c| same_class(&c, &code)));
        if !by_name.is_empty() && !agrees {
            warnings.push(format!(
                "{at}: the name {:?} and the ATC code {} name different drugs; the code decides the drug class",
                name.unwrap_or_default(),
                atc.as_sent
            ));
            // What the name says is kept for the rules that withhold a drug (the safer reading).
            for &idx in &by_name {
                *named_sets |= kb
                    .drugs
                    .ingredient_profile(drug_code(idx).as_deref(), false, Some(idx))
                    .sets;
            }
        }
        let drug = drug.filter(|&idx| drug_code(idx).is_some_and(|c| same_class(&c, &code)));
        return vec![make(label, Some(code), true, drug)];
    }
    if let Some((_, Some(rx))) = &rx_read
        && let Some(idx) = kb.drugs.by_rxnorm(&rx.code)
    {
        return vec![make(label, drug_code(idx), false, Some(idx))];
    }
    if by_name.is_empty() {
        // A misspelling one edit from one drug's name is read as that drug, and said so.
        if let Some((idx, word, name)) = name.and_then(|n| kb.drugs.by_near_name(n)) {
            warnings.push(format!(
                "{at}: {word:?} is not a name the knowledge base knows; read as {name:?}, the nearest spelling: check it"
            ));
            return vec![make(label, named_code(idx), false, Some(idx))];
        }
        unrecognized.push(label);
        return Vec::new();
    }
    by_name
        .into_iter()
        .map(|idx| make(label.clone(), named_code(idx), false, Some(idx)))
        .collect()
}

/// Two ATC codes of the same therapeutic subgroup (their first four characters, or fewer).
fn same_class(a: &str, b: &str) -> bool {
    let n = 4.min(a.len()).min(b.len());
    a[..n] == b[..n]
}

/// Whether any of `conditions` is recognised as `gate` (by code or name, as the rules read it).
pub fn has_condition(kb: &KnowledgeBase, conditions: &[ConditionInput], gate: GateId) -> bool {
    conditions.iter().any(|c| {
        let mut gates = [false; GateId::ALL.len()];
        condition_gates_read(kb, c, &ConditionCodes::read(c), &mut gates, &mut 0);
        gates[gate as usize]
    })
}

/// Whether an order's stated reason (read as a condition) may be what the service speaks of: leg
/// cramps, or the restless legs and limb movements its pathways cover (`cds.toml`
/// `[order_reasons]`). It meets the `leg_cramps` or `rls` gate, its text contains one of
/// `in_scope_words`, or one of its ICD-10-CM codes starts with one of `in_scope_icd10`. A reason
/// that is unclear counts as in scope, so its card stays.
pub fn reason_in_scope(kb: &KnowledgeBase, reason: &ConditionInput) -> bool {
    let words = &kb.cds.order_reasons;
    let text = reason.name.as_deref().unwrap_or_default().to_lowercase();
    let mut gates = [false; GateId::ALL.len()];
    condition_gates_read(kb, reason, &ConditionCodes::read(reason), &mut gates, &mut 0);
    gates[GateId::LegCramps as usize]
        || gates[GateId::Rls as usize]
        || words.in_scope_words.iter().any(|w| text.contains(w.as_str()))
        || reason.icd10.as_deref().is_some_and(|sent| {
            icd10_codes(sent).any(|c| {
                words
                    .in_scope_icd10
                    .iter()
                    .any(|p| c.code.starts_with(&crate::knowledge::normalise_icd(p)))
            })
        })
}

/// The gates of `met` (one condition's) that it meets in the terms a drug may be started on: by an
/// ICD-10-CM code of the gate sent alone in its field (not read out of a label or a list) or a
/// name containing one of `Gate::offer_names` (EVIDENCE.md d.1a's own), as SPEC §3's acceptance
/// checker also reads a condition. A gate met only otherwise (a SNOMED CT id alone, an added
/// abbreviation, a misspelling read as the nearest word) may withhold or review, never start a
/// drug. A gate without offer names counts whenever it is met.
fn offer_documented(kb: &KnowledgeBase, c: &ConditionInput, codes: &ConditionCodes<'_>, met: u64) -> u64 {
    let mut out = 0u64;
    for id in GateId::ALL {
        let bit = 1u64 << *id as usize;
        if met & bit == 0 {
            continue;
        }
        let g = kb.conditions.gate(*id);
        let documented = g.offer_names.is_empty()
            || codes
                .icd10
                .iter()
                .any(|r| !r.decorated && kb.conditions.code_matches(*id, Some(&r.code), None))
            || name_of(c, codes).is_some_and(|n| {
                let lower = n.to_lowercase();
                g.offer_names.iter().any(|o| lower.contains(o.as_str()))
            });
        if documented {
            out |= bit;
        }
    }
    out
}

/// Every code of a condition's code fields ("K74.60; K76.82" is cirrhosis and encephalopathy),
/// read once per condition.
struct ConditionCodes<'a> {
    icd10: Vec<CodeRead<'a>>,
    snomed: Vec<CodeRead<'a>>,
}

impl<'a> ConditionCodes<'a> {
    fn read(c: &'a ConditionInput) -> Self {
        ConditionCodes {
            icd10: c.icd10.as_deref().map(|s| icd10_codes(s).collect()).unwrap_or_default(),
            snomed: c
                .snomed
                .as_deref()
                .map(|s| snomed_codes(s).collect())
                .unwrap_or_default(),
        }
    }
}

/// Sets the gates a condition falls under; `negated` collects the gates its name mentions only
/// after a negation. Returns the gates it met (one bit per `GateId`), and the misspelt words of
/// the name with the words they were read as (none unless the name was read so:
/// `ConditionTable::near_name`).
/// The gates one condition meets (its names and codes), for a rule that must say which condition
/// it read.
pub(super) fn gates_of(kb: &KnowledgeBase, c: &ConditionInput) -> u64 {
    let codes = ConditionCodes::read(c);
    let (mut gates, mut negated) = ([false; GateId::ALL.len()], 0u64);
    condition_gates_read(kb, c, &codes, &mut gates, &mut negated).met
}

/// What one condition was read as.
struct GatesRead<'kb> {
    /// The gates it meets, one bit per `GateId`.
    met: u64,
    /// Its misspelt words and the words they were read as.
    read_as: Vec<(String, String)>,
    /// The gates its name mentions only as not established ("possible cirrhosis"), and the word
    /// that says so (`ConditionTable::uncertain_gates`).
    not_established: (u64, Option<&'kb str>),
}

fn condition_gates_read<'kb>(
    kb: &'kb KnowledgeBase,
    c: &ConditionInput,
    codes: &ConditionCodes<'_>,
    gates: &mut [bool],
    negated: &mut u64,
) -> GatesRead<'kb> {
    let mut met = 0u64;
    let mut read_as = Vec::new();
    let mut not_established = (0, None);
    let (names, negated_names) = name_of(c, codes).map_or((0, 0), |n| {
        let lower = n.to_lowercase();
        let (names, negated) = kb.conditions.lower_name_gates_and_negated(&lower);
        if names != 0 {
            not_established = kb.conditions.uncertain_gates(&lower);
        }
        // A misspelt word ("cirhosis", "pregant", "no encephalopaty") read as the word it is one
        // edit from, when that adds what the name names (never takes any away).
        if let Some((corrected, read)) = kb.conditions.near_name(&lower) {
            let (more, more_negated) = kb.conditions.lower_name_gates_and_negated(&corrected);
            let adds = (more, more_negated) != (names, negated);
            if adds && more & names == names && more_negated & negated == negated {
                read_as = read;
                return (more, more_negated);
            }
        }
        (names, negated)
    });
    *negated |= negated_names;
    for id in GateId::ALL {
        let hit = names & (1 << *id as usize) != 0
            || codes
                .icd10
                .iter()
                .any(|r| kb.conditions.code_matches(*id, Some(&r.code), None))
            || codes
                .snomed
                .iter()
                .any(|r| kb.conditions.code_matches(*id, None, Some(r.as_sent)));
        if hit {
            gates[*id as usize] = true;
            met |= 1u64 << *id as usize;
        }
    }
    GatesRead {
        met,
        read_as,
        not_established,
    }
}

/// Whether the case sends anything c.5 `quinine_toxicity` reads besides quinine itself: bleeding
/// or bruising, a listed sign (fever, dark or reduced urine, petechiae, …), or a platelet count.
fn quinine_signs_sent(kb: &KnowledgeBase, case: &Case, gates: &[bool]) -> bool {
    let platelets = |l: &LabInput| {
        l.loinc
            .as_deref()
            .and_then(loinc_in)
            .and_then(|r| kb.labs.by_loinc(&r.code))
            .or_else(|| l.name.as_deref().and_then(|n| kb.labs.by_name(n)))
            .is_some_and(|a| kb.labs.analytes[a].id == AnalyteId::Platelets)
    };
    case.symptoms.bleeding_or_bruising == Some(true)
        || gates[GateId::QuinineToxicitySigns as usize]
        || case.labs.iter().any(platelets)
}

/// A condition's name: `name`, or else the text of a code field that holds no code
/// ("icd10": "cirrhosis"), read as the name it is.
fn name_of<'a>(c: &'a ConditionInput, codes: &ConditionCodes<'_>) -> Option<&'a str> {
    c.name.as_deref().or_else(|| {
        [(c.icd10.as_deref(), &codes.icd10), (c.snomed.as_deref(), &codes.snomed)]
            .into_iter()
            .find_map(|(sent, read)| sent.filter(|_| read.is_empty()))
    })
}

/// Compares ISO dates or date-times as strings: equal formats order lexically.
fn later(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.as_str() >= b.as_str(),
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => true,
    }
}

pub fn derive(kb: &KnowledgeBase, case: &Case) -> Facts {
    let mut warnings = Vec::new();
    let mut gates = [false; GateId::ALL.len()];
    let mut negated_mentions = 0u64;
    let mut offer_gates = 0u64;
    let mut undocumented = Vec::new();
    let mut uncertain = Vec::new();
    // The first condition that reads as confusion or drowsiness (c.5 baclofen_encephalopathy).
    let mut confusion_at = None;
    for (i, c) in case.conditions.iter().enumerate() {
        if let Some(name) = c.name.as_deref()
            && c.icd10.is_none()
            && c.snomed.is_none()
            && says_none(name, &kb.conditions.none_names)
        {
            warnings.push(format!("conditions[{i}]: {name:?} names no condition; skipped"));
            continue;
        }
        let codes = ConditionCodes::read(c);
        let GatesRead {
            met,
            read_as,
            not_established: (not_established, word),
        } = condition_gates_read(kb, c, &codes, &mut gates, &mut negated_mentions);
        let recognised = met != 0;
        // A diagnosis not yet confirmed (so recorded, or so named: "possible cirrhosis") may
        // withhold or review, never start a drug.
        if !c.unconfirmed {
            let documented = offer_documented(kb, c, &codes, met);
            offer_gates |= documented & !not_established;
            if met & !documented != 0 {
                undocumented.push((i, met & !documented));
            }
            if let Some(word) = word.filter(|_| documented & not_established != 0) {
                uncertain.push((i, documented & not_established, word.to_string()));
            }
        }
        if confusion_at.is_none() && gates[GateId::ConfusionOrDrowsiness as usize] {
            confusion_at = Some(i);
        }
        for (word, as_word) in read_as {
            warnings.push(format!(
                "conditions[{i}]: {word:?} is not a word the knowledge base knows; read as {as_word:?}, the nearest spelling: check it"
            ));
        }
        for (field, sent, read, example) in [
            (
                "icd10",
                c.icd10.as_deref(),
                &codes.icd10,
                "an ICD-10-CM code such as G47.62",
            ),
            (
                "snomed",
                c.snomed.as_deref(),
                &codes.snomed,
                "a SNOMED CT id (6-18 digits)",
            ),
        ] {
            let Some(sent) = sent else { continue };
            match read.first() {
                None if c.name.is_none() && name_of(c, &codes) == Some(sent) => warnings.push(format!(
                    "conditions[{i}].{field}: {sent:?} holds no code and was read as the condition's name; send {example}, and the name in `name`"
                )),
                None => warnings.push(format!(
                    "conditions[{i}].{field}: {sent:?} holds no code and was ignored; send {example}"
                )),
                Some(first) if first.decorated => {
                    let read: Vec<&str> = read.iter().map(|r| r.as_sent).collect();
                    warnings.push(format!(
                        "conditions[{i}].{field}: read as {read:?} from {sent:?}; send one code alone"
                    ))
                }
                _ => {}
            }
        }
        let coded = !codes.icd10.is_empty() || !codes.snomed.is_empty();
        if !recognised && !coded {
            warnings.push(format!(
                "conditions[{i}]: {:?} matches no condition the rules use; give an ICD-10-CM or SNOMED CT code if it matters",
                name_of(c, &codes).unwrap_or_default()
            ));
        }
    }
    let p = &case.patient;
    let s = &case.symptoms;
    if p.smoker == Some(true) {
        gates[GateId::Smoker as usize] = true;
    }
    if s.nocturia == Some(true) {
        gates[GateId::Nocturia as usize] = true;
    }
    if p.poor_balance_or_falls == Some(true) {
        gates[GateId::Falls as usize] = true;
    }
    // Kidney failure includes ESRD/dialysis (d.1a) and an eGFR below the threshold (checked after labs).
    if gates[GateId::EsrdDialysis as usize] {
        gates[GateId::KidneyFailure as usize] = true;
    }
    // c.5 baclofen_encephalopathy: in cirrhosis, new confusion or drowsiness is read as hepatic
    // encephalopathy (the safer reading: baclofen withheld, the flag raised when it is taken).
    if let Some(i) = confusion_at
        && gates[GateId::Cirrhosis as usize]
        && !gates[GateId::HepaticEncephalopathy as usize]
    {
        gates[GateId::HepaticEncephalopathy as usize] = true;
        warnings.push(format!(
            "conditions[{i}]: confusion or drowsiness with cirrhosis was read as possible hepatic encephalopathy (the safer reading)"
        ));
    }

    let female = p.sex == Some(Sex::Female);
    let male = p.sex == Some(Sex::Male);
    let code_says_pregnant = gates[GateId::Pregnancy as usize];
    if p.pregnant == Some(false) && p.gestational_weeks.is_some() {
        warnings.push(
            "patient: pregnant is false but gestational_weeks is given; treated as pregnant (the safer reading)".into(),
        );
    }
    if p.pregnant == Some(false) && code_says_pregnant {
        warnings.push(
            "patient: pregnant is false but a pregnancy condition is listed; treated as pregnant (the safer reading)"
                .into(),
        );
    }
    let pregnant = p.pregnant == Some(true) || p.gestational_weeks.is_some() || code_says_pregnant;
    let t = &kb.thresholds;
    let (age_low, age_high) = (t.pregnancy_question_age_low.value, t.pregnancy_question_age_high.value);
    let age_outside = p.age.filter(|a| *a < age_low || *a > age_high);
    if pregnant && male {
        warnings.push("patient: sex is male but pregnancy is recorded; pregnancy safety rules are applied".into());
    } else if let Some(age) = age_outside.filter(|_| pregnant) {
        warnings.push(format!(
            "patient: pregnancy is recorded at age {age}, outside {age_low}-{age_high}; pregnancy safety rules are applied until it is confirmed"
        ));
    }
    let pregnancy_doubtful = pregnant && (male || age_outside.is_some());
    // Weeks of stretching longer than the patient has lived: read as given, and said.
    if let (Some(weeks), Some(age)) = (case.symptoms.stretching_weeks_tried, p.age)
        && weeks > age * 365.25 / 7.0
    {
        warnings.push(format!(
            "symptoms.stretching_weeks_tried: {weeks} weeks is longer than the patient's age ({age} years); check both answers"
        ));
    }
    gates[GateId::Pregnancy as usize] = pregnant;
    // Anyone aged 12-55 who is not recorded as male could be pregnant (issue 3 decisions: ask, and
    // withhold options contraindicated in pregnancy until answered).
    let pregnancy_unknown =
        !pregnant && p.pregnant.is_none() && !male && p.age.is_some_and(|a| a >= age_low && a <= age_high);

    let mut unrecognized = Vec::new();
    let mut ingredients = Vec::new();
    let mut named_sets: SetMask = 0;
    for (i, d) in case.medications.iter().enumerate() {
        if let Some(name) = d.name.as_deref()
            && d.atc.is_none()
            && d.rxnorm.is_none()
            && says_none(name, &kb.drugs.none_names)
        {
            warnings.push(format!("medications[{i}]: {name:?} names no medicine; skipped"));
            continue;
        }
        // Resolved once, its warnings held back until the entry is known to be read as taken.
        let (mut own_warnings, mut own_unrecognized) = (Vec::new(), Vec::new());
        let mut own_named_sets = 0;
        let resolved = resolve(
            kb,
            d,
            &format!("medications[{i}]"),
            false,
            &mut own_warnings,
            &mut own_unrecognized,
            &mut own_named_sets,
        );
        if let Some(name) = d.name.as_deref()
            && let Some(word) = kb.drugs.stopped_word(name)
        {
            // A medicine a red flag reads, stopped beside that flag's signs, is read as taken: the
            // safer reading (c.5). Quinine with a sign of its toxicity (bleeding or bruising, a
            // listed sign, or any platelet count to read); baclofen in cirrhosis with hepatic
            // encephalopathy (toxicity, or the confusion of a stop too abrupt).
            let quinine = resolved.iter().any(|i| i.in_set(SetId::Quinine));
            let baclofen = resolved.iter().any(|i| i.in_set(SetId::Baclofen));
            let baclofen_signs = gates[GateId::Cirrhosis as usize] && gates[GateId::HepaticEncephalopathy as usize];
            if (quinine && quinine_signs_sent(kb, case, &gates)) || (baclofen && baclofen_signs) {
                warnings.push(format!(
                    "medications[{i}]: {name:?} says {word:?}, but beside the signs a safety rule reads it was read as taken (the safer reading): confirm when it was stopped"
                ));
            } else {
                warnings.push(format!(
                    "medications[{i}]: {name:?} says {word:?}, so it was read as no longer taken; list only the medicines taken now"
                ));
                continue;
            }
        }
        warnings.append(&mut own_warnings);
        unrecognized.append(&mut own_unrecognized);
        named_sets |= own_named_sets;
        // A treatment used only in diabetes (insulin, a sulfonylurea, a DPP-4 inhibitor,
        // pioglitazone) means diabetes, whether or not the conditions name it ([U]).
        if !gates[GateId::Diabetes as usize] && resolved.iter().any(|r| r.in_set(SetId::DiabetesTreatments)) {
            gates[GateId::Diabetes as usize] = true;
            warnings.push(format!(
                "medications[{i}]: {:?} is a diabetes treatment; diabetes was read from it, as the conditions do not name it",
                kb.drugs.shown(d)
            ));
        }
        ingredients.extend(resolved);
    }
    for (i, d) in case.considering.iter().enumerate() {
        ingredients.extend(resolve(
            kb,
            d,
            &format!("considering[{i}]"),
            true,
            &mut warnings,
            &mut unrecognized,
            &mut 0,
        ));
    }

    let kidney_failure_named = gates[GateId::KidneyFailure as usize];
    let mut labs: Vec<LabResult> = Vec::new();
    let mut qtc: Option<(f64, Option<String>)> = None;
    for (i, l) in case.labs.iter().enumerate() {
        // Where warnings say the result is: its place in the case, or where the FHIR reader found it.
        let at = LabPlace {
            origin: l.origin.as_deref(),
            i,
        };
        // The LOINC code in `loinc` ("LOINC: 2823-3" reads as 2823-3); text there that holds no
        // code is the result's name when `name` is absent ("loinc": "potassium").
        let loinc_read = l.loinc.as_deref().map(|sent| (sent, loinc_in(sent)));
        let loinc = loinc_read.as_ref().and_then(|(_, r)| r.as_ref().map(|r| r.as_sent));
        let name_from_code = l
            .name
            .is_none()
            .then(|| loinc_read.as_ref().filter(|(_, r)| r.is_none()));
        let name = l.name.as_deref().or(name_from_code.flatten().map(|(sent, _)| *sent));
        match &loinc_read {
            Some((sent, Some(r))) if r.decorated => warnings.push(format!(
                "{at}.loinc: read as {:?} from {sent:?}; send the code alone",
                r.as_sent
            )),
            Some((sent, None)) if l.name.is_none() => warnings.push(format!(
                "{at}.loinc: {sent:?} holds no LOINC code (e.g. 2823-3) and was read as the result's name; send the name in `name`"
            )),
            Some((sent, None)) => {
                warnings.push(format!("{at}.loinc: {sent:?} is not a LOINC code (e.g. 2823-3)"))
            }
            _ => {}
        }
        if let Some(name) = name
            && loinc.is_none_or(|c| kb.labs.by_loinc(c).is_none())
            && kb.labs.names_qtc(name)
        {
            qtc_lab(kb, case, &at, l, name, &mut qtc, &mut warnings);
            continue;
        }
        if let Some(code) = loinc.filter(|c| kb.labs.qtc_loinc(c)) {
            qtc_lab(kb, case, &at, l, name.unwrap_or(code), &mut qtc, &mut warnings);
            continue;
        }
        let value = l.value.unwrap_or_default();
        let mut analyte = None;
        if let Some(code) = loinc {
            analyte = kb.labs.by_loinc(code);
            if analyte.is_none() {
                analyte = name.and_then(|n| kb.labs.by_name(n));
                if analyte.is_none() {
                    warnings.push(format!(
                        "{at}: LOINC {code} is not an analyte the knowledge base interprets; not interpreted",
                    ));
                    continue;
                }
                warnings.push(format!(
                    "{at}: LOINC {code} is not known; the result was matched by its name",
                ));
            }
        } else if let Some(name) = name {
            // Another specimen or fraction of an analyte the knowledge base knows ("urine
            // potassium", "ionised calcium"); a name that names no analyte ("free T4") is unknown.
            if let Some(word) = kb.labs.not_serum_word(name)
                && kb.labs.by_serum_name(name).is_some()
            {
                warnings.push(format!(
                    "{at}: {name:?} is not the serum or plasma measurement the knowledge base interprets ({word:?}); not interpreted: send the serum or plasma result, or its LOINC code"
                ));
                continue;
            }
            analyte = kb.labs.by_serum_name(name);
            if analyte.is_none() {
                warnings.push(format!(
                    "{at}: {name:?} is not an analyte the knowledge base knows; not interpreted",
                ));
                continue;
            }
        }
        let Some(a_idx) = analyte else { continue };
        if l.range_reversed() {
            warnings.push(format!(
                "{at}: ref_low {} is above ref_high {}; the laboratory range was not used (the knowledge base's range was): check the range",
                l.ref_low.unwrap_or_default(),
                l.ref_high.unwrap_or_default()
            ));
        }
        let a = &kb.labs.analytes[a_idx];
        let what = name.or(loinc).unwrap_or_default().to_string();
        let mut canonical = None;
        let (mut factor, mut offset) = (1.0, 0.0);
        match &l.unit {
            None => warnings.push(format!(
                "{at}: {what} {value} has no unit; not interpreted (send the unit, e.g. {})",
                a.canonical_unit
            )),
            Some(u) => match kb
                .labs
                .canonical_unit(u)
                .and_then(|c| a.units.get(c).map(|conv| (c, conv)))
            {
                None => warnings.push(format!(
                    "{at}: {what} unit {u:?} is not usable for {}; not interpreted (accepted: {})",
                    a.display,
                    {
                        let mut units: Vec<&str> = a.units.keys().map(String::as_str).collect();
                        units.sort();
                        units.join(", ")
                    }
                )),
                Some((canon, conv)) => {
                    factor = conv.factor;
                    offset = conv.offset;
                    canonical = Some((value + offset) * factor);
                    let unit_prop = conv.property.as_deref().or_else(|| kb.labs.unit_property(canon));
                    if let Some(code) = loinc
                        && let Some(lc) = a.loinc.iter().find(|x| x.code == code)
                        && lc.property != "any"
                        && unit_prop
                            .is_some_and(|p| !p.starts_with(lc.property.as_str()) && !lc.property.starts_with(p))
                    {
                        warnings.push(format!(
                                    "{at}: LOINC {} ({} code) was sent with the unit {u}; converted by its unit and interpreted as {}",
                                    lc.code, lc.property, a.display
                                ));
                    }
                }
            },
        }
        // No analyte the knowledge base reads (concentrations, counts, percentages, rates, QTc
        // aside) can be below zero: such a value is a mistake, named and not interpreted, rather
        // than read as "critically low" (SPEC §3: a value is not guessed).
        let below_zero = value < 0.0 && canonical.is_some();
        if below_zero {
            warnings.push(format!(
                "{at}: {what} {value} is below zero; not interpreted: check the value"
            ));
            canonical = None;
        }
        // The baclofen gate's kidney failure (eGFR < 30) reads every eGFR sent, not only the latest,
        // and one without a usable unit (e.g. mL/min) too: the safer reading (SPEC §3).
        if a.id == AnalyteId::Egfr && canonical.unwrap_or(value) < t.kidney_failure_egfr.value {
            if canonical.is_none() {
                warnings.push(format!(
                    "{at}: an eGFR below {} was sent; though not interpreted, it is treated as kidney failure for the safety gates (baclofen, NSAIDs, potassium)",
                    t.kidney_failure_egfr.value
                ));
            }
            gates[GateId::KidneyFailure as usize] = true;
        }
        let result = LabResult {
            input: i,
            analyte: a_idx,
            id: a.id,
            loinc: loinc.map(str::to_string),
            value,
            unit: l.unit.clone(),
            canonical,
            below_zero,
            factor,
            offset,
            date: l.date.clone(),
        };
        // With several results for one analyte, the latest dated one is read (undated: the last given).
        match labs.iter().position(|r| r.id == a.id) {
            Some(pos) => {
                if later(&result.date, &labs[pos].date) {
                    labs[pos] = result;
                }
            }
            None => labs.push(result),
        }
    }
    if gates[GateId::KidneyFailure as usize] && !gates[GateId::EsrdDialysis as usize] {
        gates[GateId::Ckd as usize] = true;
    }

    Facts {
        gates,
        negated_mentions,
        offer_gates,
        undocumented,
        uncertain,
        named_sets,
        ingredients,
        unrecognized,
        labs,
        warnings,
        pregnant,
        pregnancy_unknown,
        pregnancy_doubtful,
        female,
        male,
        age: p.age,
        kidney_failure_named,
        qtc_ms: case.exam.qtc_ms.or(qtc.map(|(v, _)| v)),
    }
}

/// A QTc sent among the labs: read as `exam.qtc_ms` when the exam gives none and the result is in
/// milliseconds within the exam field's bounds (the latest dated one, as for analytes); always
/// named in the warnings, with where it belongs.
/// Where a lab result is, for warnings: `labs[i]` in a case, or where the FHIR reader found it.
struct LabPlace<'a> {
    origin: Option<&'a str>,
    i: usize,
}

impl std::fmt::Display for LabPlace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.origin {
            Some(o) => f.write_str(o),
            None => write!(f, "labs[{}]", self.i),
        }
    }
}

fn qtc_lab(
    kb: &KnowledgeBase,
    case: &Case,
    at: &LabPlace,
    l: &crate::case::LabInput,
    name: &str,
    qtc: &mut Option<(f64, Option<String>)>,
    warnings: &mut Vec<String>,
) {
    let (low, high) = crate::case::QTC_MS_BOUNDS;
    // A case is told where a QTc belongs; a result read from FHIR is where it should be.
    let fix = if l.origin.is_some() {
        ""
    } else {
        " (send it as exam.qtc_ms, in ms)"
    };
    let Some(value) = l.value else {
        warnings.push(format!("{at}: {name:?} has no value; not interpreted{fix}"));
        return;
    };
    if !l.unit.as_deref().is_some_and(|u| kb.labs.qtc_unit(u)) {
        let unit = l.unit.as_deref().unwrap_or("none");
        warnings.push(format!(
            "{at}: {name:?} unit {unit:?} is not milliseconds; not interpreted{fix}"
        ));
        return;
    }
    if !(low..=high).contains(&value) {
        warnings.push(format!(
            "{at}: {name:?} {value} ms is outside {low}–{high} ms; not interpreted{fix}"
        ));
        return;
    }
    if let Some(exam) = case.exam.qtc_ms {
        warnings.push(format!(
            "{at}: {name:?} is an ECG measurement, not a lab result; exam.qtc_ms ({exam} ms) is used"
        ));
        return;
    }
    warnings.push(if l.origin.is_some() {
        format!("{at}: {name:?} {value} ms was read as the ECG's QTc (exam.qtc_ms)")
    } else {
        format!(
            "{at}: {name:?} {value} ms is an ECG measurement, not a lab result; read as exam.qtc_ms (send it there)"
        )
    });
    if qtc.as_ref().is_none_or(|(_, date)| later(&l.date, date)) {
        *qtc = Some((value, l.date.clone()));
    }
}
