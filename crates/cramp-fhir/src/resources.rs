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
    (
        "cramp-diary",
        "CrampDiary",
        "Observations of the cramp patient diary (episodes and nightly check-ins)",
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
    let concepts: Vec<(&str, &str)> = match id {
        "cramp-card-topic" => kb
            .cds
            .topic
            .iter()
            .map(|c| (c.code.as_str(), c.display.as_str()))
            .collect(),
        "cramp-diary" => kb
            .diary
            .fhir
            .local
            .iter()
            .map(|c| (c.code.as_str(), c.display.as_str()))
            .collect(),
        _ => kb
            .cds
            .override_reason
            .iter()
            .map(|c| (c.code.as_str(), c.display.as_str()))
            .collect(),
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
        "concept": concepts.iter().map(|(code, display)| json!({ "code": code, "display": display })).collect::<Vec<_>>(),
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
                read("PlanDefinition", "The knowledge base as a pathway (version = kb_version)."),
                read("ActivityDefinition", "The tests and plan items the pathway's actions define."),
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

/// The id of the guideline's PlanDefinition (served at `/fhir/PlanDefinition/{PLAN_ID}`).
pub const PLAN_ID: &str = "cramp-nocturnal-leg-cramps";

/// An entry id as a FHIR id (`[A-Za-z0-9\-\.]{1,64}`): underscores become hyphens.
fn fhir_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

fn citations(kb: &KnowledgeBase, positions: &[usize]) -> Vec<Value> {
    positions
        .iter()
        .map(|&p| {
            let s = &kb.sources[p];
            let mut a = json!({ "type": "citation", "label": s.id, "display": s.citation,
                "citation": format!("{} ({})", s.citation, s.locator) });
            if let Some(url) = s.link() {
                a["url"] = json!(url);
            }
            a
        })
        .collect()
}

/// The knowledge base as FHIR R4 (`cramp kb export --format fhir`): a collection Bundle of the
/// PlanDefinition of the pathway (one action per knowledge entry, grouped by file, each with the
/// population it applies to as its text equivalent and its citations as `documentation` of type citation; the
/// PlanDefinition's own `relatedArtifact` lists every source), an ActivityDefinition per
/// lab test (ServiceRequest, LOINC) and per plan item (CommunicationRequest), the assessment
/// Questionnaire and the card code systems. The PlanDefinition's `version` is `kb_version`; its
/// status is `draft` while no entry has clinical sign-off.
pub fn knowledge_bundle(kb: &KnowledgeBase, base: &str) -> Value {
    let base = base.trim_end_matches('/');
    let signed = kb.entries.iter().all(|e| !e.clinical_signoff.trim().is_empty());
    let status = if signed { "active" } else { "draft" };
    let mut activities: Vec<Value> = Vec::new();
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for e in &kb.entries {
        let group = e
            .file
            .trim_start_matches("entries/")
            .trim_end_matches(".toml")
            .to_string();
        let mut action = json!({
            "id": fhir_id(&e.id),
            "title": e.display.clone().unwrap_or_else(|| e.id.clone()),
            "description": e.clinician,
            // The population the statement applies to, as text: the rules are code, not CQL, so no
            // executable `condition` is claimed (R4 allows only CQL, FHIRPath or a FHIR query there).
            "textEquivalent": format!("Applies to: {}", e.population),
        });
        // R4 actions carry their citations in `documentation` (RelatedArtifact), with the review
        // state beside them.
        let mut docs = citations(kb, &e.source_positions);
        docs.push(json!({ "type": "justification", "label": "review",
            "display": format!("{}; certainty {}; reviewer {}", e.status.as_str(),
                e.certainty.map_or("not graded", |c| c.as_str()), e.reviewer) }));
        action["documentation"] = Value::Array(docs);
        let analytes: Vec<&cramp_core::knowledge::Analyte> =
            kb.labs.analytes.iter().filter(|a| a.entry == e.id).collect();
        let definition = if !analytes.is_empty() {
            let codes: Vec<Value> = analytes
                .iter()
                .flat_map(|a| {
                    a.loinc
                        .iter()
                        .map(move |l| json!({ "system": crate::shapes::LOINC, "code": l.code, "display": a.display }))
                })
                .collect();
            Some(
                json!({ "kind": "ServiceRequest", "code": { "coding": codes, "text": e.display.clone().unwrap_or_else(|| analytes[0].display.clone()) } }),
            )
        } else if group == "plan" {
            Some(json!({ "kind": "CommunicationRequest" }))
        } else {
            None
        };
        if let Some(mut d) = definition {
            let id = fhir_id(&e.id);
            let url = canonical(base, "ActivityDefinition", &id);
            d["resourceType"] = json!("ActivityDefinition");
            d["id"] = json!(id);
            d["url"] = json!(url);
            d["version"] = json!(kb.kb_version);
            d["name"] = json!(id.replace(['-', '.'], "_"));
            d["title"] = json!(e.display.clone().unwrap_or_else(|| e.id.clone()));
            d["status"] = json!(status);
            d["description"] = json!(e.clinician);
            d["relatedArtifact"] = json!(citations(kb, &e.source_positions));
            action["definitionCanonical"] = json!(url);
            activities.push(d);
        }
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, a)) => a.push(action),
            None => groups.push((group, vec![action])),
        }
    }
    let mut all_positions: Vec<usize> = kb
        .entries
        .iter()
        .flat_map(|e| e.source_positions.iter().copied())
        .collect();
    all_positions.sort_unstable();
    all_positions.dedup();
    let plan = json!({
        "resourceType": "PlanDefinition",
        "id": PLAN_ID,
        "url": canonical(base, "PlanDefinition", PLAN_ID),
        "version": kb.kb_version,
        "name": "CrampNocturnalLegCramps",
        "title": "Nocturnal leg cramps: assessment and management (cramp knowledge base)",
        "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type", "code": "clinical-protocol", "display": "Clinical Protocol" }] },
        "status": status,
        "experimental": !signed,
        "publisher": "cramp",
        "description": "The cramp knowledge base as a pathway: every statement the assessment can make, grouped by kind (red flags, medication review, tests, plan, options and drugs to avoid, education), each with the population it applies to, its citations and its review status. Decision support only: it does not replace clinical judgement. Clinical sign-off has not been given.",
        "relatedArtifact": citations(kb, &all_positions),
        "action": groups.into_iter().map(|(g, actions)| json!({ "id": fhir_id(&g), "title": g, "action": actions })).collect::<Vec<_>>(),
    });
    let mut entries = vec![plan];
    entries.extend(activities);
    entries.push(questionnaire(kb, base));
    entries.extend(CODE_SYSTEMS.iter().filter_map(|(id, _, _)| code_system(kb, base, id)));
    json!({
        "resourceType": "Bundle",
        "id": "cramp-knowledge",
        "type": "collection",
        "entry": entries.into_iter().map(|r| {
            let url = canonical(base, r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or(""));
            json!({ "fullUrl": url, "resource": r })
        }).collect::<Vec<_>>(),
    })
}

/// The PlanDefinition and the ActivityDefinitions (by id) of `knowledge_bundle`, as the server
/// publishes them one by one.
pub fn definitions(kb: &KnowledgeBase, base: &str) -> (Option<Value>, Vec<(String, Value)>) {
    let bundle = knowledge_bundle(kb, base);
    let mut plan = None;
    let mut activities = Vec::new();
    for e in bundle["entry"].as_array().into_iter().flatten() {
        let r = &e["resource"];
        match r["resourceType"].as_str() {
            Some("PlanDefinition") => plan = Some(r.clone()),
            Some("ActivityDefinition") => {
                activities.push((r["id"].as_str().unwrap_or_default().to_string(), r.clone()))
            }
            _ => {}
        }
    }
    (plan, activities)
}
