//! One test per rule, named as the sentence it checks. Cases are SPEC §3 JSON; the knowledge base
//! is the repository's `knowledge/`.

mod common;

use common::kb;
use cramp_core::assessment::{Decision, DifferentialItem};
use cramp_core::vocab::*;
use cramp_core::{AssessOptions, Assessment, Case, assess};

fn run(json: &str) -> Assessment<'static> {
    let case: Case = serde_json::from_str(json).expect("test case parses");
    case.validate().expect("test case is valid");
    assess(kb(), &case, AssessOptions::default())
}

fn flags(a: &Assessment) -> Vec<&'static str> {
    a.red_flags.iter().map(|r| r.id.as_str()).collect()
}
fn flag_urgency(a: &Assessment, id: &str) -> Option<&'static str> {
    a.red_flags
        .iter()
        .find(|r| r.id.as_str() == id)
        .map(|r| r.urgency.as_str())
}
fn plan(a: &Assessment) -> Vec<&'static str> {
    a.plan.iter().map(|p| p.id.as_str()).collect()
}
fn avoid(a: &Assessment) -> Vec<String> {
    a.avoid.iter().filter_map(|v| v.atc.clone()).collect()
}
fn options(a: &Assessment) -> Vec<String> {
    a.medication_options
        .iter()
        .filter_map(|o| o.entry.atc.clone())
        .collect()
}
fn labs(a: &Assessment) -> Vec<String> {
    a.labs.iter().map(|l| l.loinc.clone()).collect()
}
fn most_likely(a: &Assessment<'static>) -> Option<&'static str> {
    a.classification.most_likely.as_ref().map(|m| m.code.code.as_str())
}
fn referral(a: &Assessment) -> (Option<&'static str>, Vec<&'static str>) {
    (
        a.referral.urgency.map(|u| u.as_str()),
        a.referral.to.iter().map(|d| d.as_str()).collect(),
    )
}
fn review(a: &Assessment) -> Vec<(String, &'static str)> {
    a.medication_review
        .iter()
        .map(|m| (m.atc.clone(), m.tier.as_str()))
        .collect()
}
/// The differential item of a code; the code must be listed.
fn differential_item<'a>(a: &'a Assessment<'static>, code: &str) -> &'a DifferentialItem<'static> {
    a.classification
        .differential
        .iter()
        .find(|d| d.code.code == code)
        .unwrap_or_else(|| panic!("{code} is not in the differential"))
}
/// The differential status of a code, if the code is listed.
fn differential(a: &Assessment, code: &str) -> Option<&'static str> {
    a.classification
        .differential
        .iter()
        .find(|d| d.code.code == code)
        .map(|d| d.status.as_str())
}
/// How many input warnings say `phrase`.
fn warnings_with(a: &Assessment, phrase: &str) -> usize {
    a.input_warnings.iter().filter(|w| w.contains(phrase)).count()
}
fn interpretation(a: &Assessment, loinc: &str) -> Option<&'static str> {
    a.lab_findings
        .iter()
        .find(|f| f.loinc.as_deref() == Some(loinc))
        .and_then(|f| f.interpretation.map(|i| i.as_str()))
}

const NLC: &str = r#""feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false"#;
const RLS: &str =
    r#""feels_like": "urge_to_move", "worse_in_evening": true, "relieved_by": "any_movement", "returns_at_rest": true"#;

// ---- classification ----

#[test]
fn four_cramp_typical_answers_give_nlc_with_high_confidence_and_rls_unlikely() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 67, "sex": "male"}}, "symptoms": {{{NLC}}}}}"#
    ));
    assert_eq!(most_likely(&a), Some("G47.62"));
    assert_eq!(
        a.classification.most_likely.as_ref().unwrap().confidence,
        Confidence::High
    );
    assert_eq!(differential_item(&a, "G25.81").status, DifferentialStatus::Unlikely);
}

#[test]
fn four_rls_positive_answers_give_rls() {
    let a = run(&format!(r#"{{"symptoms": {{{RLS}}}}}"#));
    assert_eq!(most_likely(&a), Some("G25.81"));
}

#[test]
fn both_sensations_with_rls_positive_answers_are_coexisting_nlc_and_rls() {
    let a = run(
        r#"{"symptoms": {"feels_like": "both", "worse_in_evening": true, "relieved_by": "any_movement", "returns_at_rest": true}}"#,
    );
    let statuses: Vec<_> = a
        .classification
        .differential
        .iter()
        .map(|d| (d.code.code.as_str(), d.status))
        .collect();
    assert!(statuses.contains(&("G47.62", DifferentialStatus::Likely)));
    assert!(statuses.contains(&("G25.81", DifferentialStatus::Likely)));
    assert_eq!(
        a.classification.most_likely.as_ref().unwrap().confidence,
        Confidence::Moderate
    );
}

#[test]
fn a_missing_differentiating_answer_lowers_confidence_and_becomes_a_question() {
    let a =
        run(r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "stretching", "worse_in_evening": false}}"#);
    assert_eq!(
        a.classification.most_likely.as_ref().unwrap().confidence,
        Confidence::Moderate
    );
    assert_eq!(a.questions[0].field, "symptoms.returns_at_rest");
}

#[test]
fn a_mimic_found_on_examination_is_not_low_confidence_for_want_of_the_rls_questions() {
    let conf = |json: &str| {
        let a = run(json);
        let m = a.classification.most_likely.as_ref().expect("a most likely condition");
        (m.code.code.clone(), m.confidence)
    };
    // Night-time foot pain eased by hanging the leg down, ABI 0.35: only Q1 and Q3 answered.
    let (code, c) = conf(
        r#"{"patient": {"age": 79}, "symptoms": {"feels_like": "painful_cramp", "relieved_by": "hanging_leg_down", "when": "night", "location": ["foot"]}, "exam": {"abi": 0.35, "pedal_pulses": "absent"}}"#,
    );
    assert!(code.starts_with("I70.2"), "{code}");
    assert_eq!(c, Confidence::Moderate);
    // The same answers without an examination stay low.
    let (_, c) = conf(
        r#"{"patient": {"age": 79}, "symptoms": {"feels_like": "painful_cramp", "relieved_by": "hanging_leg_down", "when": "night", "location": ["foot"]}}"#,
    );
    assert_eq!(c, Confidence::Low);
}

#[test]
fn an_empty_case_is_indeterminate_and_asks_the_four_questions_first() {
    let a = run("{}");
    assert!(a.classification.most_likely.is_none());
    let fields: Vec<_> = a.questions.iter().map(|q| q.field).collect();
    assert_eq!(
        &fields[..5],
        &[
            "symptoms.feels_like",
            "symptoms.worse_in_evening",
            "symptoms.relieved_by",
            "symptoms.returns_at_rest",
            "patient.age"
        ]
    );
}

#[test]
fn exertional_pain_relieved_by_rest_with_absent_pulses_is_pad_not_nlc() {
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "rest", "when": "walking"}, "exam": {"pedal_pulses": "absent"}}"#,
    );
    assert_eq!(most_likely(&a), Some("I73.9"));
    assert!(plan(&a).contains(&"supervised_exercise"));
    assert!(!plan(&a).contains(&"nightly_stretching"));
}

#[test]
fn exertional_pain_relieved_by_rest_without_an_exam_is_indeterminate_and_prompts_the_exam_and_wound_question() {
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "rest", "returns_at_rest": false, "when": "walking"}}"#,
    );
    assert!(most_likely(&a).is_none());
    let fields: Vec<_> = a.questions.iter().map(|q| q.field).collect();
    assert!(fields.contains(&"exam.pedal_pulses") && fields.contains(&"exam.abi"));
    // And a wound that would make it critical limb-threatening ischaemia (c.5).
    assert!(fields.contains(&"symptoms.non_healing_wound"), "{fields:?}");
}

#[test]
fn pain_on_walking_relieved_by_sitting_forward_is_neurogenic_claudication_and_asks_the_cauda_equina_signs() {
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "sitting_or_bending_forward", "when": "standing_or_walking"}}"#,
    );
    assert_eq!(most_likely(&a), Some("M48.062"));
    assert!(plan(&a).contains(&"spine_assessment"));
    // The cauda equina triggers (c.5) are asked until answered.
    let fields: Vec<&str> = a.questions.iter().map(|q| q.field).collect();
    assert!(
        fields.contains(&"symptoms.bladder_or_bowel_change") && fields.contains(&"symptoms.saddle_numbness"),
        "{fields:?}"
    );
    let answered = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "sitting_or_bending_forward", "when": "standing_or_walking", "bladder_or_bowel_change": false, "saddle_numbness": false}}"#,
    );
    assert!(
        answered
            .questions
            .iter()
            .all(|q| !q.field.contains("bladder") && !q.field.contains("saddle"))
    );
}

#[test]
fn relief_by_sitting_or_bending_forward_at_another_time_names_neurogenic_claudication_as_possible() {
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "sitting_or_bending_forward", "when": "day"}}"#,
    );
    assert_eq!(differential(&a, "M48.062"), Some("possible"));
    assert!(most_likely(&a).is_none());
    assert!(!plan(&a).contains(&"spine_assessment"));
}

#[test]
fn cramps_with_sensory_signs_in_diabetes_get_foot_care() {
    // NLC stays most likely; the neuropathy is possible beside it, and the diabetic foot is cared for.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "tingling": true}}, "conditions": [{{"icd10": "E11.9"}}], "exam": {{"sensory_loss": true, "reflexes": "reduced"}}}}"#
    ));
    assert_eq!(most_likely(&a), Some("G47.62"));
    assert!(plan(&a).contains(&"foot_care"));
    // Without diabetes, no foot care.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "tingling": true}}, "exam": {{"sensory_loss": true, "reflexes": "reduced"}}}}"#
    ));
    assert!(!plan(&a).contains(&"foot_care"));
}

#[test]
fn diabetes_written_as_its_type_with_dm_is_diabetes_and_dm_alone_is_not() {
    for name in ["T2 DM", "T1 DM", "DM2", "Type II DM", "DM type 2", "T2DM", "NIDDM"] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}, "tingling": true}}, "conditions": [{{"name": "{name}"}}], "exam": {{"sensory_loss": true, "reflexes": "reduced"}}}}"#
        ));
        assert!(plan(&a).contains(&"foot_care"), "{name}");
        assert_eq!(warnings_with(&a, "matches no condition"), 0, "{name}");
    }
    // "DM" alone is also dermatomyositis: named as unmatched, not read as diabetes.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "tingling": true}}, "conditions": [{{"name": "DM"}}], "exam": {{"sensory_loss": true, "reflexes": "reduced"}}}}"#
    ));
    assert!(!plan(&a).contains(&"foot_care"));
    assert_eq!(warnings_with(&a, "matches no condition"), 1);
}

#[test]
fn a_condition_coded_in_snomed_ct_alone_reaches_its_gate() {
    let with = |snomed: &str, rest: &str| {
        run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"snomed": "{snomed}"}}]{rest}}}"#
        ))
    };
    // Heart failure, hyponatraemia: no fluid advice; heart failure also avoids an NSAID taken.
    for hf in ["84114007", "42343007"] {
        let a = with(hf, r#", "medications": [{"name": "naproxen"}]"#);
        assert!(!plan(&a).contains(&"hydration"), "{hf}");
        assert!(avoid(&a).iter().any(|c| c.starts_with("M01AE02")), "{hf}");
    }
    assert!(!plan(&with("89627008", "")).contains(&"hydration"));
    assert!(
        plan(&with("77176002x", "")).contains(&"hydration"),
        "an unknown code changes nothing"
    );
    // Diabetes with neuropathic signs: foot care.
    for dm in ["73211009", "44054006", "46635009"] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}, "tingling": true}}, "conditions": [{{"snomed": "{dm}"}}], "exam": {{"sensory_loss": true, "reflexes": "reduced"}}}}"#
        ));
        assert!(plan(&a).contains(&"foot_care"), "{dm}");
    }
    // Cirrhosis with CKD stage 4 or 5, or with hepatic encephalopathy: baclofen withheld.
    for other in ["431857002", "433146000", "13920009"] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"snomed": "19943007"}}, {{"snomed": "{other}"}}]}}"#
        ));
        assert!(!options(&a).iter().any(|c| c == "M03BX01"), "{other}");
        assert!(avoid(&a).iter().any(|c| c == "M03BX01"), "{other}");
    }
    // Pregnancy: quinine considered is the pregnancy red flag.
    let a = with("77386006", r#", "considering": [{"name": "quinine"}]"#);
    assert!(flags(&a).contains(&"quinine_in_pregnancy"));
    // A recorded hypokalaemia or hypomagnesaemia: the electrolyte is corrected.
    for low in ["43339004", "190855004"] {
        assert!(plan(&with(low, "")).contains(&"correct_electrolytes"), "{low}");
    }
}

#[test]
fn constant_pain_is_not_called_a_cramp_even_when_stretching_eases_it() {
    // c.1: a cramp lasts seconds to about ten minutes. Both legs, no immobility: no DVT flag either.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "when": "constant", "location": ["calf"], "side": "both", "recent_immobility": false}}}}"#
    ));
    assert!(most_likely(&a).is_none());
    assert!(!plan(&a).contains(&"reassurance"));
    assert_eq!(differential(&a, "G47.62"), Some("possible"));
}

#[test]
fn cramps_with_motor_neuron_disease_already_diagnosed_are_disease_associated_without_reassurance() {
    // c.5: cramps of a neuromuscular disease are not labelled idiopathic; no reassurance.
    for condition in [r#"{"icd10": "G12.21"}"#, r#"{"name": "ALS (diagnosed 2024)"}"#] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}]}}"#));
        assert!(!plan(&a).contains(&"reassurance"), "{condition}");
        assert_eq!(differential(&a, "R25.2"), Some("likely"), "{condition}");
    }
}

#[test]
fn als_named_is_coded_g12_21() {
    // EVIDENCE d.1: possible motor neuron disease is G12.20, G12.21 when ALS is named.
    let mnd = r#""feels_like": "painful_cramp", "twitching": true, "weakness": true, "progressive": true"#;
    let a = run(&format!(r#"{{"symptoms": {{{mnd}}}}}"#));
    assert_eq!(most_likely(&a), Some("G12.20"));
    for condition in [
        r#"{"name": "ALS"}"#,
        r#"{"icd10": "G12.21"}"#,
        r#"{"snomed": "86044005"}"#,
        r#"{"name": "amyotrophic lateral sclerosis"}"#,
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{mnd}}}, "conditions": [{condition}]}}"#));
        assert_eq!(most_likely(&a), Some("G12.21"), "{condition}");
        assert_eq!(flag_urgency(&a, "possible_motor_neuron_disease"), Some("urgent"));
        // Without the pathway, the diagnosis is in the differential beside the cramps' own code.
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}]}}"#));
        assert_eq!(differential(&a, "G12.21"), Some("likely"), "{condition}");
        assert_eq!(differential(&a, "R25.2"), Some("likely"), "{condition}");
    }
    // Motor neuron disease not named as ALS keeps G12.20 and adds no G12.21; "falls" is not "ALS".
    for condition in [r#"{"name": "motor neurone disease"}"#, r#"{"name": "falls"}"#] {
        let a = run(&format!(r#"{{"symptoms": {{{mnd}}}, "conditions": [{condition}]}}"#));
        assert_eq!(most_likely(&a), Some("G12.20"), "{condition}");
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}]}}"#));
        assert_eq!(differential(&a, "G12.21"), None, "{condition}");
    }
}

#[test]
fn limb_threatening_ischaemia_with_gangrene_named_is_coded_as_gangrene() {
    // EVIDENCE d.1: CLTI is I70.22- with rest pain, I70.26- with gangrene; with type 2 diabetes
    // E11.51 (without gangrene) or E11.52 (with gangrene).
    let rest_pain = r#""feels_like": "painful_cramp", "when": "night", "relieved_by": "hanging_leg_down", "location": ["foot"], "non_healing_wound": true"#;
    let exam = r#""exam": {"abi": 0.4, "pedal_pulses": "absent"}"#;
    let case = |conditions: &str| {
        run(&format!(
            r#"{{"symptoms": {{{rest_pain}}}, {exam}, "conditions": [{conditions}]}}"#
        ))
    };
    assert_eq!(most_likely(&case(r#"{"name": "hypertension"}"#)), Some("I70.22"));
    assert_eq!(most_likely(&case(r#"{"name": "type 2 diabetes"}"#)), Some("E11.51"));
    for gangrene in [r#"{"name": "gangrene of the left hallux"}"#, r#"{"icd10": "I70.262"}"#] {
        let a = case(gangrene);
        assert_eq!(most_likely(&a), Some("I70.26"), "{gangrene}");
        assert_eq!(flag_urgency(&a, "critical_limb_ischaemia"), Some("urgent"));
        let a = case(&format!(r#"{gangrene}, {{"name": "type 2 diabetes"}}"#));
        assert_eq!(most_likely(&a), Some("E11.52"), "{gangrene}");
    }
    // Gangrene written as healed is history, not this stage.
    assert_eq!(
        most_likely(&case(
            r#"{"name": "type 2 diabetes"}, {"name": "healed gangrene of toe"}"#
        )),
        Some("E11.51")
    );
}

#[test]
fn type_1_diabetes_named_takes_the_type_1_codes_and_an_unnamed_type_the_default_e11() {
    let neuropathy =
        r#""feels_like": "burning_or_numb", "when": "night", "location": ["foot"], "tingling": true, "numbness": true"#;
    let signs = r#""exam": {"sensory_loss": true, "reflexes": "reduced"}"#;
    let claudication =
        r#""feels_like": "painful_cramp", "when": "walking", "relieved_by": "rest", "location": ["calf"]"#;
    let low_abi = r#""exam": {"abi": 0.7}"#;
    for (diabetes, e) in [
        (r#"{"name": "type 1 diabetes"}"#, "E10"),
        (r#"{"icd10": "E10.9"}"#, "E10"),
        (r#"{"snomed": "46635009"}"#, "E10"),
        (r#"{"name": "IDDM"}"#, "E10"),
        (r#"{"name": "type 2 diabetes"}"#, "E11"),
        (r#"{"name": "NIDDM"}"#, "E11"),
        (r#"{"name": "diabetes"}"#, "E11"),
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{neuropathy}}}, {signs}, "conditions": [{diabetes}]}}"#
        ));
        assert_eq!(most_likely(&a), Some(format!("{e}.42").as_str()), "{diabetes}");
        let a = run(&format!(
            r#"{{"symptoms": {{{claudication}}}, {low_abi}, "conditions": [{diabetes}]}}"#
        ));
        assert_eq!(most_likely(&a), Some(format!("{e}.51").as_str()), "{diabetes}");
    }
    // Diabetes insipidus (lithium's nephrogenic form among others) is not diabetes mellitus.
    let a = run(&format!(
        r#"{{"symptoms": {{{neuropathy}}}, {signs}, "conditions": [{{"name": "nephrogenic diabetes insipidus"}}]}}"#
    ));
    assert_eq!(most_likely(&a), Some("G62.9"));
}

#[test]
fn a_neuropathy_or_lumbar_stenosis_already_diagnosed_is_in_the_differential() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "E11.42"}}]}}"#
    ));
    assert_eq!(most_likely(&a), Some("G47.62"));
    assert!(differential(&a, "E11.42").is_some());
    for item in ["foot_care", "glycaemic_control", "b12_assessment"] {
        assert!(plan(&a).contains(&item), "{item}");
    }
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "lumbar spinal stenosis"}}]}}"#
    ));
    assert_eq!(differential(&a, "M48.062"), Some("possible"));
    assert!(!plan(&a).contains(&"spine_assessment"));
}

#[test]
fn rls_is_called_unlikely_for_cramp_typical_answers_only_when_all_four_are() {
    let because = |symptoms: &str| {
        let a = run(&format!(r#"{{"symptoms": {{{symptoms}}}}}"#));
        let rls = differential_item(&a, "G25.81");
        assert_eq!(rls.status, DifferentialStatus::Unlikely, "{symptoms}");
        rls.because[0].phrase.clinician.clone()
    };
    assert!(because(NLC).contains("all four"));
    // Burning feet worse in the evening: no urge to move, so not RLS, but not cramp-typical either.
    let burning = because(
        r#""feels_like": "burning_or_numb", "worse_in_evening": true, "relieved_by": "nothing", "returns_at_rest": false"#,
    );
    assert!(
        !burning.contains("cramp-typical") && burning.contains("urge to move"),
        "{burning}"
    );
}

#[test]
fn an_indeterminate_call_lists_its_pathway_as_possible_and_says_why_in_words_that_fit_the_answers() {
    // Q2 and Q4 RLS-typical beside a painful cramp relieved by stretching: indeterminate.
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "worse_in_evening": true, "relieved_by": "stretching", "returns_at_rest": true}}"#,
    );
    assert_eq!(
        a.classification.most_likely.as_ref().map(|m| m.confidence),
        Some(Confidence::Low)
    );
    assert_eq!(differential(&a, "G47.62"), Some("possible"));
    assert_eq!(differential(&a, "G25.81"), Some("possible"));
    // A painful cramp relieved by nothing is likely cramps, but not "relieved by stretching".
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "nothing", "returns_at_rest": false}}"#,
    );
    let nlc = differential_item(&a, "G47.62");
    assert_eq!(nlc.status, DifferentialStatus::Likely);
    assert!(!nlc.because[0].phrase.clinician.contains("relieved by stretching"));
    // All four cramp-typical: the full pattern.
    let a = run(&format!(r#"{{"symptoms": {{{NLC}}}}}"#));
    assert!(
        differential_item(&a, "G47.62").because[0]
            .phrase
            .clinician
            .contains("relieved by stretching")
    );
}

#[test]
fn rls_already_diagnosed_is_named_as_such_when_the_answers_describe_cramps() {
    for condition in [
        r#"{"icd10": "G25.81"}"#,
        r#"{"snomed": "32914008"}"#,
        r#"{"name": "restless legs syndrome"}"#,
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}]}}"#));
        assert_eq!(most_likely(&a), Some("G47.62"), "{condition}");
        let rls = differential_item(&a, "G25.81");
        assert_eq!(rls.status, DifferentialStatus::Unlikely, "{condition}");
        assert!(
            rls.because.iter().any(|b| b.phrase.clinician.contains("problem list")),
            "{condition}"
        );
    }
    // With the questions unanswered, a diagnosed RLS is listed as possible.
    let a = run(r#"{"conditions": [{"icd10": "G25.81"}]}"#);
    assert_eq!(differential(&a, "G25.81"), Some("possible"));
}

#[test]
fn burning_numb_feet_in_diabetes_are_diabetic_neuropathy() {
    let a = run(
        r#"{"symptoms": {"feels_like": "burning_or_numb", "numbness": true}, "conditions": [{"name": "type 2 diabetes"}], "exam": {"sensory_loss": true}}"#,
    );
    assert_eq!(most_likely(&a), Some("E11.42"));
    assert!(plan(&a).contains(&"glycaemic_control") && plan(&a).contains(&"foot_care"));
}

#[test]
fn kicking_without_pain_or_urge_is_plmd_with_a_sleep_study_referral() {
    let a = run(r#"{"symptoms": {"feels_like": "none", "kicking_reported": true, "sleep_disrupted": true}}"#);
    assert_eq!(most_likely(&a), Some("G47.61"));
    assert!(plan(&a).contains(&"sleep_study"));
    assert_eq!(referral(&a), (Some("routine"), vec!["sleep_medicine"]));
}

#[test]
fn daytime_only_cramps_are_cramp_and_spasm_not_sleep_related_cramps() {
    let a = run(&format!(r#"{{"symptoms": {{{NLC}, "when": "day"}}}}"#));
    assert_eq!(most_likely(&a), Some("R25.2"));
    assert!(!a.classification.differential.iter().any(|d| d.code.code == "G47.62"));
}

#[test]
fn calf_cramps_with_weakness_wasting_or_other_abnormal_signs_get_the_examination_item_but_no_reassurance() {
    for sign in [
        r#""weakness": true"#,
        r#""muscle_wasting": true"#,
        r#""dysphagia": true"#,
    ] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 66}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf"], {sign}}}, "medications": [{{"name": "simvastatin"}}]}}"#
        ));
        assert!(plan(&a).contains(&"neurological_exam"), "{sign}");
        assert!(plan(&a).contains(&"nightly_stretching"), "{sign}");
        assert!(!plan(&a).contains(&"reassurance"), "{sign}");
    }
    for sign in [
        r#""objective_weakness": true"#,
        r#""sensory_loss": true"#,
        r#""reflexes": "reduced""#,
    ] {
        let exam = run(&format!(
            r#"{{"patient": {{"age": 66}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf"]}}, "exam": {{{sign}}}}}"#
        ));
        assert!(plan(&exam).contains(&"neurological_exam"), "{sign}");
        assert!(!plan(&exam).contains(&"reassurance"), "{sign}");
    }
    // Fasciculations alone, like twitching, keep the conditional reassurance.
    let fasc = run(&format!(
        r#"{{"patient": {{"age": 66}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf"], "weakness": false}}, "exam": {{"fasciculations": true}}}}"#
    ));
    assert!(plan(&fasc).contains(&"reassurance"));
    let none = run(&format!(
        r#"{{"patient": {{"age": 66}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf"], "weakness": false}}}}"#
    ));
    assert!(plan(&none).contains(&"reassurance"));
}

#[test]
fn weakness_wasting_trouble_swallowing_or_progression_with_fasciculations_unknown_asks_about_twitching() {
    // c.5 possible_motor_neuron_disease: fasciculations are the missing part of its trigger.
    let questions = |extra: &str| {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf"], {extra}}}}}"#
        ));
        a.questions.iter().map(|q| q.field).collect::<Vec<_>>()
    };
    for sign in [
        r#""weakness": true"#,
        r#""muscle_wasting": true"#,
        r#""dysphagia": true"#,
        r#""progressive": true"#,
    ] {
        let asked = questions(sign);
        assert!(asked.contains(&"symptoms.twitching"), "{sign}: {asked:?}");
        // Before the examination prompts (SPEC §4).
        if let Some(exam) = asked.iter().position(|f| f.starts_with("exam.")) {
            assert!(
                asked.iter().position(|f| *f == "symptoms.twitching").unwrap() < exam,
                "{asked:?}"
            );
        }
    }
    // Answered, or nothing beside it: not asked; with twitching, trouble swallowing is the MND flag.
    assert!(!questions(r#""dysphagia": true, "twitching": false"#).contains(&"symptoms.twitching"));
    assert!(!questions(r#""tingling": true"#).contains(&"symptoms.twitching"));
    let a = run(&format!(
        r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf"], "dysphagia": true, "twitching": true}}}}"#
    ));
    assert_eq!(flag_urgency(&a, "possible_motor_neuron_disease"), Some("urgent"));
}

#[test]
fn night_cramps_only_in_the_hands_are_cramp_and_spasm_without_calf_advice_or_reassurance_until_weakness_is_answered() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 50}}, "symptoms": {{{NLC}, "when": "night", "location": ["hand"]}}}}"#
    ));
    assert_eq!(most_likely(&a), Some("R25.2"));
    // The calf and foot advice does not apply to cramps outside the legs.
    for leg_item in ["nightly_stretching", "acute_cramp_relief", "sleep_position"] {
        assert!(!plan(&a).contains(&leg_item), "{leg_item}");
    }
    assert!(plan(&a).contains(&"safety_net_advice"));
    let asked: Vec<&str> = a.questions.iter().map(|q| q.field).collect();
    assert!(asked.contains(&"symptoms.weakness"), "{asked:?}");
    assert!(asked.contains(&"exam.objective_weakness"), "{asked:?}");
    // No reassurance while weakness (c.5's MND trigger) is not known; with it answered no, as usual.
    assert!(!plan(&a).contains(&"reassurance"));
    let not_weak = run(&format!(
        r#"{{"patient": {{"age": 50}}, "symptoms": {{{NLC}, "when": "night", "location": ["hand"], "weakness": false}}}}"#
    ));
    assert!(plan(&not_weak).contains(&"reassurance"));
    let legs_too = run(&format!(
        r#"{{"patient": {{"age": 50}}, "symptoms": {{{NLC}, "when": "night", "location": ["calf", "hand"], "weakness": false}}}}"#
    ));
    assert_eq!(most_likely(&legs_too), Some("G47.62"));
    assert!(plan(&legs_too).contains(&"nightly_stretching"));
    assert!(!legs_too.questions.iter().any(|q| q.field == "symptoms.weakness"));
}

#[test]
fn twitching_with_weakness_unknown_asks_about_weakness_and_keeps_the_examination_and_reassurance() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}, "location": ["calf"], "twitching": true}}}}"#
    ));
    assert!(a.questions.iter().any(|q| q.field == "symptoms.weakness"));
    // Twitching alone is common with idiopathic cramps: the examination item, and the (conditional)
    // reassurance stays (c.10).
    assert!(plan(&a).contains(&"neurological_exam"));
    assert!(plan(&a).contains(&"reassurance"));
}

#[test]
fn cramps_on_exertion_are_not_called_sleep_related_and_claudication_stays_possible_until_the_pulses_are_known() {
    for when in ["walking", "standing_or_walking"] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}, "when": "{when}", "location": ["calf"]}}}}"#
        ));
        assert_eq!(most_likely(&a), Some("R25.2"), "{when}");
        assert_eq!(differential(&a, "I73.9"), Some("possible"), "{when}");
        assert!(a.questions.iter().any(|q| q.field == "exam.pedal_pulses"), "{when}");
        // Pulses and ABI normal: claudication is not kept in the differential.
        let examined = run(&format!(
            r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}, "when": "{when}", "location": ["calf"]}}, "exam": {{"pedal_pulses": "normal", "abi": 1.1}}}}"#
        ));
        assert_eq!(differential(&examined, "I73.9"), None, "{when}");
    }
}

#[test]
fn pregnancy_adds_the_trimester_code_beside_nlc() {
    let a = run(&format!(
        r#"{{"patient": {{"sex": "female", "gestational_weeks": 30}}, "symptoms": {{{NLC}}}}}"#
    ));
    assert!(a.classification.differential.iter().any(|d| d.code.code == "O26.893"));
}

// ---- red flags (c.5) ----

#[test]
fn fasciculations_with_weakness_flag_possible_mnd_and_urgent_neurology() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "twitching": true, "weakness": true}}}}"#
    ));
    assert_eq!(flag_urgency(&a, "possible_motor_neuron_disease"), Some("urgent"));
    assert_eq!(referral(&a), (Some("urgent"), vec!["neurology"]));
    assert!(!plan(&a).contains(&"reassurance"));
}

#[test]
fn twitching_alone_prompts_an_examination_not_a_referral() {
    let a = run(&format!(r#"{{"symptoms": {{{NLC}, "twitching": true}}}}"#));
    assert!(flags(&a).is_empty());
    assert!(plan(&a).contains(&"neurological_exam"));
    assert!(!a.referral.recommended());
}

#[test]
fn a_new_gait_or_speech_change_flags_a_neurological_deficit() {
    let a = run(&format!(r#"{{"symptoms": {{{NLC}, "gait_or_speech_change": true}}}}"#));
    assert_eq!(flag_urgency(&a, "neurological_deficit"), Some("soon"));
    assert!(!plan(&a).contains(&"reassurance"));
}

#[test]
fn a_deficit_a_condition_says_began_suddenly_is_a_stroke_emergency() {
    // c.5: "a sudden onset is a stroke emergency (emergency → emergency)"; c.10: same-day
    // assessment. SPEC §3 records no onset: a condition on the problem list says it.
    for extra in [
        r#""conditions": [{"name": "Sudden onset slurred speech"}]"#,
        r#""symptoms": {"gait_or_speech_change": true}, "conditions": [{"name": "acute stroke"}]"#,
    ] {
        let a = run(&format!("{{{extra}}}"));
        assert_eq!(flag_urgency(&a, "neurological_deficit"), Some("emergency"), "{extra}");
        assert_eq!(referral(&a), (Some("emergency"), vec!["emergency"]), "{extra}");
        assert!(plan(&a).contains(&"same_day_assessment"), "{extra}");
        assert!(!plan(&a).contains(&"reassurance"), "{extra}");
    }
    // Without a sudden onset: soon, to neurology; and a sudden onset alone flags nothing.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "gait_or_speech_change": true}}, "conditions": [{{"name": "old stroke"}}]}}"#
    ));
    assert_eq!(flag_urgency(&a, "neurological_deficit"), Some("soon"));
    assert_eq!(referral(&a), (Some("soon"), vec!["neurology"]));
    assert!(!plan(&a).contains(&"same_day_assessment"));
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "sudden onset of cramps"}}]}}"#
    ));
    assert!(flags(&a).is_empty(), "{:?}", flags(&a));
}

#[test]
fn a_finding_written_on_the_problem_list_is_read_as_its_field() {
    // "fasciculations" and "muscle wasting" as conditions: c.5's motor neuron disease trigger, as
    // the same findings answered in the form would be; by name or by ICD-10-CM code (R25.3, M62.5-,
    // M62.81), even where the form said no (the safer reading, said in the warnings).
    for conditions in [
        r#"[{"name": "Fasciculations"}, {"name": "muscle wasting of the thighs"}]"#,
        r#"[{"icd10": "R25.3"}, {"icd10": "M62.81"}]"#,
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}, "weakness": false}}, "conditions": {conditions}}}"#
        ));
        assert_eq!(
            flag_urgency(&a, "possible_motor_neuron_disease"),
            Some("urgent"),
            "{conditions}"
        );
        assert!(!plan(&a).contains(&"reassurance"), "{conditions}");
        assert_eq!(
            warnings_with(&a, "is read as `"),
            2,
            "{conditions}: {:?}",
            a.input_warnings
        );
    }
    let coded = run(&format!(
        r#"{{"symptoms": {{{NLC}, "weakness": false}}, "conditions": [{{"icd10": "R25.3"}}, {{"icd10": "M62.81"}}]}}"#
    ));
    assert_eq!(warnings_with(&coded, "it was answered no"), 1);
    // Slurred speech is the gait or speech change; dysphagia or foot drop alone is no red flag,
    // but no longer reassured.
    let speech = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "dysarthria"}}]}}"#
    ));
    assert_eq!(flag_urgency(&speech, "neurological_deficit"), Some("soon"));
    for name in ["dysphagia", "foot drop", "Muscle atrophy"] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "{name}"}}]}}"#
        ));
        assert!(flags(&a).is_empty(), "{name}: {:?}", flags(&a));
        assert!(!plan(&a).contains(&"reassurance"), "{name}");
        assert_eq!(warnings_with(&a, "matches no condition"), 0, "{name}");
    }
    // A negated finding reads as nothing; one answered yes already is not said again.
    let none = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "no dysphagia"}}]}}"#
    ));
    assert_eq!(warnings_with(&none, "is read as `"), 0);
    let answered = run(&format!(
        r#"{{"symptoms": {{{NLC}, "dysphagia": true}}, "conditions": [{{"name": "dysphagia"}}]}}"#
    ));
    assert_eq!(warnings_with(&answered, "is read as `"), 0);
}

#[test]
fn progressive_objective_weakness_flags_a_neurological_deficit_but_stable_weakness_does_not() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "progressive": true}}, "exam": {{"objective_weakness": true}}}}"#
    ));
    assert!(flags(&a).contains(&"neurological_deficit"));
    let b = run(&format!(
        r#"{{"symptoms": {{{NLC}, "progressive": false}}, "exam": {{"objective_weakness": true}}}}"#
    ));
    assert!(!flags(&b).contains(&"neurological_deficit"));
    assert!(plan(&b).contains(&"neurological_exam"));
}

#[test]
fn one_swollen_calf_flags_possible_dvt_same_day_and_stops_stretching() {
    let a = run(&format!(r#"{{"symptoms": {{{NLC}, "calf_swelling": "one_leg"}}}}"#));
    assert_eq!(flag_urgency(&a, "possible_dvt"), Some("urgent"));
    assert!(plan(&a).contains(&"same_day_assessment"));
    assert!(!plan(&a).contains(&"nightly_stretching"));
    assert_eq!(most_likely(&a), Some("I82.40"));
}

#[test]
fn a_dvt_or_its_signs_written_as_a_condition_flag_possible_dvt_and_a_past_one_does_not() {
    let dvt = |condition: &str| {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}, "location": ["calf"]}}, "conditions": [{condition}]}}"#
        ));
        let flagged = flags(&a).contains(&"possible_dvt");
        if flagged {
            assert!(
                !plan(&a).contains(&"nightly_stretching"),
                "{condition}: no stretching of that calf"
            );
        }
        flagged
    };
    for condition in [
        r#"{"name": "swollen left calf"}"#,
        r#"{"name": "unilateral leg swelling"}"#,
        r#"{"name": "suspected DVT"}"#,
        r#"{"name": "?DVT"}"#,
        r#"{"name": "acute DVT left leg"}"#,
        r#"{"icd10": "I82.401"}"#,
    ] {
        assert!(dvt(condition), "{condition}");
    }
    // A problem list's bare or dated DVT is as often a past one: a risk, not a sign.
    for condition in [
        r#"{"name": "history of DVT"}"#,
        r#"{"name": "h/o DVT"}"#,
        r#"{"name": "DVT 2015"}"#,
        r#"{"name": "DVT prophylaxis"}"#,
        r#"{"name": "bilateral leg swelling"}"#,
        r#"{"name": "no DVT"}"#,
    ] {
        assert!(!dvt(condition), "{condition}");
    }
}

#[test]
fn persistent_calf_pain_one_sided_or_after_immobility_or_on_oestrogen_flags_possible_dvt() {
    for extra in [r#""side": "right""#, r#""side": "both", "recent_immobility": true"#] {
        let a = run(&format!(
            r#"{{"symptoms": {{"feels_like": "painful_cramp", "when": "constant", "location": ["calf"], {extra}}}}}"#
        ));
        assert_eq!(flag_urgency(&a, "possible_dvt"), Some("urgent"), "{extra}");
        assert!(!plan(&a).contains(&"nightly_stretching"), "{extra}");
        assert!(!plan(&a).contains(&"reassurance"), "{extra}");
    }
    // Constant calf pain with side and immobility unknown: each would complete the trigger.
    let open = run(r#"{"symptoms": {"feels_like": "painful_cramp", "when": "constant", "location": ["calf"]}}"#);
    let fields: Vec<&str> = open.questions.iter().map(|q| q.field).collect();
    assert!(
        fields.contains(&"symptoms.side") && fields.contains(&"symptoms.recent_immobility"),
        "{fields:?}"
    );
    // On a combined oral contraceptive (by its ATC code), both calves.
    let pill = run(
        r#"{"symptoms": {"when": "constant", "location": ["calf"], "side": "both"}, "medications": [{"name": "Microgynon", "atc": "G03AA07"}]}"#,
    );
    assert_eq!(flag_urgency(&pill, "possible_dvt"), Some("urgent"));
    // Oestrogens sent by name only: a generic, a brand of HRT, a contraceptive's ingredients.
    for name in [
        "estradiol 2mg",
        "Evorel 50 patch",
        "HRT patch",
        "tibolone 2.5 mg",
        "ethinylestradiol/levonorgestrel 30/150",
        // An oestrogen receptor modulator carries the same thromboembolism warning [U].
        "raloxifene 60 mg",
        "Osphena",
        // And so do the anti-oestrogen SERMs of breast cancer [U].
        "tamoxifen 20 mg",
        "Fareston",
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{"when": "constant", "location": ["calf"], "side": "both"}}, "medications": [{{"name": "{name}"}}]}}"#
        ));
        assert_eq!(flag_urgency(&a, "possible_dvt"), Some("urgent"), "{name}");
        assert!(a.unrecognized_medications.is_empty(), "{name}");
    }
    // A progestogen-only contraceptive holds no oestrogen.
    for name in ["Mirena", "Cerazette 75 micrograms", "desogestrel"] {
        let a = run(&format!(
            r#"{{"symptoms": {{"when": "constant", "location": ["calf"], "side": "both"}}, "medications": [{{"name": "{name}"}}]}}"#
        ));
        assert!(!flags(&a).contains(&"possible_dvt"), "{name}");
        assert!(a.unrecognized_medications.is_empty(), "{name}");
    }
    // Not persistent, not one-sided without risk, or a burning feeling: no flag.
    for symptoms in [
        r#""feels_like": "painful_cramp", "when": "night", "location": ["calf"], "side": "left""#,
        r#""feels_like": "painful_cramp", "when": "constant", "location": ["calf"], "side": "both""#,
        r#""feels_like": "burning_or_numb", "when": "constant", "location": ["calf"], "side": "left""#,
        r#""feels_like": "painful_cramp", "when": "constant", "location": ["foot"], "side": "left""#,
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{symptoms}}}}}"#));
        assert!(!flags(&a).contains(&"possible_dvt"), "{symptoms}");
    }
}

#[test]
fn calf_cramps_in_one_leg_after_immobility_or_in_pregnancy_ask_for_the_dvt_signs_until_known() {
    let fields = |case: &str| -> Vec<&'static str> { run(case).questions.iter().map(|q| q.field).collect() };
    let cramp = r#""feels_like": "painful_cramp", "relieved_by": "stretching", "when": "night", "location": ["calf"]"#;
    // Pregnancy: c.7's "DVT screen for unilateral swelling".
    let pregnant = fields(&format!(
        r#"{{"patient": {{"gestational_weeks": 30}}, "symptoms": {{{cramp}, "side": "both"}}}}"#
    ));
    assert!(pregnant.contains(&"symptoms.calf_swelling"), "{pregnant:?}");
    for risk in [r#""side": "left""#, r#""recent_immobility": true"#] {
        let asked = fields(&format!(r#"{{"symptoms": {{{cramp}, {risk}}}}}"#));
        assert!(
            asked.contains(&"symptoms.calf_swelling") && asked.contains(&"symptoms.calf_warm_or_red"),
            "{risk}: {asked:?}"
        );
        // Answered: no question, and no flag when the answers are no.
        let known = run(&format!(
            r#"{{"symptoms": {{{cramp}, {risk}, "calf_swelling": "none", "calf_warm_or_red": false}}}}"#
        ));
        assert!(!known.questions.iter().any(|q| q.field.starts_with("symptoms.calf_")));
        assert_eq!(flag_urgency(&known, "possible_dvt"), None);
    }
    // Both legs with no other risk, or cramps outside the calf: not asked.
    for other in [r#""side": "both""#, r#""side": "left", "location": ["foot"]"#] {
        let case = format!(
            r#"{{"symptoms": {{"feels_like": "painful_cramp", "relieved_by": "stretching", "when": "night", {other}}}}}"#
        );
        assert!(!fields(&case).contains(&"symptoms.calf_swelling"), "{other}");
    }
}

#[test]
fn rest_pain_relieved_by_hanging_the_leg_down_flags_critical_limb_ischaemia() {
    let a = run(r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "hanging_leg_down"}}"#);
    assert_eq!(flag_urgency(&a, "critical_limb_ischaemia"), Some("urgent"));
    assert_eq!(referral(&a).1, vec!["vascular"]);
}

#[test]
fn bruising_on_quinine_is_an_emergency_and_the_patient_is_told_to_stop() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "bleeding_or_bruising": true}}, "medications": [{{"name": "quinine sulfate 300 mg"}}]}}"#
    ));
    assert_eq!(flag_urgency(&a, "quinine_toxicity"), Some("emergency"));
    assert_eq!(referral(&a), (Some("emergency"), vec!["emergency"]));
    let flag = a.red_flags.iter().find(|r| r.id == RedFlagId::QuinineToxicity).unwrap();
    assert!(flag.entry.patient.starts_with("Stop taking quinine now"));
}

#[test]
fn quinine_taken_asks_about_bruising_or_bleeding_and_for_the_qtc_until_answered() {
    let asked = |case: &str| {
        run(case)
            .questions
            .iter()
            .any(|q| q.field == "symptoms.bleeding_or_bruising")
    };
    let on_quinine = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "quinine sulfate 300 mg"}}]}}"#
    ));
    assert!(
        on_quinine
            .questions
            .iter()
            .any(|q| q.field == "symptoms.bleeding_or_bruising")
    );
    // The QTc, a trigger of qt_prolongation_risk (c.5: ECG).
    assert!(on_quinine.questions.iter().any(|q| q.field == "exam.qtc_ms"));
    // Not when quinine is to be stopped now (pregnancy).
    let pregnant = run(&format!(
        r#"{{"patient": {{"pregnant": true}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "quinine sulfate 300 mg"}}]}}"#
    ));
    assert!(!pregnant.questions.iter().any(|q| q.field == "exam.qtc_ms"));
    assert!(!asked(&format!(
        r#"{{"symptoms": {{{NLC}, "bleeding_or_bruising": false}}, "medications": [{{"name": "quinine sulfate 300 mg"}}]}}"#
    )));
    // Only considered: it goes to avoid and is not taken, so there is nothing to ask.
    assert!(!asked(&format!(
        r#"{{"symptoms": {{{NLC}}}, "considering": [{{"name": "quinine"}}]}}"#
    )));
}

#[test]
fn a_low_platelet_count_on_quinine_flags_toxicity() {
    let a =
        run(r#"{"medications": [{"atc": "P01BC01"}], "labs": [{"loinc": "777-3", "value": 90, "unit": "10*9/L"}]}"#);
    assert!(flags(&a).contains(&"quinine_toxicity"));
}

#[test]
fn quinine_considered_in_pregnancy_flags_urgent_obstetric_contact() {
    let a = run(r#"{"patient": {"pregnant": true}, "considering": [{"name": "quinine"}]}"#);
    assert_eq!(flag_urgency(&a, "quinine_in_pregnancy"), Some("urgent"));
    assert_eq!(referral(&a).1, vec!["obstetrics"]);
}

#[test]
fn quinine_with_a_long_qt_or_av_block_on_the_problem_list_flags_qt_risk() {
    for condition in [
        r#"{"icd10": "I45.81"}"#,
        r#"{"name": "congenital long QT syndrome"}"#,
        r#"{"name": "LQTS"}"#,
        r#"{"icd10": "I44.1"}"#,
    ] {
        let a = run(&format!(
            r#"{{"medications": [{{"name": "quinine"}}], "conditions": [{condition}]}}"#
        ));
        assert_eq!(flag_urgency(&a, "qt_prolongation_risk"), Some("soon"), "{condition}");
    }
    let without_quinine = run(r#"{"conditions": [{"icd10": "I45.81"}]}"#);
    assert!(flags(&without_quinine).is_empty());
}

#[test]
fn quinine_beside_a_qt_prolonging_drug_of_another_class_flags_qt_risk() {
    for other in [
        "amiodarone 200 mg",
        "Sotalol 80mg bd",
        "methadone",
        "Zofran 4mg prn",
        "domperidone",
        "ciprofloxacin",
        "hydroxychloroquine",
        "donepezil",
        "chloroquine",
        "Diflucan 150 mg",
    ] {
        let a = run(&format!(
            r#"{{"medications": [{{"name": "quinine sulfate 300 mg"}}, {{"name": "{other}"}}]}}"#
        ));
        assert_eq!(flag_urgency(&a, "qt_prolongation_risk"), Some("soon"), "{other}");
        assert!(a.unrecognized_medications.is_empty(), "{other}");
        // Considering quinine beside it counts as taking it.
        let b = run(&format!(
            r#"{{"medications": [{{"name": "{other}"}}], "considering": [{{"name": "quinine"}}]}}"#
        ));
        assert!(flags(&b).contains(&"qt_prolongation_risk"), "{other}");
        // So does considering it beside the quinine already taken (an order for it, say).
        let d = run(&format!(
            r#"{{"medications": [{{"name": "quinine sulfate 300 mg"}}], "considering": [{{"name": "{other}"}}]}}"#
        ));
        assert!(flags(&d).contains(&"qt_prolongation_risk"), "{other}");
        // Without quinine, none of them is reviewed or flagged: they are not causes of cramps.
        let c = run(&format!(r#"{{"medications": [{{"name": "{other}"}}]}}"#));
        assert!(flags(&c).is_empty() && review(&c).is_empty(), "{other}");
    }
    let beta_blocker = run(r#"{"medications": [{"name": "quinine"}, {"name": "metoprolol"}]}"#);
    assert!(!flags(&beta_blocker).contains(&"qt_prolongation_risk"));
}

#[test]
fn quinine_with_a_long_qtc_flags_qt_risk_without_a_referral() {
    let a = run(r#"{"patient": {"sex": "male"}, "medications": [{"name": "quinine"}], "exam": {"qtc_ms": 455}}"#);
    assert_eq!(flag_urgency(&a, "qt_prolongation_risk"), Some("soon"));
    let b = run(r#"{"patient": {"sex": "female"}, "medications": [{"name": "quinine"}], "exam": {"qtc_ms": 455}}"#);
    assert!(!flags(&b).contains(&"qt_prolongation_risk"));
}

#[test]
fn a_qtc_sent_among_the_labs_in_ms_is_read_as_the_exams_and_named_as_belonging_there() {
    let q = |labs: &str, exam: &str| {
        run(&format!(
            r#"{{"patient": {{"sex": "male"}}, "medications": [{{"name": "quinine"}}], "labs": [{labs}], "exam": {{{exam}}}}}"#
        ))
    };
    let a = q(r#"{"name": "QTc", "value": 480, "unit": "ms"}"#, "");
    assert_eq!(flag_urgency(&a, "qt_prolongation_risk"), Some("soon"));
    assert!(!a.questions.iter().any(|q| q.field == "exam.qtc_ms"));
    assert!(
        a.input_warnings.iter().any(|w| w.contains("read as exam.qtc_ms")),
        "{:?}",
        a.input_warnings
    );
    // The latest dated one is read.
    let dated = q(
        r#"{"name": "QTc interval", "value": 480, "unit": "msec", "date": "2026-01-01"}, {"name": "QTcF", "value": 420, "unit": "ms", "date": "2026-06-01"}"#,
        "",
    );
    assert!(!flags(&dated).contains(&"qt_prolongation_risk"));
    // The exam's own QTc wins; a QTc in another unit or outside 300-700 ms is named, not read.
    let exam = q(r#"{"name": "QTc", "value": 480, "unit": "ms"}"#, r#""qtc_ms": 420"#);
    assert!(!flags(&exam).contains(&"qt_prolongation_risk"));
    assert!(
        exam.input_warnings
            .iter()
            .any(|w| w.contains("exam.qtc_ms (420 ms) is used"))
    );
    // By its LOINC code alone (8636-3, QT interval corrected), or its LOINC display's spelling.
    for lab in [
        r#"{"loinc": "8636-3", "value": 480, "unit": "ms"}"#,
        r#"{"name": "Q-T interval corrected", "value": 480, "unit": "ms"}"#,
    ] {
        assert_eq!(flag_urgency(&q(lab, ""), "qt_prolongation_risk"), Some("soon"), "{lab}");
    }
    for bad in [
        r#"{"name": "QTc", "value": 0.48, "unit": "s"}"#,
        r#"{"name": "corrected QT", "value": 48, "unit": "ms"}"#,
    ] {
        let b = q(bad, "");
        assert!(!flags(&b).contains(&"qt_prolongation_risk"), "{bad}");
        assert!(b.questions.iter().any(|q| q.field == "exam.qtc_ms"), "{bad}");
        assert!(b.input_warnings.iter().any(|w| w.contains("not interpreted")), "{bad}");
    }
}

#[test]
fn units_spelled_out_or_in_other_words_are_read_as_their_symbols() {
    for (name, value, unit, want) in [
        ("potassium", 3.2, "mmol/litre", "low"),
        ("potassium", 3.2, "mmol per L", "low"),
        ("potassium", 3.2, "mmol/L.", "low"),
        ("creatinine", 150.0, "micromol/L", "high"),
        ("creatinine", 150.0, "micromoles per litre", "high"),
        ("platelets", 40.0, "thou/uL", "critically_low"),
        ("platelets", 40.0, "/nL", "critically_low"),
        ("platelets", 40.0, "x10E3/uL", "critically_low"),
        // A count per microlitre (or per cubic millimetre) is a thousandth of the 10^9/L figure.
        ("platelets", 40_000.0, "/uL", "critically_low"),
        ("platelets", 120_000.0, "/mm3", "low"),
        ("platelets", 250_000.0, "per µL", "normal"),
        ("albumin", 30.0, "grams/litre", "low"),
        ("eGFR", 25.0, "mL/min per 1.73 m2", "low"),
        ("HbA1c", 8.0, "percent", "high"),
        ("CK", 900.0, "units/L", "high"),
        // UCUM's bracketed international unit, as FHIR Observations code TSH and CK.
        ("TSH", 8.0, "m[IU]/L", "high"),
        ("CK", 900.0, "[IU]/L", "high"),
    ] {
        let a = run(&format!(
            r#"{{"labs": [{{"name": "{name}", "value": {value}, "unit": "{unit}"}}]}}"#
        ));
        let got = a
            .lab_findings
            .first()
            .and_then(|f| f.interpretation.map(|i| i.as_str()));
        assert_eq!(got, Some(want), "{name} {unit}: {:?}", a.input_warnings);
    }
    // A different unit is still not usable: TSH in mIU/mL is a thousand times mIU/L.
    let a = run(r#"{"labs": [{"name": "TSH", "value": 8, "unit": "mIU/mL"}]}"#);
    assert!(a.input_warnings.iter().any(|w| w.contains("not usable")));
}

#[test]
fn ca_is_calcium_but_ca_125_is_a_tumour_marker_and_b12_in_ng_per_l_is_pg_per_ml() {
    let a = run(
        r#"{"labs": [{"name": "Ca", "value": 1.9, "unit": "mmol/L"}, {"name": "CA 125", "value": 40, "unit": "U/mL"},
                     {"name": "B12", "value": 150, "unit": "ng/L"}, {"name": "SCr", "value": 180, "unit": "umol/L"}]}"#,
    );
    let found: Vec<(String, Option<&str>)> = a
        .lab_findings
        .iter()
        .map(|f| (f.display.to_string(), f.interpretation.map(|i| i.as_str())))
        .collect();
    assert!(found.contains(&("Ca".into(), Some("critically_low"))), "{found:?}");
    assert!(found.contains(&("B12".into(), Some("low"))), "{found:?}");
    assert!(found.contains(&("SCr".into(), Some("high"))), "{found:?}");
    assert!(
        a.input_warnings
            .iter()
            .any(|w| w.contains("\"CA 125\" is not an analyte")),
        "{:?}",
        a.input_warnings
    );
}

#[test]
fn a_child_with_recurrent_cramps_is_flagged_atypical_age_and_asked_about_weakness() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 12}}, "symptoms": {{{NLC}, "episodes_per_week": 2}}}}"#
    ));
    assert_eq!(flag_urgency(&a, "atypical_age"), Some("routine"));
    assert_eq!(referral(&a).1, vec!["primary_care"]);
    // Weakness would add a paediatric referral (c.5): asked until answered.
    assert!(a.questions.iter().any(|q| q.field == "symptoms.weakness"));
    let weak = run(&format!(
        r#"{{"patient": {{"age": 12}}, "symptoms": {{{NLC}, "episodes_per_week": 2, "weakness": true}}}}"#
    ));
    assert_eq!(referral(&weak).1, vec!["primary_care", "paediatrics"]);
    assert!(!weak.questions.iter().any(|q| q.field == "symptoms.weakness"));
}

#[test]
fn a_child_with_cramps_and_a_raised_ck_is_also_referred_to_paediatrics() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 12, "sex": "male"}}, "symptoms": {{{NLC}}}, "labs": [{{"loinc": "2157-6", "value": 900, "unit": "U/L"}}]}}"#
    ));
    assert_eq!(referral(&a).1, vec!["primary_care", "paediatrics"]);
}

#[test]
fn a_child_whose_cramps_persist_despite_stretching_is_also_referred_to_paediatrics() {
    // c.7 "paediatric review if persistent": read as refractory_cramps (≥ 6 weeks of stretching with
    // frequent, sleep-disrupting or severe cramps).
    let a = run(&format!(
        r#"{{"patient": {{"age": 16, "sex": "male"}}, "symptoms": {{{NLC}, "episodes_per_week": 5, "sleep_disrupted": true, "stretching_weeks_tried": 8}}}}"#
    ));
    assert!(flags(&a).contains(&"refractory_cramps"));
    assert_eq!(referral(&a).1, vec!["primary_care", "paediatrics"]);
    let early = run(&format!(
        r#"{{"patient": {{"age": 16, "sex": "male"}}, "symptoms": {{{NLC}, "episodes_per_week": 5, "sleep_disrupted": true, "stretching_weeks_tried": 3, "weakness": false}}}}"#
    ));
    assert_eq!(referral(&early).1, vec!["primary_care"]);
    // An adult with refractory cramps is not sent to paediatrics.
    let adult = run(&format!(
        r#"{{"patient": {{"age": 40, "sex": "male"}}, "symptoms": {{{NLC}, "episodes_per_week": 5, "stretching_weeks_tried": 8}}}}"#
    ));
    assert!(!referral(&adult).1.contains(&"paediatrics"));
}

#[test]
fn a_teenager_with_rls_is_not_flagged_atypical_age() {
    let a = run(&format!(r#"{{"patient": {{"age": 16}}, "symptoms": {{{RLS}}}}}"#));
    assert!(!flags(&a).contains(&"atypical_age"));
}

#[test]
fn weeks_of_stretching_tried_without_frequency_or_severity_ask_for_them() {
    let fields = |extra: &str| -> Vec<&'static str> {
        run(&format!(
            r#"{{"symptoms": {{{NLC}, "stretching_weeks_tried": 8{extra}}}}}"#
        ))
        .questions
        .iter()
        .map(|q| q.field)
        .collect()
    };
    let open = fields("");
    for field in [
        "symptoms.episodes_per_week",
        "symptoms.sleep_disrupted",
        "symptoms.worst_pain",
    ] {
        assert!(open.contains(&field), "{field}: {open:?}");
    }
    // Answered (mild, infrequent) or already enough for refractory_cramps: not asked.
    for extra in [
        r#", "episodes_per_week": 1, "sleep_disrupted": false, "worst_pain": 3"#,
        r#", "worst_pain": 8"#,
    ] {
        assert!(!fields(extra).contains(&"symptoms.episodes_per_week"), "{extra}");
    }
}

#[test]
fn six_weeks_of_stretching_with_frequent_cramps_is_refractory_and_orders_the_panel() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}, "stretching_weeks_tried": 6, "episodes_per_week": 3}}}}"#
    ));
    assert!(flags(&a).contains(&"refractory_cramps"));
    for code in ["2823-3", "2951-2", "19123-9", "17861-6", "2160-0", "3016-3", "4548-4"] {
        assert!(
            labs(&a).contains(&code.to_string()),
            "{code} missing from {:?}",
            labs(&a)
        );
    }
    let b = run(&format!(
        r#"{{"symptoms": {{{NLC}, "stretching_weeks_tried": 5, "episodes_per_week": 3}}}}"#
    ));
    assert!(!flags(&b).contains(&"refractory_cramps"));
}

#[test]
fn baclofen_with_encephalopathy_in_cirrhosis_flags_urgent_hepatology() {
    let a = run(r#"{"medications": [{"name": "baclofen"}], "conditions": [{"icd10": "K74.60"}, {"icd10": "K76.82"}]}"#);
    assert_eq!(flag_urgency(&a, "baclofen_encephalopathy"), Some("urgent"));
}

#[test]
fn new_confusion_or_drowsiness_in_cirrhosis_on_baclofen_flags_it_and_withholds_baclofen() {
    // c.5: "with new confusion or drowsiness or hepatic encephalopathy".
    for condition in [
        r#"{"name": "new confusion"}"#,
        r#"{"name": "drowsy"}"#,
        r#"{"icd10": "R40.0"}"#,
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "baclofen 10 mg"}}], "conditions": [{{"name": "cirrhosis"}}, {condition}]}}"#
        ));
        assert_eq!(
            flag_urgency(&a, "baclofen_encephalopathy"),
            Some("urgent"),
            "{condition}"
        );
        assert!(!options(&a).iter().any(|c| c == "M03BX01"), "{condition}");
        assert_eq!(warnings_with(&a, "possible hepatic encephalopathy"), 1, "{condition}");
    }
    // Without cirrhosis no rule reads it; denied, it is not read.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "baclofen"}}], "conditions": [{{"name": "confusion"}}]}}"#
    ));
    assert!(!flags(&a).contains(&"baclofen_encephalopathy"));
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "baclofen"}}], "conditions": [{{"name": "cirrhosis"}}, {{"name": "no confusion"}}]}}"#
    ));
    assert!(!flags(&a).contains(&"baclofen_encephalopathy"));
}

#[test]
fn a_potassium_below_3_flags_a_severe_electrolyte_disturbance() {
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": 2.8, "unit": "mmol/L"}]}"#);
    assert!(flags(&a).contains(&"severe_electrolyte_disturbance"));
    assert_eq!(interpretation(&a, "2823-3"), Some("critically_low"));
}

#[test]
fn a_non_electrolyte_result_beyond_its_critical_limit_is_a_warning_sign_and_reassurance_yields() {
    // CK on a statin, lithium, glucose, platelets and eGFR: c.3a's critical limits.
    for lab in [
        r#"{"loinc": "2157-6", "value": 6200, "unit": "U/L"}"#,
        r#"{"loinc": "14334-7", "value": 1.8, "unit": "mmol/L"}"#,
        r#"{"loinc": "2345-7", "value": 2.6, "unit": "mmol/L"}"#,
        r#"{"loinc": "777-3", "value": 30, "unit": "10*9/L"}"#,
        r#"{"loinc": "98979-8", "value": 10, "unit": "mL/min/1.73m2"}"#,
    ] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}, "when": "night"}}, "medications": [{{"name": "rosuvastatin"}}, {{"name": "lithium"}}], "labs": [{lab}]}}"#
        ));
        assert_eq!(flag_urgency(&a, "critical_lab_result"), Some("soon"), "{lab}");
        assert!(!flags(&a).contains(&"severe_electrolyte_disturbance"), "{lab}");
        assert!(!plan(&a).contains(&"reassurance"), "{lab}");
    }
    // Below the critical limit it is only an abnormal result.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "labs": [{{"loinc": "2157-6", "value": 900, "unit": "U/L"}}]}}"#
    ));
    assert!(!flags(&a).contains(&"critical_lab_result"));
    assert!(plan(&a).contains(&"reassurance"));
}

#[test]
fn an_egfr_below_15_with_kidney_failure_named_or_low_platelets_on_quinine_raise_no_second_flag() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "N18.6"}}], "labs": [{{"loinc": "98979-8", "value": 8, "unit": "mL/min/1.73m2"}}]}}"#
    ));
    assert!(!flags(&a).contains(&"critical_lab_result"));
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "quinine sulfate 300 mg"}}], "labs": [{{"loinc": "777-3", "value": 30, "unit": "10*9/L"}}]}}"#
    ));
    assert_eq!(flags(&a), vec!["quinine_toxicity"]);
}

#[test]
fn dark_urine_fever_petechiae_or_acute_kidney_injury_given_as_conditions_on_quinine_are_quinine_toxicity() {
    // c.5 names these signs; SPEC §3 has a field only for bleeding or bruising.
    for condition in [
        r#"{"name": "dark urine since yesterday"}"#,
        r#"{"name": "Fever"}"#,
        r#"{"name": "petechial rash on shins"}"#,
        r#"{"icd10": "D69.6"}"#,
        r#"{"icd10": "R34"}"#,
        r#"{"name": "suspected HUS"}"#,
        r#"{"name": "nosebleeds"}"#,
        r#"{"name": "epistaxis"}"#,
        r#"{"name": "blood in stool"}"#,
        r#"{"icd10": "K92.1"}"#,
        r#"{"icd10": "N17.9"}"#,
        r#"{"name": "AKI"}"#,
        r#"{"name": "acute kidney injury"}"#,
        r#"{"icd10": "R82.3"}"#,
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "quinine sulfate 300 mg"}}], "conditions": [{condition}]}}"#
        ));
        assert_eq!(flag_urgency(&a, "quinine_toxicity"), Some("emergency"), "{condition}");
    }
    // Not without quinine, and not when negated.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "fever"}}]}}"#
    ));
    assert!(flags(&a).is_empty());
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "quinine"}}], "conditions": [{{"name": "no fever"}}]}}"#
    ));
    assert!(!flags(&a).contains(&"quinine_toxicity"));
}

#[test]
fn alcohol_and_gi_losses_call_for_magnesium_and_potassium_tests() {
    // c.4 "When": magnesium for alcohol and diarrhoea; potassium for GI losses.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "alcohol use disorder"}}]}}"#
    ));
    assert_eq!(labs(&a), vec!["19123-9"]);
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "R19.7"}}]}}"#
    ));
    let mut l = labs(&a);
    l.sort();
    assert_eq!(l, vec!["19123-9", "2823-3"]);
    // A drink now and then is not alcohol use disorder.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "alcohol use: 4 units a week"}}]}}"#
    ));
    assert!(labs(&a).is_empty());
}

#[test]
fn parathyroid_vitamin_d_thyroid_and_myalgia_conditions_call_for_their_c4_tests() {
    for (condition, loinc) in [
        (r#"{"name": "hypoparathyroidism"}"#, "17861-6"),
        (r#"{"icd10": "E55.9"}"#, "17861-6"),
        (r#"{"name": "hypothyroidism on levothyroxine"}"#, "3016-3"),
        (r#"{"icd10": "M79.10"}"#, "2157-6"),
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}]}}"#));
        assert_eq!(labs(&a), vec![loinc], "{condition}");
    }
}

#[test]
fn renal_function_is_not_ordered_on_dialysis_where_it_is_known_to_have_failed() {
    let renal = |conditions: &str, results: &str| {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "furosemide 80 mg"}}], "conditions": [{conditions}], "labs": [{results}]}}"#
        ));
        labs(&a).iter().any(|l| l == "2160-0" || l == "98979-8")
    };
    // On a diuretic with CKD stage 4: renal function; on dialysis: not, new or repeat.
    assert!(renal(r#"{"icd10": "N18.4"}"#, ""));
    assert!(!renal(r#"{"icd10": "N18.6"}, {"name": "haemodialysis"}"#, ""));
    assert!(!renal(
        r#"{"icd10": "Z99.2"}"#,
        r#"{"loinc": "98979-8", "value": 8, "unit": "mL/min/1.73 m2"}"#
    ));
}

#[test]
fn a_treatment_used_only_in_diabetes_means_diabetes_when_the_conditions_do_not_name_it() {
    let numb_feet = r#""feels_like": "burning_or_numb", "worse_in_evening": true, "relieved_by": "nothing", "returns_at_rest": false, "when": "night", "location": ["foot"], "side": "both", "numbness": true"#;
    let case = |medicine: &str, conditions: &str| {
        run(&format!(
            r#"{{"patient": {{"age": 66}}, "symptoms": {{{numb_feet}}}, "medications": [{{"name": "{medicine}"}}], "conditions": [{conditions}]}}"#
        ))
    };
    for medicine in [
        "Lantus 20 units",
        "insulin aspart",
        "gliclazide 80 mg",
        "Januvia 100 mg",
        "pioglitazone",
    ] {
        let a = case(medicine, "");
        let ml = a.classification.most_likely.as_ref().map(|m| m.code.code.as_str());
        assert_eq!(ml, Some("E11.42"), "{medicine}: diabetic neuropathy");
        assert!(plan(&a).contains(&"foot_care"), "{medicine}");
        assert_eq!(warnings_with(&a, "is a diabetes treatment"), 1, "{medicine}");
        // Named on the problem list too: nothing to say.
        assert_eq!(
            warnings_with(&case(medicine, r#"{"icd10": "E11.9"}"#), "is a diabetes treatment"),
            0
        );
    }
    // Drugs with other uses are recognised but mean nothing about diabetes.
    for medicine in ["empagliflozin", "Ozempic", "metformin"] {
        let a = case(medicine, "");
        let ml = a.classification.most_likely.as_ref().map(|m| m.code.code.as_str());
        assert_eq!(ml, Some("G62.9"), "{medicine}");
        assert!(a.unrecognized_medications.is_empty(), "{medicine}");
    }
}

#[test]
fn a_thyroid_medicine_or_an_active_vitamin_d_taken_calls_for_tsh_or_calcium_without_the_diagnosis() {
    for (medicine, loinc) in [
        ("levothyroxine 100 mcg", "3016-3"),
        ("Eltroxin 50 micrograms", "3016-3"),
        ("carbimazole 10 mg", "3016-3"),
        ("methimazole", "3016-3"),
        ("alfacalcidol 0.25 mcg", "17861-6"),
        ("calcitriol", "17861-6"),
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "{medicine}"}}]}}"#
        ));
        assert_eq!(labs(&a), vec![loinc], "{medicine}");
        assert!(a.unrecognized_medications.is_empty(), "{medicine}");
        assert!(a.medication_review.is_empty(), "not a cause of cramps: {medicine}");
    }
    // Plain vitamin D is not an active analogue.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"atc": "A11CC05"}}]}}"#
    ));
    assert!(labs(&a).is_empty());
}

#[test]
fn a_urine_ionised_or_fluid_result_named_so_is_not_read_as_the_blood_analyte() {
    // Urine sodium 20 mmol/L is not a critically low serum sodium; ionised calcium 1.0 mmol/L is
    // not a critically low total calcium; ascitic albumin is not serum albumin.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "labs": [{{"name": "Urine sodium", "value": 20, "unit": "mmol/L"}}, {{"name": "Ionised calcium", "value": 1.0, "unit": "mmol/L"}}, {{"name": "ascitic fluid albumin", "value": 10, "unit": "g/L"}}, {{"name": "urine glucose", "value": 0, "unit": "mmol/L"}}]}}"#
    ));
    assert!(a.lab_findings.is_empty());
    assert!(flags(&a).is_empty());
    assert_eq!(warnings_with(&a, "not the serum or plasma measurement"), 4);
    // A qualifier beside a name that names no analyte here is an unknown analyte, not another
    // specimen ("Free T4" is a serum test).
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "labs": [{{"name": "Free T4", "value": 10, "unit": "pmol/L"}}, {{"name": "urine potassium", "value": 1.1, "unit": "mmol/L"}}]}}"#
    ));
    assert!(a.lab_findings.is_empty());
    assert_eq!(
        warnings_with(&a, "\"Free T4\" is not an analyte the knowledge base knows"),
        1,
        "{:?}",
        a.input_warnings
    );
    assert_eq!(warnings_with(&a, "not the serum or plasma measurement"), 1);
    // A serum result and a LOINC-coded one are read as before.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "labs": [{{"name": "Serum sodium", "value": 139, "unit": "mmol/L"}}, {{"name": "calcium (free text)", "loinc": "17861-6", "value": 9.4, "unit": "mg/dL"}}]}}"#
    ));
    assert_eq!(a.lab_findings.len(), 2);
}

#[test]
fn ion_and_abbreviated_lab_names_are_read_as_their_analyte() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "labs": [{{"name": "K+", "value": 3.1, "unit": "mmol/L"}}, {{"name": "Mg2+", "value": 0.6, "unit": "mmol/L"}}, {{"name": "adj Ca", "value": 2.1, "unit": "mmol/L"}}]}}"#
    ));
    assert!(a.input_warnings.is_empty(), "{:?}", a.input_warnings);
    assert_eq!(a.lab_findings.len(), 3);
    assert!(
        a.lab_findings
            .iter()
            .all(|f| f.interpretation == Some(Interpretation::Low))
    );
}

#[test]
fn severe_cramps_in_pregnancy_get_routine_obstetric_input() {
    // c.7 pregnancy: "obstetric input if severe".
    let a = run(&format!(
        r#"{{"patient": {{"age": 30, "sex": "female", "gestational_weeks": 32}}, "symptoms": {{{NLC}, "worst_pain": 9, "when": "night"}}}}"#
    ));
    assert_eq!(referral(&a), (Some("routine"), vec!["obstetrics"]));
    // Mild cramps in pregnancy: no referral.
    let a = run(&format!(
        r#"{{"patient": {{"age": 30, "sex": "female", "gestational_weeks": 32}}, "symptoms": {{{NLC}, "worst_pain": 4, "when": "night"}}}}"#
    ));
    assert_eq!(referral(&a), (None, vec![]));
}

#[test]
fn chronic_kidney_disease_calls_for_potassium_magnesium_calcium_and_renal_function() {
    // c.7 CKD: "check K, Ca, Mg, eGFR" (magnesium from c.7 only, so its order is in review).
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "N18.3"}}]}}"#
    ));
    let mut l = labs(&a);
    l.sort();
    assert_eq!(l, vec!["17861-6", "19123-9", "2160-0", "2823-3"]);
    let mg = a.labs.iter().find(|o| o.loinc == "19123-9").unwrap();
    assert_eq!(mg.review_status, ReviewStatus::InReview);
}

#[test]
fn saddle_numbness_is_a_cauda_equina_emergency() {
    let a = run(r#"{"symptoms": {"saddle_numbness": true}}"#);
    assert_eq!(flag_urgency(&a, "cauda_equina_symptoms"), Some("emergency"));
    assert!(plan(&a).contains(&"same_day_assessment"));
}

// ---- medication review (c.6, c.6b) ----

#[test]
fn an_atc_code_of_no_anatomical_main_group_is_no_code_and_its_medicine_is_reported_unrecognised() {
    let a = run(r#"{"medications": [{"atc": "X01AA01"}, {"name": "moxonidine", "atc": "Z02AC05"}]}"#);
    assert_eq!(a.unrecognized_medications, ["X01AA01", "moxonidine"]);
    assert_eq!(warnings_with(&a, "is not a code"), 1);
    // A real code outside every reviewed class is a known drug, not flagged.
    let known = run(r#"{"medications": [{"atc": "C09AA05"}]}"#);
    assert!(known.unrecognized_medications.is_empty() && known.medication_review.is_empty());
}

#[test]
fn a_brand_name_with_dose_text_is_recognised_lasix_is_furosemide() {
    let a = run(r#"{"medications": [{"name": "Lasix 40mg tab"}]}"#);
    assert_eq!(review(&a), vec![("C03CA01".to_string(), "B")]);
    assert!(plan(&a).contains(&"prescriber_medication_review"));
}

#[test]
fn brands_sold_in_other_countries_or_as_follow_on_products_are_their_drug() {
    for (brand, atc, tier) in [
        ("Anaprox DS 550 mg", "M01AE02", "A"),
        ("Movymia 20 micrograms", "H05AA02", "A"),
        ("Liskonum 450mg", "N05AN01", "B"),
        ("Torem 10", "C03CA04", "B"),
        ("Toradol", "M01A", "C"),
    ] {
        let a = run(&format!(r#"{{"medications": [{{"name": "{brand}"}}]}}"#));
        assert_eq!(review(&a), vec![(atc.to_string(), tier)], "{brand}");
    }
    // Duavee is conjugated estrogens with bazedoxifene: each ingredient is reviewed.
    let a = run(r#"{"medications": [{"name": "Duavee"}]}"#);
    let mut got = review(&a);
    got.sort();
    assert_eq!(got, [("G03CA57".to_string(), "A"), ("G03XC02".to_string(), "A")]);
}

#[test]
fn a_combination_product_is_split_into_its_ingredients() {
    let a = run(r#"{"medications": [{"name": "hydrochlorothiazide and amiloride 25/2.5"}]}"#);
    let codes: Vec<_> = review(&a).into_iter().map(|(c, _)| c).collect();
    assert!(codes.contains(&"C03AA03".to_string()) && codes.contains(&"C03DB01".to_string()));
}

#[test]
fn the_former_gabapentin_code_is_accepted_and_the_current_one_emitted() {
    let a = run(r#"{"medications": [{"name": "gabapentin", "atc": "N03AX12"}]}"#);
    assert_eq!(review(&a), vec![("N02BF01".to_string(), "C")]);
}

#[test]
fn a_drug_known_by_rxnorm_only_is_recognised() {
    let a = run(r#"{"medications": [{"rxnorm": "5487"}]}"#);
    assert_eq!(review(&a), vec![("C03AA03".to_string(), "A")]);
}

#[test]
fn an_unknown_drug_name_is_reported_never_dropped() {
    let a = run(r#"{"medications": [{"name": "wibblezol 5 mg"}]}"#);
    assert_eq!(a.unrecognized_medications, vec!["wibblezol 5 mg"]);
}

#[test]
fn a_misspelt_drug_one_edit_from_one_drug_is_read_as_it_and_said_so() {
    for (name, atc) in [
        ("furosimide 40 mg", "C03CA01"),
        ("amlodipin 5mg", "C08CA01"),
        ("hydrochlorthiazide", "C03AA03"),
        ("quinin sulphate", "P01BC01"),
    ] {
        let a = run(&format!(r#"{{"medications": [{{"name": "{name}"}}]}}"#));
        assert_eq!(review(&a).first().map(|r| r.0.as_str()), Some(atc), "{name}");
        assert!(a.unrecognized_medications.is_empty(), "{name}");
        assert!(
            a.input_warnings
                .iter()
                .any(|w| w.contains("the nearest spelling: check it")),
            "{name}: {:?}",
            a.input_warnings
        );
    }
    // Two edits away, or a word shorter than six letters: not guessed.
    for name in ["amitryptiline", "lasik", "raloxiphene"] {
        let a = run(&format!(r#"{{"medications": [{{"name": "{name}"}}]}}"#));
        assert_eq!(a.unrecognized_medications, vec![name], "{name}");
    }
}

#[test]
fn a_salt_supplement_named_with_its_salt_form_beside_other_words_is_that_supplement() {
    // Potassium chloride on a potassium-sparing diuretic: the supplement is avoided (c.10, d.4a).
    let a = run(r#"{"medications": [{"name": "spironolactone 25mg"}, {"name": "potassium chloride ER 20 mEq"}]}"#);
    assert!(avoid(&a).contains(&"A12BA".to_string()), "{:?}", avoid(&a));
    assert!(a.unrecognized_medications.is_empty());
    let b = run(r#"{"medications": [{"name": "Calcium carbonate + vitamin D3"}]}"#);
    assert!(b.unrecognized_medications.is_empty());
    // A salt of a drug the table does not know is not the salt drug itself; of one it knows, that
    // drug.
    let c = run(
        r#"{"medications": [{"name": "phenoxymethylpenicillin potassium 250mg"}, {"name": "spironolactone"}, {"name": "losartan potassium 50mg"}]}"#,
    );
    assert_eq!(
        c.unrecognized_medications,
        vec!["phenoxymethylpenicillin potassium 250mg"]
    );
    assert!(!avoid(&c).contains(&"A12BA".to_string()));
}

#[test]
fn a_diagnosis_written_as_not_established_withholds_and_reviews_but_starts_no_drug() {
    // "possible cirrhosis", "?cirrhosis", "r/o cirrhosis": read as a FHIR Condition recorded as
    // provisional is: cirrhosis for the review, the work-up and every gate that withholds, but
    // baclofen and albumin wait for the diagnosis to be confirmed (it said so in the warnings).
    let with = |name: &str| {
        run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "{name}"}}], "considering": [{{"name": "baclofen"}}]}}"#
        ))
    };
    // Established: a qualifier of something else in the name does not make cirrhosis uncertain.
    for name in [
        "alcohol-related cirrhosis",
        "Cirrhosis, likely alcohol-related",
        "cirrhosis ?alcohol-related",
        "cirrhosis (NASH vs alcohol)",
        "Cirrhosis - likely alcohol-related",
        "cirrhosis (likely alcohol)",
    ] {
        assert_eq!(options(&with(name)), ["M03BX01", "B05AA01"], "{name}");
    }
    for name in [
        "possible cirrhosis",
        "Suspected cirrhosis",
        "?cirrhosis",
        "cirrhosis?",
        "? cirrhosis",
        "cirrhosis (suspected)",
        "cirrhosis - suspected",
        "cirrhosis (query), ascites",
        "r/o cirrhosis",
        "query alcohol-related cirrhosis",
        "cirrhosis vs fatty liver",
        "cirrhosis not excluded",
        "unlikely cirrhosis",
    ] {
        let a = with(name);
        assert!(plan(&a).contains(&"hepatology_review"), "{name}");
        assert!(options(&a).is_empty(), "{name}: {:?}", options(&a));
        assert!(
            a.avoid
                .iter()
                .any(|v| v.entry.id == "avoid.baclofen_until_cirrhosis_confirmed"),
            "{name}"
        );
        assert_eq!(
            warnings_with(&a, "says the diagnosis is not established"),
            1,
            "{name}: {:?}",
            a.input_warnings
        );
    }
    // The same for a deficiency: a supplement starts on a confirmed one only.
    let offered = |name: &str| {
        options(&run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "{name}"}}]}}"#
        )))
    };
    assert_eq!(offered("hypomagnesaemia"), ["A12CC"]);
    assert!(offered("possible hypomagnesaemia").is_empty());
    // Midodrine on dialysis with intradialytic hypotension likewise.
    let dialysis = |qualifier: &str| {
        run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "haemodialysis"}}, {{"name": "{qualifier}intradialytic hypotension"}}]}}"#
        ))
    };
    assert!(options(&dialysis("")).contains(&"C01CA17".to_string()));
    let probable = dialysis("probable ");
    assert!(!options(&probable).contains(&"C01CA17".to_string()));
    assert!(plan(&probable).contains(&"dialysis_prescription_review"));
    // Safety readings do not wait: a suspected DVT is the red flag, a possible pregnancy withholds.
    let dvt = run(r#"{"conditions": [{"name": "suspected DVT left calf"}]}"#);
    assert!(flags(&dvt).contains(&"possible_dvt"));
    let pregnancy = run(
        r#"{"patient": {"age": 30, "sex": "female"}, "conditions": [{"name": "cirrhosis"}, {"name": "possible pregnancy"}]}"#,
    );
    assert!(options(&pregnancy).iter().all(|o| o != "M03BX01"));
    // A word inside another is not the qualifier ("suspect" in "unsuspected" is not read).
    assert!(
        run(r#"{"conditions": [{"name": "cirrhosis, unsuspected until biopsy"}]}"#)
            .medication_options
            .iter()
            .any(|o| o.entry.atc.as_deref() == Some("M03BX01"))
    );
}

#[test]
fn a_misspelt_condition_word_one_edit_from_a_known_word_is_read_as_it_and_said_so() {
    let cramps = format!(r#""symptoms": {{{NLC}}}"#);
    // Cirrhosis misspelt: read as cirrhosis, with the warning, for what only withholds or reviews
    // (hepatology review, NSAIDs avoided); a guess never starts a drug, so baclofen is withheld
    // until the diagnosis is confirmed and albumin is not offered.
    let a = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "liver cirhosis"}}]}}"#
    ));
    assert!(plan(&a).contains(&"hepatology_review"));
    assert!(options(&a).is_empty(), "{:?}", options(&a));
    assert!(
        a.avoid
            .iter()
            .any(|v| v.entry.id == "avoid.baclofen_until_cirrhosis_confirmed")
    );
    assert!(
        a.input_warnings.iter().any(|w| w.contains("read as \"cirrhosis\"")),
        "{:?}",
        a.input_warnings
    );
    // A Child-Pugh class (scored only in cirrhosis; a name the knowledge base adds) is read the
    // same way: reviewed, baclofen withheld until the diagnosis is confirmed, nothing started.
    let child_pugh = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "Child-Pugh B"}}], "considering": [{{"name": "baclofen"}}]}}"#
    ));
    assert!(plan(&child_pugh).contains(&"hepatology_review"));
    assert!(options(&child_pugh).is_empty(), "{:?}", options(&child_pugh));
    assert!(
        child_pugh
            .avoid
            .iter()
            .any(|v| v.entry.id == "avoid.baclofen_until_cirrhosis_confirmed")
    );
    // A SNOMED CT id alone is read (the hepatology review) but starts no drug either: a drug starts
    // only on the ICD-10-CM code or d.1a's own name, as the acceptance checker reads a condition.
    let snomed = run(&format!(
        r#"{{{cramps}, "conditions": [{{"snomed": "19943007"}}], "labs": [{{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}}]}}"#
    ));
    assert!(plan(&snomed).contains(&"hepatology_review"));
    assert!(options(&snomed).is_empty(), "{:?}", options(&snomed));
    // So is a code read out of a label: the code field must hold the code alone.
    let labelled = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "liver disease", "icd10": "ICD-10-CM: K74.60"}}], "labs": [{{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}}]}}"#
    ));
    assert!(plan(&labelled).contains(&"hepatology_review"));
    assert!(options(&labelled).is_empty(), "{:?}", options(&labelled));
    // The same cirrhosis also sent coded (or spelt right) is no guess.
    let coded = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "liver cirhosis"}}, {{"icd10": "K74.60"}}], "labs": [{{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}}]}}"#
    ));
    assert!(options(&coded).contains(&"B05AA01".to_string()));
    assert!(options(&coded).contains(&"M03BX01".to_string()));
    // Dialysis written only as an abbreviation the knowledge base adds (ESKD, KDIGO's term) or
    // misspelt: the dialysis rules hold (no fluid advice, the dialysis team), but midodrine is not
    // started on it.
    let eskd = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "ESKD"}}, {{"icd10": "I95.3"}}]}}"#
    ));
    assert!(plan(&eskd).contains(&"dialysis_prescription_review"));
    assert!(!plan(&eskd).contains(&"hydration"));
    assert!(!options(&eskd).contains(&"C01CA17".to_string()));
    let written_out = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "ESKD on haemodialysis"}}, {{"icd10": "I95.3"}}]}}"#
    ));
    assert!(options(&written_out).contains(&"C01CA17".to_string()));
    let dialysis = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "haemodialisis"}}, {{"icd10": "I95.3"}}]}}"#
    ));
    assert!(plan(&dialysis).contains(&"dialysis_prescription_review"));
    assert!(!options(&dialysis).contains(&"C01CA17".to_string()));
    // Pregnancy misspelt: the pregnancy rules (quinine considered is a red flag).
    let b = run(&format!(
        r#"{{"patient": {{"sex": "female"}}, {cramps}, "conditions": [{{"name": "pregant, 20 weeks"}}], "considering": [{{"name": "quinine"}}]}}"#
    ));
    assert!(flags(&b).contains(&"quinine_in_pregnancy"));
    // A misspelt contraindication after a negation still withholds baclofen until confirmed.
    let c = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "cirrhosis, no encephalopaty"}}]}}"#
    ));
    assert!(!options(&c).contains(&"M03BX01".to_string()));
    // The words of the other gates' synonyms are read too: PAD, restless legs.
    for (name, word) in [
        ("perpheral arterial diseas", "peripheral"),
        ("restles leg syndrome", "restless"),
    ] {
        let a = run(&format!(r#"{{{cramps}, "conditions": [{{"name": "{name}"}}]}}"#));
        assert!(
            a.input_warnings
                .iter()
                .any(|w| w.contains(&format!("read as \"{word}\""))),
            "{name}: {:?}",
            a.input_warnings
        );
        assert_eq!(warnings_with(&a, "matches no condition"), 0, "{name}");
    }
    // Two words misspelt in one name: both read.
    let two = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "liver cirhosis, no encephalopaty"}}]}}"#
    ));
    assert!(plan(&two).contains(&"hepatology_review"));
    assert!(!options(&two).contains(&"M03BX01".to_string()));
    assert_eq!(warnings_with(&two, "the nearest spelling"), 2);
    // Other words are not guessed.
    let d = run(&format!(
        r#"{{{cramps}, "conditions": [{{"name": "nocturnal myoclonus"}}]}}"#
    ));
    assert!(
        !d.input_warnings.iter().any(|w| w.contains("read as")),
        "{:?}",
        d.input_warnings
    );
}

#[test]
fn a_name_and_an_atc_that_disagree_warn_and_the_code_decides() {
    let a = run(r#"{"medications": [{"name": "amlodipine", "atc": "C03AA03"}]}"#);
    assert_eq!(review(&a), vec![("C03AA03".to_string(), "A")]);
    assert!(a.input_warnings.iter().any(|w| w.contains("the code decides")));
    // What the name says still withholds: no diltiazem on top of what may be a dihydropyridine
    // (refractory cramps would otherwise be offered it).
    let refractory = r#""symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false, "when": "night", "location": ["calf"], "episodes_per_week": 5, "stretching_weeks_tried": 8}"#;
    let plain = run(&format!(r#"{{"patient": {{"age": 60, "sex": "male"}}, {refractory}}}"#));
    assert!(options(&plain).contains(&"C08DB01".to_string()));
    let named = run(&format!(
        r#"{{"patient": {{"age": 60, "sex": "male"}}, {refractory}, "medications": [{{"name": "amlodipine 5 mg", "atc": "C03AA03"}}]}}"#
    ));
    assert!(!options(&named).contains(&"C08DB01".to_string()));
}

#[test]
fn beta_blockers_are_not_flagged() {
    let a = run(r#"{"medications": [{"name": "bisoprolol 5 mg"}, {"atc": "C07AA05"}]}"#);
    assert!(review(&a).is_empty());
    assert!(a.unrecognized_medications.is_empty());
}

#[test]
fn an_antidepressant_is_tier_r_on_the_rls_pathway_and_not_flagged_on_nlc() {
    let a = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "medications": [{{"name": "sertraline"}}]}}"#
    ));
    assert_eq!(review(&a), vec![("N06AB".to_string(), "R")]);
    let b = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "sertraline"}}]}}"#
    ));
    assert!(review(&b).is_empty());
}

#[test]
fn citalopram_keeps_its_cause_tier_when_nlc_is_active() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "citalopram"}}]}}"#
    ));
    assert_eq!(review(&a), vec![("N06AB04".to_string(), "C")]);
}

#[test]
fn quinine_already_taken_is_a_tier_s_safety_review_with_a_discontinuation_discussion() {
    let a = run(r#"{"medications": [{"name": "quinine sulphate 200mg"}]}"#);
    assert_eq!(review(&a), vec![("P01BC01".to_string(), "S")]);
    assert!(plan(&a).contains(&"quinine_discontinuation"));
}

#[test]
fn a_medicine_whose_name_says_it_was_stopped_is_not_read_as_taken_and_the_warning_says_so() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "quinine sulfate 300 mg (stopped 2023)"}},
            {{"name": "Furosemide 40mg - DISCONTINUED"}}, {{"name": "amlodipine 5 mg"}}]}}"#
    ));
    assert_eq!(review(&a), vec![("C08CA01".to_string(), "B")]);
    assert!(!plan(&a).contains(&"quinine_discontinuation"));
    assert_eq!(warnings_with(&a, "read as no longer taken"), 2);
    assert!(a.unrecognized_medications.is_empty());
    // A quinine stopped beside a possible sign of its toxicity is read as taken (the safer reading).
    for extra in [
        r#""symptoms": {"bleeding_or_bruising": true}"#,
        r#""labs": [{"name": "platelets", "value": 40, "unit": "10^9/L"}]"#,
        r#""conditions": [{"name": "petechiae"}]"#,
    ] {
        let a = run(&format!(
            r#"{{"medications": [{{"name": "quinine 300mg (stopped last week)"}}], {extra}}}"#
        ));
        assert_eq!(flag_urgency(&a, "quinine_toxicity"), Some("emergency"), "{extra}");
        assert_eq!(warnings_with(&a, "read as taken (the safer reading)"), 1, "{extra}");
    }
    // So is a baclofen stopped in cirrhosis with hepatic encephalopathy.
    let a = run(
        r#"{"medications": [{"name": "baclofen 10 mg tds - stopped"}], "conditions": [{"name": "cirrhosis"}, {"name": "hepatic encephalopathy"}]}"#,
    );
    assert_eq!(flag_urgency(&a, "baclofen_encephalopathy"), Some("urgent"));
    let b =
        run(r#"{"medications": [{"name": "baclofen 10 mg tds - stopped"}], "conditions": [{"name": "cirrhosis"}]}"#);
    assert!(!flags(&b).contains(&"baclofen_encephalopathy"));
    assert_eq!(warnings_with(&b, "read as no longer taken"), 1);
    // A medicine on hold is still prescribed: it is reviewed.
    let a = run(r#"{"medications": [{"name": "quinine 200 mg (on hold)"}]}"#);
    assert_eq!(review(&a), vec![("P01BC01".to_string(), "S")]);
}

#[test]
fn a_condition_code_with_a_label_or_a_term_beside_it_is_read_every_code_of_a_field_counts_and_a_name_in_a_code_field_is_read_as_the_name()
 {
    for condition in [
        r#"{"snomed": "SCTID: 19943007"}"#,
        r#"{"snomed": "19943007 |Cirrhosis of liver|"}"#,
        r#"{"icd10": "ICD-10-CM: K74.60"}"#,
        r#"{"icd10": "K74.60 - Unspecified cirrhosis of liver"}"#,
        r#"{"icd10": "liver cirrhosis"}"#,
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}]}}"#));
        assert!(plan(&a).contains(&"hepatology_review"), "{condition}");
        // One warning about the code as sent (and, where it withholds albumin, how to document it).
        let about_the_code = a
            .input_warnings
            .iter()
            .filter(|w| !w.contains("is offered for it once"))
            .count();
        assert_eq!(about_the_code, 1, "{condition}: {:?}", a.input_warnings);
    }
    // Several codes in one field are each read: cirrhosis with encephalopathy withholds baclofen.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "K74.60; K76.82"}}]}}"#
    ));
    assert!(plan(&a).contains(&"hepatology_review"));
    assert!(!options(&a).contains(&"M03BX01".to_string()));
    assert_eq!(warnings_with(&a, "send one code alone"), 1);
    // The code alone: no warning.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "k74.60"}}]}}"#
    ));
    assert!(plan(&a).contains(&"hepatology_review") && a.input_warnings.is_empty());
    // Text in both code fields and no name: the first is read as the name, the other ignored.
    let a = run(r#"{"conditions": [{"icd10": "liver cirrhosis", "snomed": "alcoholic"}]}"#);
    assert!(plan(&a).contains(&"hepatology_review"));
    assert_eq!(warnings_with(&a, "was read as the condition's name"), 1);
    assert_eq!(warnings_with(&a, "holds no code and was ignored"), 1);
    // Text that holds no code beside a name is ignored, and said to be.
    let a = run(r#"{"conditions": [{"name": "gout", "icd10": "gout"}]}"#);
    assert_eq!(warnings_with(&a, "holds no code and was ignored"), 1);
    assert_eq!(warnings_with(&a, "matches no condition the rules use"), 1);
}

#[test]
fn a_medicine_sent_by_code_alone_is_shown_by_the_drug_its_code_names() {
    let a = run(
        r#"{"medications": [{"rxnorm": "5487"}, {"atc": "P01BC01"}, {"atc": "C03AA"}, {"rxnorm": "99999999"}], "considering": [{"atc": "M03BX01"}]}"#,
    );
    let shown: Vec<&str> = a.medication_review.iter().map(|m| m.medication.as_str()).collect();
    assert_eq!(
        shown,
        ["Hydrochlorothiazide (RxNorm 5487)", "Quinine (P01BC01)", "C03AA"],
        "a class code names no one drug; it stays as sent"
    );
    assert_eq!(a.considered[0].name, "Baclofen (M03BX01)");
    // A code the knowledge base does not know is listed as sent.
    assert_eq!(a.unrecognized_medications, ["RxNorm 99999999"]);
    // A medicine sent with its name keeps it.
    let b = run(r#"{"medications": [{"name": "HCTZ 25 mg", "rxnorm": "5487"}]}"#);
    assert_eq!(b.medication_review[0].medication, "HCTZ 25 mg");
}

#[test]
fn a_medication_code_with_a_label_or_a_name_beside_it_is_read_and_a_name_in_a_code_field_is_read_as_the_name() {
    for medication in [
        r#"{"atc": "ATC: C03AA03"}"#,
        r#"{"atc": "C03AA03 hydrochlorothiazide"}"#,
        r#"{"rxnorm": "RxCUI 5487"}"#,
        r#"{"rxnorm": "5487 (hydrochlorothiazide)"}"#,
        r#"{"atc": "hydrochlorothiazide"}"#,
        r#"{"rxnorm": "hydrochlorothiazide 25 mg"}"#,
    ] {
        let a = run(&format!(r#"{{"medications": [{medication}]}}"#));
        assert_eq!(review(&a), vec![("C03AA03".to_string(), "A")], "{medication}");
        assert_eq!(a.input_warnings.len(), 1, "{medication}: {:?}", a.input_warnings);
        assert!(a.unrecognized_medications.is_empty(), "{medication}");
    }
    // A number after a name in the RxNorm field is not taken for an RXCUI.
    let a = run(r#"{"medications": [{"name": "furosemide", "rxnorm": "furosemide 40"}]}"#);
    assert_eq!(review(&a), vec![("C03CA01".to_string(), "B")]);
    assert_eq!(warnings_with(&a, "it was ignored"), 1);
}

#[test]
fn none_or_nil_in_a_list_names_nothing_and_is_skipped_with_a_warning() {
    let a = run(
        r#"{"medications": [{"name": "Nil."}, {"name": "no regular medications"}], "conditions": [{"name": "None"}, {"name": "nil of note"}]}"#,
    );
    assert!(a.unrecognized_medications.is_empty());
    assert_eq!(warnings_with(&a, "names no medicine; skipped"), 2);
    assert_eq!(warnings_with(&a, "names no condition; skipped"), 2);
    assert_eq!(warnings_with(&a, "matches no condition"), 0);
    // Only the whole name: a word of a longer one is not "none".
    let b = run(r#"{"medications": [{"name": "nonsteroidal gel"}]}"#);
    assert_eq!(b.unrecognized_medications, vec!["nonsteroidal gel".to_string()]);
}

#[test]
fn magnesium_calcium_and_potassium_products_named_by_brand_are_their_supplement() {
    let a = run(
        r#"{"considering": [{"name": "Mag-Tab SR"}, {"name": "Magnaspartate"}, {"name": "Adcal-D3"}, {"name": "Kay Ciel"}]}"#,
    );
    assert!(
        a.unrecognized_medications.is_empty(),
        "{:?}",
        a.unrecognized_medications
    );
}

#[test]
fn a_recorded_hypokalaemia_is_a_documented_deficiency_as_a_low_result_is() {
    for condition in [r#"{"name": "Hypokalemia"}"#, r#"{"icd10": "E87.6"}"#] {
        let a = run(&format!(
            r#"{{"medications": [{{"name": "bendroflumethiazide"}}], "considering": [{{"name": "potassium chloride"}}], "conditions": [{condition}]}}"#
        ));
        assert!(!avoid(&a).contains(&"A12BA".to_string()), "{condition}");
        assert!(plan(&a).contains(&"correct_electrolytes"), "{condition}");
        // With a potassium-sparing diuretic it is still avoided.
        let b = run(&format!(
            r#"{{"medications": [{{"name": "spironolactone"}}], "considering": [{{"name": "potassium chloride"}}], "conditions": [{condition}]}}"#
        ));
        assert!(avoid(&b).contains(&"A12BA".to_string()), "{condition}");
    }
    let resolved =
        run(r#"{"considering": [{"name": "potassium chloride"}], "conditions": [{"name": "hypokalaemia resolved"}]}"#);
    assert!(avoid(&resolved).contains(&"A12BA".to_string()));
    // A recorded hypomagnesaemia gives the correction item too.
    let mg = run(r#"{"conditions": [{"icd10": "E83.42"}]}"#);
    assert!(plan(&mg).contains(&"correct_electrolytes"));
}

// ---- labs and findings (c.3, c.3a, c.4) ----

#[test]
fn a_loinc_code_with_a_label_or_a_name_beside_it_is_read_and_a_name_in_the_code_field_is_read_as_the_name() {
    for lab in [
        r#"{"loinc": "LOINC: 2823-3", "value": 3.0, "unit": "mmol/L"}"#,
        r#"{"loinc": "2823-3 Potassium SerPl-sCnc", "value": 3.0, "unit": "mmol/L"}"#,
        r#"{"loinc": "potassium", "value": 3.0, "unit": "mmol/L"}"#,
    ] {
        let a = run(&format!(r#"{{"labs": [{lab}]}}"#));
        assert_eq!(a.lab_findings.len(), 1, "{lab}");
        assert_eq!(
            a.lab_findings[0].interpretation.map(|i| i.as_str()),
            Some("low"),
            "{lab}"
        );
        assert_eq!(a.input_warnings.len(), 1, "{lab}: {:?}", a.input_warnings);
    }
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": 3.0, "unit": "mmol/L"}]}"#);
    assert!(a.input_warnings.is_empty());
}

#[test]
fn an_upside_down_laboratory_range_is_not_used_and_the_warning_says_so() {
    // Read as sent (low 5.1, high 3.5), 4.0 would be "low"; the knowledge base's range says normal.
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": 4.0, "unit": "mmol/L", "ref_low": 5.1, "ref_high": 3.5}]}"#);
    assert_eq!(interpretation(&a, "2823-3"), Some("normal"));
    assert_eq!(warnings_with(&a, "is above ref_high"), 1);
}

#[test]
fn a_laboratory_range_sent_with_the_result_takes_precedence() {
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": 3.4, "unit": "mmol/L", "ref_low": 3.3, "ref_high": 5.1}]}"#);
    assert_eq!(interpretation(&a, "2823-3"), Some("normal"));
}

#[test]
fn magnesium_in_mg_per_dl_is_converted_exactly() {
    // 1.5 mg/dL / 2.431 = 0.617 mmol/L: below 0.70.
    let a = run(r#"{"labs": [{"loinc": "19123-9", "value": 1.5, "unit": "mg/dL"}]}"#);
    assert_eq!(interpretation(&a, "19123-9"), Some("low"));
}

#[test]
fn hba1c_in_percent_is_converted_to_ifcc() {
    // (6.0 - 2.15) x 10.929 = 42.1 mmol/mol: above 41.
    let a = run(r#"{"labs": [{"loinc": "4548-4", "value": 6.0, "unit": "%"}]}"#);
    assert_eq!(interpretation(&a, "4548-4"), Some("high"));
}

#[test]
fn a_tsh_in_micro_units_per_millilitre_is_milli_units_per_litre() {
    for unit in ["uU/mL", "µU/mL", "uIU/mL", "mU/L"] {
        let a = run(&format!(
            r#"{{"labs": [{{"loinc": "3016-3", "value": 6, "unit": "{unit}"}}]}}"#
        ));
        assert_eq!(interpretation(&a, "3016-3"), Some("high"), "{unit}");
    }
    // Milli-units per millilitre is a thousand times more: not guessed.
    let a = run(r#"{"labs": [{"loinc": "3016-3", "value": 6, "unit": "mIU/mL"}]}"#);
    assert_eq!(interpretation(&a, "3016-3"), None);
}

#[test]
fn micro_sign_variants_of_a_unit_are_the_same_unit() {
    for unit in ["µmol/L", "μmol/L", "umol/L", "UMOL/L"] {
        let a = run(&format!(
            r#"{{"patient": {{"sex": "male"}}, "labs": [{{"loinc": "14682-9", "value": 150, "unit": "{unit}"}}]}}"#
        ));
        assert_eq!(interpretation(&a, "14682-9"), Some("high"), "{unit}");
    }
}

#[test]
fn a_result_without_a_unit_is_not_interpreted_and_warned() {
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": 2.0}]}"#);
    assert_eq!(interpretation(&a, "2823-3"), None);
    assert!(a.input_warnings.iter().any(|w| w.contains("no unit")));
    assert!(!flags(&a).contains(&"severe_electrolyte_disturbance"));
}

#[test]
fn a_result_below_zero_is_a_mistake_named_and_not_read_as_critically_low() {
    // No analyte read here can be negative: "-1" is a typing or mapping error, not a potassium.
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": -1, "unit": "mmol/L"}]}"#);
    assert_eq!(interpretation(&a, "2823-3"), None);
    assert_eq!(warnings_with(&a, "below zero; not interpreted"), 1);
    assert!(!flags(&a).contains(&"severe_electrolyte_disturbance"));
    // Zero is a result (if implausible) and is judged as one.
    let a = run(r#"{"labs": [{"loinc": "2823-3", "value": 0, "unit": "mmol/L"}]}"#);
    assert_eq!(interpretation(&a, "2823-3"), Some("critically_low"));
    // An eGFR below zero is not interpreted, but the safety gates still read it as kidney failure.
    let cirrhosis_egfr = |v: &str| {
        run(&format!(
            r#"{{"conditions": [{{"name": "cirrhosis"}}], "considering": [{{"name": "baclofen"}}],
                "labs": [{{"loinc": "98979-8", "value": {v}, "unit": "mL/min/1.73m2"}}]}}"#
        ))
    };
    assert!(options(&cirrhosis_egfr("45")).contains(&"M03BX01".to_string()));
    let a = cirrhosis_egfr("-5");
    assert_eq!(interpretation(&a, "98979-8"), None);
    assert!(!options(&a).contains(&"M03BX01".to_string()), "{:?}", options(&a));
}

#[test]
fn a_us_iron_in_micrograms_per_decilitre_is_read_against_its_own_range_and_no_other() {
    for unit in ["ug/dL", "mcg/dL", "µg/dL"] {
        let a = run(&format!(
            r#"{{"symptoms": {{{RLS}}}, "labs": [{{"loinc": "2498-4", "value": 45, "unit": "{unit}", "ref_low": 60, "ref_high": 170}}]}}"#
        ));
        assert_eq!(interpretation(&a, "2498-4"), Some("low"), "{unit}");
        assert_eq!(warnings_with(&a, "not usable"), 0, "{unit}");
    }
    // No knowledge-base range for iron: without the laboratory's it is not interpreted.
    let a = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "labs": [{{"loinc": "2498-4", "value": 45, "unit": "ug/dL"}}]}}"#
    ));
    assert_eq!(interpretation(&a, "2498-4"), None);
    // A ferritin is never in micrograms per decilitre: not usable.
    let a = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "labs": [{{"loinc": "2276-4", "value": 45, "unit": "ug/dL"}}]}}"#
    ));
    assert_eq!(interpretation(&a, "2276-4"), None);
    assert_eq!(warnings_with(&a, "not usable"), 1);
}

#[test]
fn a_glucose_taken_fasting_by_its_code_or_its_name_is_read_against_the_fasting_range() {
    let finding = |lab: &str| {
        let a = run(&format!(r#"{{"labs": [{lab}]}}"#));
        a.lab_findings[0].interpretation.map(|i| i.as_str())
    };
    // c.3a: fasting 3.9-5.5, otherwise 3.9-7.8 mmol/L.
    assert_eq!(
        finding(r#"{"loinc": "1558-6", "value": 6.8, "unit": "mmol/L"}"#),
        Some("high")
    );
    for name in ["Glucose, fasting", "fasting blood glucose", "FBG", "FPG"] {
        assert_eq!(
            finding(&format!(r#"{{"name": "{name}", "value": 6.8, "unit": "mmol/L"}}"#)),
            Some("high"),
            "{name}"
        );
    }
    assert_eq!(
        finding(r#"{"name": "glucose", "value": 6.8, "unit": "mmol/L"}"#),
        Some("normal")
    );
    assert_eq!(
        finding(r#"{"loinc": "2345-7", "value": 6.8, "unit": "mmol/L"}"#),
        Some("normal")
    );
}

#[test]
fn an_iron_saturation_written_short_is_the_transferrin_saturation_not_the_iron() {
    for name in ["Iron sat", "Fe sat", "TSAT", "transferrin sat"] {
        let a = run(&format!(
            r#"{{"symptoms": {{{RLS}}}, "labs": [{{"name": "{name}", "value": 15, "unit": "%"}}]}}"#
        ));
        assert_eq!(
            a.lab_findings[0].interpretation.map(|i| i.as_str()),
            Some("low"),
            "{name}"
        );
        assert!(plan(&a).contains(&"iron_repletion"), "{name}");
    }
}

#[test]
fn the_other_loinc_codes_laboratories_send_for_an_analyte_are_read_as_it() {
    for (code, value, unit, want) in [
        ("6298-4", "3.1", "mmol/L", "low"),
        ("2947-0", "128", "mmol/L", "low"),
        ("38483-4", "2.1", "mg/dL", "high"),
        ("26515-7", "40", "10*3/uL", "critically_low"),
        ("11580-8", "8", "mIU/L", "high"),
        ("17856-6", "8", "%", "high"),
        ("2339-0", "300", "mg/dL", "high"),
        ("48642-3", "25", "mL/min/1.73m2", "low"),
        ("88294-4", "25", "mL/min/1.73m2", "low"),
    ] {
        let a = run(&format!(
            r#"{{"labs": [{{"loinc": "{code}", "value": {value}, "unit": "{unit}"}}]}}"#
        ));
        assert_eq!(interpretation(&a, code), Some(want), "{code}");
        assert!(a.input_warnings.is_empty(), "{code}: {:?}", a.input_warnings);
    }
    // An eGFR below 30 under another formula's code withholds baclofen in cirrhosis.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "cirrhosis"}}], "labs": [{{"loinc": "48642-3", "value": 25, "unit": "mL/min/1.73m2"}}]}}"#
    ));
    assert!(!options(&a).iter().any(|c| c == "M03BX01"));
    // A platelet count on quinine under the whole-blood code raises quinine toxicity.
    let a = run(
        r#"{"medications": [{"name": "quinine"}], "labs": [{"loinc": "26515-7", "value": 90, "unit": "10*3/uL"}]}"#,
    );
    assert!(flags(&a).contains(&"quinine_toxicity"));
}

#[test]
fn a_mass_loinc_sent_with_a_molar_unit_is_converted_by_its_unit_and_warned() {
    let a = run(r#"{"labs": [{"loinc": "2160-0", "value": 80, "unit": "umol/L"}]}"#);
    assert_eq!(interpretation(&a, "2160-0"), Some("normal"));
    assert!(a.input_warnings.iter().any(|w| w.contains("2160-0")));
}

#[test]
fn a_ferritin_of_60_is_low_on_the_rls_pathway_even_when_the_laboratory_calls_it_normal() {
    let a = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "labs": [{{"loinc": "2276-4", "value": 60, "unit": "ng/mL", "ref_low": 15, "ref_high": 150}}]}}"#
    ));
    assert_eq!(interpretation(&a, "2276-4"), Some("low"));
    assert!(plan(&a).contains(&"iron_repletion"));
    assert!(
        a.evidence_conflicts
            .iter()
            .any(|c| c.topic == ConflictTopic::FerritinThreshold)
    );
}

#[test]
fn a_ferritin_between_75_and_100_on_rls_gets_iv_iron_only() {
    let a = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "labs": [{{"loinc": "2276-4", "value": 90, "unit": "ng/mL"}}, {{"loinc": "2502-3", "value": 25, "unit": "%"}}]}}"#
    ));
    assert_eq!(options(&a), vec!["B03AC"]);
}

#[test]
fn iron_still_low_on_oral_iron_turns_to_iv_iron_not_more_of_the_same() {
    let case = |meds: &str| {
        run(&format!(
            r#"{{"symptoms": {{{RLS}}}, "medications": [{meds}], "labs": [{{"loinc": "2276-4", "value": 45, "unit": "ng/mL"}}]}}"#
        ))
    };
    let on_oral = case(r#"{"name": "ferrous fumarate 210 mg"}"#);
    assert!(plan(&on_oral).contains(&"iron_repletion"));
    assert_eq!(options(&on_oral), vec!["B03AC"]);
    assert_eq!(on_oral.medication_options[0].entry.id, "option.iv_iron_after_oral_rls");
    // Not taking iron: oral iron as before; an IV iron already given does not change that reading.
    for meds in [r#"{"name": "amlodipine"}"#, r#"{"name": "Ferinject 1000 mg"}"#] {
        assert_eq!(options(&case(meds)), vec!["B03AA07"], "{meds}");
    }
}

#[test]
fn the_latest_dated_result_is_the_one_interpreted() {
    let a = run(
        r#"{"labs": [{"loinc": "2823-3", "value": 3.0, "unit": "mmol/L", "date": "2026-05-01"}, {"loinc": "2823-3", "value": 4.2, "unit": "mmol/L", "date": "2026-01-01"}]}"#,
    );
    assert_eq!(interpretation(&a, "2823-3"), Some("low"));
}

#[test]
fn a_typical_case_with_no_risk_orders_no_test() {
    let a = run(&format!(r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}}}}}"#));
    assert!(a.labs.is_empty());
}

#[test]
fn a_diuretic_calls_for_potassium_magnesium_sodium_and_renal_function() {
    let a = run(r#"{"medications": [{"name": "indapamide"}]}"#);
    for code in ["2823-3", "2951-2", "19123-9", "2160-0"] {
        assert!(labs(&a).contains(&code.to_string()));
    }
}

// ---- options and avoid (SPEC §2.5, §8) ----

#[test]
fn quinine_is_always_avoided_and_never_offered() {
    let a = run(r#"{"considering": [{"name": "quinine"}]}"#);
    assert!(avoid(&a).contains(&"P01BC01".to_string()));
    assert!(!options(&a).iter().any(|o| o.starts_with("P01BC")));
}

#[test]
fn magnesium_is_avoided_for_idiopathic_cramps_but_not_with_a_documented_deficiency() {
    let a = run(r#"{"labs": [{"loinc": "2601-3", "value": 0.9, "unit": "mmol/L"}]}"#);
    assert!(avoid(&a).contains(&"A12CC".to_string()));
    let b = run(r#"{"labs": [{"loinc": "2601-3", "value": 0.6, "unit": "mmol/L"}]}"#);
    assert!(!avoid(&b).contains(&"A12CC".to_string()));
    assert!(plan(&b).contains(&"correct_electrolytes"));
    // Named plainly (a name the knowledge base adds): the deficiency is read, so magnesium is not
    // avoided and the correction is planned, but no supplement is started on that name alone.
    let c = run(r#"{"conditions": [{"name": "low magnesium"}]}"#);
    assert!(!avoid(&c).contains(&"A12CC".to_string()));
    assert!(plan(&c).contains(&"correct_electrolytes"));
    assert!(options(&c).is_empty(), "{:?}", options(&c));
}

#[test]
fn on_dialysis_a_magnesium_supplement_is_a_warning_for_the_nephrology_team_unless_a_deficiency_is_documented() {
    let dialysis_item = |a: &Assessment<'static>| {
        a.avoid
            .iter()
            .find(|v| v.entry.id == "avoid.magnesium_dialysis")
            .map(|v| (v.atc.clone(), v.severity))
    };
    for dialysis in [
        r#"{"name": "haemodialysis"}"#,
        r#"{"icd10": "N18.6"}"#,
        r#"{"icd10": "Z99.2"}"#,
    ] {
        for (list, drug) in [
            ("considering", "magnesium oxide"),
            ("medications", "magnesium glycinate"),
        ] {
            let a = run(&format!(
                r#"{{"conditions": [{dialysis}], "{list}": [{{"name": "{drug}"}}]}}"#
            ));
            let (atc, severity) = dialysis_item(&a).unwrap_or_else(|| panic!("{dialysis} {drug}"));
            assert!(atc.is_some_and(|c| c.starts_with("A12CC")), "{drug}");
            assert_eq!(severity, Severity::Warning);
            // SPEC §4: the general magnesium item (info) stays beside it.
            let general = a.avoid.iter().find(|v| v.entry.id == "avoid.magnesium").unwrap();
            assert_eq!(general.severity, Severity::Info);
        }
        let considered = run(&format!(
            r#"{{"conditions": [{dialysis}], "considering": [{{"name": "magnesium oxide"}}]}}"#
        ));
        assert!(considered.considered.iter().all(|c| c.decision == Decision::Avoid));
        // Pregnancy's carve-out for magnesium does not lift the kidney caution.
        let p = run(&format!(
            r#"{{"patient": {{"pregnant": true}}, "conditions": [{dialysis}], "considering": [{{"name": "magnesium oxide"}}]}}"#
        ));
        assert!(dialysis_item(&p).is_some());
        // Not taken or considered: no such item; a documented deficiency is corrected, not avoided.
        assert!(dialysis_item(&run(&format!(r#"{{"conditions": [{dialysis}]}}"#))).is_none());
        let low = run(&format!(
            r#"{{"conditions": [{dialysis}], "considering": [{{"name": "magnesium oxide"}}], "labs": [{{"loinc": "2601-3", "value": 0.6, "unit": "mmol/L"}}]}}"#
        ));
        assert!(!avoid(&low).iter().any(|c| c.starts_with("A12CC")), "{dialysis}");
        assert!(plan(&low).contains(&"correct_electrolytes"));
    }
    // CKD without dialysis: only the general item.
    let ckd = run(r#"{"conditions": [{"icd10": "N18.3"}], "considering": [{"name": "magnesium oxide"}]}"#);
    assert!(dialysis_item(&ckd).is_none());
}

#[test]
fn in_pregnancy_a_muscle_relaxant_taken_or_considered_is_avoided() {
    for pregnant in [r#""pregnant": true"#, r#""gestational_weeks": 20"#] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 30, "sex": "female", {pregnant}}}, "considering": [{{"name": "cyclobenzaprine"}}], "medications": [{{"name": "methocarbamol 750 mg"}}, {{"name": "metaxalone"}}]}}"#
        ));
        let items: Vec<_> = a
            .avoid
            .iter()
            .filter(|v| v.entry.id == "avoid.muscle_relaxants_pregnancy")
            .collect();
        assert_eq!(items.len(), 3, "{items:?}");
        let atc = |v: &&cramp_core::assessment::AvoidItem| v.atc.clone().unwrap_or_default();
        assert!(items.iter().any(|v| atc(v) == "M03BX08") && items.iter().any(|v| atc(v).starts_with("M03BA")));
        assert!(items.iter().all(|v| v.severity == Severity::Warning));
        assert!(a.considered.iter().all(|c| c.decision == Decision::Avoid));
    }
    // Not pregnant, under 65: a considered relaxant is not avoided; pregnant without one: no item.
    let not_pregnant = run(
        r#"{"patient": {"age": 30, "sex": "female", "pregnant": false}, "considering": [{"name": "cyclobenzaprine"}]}"#,
    );
    assert!(
        !avoid(&not_pregnant)
            .iter()
            .any(|c| c.starts_with("M03B") && c != "M03BX01")
    );
    let none = run(r#"{"patient": {"age": 30, "sex": "female", "pregnant": true}}"#);
    assert!(
        !none
            .avoid
            .iter()
            .any(|v| v.entry.id == "avoid.muscle_relaxants_pregnancy")
    );
}

#[test]
fn a_class_member_is_named_in_the_text_by_its_own_name_or_brand_not_the_class() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 70}}, "symptoms": {{{RLS}}}, "medications": [{{"name": "Zoloft 50 mg"}}, {{"name": "fluoxetine 20mg"}}], "considering": [{{"name": "zopiclone 7.5 mg"}}]}}"#
    ));
    let names: Vec<&str> = a.medication_review.iter().map(|r| r.drug_name.as_str()).collect();
    assert_eq!(names, ["Zoloft", "Fluoxetine"]);
    assert!(
        a.medication_review
            .iter()
            .all(|r| r.drug_class == "SSRI antidepressant")
    );
    assert!(a.avoid.iter().any(|v| v.display == "Zopiclone"), "{:?}", a.avoid);
    // A drug with its own entry keeps its display.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "Norvasc 5 mg"}}]}}"#
    ));
    assert_eq!(a.medication_review[0].drug_name, "Amlodipine");
}

#[test]
fn tizanidine_is_avoided_in_pregnancy_but_not_by_the_beers_rule_at_65() {
    let tizanidine_avoided = |patient: &str| {
        let a = run(&format!(
            r#"{{"patient": {{{patient}}}, "considering": [{{"name": "Zanaflex 4 mg"}}]}}"#
        ));
        assert!(a.unrecognized_medications.is_empty());
        avoid(&a).iter().any(|c| c == "M03BX02")
    };
    assert!(tizanidine_avoided(r#""age": 30, "sex": "female", "pregnant": true"#));
    // R-Beers2023: not on the Beers relaxant list; outside pregnancy it is only not offered.
    assert!(!tizanidine_avoided(r#""age": 72, "sex": "male""#));
    assert!(!tizanidine_avoided(r#""age": 40, "sex": "female", "pregnant": false"#));
}

#[test]
fn magnesium_considered_in_pregnancy_is_contested_not_offered_nor_avoided() {
    let a = run(
        r#"{"patient": {"age": 29, "sex": "female", "gestational_weeks": 24}, "symptoms": {"feels_like": "painful_cramp"}, "considering": [{"name": "magnesium citrate"}]}"#,
    );
    let c = &a.considered[0];
    assert_eq!(c.decision, Decision::Statement);
    assert_eq!(c.entry.map(|e| e.id.as_str()), Some("considering.magnesium_pregnancy"));
    assert_eq!(
        c.atc.as_deref(),
        Some("A12CC"),
        "a salt without its own code is emitted with the class"
    );
    assert!(!avoid(&a).iter().any(|x| x.starts_with("A12CC")));
    assert!(!options(&a).iter().any(|x| x.starts_with("A12CC")));
    assert!(a.evidence_conflicts.iter().any(|c| c.topic == ConflictTopic::Magnesium));
    // Not pregnant and not deficient: magnesium is avoided (info), as before.
    let b = run(
        r#"{"patient": {"age": 60, "sex": "female", "pregnant": false}, "considering": [{"name": "magnesium oxide 400 mg"}]}"#,
    );
    assert_eq!(b.considered[0].decision, Decision::Avoid);
    assert_eq!(
        b.considered[0].atc.as_deref(),
        Some("A12CC10"),
        "magnesium oxide has its own code (EVIDENCE c.6b)"
    );
}

#[test]
fn a_supplement_of_an_electrolyte_documented_low_treats_the_deficiency() {
    let decisions = |json: &str| {
        let a = run(json);
        a.considered
            .iter()
            .map(|c| (c.decision, c.entry.map(|e| e.id.as_str())))
            .collect::<Vec<_>>()
    };
    // Magnesium and potassium for a documented deficiency are offered (option, `for: deficiency`),
    // so the supplement considered is answered with that option.
    let offered = (Decision::Option, None);
    assert_eq!(
        decisions(
            r#"{"labs": [{"loinc": "2601-3", "value": 0.55, "unit": "mmol/L"}], "considering": [{"name": "magnesium glycinate"}]}"#
        ),
        vec![offered]
    );
    assert_eq!(
        decisions(r#"{"conditions": [{"icd10": "E83.42"}], "considering": [{"name": "Slow-Mag"}]}"#),
        vec![offered]
    );
    assert_eq!(
        decisions(
            r#"{"labs": [{"loinc": "2823-3", "value": 3.1, "unit": "mmol/L"}], "considering": [{"name": "K-Dur 20 mEq"}]}"#
        ),
        vec![offered]
    );
    // Calcium has no option (a low calcium needs its cause found first): the statement says it
    // would treat the deficiency; so does magnesium on dialysis, where the option is withheld.
    let deficiency = (Decision::Statement, Some("considering.electrolyte_deficiency"));
    assert_eq!(
        decisions(
            r#"{"labs": [{"loinc": "17861-6", "value": 8.1, "unit": "mg/dL"}], "considering": [{"name": "calcium carbonate"}]}"#
        ),
        vec![deficiency]
    );
    assert_eq!(
        decisions(
            r#"{"conditions": [{"icd10": "N18.6"}], "labs": [{"loinc": "2601-3", "value": 0.55, "unit": "mmol/L"}], "considering": [{"name": "magnesium"}]}"#
        ),
        vec![deficiency]
    );
    // A low potassium on a potassium-sparing diuretic: potassium stays avoided (c.7, c.10).
    let spared = run(
        r#"{"medications": [{"name": "spironolactone"}], "labs": [{"loinc": "2823-3", "value": 3.1, "unit": "mmol/L"}], "considering": [{"name": "potassium chloride"}]}"#,
    );
    assert_eq!(spared.considered[0].decision, Decision::Avoid);
    // A normal magnesium: the supplement is avoided for cramps.
    assert_eq!(
        decisions(
            r#"{"labs": [{"loinc": "2601-3", "value": 0.85, "unit": "mmol/L"}], "considering": [{"name": "magnesium"}]}"#
        ),
        vec![(Decision::Avoid, None)]
    );
}

#[test]
fn a_magnesium_or_potassium_supplement_with_kidney_function_unknown_is_offered_only_after_a_renal_test() {
    let case = |egfr: &str| {
        run(&format!(
            r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}}}, "labs": [{{"loinc": "2601-3", "value": 0.55, "unit": "mmol/L"}}, {{"loinc": "2823-3", "value": 3.1, "unit": "mmol/L"}}{egfr}]}}"#
        ))
    };
    let unknown = case("");
    let conditional: Vec<(String, bool)> = unknown
        .medication_options
        .iter()
        .map(|o| (o.entry.atc.clone().unwrap(), o.conditional))
        .collect();
    assert_eq!(conditional, [("A12CC".to_string(), true), ("A12BA".to_string(), true)]);
    assert!(labs(&unknown).contains(&"2160-0".to_string()), "{:?}", labs(&unknown));
    // With an eGFR of 30 or more: offered outright, no renal test for them.
    let known = case(r#", {"loinc": "33914-3", "value": 65, "unit": "mL/min/1.73m2"}"#);
    assert!(known.medication_options.iter().all(|o| !o.conditional));
    assert!(!labs(&known).contains(&"2160-0".to_string()));
    // Below 30: kidney failure, not offered at all.
    let failing = case(r#", {"loinc": "33914-3", "value": 22, "unit": "mL/min/1.73m2"}"#);
    assert!(options(&failing).is_empty(), "{:?}", options(&failing));
}

#[test]
fn a_documented_magnesium_potassium_or_b12_deficiency_is_offered_its_replacement_where_safe() {
    let offered = |json: &str| {
        let a = run(json);
        a.medication_options
            .iter()
            .map(|o| (o.entry.atc.clone().unwrap(), o.option_for.as_str()))
            .collect::<Vec<_>>()
    };
    let low_mg = r#"{"loinc": "2601-3", "value": 0.55, "unit": "mmol/L"}"#;
    let low_k = r#"{"loinc": "2823-3", "value": 3.1, "unit": "mmol/L"}"#;
    let low_b12 = r#"{"loinc": "2132-9", "value": 150, "unit": "pg/mL"}"#;
    let both = offered(&format!(
        r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "hydrochlorothiazide"}}], "labs": [{low_mg}, {low_k}, {low_b12}]}}"#
    ));
    assert_eq!(
        both,
        [
            ("A12CC".to_string(), "deficiency"),
            ("A12BA".to_string(), "deficiency"),
            ("B03BA".to_string(), "deficiency")
        ]
    );
    // A recorded hypomagnesaemia or hypokalaemia is a documented deficiency too.
    let coded = offered(r#"{"conditions": [{"icd10": "E83.42"}, {"icd10": "E87.6"}]}"#);
    assert_eq!(coded.len(), 2, "{coded:?}");
    // Normal results: nothing offered (and magnesium is avoided for the cramps).
    let normal = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "labs": [{{"loinc": "2601-3", "value": 0.85, "unit": "mmol/L"}}, {{"loinc": "2823-3", "value": 4.2, "unit": "mmol/L"}}]}}"#
    ));
    assert!(options(&normal).is_empty());
    assert!(avoid(&normal).contains(&"A12CC".to_string()));
    // Never potassium with a potassium-sparing diuretic, and neither electrolyte with failing
    // kidneys (d.4a, c.7): the plan item still asks for the correction.
    let spared = run(&format!(
        r#"{{"medications": [{{"name": "spironolactone"}}], "labs": [{low_k}]}}"#
    ));
    assert!(options(&spared).is_empty());
    for kidneys in [
        r#"{"icd10": "N18.6"}"#,
        r#"{"icd10": "N18.4"}"#,
        r#"{"name": "haemodialysis"}"#,
    ] {
        let a = run(&format!(
            r#"{{"conditions": [{kidneys}], "labs": [{low_mg}, {low_k}]}}"#
        ));
        assert!(options(&a).is_empty(), "{kidneys}: {:?}", options(&a));
        assert!(plan(&a).contains(&"correct_electrolytes"));
    }
    // Magnesium is started only on a deficiency documented in EVIDENCE's own terms: a low result
    // under a magnesium LOINC code or the word "magnesium", or hypomagnesaemia by E83.42 or name.
    // Read through the knowledge base's [U] additions (an "Mg" abbreviation, a SNOMED CT id) it is
    // corrected through the plan, not offered.
    let by_name = run(r#"{"labs": [{"name": "Serum magnesium", "value": 1.4, "unit": "mg/dL"}]}"#);
    assert_eq!(options(&by_name), ["A12CC"]);
    // Potassium likewise: "K" and the SNOMED CT id of hypokalaemia are the knowledge base's [U]
    // additions; "Potassium" and E87.6 are EVIDENCE's.
    let k_by_name = run(r#"{"labs": [{"name": "Potassium", "value": 3.1, "unit": "mmol/L"}]}"#);
    assert_eq!(options(&k_by_name), ["A12BA"]);
    for (unplain, supplement) in [
        (r#"{"labs": [{"name": "Mg", "value": 1.4, "unit": "mg/dL"}]}"#, "A12CC"),
        (
            r#"{"labs": [{"name": "magnesium", "value": 0.5, "unit": "mmol/litre"}]}"#,
            "A12CC",
        ),
        (r#"{"conditions": [{"snomed": "190855004"}]}"#, "A12CC"),
        (
            r#"{"labs": [{"loinc": "LOINC: 2601-3", "value": 0.5, "unit": "mmol/L"}]}"#,
            "A12CC",
        ),
        (
            r#"{"labs": [{"loinc": "99999-9", "name": "magnesium", "value": 0.5, "unit": "mmol/L"}]}"#,
            "A12CC",
        ),
        (r#"{"labs": [{"name": "K", "value": 3.1, "unit": "mmol/L"}]}"#, "A12BA"),
        (r#"{"conditions": [{"snomed": "43339004"}]}"#, "A12BA"),
        // The plain names on a problem list ([U] additions too).
        (r#"{"conditions": [{"name": "Low magnesium"}]}"#, "A12CC"),
        (r#"{"conditions": [{"name": "Low potassium"}]}"#, "A12BA"),
    ] {
        let a = run(unplain);
        assert_eq!(
            warnings_with(&a, "matches no condition"),
            0,
            "{unplain}: {:?}",
            a.input_warnings
        );
        assert!(options(&a).is_empty(), "{unplain}: {:?}", options(&a));
        assert!(plan(&a).contains(&"correct_electrolytes"), "{unplain}");
        assert!(
            !avoid(&a).contains(&supplement.to_string()),
            "{unplain}: not avoided either"
        );
    }
    // A diet is not a deficiency: a renal or heart-failure diet on the problem list reads as nothing.
    for diet in ["low potassium diet", "Renal diet (low potassium)", "low magnesium diet"] {
        let a = run(&format!(r#"{{"conditions": [{{"name": "{diet}"}}]}}"#));
        assert!(!plan(&a).contains(&"correct_electrolytes"), "{diet}");
        assert_eq!(warnings_with(&a, "matches no condition"), 1, "{diet}");
    }
    // Not under 18 (no adult regimens, c.7), and not when the supplement is already taken.
    let child = run(&format!(
        r#"{{"patient": {{"age": 12}}, "labs": [{low_mg}, {low_k}, {low_b12}]}}"#
    ));
    assert!(options(&child).is_empty());
    let taking = run(&format!(
        r#"{{"medications": [{{"name": "Slow-Mag"}}, {{"name": "Sando-K"}}, {{"name": "cyanocobalamin"}}], "labs": [{low_mg}, {low_k}, {low_b12}]}}"#
    ));
    assert!(options(&taking).is_empty(), "{:?}", options(&taking));
}

#[test]
fn an_inhaler_with_a_laba_evidence_does_not_name_is_reviewed_in_review_and_potassium_checked() {
    let a = run(r#"{"medications": [{"name": "Anoro Ellipta"}, {"name": "terbutaline"}, {"name": "Spiriva"}]}"#);
    let items: Vec<_> = a
        .medication_review
        .iter()
        .map(|r| (r.atc.as_str(), r.tier.as_str(), r.entry.id.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("R03AL", "A", "review.laba_other"),
            ("R03AC03", "B", "review.saba_other")
        ]
    );
    assert!(
        a.medication_review
            .iter()
            .all(|r| r.entry.status == ReviewStatus::InReview)
    );
    assert!(
        a.unrecognized_medications.is_empty(),
        "tiotropium is known and not flagged"
    );
    assert!(labs(&a).contains(&"2823-3".to_string()));
}

#[test]
fn ferric_carboxymaltose_is_not_flagged_under_the_iron_sucrose_row() {
    let a = run(r#"{"medications": [{"name": "Ferinject 1000 mg IV"}, {"name": "iron sucrose 200 mg IV"}]}"#);
    assert_eq!(review(&a), [("B03AC02".to_string(), "A")]);
}

#[test]
fn iv_iron_whose_preparation_is_not_named_is_reviewed_under_the_class_code_and_is_not_oral_iron() {
    // "IV iron" and "iron infusion" read "iron" once routes are stripped, which had made them the
    // oral ferrous sulfate: the name's route now makes them IV iron, under c.6's class code B03AC.
    for name in [
        "IV iron",
        "iron infusion",
        "iron infusions monthly",
        "intravenous iron",
        "iron drip",
    ] {
        let a = run(&format!(r#"{{"medications": [{{"name": "{name}"}}]}}"#));
        assert_eq!(review(&a), [("B03AC".to_string(), "A")], "{name}");
    }
    // Iron by mouth, or iron alone, stays oral iron, which is no cause.
    for name in ["iron", "iron tablets", "oral iron"] {
        let a = run(&format!(r#"{{"medications": [{{"name": "{name}"}}]}}"#));
        assert!(review(&a).is_empty(), "{name}");
    }
    // On IV iron, RLS with a low ferritin gets the general iron option ("oral or IV"), not the one
    // for iron still low on oral iron.
    let on_iv = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "medications": [{{"name": "IV iron"}}], "labs": [{{"loinc": "2276-4", "value": 45, "unit": "ng/mL"}}]}}"#
    ));
    assert_eq!(options(&on_iv), vec!["B03AA07"]);
}

#[test]
fn a_child_is_reassured_with_the_paediatric_wording_that_asks_for_a_cause() {
    let entry = |age: u32| {
        let a = run(&format!(r#"{{"patient": {{"age": {age}}}, "symptoms": {{{NLC}}}}}"#));
        a.plan
            .iter()
            .find(|p| p.id.as_str() == "reassurance")
            .map(|p| p.entry.id.clone())
    };
    assert_eq!(entry(12).as_deref(), Some("plan.reassurance_child"));
    assert_eq!(entry(17).as_deref(), Some("plan.reassurance_child"));
    assert_eq!(entry(18).as_deref(), Some("plan.reassurance"));
    assert_eq!(entry(70).as_deref(), Some("plan.reassurance"));
}

#[test]
fn a_child_with_rls_gets_the_paediatric_ferritin_threshold_and_no_adult_iron_regimen() {
    let rls = r#""symptoms": {"feels_like": "urge_to_move", "worse_in_evening": true, "relieved_by": "any_movement", "returns_at_rest": true}"#;
    let case = |age: u32, ferritin: u32| {
        run(&format!(
            r#"{{"patient": {{"age": {age}, "sex": "female"}}, {rls}, "labs": [{{"loinc": "2276-4", "value": {ferritin}, "unit": "ng/mL"}}]}}"#
        ))
    };
    let low = case(9, 40);
    assert_eq!(interpretation(&low, "2276-4"), Some("low"));
    assert!(plan(&low).contains(&"iron_repletion"));
    let item = low.plan.iter().find(|p| p.id == PlanId::IronRepletion).unwrap();
    assert_eq!(item.entry.id, "plan.iron_repletion_child");
    assert_eq!(
        item.entry.status,
        ReviewStatus::InReview,
        "the paediatric threshold is [S]"
    );
    assert!(
        options(&low).is_empty(),
        "no adult oral or IV iron regimen under 18: {:?}",
        options(&low)
    );
    // Iron considered by the child is answered with that plan item, not as an option of others.
    let considered = run(&format!(
        r#"{{"patient": {{"age": 9, "sex": "female"}}, {rls}, "labs": [{{"loinc": "2276-4", "value": 40, "unit": "ng/mL"}}], "considering": [{{"name": "ferrous sulfate"}}]}}"#
    ));
    assert_eq!(
        considered.considered[0].entry.map(|e| e.id.as_str()),
        Some("plan.iron_repletion_child")
    );
    // 50-75 ng/mL: iron for an adult, not for a child.
    let mid = case(9, 60);
    assert_eq!(interpretation(&mid, "2276-4"), Some("normal"));
    assert!(!plan(&mid).contains(&"iron_repletion"));
    let adult = case(40, 60);
    assert_eq!(interpretation(&adult, "2276-4"), Some("low"));
    assert!(plan(&adult).contains(&"iron_repletion"));
    assert!(options(&adult).contains(&"B03AA07".to_string()));
}

#[test]
fn an_antiplatelet_considered_is_not_taken_for_cilostazol_whose_class_it_shares() {
    let a = run(
        r#"{"patient": {"age": 70}, "conditions": [{"icd10": "I50.9"}], "symptoms": {"feels_like": "painful_cramp", "when": "walking", "relieved_by": "rest"}, "exam": {"abi": 0.7}, "considering": [{"name": "clopidogrel"}, {"name": "cilostazol"}]}"#,
    );
    assert_eq!(a.considered[0].decision, Decision::Statement);
    assert!(!a.considered[0].elsewhere, "clopidogrel is not cilostazol");
    assert_eq!(
        a.considered[1].decision,
        Decision::Avoid,
        "cilostazol with heart failure"
    );
}

#[test]
fn a_considered_drug_that_is_an_option_only_elsewhere_cites_that_option() {
    for (drug, entry) in [
        ("diltiazem", "option.diltiazem_refractory"),
        ("midodrine", "option.midodrine_haemodialysis"),
        ("albumin", "option.albumin_cirrhosis"),
        ("ferrous sulfate", "option.iron_rls"),
        ("cilostazol", "option.cilostazol_pad"),
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "considering": [{{"name": "{drug}"}}]}}"#
        ));
        let c = &a.considered[0];
        assert_eq!(c.decision, Decision::Statement, "{drug}");
        assert!(c.elsewhere, "{drug}");
        assert_eq!(c.entry.map(|e| e.id.as_str()), Some(entry), "{drug}");
        assert!(options(&a).is_empty(), "{drug}");
    }
    // In its population it is the option itself.
    let a = run(
        r#"{"conditions": [{"name": "cirrhosis"}], "labs": [{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}], "considering": [{"name": "albumin"}]}"#,
    );
    assert_eq!(a.considered[0].decision, Decision::Option);
    // A drug that is no option anywhere keeps the generic statement.
    let b = run(r#"{"considering": [{"name": "bisoprolol"}]}"#);
    assert!(!b.considered[0].elsewhere);
    assert_eq!(
        b.considered[0].entry.map(|e| e.id.as_str()),
        Some("considering.not_offered")
    );
}

#[test]
fn an_alpha2delta_ligand_is_a_recommended_rls_drug_but_no_cramp_treatment_and_a_dopamine_agonist_is_not_recommended() {
    let entry = |drug: &str, symptoms: &str| {
        let a = run(&format!(
            r#"{{"symptoms": {{{symptoms}}}, "considering": [{{"name": "{drug}"}}]}}"#
        ));
        a.considered[0].entry.map(|e| e.id.clone())
    };
    assert_eq!(
        entry("gabapentin", RLS).as_deref(),
        Some("considering.alpha2delta_for_rls")
    );
    assert_eq!(
        entry("pregabalin 75 mg", RLS).as_deref(),
        Some("considering.alpha2delta_for_rls")
    );
    assert_eq!(
        entry("ropinirole", RLS).as_deref(),
        Some("considering.dopamine_agonist_for_rls")
    );
    // For cramps alone they are not RLS treatments.
    assert_eq!(
        entry("pregabalin", NLC).as_deref(),
        Some("considering.alpha2delta_for_nlc")
    );
    // Gabapentin, also a reported cramp cause, gets the same answer (which names that), not only the
    // cause statement.
    assert_eq!(
        entry("gabapentin 300 mg", NLC).as_deref(),
        Some("considering.alpha2delta_for_nlc")
    );
}

#[test]
fn sleep_aid_antihistamines_and_other_snris_are_reviewed_on_the_rls_pathway() {
    let a = run(&format!(
        r#"{{"symptoms": {{{RLS}}}, "medications": [{{"name": "Nytol"}}, {{"name": "doxylamine 25 mg"}}, {{"name": "Pristiq 50 mg"}}]}}"#
    ));
    assert_eq!(
        review(&a),
        [
            ("R06AA02".to_string(), "R"),
            ("R06AA09".to_string(), "R"),
            ("N06AX23".to_string(), "R")
        ]
    );
    assert!(a.unrecognized_medications.is_empty());
}

#[test]
fn hydroxyzine_a_sedating_antihistamine_outside_r06a_is_reviewed_only_on_the_rls_pathway() {
    let meds = r#""medications": [{"name": "hydroxyzine 25 mg"}]"#;
    let rls = run(&format!(r#"{{"symptoms": {{{RLS}}}, {meds}}}"#));
    assert_eq!(review(&rls), [("N05BB01".to_string(), "R")]);
    // Its group's role holds for a group given by name: no flag on the NLC pathway.
    let nlc = run(&format!(r#"{{"symptoms": {{{NLC}}}, {meds}}}"#));
    assert!(review(&nlc).is_empty(), "{:?}", review(&nlc));
    assert!(nlc.unrecognized_medications.is_empty());
}

#[test]
fn considered_paracetamol_is_answered_with_the_soreness_plan_item_when_it_is_given() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "considering": [{{"name": "Tylenol"}}]}}"#
    ));
    assert!(plan(&a).contains(&"paracetamol_for_soreness"));
    assert_eq!(
        a.considered[0].entry.map(|e| e.id.as_str()),
        Some("plan.paracetamol_for_soreness")
    );
}

#[test]
fn level_c_treatments_that_are_not_offered_say_so_rather_than_no_evidence() {
    let a =
        run(r#"{"considering": [{"name": "vitamin B12"}, {"name": "vitamin B complex"}, {"name": "naftidrofuryl"}]}"#);
    let ids: Vec<&str> = a
        .considered
        .iter()
        .filter_map(|c| c.entry.map(|e| e.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            "considering.vitamin_b",
            "considering.vitamin_b",
            "considering.naftidrofuryl"
        ]
    );
    assert!(
        a.evidence_conflicts
            .iter()
            .any(|c| c.topic == ConflictTopic::VitaminB12)
    );
}

#[test]
fn a_muscle_relaxant_under_65_and_vitamin_e_on_dialysis_get_their_own_statements() {
    let entry = |json: &str| run(json).considered[0].entry.map(|e| e.id.clone());
    assert_eq!(
        entry(r#"{"patient": {"age": 40, "sex": "male"}, "considering": [{"name": "cyclobenzaprine"}]}"#).as_deref(),
        Some("considering.muscle_relaxant")
    );
    assert_eq!(
        entry(r#"{"conditions": [{"name": "haemodialysis"}], "considering": [{"name": "vitamin E"}]}"#).as_deref(),
        Some("considering.vitamin_e_dialysis")
    );
    assert_eq!(
        entry(r#"{"considering": [{"name": "vitamin E"}]}"#).as_deref(),
        Some("considering.not_offered")
    );
}

#[test]
fn baclofen_is_offered_in_cirrhosis_with_a_known_egfr() {
    let a = run(
        r#"{"patient": {"age": 55, "sex": "male"}, "conditions": [{"name": "cirrhosis"}], "labs": [{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}]}"#,
    );
    assert!(options(&a).contains(&"M03BX01".to_string()));
    assert!(options(&a).contains(&"B05AA01".to_string()));
    assert!(!avoid(&a).contains(&"M03BX01".to_string()));
}

#[test]
fn baclofen_in_cirrhosis_with_unknown_egfr_is_conditional_and_orders_creatinine() {
    let a = run(r#"{"patient": {"age": 55, "sex": "male"}, "conditions": [{"name": "cirrhosis"}]}"#);
    assert!(
        a.medication_options
            .iter()
            .any(|o| o.conditional && o.entry.atc.as_deref() == Some("M03BX01"))
    );
    assert!(labs(&a).contains(&"2160-0".to_string()));
}

#[test]
fn other_wordings_of_unsteadiness_smoking_and_reduced_ejection_fraction_reach_their_gates() {
    let plan_with = |name: &str| {
        plan(&run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "{name}"}}]}}"#
        )))
    };
    for name in ["gait instability", "balance disorder"] {
        assert!(plan_with(name).contains(&"seated_stretching"), "{name}");
    }
    // "Electrolyte imbalance" is not unsteadiness.
    assert!(!plan_with("electrolyte imbalance").contains(&"seated_stretching"));
    assert!(plan_with("tobacco dependence").contains(&"smoking_cessation"));
    assert!(!plan_with("LVSD").contains(&"hydration"));
}

#[test]
fn a_pregnancy_written_as_a_gestation_or_iup_is_pregnancy_and_a_past_one_is_not() {
    let quinine_flag = |name: &str| {
        let a = run(&format!(
            r#"{{"patient": {{"age": 30, "sex": "female"}}, "conditions": [{{"name": "{name}"}}], "considering": [{{"name": "quinine"}}]}}"#
        ));
        flags(&a).contains(&"quinine_in_pregnancy")
    };
    for name in ["IUP at 28 weeks", "28 weeks gestation", "gestational diabetes"] {
        assert!(quinine_flag(name), "{name}");
    }
    assert!(!quinine_flag("history of gestational diabetes"));
}

#[test]
fn hepatic_failure_coma_or_a_graded_he_written_by_name_withholds_baclofen_in_cirrhosis() {
    for name in [
        "HE grade 2",
        "hepatic coma",
        "liver failure",
        "acute on chronic liver failure",
        "hepatic failure",
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "cirrhosis"}}, {{"name": "{name}"}}], "medications": [{{"name": "baclofen 10 mg"}}]}}"#
        ));
        assert!(!options(&a).iter().any(|c| c == "M03BX01"), "{name}");
        assert!(flags(&a).contains(&"baclofen_encephalopathy"), "{name}");
        assert_eq!(warnings_with(&a, "matches no condition"), 0, "{name}");
    }
    // "HE" alone is not read (hepatic encephalopathy, or many other things): named as unmatched.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "cirrhosis"}}, {{"name": "HE"}}]}}"#
    ));
    assert_eq!(warnings_with(&a, "matches no condition"), 1);
}

#[test]
fn lactulose_or_rifaximin_taken_in_cirrhosis_withholds_baclofen_until_encephalopathy_is_excluded() {
    for drug in ["lactulose 20 mL bd", "Xifaxan 550 mg", "rifaximin"] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}}}, "conditions": [{{"icd10": "K74.60"}}], "medications": [{{"name": "{drug}"}}]}}"#
        ));
        assert!(!options(&a).contains(&"M03BX01".to_string()), "{drug}");
        let item = a.avoid.iter().find(|v| v.atc.as_deref() == Some("M03BX01")).unwrap();
        assert_eq!(item.entry.id, "avoid.baclofen_until_encephalopathy_excluded", "{drug}");
        assert_eq!(item.severity, Severity::Warning);
        // Not the red flag: nothing says the encephalopathy is there now.
        assert!(!flags(&a).contains(&"baclofen_encephalopathy"), "{drug}");
        // Albumin is not affected.
        assert!(options(&a).contains(&"B05AA01".to_string()), "{drug}");
        assert!(a.unrecognized_medications.is_empty(), "{drug}");
    }
    // Lactulose without cirrhosis (constipation) changes nothing about baclofen.
    let a = run(&format!(
        r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "lactulose"}}]}}"#
    ));
    let item = a.avoid.iter().find(|v| v.atc.as_deref() == Some("M03BX01")).unwrap();
    assert_eq!(item.entry.id, "avoid.baclofen_no_indication");
}

#[test]
fn baclofen_is_never_offered_in_kidney_failure_pregnancy_or_encephalopathy() {
    for extra in [
        r#"{"icd10": "N18.5"}"#,
        r#"{"name": "on haemodialysis"}"#,
        r#"{"name": "pregnancy"}"#,
        r#"{"name": "hepatic encephalopathy"}"#,
    ] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 50, "sex": "female"}}, "conditions": [{{"name": "cirrhosis"}}, {extra}]}}"#
        ));
        assert!(!options(&a).contains(&"M03BX01".to_string()), "{extra}");
        let item = a.avoid.iter().find(|v| v.atc.as_deref() == Some("M03BX01")).unwrap();
        assert_eq!(item.severity, Severity::Critical, "{extra}");
    }
}

#[test]
fn baclofen_is_withheld_until_pregnancy_is_known_for_a_woman_of_childbearing_age() {
    let a = run(r#"{"patient": {"age": 30, "sex": "female"}, "conditions": [{"name": "cirrhosis"}]}"#);
    assert!(!options(&a).contains(&"M03BX01".to_string()));
    assert!(a.questions.iter().any(|q| q.field == "patient.pregnant"));
}

#[test]
fn pregnancy_is_asked_when_sex_is_not_recorded_but_not_for_a_man() {
    let a = run(r#"{"patient": {"age": 30}, "conditions": [{"name": "cirrhosis"}]}"#);
    assert!(a.questions.iter().any(|q| q.field == "patient.pregnant"));
    assert!(!options(&a).contains(&"M03BX01".to_string()));
    let b = run(r#"{"patient": {"age": 30, "sex": "male"}, "conditions": [{"name": "cirrhosis"}]}"#);
    assert!(!b.questions.iter().any(|q| q.field == "patient.pregnant"));
}

#[test]
fn baclofen_outside_cirrhosis_is_a_warning() {
    let a = run("{}");
    let item = a.avoid.iter().find(|v| v.atc.as_deref() == Some("M03BX01")).unwrap();
    assert_eq!(item.severity, Severity::Warning);
}

#[test]
fn older_adults_are_told_to_avoid_the_beers_relaxants_one_item_per_group() {
    let a = run(r#"{"patient": {"age": 70}}"#);
    for g in ["M03BA", "M03BB", "M03BC", "M03BX08"] {
        assert!(avoid(&a).contains(&g.to_string()), "{g}");
    }
    let b = run(r#"{"patient": {"age": 60}}"#);
    assert!(!avoid(&b).contains(&"M03BA".to_string()));
}

#[test]
fn a_beers_relaxant_taken_or_considered_at_65_or_over_names_its_group_item() {
    let a = run(
        r#"{"patient": {"age": 78}, "medications": [{"name": "Robaxin 750"}], "considering": [{"name": "orphenadrine"}]}"#,
    );
    let display = |atc: &str| {
        a.avoid
            .iter()
            .find(|v| v.atc.as_deref() == Some(atc))
            .map(|v| v.display.clone())
    };
    assert_eq!(display("M03BA").as_deref(), Some("Methocarbamol"));
    assert_eq!(display("M03BC").as_deref(), Some("Orphenadrine"));
    // A group not taken keeps its own name.
    assert!(display("M03BB").is_some_and(|d| d.contains("M03BB")));
}

#[test]
fn a_z_drug_at_65_or_over_is_avoided() {
    let a = run(r#"{"patient": {"age": 70}, "medications": [{"name": "zolpidem 5 mg"}]}"#);
    assert!(avoid(&a).contains(&"N05CF02".to_string()));
}

#[test]
fn a_dopamine_agonist_taken_for_restless_legs_is_reviewed_with_its_prescriber_but_not_one_taken_beside_cramps_alone() {
    let review = |symptoms: &str, medications: &str| {
        let a = run(&format!(
            r#"{{"symptoms": {{{symptoms}}}, "medications": [{medications}]}}"#
        ));
        a.plan
            .iter()
            .find(|p| p.id == PlanId::PrescriberMedicationReview)
            .map(|p| p.entry.id.clone())
    };
    for drug in ["ropinirole 1 mg", "Mirapex", "rotigotine patch"] {
        assert_eq!(
            review(RLS, &format!(r#"{{"name": "{drug}"}}"#)).as_deref(),
            Some("plan.prescriber_medication_review_dopamine_agonist"),
            "{drug}"
        );
    }
    // Beside a drug flagged for RLS the same entry serves (its text asks for the others too).
    assert_eq!(
        review(RLS, r#"{"name": "ropinirole"}, {"name": "sertraline"}"#).as_deref(),
        Some("plan.prescriber_medication_review_dopamine_agonist")
    );
    // Taken for Parkinson's disease by someone whose complaint is cramps: not an RLS treatment.
    assert_eq!(review(NLC, r#"{"name": "ropinirole"}"#), None);
}

#[test]
fn restless_legs_needing_a_drug_with_iron_not_low_and_none_offered_here_is_referred() {
    let case = |patient: &str, episodes: u32, iron: bool, extra: &str| {
        let labs = if iron {
            r#"{"loinc": "2276-4", "value": 300, "unit": "ng/mL"}, {"loinc": "2502-3", "value": 32, "unit": "%"}"#
        } else {
            ""
        };
        run(&format!(
            r#"{{"patient": {{{patient}}}, "symptoms": {{{RLS}, "episodes_per_week": {episodes}}}, "labs": [{labs}]{extra}}}"#
        ))
    };
    let adult = r#""age": 60, "sex": "male""#;
    let alpha2delta = |a: &Assessment| options(a).iter().any(|o| o.starts_with("N02BF"));
    // With kidneys working the alpha-2-delta option is the next step: no referral.
    let a = case(adult, 5, true, "");
    assert!(alpha2delta(&a));
    assert_eq!(referral(&a), (None, vec![]));
    // Kidney failure or dialysis, or already on one: sleep medicine.
    for extra in [
        r#", "conditions": [{"icd10": "N18.5"}]"#,
        r#", "conditions": [{"name": "haemodialysis"}]"#,
        r#", "medications": [{"name": "pregabalin 75 mg"}]"#,
    ] {
        let a = case(adult, 5, true, extra);
        assert!(!alpha2delta(&a), "{extra}");
        assert_eq!(referral(&a), (Some("routine"), vec!["sleep_medicine"]), "{extra}");
    }
    // Pregnancy: the maternity team.
    let a = case(r#""age": 30, "sex": "female", "gestational_weeks": 30"#, 5, true, "");
    assert_eq!(referral(&a), (Some("routine"), vec!["obstetrics"]));
    // Not before the iron tests, not when infrequent, not while pregnancy is unknown, not under 18.
    let kidney = r#", "conditions": [{"icd10": "N18.5"}]"#;
    assert_eq!(referral(&case(adult, 5, false, kidney)), (None, vec![]));
    assert_eq!(referral(&case(adult, 1, true, kidney)), (None, vec![]));
    assert_eq!(
        referral(&case(r#""age": 30, "sex": "female""#, 5, true, kidney)),
        (None, vec![])
    );
    assert_eq!(
        referral(&case(r#""age": 15, "sex": "male""#, 5, true, kidney)).1,
        Vec::<&str>::new()
    );
}

#[test]
fn a_beers_drug_taken_at_65_or_over_gets_a_deprescribing_review_but_one_only_considered_does_not() {
    fn rule(a: &Assessment<'static>) -> Option<&'static str> {
        a.plan
            .iter()
            .find(|p| p.id == PlanId::PrescriberMedicationReview)
            .map(|p| p.entry.id.as_str())
    }
    for drug in ["zopiclone 7.5 mg", "diazepam 2 mg", "cyclobenzaprine"] {
        let taken = run(&format!(
            r#"{{"patient": {{"age": 82}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "{drug}"}}]}}"#
        ));
        assert_eq!(
            rule(&taken),
            Some("plan.prescriber_medication_review_deprescribing"),
            "{drug}"
        );
        let considered = run(&format!(
            r#"{{"patient": {{"age": 82}}, "symptoms": {{{NLC}}}, "considering": [{{"name": "{drug}"}}]}}"#
        ));
        assert_eq!(rule(&considered), None, "{drug}");
        let younger = run(&format!(
            r#"{{"patient": {{"age": 50}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "{drug}"}}]}}"#
        ));
        assert_eq!(rule(&younger), None, "{drug}");
    }
    // With a cramp-inducing drug too, the general review carries both.
    let both = run(&format!(
        r#"{{"patient": {{"age": 82}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "zopiclone"}}, {{"name": "hydrochlorothiazide"}}]}}"#
    ));
    assert_eq!(rule(&both), Some("plan.prescriber_medication_review"));
}

#[test]
fn an_nsaid_in_ckd_is_avoided() {
    let a =
        run(r#"{"patient": {"age": 50}, "conditions": [{"icd10": "N18.3"}], "considering": [{"name": "naproxen"}]}"#);
    assert!(avoid(&a).contains(&"M01AE02".to_string()));
}

#[test]
fn a_topical_nsaid_is_not_the_tablet() {
    // A gel or patch (M02AA) is neither reviewed as a cause of cramps nor avoided with the
    // systemic NSAIDs (M01A) at 65 and over or in CKD; the tablet still is.
    for gel in [
        "Voltaren gel",
        "diclofenac sodium 10 MG/ML Topical Gel",
        "ibuprofen 5% gel",
        "Flector patch",
    ] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 75}}, "symptoms": {{{NLC}}}, "conditions": [{{"icd10": "N18.3"}}], "medications": [{{"name": "{gel}"}}], "considering": [{{"name": "{gel}"}}]}}"#
        ));
        assert!(review(&a).is_empty(), "{gel}: {:?}", review(&a));
        assert!(
            !avoid(&a).iter().any(|c| c.starts_with("M01A") || c.starts_with("M02A")),
            "{gel}"
        );
        assert!(a.unrecognized_medications.is_empty(), "{gel}");
    }
    let tablet = run(&format!(
        r#"{{"patient": {{"age": 75}}, "symptoms": {{{NLC}}}, "medications": [{{"name": "diclofenac 50 mg"}}]}}"#
    ));
    assert!(!review(&tablet).is_empty());
    assert!(avoid(&tablet).iter().any(|c| c.starts_with("M01A")));
}

#[test]
fn potassium_with_a_potassium_sparing_diuretic_is_avoided() {
    let a = run(
        r#"{"medications": [{"name": "spironolactone"}], "considering": [{"name": "potassium chloride"}], "labs": [{"loinc": "2823-3", "value": 3.2, "unit": "mmol/L"}]}"#,
    );
    assert!(avoid(&a).contains(&"A12BA".to_string()));
}

#[test]
fn diltiazem_is_offered_only_for_refractory_cramps_and_never_with_a_dihydropyridine() {
    let refractory = format!(r#""symptoms": {{{NLC}, "stretching_weeks_tried": 8, "worst_pain": 8}}"#);
    let a = run(&format!(r#"{{"patient": {{"age": 60, "sex": "male"}}, {refractory}}}"#));
    assert!(options(&a).contains(&"C08DB01".to_string()));
    let b = run(&format!(
        r#"{{"patient": {{"age": 60, "sex": "male"}}, {refractory}, "medications": [{{"name": "felodipine"}}]}}"#
    ));
    assert!(!options(&b).contains(&"C08DB01".to_string()));
    let c = run(&format!(
        r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}}}}}"#
    ));
    assert!(!options(&c).contains(&"C08DB01".to_string()));
}

#[test]
fn diltiazem_is_not_offered_for_cramps_of_kidney_or_neuromuscular_disease_which_its_evidence_left_out() {
    let refractory = format!(r#""symptoms": {{{NLC}, "stretching_weeks_tried": 8, "worst_pain": 8}}"#);
    for condition in ["N18.3", "N18.6", "Z99.2", "G12.21"] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, {refractory}, "conditions": [{{"icd10": "{condition}"}}]}}"#
        ));
        assert!(!options(&a).contains(&"C08DB01".to_string()), "{condition}");
    }
}

#[test]
fn clinically_significant_rls_with_iron_not_low_is_offered_an_alpha2delta_ligand() {
    let case = |patient: &str, extra: &str, labs: &str| {
        run(&format!(
            r#"{{"patient": {{{patient}}}, "symptoms": {{{RLS}{extra}}}, "labs": [{labs}]}}"#
        ))
    };
    let replete =
        r#"{"loinc": "2276-4", "value": 180, "unit": "ng/mL"}, {"loinc": "2502-3", "value": 30, "unit": "%"}"#;
    let adult = r#""age": 50, "sex": "male""#;
    let a = case(adult, r#", "episodes_per_week": 5"#, replete);
    assert_eq!(options(&a), vec!["N02BF".to_string()]);
    assert_eq!(a.medication_options[0].option_for, OptionFor::Rls);
    // Renally cleared: with no eGFR, offered on the condition of a renal test, which is ordered.
    assert!(a.medication_options[0].conditional);
    assert!(labs(&a).contains(&"2160-0".to_string()), "{:?}", labs(&a));
    let known = case(
        adult,
        r#", "episodes_per_week": 5"#,
        &format!(r#"{replete}, {{"loinc": "33914-3", "value": 70, "unit": "mL/min/1.73m2"}}"#),
    );
    assert!(!known.medication_options[0].conditional);
    // Not clinically significant (twice a week, sleep not disrupted), iron low or not yet checked,
    // coexisting cramps, a child, pregnancy, kidney failure, already taking one: not offered.
    let not_offered = [
        case(adult, r#", "episodes_per_week": 2"#, replete),
        case(
            adult,
            r#", "episodes_per_week": 5"#,
            r#"{"loinc": "2276-4", "value": 40, "unit": "ng/mL"}, {"loinc": "2502-3", "value": 30, "unit": "%"}"#,
        ),
        case(
            adult,
            r#", "episodes_per_week": 5"#,
            r#"{"loinc": "2276-4", "value": 180, "unit": "ng/mL"}"#,
        ),
        case(r#""age": 15, "sex": "male""#, r#", "sleep_disrupted": true"#, replete),
        case(
            r#""age": 30, "sex": "female", "pregnant": true"#,
            r#", "sleep_disrupted": true"#,
            replete,
        ),
    ];
    for (i, a) in not_offered.iter().enumerate() {
        assert!(!options(a).contains(&"N02BF".to_string()), "case {i}");
    }
    let both = run(&format!(
        r#"{{"patient": {{{adult}}}, "symptoms": {{"feels_like": "both", "worse_in_evening": true, "relieved_by": "any_movement", "returns_at_rest": true, "episodes_per_week": 5}}, "labs": [{replete}]}}"#
    ));
    assert!(!options(&both).contains(&"N02BF".to_string()));
    let ckd5 = run(&format!(
        r#"{{"patient": {{{adult}}}, "symptoms": {{{RLS}, "episodes_per_week": 5}}, "conditions": [{{"icd10": "N18.5"}}], "labs": [{replete}]}}"#
    ));
    assert!(!options(&ckd5).contains(&"N02BF".to_string()));
    let taking = run(&format!(
        r#"{{"patient": {{{adult}}}, "symptoms": {{{RLS}, "episodes_per_week": 5}}, "medications": [{{"name": "pregabalin 75 mg"}}], "labs": [{replete}]}}"#
    ));
    assert!(!options(&taking).contains(&"N02BF".to_string()));
}

#[test]
fn diltiazem_is_not_offered_with_bradycardia_or_a_beta_blocker_and_considered_with_one_is_avoided() {
    let case = |hr: u32, drugs: &str| {
        run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}, "stretching_weeks_tried": 8, "worst_pain": 8}}, "exam": {{"heart_rate": {hr}}}{drugs}}}"#
        ))
    };
    assert!(options(&case(72, "")).contains(&"C08DB01".to_string()));
    let slow = case(48, "");
    assert!(!options(&slow).contains(&"C08DB01".to_string()));
    assert!(
        !avoid(&slow).contains(&"C08DB01".to_string()),
        "nothing to avoid when nobody considers it"
    );
    let considered = case(48, r#", "considering": [{"name": "diltiazem"}]"#);
    let item = considered
        .avoid
        .iter()
        .find(|v| v.atc.as_deref() == Some("C08DB01"))
        .unwrap();
    assert_eq!(item.entry.id.as_str(), "avoid.diltiazem_cardiac");
    // Already taken (rate control): the prescriber's decision, not an avoid item.
    let taken = case(55, r#", "medications": [{"name": "diltiazem 120 mg"}]"#);
    assert!(!avoid(&taken).contains(&"C08DB01".to_string()));
    // A beta-blocker taken is an interacting drug (bradycardia, AV block).
    let beta = case(72, r#", "medications": [{"name": "bisoprolol 5 mg"}]"#);
    assert!(!options(&beta).contains(&"C08DB01".to_string()));
}

#[test]
fn diltiazem_offered_or_considered_with_the_heart_rate_unknown_asks_for_it() {
    let fields = |extra: &str, exam: &str| -> Vec<&'static str> {
        run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}, "stretching_weeks_tried": 8, "worst_pain": 8}}{exam}{extra}}}"#
        ))
        .questions
        .iter()
        .map(|q| q.field)
        .collect()
    };
    assert!(fields("", "").contains(&"exam.heart_rate"));
    assert!(fields(r#", "considering": [{"name": "diltiazem"}]"#, "").contains(&"exam.heart_rate"));
    // Known, or diltiazem neither offered nor considered (on a dihydropyridine): not asked.
    assert!(!fields("", r#", "exam": {"heart_rate": 72}"#).contains(&"exam.heart_rate"));
    assert!(!fields(r#", "medications": [{"name": "amlodipine"}]"#, "").contains(&"exam.heart_rate"));
}

#[test]
fn diltiazem_already_taken_with_a_dihydropyridine_is_flagged_in_avoid() {
    let a = run(r#"{"medications": [{"name": "amlodipine"}, {"name": "diltiazem"}]}"#);
    assert!(avoid(&a).contains(&"C08DB01".to_string()));
}

#[test]
fn no_avoid_text_tells_a_patient_to_stop_baclofen() {
    for case in [
        r#"{}"#,
        r#"{"conditions": [{"name": "cirrhosis"}, {"icd10": "N18.5"}]}"#,
    ] {
        let a = run(case);
        let item = a.avoid.iter().find(|v| v.atc.as_deref() == Some("M03BX01")).unwrap();
        assert!(
            item.entry.patient.contains("do not stop it suddenly"),
            "{}",
            item.entry.patient
        );
    }
}

#[test]
fn midodrine_is_offered_only_on_dialysis_with_intradialytic_hypotension() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "N18.6"}}, {{"icd10": "I95.3"}}]}}"#
    ));
    assert!(options(&a).contains(&"C01CA17".to_string()));
    assert!(plan(&a).contains(&"dialysis_prescription_review"));
    assert_eq!(referral(&a).1, vec!["nephrology"]);
    let b = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"icd10": "I95.3"}}]}}"#
    ));
    assert!(!options(&b).contains(&"C01CA17".to_string()));
}

#[test]
fn albumin_or_midodrine_withheld_for_a_diagnosis_read_only_through_an_addition_says_how_to_document_it() {
    // "ESRF" and "on HD" are the knowledge base's additions to d.1a's names; a SNOMED CT id alone
    // is not d.1a's ICD-10-CM code.
    for (conditions, atc, at) in [
        (
            r#"{"name": "ESRF on HD"}, {"name": "intradialytic hypotension"}"#,
            "C01CA17",
            0,
        ),
        (r#"{"snomed": "19943007"}"#, "B05AA01", 0),
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{conditions}]}}"#));
        assert!(!options(&a).contains(&atc.to_string()), "{conditions}");
        let said: Vec<_> = a
            .input_warnings
            .iter()
            .filter(|w| w.starts_with(&format!("conditions[{at}]: ")) && w.contains("is offered for it once"))
            .collect();
        assert_eq!(said.len(), 1, "{conditions}: {:?}", a.input_warnings);
    }
    // Midodrine considered: its option is named as withheld for want of documentation, not as
    // belonging to another population.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "ESRF on HD"}}, {{"name": "intradialytic hypotension"}}], "considering": [{{"name": "midodrine"}}]}}"#
    ));
    assert!(a.considered[0].elsewhere && a.considered[0].undocumented);
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "intradialytic hypotension"}}], "considering": [{{"name": "midodrine"}}]}}"#
    ));
    assert!(a.considered[0].elsewhere && !a.considered[0].undocumented);
    // Documented as d.1a names it: offered, and nothing to say.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "haemodialysis"}}, {{"name": "intradialytic hypotension"}}]}}"#
    ));
    assert!(options(&a).contains(&"C01CA17".to_string()));
    assert!(
        !a.input_warnings.iter().any(|w| w.contains("is offered for it once")),
        "{:?}",
        a.input_warnings
    );
    // An addition that withholds nothing is not mentioned (no intradialytic hypotension here).
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "ESRF on HD"}}]}}"#
    ));
    assert!(
        !a.input_warnings.iter().any(|w| w.contains("is offered for it once")),
        "{:?}",
        a.input_warnings
    );
}

#[test]
fn cirrhosis_or_dialysis_cramp_treatments_are_not_offered_when_the_complaint_is_not_a_cramp() {
    let cirrhosis = r#""conditions": [{"name": "cirrhosis"}, {"icd10": "N18.6"}, {"icd10": "I95.3"}]"#;
    for symptoms in [
        RLS.to_string(),
        r#""feels_like": "burning_or_numb", "when": "night", "location": ["foot"]"#.to_string(),
        r#""feels_like": "none", "kicking_reported": true"#.to_string(),
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{symptoms}}}, {cirrhosis}}}"#));
        for atc in ["M03BX01", "B05AA01", "C01CA17"] {
            assert!(!options(&a).contains(&atc.to_string()), "{atc}: {symptoms}");
        }
        // The hepatology review of diuretic doses stays; no "not for your cramps" baclofen warning.
        assert!(plan(&a).contains(&"hepatology_review"), "{symptoms}");
        assert!(
            !a.avoid.iter().any(|v| v.entry.id == "avoid.baclofen_no_indication"),
            "{symptoms}"
        );
    }
    // Cramps, a recorded cramp diagnosis, or nothing answered yet: offered as before.
    let cirrhosis_only = r#""conditions": [{"name": "cirrhosis"}]"#;
    for case in [
        format!(r#"{{"symptoms": {{{NLC}}}, {cirrhosis_only}}}"#),
        format!(r#"{{"symptoms": {{{RLS}}}, "conditions": [{{"name": "cirrhosis"}}, {{"icd10": "G47.62"}}]}}"#),
        format!(r#"{{{cirrhosis_only}}}"#),
    ] {
        let a = run(&case);
        assert!(options(&a).contains(&"M03BX01".to_string()), "{case}");
        assert!(options(&a).contains(&"B05AA01".to_string()), "{case}");
    }
}

// ---- plan (c.10) ----

#[test]
fn nlc_gets_stretching_relief_reassurance_and_safety_netting() {
    let a = run(&format!(r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}}}}}"#));
    for id in [
        "nightly_stretching",
        "acute_cramp_relief",
        "reassurance",
        "paracetamol_for_soreness",
        "safety_net_advice",
        "sleep_position",
        "cramp_diary",
        "hydration",
    ] {
        assert!(plan(&a).contains(&id), "{id}");
    }
}

#[test]
fn poor_balance_adds_seated_stretching_and_seated_cramp_relief_and_suppresses_fluid_advice() {
    let a = run(&format!(r#"{{"patient": {{"age": 82}}, "symptoms": {{{NLC}}}}}"#));
    assert!(plan(&a).contains(&"seated_stretching"));
    assert!(!plan(&a).contains(&"hydration"));
    // The acute relief advice is seated too, standing only with support (c.7 fall-risk awareness).
    let relief = |a: &Assessment| {
        a.plan
            .iter()
            .find(|p| p.id == PlanId::AcuteCrampRelief)
            .map(|p| p.entry.id.clone())
    };
    assert_eq!(relief(&a).as_deref(), Some("plan.acute_cramp_relief_poor_balance"));
    let younger = run(&format!(r#"{{"patient": {{"age": 60}}, "symptoms": {{{NLC}}}}}"#));
    assert_eq!(relief(&younger).as_deref(), Some("plan.acute_cramp_relief"));
}

#[test]
fn fluid_advice_is_suppressed_in_heart_failure_low_sodium_restriction_and_nocturia_sent_as_results_flags_or_conditions()
{
    for extra in [
        r#""conditions": [{"name": "heart failure"}]"#,
        r#""labs": [{"loinc": "2951-2", "value": 132, "unit": "mmol/L"}]"#,
        r#""patient": {"fluid_restricted": true}"#,
        // The same recorded as conditions, as charts often do.
        r#""conditions": [{"name": "Hyponatremia (Na 128)"}]"#,
        r#""conditions": [{"name": "Low sodium"}]"#,
        r#""conditions": [{"icd10": "E87.1"}]"#,
        r#""conditions": [{"name": "fluid restriction 1.5 L/day"}]"#,
        r#""conditions": [{"name": "CAPD"}]"#,
        r#""conditions": [{"name": "CKD5 on HD"}]"#,
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, {extra}}}"#));
        assert!(!plan(&a).contains(&"hydration"), "{extra}");
    }
    for extra in [
        r#"{"name": "hyponatraemia resolved"}"#,
        r#"{"name": "low sodium diet"}"#,
        r#"{"name": "Huntington's (HD)"}"#,
    ] {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{extra}]}}"#));
        assert!(plan(&a).contains(&"hydration"), "{extra}");
    }
    let b = run(&format!(r#"{{"symptoms": {{{NLC}, "nocturia": true}}}}"#));
    assert!(!plan(&b).contains(&"hydration"));
}

#[test]
fn rls_alone_gets_no_stretching_plan() {
    let a = run(&format!(r#"{{"symptoms": {{{RLS}}}}}"#));
    assert!(!plan(&a).contains(&"nightly_stretching"));
}

#[test]
fn a_smoker_gets_smoking_cessation_and_an_ex_smoker_does_not() {
    let a = run(r#"{"conditions": [{"name": "current smoker"}]}"#);
    assert!(plan(&a).contains(&"smoking_cessation"));
    for name in [
        "ex-smoker",
        "never smoker",
        "denies smoking",
        "quit smoking 2010",
        "stopped smoking",
    ] {
        let b = run(&format!(r#"{{"conditions": [{{"name": "{name}"}}]}}"#));
        assert!(!plan(&b).contains(&"smoking_cessation"), "{name}");
    }
}

#[test]
fn a_condition_ruled_out_or_negative_after_its_name_does_not_count() {
    let egfr = r#""labs": [{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}]"#;
    for name in [
        "cirrhosis ruled out",
        "cirrhosis excluded on FibroScan",
        "cirrhosis: unlikely",
    ] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}}}, "conditions": [{{"name": "{name}"}}], {egfr}}}"#
        ));
        assert!(!options(&a).contains(&"M03BX01".to_string()), "{name}");
        assert!(!plan(&a).contains(&"hepatology_review"), "{name}");
    }
    // Only directly after the word: another test's result later in the name leaves it standing.
    let a = run(&format!(
        r#"{{"patient": {{"age": 60, "sex": "male"}}, "symptoms": {{{NLC}}}, "conditions": [{{"name": "cirrhosis, hepatitis C negative"}}], {egfr}}}"#
    ));
    assert!(plan(&a).contains(&"hepatology_review"));
    // A negative pregnancy test is no pregnancy: a woman of 30 is asked, not taken as pregnant.
    let b = run(&format!(
        r#"{{"patient": {{"age": 30, "sex": "female"}}, "symptoms": {{{NLC}}}, "conditions": [{{"name": "pregnancy test: negative"}}]}}"#
    ));
    assert!(
        !b.classification
            .differential
            .iter()
            .any(|d| d.code.code.starts_with("O26.89"))
    );
    assert!(b.questions.iter().any(|q| q.field == "patient.pregnant"));
}

#[test]
fn kidney_failure_written_as_a_kdigo_category_roman_numeral_or_esrf_withholds_baclofen_in_cirrhosis() {
    for name in [
        "CKD G5",
        "CKD stage IV",
        "stage 4 CKD",
        "ESRF on HD",
        "ESKD",
        "CKD4",
        "CKD 5D",
    ] {
        let a = run(&format!(
            r#"{{"conditions": [{{"name": "{name}"}}, {{"name": "cirrhosis"}}]}}"#
        ));
        assert!(!options(&a).contains(&"M03BX01".to_string()), "{name}");
        assert!(
            a.avoid.iter().any(|v| v.entry.id == "avoid.baclofen_contraindicated"),
            "{name}"
        );
        assert!(a.input_warnings.is_empty(), "{name}: {:?}", a.input_warnings);
    }
    // Stage 3 is not kidney failure.
    let a = run(
        r#"{"conditions": [{"name": "CKD G3a"}, {"name": "cirrhosis"}], "labs": [{"loinc": "98979-8", "value": 50, "unit": "mL/min/1.73 m2"}]}"#,
    );
    assert!(options(&a).contains(&"M03BX01".to_string()));
}

#[test]
fn common_clinical_wordings_of_the_rule_conditions_are_recognised() {
    for name in [
        "Congestive cardiac failure",
        "CCF",
        "diabetic nephropathy",
        "NIDDM",
        "PVD",
        "PAOD",
        "peripheral arterial occlusive disease",
        "intermittent claudication",
        "tobacco use disorder",
        "first degree atrioventricular block",
    ] {
        let a = run(&format!(r#"{{"conditions": [{{"name": "{name}"}}]}}"#));
        assert!(a.input_warnings.is_empty(), "{name}: {:?}", a.input_warnings);
    }
    let hf = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "congestive cardiac failure"}}]}}"#
    ));
    assert!(!plan(&hf).contains(&"hydration"));
    let falls = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "history of falls"}}]}}"#
    ));
    assert!(
        plan(&falls).contains(&"seated_stretching"),
        "Z91.81 is \"History of falling\""
    );
    let pre = run(r#"{"conditions": [{"name": "pre-diabetic"}]}"#);
    assert_eq!(pre.input_warnings.len(), 1, "prediabetes is not diabetes");
}

#[test]
fn any_egfr_below_30_withholds_baclofen_even_an_older_one_or_one_without_a_usable_unit() {
    for labs in [
        r#"[{"name": "eGFR", "value": 25, "unit": "mL/min"}]"#,
        r#"[{"loinc": "98979-8", "value": 25}]"#,
        r#"[{"loinc": "98979-8", "value": 25, "unit": "mL/min/1.73 m2", "date": "2025-01-01"}, {"loinc": "98979-8", "value": 45, "unit": "mL/min/1.73 m2", "date": "2026-01-01"}]"#,
    ] {
        let a = run(&format!(
            r#"{{"conditions": [{{"name": "cirrhosis"}}], "labs": {labs}}}"#
        ));
        assert!(!options(&a).contains(&"M03BX01".to_string()), "{labs}");
        assert!(
            a.avoid.iter().any(|v| v.entry.id == "avoid.baclofen_contraindicated"),
            "{labs}"
        );
    }
    let ok = run(
        r#"{"conditions": [{"name": "cirrhosis"}], "labs": [{"loinc": "98979-8", "value": 45, "unit": "mL/min/1.73 m2"}]}"#,
    );
    assert!(options(&ok).contains(&"M03BX01".to_string()));
}

#[test]
fn a_baclofen_contraindication_written_negated_or_past_withholds_it_until_confirmed() {
    let egfr = r#""labs": [{"loinc": "98979-8", "value": 80, "unit": "mL/min/1.73 m2"}]"#;
    for conditions in [
        r#"[{"name": "cirrhosis, no encephalopathy"}]"#,
        r#"[{"name": "cirrhosis without encephalopathy"}]"#,
        r#"[{"name": "cirrhosis"}, {"name": "history of renal failure"}]"#,
    ] {
        let a = run(&format!(
            r#"{{"patient": {{"age": 60, "sex": "male"}}, "conditions": {conditions}, {egfr}}}"#
        ));
        assert!(!options(&a).contains(&"M03BX01".to_string()), "{conditions}");
        let item = a.avoid.iter().find(|v| v.atc.as_deref() == Some("M03BX01")).unwrap();
        assert_eq!(item.entry.id, "avoid.baclofen_until_confirmed", "{conditions}");
        assert_eq!(item.severity, Severity::Warning);
    }
    // A negation of something else does not hold it back.
    let a = run(&format!(
        r#"{{"patient": {{"age": 60, "sex": "male"}}, "conditions": [{{"name": "cirrhosis"}}, {{"name": "ex-smoker"}}], {egfr}}}"#
    ));
    assert!(options(&a).contains(&"M03BX01".to_string()));
}

#[test]
fn metformin_prompts_a_b12_assessment() {
    let a = run(r#"{"medications": [{"name": "metformin 500 mg"}]}"#);
    assert!(plan(&a).contains(&"b12_assessment"));
}

#[test]
fn cirrhosis_prompts_a_hepatology_review() {
    let a = run(r#"{"conditions": [{"icd10": "K70.31"}]}"#);
    assert!(plan(&a).contains(&"hepatology_review"));
}

#[test]
fn a_clti_diagnosis_on_the_problem_list_is_critical_limb_ischaemia() {
    // EVIDENCE d.1's CLTI codes, or the words, without the symptoms described.
    for condition in [
        r#"{"icd10": "I70.261"}"#,
        r#"{"icd10": "I70.222"}"#,
        r#"{"icd10": "E11.52"}"#,
        r#"{"name": "dry gangrene of the right hallux"}"#,
        r#"{"name": "cold pale foot at night"}"#,
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{"feels_like": "painful_cramp", "when": "night"}}, "conditions": [{condition}]}}"#
        ));
        assert_eq!(
            flag_urgency(&a, "critical_limb_ischaemia"),
            Some("urgent"),
            "{condition}"
        );
        assert!(!plan(&a).contains(&"reassurance"), "{condition}");
    }
}

#[test]
fn a_foot_or_leg_ulcer_named_as_a_condition_is_a_non_healing_wound() {
    for condition in [r#"{"name": "diabetic foot ulcer"}"#, r#"{"icd10": "L97.419"}"#] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "conditions": [{condition}], "exam": {{"pedal_pulses": "normal", "abi": 1.0}}}}"#
        ));
        assert!(
            plan(&a).contains(&"wound_care") && plan(&a).contains(&"foot_care"),
            "{condition}"
        );
        assert!(!flags(&a).contains(&"critical_limb_ischaemia"), "{condition}");
    }
    // "peptic ulcer" is not a leg wound.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "conditions": [{{"name": "peptic ulcer"}}]}}"#
    ));
    assert!(!plan(&a).contains(&"wound_care"));
}

#[test]
fn pad_on_the_problem_list_without_claudication_is_possible_and_the_pulses_are_asked() {
    // By name, or by either of EVIDENCE d.2's SNOMED ids (PAD; intermittent claudication).
    for condition in [
        r#"{"name": "peripheral arterial disease"}"#,
        r#"{"snomed": "399957001"}"#,
        r#"{"snomed": "63491006"}"#,
    ] {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}, "when": "night"}}, "conditions": [{condition}]}}"#
        ));
        assert_eq!(most_likely(&a), Some("G47.62"), "{condition}");
        assert_eq!(differential(&a, "I73.9"), Some("possible"), "{condition}");
        assert!(a.questions.iter().any(|q| q.field == "exam.pedal_pulses"));
        assert!(!plan(&a).contains(&"supervised_exercise"));
    }
}

#[test]
fn a_non_healing_wound_gets_wound_and_foot_care() {
    let a = run(r#"{"symptoms": {"non_healing_wound": true}, "exam": {"pedal_pulses": "normal", "abi": 1.0}}"#);
    assert!(plan(&a).contains(&"wound_care") && plan(&a).contains(&"foot_care"));
    assert!(!flags(&a).contains(&"critical_limb_ischaemia"));
}

// ---- serving (SPEC §2.8) ----

#[test]
fn every_item_carries_an_entry_with_at_least_one_resolvable_source() {
    let a = run(&format!(
        r#"{{"patient": {{"age": 70}}, "symptoms": {{{NLC}, "calf_swelling": "one_leg"}}, "medications": [{{"name": "furosemide"}}]}}"#
    ));
    for s in a.cited_sources() {
        assert!(s.id.starts_with("R-"));
    }
    for e in a
        .plan
        .iter()
        .map(|p| p.entry)
        .chain(a.red_flags.iter().map(|r| r.entry))
        .chain(a.avoid.iter().map(|v| v.entry))
    {
        assert!(!e.sources.is_empty());
        assert!(e.sources.iter().all(|s| kb().source(s).is_some()));
    }
}

#[test]
fn the_drug_profiles_worked_out_at_load_match_the_prefix_rules() {
    use cramp_core::knowledge::{GroupRole, SetId};
    let kb = kb();
    for (d, drug) in kb.drugs.drugs.iter().enumerate() {
        let code = drug.code();
        for own_code in [false, true] {
            let p = kb.drugs.ingredient_profile(code, own_code, Some(d));
            for set in SetId::ALL {
                let s = kb.drugs.set(*set);
                let by_rule = code.is_some_and(|c| s.contains_code(c)) || s.drugs.contains(&drug.id);
                assert_eq!(p.in_set(*set), by_rule, "{} in {}", drug.id, set.as_str());
            }
            for role in [GroupRole::Cause, GroupRole::Rls, GroupRole::Safety] {
                assert_eq!(
                    p.group(role),
                    code.and_then(|c| kb.drugs.group_for(c, role)),
                    "{}",
                    drug.id
                );
            }
        }
    }
}

#[test]
fn every_drug_flag_tells_the_patient_not_to_stop_it_on_their_own() {
    // EVIDENCE c.9: every drug flag reads "discuss with your prescriber; do not stop on your own"
    // (SPEC §8). Some say it as "keep taking it", "do not skip" or "finish the course". Quinine is
    // SPEC §8's exception: its item says to stop now with bleeding or bruising or in pregnancy,
    // and `review.quinine_stop_now` (served only beside those red flags) says to stop now.
    let keeps = [
        "do not stop",
        "do not change",
        "keep taking",
        "keep using",
        "do not skip",
        "finish the course",
    ];
    let mut checked = 0;
    for e in kb()
        .entries
        .iter()
        .filter(|e| e.id.starts_with("review.") && !e.id.starts_with("review.quinine"))
    {
        let text = e.patient.to_lowercase();
        assert!(keeps.iter().any(|k| text.contains(k)), "{}: {}", e.id, e.patient);
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}

#[test]
fn the_examination_item_calls_twitching_often_harmless_but_never_beside_weakness_or_a_red_flag() {
    let exam_entry = |symptoms: &str| {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}, {symptoms}}}}}"#));
        let item = a.plan.iter().find(|p| p.id == PlanId::NeurologicalExam).unwrap();
        (
            item.entry.id.as_str(),
            item.entry.patient.contains("harmless"),
            flags(&a),
        )
    };
    // Twitching or tingling alone occur in idiopathic cramps (R-Hawke2013): a documented normal exam.
    assert_eq!(
        exam_entry(r#""twitching": true"#),
        ("plan.neurological_exam", true, vec![])
    );
    // Weakness, or fasciculations with weakness (an urgent red flag): no "often harmless".
    for symptoms in [
        r#""weakness": true"#,
        r#""twitching": true, "weakness": true, "dysphagia": true"#,
        r#""gait_or_speech_change": true"#,
    ] {
        let (id, harmless, flags) = exam_entry(symptoms);
        assert_eq!(id, "plan.neurological_exam_signs", "{symptoms}");
        assert!(!harmless, "{symptoms}: {flags:?}");
    }
}

#[test]
fn a_total_calcium_is_interpreted_as_sent_and_its_albumin_adjusted_value_shown_beside_it() {
    let calcium = |name: &str, labs: &str| {
        let a = run(&format!(
            r#"{{"symptoms": {{{NLC}}}, "labs": [{{"loinc": "17861-6", "name": "{name}", "value": 7.6, "unit": "mg/dL"}}{labs}]}}"#
        ));
        let f = a
            .lab_findings
            .iter()
            .find(|f| f.loinc.as_deref() == Some("17861-6"))
            .unwrap();
        (f.interpretation.map(|i| i.as_str()), f.adjusted)
    };
    // c.3's formula: 7.6 + 0.8 × (4.0 − 3.0) = 8.4 mg/dL, in the unit the calcium was sent in.
    let (interp, adj) = calcium("calcium", r#", {"loinc": "1751-7", "value": 30, "unit": "g/L"}"#);
    assert_eq!(interp, Some("critically_low"), "interpreted as sent");
    assert!((adj.unwrap() - 8.4).abs() < 1e-9, "{adj:?}");
    // Already adjusted, or no albumin: nothing beside it.
    assert_eq!(
        calcium(
            "corrected calcium",
            r#", {"loinc": "1751-7", "value": 30, "unit": "g/L"}"#
        )
        .1,
        None
    );
    assert_eq!(calcium("calcium", "").1, None);
    // Named in the short forms laboratories use: also already adjusted; "uncorrected" is not.
    let albumin = r#", {"loinc": "1751-7", "value": 30, "unit": "g/L"}"#;
    assert_eq!(calcium("adj. Ca", albumin).1, None);
    assert!(calcium("uncorrected calcium", albumin).1.is_some());
}

#[test]
fn pad_found_on_examination_without_claudication_is_named_beside_the_cramps_not_as_their_pathway() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "exam": {{"abi": 0.70, "pedal_pulses": "reduced"}}}}"#
    ));
    assert_eq!(most_likely(&a), Some("G47.62"));
    let pad = a
        .classification
        .differential
        .iter()
        .find(|d| d.code.code == "I73.9")
        .unwrap();
    assert_eq!(pad.status, DifferentialStatus::Possible);
    assert!(
        !pad.code.display.contains("with intermittent claudication"),
        "{}",
        pad.code.display
    );
    // Not the claudication pathway: no supervised exercise.
    assert!(!plan(&a).contains(&"supervised_exercise"));
    // Normal pulses and ABI: nothing.
    let normal = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "exam": {{"abi": 1.1, "pedal_pulses": "normal"}}}}"#
    ));
    assert!(
        !normal
            .classification
            .differential
            .iter()
            .any(|d| d.code.code == "I73.9")
    );
}

#[test]
fn with_quinine_toxicity_or_in_pregnancy_the_plan_says_stop_quinine_now_not_talk_about_a_break() {
    fn entry(a: &Assessment<'static>, id: PlanId) -> Option<&'static str> {
        a.plan.iter().find(|p| p.id == id).map(|p| p.entry.id.as_str())
    }
    for extra in [
        r#""symptoms": {"feels_like": "painful_cramp", "bleeding_or_bruising": true}"#,
        r#""patient": {"sex": "female", "pregnant": true}"#,
    ] {
        let a = run(&format!(
            r#"{{{extra}, "medications": [{{"name": "quinine sulfate 300 mg"}}]}}"#
        ));
        assert_eq!(
            entry(&a, PlanId::QuinineDiscontinuation),
            Some("plan.quinine_stop_now"),
            "{extra}"
        );
        assert_eq!(
            entry(&a, PlanId::PrescriberMedicationReview),
            Some("plan.prescriber_medication_review_quinine_stop"),
            "{extra}"
        );
        // No text of the output tells the patient to talk about a break from quinine.
        assert!(
            a.plan.iter().all(|p| !p.entry.patient.contains("break from it")),
            "{extra}"
        );
        assert_eq!(a.medication_review[0].entry.id, "review.quinine_stop_now", "{extra}");
        let avoid = a.avoid.iter().find(|x| x.atc.as_deref() == Some("P01BC01")).unwrap();
        assert_eq!(avoid.entry.id, "avoid.quinine_stop_now", "{extra}");
    }
    // Without either red flag: the discussion of stopping, and the usual review.
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "quinine sulfate 300 mg"}}]}}"#
    ));
    assert_eq!(
        entry(&a, PlanId::QuinineDiscontinuation),
        Some("plan.quinine_discontinuation")
    );
    assert_eq!(
        entry(&a, PlanId::PrescriberMedicationReview),
        Some("plan.prescriber_medication_review")
    );
}

#[test]
fn with_cirrhosis_the_soreness_item_gives_no_usual_pack_dose_of_paracetamol() {
    let item = |conditions: &str| {
        let a = run(&format!(r#"{{"symptoms": {{{NLC}}}, "conditions": [{conditions}]}}"#));
        let p = a.plan.iter().find(|p| p.id == PlanId::ParacetamolForSoreness).unwrap();
        (p.entry.id.as_str(), p.entry.patient.contains("usual dose"))
    };
    assert_eq!(
        item(r#"{"name": "cirrhosis"}"#),
        ("plan.paracetamol_for_soreness_liver", false)
    );
    assert_eq!(
        item(r#"{"name": "hypertension", "icd10": "I10"}"#),
        ("plan.paracetamol_for_soreness", true)
    );
}

#[test]
fn a_platelet_count_in_g_per_l_the_french_notation_is_read_and_can_raise_quinine_toxicity() {
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp"}, "medications": [{"name": "quinine"}], "labs": [{"loinc": "777-3", "value": 40, "unit": "G/L"}, {"loinc": "1751-7", "value": 30, "unit": "G/L"}]}"#,
    );
    assert_eq!(interpretation(&a, "777-3"), Some("critically_low"));
    assert_eq!(flag_urgency(&a, "quinine_toxicity"), Some("emergency"));
    // For albumin the same spelling stays grams per litre.
    assert_eq!(interpretation(&a, "1751-7"), Some("low"));
    assert!(a.input_warnings.is_empty(), "{:?}", a.input_warnings);
}

#[test]
fn a_pregnancy_recorded_for_a_man_or_outside_the_ages_it_is_asked_at_is_kept_warned_and_asked() {
    let asked = |a: &Assessment| a.questions.iter().any(|q| q.field == "patient.pregnant");
    for patient in [
        r#""sex": "male", "pregnant": true"#,
        r#""age": 72, "sex": "female", "gestational_weeks": 20"#,
        r#""age": 8, "pregnant": true"#,
    ] {
        let a = run(&format!(
            r#"{{"patient": {{{patient}}}, "considering": [{{"name": "quinine"}}]}}"#
        ));
        assert!(asked(&a), "{patient}");
        assert!(a.input_warnings.iter().any(|w| w.starts_with("patient:")), "{patient}");
        // The safer reading meanwhile: the pregnancy rules still apply.
        assert!(flags(&a).contains(&"quinine_in_pregnancy"), "{patient}");
    }
    let plausible = run(r#"{"patient": {"age": 30, "sex": "female", "pregnant": true}}"#);
    assert!(!asked(&plausible));
    assert!(plausible.input_warnings.is_empty());
}

#[test]
fn weeks_of_stretching_longer_than_the_patients_life_are_warned_about() {
    let warned = |age: f64, weeks: f64| {
        let a = run(&format!(
            r#"{{"patient": {{"age": {age}}}, "symptoms": {{{NLC}, "stretching_weeks_tried": {weeks}}}}}"#
        ));
        warnings_with(&a, "symptoms.stretching_weeks_tried") == 1
    };
    assert!(warned(0.5, 500.0));
    assert!(warned(2.0, 110.0));
    assert!(!warned(2.0, 100.0));
    assert!(!warned(60.0, 8.0));
}

#[test]
fn questions_come_in_the_spec_order_differentiating_then_red_flag_triggers_then_examination_prompts() {
    // Exertional pain relieved by rest (vascular exam prompts), on quinine (bleeding, QTc), with
    // twitching (weakness; neurological prompts) and Q2 missing.
    let a = run(
        r#"{"symptoms": {"feels_like": "painful_cramp", "relieved_by": "rest", "returns_at_rest": false, "when": "walking", "location": ["calf"], "twitching": true}, "medications": [{"name": "quinine sulfate 300 mg"}]}"#,
    );
    let fields: Vec<&str> = a.questions.iter().map(|q| q.field).collect();
    let at = |f: &str| {
        fields
            .iter()
            .position(|x| *x == f)
            .unwrap_or_else(|| panic!("{f} not asked: {fields:?}"))
    };
    assert_eq!(at("symptoms.worse_in_evening"), 0);
    for trigger in [
        "symptoms.bleeding_or_bruising",
        "symptoms.non_healing_wound",
        "exam.qtc_ms",
        "symptoms.weakness",
    ] {
        for prompt in ["exam.pedal_pulses", "exam.abi", "exam.reflexes", "exam.fasciculations"] {
            assert!(at(trigger) < at(prompt), "{trigger} after {prompt}: {fields:?}");
        }
    }
}

#[test]
fn every_question_the_engine_can_ask_has_wording_in_both_voices() {
    let source = include_str!("../src/engine/mod.rs");
    let mut fields = Vec::new();
    for (at, _) in source.match_indices("ask(") {
        let rest = source[at + 4..].trim_start();
        if let Some(quoted) = rest.strip_prefix('"') {
            fields.push(&quoted[..quoted.find('"').unwrap()]);
        }
    }
    assert!(fields.len() >= 15, "{fields:?}");
    for field in fields {
        let phrase = kb().wording.questions.get(field);
        assert!(phrase.is_some(), "no wording for the question {field}");
    }
}

#[test]
fn confirmed_claudication_is_offered_a_cilostazol_trial_except_with_heart_failure_or_limb_threatening_ischaemia() {
    let claudication = r#""symptoms": {"feels_like": "painful_cramp", "relieved_by": "rest", "when": "walking", "location": ["calf"]}"#;
    let a = run(&format!(
        r#"{{"patient": {{"age": 68, "sex": "male"}}, {claudication}, "exam": {{"abi": 0.7}}}}"#
    ));
    assert!(plan(&a).contains(&"supervised_exercise"));
    let offered: Vec<_> = a
        .medication_options
        .iter()
        .map(|o| (o.entry.atc.as_deref(), o.option_for.as_str()))
        .collect();
    assert_eq!(offered, [(Some("B01AC23"), "pad")]);
    // Not with heart failure, where a cilostazol taken is an avoid item; not before PAD is
    // confirmed (normal ABI); not for rest pain of limb-threatening ischaemia.
    let hf = run(&format!(
        r#"{{"patient": {{"age": 68, "sex": "male"}}, {claudication}, "exam": {{"abi": 0.7}}, "conditions": [{{"icd10": "I50.9"}}], "medications": [{{"name": "Pletal 100 mg"}}]}}"#
    ));
    assert!(options(&hf).is_empty());
    assert!(avoid(&hf).contains(&"B01AC23".to_string()));
    let normal_abi = run(&format!(
        r#"{{"patient": {{"age": 68, "sex": "male"}}, {claudication}, "exam": {{"abi": 1.1, "pedal_pulses": "normal"}}}}"#
    ));
    assert!(!options(&normal_abi).contains(&"B01AC23".to_string()));
    let clti = run(
        r#"{"patient": {"age": 78, "sex": "male"}, "symptoms": {"feels_like": "painful_cramp", "relieved_by": "hanging_leg_down", "when": "night", "location": ["foot"]}, "exam": {"abi": 0.3, "pedal_pulses": "absent"}}"#,
    );
    assert!(flags(&clti).contains(&"critical_limb_ischaemia"));
    assert!(!options(&clti).contains(&"B01AC23".to_string()));
    // Without heart failure a cilostazol taken is not avoided, and it is not offered again.
    let taking = run(&format!(
        r#"{{"patient": {{"age": 68, "sex": "male"}}, {claudication}, "exam": {{"abi": 0.7}}, "medications": [{{"name": "cilostazol 100 mg bd"}}]}}"#
    ));
    assert!(options(&taking).is_empty() && !avoid(&taking).contains(&"B01AC23".to_string()));
}

#[test]
fn another_drug_of_the_raloxifene_or_teriparatide_class_is_reviewed_like_it_and_abaloparatide_calls_for_calcium() {
    let a = run(&format!(
        r#"{{"symptoms": {{{NLC}}}, "medications": [{{"name": "Osphena 60 mg"}}, {{"name": "abaloparatide"}}]}}"#
    ));
    assert_eq!(review(&a), [("G03XC05".to_string(), "A"), ("H05AA04".to_string(), "A")]);
    assert!(labs(&a).contains(&"17861-6".to_string()), "{:?}", labs(&a));
    assert!(plan(&a).contains(&"prescriber_medication_review"));
}

#[test]
fn salbutamol_taken_by_mouth_is_coded_as_the_oral_drug() {
    // EVIDENCE c.6: salbutamol R03AC02 inhaled, R03CC02 oral; the tier is the same (B).
    for (name, want) in [
        ("salbutamol tablets 4 mg", "R03CC02"),
        ("Ventolin syrup 2mg/5ml", "R03CC02"),
        ("salbutamol 2 mg/5 mL oral solution", "R03CC02"),
        ("Volmax 8 mg", "R03CC02"),
        ("salbutamol", "R03AC02"),
        ("salbutamol 100 micrograms inhaler", "R03AC02"),
        ("salbutamol oral inhaler", "R03AC02"),
        ("salbutamol nebules 2.5 mg", "R03AC02"),
    ] {
        let a = run(&format!(r#"{{"medications": [{{"name": "{name}"}}]}}"#));
        assert_eq!(review(&a), [(want.to_string(), "B")], "{name}");
    }
    // A code sent with the name decides, as always.
    let a = run(r#"{"medications": [{"name": "salbutamol tablets", "atc": "R03AC02"}]}"#);
    assert_eq!(review(&a), [("R03AC02".to_string(), "B")]);
}

#[test]
fn the_neuropathy_pathway_on_symptoms_alone_does_not_claim_examination_findings() {
    let symptoms = r#""feels_like": "burning_or_numb", "tingling": true, "numbness": true"#;
    let diabetes = r#"[{"icd10": "E11.9"}]"#;
    let a = run(&format!(r#"{{"symptoms": {{{symptoms}}}, "conditions": {diabetes}}}"#));
    let because = &differential_item(&a, "E11.42").because[0].phrase.clinician;
    assert!(!because.contains("with sensory loss"), "{because}");
    for exam in [r#"{"sensory_loss": true}"#, r#"{"reflexes": "reduced"}"#] {
        let a = run(&format!(
            r#"{{"symptoms": {{{symptoms}}}, "conditions": {diabetes}, "exam": {exam}}}"#
        ));
        let because = &differential_item(&a, "E11.42").because[0].phrase.clinician;
        assert!(
            because.contains("with sensory loss or reduced reflexes"),
            "{exam}: {because}"
        );
    }
}
