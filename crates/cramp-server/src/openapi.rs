//! The OpenAPI 3.1 description, generated from the code: every enumeration comes from the closed
//! vocabularies of `cramp_core` (the same lists the engine and the parser use), so the document
//! cannot drift from what the server accepts and answers.

use cramp_core::case::*;
use cramp_core::vocab::*;
use serde_json::{Value, json};

fn strings(values: impl IntoIterator<Item = &'static str>) -> Value {
    json!({ "type": "string", "enum": values.into_iter().collect::<Vec<_>>() })
}

fn object(props: Value) -> Value {
    json!({ "type": "object", "additionalProperties": false, "properties": props })
}

fn case_schema() -> Value {
    let b = json!({ "type": "boolean" });
    let n = |min: f64, max: Option<f64>| match max {
        Some(max) => json!({ "type": "number", "minimum": min, "maximum": max }),
        None => json!({ "type": "number", "minimum": min }),
    };
    let drug = json!({ "type": "object", "additionalProperties": false, "minProperties": 1,
        "properties": { "name": { "type": "string", "minLength": 1 }, "atc": { "type": "string", "minLength": 1 }, "rxnorm": { "type": "string", "minLength": 1 } } });
    let symptom_flags = SYMPTOM_FLAGS;
    let mut symptoms = json!({
        "feels_like": strings(FeelsLike::ALL.iter().map(|x| x.as_str())),
        "worse_in_evening": b, "returns_at_rest": b,
        "relieved_by": strings(RelievedBy::ALL.iter().map(|x| x.as_str())),
        "when": strings(When::ALL.iter().map(|x| x.as_str())),
        "location": { "type": "array", "minItems": 1, "uniqueItems": true, "items": strings(Location::ALL.iter().map(|x| x.as_str())) },
        "side": strings(Side::ALL.iter().map(|x| x.as_str())),
        "calf_swelling": strings(CalfSwelling::ALL.iter().map(|x| x.as_str())),
        "episodes_per_week": n(0.0, None), "worst_pain": n(0.0, Some(10.0)), "stretching_weeks_tried": n(0.0, None),
    });
    for flag in symptom_flags {
        symptoms[*flag] = b.clone();
    }
    json!({
        "type": "object", "additionalProperties": false,
        "description": "A case (SPEC §3). Every field is optional; an unknown field, a wrong type or a value out of range is a 422.",
        "properties": {
            "patient": object(json!({
                "age": n(0.0, Some(130.0)), "sex": strings(Sex::ALL.iter().map(|x| x.as_str())), "pregnant": b,
                "gestational_weeks": n(0.0, Some(45.0)), "smoker": b, "poor_balance_or_falls": b, "fluid_restricted": b,
            })),
            "symptoms": object(symptoms),
            "exam": object(json!({
                "abi": n(0.0, Some(3.0)), "pedal_pulses": strings(Pulses::ALL.iter().map(|x| x.as_str())),
                "reflexes": strings(Reflexes::ALL.iter().map(|x| x.as_str())), "fasciculations": b, "sensory_loss": b,
                "objective_weakness": b, "qtc_ms": n(300.0, Some(700.0)), "heart_rate": n(20.0, Some(250.0)),
            })),
            "medications": { "type": "array", "items": drug },
            "considering": { "type": "array", "items": drug },
            "conditions": { "type": "array", "items": { "type": "object", "additionalProperties": false, "minProperties": 1,
                "properties": { "name": { "type": "string" }, "icd10": { "type": "string" }, "snomed": { "type": "string" } } } },
            "labs": { "type": "array", "items": { "type": "object", "additionalProperties": false, "required": ["value"],
                "properties": { "loinc": { "type": "string" }, "name": { "type": "string" }, "value": { "type": "number" },
                    "unit": { "type": "string" }, "ref_low": { "type": "number" }, "ref_high": { "type": "number" },
                    "date": { "type": "string", "description": "ISO 8601 date or date-time" } } } },
        }
    })
}

fn sourced(mut props: Value) -> Value {
    props["sources"] = json!({ "type": "array", "minItems": 1, "items": { "type": "string", "pattern": "^R-" } });
    props["review_status"] = strings(ReviewStatus::ALL.iter().map(|x| x.as_str()));
    props["knowledge_id"] =
        json!({ "type": "string", "description": "The evidence page is /knowledge/{knowledge_id}" });
    json!({ "type": "object", "properties": props })
}

fn assessment_schema() -> Value {
    let s = json!({ "type": "string" });
    let list = |items: Value| json!({ "type": "array", "items": items });
    json!({
        "type": "object",
        "description": "The assessment (SPEC §4). Every field shown is present; lists may be empty.",
        "properties": {
            "kb_version": s, "engine_version": s, "audience": strings(Audience::ALL.iter().map(|x| x.as_str())), "notice": s,
            "classification": { "type": "object", "properties": {
                "most_likely": { "oneOf": [{ "type": "null" }, { "type": "object", "properties": {
                    "code": s, "system": { "const": "ICD-10-CM" }, "display": s,
                    "confidence": strings(Confidence::ALL.iter().map(|x| x.as_str())) } }] },
                "differential": list(json!({ "type": "object", "properties": { "code": s, "system": s, "display": s,
                    "status": strings(DifferentialStatus::ALL.iter().map(|x| x.as_str())), "because": list(s.clone()) } })) } },
            "questions": list(json!({ "type": "object", "properties": { "field": s, "text": s } })),
            "red_flags": list(sourced(json!({ "id": strings(RedFlagId::ALL.iter().map(|x| x.as_str())),
                "urgency": strings(Urgency::ALL.iter().map(|x| x.as_str())), "text": s }))),
            "medication_review": list(sourced(json!({ "medication": s, "atc": s, "drug_class": s,
                "tier": strings(Tier::ALL.iter().map(|x| x.as_str())), "text": s }))),
            "unrecognized_medications": list(s.clone()),
            "labs": list(sourced(json!({ "loinc": s, "display": s, "repeat": { "type": "boolean" }, "reason": s }))),
            "lab_findings": list(sourced(json!({ "loinc": { "type": ["string", "null"] }, "display": s, "value": { "type": "number" },
                "unit": { "type": ["string", "null"] },
                "interpretation": { "oneOf": [{ "type": "null" }, strings(Interpretation::ALL.iter().map(|x| x.as_str()))] }, "text": s }))),
            "plan": list(sourced(json!({ "id": strings(PlanId::ALL.iter().map(|x| x.as_str())),
                "tier": strings(PlanTier::ALL.iter().map(|x| x.as_str())),
                "certainty": strings(Certainty::ALL.iter().map(|x| x.as_str())), "text": s }))),
            "medication_options": list(sourced(json!({ "atc": s, "display": s, "dosing": s,
                "for": strings(OptionFor::ALL.iter().map(|x| x.as_str())), "text": s }))),
            "avoid": list(sourced(json!({ "atc": { "type": ["string", "null"] }, "display": s,
                "severity": strings(Severity::ALL.iter().map(|x| x.as_str())), "text": s }))),
            "referral": { "type": "object", "properties": { "recommended": { "type": "boolean" },
                "urgency": { "oneOf": [{ "type": "null" }, strings(Urgency::ALL.iter().map(|x| x.as_str()))] },
                "to": list(strings(Destination::ALL.iter().map(|x| x.as_str()))), "reasons": list(s.clone()) } },
            "evidence_conflicts": list(sourced(json!({ "topic": strings(ConflictTopic::ALL.iter().map(|x| x.as_str())), "text": s }))),
            "considered": list(json!({ "type": "object" })),
            "input_warnings": list(s.clone()),
            "sources": list(json!({ "type": "object", "properties": { "id": s, "citation": s,
                "kind": strings(SourceKind::ALL.iter().map(|x| x.as_str())), "year": { "type": "integer" }, "locator": s,
                "quote": s, "quote_is_verbatim": { "type": "boolean" }, "url": s } })),
        }
    })
}

fn problem() -> Value {
    json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

/// The OpenAPI document for this build.
pub fn document(kb_version: &str) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cramp",
            "version": cramp_core::ENGINE_VERSION,
            "description": format!("Evidence-based decision support for nocturnal leg cramps. Knowledge base {kb_version}. Decision support only: it does not replace clinical judgement."),
        },
        "paths": {
            "/api/v1/assess": { "post": {
                "summary": "Assess one case (SPEC §3, or a FHIR R4 Bundle) and answer the assessment (SPEC §4)",
                "parameters": [{ "name": "audience", "in": "query", "required": false,
                    "schema": strings(Audience::ALL.iter().map(|x| x.as_str())), "description": "Whose words; defaults to clinician. Both carry the same decisions." }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "oneOf": [
                    { "$ref": "#/components/schemas/Case" }, { "$ref": "#/components/schemas/FhirBundle" } ] } } } },
                "responses": {
                    "200": { "description": "The assessment", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Assessment" } } } },
                    "400": problem(), "413": problem(), "415": problem(), "422": problem(),
                },
            } },
            "/api/v1/ask": { "get": {
                "summary": "A follow-up question answered from approved statements (SPEC §6), or answered: false",
                "description": "Never generated text: each statement is an approved knowledge-base entry, word for word, with its certainty, review status, citations and evidence page. A question the knowledge base cannot answer gets 200 with answered: false and a plain message.",
                "parameters": [
                    { "name": "q", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1, "maxLength": cramp_wire::ask::QUESTION_MAX }, "description": "The question, e.g. does magnesium help?" },
                    { "name": "audience", "in": "query", "required": false,
                      "schema": strings(Audience::ALL.iter().map(|x| x.as_str())), "description": "Whose words; defaults to clinician." }],
                "responses": {
                    "200": { "description": "The answer", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Answer" } } } },
                    "400": problem(),
                },
            } },
            "/healthz": { "get": { "summary": "Liveness, with the versions", "responses": { "200": { "description": "ok",
                "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "status": { "const": "ok" }, "kb_version": { "type": "string" }, "engine_version": { "type": "string" } } } } } } } } },
            "/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1" } } } },
            "/cds-services": { "get": {
                "summary": "CDS Hooks 2.0.1 discovery: the services, their hooks and prefetch templates",
                "description": "See CONFORMANCE.md. With --trusted-issuers, every /cds-services route needs a CDS client JWT (401 otherwise).",
                "responses": { "200": { "description": "{\"services\": [...]}" }, "401": problem() },
            } },
            "/cds-services/{id}": { "post": {
                "summary": "Call a CDS service (cramp-patient-view, cramp-order-review) with a CDS Hooks request",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": [cramp_cds::PATIENT_VIEW, cramp_cds::ORDER_REVIEW] } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["hook", "hookInstance", "context"] } } } },
                "responses": { "200": { "description": "{\"cards\": [...]} (CDS Hooks 2.0.1 §Card)" },
                    "400": problem(), "401": problem(), "404": problem(), "412": problem(), "413": problem(), "415": problem(), "422": problem() },
            } },
            "/cds-services/{id}/feedback": { "post": {
                "summary": "Feedback on cards (accepted or overridden); idempotent",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["feedback"] } } } },
                "responses": { "200": { "description": "Kept (empty body)" }, "400": problem(), "401": problem(), "404": problem() },
            } },
            "/fhir/metadata": { "get": { "summary": "The FHIR R4 CapabilityStatement", "responses": { "200": { "description": "application/fhir+json" } } } },
            "/fhir/Questionnaire/{id}": { "get": {
                "summary": "The assessment Questionnaire (id cramp-assessment): one item per case field, named by its path",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "application/fhir+json" }, "404": { "description": "OperationOutcome" } },
            } },
            "/fhir/CodeSystem/{id}": { "get": {
                "summary": "The code systems of card topics and override reasons",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "application/fhir+json" }, "404": { "description": "OperationOutcome" } },
            } },
        },
        "components": { "schemas": {
            "Answer": { "type": "object",
                "required": ["kb_version", "audience", "question", "answered", "statements", "sources"],
                "properties": {
                    "kb_version": { "type": "string" }, "audience": strings(Audience::ALL.iter().map(|x| x.as_str())),
                    "question": { "type": "string" }, "answered": { "type": "boolean" },
                    "message": { "type": "string", "description": "Present when answered is false" },
                    "statements": { "type": "array", "items": { "type": "object",
                        "required": ["id", "text", "certainty", "review_status", "sources", "evidence_page"],
                        "properties": { "id": { "type": "string" }, "text": { "type": "string" },
                            "certainty": { "type": ["string", "null"], "enum": ["high", "moderate", "low", "very_low", null] },
                            "review_status": { "const": "approved" }, "sources": { "type": "array", "items": { "type": "string" } },
                            "evidence_page": { "type": "string" } } } },
                    "sources": { "type": "array", "items": { "type": "object" } },
                } },
            "Case": case_schema(),
            "FhirBundle": cramp_fhir::bundle_schema(),
            "Assessment": assessment_schema(),
            "Problem": { "type": "object", "properties": { "type": { "type": "string" }, "title": { "type": "string" },
                "status": { "type": "integer" }, "detail": { "type": "string" } } },
        } },
    })
}
