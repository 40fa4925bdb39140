//! FHIR R4 Bundles read as cases: what is taken, what is left out, and what the caller is told.

use cramp_core::case::{CalfSwelling, ConditionInput, FeelsLike, Location, Sex};
use cramp_fhir::{MapOptions, Mapped, Readings, case_from_bundle, is_fhir};
use serde_json::{Value, json};
use time::macros::date;

const KNOWN: &[&str] = &["2823-3", "2601-3", "19123-9", "2951-2", "2276-4"];

/// The readings of a small knowledge base: five analytes, a QTc by name, pregnancy status.
struct Known;

impl Readings for Known {
    fn known_loinc(&self, code: &str) -> bool {
        KNOWN.contains(&code)
    }
    fn known_name(&self, name: &str) -> bool {
        name.to_lowercase().contains("qtc")
    }
    fn status_within_weeks(&self, code: &str) -> Option<u32> {
        (code == "82810-3").then_some(45)
    }
    fn current_within_weeks(&self, c: &ConditionInput) -> Option<u32> {
        c.icd10
            .as_deref()
            .is_some_and(|i| i.starts_with('O') || i.starts_with("Z33"))
            .then_some(45)
    }
}

fn read_with(bundle: &Value, drafts: bool) -> Result<Mapped, String> {
    let opts = MapOptions {
        today: date!(2026 - 11 - 23),
        drafts_as_considering: drafts,
        keep_condition_refs: false,
        readings: &Known,
    };
    case_from_bundle(&bundle.to_string(), &opts).map_err(|e| e.to_string())
}

fn read(bundle: &Value) -> Mapped {
    read_with(bundle, false).unwrap()
}

fn bundle(resources: Vec<Value>) -> Value {
    json!({ "resourceType": "Bundle", "type": "collection",
            "entry": resources.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>() })
}

fn condition(id: &str, clinical: Option<&str>, verification: Option<&str>, icd: &str, text: &str) -> Value {
    let mut c = json!({ "resourceType": "Condition", "id": id,
        "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": icd }], "text": text } });
    if let Some(s) = clinical {
        c["clinicalStatus"] =
            json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": s }] });
    }
    if let Some(s) = verification {
        c["verificationStatus"] = json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": s }] });
    }
    c
}

fn observation(id: &str, status: &str, loinc: &str, value: Value, unit: &str, date: &str) -> Value {
    json!({ "resourceType": "Observation", "id": id, "status": status,
        "code": { "coding": [{ "system": "http://loinc.org", "code": loinc, "display": format!("LOINC {loinc}") }] },
        "effectiveDateTime": date,
        "valueQuantity": { "value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit } })
}

fn med_request(id: &str, status: &str, coding: Value) -> Value {
    json!({ "resourceType": "MedicationRequest", "id": id, "status": status, "intent": "order",
            "medicationCodeableConcept": { "coding": [coding] } })
}

fn qr(id: &str, authored: &str, items: Value) -> Value {
    json!({ "resourceType": "QuestionnaireResponse", "id": id, "status": "completed", "authored": authored, "item": items })
}

#[test]
fn a_case_is_not_taken_for_fhir_and_a_bundle_is() {
    assert!(!is_fhir(r#"{"patient": {"age": 60}}"#));
    assert!(!is_fhir(r#"{"conditions": [{"name": "my \"resourceType\" note"}]}"#));
    assert!(is_fhir(r#"{"resourceType": "Bundle"}"#));
}

#[test]
fn a_resource_that_is_not_a_bundle_is_refused_with_the_fix() {
    let err = read_with(&json!({ "resourceType": "Patient", "id": "p" }), false).unwrap_err();
    assert!(err.contains("`resourceType`") && err.contains("send a Bundle"), "{err}");
    let err = read_with(&json!({ "resourceType": "Bundle", "entry": 3 }), false).unwrap_err();
    assert!(err.contains("Bundle"), "{err}");
}

#[test]
fn patient_age_counts_completed_years_against_the_injected_day_and_sex_is_read() {
    let m = read(&bundle(vec![
        json!({ "resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1958-11-24" }),
    ]));
    assert_eq!(m.case.patient.age, Some(67.0));
    assert_eq!(m.case.patient.sex, Some(Sex::Female));
    assert!(m.notes.is_empty(), "{:?}", m.notes);

    let m = read(&bundle(vec![json!({ "resourceType": "Patient", "birthDate": "1958" })]));
    assert_eq!(m.case.patient.age, Some(68.0));
    assert!(m.notes[0].contains("not a full date"), "{:?}", m.notes);

    // A birth date that gives an impossible age leaves the age unknown (asked), with a note; the
    // Bundle is still read.
    let m = read(&bundle(vec![
        json!({ "resourceType": "Patient", "id": "old", "birthDate": "1890-01-01" }),
    ]));
    assert_eq!(m.case.patient.age, None);
    assert!(m.case.validate().is_ok());
    assert!(m.notes[0].contains("gives an age of 136"), "{:?}", m.notes);

    let m = read(&bundle(vec![
        json!({ "resourceType": "Patient", "id": "a", "birthDate": "1950-01-01" }),
        json!({ "resourceType": "Patient", "id": "b", "birthDate": "2000-01-01" }),
    ]));
    assert_eq!(m.case.patient.age, Some(76.0));
    assert!(m.notes[0].contains("more than one Patient"), "{:?}", m.notes);
}

#[test]
fn only_active_unrefuted_conditions_count() {
    let m = read(&bundle(vec![
        condition("a", Some("active"), Some("confirmed"), "K70.31", "cirrhosis"),
        condition("b", Some("relapse"), None, "G25.81", "RLS"),
        condition("c", None, None, "N18.6", "ESRD"),
        condition("d", Some("resolved"), None, "I82.401", "old DVT"),
        condition("e", Some("active"), Some("refuted"), "E11.9", "diabetes"),
        condition("f", Some("active"), Some("entered-in-error"), "G12.21", "ALS"),
    ]));
    let codes: Vec<_> = m.case.conditions.iter().map(|c| c.icd10.clone().unwrap()).collect();
    assert_eq!(codes, ["K70.31", "G25.81", "N18.6"]);
    assert_eq!(m.case.conditions[0].name.as_deref(), Some("cirrhosis"));
}

#[test]
fn an_unconfirmed_provisional_or_differential_condition_is_kept_marked_and_noted() {
    let m = read(&bundle(vec![
        condition("a", Some("active"), Some("provisional"), "K74.60", "cirrhosis"),
        condition("b", Some("active"), Some("differential"), "G25.81", "RLS"),
        condition("c", Some("active"), Some("unconfirmed"), "N18.6", "ESRD"),
        condition("d", Some("active"), Some("confirmed"), "E11.9", "diabetes"),
    ]));
    let marked: Vec<_> = m.case.conditions.iter().map(|c| c.unconfirmed).collect();
    assert_eq!(marked, [true, true, true, false]);
    assert_eq!(
        m.notes.iter().filter(|n| n.contains("not confirmed")).count(),
        3,
        "{:?}",
        m.notes
    );
}

#[test]
fn a_clinical_status_coded_without_its_system_is_read_by_its_code() {
    let status = |c: &mut Value, code: &str| c["clinicalStatus"] = json!({ "coding": [{ "code": code }] });
    let mut active = condition("a", None, None, "G47.62", "leg cramps");
    status(&mut active, "active");
    let mut resolved = condition("b", None, None, "I82.401", "old DVT");
    status(&mut resolved, "resolved");
    let mut unreadable = condition("c", None, None, "K70.31", "cirrhosis");
    unreadable["clinicalStatus"] = json!({ "text": "current" });
    let m = read(&bundle(vec![active, resolved, unreadable]));
    let codes: Vec<_> = m.case.conditions.iter().map(|c| c.icd10.clone().unwrap()).collect();
    assert_eq!(codes, ["G47.62", "K70.31"]);
    assert_eq!(m.notes.len(), 2, "{:?}", m.notes);
    assert!(m.notes.iter().all(|n| n.contains("clinicalStatus")));
}

#[test]
fn code_systems_named_by_their_hl7_oids_are_read() {
    let m = read(&bundle(vec![
        json!({ "resourceType": "Condition", "code": { "coding": [
            { "system": "urn:oid:2.16.840.1.113883.6.90", "code": "K70.31" },
            { "system": "urn:oid:2.16.840.1.113883.6.96", "code": "19943007" } ] } }),
        json!({ "resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": { "coding": [
            { "system": "urn:oid:2.16.840.1.113883.6.73", "code": "C03CA01" },
            { "system": "urn:oid:2.16.840.1.113883.6.88", "code": "4603" } ] } }),
        json!({ "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "urn:oid:2.16.840.1.113883.6.1", "code": "2823-3" }] },
            "valueQuantity": { "value": 3.1, "system": "urn:oid:2.16.840.1.113883.6.8", "code": "mmol/L" } }),
    ]));
    let c = &m.case.conditions[0];
    assert_eq!(
        (c.icd10.as_deref(), c.snomed.as_deref()),
        (Some("K70.31"), Some("19943007"))
    );
    let d = &m.case.medications[0];
    assert_eq!((d.atc.as_deref(), d.rxnorm.as_deref()), (Some("C03CA01"), Some("4603")));
    let l = &m.case.labs[0];
    assert_eq!(
        (l.loinc.as_deref(), l.unit.as_deref()),
        (Some("2823-3"), Some("mmol/L"))
    );
}

#[test]
fn snomed_and_text_only_conditions_are_kept_and_an_empty_one_is_noted() {
    let m = read(&bundle(vec![
        json!({ "resourceType": "Condition", "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "32914008", "display": "Restless legs" }] } }),
        json!({ "resourceType": "Condition", "code": { "text": "liver cirrhosis" } }),
        json!({ "resourceType": "Condition", "id": "x", "code": { "coding": [{ "system": "http://example.org/local", "code": "42" }] } }),
    ]));
    assert_eq!(m.case.conditions.len(), 2);
    assert_eq!(m.case.conditions[0].snomed.as_deref(), Some("32914008"));
    assert_eq!(m.case.conditions[0].name.as_deref(), Some("Restless legs"));
    assert_eq!(m.case.conditions[1].name.as_deref(), Some("liver cirrhosis"));
    assert!(m.notes.iter().any(|n| n.starts_with("Condition/x")), "{:?}", m.notes);
}

#[test]
fn pregnancy_codes_are_passed_on_for_the_knowledge_base_to_read() {
    // The pregnancy gate (Z33.1, Z34, the O chapter) is knowledge-base data; the mapping adds no
    // rule of its own, so a "not pregnant" answer beside such a code reaches the engine as it is.
    let m = read(&bundle(vec![
        condition("z", Some("active"), None, "Z33.1", "pregnant"),
        qr(
            "q",
            "2026-11-20",
            json!([{ "linkId": "patient.pregnant", "answer": [{ "valueBoolean": false }] }]),
        ),
    ]));
    assert_eq!(m.case.conditions[0].icd10.as_deref(), Some("Z33.1"));
    assert_eq!(m.case.patient.pregnant, Some(false));
    let m = read(&bundle(vec![condition(
        "z",
        Some("resolved"),
        None,
        "Z33.1",
        "pregnant last year",
    )]));
    assert!(m.case.conditions.is_empty());
}

fn pregnancy_status(id: &str, snomed: &str, text: &str, date: Option<&str>) -> Value {
    let mut o = json!({ "resourceType": "Observation", "id": id, "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "82810-3", "display": "Pregnancy status" }] },
        "valueCodeableConcept": { "coding": [{ "system": "http://snomed.info/sct", "code": snomed, "display": text }], "text": text } });
    if let Some(d) = date {
        o["effectiveDateTime"] = json!(d);
    }
    o
}

#[test]
fn a_recent_pregnancy_status_observation_is_passed_on_as_a_condition_and_an_old_one_is_not() {
    // US Core's pregnancy status (LOINC 82810-3): its value is read as a condition, which the
    // knowledge base's pregnancy gate reads; it is no lab.
    let m = read(&bundle(vec![pregnancy_status(
        "p",
        "77386006",
        "Pregnant",
        Some("2026-11-20"),
    )]));
    assert_eq!(m.case.conditions.len(), 1);
    assert_eq!(m.case.conditions[0].snomed.as_deref(), Some("77386006"));
    assert!(m.case.labs.is_empty() && m.notes.is_empty(), "{:?}", m.notes);
    // The latest one decides: "not pregnant" after "pregnant" is passed on as itself.
    let m = read(&bundle(vec![
        pregnancy_status("new", "60001007", "Not pregnant", Some("2026-11-01")),
        pregnancy_status("old", "77386006", "Pregnant", Some("2026-06-01")),
    ]));
    assert_eq!(m.case.conditions.len(), 1);
    assert_eq!(m.case.conditions[0].snomed.as_deref(), Some("60001007"));
    // Older than the look-back (45 weeks before 2026-11-23): not read as current, and said so.
    let m = read(&bundle(vec![pregnancy_status(
        "p",
        "77386006",
        "Pregnant",
        Some("2025-12-01"),
    )]));
    assert!(m.case.conditions.is_empty());
    assert!(
        m.notes.iter().any(|n| n.contains("more than 45 weeks ago")),
        "{:?}",
        m.notes
    );
    // Undated: read as current (the safer reading), and said so.
    let m = read(&bundle(vec![pregnancy_status("p", "77386006", "Pregnant", None)]));
    assert_eq!(m.case.conditions.len(), 1);
    assert!(m.notes.iter().any(|n| n.contains("no readable date")), "{:?}", m.notes);
}

#[test]
fn medication_requests_and_statements_by_status_with_codes_and_names() {
    let rx = |code: &str| json!({ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code, "display": format!("rx {code}") });
    let m = read(&bundle(vec![
        med_request("a", "active", rx("4603")),
        med_request(
            "b",
            "on-hold",
            json!({ "system": "http://www.whocc.no/atc", "code": "C03AA03", "display": "hydrochlorothiazide" }),
        ),
        med_request("c", "stopped", rx("9071")),
        med_request("d", "completed", rx("9071")),
        med_request("e", "draft", rx("9071")),
        json!({ "resourceType": "MedicationStatement", "status": "active",
                "medicationCodeableConcept": { "text": "baclofen 10 mg" } }),
        json!({ "resourceType": "MedicationStatement", "status": "not-taken",
                "medicationCodeableConcept": { "text": "quinine" } }),
    ]));
    let meds: Vec<_> = m
        .case
        .medications
        .iter()
        .map(|d| (d.name.clone(), d.atc.clone(), d.rxnorm.clone()))
        .collect();
    assert_eq!(
        meds,
        [
            (Some("rx 4603".into()), None, Some("4603".into())),
            (Some("hydrochlorothiazide".into()), Some("C03AA03".into()), None),
            (Some("baclofen 10 mg".into()), None, None),
        ]
    );
    assert!(m.case.considering.is_empty(), "drafts are ignored outside order hooks");
    let m = read_with(&bundle(vec![med_request("e", "draft", rx("9071"))]), true).unwrap();
    assert_eq!(m.case.considering.len(), 1);
    assert_eq!(m.case.considering[0].rxnorm.as_deref(), Some("9071"));
    assert!(m.case.medications.is_empty());
}

#[test]
fn a_referenced_medication_is_found_contained_or_in_the_bundle() {
    let b = json!({ "resourceType": "Bundle", "entry": [
        { "fullUrl": "urn:uuid:0b7f", "resource": { "resourceType": "Medication", "id": "med1",
            "code": { "coding": [{ "system": "http://www.whocc.no/atc", "code": "C03CA01" }], "text": "furosemide" } } },
        { "resource": { "resourceType": "MedicationRequest", "status": "active", "medicationReference": { "reference": "Medication/med1" } } },
        { "resource": { "resourceType": "MedicationRequest", "status": "active", "medicationReference": { "reference": "urn:uuid:0b7f" } } },
        { "resource": { "resourceType": "MedicationStatement", "status": "active",
            "contained": [{ "resourceType": "Medication", "id": "m", "code": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1292" }], "text": "baclofen" } }],
            "medicationReference": { "reference": "#m" } } },
        { "resource": { "resourceType": "MedicationRequest", "id": "lost", "status": "active", "medicationReference": { "reference": "Medication/nowhere" } } }
    ]});
    let m = read(&b);
    let names: Vec<_> = m.case.medications.iter().map(|d| d.name.clone().unwrap()).collect();
    assert_eq!(names, ["furosemide", "furosemide", "baclofen"]);
    assert_eq!(m.case.medications[2].rxnorm.as_deref(), Some("1292"));
    assert!(
        m.notes.iter().any(|n| n.starts_with("MedicationRequest/lost")),
        "{:?}",
        m.notes
    );
}

#[test]
fn an_ecg_qtc_under_a_loinc_that_is_no_lab_is_passed_on_by_its_name_and_a_heart_rate_is_not() {
    let mut qtc = observation("q", "final", "8636-3", json!(482), "ms", "2026-11-20");
    qtc["code"]["text"] = json!("QTc interval");
    let m = read(&bundle(vec![
        qtc,
        observation("hr", "final", "8867-4", json!(48), "/min", "2026-11-20"),
    ]));
    assert_eq!(m.case.labs.len(), 1, "{:?}", m.case.labs);
    assert_eq!(m.case.labs[0].name.as_deref(), Some("QTc interval"));
    assert_eq!(m.case.labs[0].value, Some(482.0));
}

#[test]
fn a_condition_without_a_status_that_records_its_end_is_read_as_ended() {
    let mut old_pregnancy = condition("o", None, None, "O26.892", "Leg cramps in pregnancy");
    old_pregnancy["abatementDateTime"] = json!("2023-04-01");
    let mut still = condition("s", None, None, "K74.60", "Cirrhosis");
    still["onsetDateTime"] = json!("2020-01-01");
    let m = read(&bundle(vec![old_pregnancy, still]));
    let codes: Vec<_> = m.case.conditions.iter().filter_map(|c| c.icd10.as_deref()).collect();
    assert_eq!(codes, ["K74.60"]);
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("Condition/o has no clinicalStatus but records when it ended")),
        "{:?}",
        m.notes
    );
}

#[test]
fn a_pregnancy_that_began_longer_ago_than_a_pregnancy_lasts_is_not_read_as_current() {
    let pregnancy = |id: &str, element: &str, date: &str| {
        let mut c = condition(id, Some("active"), None, "Z33.1", "Pregnant state");
        if element == "onsetPeriod" {
            c[element] = json!({ "start": date });
        } else {
            c[element] = json!(date);
        }
        c
    };
    let mut cirrhosis = condition("c", Some("active"), None, "K74.60", "Cirrhosis");
    cirrhosis["onsetDateTime"] = json!("2019-01-01");
    let m = read(&bundle(vec![
        pregnancy("old", "onsetDateTime", "2024-03-01"),
        pregnancy("oldp", "onsetPeriod", "2025-01-10"),
        pregnancy("rec", "recordedDate", "2022-05-05"),
        pregnancy("now", "onsetDateTime", "2026-05-01"),
        pregnancy("future", "onsetDateTime", "2027-01-01"),
        cirrhosis,
    ]));
    let ids: Vec<_> = m.case.conditions.iter().filter_map(|c| c.icd10.as_deref()).collect();
    // The recent one, one dated after today (not a date on or before today: kept, the safer
    // reading) and a condition without a bounded duration are read.
    assert_eq!(ids, ["Z33.1", "Z33.1", "K74.60"]);
    for (id, element) in [
        ("old", "onsetDateTime"),
        ("oldp", "onsetPeriod.start"),
        ("rec", "recordedDate"),
    ] {
        assert!(
            m.notes.iter().any(
                |n| n.starts_with(&format!("Condition/{id} (Pregnant state) has {element} "))
                    && n.ends_with("more than 45 weeks ago; it was not read as current")
            ),
            "{id}: {:?}",
            m.notes
        );
    }
}

#[test]
fn a_medication_statement_intended_is_read_as_considered_and_said_so() {
    let statement = |id: &str, status: &str| {
        json!({ "resourceType": "MedicationStatement", "id": id, "status": status,
                "medicationCodeableConcept": { "text": "quinine sulfate 300 mg" } })
    };
    let m = read(&bundle(vec![
        statement("plan", "intended"),
        statement("done", "completed"),
        statement("no", "not-taken"),
    ]));
    assert!(m.case.medications.is_empty(), "{:?}", m.case.medications);
    assert_eq!(m.case.considering.len(), 1);
    assert_eq!(m.case.considering[0].name.as_deref(), Some("quinine sulfate 300 mg"));
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("MedicationStatement/plan is intended")),
        "{:?}",
        m.notes
    );
}

#[test]
fn an_active_medication_statement_whose_period_has_ended_is_kept_and_noted() {
    let statement = |id: &str, end: &str| {
        json!({ "resourceType": "MedicationStatement", "id": id, "status": "active",
                "medicationCodeableConcept": { "text": "quinine sulfate 300 mg" },
                "effectivePeriod": { "start": "2020-01-01", "end": end } })
    };
    // Today is 2026-11-23: ended in 2021, in 2025 (a year only, read as more than a year back);
    // still running (this week, this year, next year).
    let m = read(&bundle(vec![
        statement("old", "2021-01-01"),
        statement("year", "2025"),
        statement("now", "2026-11-20"),
        statement("this_year", "2026"),
        statement("later", "2027-06-30"),
    ]));
    assert_eq!(m.case.medications.len(), 5, "kept as taken, the safer reading");
    let noted: Vec<&str> = m
        .notes
        .iter()
        .filter(|n| n.contains("effectivePeriod ended"))
        .map(|n| n.as_str())
        .collect();
    assert_eq!(noted.len(), 2, "{:?}", m.notes);
    assert!(noted[0].starts_with("MedicationStatement/old is active but its effectivePeriod ended on 2021-01-01"));
    assert!(noted[1].starts_with("MedicationStatement/year "));
}

#[test]
fn a_panels_components_are_read_as_results_with_its_status_and_date_and_say_where_they_came_from() {
    // An ECG Observation (12-lead EKG study) whose intervals are components.
    let ecg = json!({ "resourceType": "Observation", "id": "ecg", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "11524-6", "display": "EKG study" }] },
        "effectiveDateTime": "2026-11-20",
        "component": [
            { "code": { "coding": [{ "system": "http://loinc.org", "code": "8867-4", "display": "Heart rate" }] },
              "valueQuantity": { "value": 58, "unit": "/min" } },
            { "code": { "coding": [{ "system": "http://loinc.org", "code": "8636-3", "display": "QTc interval" }] },
              "valueQuantity": { "value": 492, "unit": "ms" } }
        ] });
    let mut cancelled = ecg.clone();
    cancelled["id"] = json!("old");
    cancelled["status"] = json!("cancelled");
    let m = read(&bundle(vec![ecg, cancelled]));
    assert_eq!(m.case.labs.len(), 1, "{:?}", m.case.labs);
    let qtc = &m.case.labs[0];
    assert_eq!((qtc.loinc.as_deref(), qtc.value), (Some("8636-3"), Some(492.0)));
    assert_eq!(qtc.date.as_deref(), Some("2026-11-20"));
    assert_eq!(qtc.origin.as_deref(), Some("Observation/ecg.component[1]"));
    // The panel has no value of its own, and that is not worth a note.
    assert!(m.notes.is_empty(), "{:?}", m.notes);
}

#[test]
fn a_result_with_a_malformed_date_is_read_undated_with_a_note_not_refused() {
    let m = read(&bundle(vec![observation(
        "k",
        "final",
        "2823-3",
        json!(3.1),
        "mmol/L",
        "01/11/2026",
    )]));
    assert_eq!(m.case.labs.len(), 1);
    assert_eq!(m.case.labs[0].date, None);
    assert!(m.case.validate().is_ok());
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("Observation/k: the date \"01/11/2026\"")),
        "{:?}",
        m.notes
    );
}

#[test]
fn observations_are_cramp_labs_with_units_ranges_and_dates() {
    let mut k = observation("k", "final", "2823-3", json!(3.2), "mmol/L", "2026-11-02");
    k["referenceRange"] =
        json!([{ "low": { "value": 3.5, "unit": "mmol/L" }, "high": { "value": 5.1, "unit": "mmol/L" } }]);
    let mut mg = observation("mg", "amended", "19123-9", json!(1.4), "mg/dL", "2026-11-02");
    mg["referenceRange"] = json!([{ "low": { "value": 0.7, "unit": "mmol/L" } }]);
    let m = read(&bundle(vec![
        k,
        mg,
        observation("old", "corrected", "2823-3", json!(4.4), "mmol/L", "2025-01-01"),
        observation("hr", "final", "8867-4", json!(72), "/min", "2026-11-02"),
        observation("x", "cancelled", "2951-2", json!(120), "mmol/L", "2026-11-02"),
        observation("p", "preliminary", "2951-2", json!(131), "mmol/L", "2026-11-03"),
        json!({ "resourceType": "Observation", "id": "nv", "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "2276-4" }], "text": "ferritin" },
                "valueString": "haemolysed" }),
    ]));
    let labs: Vec<_> = m
        .case
        .labs
        .iter()
        .map(|l| {
            (
                l.loinc.clone().unwrap(),
                l.value.unwrap(),
                l.unit.clone().unwrap(),
                l.ref_low,
                l.ref_high,
            )
        })
        .collect();
    assert_eq!(
        labs,
        [
            ("2823-3".into(), 3.2, "mmol/L".into(), Some(3.5), Some(5.1)),
            ("19123-9".into(), 1.4, "mg/dL".into(), None, None),
            ("2823-3".into(), 4.4, "mmol/L".into(), None, None),
            ("2951-2".into(), 131.0, "mmol/L".into(), None, None),
        ]
    );
    assert_eq!(m.case.labs[0].date.as_deref(), Some("2026-11-02"));
    assert!(
        m.notes.iter().any(|n| n.starts_with("Observation/mg.referenceRange")),
        "{:?}",
        m.notes
    );
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("Observation/nv") && n.contains("valueQuantity")),
        "{:?}",
        m.notes
    );
    assert_eq!(m.notes.len(), 2, "{:?}", m.notes);
}

#[test]
fn questionnaire_answers_fill_the_case_by_link_id() {
    let m = read(&bundle(vec![
        json!({ "resourceType": "Patient", "birthDate": "1960-05-05", "gender": "male" }),
        qr(
            "old",
            "2026-01-01",
            json!([{ "linkId": "symptoms.feels_like", "answer": [{ "valueCoding": { "code": "urge_to_move" } }] }]),
        ),
        qr(
            "new",
            "2026-11-20",
            json!([
                { "linkId": "symptoms", "item": [
                    { "linkId": "symptoms.feels_like", "answer": [{ "valueCoding": { "code": "painful_cramp" } }] },
                    { "linkId": "symptoms.location", "answer": [{ "valueCoding": { "code": "calf" } }, { "valueCoding": { "code": "foot" } }] },
                    { "linkId": "symptoms.calf_swelling", "answer": [{ "valueCoding": { "code": "none" } }] },
                    { "linkId": "symptoms.worst_pain", "answer": [{ "valueDecimal": 7.5 }] },
                    { "linkId": "symptoms.episodes_per_week", "answer": [{ "valueInteger": 4 }] },
                    { "linkId": "symptoms.returns_at_rest", "answer": [{ "valueBoolean": false }] }
                ]},
                { "linkId": "patient.age", "answer": [{ "valueInteger": 99 }] },
                { "linkId": "patient.smoker", "answer": [{ "valueBoolean": true }] },
                { "linkId": "exam.pedal_pulses", "answer": [{ "valueCoding": { "code": "reduced" } }] },
                { "linkId": "symptoms.when" }
            ]),
        ),
    ]));
    let s = &m.case.symptoms;
    assert_eq!(
        s.feels_like,
        Some(FeelsLike::PainfulCramp),
        "the latest response is used"
    );
    assert_eq!(s.location.as_deref(), Some(&[Location::Calf, Location::Foot][..]));
    assert_eq!(s.calf_swelling, Some(CalfSwelling::None));
    assert_eq!(s.worst_pain, Some(7.5));
    assert_eq!(s.episodes_per_week, Some(4.0));
    assert_eq!(s.returns_at_rest, Some(false));
    assert_eq!(s.when, None, "an unanswered item stays missing");
    assert_eq!(m.case.patient.age, Some(66.0), "the Patient resource's age stands");
    assert_eq!(m.case.patient.smoker, Some(true));
    assert!(m.case.exam.pedal_pulses.is_some());
    assert!(m.notes.is_empty(), "{:?}", m.notes);
}

#[test]
fn a_wrong_answer_or_link_id_is_an_error_naming_the_item() {
    let err = read_with(
        &bundle(vec![qr(
            "q",
            "2026-11-20",
            json!([{ "linkId": "symptoms.feels_like", "answer": [{ "valueCoding": { "code": "tickle" } }] }]),
        )]),
        false,
    )
    .unwrap_err();
    assert!(
        err.contains("QuestionnaireResponse/q") && err.contains("symptoms.feels_like") && err.contains("painful_cramp"),
        "{err}"
    );
    let err = read_with(
        &bundle(vec![qr(
            "q",
            "2026-11-20",
            json!([{ "linkId": "symptoms.feels_lik", "answer": [{ "valueBoolean": true }] }]),
        )]),
        false,
    )
    .unwrap_err();
    assert!(
        err.contains("symptoms.feels_lik") && err.contains("feels_like"),
        "{err}"
    );
    let err = read_with(
        &bundle(vec![qr(
            "q",
            "2026-11-20",
            json!([{ "linkId": "q1", "answer": [{ "valueBoolean": true }] }]),
        )]),
        false,
    )
    .unwrap_err();
    assert!(err.contains("\"q1\"") && err.contains("symptoms.feels_like"), "{err}");
}

#[test]
fn unreadable_entries_and_operation_outcomes_are_noted_not_fatal() {
    let m = read(&bundle(vec![
        json!({ "resourceType": "Observation", "id": "bad", "status": "final", "valueQuantity": { "value": "three" } }),
        json!({ "resourceType": "OperationOutcome", "issue": [{ "severity": "error", "code": "forbidden", "diagnostics": "access to Observation denied" }] }),
        json!({ "resourceType": "Encounter", "id": "e1", "status": "finished" }),
        json!("not a resource"),
        condition("a", Some("active"), None, "K74.60", "cirrhosis"),
    ]));
    assert_eq!(m.case.conditions.len(), 1);
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("Observation/bad") && n.contains("could not be read")),
        "{:?}",
        m.notes
    );
    assert!(
        m.notes.iter().any(|n| n.contains("access to Observation denied")),
        "{:?}",
        m.notes
    );
    assert!(m.notes.iter().any(|n| n.contains("entry[3]")), "{:?}", m.notes);
}

#[test]
fn a_member_that_cannot_be_read_is_dropped_not_the_resource_and_named() {
    // A quinine statement with an effectivePeriod sent as a string and a pregnancy whose onset is a
    // number: both were ignored whole, and quinine in pregnancy went unseen.
    let mut quinine = json!({ "resourceType": "MedicationStatement", "id": "q", "status": "active",
        "medicationCodeableConcept": { "text": "quinine sulfate 300 mg" } });
    quinine["effectivePeriod"] = json!("2026-01-01");
    let mut pregnancy = condition("p", Some("active"), None, "Z33.1", "pregnant");
    pregnancy["onsetDateTime"] = json!(20260101);
    let m = read(&bundle(vec![quinine, pregnancy]));
    assert_eq!(m.case.medications.len(), 1, "{:?}", m.notes);
    assert_eq!(m.case.conditions.len(), 1, "{:?}", m.notes);
    for (resource, member) in [
        ("MedicationStatement/q", "`effectivePeriod`"),
        ("Condition/p", "`onsetDateTime`"),
    ] {
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains(resource) && n.contains(member) && n.contains("read without it")),
            "{:?}",
            m.notes
        );
    }
}

#[test]
fn a_value_reported_beyond_a_limit_is_read_at_the_limit_and_the_caller_told() {
    let mut o = observation("o1", "final", "2823-3", json!(3.0), "mmol/L", "2026-11-01");
    o["valueQuantity"]["comparator"] = json!("<");
    let m = read(&bundle(vec![o]));
    assert_eq!(m.case.labs[0].value, Some(3.0));
    assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
    assert!(m.notes[0].contains("reported as < 3"), "{:?}", m.notes);
}

#[test]
fn a_draft_orders_reasons_are_kept_beside_the_drug() {
    let mut draft = med_request(
        "d1",
        "draft",
        json!({ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "3443", "display": "diltiazem" }),
    );
    draft["reasonCode"] = json!([
        { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.62" }], "text": "leg cramps" },
        { "text": "" }
    ]);
    let m = read_with(&bundle(vec![draft]), true).unwrap();
    assert_eq!(m.case.considering.len(), 1);
    assert_eq!(m.considering_reasons.len(), 1);
    let reasons = &m.considering_reasons[0];
    assert_eq!(reasons.len(), 1, "an empty reason is left out");
    assert_eq!(reasons[0].icd10.as_deref(), Some("G47.62"));
    assert_eq!(reasons[0].name.as_deref(), Some("leg cramps"));
}

#[test]
fn a_draft_orders_reason_references_resolve_against_the_charts_conditions_whatever_their_status() {
    let mut draft = med_request(
        "d1",
        "draft",
        json!({ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1292", "display": "baclofen" }),
    );
    draft["reasonReference"] = json!([{ "reference": "Condition/ms" }, { "display": "no reference" }]);
    let chart = bundle(vec![
        condition("ms", Some("active"), None, "G35", "multiple sclerosis"),
        condition("old", Some("resolved"), None, "S82.201A", "fractured tibia"),
    ]);
    let drafts = read_with(&bundle(vec![draft]), true).unwrap();
    assert_eq!(drafts.considering_reason_refs, vec![vec!["Condition/ms".to_string()]]);
    let opts = MapOptions {
        today: date!(2026 - 11 - 23),
        drafts_as_considering: false,
        keep_condition_refs: true,
        readings: &Known,
    };
    let m = case_from_bundle(&chart.to_string(), &opts).unwrap();
    assert_eq!(
        m.reason_condition("Condition/ms").and_then(|c| c.icd10.as_deref()),
        Some("G35")
    );
    assert_eq!(
        m.reason_condition("https://ehr.example/fhir/Condition/ms")
            .and_then(|c| c.name.as_deref()),
        Some("multiple sclerosis")
    );
    // A resolved condition is no problem of the case, but an order may still name it.
    assert_eq!(m.case.conditions.len(), 1);
    assert!(m.reason_condition("Condition/old").is_some());
    assert!(m.reason_condition("Condition/missing").is_none());
    assert!(m.reason_condition("Observation/ms").is_none());
    // Not kept unless asked (only order hooks read them).
    assert!(read_with(&chart, false).unwrap().condition_refs.is_empty());
    // A version is left off; a Condition is also found by the fullUrl it was sent with (a
    // transaction names a new Condition by its urn:uuid), with or without an id.
    assert!(m.reason_condition("Condition/ms/_history/2").is_some());
    let uuid = "urn:uuid:5b2f6a1e-2c4d-4e8f-9a0b-1c2d3e4f5a6b";
    let mut no_id = condition("x", None, None, "G35", "multiple sclerosis");
    no_id.as_object_mut().unwrap().remove("id");
    let sent = json!({ "resourceType": "Bundle", "type": "transaction",
        "entry": [{ "fullUrl": uuid, "resource": no_id }] });
    let m = case_from_bundle(&sent.to_string(), &opts).unwrap();
    assert_eq!(m.reason_condition(uuid).and_then(|c| c.icd10.as_deref()), Some("G35"));
}

#[test]
fn a_draft_orders_contained_reason_is_read_with_its_coded_reasons() {
    let mut draft = med_request(
        "d1",
        "draft",
        json!({ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1292", "display": "baclofen" }),
    );
    draft["contained"] = json!([condition("r1", None, None, "G35", "multiple sclerosis")]);
    draft["reasonReference"] = json!([{ "reference": "#r1" }, { "reference": "#elsewhere" }]);
    let drafts = read_with(&bundle(vec![draft]), true).unwrap();
    assert_eq!(drafts.considering_reasons[0].len(), 1);
    assert_eq!(drafts.considering_reasons[0][0].icd10.as_deref(), Some("G35"));
    // A local reference to nothing contained stays a reference (unresolved: an unknown reason).
    assert_eq!(drafts.considering_reason_refs, vec![vec!["#elsewhere".to_string()]]);
}
