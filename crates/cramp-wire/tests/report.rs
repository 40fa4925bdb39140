//! Snapshots of the readable report for named scenarios (kb_version redacted: it changes with content).

mod common;

use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, assess};
use cramp_wire::{Style, parse_case, render, to_wire};

fn report(case: &str, audience: Audience, style: Style) -> String {
    let kb = common::kb();
    let a = assess(kb, &parse_case(case).unwrap(), AssessOptions::default());
    render(&to_wire(&a, audience, None), &kb.wording, style).replace(&kb.kb_version, "<kb_version>")
}

const OLDER_ADULT_ON_THIAZIDE: &str = r#"{"patient": {"age": 74, "sex": "female"},
 "symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false, "episodes_per_week": 3},
 "medications": [{"name": "bendroflumethiazide 2.5 mg"}],
 "labs": [{"loinc": "2823-3", "value": 3.3, "unit": "mmol/L"}]}"#;

const PREGNANT_ON_QUININE: &str = r#"{"patient": {"age": 31, "sex": "female", "gestational_weeks": 26},
 "symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false},
 "medications": [{"name": "quinine sulfate 200 mg"}]}"#;

const RLS_WITH_LOW_FERRITIN: &str = r#"{"patient": {"age": 52, "sex": "female", "pregnant": false},
 "symptoms": {"feels_like": "urge_to_move", "worse_in_evening": true, "relieved_by": "any_movement", "returns_at_rest": true},
 "labs": [{"loinc": "2276-4", "value": 48, "unit": "ng/mL", "ref_low": 15, "ref_high": 150}]}"#;

const SWOLLEN_CALF: &str = r#"{"patient": {"age": 63, "sex": "male"},
 "symptoms": {"feels_like": "painful_cramp", "calf_swelling": "one_leg", "recent_immobility": true}}"#;

#[test]
fn older_adult_on_thiazide_clinician_text() {
    insta::assert_snapshot!(report(OLDER_ADULT_ON_THIAZIDE, Audience::Clinician, Style::Text));
}

#[test]
fn older_adult_on_thiazide_patient_text() {
    insta::assert_snapshot!(report(OLDER_ADULT_ON_THIAZIDE, Audience::Patient, Style::Text));
}

#[test]
fn pregnant_on_quinine_clinician_markdown() {
    insta::assert_snapshot!(report(PREGNANT_ON_QUININE, Audience::Clinician, Style::Markdown));
}

#[test]
fn pregnant_on_quinine_patient_text() {
    insta::assert_snapshot!(report(PREGNANT_ON_QUININE, Audience::Patient, Style::Text));
}

#[test]
fn rls_with_low_ferritin_clinician_text() {
    insta::assert_snapshot!(report(RLS_WITH_LOW_FERRITIN, Audience::Clinician, Style::Text));
}

#[test]
fn swollen_calf_patient_text() {
    insta::assert_snapshot!(report(SWOLLEN_CALF, Audience::Patient, Style::Text));
}

#[test]
fn a_drug_that_is_an_option_only_elsewhere_says_why_in_each_voice() {
    let case = r#"{"considering": [{"name": "midodrine"}]}"#;
    let clinician = report(case, Audience::Clinician, Style::Text);
    assert!(
        clinician.contains("Not offered for this patient: Midodrine is an option only for this population: haemodialysis with intradialytic hypotension.")
    );
    assert!(clinician.contains("Pre-dialysis midodrine may be considered by the dialysis team"));
    let patient = report(case, Audience::Patient, Style::Text);
    assert!(patient.contains("Midodrine is not one of the treatments suggested for you"));
    // The option's own patient text speaks to someone on dialysis: only its review mark is kept.
    assert!(!patient.contains("during dialysis"), "{patient}");
    assert!(patient.contains("[S/U: not yet confirmed by a clinician]"));
}

#[test]
fn a_beers_group_is_named_without_its_code_in_the_patient_voice_only() {
    let kb = common::kb();
    let displays = |audience| {
        let bytes = cramp_wire::assess_json(
            kb,
            common::cache(),
            OLDER_ADULT_ON_THIAZIDE,
            audience,
            AssessOptions::default(),
        )
        .unwrap();
        let out: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        out["avoid"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| {
                v["atc"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("M03B") && a != "M03BX01")
            })
            .map(|v| v["display"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let clinician = displays(Audience::Clinician);
    let patient = displays(Audience::Patient);
    assert_eq!(clinician.len(), 4);
    assert_eq!(patient.len(), 4, "the same items in both voices");
    assert!(clinician[0].contains("ATC M03BA"), "{clinician:?}");
    assert!(
        patient.iter().all(|d| !d.contains("ATC") && !d.contains("M03B")),
        "{patient:?}"
    );
}

#[test]
fn a_result_judged_by_a_range_in_another_unit_is_also_shown_in_that_unit_for_clinicians() {
    let kb = common::kb();
    let texts = |case: &str, audience| {
        let bytes = cramp_wire::assess_json(kb, common::cache(), case, audience, AssessOptions::default()).unwrap();
        let out: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        out["lab_findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["text"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // A magnesium in mg/dL against the default range in mmol/L: "1.6 … low (against 0.7-1)" read
    // as a mistake. Converted by c.3 (mmol/L × 2.431 = mg/dL).
    let mg = texts(
        r#"{"labs": [{"name": "magnesium", "value": 1.6, "unit": "mg/dL"}]}"#,
        Audience::Clinician,
    );
    assert!(
        mg[0].starts_with(
            "magnesium 1.6 mg/dL (0.658 mmol/L): low (against the knowledge-base default range 0.7-1 mmol/L"
        ),
        "{mg:?}"
    );
    // Beyond a critical limit, likewise.
    let ca = texts(
        r#"{"labs": [{"name": "calcium", "value": 7.6, "unit": "mg/dL"}]}"#,
        Audience::Clinician,
    );
    assert!(
        ca[0].starts_with("calcium 7.6 mg/dL (1.9 mmol/L): critically low (beyond the critical limit 2 mmol/L"),
        "{ca:?}"
    );
    // Not when the unit is the range's own or the same number (mEq/L), nor against the
    // laboratory's range (in the result's own unit), nor for patients (no range is shown to them).
    for (case, audience) in [
        (
            r#"{"labs": [{"name": "magnesium", "value": 0.6584, "unit": "mmol/L"}]}"#,
            Audience::Clinician,
        ),
        (
            r#"{"labs": [{"name": "potassium", "value": 3.2, "unit": "mEq/L"}]}"#,
            Audience::Clinician,
        ),
        (
            r#"{"labs": [{"name": "magnesium", "value": 1.6, "unit": "mg/dL", "ref_low": 1.7, "ref_high": 2.2}]}"#,
            Audience::Clinician,
        ),
        (
            r#"{"labs": [{"name": "magnesium", "value": 1.6, "unit": "mg/dL"}]}"#,
            Audience::Patient,
        ),
    ] {
        let t = texts(case, audience);
        assert!(!t[0].contains("mmol/L)"), "{t:?}");
    }
}
