//! # cramp-fhir
//!
//! FHIR R4 input (SPEC §2 item 10, §3): a `Bundle` of Patient, Condition, MedicationRequest,
//! MedicationStatement, Medication, Observation and QuestionnaireResponse resources becomes the same
//! case a caller could have written by hand, so that every rule, message and test applies to both.
//! This is the only crate that knows FHIR; it reads the few shapes it needs by hand and tolerates
//! everything else (`notes/standards.md` §3).
//!
//! What is read, and what is left out:
//! - **Patient**: age in completed years from `birthDate` against an injected date (a year or a
//!   year-month is read as its first day, and said so), `gender` as sex.
//! - **Condition**: ICD-10-CM (or WHO ICD-10), SNOMED CT and the text; only a `clinicalStatus` of
//!   active, recurrence or relapse (or none given; one coded without its system is read by its code,
//!   and one that cannot be read keeps the condition, with a note), never `verificationStatus` refuted or
//!   entered-in-error; one unconfirmed, provisional or differential is read for what it withholds or
//!   reviews, never to start a drug (`ConditionInput::unconfirmed`), and noted. Pregnancy codes (Z33.1, the O chapter) are passed on as conditions: the
//!   knowledge base's pregnancy gate reads them, as it does in a case; one whose onset (or
//!   recordedDate) is longer ago than a pregnancy lasts (`Readings::current_within_weeks`) is an
//!   old entry left active, not read as current, and noted.
//! - **MedicationRequest** (status active or on-hold; `draft` only when the caller asks, as order
//!   hooks do, and then as a drug being considered) and **MedicationStatement** (active or on-hold),
//!   with `medicationCodeableConcept` or a `medicationReference` to a contained or bundled
//!   Medication: RxNorm, ATC and the name. An active statement whose `effectivePeriod` ended in the
//!   past is kept as taken (the safer reading) and noted.
//! - **Observation** (final, amended, corrected or preliminary): LOINC, `valueQuantity` with its UCUM
//!   code, the first `referenceRange` in the same unit, and the effective date. Observations whose
//!   LOINC the knowledge base does not know (vital signs, other tests) are not cramp labs and are left
//!   out silently, unless named as a result the rules read (an ECG's QTc: `qtc_as_lab`); several
//!   results of one analyte are all passed on and the rules read the latest.
//! - **Status observations** (the knowledge base's `status_observation` codes: US Core's pregnancy
//!   status, LOINC 82810-3): the latest one's `valueCodeableConcept` is passed on as a condition,
//!   so that the pregnancy gate reads "Pregnant" (SNOMED CT 77386006) as it reads a Condition. One
//!   dated before the knowledge base's look-back is left out, and one without a date is read as
//!   current (the safer reading); both are noted.
//! - **QuestionnaireResponse** answering the cramp Questionnaire: each item's `linkId` is the SPEC §3
//!   field path (`symptoms.feels_like`), its answer the value (a coding's code for a choice). The
//!   most recently authored response is used; its answers are checked exactly like a case's fields.
//!
//! Whatever is missing stays missing: the assessment asks for it. Problems with a resource that
//! do not stop the assessment become notes for `input_warnings`.

pub mod diary;
pub mod hooks;
pub mod onepass;
pub mod resources;
pub mod shapes;

use cramp_core::case::{Case, ConditionInput, DrugInput, Exam, LabInput, Patient, Sex, Symptoms};
use cramp_core::serde_msg::without_position;
use onepass::Typed;
use serde::Deserialize;
use serde_json::{Map, Value};
use shapes::*;
use time::Date;

/// How to read a Bundle.
#[derive(Clone, Copy)]
pub struct MapOptions<'k> {
    /// "Today", for ages from birth dates (injected so that results are reproducible).
    pub today: Date,
    /// Draft MedicationRequests are orders being written: read them as drugs being considered
    /// (CDS Hooks order-select and order-sign); otherwise they are ignored.
    pub drafts_as_considering: bool,
    /// Keep each Condition's reading by id (`Mapped::condition_refs`), for the `reasonReference` of
    /// an order hook's draft orders; otherwise not kept.
    pub keep_condition_refs: bool,
    /// What the knowledge base reads (the knowledge base itself; tests give their own).
    pub readings: &'k dyn Readings,
}

/// What the knowledge base reads among Observations: the reader asks, the knowledge base answers.
pub trait Readings {
    /// Whether a LOINC code names a result the knowledge base reads (an analyte, or an ECG's QTc).
    fn known_loinc(&self, code: &str) -> bool;
    /// Whether a result's name is one the knowledge base reads whatever its LOINC code (an ECG's
    /// QTc, which the rules read as `exam.qtc_ms`).
    fn known_name(&self, name: &str) -> bool;
    /// For a LOINC code whose Observation value records a condition (pregnancy status), how many
    /// weeks back such an observation is still read.
    fn status_within_weeks(&self, code: &str) -> Option<u32>;
    /// For a condition that lasts a bounded time (pregnancy), how many weeks after its onset it is
    /// still read as current.
    fn current_within_weeks(&self, _condition: &ConditionInput) -> Option<u32> {
        None
    }
}

impl Readings for cramp_core::KnowledgeBase {
    fn known_loinc(&self, code: &str) -> bool {
        self.labs.by_loinc(code).is_some() || self.labs.qtc_loinc(code)
    }
    fn known_name(&self, name: &str) -> bool {
        self.labs.names_qtc(name)
    }
    fn status_within_weeks(&self, code: &str) -> Option<u32> {
        self.conditions.status_observation(code).map(|o| o.within_weeks)
    }
    fn current_within_weeks(&self, c: &ConditionInput) -> Option<u32> {
        self.conditions.current_within_weeks(c)
    }
}

/// A case read from FHIR, with what the caller should be told about the input.
#[derive(Debug, Default)]
pub struct Mapped {
    pub case: Case,
    pub notes: Vec<String>,
    /// For each drug in `case.considering`, the order it came from (`MedicationRequest/{id}`).
    pub considering_from: Vec<String>,
    /// For each drug in `case.considering`, the reasons its order gives (`reasonCode`), read as
    /// conditions: the rules decide whether one is leg cramps.
    pub considering_reasons: Vec<Vec<ConditionInput>>,
    /// For each drug in `case.considering`, the references its order gives as reasons
    /// (`reasonReference`), as sent: `Mapped::reason_condition` resolves them against a chart.
    pub considering_reason_refs: Vec<Vec<String>>,
    /// Each Condition read that has an id or a `fullUrl` and a code or text, whatever its status:
    /// what an order's `reasonReference` may name. Keyed by `Condition/{id}` and by its `fullUrl`
    /// (a `urn:uuid:` of a transaction, or an absolute URL).
    pub condition_refs: Vec<(String, ConditionInput)>,
    /// Whether a QuestionnaireResponse to the cramp Questionnaire was read.
    pub questionnaire_answered: bool,
}

impl Mapped {
    /// The condition an order's `reasonReference` names, if these resources hold it: by the
    /// `fullUrl` it was sent with (`urn:uuid:…`), or as "Condition/1" (relative, or a full URL
    /// ending so, a version (`/_history/2`) left off).
    pub fn reason_condition(&self, reference: &str) -> Option<&ConditionInput> {
        let found = |key: &str| self.condition_refs.iter().find(|(k, _)| k == key).map(|(_, c)| c);
        if let Some(c) = found(reference) {
            return Some(c);
        }
        let reference = reference.split("/_history/").next().unwrap_or(reference);
        let mut parts = reference.trim_end_matches('/').rsplit('/');
        let (id, kind) = (parts.next()?, parts.next()?);
        if kind != "Condition" {
            return None;
        }
        found(&format!("Condition/{id}"))
    }
}

/// Why a body could not be read as FHIR at all. The message names the element and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError(pub String);

impl std::fmt::Display for MapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MapError {}

/// Whether a JSON text is a FHIR resource rather than a SPEC §3 case: its top-level object has
/// `resourceType`. Cheap for a case (one substring search; the text is parsed only when found).
pub fn is_fhir(text: &str) -> bool {
    text.contains("\"resourceType\"") && serde_json::from_str::<Head>(text).is_ok_and(|h| h.resource_type.is_some())
}

/// The JSON Schema (for OpenAPI) of what this crate reads: a FHIR R4 Bundle, described by the
/// resources it uses. The full shape is FHIR R4's own.
pub fn bundle_schema() -> Value {
    serde_json::json!({
        "type": "object",
        "description": "A FHIR R4 Bundle (any type) of Patient, Condition, MedicationRequest, MedicationStatement, Medication, Observation and QuestionnaireResponse resources; other resources are ignored. See https://hl7.org/fhir/R4/bundle.html",
        "required": ["resourceType"],
        "properties": {
            "resourceType": { "const": "Bundle" },
            "entry": { "type": "array", "items": { "type": "object", "properties": { "resource": { "type": "object" } } } }
        }
    })
}

/// Reads a FHIR R4 Bundle (JSON text) as a case.
pub fn case_from_bundle(text: &str, opts: &MapOptions<'_>) -> Result<Mapped, MapError> {
    let bundle: Bundle<'_> = serde_json::from_str(text).map_err(|_| {
        MapError(format!(
            "the FHIR resource is not a readable Bundle: {}; send a Bundle whose `entry[].resource` are objects",
            unreadable::<Bundle>("Bundle", text)
        ))
    })?;
    if bundle.resource_type != "Bundle" {
        return Err(MapError(format!(
            "`resourceType`: {:?} is not accepted here; send a Bundle of Patient, Condition, MedicationRequest, MedicationStatement, Observation and QuestionnaireResponse resources",
            bundle.resource_type
        )));
    }
    let resources: Vec<Resource<'_>> = bundle
        .entry
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.resource.map(|raw| Resource {
                at: format!("Bundle.entry[{i}]"),
                full_url: e.full_url.clone(),
                raw: raw.get(),
            })
        })
        .collect();
    case_from_resources(&resources, opts)
}

/// One FHIR resource handed to the mapper: where it was found (for notes), its `fullUrl` when it
/// came from a Bundle, and its JSON text.
#[derive(Debug, Clone)]
pub struct Resource<'a> {
    pub at: String,
    pub full_url: Option<String>,
    pub raw: &'a str,
}

/// Reads resources gathered from anywhere (a Bundle's entries, CDS Hooks prefetch) as one case.
pub fn case_from_resources(input: &[Resource<'_>], opts: &MapOptions<'_>) -> Result<Mapped, MapError> {
    let mut notes = Vec::new();
    let items = items_from_text(input, &mut notes);
    map_items(items, notes, opts)
}

/// One resource on its way into the case: its type, its label for notes (`Patient/p1`), its
/// `fullUrl` when it came from a Bundle, and its body.
pub(crate) struct Item<'a> {
    pub resource_type: String,
    pub label: String,
    pub full_url: Option<String>,
    pub body: Body<'a>,
}

pub(crate) enum Body<'a> {
    /// JSON text still to be read into its shape (`at`: where it was found, for notes).
    Text { at: &'a str, raw: &'a str },
    /// Already read, in one pass (`onepass`).
    Read(onepass::Typed<'a>),
    /// Taken by the mapper (a Medication, read before the rest).
    Used,
}

/// Each resource's type and label, read once from its text; what is not a resource becomes a note.
pub(crate) fn items_from_text<'r>(input: &'r [Resource<'_>], notes: &mut Vec<String>) -> Vec<Item<'r>> {
    let mut items = Vec::with_capacity(input.len());
    for r in input {
        match Head::read(r.raw) {
            Some(Head {
                resource_type: Some(t),
                id,
                ..
            }) => items.push(Item {
                label: format!("{t}/{}", id.unwrap_or_else(|| r.at.clone())),
                resource_type: t,
                full_url: r.full_url.clone(),
                body: Body::Text { at: &r.at, raw: r.raw },
            }),
            _ => notes.push(format!("{}.resource is not a FHIR resource; it was ignored", r.at)),
        }
    }
    items
}

/// The resources read in one pass from the value found at `at` (`prefetch.conditions`), labelled
/// as `items_from_text` labels them.
pub(crate) fn items_from_read<'a>(at: &str, value: onepass::ReadValue<'a>) -> Vec<Item<'a>> {
    value
        .resources
        .into_iter()
        .map(|r| {
            let id = r.id.map_or_else(
                || match r.entry {
                    Some((i, _)) => format!("{at}.entry[{i}]"),
                    None => at.to_string(),
                },
                Str::into_string,
            );
            Item {
                label: format!("{}/{id}", r.resource_type),
                resource_type: r.resource_type,
                full_url: r.entry.and_then(|(_, u)| u),
                body: Body::Read(r.typed),
            }
        })
        .collect()
}

/// The case from its resources, in their order: Medications first (a MedicationRequest may
/// reference one anywhere), then each resource by its type. `notes` are what came before.
pub(crate) fn map_items<'a>(
    mut items: Vec<Item<'a>>,
    notes: Vec<String>,
    opts: &MapOptions<'_>,
) -> Result<Mapped, MapError> {
    let mut m = Mapper {
        opts,
        out: Mapped {
            notes,
            ..Mapped::default()
        },
        medications: Vec::new(),
        patient_seen: false,
        questionnaire: None,
        status: Vec::new(),
    };
    for it in items.iter_mut().filter(|it| it.resource_type == "Medication") {
        let body = std::mem::replace(&mut it.body, Body::Used);
        if let Some(Typed::Medication(med)) = m.typed(&it.resource_type, &it.label, body) {
            m.medications.push((it.full_url.clone(), *med));
        }
    }
    for it in items {
        let label = it.label;
        match m.typed(&it.resource_type, &label, it.body) {
            Some(Typed::Patient(p)) => m.patient(&label, *p),
            Some(Typed::Condition(c)) => m.condition(&label, it.full_url.as_deref(), *c),
            Some(Typed::MedicationRequest(u)) => m.medication_use(&label, true, *u),
            Some(Typed::MedicationStatement(u)) => m.medication_use(&label, false, *u),
            Some(Typed::Observation(o)) => m.observation(&label, *o),
            Some(Typed::QuestionnaireResponse(q)) => m.questionnaire_response(label, *q),
            Some(Typed::OperationOutcome(o)) => m.operation_outcome(&label, *o),
            // Medications were read above; anything else (Encounter, Practitioner, …) is not needed.
            Some(Typed::Medication(_) | Typed::Other) | None => {}
        }
    }
    m.finish()
}

/// A resource read again without the top-level members it could not be read at, one at a time
/// (at most `MAX` of them), each with why; `None` when it is no JSON object or still cannot be read.
fn read_without_bad_members<'a>(resource_type: &str, raw: &str) -> Option<(Typed<'a>, Vec<(String, String)>)> {
    const MAX: usize = 8;
    let mut value: Value = serde_json::from_str(raw).ok()?;
    let mut dropped = Vec::new();
    for _ in 0..=MAX {
        let mut track = serde_path_to_error::Track::new();
        let read = Typed::read(
            resource_type,
            serde_path_to_error::Deserializer::new(value.clone(), &mut track),
        );
        match read {
            Ok(t) => return (!dropped.is_empty()).then_some((t, dropped)),
            Err(e) => {
                let path = track.path();
                let member = path.iter().next().and_then(|seg| match seg {
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    _ => None,
                })?;
                value.as_object_mut()?.remove(&member)?;
                dropped.push((member, without_position(&e.to_string()).to_string()));
            }
        }
    }
    None
}

struct Mapper<'a, 'o, 'k> {
    opts: &'o MapOptions<'k>,
    out: Mapped,
    /// The Bundle's Medications, with their `fullUrl`.
    medications: Vec<(Option<String>, Medication<'a>)>,
    patient_seen: bool,
    /// The most recently authored QuestionnaireResponse: (label, response).
    questionnaire: Option<(String, QuestionnaireResponse<'a>)>,
    /// The latest status observation of each code: (LOINC, label, date, value).
    status: Vec<StatusSeen<'a>>,
}

struct StatusSeen<'a> {
    loinc: String,
    label: String,
    date: Option<String>,
    value: CodeableConcept<'a>,
}

impl<'a> Mapper<'a, '_, '_> {
    /// Something the caller should be told about the input (it goes to `input_warnings`).
    fn note(&mut self, text: String) {
        self.out.notes.push(text);
    }

    /// A resource's shape: read from its text (a note when it cannot be), or as read in one pass.
    fn typed(&mut self, resource_type: &str, label: &str, body: Body<'a>) -> Option<Typed<'a>> {
        let (at, raw) = match body {
            Body::Read(t) => return Some(t),
            Body::Used => return None,
            Body::Text { at, raw } => (at, raw),
        };
        // The text is one JSON value (a `RawValue`'s): nothing can follow it.
        match Typed::read(resource_type, &mut serde_json::Deserializer::from_str(raw)) {
            Ok(t) => Some(t),
            Err(e) => {
                // A member that cannot be read (an effectivePeriod sent as a string) is dropped,
                // not the resource: a quinine statement or a pregnancy stays read, and each member
                // dropped is named.
                if let Some((t, dropped)) = read_without_bad_members(resource_type, raw) {
                    for (member, why) in dropped {
                        self.note(format!(
                            "{at} ({label}): `{member}` could not be read ({why}); the rest of the resource was read without it"
                        ));
                    }
                    return Some(t);
                }
                let msg = e.to_string();
                let msg = without_position(&msg);
                self.note(format!("{at} ({label}) could not be read ({msg}); it was ignored"));
                None
            }
        }
    }

    fn patient(&mut self, label: &str, p: shapes::Patient) {
        if self.patient_seen {
            self.note(format!(
                "{label}: the Bundle has more than one Patient; the first was used"
            ));
            return;
        }
        self.patient_seen = true;
        let patient = &mut self.out.case.patient;
        patient.sex = match p.gender.as_deref() {
            Some("female") => Some(Sex::Female),
            Some("male") => Some(Sex::Male),
            Some("other") => Some(Sex::Other),
            Some("unknown") => Some(Sex::Unknown),
            _ => None,
        };
        if let Some(b) = p.birth_date.as_deref() {
            match age_on(b, self.opts.today) {
                // A birth date that gives an impossible age is a record's slip: the age is asked.
                Some((age, _)) if f64::from(age) > cramp_core::case::AGE_MAX => self.note(format!(
                    "{label}.birthDate {b:?} gives an age of {age}, above {}; the age is unknown",
                    cramp_core::case::AGE_MAX
                )),
                Some((age, exact)) => {
                    patient.age = Some(age as f64);
                    if !exact {
                        self.note(format!(
                            "{label}.birthDate {b:?} is not a full date; the age ({age}) was counted from its first day"
                        ));
                    }
                }
                None => self.note(format!(
                    "{label}.birthDate {b:?} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) on or before today; the age is unknown"
                )),
            }
        }
    }

    fn condition(&mut self, label: &str, full_url: Option<&str>, c: Condition) {
        // What an order's reasonReference may name: only order hooks read it.
        if self.opts.keep_condition_refs
            && let Some(read) = c.code.as_ref().and_then(condition_of)
        {
            if let Some(id) = c.id.as_deref() {
                self.out.condition_refs.push((format!("Condition/{id}"), read.clone()));
            }
            if let Some(url) = full_url {
                self.out.condition_refs.push((url.to_string(), read));
            }
        }
        const ACTIVE: &[&str] = &["active", "recurrence", "relapse"];
        const ENDED: &[&str] = &["inactive", "remission", "resolved"];
        let status_ok = match &c.clinical_status {
            // No status but an end recorded (abatement[x]): an old condition, not a current one
            // (an old pregnancy on the problem list is not a pregnancy now).
            None if c.abated() => {
                self.note(format!(
                    "{label} has no clinicalStatus but records when it ended (abatement); it was read as ended"
                ));
                false
            }
            None => true,
            Some(s) if s.has_code(CONDITION_CLINICAL, ACTIVE) => true,
            Some(s) if s.has_code(CONDITION_CLINICAL, ENDED) => false,
            // A status coded without its system: its code is read as the standard one; a status that
            // cannot be read keeps the condition, as one without a status is kept.
            Some(s) => {
                let codes: Vec<&str> = s
                    .coding
                    .iter()
                    .filter_map(|c| c.code.as_deref())
                    .map(str::trim)
                    .collect();
                let ended = codes.iter().any(|c| ENDED.contains(c));
                if !ended {
                    self.note(format!(
                        "{label}.clinicalStatus is not coded in {CONDITION_CLINICAL}; the condition was read as active"
                    ));
                }
                !ended
            }
        };
        let refuted = c
            .verification_status
            .as_ref()
            .is_some_and(|s| s.has_code(CONDITION_VERIFICATION, &["refuted", "entered-in-error"]));
        if !status_ok || refuted {
            return;
        }
        let Some(code) = &c.code else {
            self.note(format!("{label} has no code or text; it was ignored"));
            return;
        };
        let Some(mut condition) = condition_of(code) else {
            self.note(format!(
                "{label} has neither an ICD-10-CM or SNOMED CT code nor a text; it was ignored"
            ));
            return;
        };
        // A condition of bounded duration (pregnancy) that began longer ago than it can last is an
        // old entry left active on the problem list: not read as current, so it is asked.
        // (The dates first: most conditions carry none, and the question costs a gate match.)
        if let Some((field, date)) = c.began()
            && let Some(age) = weeks_before(date, self.opts.today)
            && let Some(weeks) = self.opts.readings.current_within_weeks(&condition)
            && age > i64::from(weeks)
        {
            let shown = condition.shown().to_string();
            self.note(format!(
                "{label} ({shown}) has {field} {date}, more than {weeks} weeks ago; it was not read as current"
            ));
            return;
        }
        condition.unconfirmed = c
            .verification_status
            .as_ref()
            .is_some_and(|s| s.has_code(CONDITION_VERIFICATION, &["unconfirmed", "provisional", "differential"]));
        if condition.unconfirmed {
            self.note(format!(
                "{label} is not confirmed (verificationStatus); it was read for what it rules out or reviews, but no drug is offered on it"
            ));
        }
        self.out.case.conditions.push(condition);
    }

    fn medication_use(&mut self, label: &str, is_request: bool, u: MedicationUse) {
        let (considering, intended) = match u.status.as_deref() {
            Some("active") | Some("on-hold") => (false, false),
            Some("draft") if is_request && self.opts.drafts_as_considering => (true, false),
            // A statement that the patient intends to take: read as considered (a medicine to be
            // started is checked as one, e.g. quinine in pregnancy), and said so. Not among an
            // order hook's draft orders: a card's delete suggestion must name an order.
            Some("intended") if !is_request && !self.opts.drafts_as_considering => (true, true),
            _ => return,
        };
        let drug = match (&u.medication_codeable_concept, &u.medication_reference) {
            (Some(cc), _) => Some(drug_of(cc)),
            (None, Some(r)) => self.referenced_medication(r, &u.contained),
            (None, None) => None,
        };
        let Some(drug) = drug else {
            self.note(format!(
                "{label} names no medication (medicationCodeableConcept or a resolvable medicationReference); it was ignored"
            ));
            return;
        };
        if drug.name.is_none() && drug.atc.is_none() && drug.rxnorm.is_none() {
            self.note(format!(
                "{label}: the medication has no RxNorm or ATC code and no name; it was ignored"
            ));
            return;
        }
        if intended {
            self.note(format!(
                "{label} is intended, not yet taken; it was read as a medicine being considered"
            ));
        }
        // An active statement whose period has ended: the record disagrees with itself. Kept as
        // taken (a review of a medicine no longer taken does less harm than a missed one), and said.
        if let Some(end) = u.effective_period.as_ref().and_then(|p| p.end.as_deref())
            && !considering
            && ended_before(end, self.opts.today)
        {
            self.note(format!(
                "{label} is {} but its effectivePeriod ended on {end}; it was read as taken (the safer reading): check the medication list",
                u.status.as_deref().unwrap_or_default()
            ));
        }
        if considering {
            let mut reasons: Vec<ConditionInput> = u.reason_code.iter().filter_map(condition_of).collect();
            // A reason contained in the order ("#r1") is read here; any other is resolved against
            // the chart by the caller (`Mapped::reason_condition`).
            let mut refs = Vec::new();
            for r in u.reason_reference.iter().filter_map(|r| r.reference.as_deref()) {
                let local = r
                    .strip_prefix('#')
                    .and_then(|l| contained_resource(&u.contained, "Condition", l));
                match local.and_then(|c| Condition::deserialize(c).ok()?.code.as_ref().and_then(condition_of)) {
                    Some(c) => reasons.push(c),
                    None => refs.push(r.to_string()),
                }
            }
            self.out.case.considering.push(drug);
            self.out.considering_from.push(label.to_string());
            self.out.considering_reasons.push(reasons);
            self.out.considering_reason_refs.push(refs);
        } else {
            self.out.case.medications.push(drug);
        }
    }

    fn referenced_medication(&self, r: &Reference, contained: &[Value]) -> Option<DrugInput> {
        let reference = r.reference.as_deref()?;
        if let Some(local) = reference.strip_prefix('#') {
            let m = contained_resource(contained, "Medication", local)?;
            return Medication::deserialize(m).ok()?.code.as_ref().map(drug_of);
        }
        let id = reference.strip_prefix("Medication/");
        self.medications
            .iter()
            .find(|(full_url, m)| full_url.as_deref() == Some(reference) || (id.is_some() && m.id.as_deref() == id))
            .and_then(|(_, m)| m.code.as_ref().map(drug_of))
    }

    fn observation(&mut self, label: &str, mut o: Observation<'a>) {
        if !matches!(
            o.status.as_deref(),
            Some("final") | Some("amended") | Some("corrected") | Some("preliminary")
        ) {
            return;
        }
        let Some(code) = o.code.take() else { return };
        let loinc = code.code_in(&[LOINC]);
        let date = date_of(&o);
        if let Some(l) = loinc
            .as_deref()
            .filter(|l| self.opts.readings.status_within_weeks(l).is_some())
        {
            self.status_observation(label, l, o.value_codeable_concept, date);
            return;
        }
        // A panel's results (an ECG's QTc) come as components, each read as a result of its own,
        // with the Observation's status and date.
        let components = std::mem::take(&mut o.component);
        let read_parts = !components.is_empty();
        for (j, part) in components.into_iter().enumerate() {
            if let Some(part_code) = part.code {
                let label = format!("{label}.component[{j}]");
                let read = Part {
                    label: &label,
                    loinc: part_code.code_in(&[LOINC]),
                    code: &part_code,
                    quantity: part.value_quantity,
                    reference_range: &part.reference_range,
                    date: date.clone(),
                };
                self.result(read, false);
            }
        }
        let own = Part {
            label,
            code: &code,
            loinc,
            quantity: o.value_quantity.take(),
            reference_range: &o.reference_range,
            date,
        };
        self.result(own, read_parts);
    }

    /// One result (an Observation's value, or one of its components'): kept as a case lab when its
    /// code or name is one the knowledge base reads. `parts_read`: the Observation's components were
    /// read, so a missing value of its own is not worth a note.
    fn result(&mut self, part: Part<'_, 'a>, parts_read: bool) {
        let Part {
            label,
            code,
            loinc,
            quantity,
            reference_range,
            date,
        } = part;
        let name = code.name();
        match &loinc {
            // A LOINC the knowledge base does not know is not a cramp lab (vital signs, other
            // tests), unless its name is one the rules read (a QTc).
            Some(l)
                if !self.opts.readings.known_loinc(l)
                    && !name.as_deref().is_some_and(|n| self.opts.readings.known_name(n)) =>
            {
                return;
            }
            Some(_) => {}
            // Without a LOINC, only a named result can be matched (by name, as in a case).
            None if name.is_none() => return,
            None => {}
        }
        let Some(q) = quantity else {
            if !parts_read {
                self.note(format!(
                    "{label} ({}) has no valueQuantity; it was not interpreted",
                    name.as_ref().or(loinc.as_ref()).map_or("", String::as_str)
                ));
            }
            return;
        };
        let Some(value) = q.value else {
            self.note(format!("{label}.valueQuantity has no value; it was not interpreted"));
            return;
        };
        let unit = q.unit();
        if let Some(c) = q.comparator.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            self.note(format!(
                "{label} ({}) was reported as {c} {value} {}; it was interpreted as {value}, the limit of the report",
                name.as_ref().or(loinc.as_ref()).map_or("", String::as_str),
                unit.as_deref().unwrap_or("")
            ));
        }
        // A date the case could not hold (FHIR allows a year or year-month; a malformed one is the
        // sender's slip) leaves the result undated, with a note: the result itself is still read.
        let date = match date {
            Some(d) if !cramp_core::case::is_iso_date(&d) => {
                self.note(format!(
                    "{label}: the date {d:?} is not a full date (YYYY-MM-DD); the result was read as undated"
                ));
                None
            }
            d => d,
        };
        let (mut ref_low, mut ref_high) = (None, None);
        if let Some(range) = reference_range.iter().find(|r| r.low.is_some() || r.high.is_some()) {
            let same_unit = |b: &Option<Quantity>| b.as_ref().is_none_or(|b| b.unit().is_none() || b.unit() == unit);
            if same_unit(&range.low) && same_unit(&range.high) {
                ref_low = range.low.as_ref().and_then(|b| b.value);
                ref_high = range.high.as_ref().and_then(|b| b.value);
            } else {
                self.note(format!(
                    "{label}.referenceRange is in another unit than the value; the knowledge base's range was used"
                ));
            }
        }
        self.out.case.labs.push(LabInput {
            loinc,
            name,
            value: Some(value),
            unit,
            ref_low,
            ref_high,
            date,
            origin: Some(label.to_string()),
        });
    }

    /// An Observation whose value records a condition (pregnancy status): the latest of its code
    /// is kept, and read as a condition when the Bundle has been read (`finish`).
    fn status_observation(
        &mut self,
        label: &str,
        loinc: &str,
        value: Option<CodeableConcept<'a>>,
        date: Option<String>,
    ) {
        let Some(value) = value else {
            self.note(format!(
                "{label} ({loinc}) has no valueCodeableConcept; it was not read"
            ));
            return;
        };
        let seen = StatusSeen {
            loinc: loinc.into(),
            label: label.into(),
            date,
            value,
        };
        match self.status.iter_mut().find(|s| s.loinc == loinc) {
            // Undated observations sort before dated ones; of two equal, the later in the Bundle.
            Some(kept) if kept.date.as_deref().unwrap_or("") > seen.date.as_deref().unwrap_or("") => {}
            Some(kept) => *kept = seen,
            None => self.status.push(seen),
        }
    }

    fn questionnaire_response(&mut self, label: String, q: QuestionnaireResponse<'a>) {
        if matches!(q.status.as_deref(), Some("entered-in-error") | Some("stopped")) {
            return;
        }
        // A response to another questionnaire (a PHQ-9, a pre-visit form) is not cramp data.
        if let Some(other) = q.questionnaire.as_deref().filter(|c| !is_cramp_questionnaire(c)) {
            self.note(format!(
                "{label} answers another questionnaire ({other}); it was ignored (the cramp Questionnaire is {QUESTIONNAIRE_ID})"
            ));
            return;
        }
        let newer = match &self.questionnaire {
            None => true,
            Some((_, kept)) => q.authored.as_deref().unwrap_or("") >= kept.authored.as_deref().unwrap_or(""),
        };
        if newer {
            self.questionnaire = Some((label, q));
        }
    }

    fn operation_outcome(&mut self, label: &str, o: OperationOutcome) {
        for issue in o.issue {
            let text = issue
                .diagnostics
                .map(Str::into_string)
                .or_else(|| issue.details.and_then(|d| d.name()))
                .unwrap_or_else(|| "no details".into());
            self.note(format!(
                "{label}: the EHR reported {} ({text}); data it concerns may be missing",
                issue.severity.as_deref().unwrap_or("an issue")
            ));
        }
    }

    fn finish(mut self) -> Result<Mapped, MapError> {
        for seen in std::mem::take(&mut self.status) {
            let weeks = self.opts.readings.status_within_weeks(&seen.loinc).unwrap_or(0);
            let Some(condition) = condition_of(&seen.value) else {
                self.note(format!(
                    "{} has a value without a code or text; it was not read",
                    seen.label
                ));
                continue;
            };
            let shown = condition
                .name
                .as_deref()
                .or(condition.snomed.as_deref())
                .unwrap_or("")
                .to_string();
            match seen.date.as_deref().map(|d| weeks_before(d, self.opts.today)) {
                Some(Some(age)) if age > i64::from(weeks) => {
                    self.note(format!(
                        "{} ({shown}) is dated {}, more than {weeks} weeks ago; it was not read as current",
                        seen.label,
                        seen.date.as_deref().unwrap_or("")
                    ));
                    continue;
                }
                Some(Some(_)) => {}
                // Undated, or a date that cannot be read: the safer reading is that it holds now.
                _ => self.note(format!(
                    "{} ({shown}) has no readable date; it was read as current",
                    seen.label
                )),
            }
            self.out.case.conditions.push(condition);
        }
        if let Some((label, q)) = self.questionnaire.take() {
            self.apply_answers(&label, &q)?;
            self.out.questionnaire_answered = true;
        }
        Ok(self.out)
    }

    /// Puts the answers of a QuestionnaireResponse into the case, each checked like a case field.
    fn apply_answers(&mut self, label: &str, q: &QuestionnaireResponse) -> Result<(), MapError> {
        let mut answers: Vec<(String, Value)> = Vec::new();
        collect_answers(&q.item, &mut answers);
        let mut sections: [(&str, Map<String, Value>); 3] =
            [("patient", Map::new()), ("symptoms", Map::new()), ("exam", Map::new())];
        for (link_id, value) in answers {
            let Some((section, field)) = link_id.split_once('.') else {
                return Err(MapError(format!(
                    "{label}: item linkId {link_id:?} is not a case field; use the SPEC §3 field path, e.g. \"symptoms.feels_like\""
                )));
            };
            let Some((_, map)) = sections.iter_mut().find(|(s, _)| *s == section) else {
                return Err(MapError(format!(
                    "{label}: item linkId {link_id:?} is not a question of the cramp Questionnaire (patient.*, symptoms.* or exam.*)"
                )));
            };
            // Checked one by one, so that an error names the item.
            let single = Value::Object(Map::from_iter([(field.to_string(), value.clone())]));
            let check = match section {
                "patient" => serde_json::from_value::<Patient>(single).map(|_| ()),
                "symptoms" => serde_json::from_value::<Symptoms>(single).map(|_| ()),
                _ => serde_json::from_value::<Exam>(single).map(|_| ()),
            };
            check.map_err(|e| MapError(format!("{label}: item {link_id:?}: {e}")))?;
            map.insert(field.to_string(), value);
        }
        let [(_, patient), (_, symptoms), (_, exam)] = sections;
        let from_answers: Patient =
            serde_json::from_value(Value::Object(patient)).map_err(|e| MapError(format!("{label}: {e}")))?;
        let case = &mut self.out.case;
        // The answers fill what the Patient resource left empty; the resource's age and sex stand.
        let p = &mut case.patient;
        p.age = p.age.or(from_answers.age);
        p.sex = p.sex.or(from_answers.sex);
        p.pregnant = from_answers.pregnant.or(p.pregnant);
        p.gestational_weeks = from_answers.gestational_weeks;
        p.smoker = from_answers.smoker;
        p.poor_balance_or_falls = from_answers.poor_balance_or_falls;
        p.fluid_restricted = from_answers.fluid_restricted;
        case.symptoms =
            serde_json::from_value(Value::Object(symptoms)).map_err(|e| MapError(format!("{label}: {e}")))?;
        case.exam = serde_json::from_value(Value::Object(exam)).map_err(|e| MapError(format!("{label}: {e}")))?;
        Ok(())
    }
}

/// The id of the cramp Questionnaire (served at `/fhir/Questionnaire/{QUESTIONNAIRE_ID}`).
pub const QUESTIONNAIRE_ID: &str = "cramp-assessment";

/// A condition as the case reads it (ICD-10-CM, SNOMED CT, text), from a Condition's `code` or an
/// order's `reasonCode`; `None` when the concept has none of the three.
fn condition_of(cc: &CodeableConcept<'_>) -> Option<ConditionInput> {
    let c = ConditionInput {
        name: cc.name(),
        icd10: cc.code_in(&[ICD10_CM, ICD10]),
        snomed: cc.code_in(&[SNOMED]),
        unconfirmed: false,
    };
    (c.name.is_some() || c.icd10.is_some() || c.snomed.is_some()).then_some(c)
}

/// The resource of this type and local id in a resource's `contained` (what "#id" names).
fn contained_resource<'v>(contained: &'v [Value], resource_type: &str, local: &str) -> Option<&'v Value> {
    contained.iter().find(|c| {
        c.get("resourceType").and_then(Value::as_str) == Some(resource_type)
            && c.get("id").and_then(Value::as_str) == Some(local)
    })
}

/// Why a JSON value found at `at` could not be read as the object `T`, naming the element by its
/// path ("`prefetch.conditions.resourceType`: expected a string, got an object"). The value is
/// read again with the path tracked, which is done only once reading has failed.
pub fn unreadable<'de, T: serde::Deserialize<'de>>(at: &str, text: &'de str) -> String {
    // serde also reads a struct from a list (its fields in order), which would blame a list sent
    // for an object on the list's first item: said as what it is instead.
    if text.starts_with('[') {
        return format!("`{at}`: expected an object, got a list");
    }
    located::<T>(at, text)
}

/// [`unreadable`] for a list of objects `T` (a Bundle's `entry` or `link`).
pub fn unreadable_list<'de, T: serde::Deserialize<'de>>(at: &str, text: &'de str) -> String {
    located::<Vec<T>>(at, text)
}

fn located<'de, T: serde::Deserialize<'de>>(at: &str, text: &'de str) -> String {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => format!("`{at}` could not be read"),
        Err(e) => {
            let path = cramp_core::serde_msg::join_path(at, &e.path().to_string());
            // FHIR has no list of lists: an item read at `[i][j]` is a list sent where the
            // object `[i]` belongs (the struct-from-a-list reading above).
            if let Some(cut) = path.find("][") {
                return format!("`{}]`: expected an object, got a list", &path[..cut]);
            }
            let inner = e.into_inner().to_string();
            cramp_core::serde_msg::describe(&path, without_position(&inner))
        }
    }
}

/// A medicine as the case names it: its name, ATC and RxNorm codes.
fn drug_of(cc: &CodeableConcept<'_>) -> DrugInput {
    DrugInput {
        name: cc.name(),
        atc: cc.code_in(&[ATC]),
        rxnorm: cc.code_in(&[RXNORM]),
    }
}

/// Whether a canonical reference names the cramp Questionnaire (any base URL, any version).
pub fn is_cramp_questionnaire(canonical: &str) -> bool {
    let without_version = canonical.split('|').next().unwrap_or(canonical);
    without_version
        .trim_end_matches('/')
        .ends_with(&format!("Questionnaire/{QUESTIONNAIRE_ID}"))
}

/// The case fields that are lists (SPEC §3): their answers always make an array.
const LIST_FIELDS: &[&str] = &["symptoms.location"];

/// Every answered item, depth first, as (linkId, JSON value). A question answered several times
/// (a list such as `symptoms.location`) gives an array.
fn collect_answers(items: &[QrItem], out: &mut Vec<(String, Value)>) {
    for item in items {
        if let Some(link_id) = item.link_id.as_deref() {
            let values: Vec<Value> = item.answer.iter().filter_map(answer_value).collect();
            match values.len() {
                0 => {}
                1 if !LIST_FIELDS.contains(&link_id) => {
                    out.push((link_id.to_string(), values.into_iter().next().unwrap_or_default()))
                }
                _ => out.push((link_id.to_string(), Value::Array(values))),
            }
        }
        collect_answers(&item.item, out);
        for a in &item.answer {
            collect_answers(&a.item, out);
        }
    }
}

fn answer_value(a: &QrAnswer) -> Option<Value> {
    if let Some(b) = a.value_boolean {
        return Some(Value::Bool(b));
    }
    if let Some(d) = a.value_decimal {
        return serde_json::Number::from_f64(d).map(Value::Number);
    }
    if let Some(i) = a.value_integer {
        return Some(Value::from(i));
    }
    if let Some(c) = &a.value_coding {
        return c.code.as_deref().map(Value::from);
    }
    a.value_string.as_deref().map(Value::from)
}

/// One result to read: an Observation's own value, or one of its components'.
struct Part<'r, 'a> {
    label: &'r str,
    code: &'r CodeableConcept<'a>,
    loinc: Option<String>,
    quantity: Option<Quantity<'a>>,
    reference_range: &'r [Range<'a>],
    /// The Observation's date (a component has none of its own).
    date: Option<String>,
}

/// An Observation's date: its effective time, else when it was issued.
fn date_of(o: &Observation<'_>) -> Option<String> {
    o.effective_date_time
        .clone()
        .or(o.effective_instant.clone())
        .or(o.effective_period.as_ref().and_then(|p| p.start.clone()))
        .or(o.issued.clone())
        .map(Str::into_string)
}

/// Whole weeks from a FHIR date or dateTime (its date part; a year or year-month read as its first
/// day) to today; `None` when it is not a date on or before today.
fn weeks_before(date: &str, today: Date) -> Option<i64> {
    let day = date.get(..10).filter(|d| d.len() == 10).unwrap_or(date);
    let (year, month, dom) = match day.split('-').collect::<Vec<_>>()[..] {
        [y] => (y, "1", "1"),
        [y, m] => (y, m, "1"),
        [y, m, d] => (y, m, d),
        _ => return None,
    };
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    let d = Date::from_calendar_date(year.parse().ok()?, month, dom.parse().ok()?).ok()?;
    (d <= today).then(|| (today - d).whole_weeks())
}

/// Whether a period's end lies in the past: a full date at least a week before today; a year or
/// year-month (read as its first day) more than a year before.
fn ended_before(end: &str, today: Date) -> bool {
    let full = end
        .get(..10)
        .is_some_and(|d| d.len() == 10 && d.matches('-').count() == 2);
    weeks_before(end, today).is_some_and(|w| if full { w >= 1 } else { w > 52 })
}

/// Completed years from a FHIR date to `today`, and whether the date was complete.
fn age_on(birth: &str, today: Date) -> Option<(i32, bool)> {
    let parts: Vec<&str> = birth.trim().split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let (y, m, d, exact) = match parts.as_slice() {
        [y] => (num(y, 4)?, 1, 1, false),
        [y, m] => (num(y, 4)?, num(m, 2)?, 1, false),
        [y, m, d] => (num(y, 4)?, num(m, 2)?, num(d, 2)?, true),
        _ => return None,
    };
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let born = Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?;
    if born > today {
        return None;
    }
    let mut age = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    Some((age, exact))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn ages_count_completed_years() {
        let today = date!(2026 - 11 - 23);
        assert_eq!(age_on("1958-11-23", today), Some((68, true)));
        assert_eq!(age_on("1958-11-24", today), Some((67, true)));
        assert_eq!(age_on("1958", today), Some((68, false)));
        assert_eq!(age_on("1958-12", today), Some((67, false)));
        assert_eq!(age_on("2027-01-01", today), None);
        assert_eq!(age_on("58-11-23", today), None);
        assert_eq!(age_on("1958-02-30", today), None);
    }
}
