//! The diary's FHIR export (issue 6): an R4 `collection` Bundle of Observations, one per episode and
//! one per nightly check-in. The pain score carries LOINC 72514-3 (`knowledge/diary.toml`, in
//! review); everything else the service's own CodeSystem `cramp-diary`, published at
//! `{base}/fhir/CodeSystem/cramp-diary`. No patient identifier: the Observations have no subject.

use crate::resources::canonical;
use cramp_core::KnowledgeBase;
use cramp_core::diary::{Episode, Night};
use serde_json::{Value, json};

fn local(kb: &KnowledgeBase, system: &str, code: &str) -> Value {
    json!({
        "coding": [{ "system": system, "code": code, "display": kb.diary.fhir.display(code).unwrap_or(code) }],
        "text": kb.diary.fhir.display(code).unwrap_or(code),
    })
}

fn category() -> Value {
    json!([{ "coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
        "code": "survey",
        "display": "Survey",
    }] }])
}

/// A FHIR decimal from a number the diary accepted (finite by construction).
fn decimal(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// The Bundle: episodes and nights as given (the caller orders them), `generated_at` an instant.
pub fn diary_bundle<'a>(
    kb: &KnowledgeBase,
    base: &str,
    episodes: impl Iterator<Item = (&'a str, &'a Episode)>,
    nights: impl Iterator<Item = &'a Night>,
    generated_at: &str,
) -> Value {
    let system = canonical(base, "CodeSystem", "cramp-diary");
    let f = &kb.diary.fhir;
    let mut entries = Vec::new();
    for (id, e) in episodes {
        let mut components = vec![
            json!({
                "code": { "coding": [{ "system": "http://loinc.org", "code": f.pain_loinc, "display": f.pain_loinc_display }] },
                "valueQuantity": { "value": decimal(e.pain), "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}" },
            }),
            json!({
                "code": local(kb, &system, "cramp-duration"),
                "valueQuantity": { "value": decimal(e.duration_min), "unit": "min", "system": "http://unitsofmeasure.org", "code": "min" },
            }),
            json!({ "code": local(kb, &system, "cramp-leg"), "valueString": e.leg.as_str() }),
            json!({ "code": local(kb, &system, "cramp-muscle"), "valueString": e.muscle.as_str() }),
            json!({ "code": local(kb, &system, "cramp-woke-from-sleep"), "valueBoolean": e.woke_from_sleep }),
        ];
        components.extend(
            e.helped
                .iter()
                .map(|h| json!({ "code": local(kb, &system, "cramp-helped"), "valueString": h.as_str() })),
        );
        components.extend(
            e.warning_signs
                .iter()
                .map(|w| json!({ "code": local(kb, &system, "cramp-warning-sign"), "valueString": w.as_str() })),
        );
        entries.push(json!({
            "fullUrl": format!("urn:uuid:{id}"),
            "resource": {
                "resourceType": "Observation",
                "id": id,
                "status": "final",
                "category": category(),
                "code": local(kb, &system, "cramp-episode"),
                "effectiveDateTime": e.started_at,
                "component": components,
            },
        }));
    }
    for n in nights {
        let id = format!("night-{}", n.date);
        // No fullUrl: a night has no uuid, and the service does not serve diary Observations by URL.
        entries.push(json!({
            "resource": {
                "resourceType": "Observation",
                "id": id,
                "status": "final",
                "category": category(),
                "code": local(kb, &system, "nightly-check-in"),
                "effectiveDateTime": n.date,
                "component": [
                    { "code": local(kb, &system, "nightly-cramps"), "valueInteger": n.cramps },
                    { "code": local(kb, &system, "nightly-stretched"), "valueBoolean": n.stretched },
                    {
                        "code": local(kb, &system, "nightly-sleep-quality"),
                        "valueQuantity": { "value": decimal(n.sleep_quality), "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}" },
                    },
                ],
            },
        }));
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at,
        "entry": entries,
    })
}
