//! The FHIR R4 resources the service publishes: the assessment Questionnaire, the code systems of
//! its cards, and the CapabilityStatement that lists them. Built from the engine's own field list
//! (`cramp_core::case::form_fields`) and the knowledge base's words, so they cannot drift from
//! what a case accepts.

use crate::QUESTIONNAIRE_ID;
use cramp_core::KnowledgeBase;
use cramp_core::case::{FieldKind, form_fields};
use serde_json::{Value, json};

/// The code systems the service defines, by id: (id, name, title, description).
pub const CODE_SYSTEMS: &[(&str, &str, &str)] = &[
    (
        "cramp-card-topic",
        "CrampCardTopic",
        "Topics of cramp CDS Hooks cards (card.source.topic)",
    ),
    (
        "cramp-override-reason",
        "CrampOverrideReason",
        "Reasons a clinician may give for overriding a cramp CDS Hooks card",
    ),
];

/// The canonical URL of a resource the service publishes, under `{base}/fhir/`.
pub fn canonical(base: &str, resource_type: &str, id: &str) -> String {
    format!("{}/fhir/{resource_type}/{id}", base.trim_end_matches('/'))
}

fn extension_bound(url: &str, value: f64) -> Value {
    json!({ "url": url, "valueDecimal": value })
}

/// The assessment form as a Questionnaire: one group per case section, one item per field, each
/// `linkId` the SPEC §3 field path.
pub fn questionnaire(kb: &KnowledgeBase, base: &str) -> Value {
    let form = &kb.form;
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for (path, kind) in form_fields() {
        let section = path.split('.').next().unwrap_or("").to_string();
        let text = form.items.get(&path).cloned().unwrap_or_else(|| path.clone());
        let mut item = json!({ "linkId": path, "text": text });
        match kind {
            FieldKind::Boolean => item["type"] = json!("boolean"),
            FieldKind::Decimal { min, max } => {
                item["type"] = json!("decimal");
                let mut ext = vec![extension_bound("http://hl7.org/fhir/StructureDefinition/minValue", min)];
                if let Some(max) = max {
                    ext.push(extension_bound("http://hl7.org/fhir/StructureDefinition/maxValue", max));
                }
                item["extension"] = Value::Array(ext);
            }
            FieldKind::Choice(codes) | FieldKind::Choices(codes) => {
                item["type"] = json!("choice");
                if matches!(kind, FieldKind::Choices(_)) {
                    item["repeats"] = json!(true);
                }
                item["answerOption"] = codes
                    .iter()
                    .map(|code| {
                        let display = form
                            .answers
                            .get(&format!("{path}.{code}"))
                            .map_or(*code, String::as_str);
                        json!({ "valueCoding": { "code": code, "display": display } })
                    })
                    .collect();
            }
        }
        match groups.iter_mut().find(|(s, _)| *s == section) {
            Some((_, items)) => items.push(item),
            None => groups.push((section, vec![item])),
        }
    }
    let item: Vec<Value> = groups
        .into_iter()
        .map(|(section, items)| {
            let text = form.groups.get(&section).cloned().unwrap_or_else(|| section.clone());
            json!({ "linkId": section, "text": text, "type": "group", "item": items })
        })
        .collect();
    json!({
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": canonical(base, "Questionnaire", QUESTIONNAIRE_ID),
        "version": kb.kb_version,
        "name": "CrampAssessment",
        "title": form.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": form.description,
        "item": item,
    })
}

/// One of the service's code systems (`CODE_SYSTEMS`), or `None` for an unknown id.
pub fn code_system(kb: &KnowledgeBase, base: &str, id: &str) -> Option<Value> {
    let &(id, name, title) = CODE_SYSTEMS.iter().find(|(cs, _, _)| *cs == id)?;
    let concepts = match id {
        "cramp-card-topic" => &kb.cds.topic,
        _ => &kb.cds.override_reason,
    };
    Some(json!({
        "resourceType": "CodeSystem",
        "id": id,
        "url": canonical(base, "CodeSystem", id),
        "version": kb.kb_version,
        "name": name,
        "title": title,
        "status": "active",
        "caseSensitive": true,
        "content": "complete",
        "count": concepts.len(),
        "concept": concepts.iter().map(|c| json!({ "code": c.code, "display": c.display })).collect::<Vec<_>>(),
    }))
}

/// The CapabilityStatement of `GET /fhir/metadata`: a read-only server of the resources above.
/// `date` is when this instance's statement was produced (an ISO date).
pub fn capability_statement(kb: &KnowledgeBase, base: &str, software_version: &str, date: &str) -> Value {
    let read = |t: &str, doc: &str| json!({ "type": t, "interaction": [{ "code": "read" }], "documentation": doc });
    json!({
        "resourceType": "CapabilityStatement",
        "id": "cramp",
        "url": canonical(base, "CapabilityStatement", "cramp"),
        "version": software_version,
        "name": "Cramp",
        "title": "cramp: nocturnal leg cramp decision support",
        "status": "active",
        "date": date,
        "kind": "instance",
        "software": { "name": "cramp", "version": software_version },
        "implementation": {
            "description": format!("cramp {software_version}, knowledge base {}: the assessment Questionnaire and the code systems of its CDS Hooks cards, read-only", kb.kb_version),
            "url": format!("{}/fhir", base.trim_end_matches('/')),
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read-only. The CDS Hooks 2.0.1 services are at /cds-services; the assessment API (which also accepts a FHIR Bundle) is described at /openapi.json.",
            "resource": [
                read("Questionnaire", "The cramp assessment form; each item's linkId is the case field it answers."),
                read("CodeSystem", "Card topics and override reasons of the CDS Hooks cards."),
            ],
        }],
    })
}

/// The OperationOutcome of a read of something not published (404).
pub fn not_found(diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": "not-found", "diagnostics": diagnostics }]
    })
}
