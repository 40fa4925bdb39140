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

/// SPEC §4: "Every field shown is present (lists may be empty)": each object of the assessment
/// requires all its properties, except a source's `url` ("else absent", SPEC §4).
fn every_field_required(v: &mut Value) {
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        let required: Vec<&String> = props.keys().filter(|k| k.as_str() != "url").collect();
        v["required"] = json!(required);
    }
    if let Some(Value::Object(props)) = v.get_mut("properties") {
        props.values_mut().for_each(every_field_required);
    }
    if let Some(items) = v.get_mut("items") {
        every_field_required(items);
    }
    if let Some(Value::Array(alternatives)) = v.get_mut("oneOf") {
        alternatives.iter_mut().for_each(every_field_required);
    }
}

fn assessment_schema() -> Value {
    let mut schema = assessment_properties();
    every_field_required(&mut schema);
    schema
}

fn assessment_properties() -> Value {
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
                "to": list(strings(Destination::ALL.iter().map(|x| x.as_str()))), "reasons": list(s.clone()), "text": s } },
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

/// The diary API (SPEC §7): paths and schemas, enumerations from `cramp_core::diary`.
fn diary(paths: &mut Value, schemas: &mut Value) {
    use cramp_core::diary::{Helped, Leg, Muscle, WarningSign};
    let s = json!({ "type": "string" });
    let b = json!({ "type": "boolean" });
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": "The diary id" });
    let bearer = json!([{ "diaryToken": [] }]);
    let list_params = json!([id,
        { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } },
        { "name": "cursor", "in": "query", "required": false, "schema": { "type": "string" }, "description": "next_cursor of the previous page" }]);
    let auth_errors = |v: &mut Value| {
        for code in ["401", "403", "404", "429"] {
            v["responses"][code] = problem();
        }
    };
    let ok = |desc: &str, schema: Value| json!({ "description": desc, "content": { "application/json": { "schema": schema } } });
    let r = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let page = |item: &str| {
        json!({ "type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": { "type": "array", "items": r(item) }, "next_cursor": { "type": ["string", "null"] } } })
    };

    let mut ops: Vec<(&str, &str, Value)> = vec![
        (
            "/api/v1/diaries/{id}",
            "delete",
            json!({ "summary": "Delete the diary and everything in it; later calls get 404",
            "parameters": [id], "responses": { "204": { "description": "Deleted" } } }),
        ),
        (
            "/api/v1/diaries/{id}/episodes",
            "post",
            json!({ "summary": "Log a cramp episode; warning signs get advice from the red-flag entries",
            "parameters": [id, { "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 255 },
                "description": "The same key with the same body returns the first response again (nothing stored twice); with a different body, 422. Kept at least 24 h." }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": r("NewEpisode") } } },
            "responses": { "201": ok("The episode, with advice when warning signs were reported", r("Episode")),
                "400": problem(), "413": problem(), "415": problem(), "422": problem() } }),
        ),
        (
            "/api/v1/diaries/{id}/episodes",
            "get",
            json!({ "summary": "Episodes, newest first", "parameters": list_params.clone(),
            "responses": { "200": ok("A page of episodes", page("Episode")), "400": problem() } }),
        ),
        (
            "/api/v1/diaries/{id}/nights",
            "post",
            json!({ "summary": "A nightly check-in, one per date",
            "parameters": [id], "requestBody": { "required": true, "content": { "application/json": { "schema": r("Night") } } },
            "responses": { "201": ok("New for its date", r("Night")), "200": ok("Replaced that date's check-in", r("Night")),
                "400": problem(), "413": problem(), "415": problem(), "422": problem() } }),
        ),
        (
            "/api/v1/diaries/{id}/nights",
            "get",
            json!({ "summary": "Nightly check-ins, newest first", "parameters": list_params,
            "responses": { "200": ok("A page of check-ins", page("Night")), "400": problem() } }),
        ),
        (
            "/api/v1/diaries/{id}/trial",
            "get",
            json!({ "summary": "The n-of-1 stretching evaluation (SPEC §7; docs/n-of-1.md)",
            "parameters": [id], "responses": { "200": ok("The trial", r("Trial")) } }),
        ),
        (
            "/api/v1/diaries/{id}/export",
            "get",
            json!({ "summary": "Everything in the diary: CSV (RFC 4180, record_type column), JSON, or an R4 Bundle of Observations",
            "parameters": [id, { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["csv", "json", "fhir"], "default": "json" } }],
            "responses": { "200": { "description": "text/csv, application/json or application/fhir+json" }, "400": problem() } }),
        ),
        (
            "/api/v1/diaries/{id}/summary",
            "get",
            json!({ "summary": "The printable doctor-visit summary (HTML)",
            "parameters": [id], "responses": { "200": { "description": "text/html" } } }),
        ),
        (
            "/api/v1/diaries/{id}/chart",
            "get",
            json!({ "summary": "Cramps per night, stretching and pain (SVG; the summary carries a table alternative)",
            "parameters": [id], "responses": { "200": { "description": "image/svg+xml" } } }),
        ),
        (
            "/api/v1/diaries/{id}/shares",
            "post",
            json!({ "summary": "A read-only share for a clinician (30 days unless expires_in_days says otherwise)",
            "parameters": [id], "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object",
                "additionalProperties": false, "properties": { "expires_in_days": { "type": "integer", "minimum": 1, "maximum": 365 } } } } } },
            "responses": { "201": ok("The share; its token is shown once", json!({ "type": "object", "required": ["share_id", "token", "expires_at"],
                "properties": { "share_id": s, "token": s, "expires_at": s } })), "422": problem() } }),
        ),
        (
            "/api/v1/diaries/{id}/shares",
            "get",
            json!({ "summary": "The diary's shares (never their tokens)", "parameters": [id],
            "responses": { "200": ok("The shares", json!({ "type": "object", "properties": { "items": { "type": "array", "items": { "type": "object",
                "properties": { "share_id": s, "created_at": s, "expires_at": s, "revoked_at": { "type": ["string", "null"] },
                    "status": { "type": "string", "enum": ["active", "expired", "revoked"] } } } } } })) } }),
        ),
        (
            "/api/v1/diaries/{id}/shares/{share_id}",
            "delete",
            json!({ "summary": "Revoke a share at once",
            "parameters": [id, { "name": "share_id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "204": { "description": "Revoked" } } }),
        ),
    ];
    paths["/api/v1/diaries"] = json!({ "post": {
        "summary": "Start a diary: its id and its token, shown once (the bearer credential of every other diary call)",
        "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object", "maxProperties": 0 } } } },
        "responses": { "201": ok("The new diary", json!({ "type": "object", "required": ["diary_id", "token"], "properties": { "diary_id": s, "token": s } })),
            "400": problem(), "422": problem(), "429": problem() } } });
    for (path, method, mut op) in ops.drain(..) {
        op["security"] = bearer.clone();
        auth_errors(&mut op);
        if paths.get(path).is_none() {
            paths[path] = json!({});
        }
        paths[path][method] = op;
    }
    let words = |all: Vec<&'static str>| strings(all);
    schemas["NewEpisode"] = json!({ "type": "object", "additionalProperties": false,
        "required": cramp_wire::diary::EPISODE_FIELDS.iter().filter(|f| **f != "warning_signs").collect::<Vec<_>>(),
        "properties": {
            "started_at": { "type": "string", "format": "date-time" },
            "leg": words(Leg::ALL.iter().map(|x| x.as_str()).collect()),
            "muscle": words(Muscle::ALL.iter().map(|x| x.as_str()).collect()),
            "duration_min": { "type": "number", "minimum": 0 }, "pain": { "type": "number", "minimum": 0, "maximum": 10 },
            "woke_from_sleep": b,
            "helped": { "type": "array", "items": words(Helped::ALL.iter().map(|x| x.as_str()).collect()) },
            "warning_signs": { "type": "array", "items": words(WarningSign::ALL.iter().map(|x| x.as_str()).collect()) },
        } });
    let mut episode = schemas["NewEpisode"].clone();
    episode["properties"]["id"] = s.clone();
    episode["properties"]["recorded_at"] = s.clone();
    episode["properties"]["advice"] = json!({ "type": "object", "properties": {
        "urgency": strings(Urgency::ALL.iter().map(|x| x.as_str())), "text": s, "sources": { "type": "array", "items": { "type": "object" } },
        "entries": { "type": "array", "items": { "type": "object", "properties": { "id": s, "review_status": s, "evidence_page": s } } } } });
    // What the API answers: every field of the body, warning signs included, its id and when it was recorded.
    let mut answered: Vec<&str> = vec!["id"];
    answered.extend(cramp_wire::diary::EPISODE_FIELDS);
    answered.push("recorded_at");
    episode["required"] = json!(answered);
    schemas["Episode"] = episode;
    schemas["Night"] = json!({ "type": "object", "required": cramp_wire::diary::NIGHT_FIELDS, "properties": {
        "date": { "type": "string", "format": "date" }, "stretched": b, "sleep_quality": { "type": "number", "minimum": 0, "maximum": 10 },
        "cramps": { "type": "integer", "minimum": 0 }, "recorded_at": { "type": "string", "readOnly": true } } });
    let num = json!({ "type": ["number", "null"] });
    let period = json!({ "type": "object", "properties": { "nights": { "type": "integer" }, "first_date": { "type": ["string", "null"] },
        "last_date": { "type": ["string", "null"] }, "cramps_per_night": num, "mean_pain": num } });
    schemas["Trial"] = json!({ "type": "object", "required": ["verdict", "reason", "adherence", "baseline", "stretching", "effect", "published_effect"],
        "properties": {
            "verdict": { "type": "string", "enum": ["improved", "no_change", "worse", "inconclusive"] }, "reason": s,
            "nights_needed": { "type": ["integer", "null"] }, "adherence": num, "baseline": period, "stretching": period,
            "effect": { "type": "object", "properties": { "measure": { "const": "mean_difference" }, "unit": { "const": "cramps/night" },
                "estimate": num, "ci_low": num, "ci_high": num, "method": { "const": "welch_t" }, "rate_ratio": num } },
            "published_effect": { "type": "object" }, "kb_version": s,
        } });
}

/// CDS Hooks 2.0.1's response and card shapes (§CDS Service Response, §Card Attributes), so that a
/// client generated from this document reads the cards; the service's answers are checked against
/// them (`tests/openapi/validate.py`). Strings are never empty (the specification's "no empty
/// elements" practice this service keeps).
fn cds_hooks(paths: &mut Value, schemas: &mut Value) {
    let s = json!({ "type": "string", "minLength": 1 });
    let r = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let list = |items: Value| json!({ "type": "array", "minItems": 1, "items": items });
    schemas["CdsCoding"] = json!({ "type": "object", "required": ["code", "system"],
        "properties": { "code": s, "system": s, "display": s } });
    schemas["CdsAction"] = json!({ "type": "object", "required": ["type", "description"],
        "properties": { "type": { "enum": ["create", "update", "delete"] }, "description": s,
            "resource": { "type": "object", "description": "A FHIR R4 resource (create, update)" }, "resourceId": s } });
    schemas["CdsCard"] = json!({ "type": "object", "required": ["summary", "indicator", "source"],
        "dependentRequired": { "suggestions": ["selectionBehavior"] },
        "properties": {
            "uuid": { "type": "string", "format": "uuid" },
            "summary": { "type": "string", "minLength": 1, "maxLength": 139, "description": "One sentence, under 140 characters" },
            "detail": { "type": "string", "minLength": 1, "description": "GitHub Flavored Markdown" },
            "indicator": { "enum": ["info", "warning", "critical"] },
            "source": { "type": "object", "required": ["label"], "properties": {
                "label": s, "url": { "type": "string", "format": "uri" }, "icon": s, "topic": r("CdsCoding") } },
            "suggestions": list(json!({ "type": "object", "required": ["label"], "properties": {
                "label": s, "uuid": s, "isRecommended": { "type": "boolean" }, "actions": list(r("CdsAction")) } })),
            "selectionBehavior": { "enum": ["at-most-one", "any"] },
            "overrideReasons": list(json!({ "allOf": [r("CdsCoding"), { "required": ["display"] }] })),
            "links": list(json!({ "type": "object", "required": ["label", "url", "type"], "properties": {
                "label": s, "url": { "type": "string", "format": "uri" }, "type": { "enum": ["absolute", "smart"] },
                "appContext": s, "autolaunchable": { "type": "boolean" } } })),
        } });
    schemas["CdsResponse"] = json!({ "type": "object", "required": ["cards"], "properties": {
        "cards": { "type": "array", "items": r("CdsCard") }, "systemActions": { "type": "array", "items": r("CdsAction") } } });
    paths["/cds-services/{id}"]["post"]["responses"]["200"] = json!({ "description": "The cards (CDS Hooks 2.0.1 §CDS Service Response); `{\"cards\": []}` when there is nothing to say",
        "content": { "application/json": { "schema": r("CdsResponse") } } });
}

/// The OpenAPI document for this build.
pub fn document(kb_version: &str) -> Value {
    let mut doc = document_core(kb_version);
    let (mut paths, mut schemas) = (doc["paths"].take(), doc["components"]["schemas"].take());
    diary(&mut paths, &mut schemas);
    cds_hooks(&mut paths, &mut schemas);
    doc["paths"] = paths;
    doc["components"]["schemas"] = schemas;
    doc["components"]["securitySchemes"] = json!({ "diaryToken": { "type": "http", "scheme": "bearer",
        "description": "A diary's token (every call), or a share token (GET calls only)" } });
    doc
}

fn document_core(kb_version: &str) -> Value {
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
                "requestBody": { "required": true, "content": {
                    "application/json": { "schema": { "oneOf": [
                        { "$ref": "#/components/schemas/Case" }, { "$ref": "#/components/schemas/FhirBundle" } ] } },
                    "application/fhir+json": { "schema": { "$ref": "#/components/schemas/FhirBundle" } } } },
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
                "summary": "Call a CDS service (cramp-patient-view; cramp-order-select and cramp-order-sign, one per hook as discovery lists them; cramp-order-review, the same order service for both hooks under one id) with a CDS Hooks request",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": [cramp_cds::PATIENT_VIEW, cramp_cds::ORDER_SELECT, cramp_cds::ORDER_SIGN, cramp_cds::ORDER_REVIEW] } }],
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
            "/fhir/PlanDefinition/{id}": { "get": {
                "summary": "The knowledge base's pathway as a FHIR R4 PlanDefinition (the one `cramp kb export fhir` writes), versioned by kb_version",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": [cramp_fhir::resources::PLAN_ID] } }],
                "responses": { "200": { "description": "application/fhir+json" }, "404": { "description": "OperationOutcome" } },
            } },
            "/fhir/ActivityDefinition/{id}": { "get": {
                "summary": "A test or plan item of the PlanDefinition's actions as a FHIR R4 ActivityDefinition",
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
                    "warning_sign": { "const": true, "description": "Present when the question was refused because it describes a warning sign whose statement is in review; message then says it may need care quickly" },
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
            "Problem": { "type": "object", "required": ["type", "title", "status", "detail"], "properties": { "type": { "type": "string", "format": "uri-reference", "description": "The problem type (RFC 9457): /problems/{slug}, relative to this server, where a page says what it means and what to do; the same on every deployment" }, "title": { "type": "string" },
                "status": { "type": "integer" }, "detail": { "type": "string" } } },
        } },
    })
}
