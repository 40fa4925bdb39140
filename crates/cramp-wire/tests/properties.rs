//! Properties over arbitrary valid cases (fixed case count): no panic, every item cited with
//! resolvable sources, both audiences carry identical codes and decisions, and the safety rules of
//! SPEC §8 hold.

mod common;

use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, assess};
use cramp_wire::{assess_json, parse_case, to_wire};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn opt<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    prop_oneof![Just(None), s.prop_map(Some)].boxed()
}

fn pick(values: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop::sample::select(values).prop_map(|s| json!(s)).boxed()
}

const DRUGS: &[(&str, &str, &str)] = &[
    ("hydrochlorothiazide 25 mg", "", ""),
    ("Lasix 40mg tab", "", ""),
    ("amlodipine 5 mg", "C08CA01", ""),
    ("quinine sulfate 300 mg", "P01BC01", ""),
    ("", "", "9071"),
    ("salmeterol/fluticasone", "R03AK06", ""),
    ("citalopram", "", "2556"),
    ("venlafaxine", "N06AX16", ""),
    ("baclofen", "", ""),
    ("diltiazem", "", ""),
    ("magnesium oxide", "", ""),
    ("potassium chloride", "", ""),
    ("naproxen", "", ""),
    ("zolpidem", "", ""),
    ("methocarbamol", "", ""),
    ("midodrine", "", ""),
    ("albumin", "", ""),
    ("ferrous sulfate", "", ""),
    ("gabapentin", "N03AX12", ""),
    ("wibblezol", "", ""),
    ("tamsulosin", "G04CA02", ""),
    ("", "B03AC02", ""),
];

const CONDITIONS: &[(&str, &str)] = &[
    ("cirrhosis", "K74.60"),
    ("hepatic encephalopathy", ""),
    ("end-stage renal disease", "N18.6"),
    ("chronic kidney disease stage 4", "N18.4"),
    ("heart failure", ""),
    ("type 2 diabetes", "E11.9"),
    ("peripheral artery disease", ""),
    ("pregnancy", "Z33.1"),
    ("AV block", ""),
    ("intradialytic hypotension", "I95.3"),
    ("hypertension", "I10"),
    ("something unusual", ""),
];

const LABS: &[(&str, &str, f64, f64, &str)] = &[
    ("2823-3", "potassium", 2.0, 7.0, "mmol/L"),
    ("2951-2", "sodium", 118.0, 160.0, "mEq/L"),
    ("2601-3", "magnesium", 0.3, 2.5, "mmol/L"),
    ("19123-9", "magnesium", 0.8, 5.0, "mg/dL"),
    ("2000-8", "calcium", 1.5, 3.5, "mmol/L"),
    ("98979-8", "eGFR", 5.0, 120.0, "mL/min/1.73 m²"),
    ("2276-4", "ferritin", 5.0, 500.0, "ug/L"),
    ("2502-3", "TSAT", 5.0, 60.0, "%"),
    ("777-3", "platelets", 20.0, 500.0, "×10⁹/L"),
    ("4548-4", "HbA1c", 4.0, 12.0, "%"),
    ("2132-9", "B12", 100.0, 1000.0, "pg/mL"),
    ("", "haemoglobin", 8.0, 16.0, "g/dL"),
    ("2823-3", "potassium", 2.0, 7.0, ""),
];

fn drug() -> BoxedStrategy<Value> {
    prop::sample::select(DRUGS)
        .prop_map(|(n, a, r)| {
            let mut m = Map::new();
            if !n.is_empty() {
                m.insert("name".into(), json!(n));
            }
            if !a.is_empty() {
                m.insert("atc".into(), json!(a));
            }
            if !r.is_empty() {
                m.insert("rxnorm".into(), json!(r));
            }
            Value::Object(m)
        })
        .boxed()
}

fn condition() -> BoxedStrategy<Value> {
    prop::sample::select(CONDITIONS)
        .prop_map(|(n, c)| {
            if c.is_empty() {
                json!({ "name": n })
            } else {
                json!({ "name": n, "icd10": c })
            }
        })
        .boxed()
}

fn lab() -> BoxedStrategy<Value> {
    (prop::sample::select(LABS), 0.0f64..1.0)
        .prop_map(|((loinc, name, lo, hi, unit), t)| {
            let mut m = Map::new();
            if !loinc.is_empty() {
                m.insert("loinc".into(), json!(loinc));
            }
            m.insert("name".into(), json!(name));
            m.insert("value".into(), json!(((lo + (hi - lo) * t) * 100.0).round() / 100.0));
            if !unit.is_empty() {
                m.insert("unit".into(), json!(unit));
            }
            Value::Object(m)
        })
        .boxed()
}

fn object(fields: Vec<(&'static str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect(),
    )
}

fn case() -> impl Strategy<Value = Value> {
    let b = || opt(any::<bool>().prop_map(|b| json!(b)));
    let patient = (
        opt((0u32..=100).prop_map(|a| json!(a))),
        opt(pick(&["female", "male", "other", "unknown"])),
        b(),
        opt((4u32..=40).prop_map(|w| json!(w))),
        b(),
        b(),
        b(),
    )
        .prop_map(|(age, sex, pregnant, gw, smoker, falls, fluid)| {
            object(vec![
                ("age", age),
                ("sex", sex),
                ("pregnant", pregnant),
                ("gestational_weeks", gw),
                ("smoker", smoker),
                ("poor_balance_or_falls", falls),
                ("fluid_restricted", fluid),
            ])
        });
    let questions = (
        opt(pick(&[
            "painful_cramp",
            "urge_to_move",
            "both",
            "burning_or_numb",
            "none",
        ])),
        b(),
        opt(pick(&[
            "stretching",
            "any_movement",
            "rest",
            "sitting_or_bending_forward",
            "hanging_leg_down",
            "nothing",
        ])),
        b(),
        opt(pick(&[
            "night",
            "day",
            "day_and_night",
            "walking",
            "standing_or_walking",
            "constant",
        ])),
        opt((0u32..=14).prop_map(|n| json!(n))),
        opt((0u32..=10).prop_map(|n| json!(n))),
        opt((0u32..=12).prop_map(|n| json!(n))),
        opt(pick(&["none", "one_leg", "both_legs"])),
    );
    let flags = prop::collection::vec(any::<Option<bool>>(), cramp_core::case::SYMPTOM_FLAGS.len());
    let symptoms = (questions, flags).prop_map(|((q1, q2, q3, q4, when, eps, pain, weeks, swelling), flags)| {
        let names = cramp_core::case::SYMPTOM_FLAGS;
        let mut m = match object(vec![
            ("feels_like", q1),
            ("worse_in_evening", q2),
            ("relieved_by", q3),
            ("returns_at_rest", q4),
            ("when", when),
            ("episodes_per_week", eps),
            ("worst_pain", pain),
            ("stretching_weeks_tried", weeks),
            ("calf_swelling", swelling),
        ]) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        for (name, v) in names.iter().zip(flags) {
            if let Some(v) = v {
                m.insert((*name).into(), json!(v));
            }
        }
        Value::Object(m)
    });
    let exam = (
        opt((20u32..=150).prop_map(|a| json!(a as f64 / 100.0))),
        opt(pick(&["normal", "reduced", "absent"])),
        opt(pick(&["normal", "reduced", "brisk"])),
        b(),
        b(),
        b(),
        opt((380u32..=520).prop_map(|q| json!(q))),
    )
        .prop_map(|(abi, pulses, reflexes, fasc, sens, weak, qtc)| {
            object(vec![
                ("abi", abi),
                ("pedal_pulses", pulses),
                ("reflexes", reflexes),
                ("fasciculations", fasc),
                ("sensory_loss", sens),
                ("objective_weakness", weak),
                ("qtc_ms", qtc),
            ])
        });
    (
        patient,
        symptoms,
        exam,
        prop::collection::vec(drug(), 0..4),
        prop::collection::vec(condition(), 0..3),
        prop::collection::vec(lab(), 0..4),
        prop::collection::vec(drug(), 0..2),
    )
        .prop_map(|(patient, symptoms, exam, meds, conds, labs, considering)| {
            json!({ "patient": patient, "symptoms": symptoms, "exam": exam, "medications": meds, "conditions": conds, "labs": labs, "considering": considering })
        })
}

const SOURCED: &[&str] = &[
    "red_flags",
    "medication_review",
    "labs",
    "lab_findings",
    "plan",
    "medication_options",
    "avoid",
    "evidence_conflicts",
];

fn every_item_is_cited(out: &Value) -> Result<(), String> {
    let ids: Vec<&str> = out["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for s in out["sources"].as_array().unwrap() {
        for key in ["citation", "locator", "quote"] {
            if s[key].as_str().is_none_or(|v| v.trim().is_empty()) {
                return Err(format!("source {} has an empty {key}", s["id"]));
            }
        }
        if !s["id"].as_str().unwrap().starts_with("R-") {
            return Err(format!("{} is not an R-id", s["id"]));
        }
    }
    for section in SOURCED {
        for item in out[*section].as_array().unwrap() {
            let sources = item["sources"]
                .as_array()
                .ok_or(format!("{section} item without sources: {item}"))?;
            if sources.is_empty() {
                return Err(format!("{section} item with empty sources"));
            }
            for s in sources {
                if !ids.contains(&s.as_str().unwrap()) {
                    return Err(format!("{section} cites {s}, which does not resolve"));
                }
            }
            if item["review_status"].as_str().is_none() {
                return Err(format!("{section} item without review_status"));
            }
        }
    }
    Ok(())
}

/// The ids, codes and decisions that must not differ between audiences (SPEC §2.7).
fn decisions(out: &Value) -> Value {
    let pick = |section: &str, keys: &[&str]| -> Value {
        let mut v: Vec<String> = out[section]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| keys.iter().map(|k| i[*k].to_string()).collect::<Vec<_>>().join("|"))
            .collect();
        v.sort();
        json!(v)
    };
    json!({
        "kb": out["kb_version"], "ml": out["classification"]["most_likely"]["code"], "conf": out["classification"]["most_likely"]["confidence"],
        "diff": out["classification"]["differential"].as_array().unwrap().iter().map(|d| format!("{}|{}", d["code"], d["status"])).collect::<Vec<_>>(),
        "flags": pick("red_flags", &["id", "urgency"]), "review": pick("medication_review", &["atc", "tier"]),
        "unrec": out["unrecognized_medications"], "labs": pick("labs", &["loinc"]), "findings": pick("lab_findings", &["loinc", "interpretation"]),
        "plan": pick("plan", &["id", "tier", "certainty"]), "options": pick("medication_options", &["atc", "for"]),
        "avoid": pick("avoid", &["atc", "severity"]), "referral": [out["referral"]["recommended"], out["referral"]["urgency"], out["referral"]["to"]],
        "questions": pick("questions", &["field"]), "conflicts": pick("evidence_conflicts", &["topic"]),
    })
}

fn safety(case: &Value, out: &Value) -> Result<(), String> {
    let avoid: Vec<&str> = out["avoid"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["atc"].as_str())
        .collect();
    let conds = case["conditions"].to_string().to_lowercase();
    let cirrhosis = conds.contains("cirrhosis") || conds.contains("k74.6");
    // The populations of the acceptance checker's safety gates (shared/tools/check_vignettes.py),
    // for the conditions and labs this generator sends.
    let pregnant = case["patient"]["pregnant"] == true
        || case["patient"]["gestational_weeks"].is_number()
        || conds.contains("pregnan")
        || conds.contains("z33.1");
    let encephalopathy = conds.contains("encephalopathy");
    let egfr_below_30 = case["labs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["loinc"] == "98979-8" && l["unit"].is_string() && l["value"].as_f64().is_some_and(|v| v < 30.0));
    let dialysis = conds.contains("n18.6") || conds.contains("end-stage renal") || conds.contains("dialysis");
    let kidney_failure = dialysis || conds.contains("n18.4") || conds.contains("n18.5") || egfr_below_30;
    let child = case["patient"]["age"].as_f64().is_some_and(|a| a < 18.0);
    // As the acceptance checker reads a low magnesium: below 0.70 mmol/L (mg/dL ÷ 2.431).
    let magnesium_low = case["labs"].as_array().unwrap().iter().any(|l| {
        let factor = match (l["loinc"].as_str(), l["unit"].as_str()) {
            (Some("2601-3"), Some("mmol/L")) => 1.0,
            (Some("19123-9"), Some("mg/dL")) => 1.0 / 2.431,
            _ => return false,
        };
        l["value"].as_f64().is_some_and(|v| v * factor < 0.70)
    });
    let meds = case["medications"].to_string().to_lowercase();
    let takes_dihydropyridine = meds.contains("c08ca") || meds.contains("amlodipine");
    for o in out["medication_options"].as_array().unwrap() {
        let atc = o["atc"].as_str().unwrap();
        if atc.starts_with("P01BC") || atc.starts_with("M09AA") {
            return Err("quinine offered".into());
        }
        if let Some(a) = avoid.iter().find(|a| atc.starts_with(*a) || a.starts_with(atc)) {
            return Err(format!("{atc} both offered and avoided ({a})"));
        }
        if atc == "M03BX01" && !cirrhosis {
            return Err("baclofen offered without cirrhosis".into());
        }
        if atc == "M03BX01" && (pregnant || encephalopathy || kidney_failure || child) {
            return Err("baclofen offered in pregnancy, encephalopathy, kidney failure or under 18".into());
        }
        if atc.starts_with("C01CA17") && !dialysis {
            return Err("midodrine offered without ESRD or dialysis".into());
        }
        if atc.starts_with("C08D") && takes_dihydropyridine {
            return Err("diltiazem offered to a patient taking a dihydropyridine".into());
        }
        if atc.starts_with("B05AA") && !cirrhosis {
            return Err("albumin offered without cirrhosis".into());
        }
        if atc.starts_with("C08D")
            && !out["red_flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "refractory_cramps")
        {
            return Err("diltiazem offered without refractory cramps".into());
        }
        // SPEC §8: magnesium only for a documented deficiency (or in pregnancy).
        if atc.starts_with("A12CC") && !(magnesium_low || conds.contains("hypomagnes") || pregnant) {
            return Err("magnesium offered without a low magnesium, hypomagnesaemia or pregnancy".into());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_valid_cases_never_panic_are_cited_and_agree_across_audiences(case in case()) {
        let text = case.to_string();
        let parsed = parse_case(&text).map_err(|e| TestCaseError::fail(format!("valid case rejected: {e}\n{text}")))?;
        let kb = common::kb();
        let a = assess(kb, &parsed, AssessOptions::default());
        let cache = common::cache();
        let clinician = serde_json::to_value(to_wire(&a, Audience::Clinician, Some(cache))).unwrap();
        let patient = serde_json::to_value(to_wire(&a, Audience::Patient, None)).unwrap();
        // The pre-serialised fragments say exactly what the plain path says.
        let uncached = serde_json::to_value(to_wire(&a, Audience::Clinician, None)).unwrap();
        prop_assert_eq!(&clinician, &uncached);
        // The request path's writer emits, byte for byte, what serde_json writes for the same shape.
        for audience in [Audience::Clinician, Audience::Patient] {
            let fast = assess_json(kb, cache, &text, audience, AssessOptions::default()).unwrap();
            let reference = serde_json::to_vec(&to_wire(&a, audience, Some(cache))).unwrap();
            prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(reference).unwrap());
        }
        every_item_is_cited(&clinician).map_err(TestCaseError::fail)?;
        every_item_is_cited(&patient).map_err(TestCaseError::fail)?;
        prop_assert_eq!(decisions(&clinician), decisions(&patient));
        safety(&case, &clinician).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    }

    #[test]
    fn arbitrary_text_never_panics_the_parser(text in ".{0,200}") {
        let _ = parse_case(&text);
    }

    #[test]
    fn arbitrary_json_values_never_panic_the_parser(v in prop::collection::vec((any::<u8>(), any::<f64>()), 0..6)) {
        let obj: Map<String, Value> = v.iter().map(|(k, x)| (["patient", "symptoms", "labs", "exam", "age", "x"][*k as usize % 6].to_string(), json!(x))).collect();
        let _ = parse_case(&Value::Object(obj).to_string());
    }
}

/// The same case written as a FHIR R4 Bundle, the way an EHR would send it: sex on the Patient,
/// conditions, taken drugs as MedicationStatements, drugs being considered as draft orders, labs as
/// Observations, and every answer (age included) in a QuestionnaireResponse keyed by field path.
fn as_bundle(case: &Value) -> Value {
    let mut entries = Vec::new();
    let mut items = Vec::new();
    let mut answer = |link: String, v: &Value| {
        let answers: Vec<Value> = match v {
            Value::Array(list) => list.iter().map(|x| json!({ "valueCoding": { "code": x } })).collect(),
            Value::Bool(b) => vec![json!({ "valueBoolean": b })],
            Value::Number(n) => vec![json!({ "valueDecimal": n })],
            Value::String(s) => vec![json!({ "valueCoding": { "code": s } })],
            _ => vec![],
        };
        items.push(json!({ "linkId": link, "answer": answers }));
    };
    for section in ["patient", "symptoms", "exam"] {
        for (k, v) in case[section].as_object().into_iter().flatten() {
            if section == "patient" && k == "sex" {
                entries.push(json!({ "resourceType": "Patient", "id": "p", "gender": v }));
            } else {
                answer(format!("{section}.{k}"), v);
            }
        }
    }
    entries.push(json!({ "resourceType": "QuestionnaireResponse", "id": "q", "status": "completed", "item": items }));
    let coding = |d: &Value| {
        let mut codings = Vec::new();
        if let Some(a) = d["atc"].as_str() {
            codings.push(json!({ "system": "http://www.whocc.no/atc", "code": a }));
        }
        if let Some(r) = d["rxnorm"].as_str() {
            codings.push(json!({ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": r }));
        }
        let mut cc = json!({ "coding": codings });
        if let Some(n) = d["name"].as_str() {
            cc["text"] = json!(n);
        }
        cc
    };
    for d in case["medications"].as_array().into_iter().flatten() {
        entries.push(json!({ "resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": coding(d) }));
    }
    for d in case["considering"].as_array().into_iter().flatten() {
        entries.push(json!({ "resourceType": "MedicationRequest", "status": "draft", "intent": "proposal", "medicationCodeableConcept": coding(d) }));
    }
    for c in case["conditions"].as_array().into_iter().flatten() {
        let mut code = json!({ "text": c["name"] });
        if let Some(icd) = c["icd10"].as_str() {
            code["coding"] = json!([{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": icd }]);
        }
        entries.push(json!({ "resourceType": "Condition", "code": code }));
    }
    for l in case["labs"].as_array().into_iter().flatten() {
        let mut code = json!({ "text": l["name"] });
        if let Some(loinc) = l["loinc"].as_str() {
            code["coding"] = json!([{ "system": "http://loinc.org", "code": loinc }]);
        }
        let mut q = json!({ "value": l["value"] });
        if let Some(u) = l["unit"].as_str() {
            q["unit"] = json!(u);
        }
        entries.push(json!({ "resourceType": "Observation", "status": "final", "code": code, "valueQuantity": q }));
    }
    json!({ "resourceType": "Bundle", "type": "collection",
            "entry": entries.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>() })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_case_sent_as_a_fhir_bundle_gets_the_same_decisions(case in case()) {
        let kb = common::kb();
        let direct = parse_case(&case.to_string()).unwrap();
        let bundle = as_bundle(&case).to_string();
        let opts = cramp_wire::FhirOptions { today: time::macros::date!(2026 - 11 - 23), drafts_as_considering: true };
        let read = cramp_wire::parse_fhir(kb, &bundle, opts)
            .map_err(|e| TestCaseError::fail(format!("bundle rejected: {e}\n{bundle}")))?;
        let a = assess(kb, &direct, AssessOptions::default());
        let b = assess(kb, &read.case, AssessOptions::default());
        let (a, b) = (
            serde_json::to_value(to_wire(&a, Audience::Clinician, None)).unwrap(),
            serde_json::to_value(to_wire(&b, Audience::Clinician, None)).unwrap(),
        );
        prop_assert_eq!(decisions(&a), decisions(&b), "notes: {:?}\n{}", read.notes, bundle);
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z0-9#/.:-]{0,12}".prop_map(Value::from),
        pick(&[
            "active",
            "final",
            "draft",
            "Medication/m",
            "#m",
            "http://loinc.org",
            "2823-3",
            "symptoms.location",
            "calf"
        ]),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(
                        &[
                            "status",
                            "code",
                            "coding",
                            "system",
                            "valueQuantity",
                            "value",
                            "unit",
                            "referenceRange",
                            "low",
                            "item",
                            "linkId",
                            "answer",
                            "valueCoding",
                            "valueBoolean",
                            "medicationReference",
                            "reference",
                            "contained",
                            "birthDate",
                            "gender",
                            "clinicalStatus",
                            "text",
                            "id",
                        ][..]
                    ),
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_fhir_resources_never_panic_the_reader(
        resources in prop::collection::vec((pick(&["Patient", "Condition", "MedicationRequest", "MedicationStatement",
            "Medication", "Observation", "QuestionnaireResponse", "OperationOutcome", "Encounter"]), any_json()), 0..6)
    ) {
        let entries: Vec<Value> = resources
            .into_iter()
            .map(|(t, v)| {
                let mut r = if v.is_object() { v } else { json!({ "value": v }) };
                r["resourceType"] = t;
                json!({ "resource": r })
            })
            .collect();
        let bundle = json!({ "resourceType": "Bundle", "entry": entries }).to_string();
        let opts = cramp_wire::FhirOptions { today: time::macros::date!(2026 - 11 - 23), drafts_as_considering: true };
        // Either a case (then assessed) or an input error: never a panic.
        if let Ok(input) = cramp_wire::parse_fhir(common::kb(), &bundle, opts) {
            assess(common::kb(), &input.case, AssessOptions::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, failure_persistence: None, ..ProptestConfig::default() })]

    /// Numbers in the text read exactly as Rust's shortest round-trip form, whichever path formats them.
    #[test]
    fn numbers_in_text_read_as_rusts_shortest_form(x in prop_oneof![
        any::<f64>(),
        (-2_000_000i64..2_000_000).prop_map(|k| k as f64 / 1000.0),
        (-1_000_000i64..1_000_000).prop_map(|k| k as f64 / 100.0),
    ]) {
        prop_assert_eq!(cramp_wire::output::Num(x).text(), cramp_wire::output::Num(x).to_string());
    }

    /// Numbers in the JSON are byte for byte what serde_json writes, whichever path formats them.
    #[test]
    fn numbers_in_json_are_what_serde_json_writes(x in prop_oneof![
        any::<f64>().prop_filter("JSON has no NaN or infinity", |x| x.is_finite()),
        (-2_000_000i64..2_000_000).prop_map(|k| k as f64 / 1000.0),
        (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(|k| k as f64 / 1000.0),
    ]) {
        use cramp_wire::json::WriteJson;
        let mut ours = Vec::new();
        cramp_wire::output::Num(x).write_json(&mut ours);
        prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&cramp_wire::output::Num(x)).unwrap());
    }
}
