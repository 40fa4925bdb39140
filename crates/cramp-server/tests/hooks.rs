//! CDS Hooks 2.0.1 in-process: discovery, every hook with full, partial, `null` and absent
//! prefetch, 412, malformed requests, feedback, CORS, the published FHIR resources, and the
//! specification's and the hook library's own example requests (tests/cds-hooks/).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use cramp_server::{AppState, Config, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const BASE: &str = "https://cramp.test";

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        let files: Vec<KnowledgeFile> = cramp_wire::knowledge_dir::files(&root).unwrap();
        KnowledgeBase::load(&files).unwrap()
    })
}

fn config() -> Config {
    Config {
        public_url: BASE.into(),
        today: Some(time::macros::date!(2026 - 11 - 23)),
        ..Config::default()
    }
}

fn state() -> Arc<AppState> {
    AppState::new(kb().clone(), config())
}

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(st: &Arc<AppState>, req: Request<Body>) -> Reply {
    let res = app(st.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

async fn post(st: &Arc<AppState>, uri: &str, body: &Value) -> Reply {
    post_text(st, uri, &body.to_string()).await
}

async fn post_text(st: &Arc<AppState>, uri: &str, body: &str) -> Reply {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(st, req).await
}

async fn get(st: &Arc<AppState>, uri: &str) -> Reply {
    send(st, Request::get(uri).body(Body::empty()).unwrap()).await
}

// ---- FHIR fixtures ----------------------------------------------------------------------------

fn searchset(resources: Vec<Value>) -> Value {
    json!({ "resourceType": "Bundle", "type": "searchset",
        "entry": resources.into_iter().map(|r| json!({ "resource": r })).collect::<Vec<_>>() })
}

fn patient(gender: &str, birth: &str) -> Value {
    json!({ "resourceType": "Patient", "id": "p1", "gender": gender, "birthDate": birth })
}

fn condition(system: &str, code: &str, display: &str) -> Value {
    json!({ "resourceType": "Condition", "id": code,
        "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" }] },
        "code": { "coding": [{ "system": system, "code": code, "display": display }] } })
}

fn icd(code: &str) -> Value {
    condition("http://hl7.org/fhir/sid/icd-10-cm", code, code)
}

fn med(id: &str, status: &str, text: &str) -> Value {
    json!({ "resourceType": "MedicationRequest", "id": id, "status": status, "intent": "order",
        "subject": { "reference": "Patient/p1" }, "medicationCodeableConcept": { "text": text } })
}

fn observation(loinc: &str, value: f64, unit: &str) -> Value {
    json!({ "resourceType": "Observation", "id": format!("o-{loinc}"), "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": loinc }] },
        "valueQuantity": { "value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit },
        "effectiveDateTime": "2026-10-01" })
}

fn request(hook: &str, prefetch: Value) -> Value {
    json!({ "hook": hook, "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": { "userId": "Practitioner/example", "patientId": "p1" }, "prefetch": prefetch })
}

fn order_request(hook: &str, drafts: Vec<Value>, selections: &[&str], prefetch: Value) -> Value {
    let mut r = request(hook, prefetch);
    r["context"]["draftOrders"] = json!({ "resourceType": "Bundle", "type": "collection",
        "entry": drafts.into_iter().map(|d| json!({ "resource": d })).collect::<Vec<_>>() });
    if hook == "order-select" {
        r["context"]["selections"] = json!(selections);
    }
    r
}

/// A patient with sleep-related leg cramps on the problem list, quinine and furosemide on the
/// medication list and a low potassium: every key the service asks for is answered.
fn full_prefetch() -> Value {
    let mut p = json!({
        "patient": patient("female", "1950-03-02"),
        "conditions": searchset(vec![icd("G47.62")]),
        "medications": searchset(vec![med("m1", "active", "Quinine sulfate 300 mg"), med("m2", "active", "furosemide 40 mg")]),
        "medicationStatements": null,
        "questionnaireResponse": null,
        "potassium": searchset(vec![observation("2823-3", 3.1, "mmol/L")]),
    });
    for t in cramp_fhir::hooks::prefetch_templates(kb(), BASE) {
        if p.get(&t.key).is_none() {
            p[&t.key] = Value::Null;
        }
    }
    p
}

fn cards(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["cards"].as_array().unwrap().clone()
}

/// CDS Hooks 2.0.1 §JSON: no element is null and none is empty ("cards": [] excepted).
fn assert_no_null_or_empty(v: &Value, at: &str) {
    match v {
        Value::Null => panic!("{at} is null"),
        Value::String(s) => assert!(!s.is_empty(), "{at} is an empty string"),
        Value::Array(a) => {
            assert!(!a.is_empty() || at.ends_with("cards"), "{at} is an empty array");
            for (i, x) in a.iter().enumerate() {
                assert_no_null_or_empty(x, &format!("{at}[{i}]"));
            }
        }
        Value::Object(o) => {
            assert!(!o.is_empty(), "{at} is an empty object");
            for (k, x) in o {
                assert_no_null_or_empty(x, &format!("{at}.{k}"));
            }
        }
        _ => {}
    }
}

/// Every rule of CDS Hooks 2.0.1 §Card that applies to a card this service emits.
fn assert_card_conforms(c: &Value) {
    assert_no_null_or_empty(c, "card");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.chars().count() < 140,
        "summary of {} characters: {summary}",
        summary.chars().count()
    );
    assert!(["info", "warning", "critical"].contains(&c["indicator"].as_str().unwrap()));
    assert!(c["uuid"].as_str().unwrap().len() == 36);
    assert_eq!(c["source"]["url"], format!("{BASE}/about"));
    assert!(c["source"]["label"].as_str().is_some());
    let topic = &c["source"]["topic"];
    assert_eq!(topic["system"], format!("{BASE}/fhir/CodeSystem/cramp-card-topic"));
    assert!(topic["code"].as_str().is_some() && topic["display"].as_str().is_some());
    let detail = c["detail"].as_str().unwrap();
    assert!(detail.contains(&kb().kb_version), "detail names kb_version");
    assert!(detail.contains("**Sources**"), "detail cites its sources");
    for l in c["links"].as_array().unwrap() {
        assert_eq!(l["type"], "absolute");
        let url = l["url"].as_str().unwrap();
        if url == format!("{BASE}/fhir/Questionnaire/cramp-assessment") {
            continue;
        }
        let id = url
            .strip_prefix(&format!("{BASE}/knowledge/"))
            .expect("links go to the evidence page or the Questionnaire");
        assert!(kb().entry(id).is_some(), "link to unknown entry {id}");
        assert!(detail.contains(&format!("`{id}`")), "the detail names the rule {id}");
    }
    if let Some(s) = c.get("suggestions") {
        assert!(
            c["selectionBehavior"].as_str().is_some(),
            "suggestions need selectionBehavior"
        );
        for s in s.as_array().unwrap() {
            assert!(s["label"].as_str().is_some() && s["uuid"].as_str().is_some());
            for a in s["actions"].as_array().unwrap() {
                assert!(a["description"].as_str().is_some());
                if a["type"] == "delete" {
                    assert!(a["resourceId"].as_str().is_some_and(|r| r.contains('/')));
                }
            }
        }
    }
    for r in c["overrideReasons"].as_array().into_iter().flatten() {
        assert!(r["display"].as_str().is_some(), "override reasons carry a display");
        assert_eq!(r["system"], format!("{BASE}/fhir/CodeSystem/cramp-override-reason"));
    }
}

// ---- discovery --------------------------------------------------------------------------------

#[tokio::test]
async fn discovery_lists_the_three_hooks_with_prefetch_in_the_template_subset() {
    let st = state();
    let r = get(&st, "/cds-services").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/json");
    let d = r.json();
    assert_no_null_or_empty(&d, "discovery");
    let services = d["services"].as_array().unwrap();
    let hooks: Vec<(&str, &str)> = services
        .iter()
        .map(|s| (s["hook"].as_str().unwrap(), s["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hooks,
        [
            ("patient-view", "cramp-patient-view"),
            ("order-select", "cramp-order-select"),
            ("order-sign", "cramp-order-sign")
        ]
    );
    for s in services {
        assert!(s["description"].as_str().is_some() && s["title"].as_str().is_some());
        let prefetch = s["prefetch"].as_object().unwrap();
        for key in [
            "patient",
            "conditions",
            "medications",
            "medicationStatements",
            "magnesium",
            "potassium",
            "egfr",
        ] {
            assert!(prefetch.contains_key(key), "prefetch key {key}");
        }
        for (key, template) in prefetch {
            let template = template.as_str().unwrap();
            // Tokens: only root-level context fields.
            for token in template.split("{{").skip(1) {
                assert!(token.starts_with("context.patientId}}"), "{key}: token in {template}");
            }
            // Only the parameters of the restricted subset.
            if let Some((_, query)) = template.split_once('?') {
                for param in query.split('&') {
                    let name = param.split('=').next().unwrap();
                    assert!(
                        [
                            "patient",
                            "subject",
                            "code",
                            "status",
                            "questionnaire",
                            "_sort",
                            "_count"
                        ]
                        .contains(&name),
                        "{key}: parameter {name}"
                    );
                }
            }
        }
        // One analyte per key: `_count=1` over several analytes would hide all but one.
        assert!(prefetch["magnesium"].as_str().unwrap().contains("19123-9"));
        assert!(!prefetch["magnesium"].as_str().unwrap().contains("2823-3"));
    }
}

// ---- patient-view -----------------------------------------------------------------------------

#[tokio::test]
async fn patient_view_with_full_prefetch_gives_cited_cards_for_each_finding() {
    let st = state();
    let r = post(
        &st,
        "/cds-services/cramp-patient-view",
        &request("patient-view", full_prefetch()),
    )
    .await;
    let cards = cards(&r);
    for c in &cards {
        assert_card_conforms(c);
    }
    let topics: Vec<&str> = cards
        .iter()
        .map(|c| c["source"]["topic"]["code"].as_str().unwrap())
        .collect();
    // Quinine on the list: a warning card about it, naming the order; furosemide: the drug card;
    // a low potassium with a diuretic: the work-up card; quinine with low potassium: QT red flag.
    assert!(topics.contains(&"quinine-safety"), "{topics:?}");
    assert!(topics.contains(&"drug-induced-cramp"), "{topics:?}");
    assert!(topics.contains(&"missing-workup"), "{topics:?}");
    assert!(topics.contains(&"red-flag"), "{topics:?}");
    let quinine = cards
        .iter()
        .find(|c| c["source"]["topic"]["code"] == "quinine-safety")
        .unwrap();
    assert_eq!(quinine["indicator"], "warning");
    assert!(quinine["detail"].as_str().unwrap().contains("Quinine sulfate 300 mg"));
    let drugs = cards
        .iter()
        .find(|c| c["source"]["topic"]["code"] == "drug-induced-cramp")
        .unwrap();
    assert!(drugs["summary"].as_str().unwrap().contains("Furosemide"));
    let workup = cards
        .iter()
        .find(|c| c["source"]["topic"]["code"] == "missing-workup")
        .unwrap();
    assert!(workup["detail"].as_str().unwrap().contains("Potassium"));
    // The low potassium itself, as the assessment reads it, with the plan item that acts on it;
    // before the work-up card (what the results show, then what to order).
    let results = cards
        .iter()
        .position(|c| c["source"]["topic"]["code"] == "abnormal-results")
        .expect("a results card");
    assert!(results < topics.iter().position(|t| *t == "missing-workup").unwrap());
    let results = &cards[results];
    assert_eq!(results["indicator"], "info");
    assert!(
        results["summary"].as_str().unwrap().contains("Potassium low"),
        "{results}"
    );
    let detail = results["detail"].as_str().unwrap();
    assert!(detail.contains("Potassium 3.1 mmol/L: low"), "{detail}");
    assert!(detail.contains("`plan.correct_electrolytes`"), "{detail}");
    let links: Vec<&str> = results["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert!(
        links
            .iter()
            .any(|u| u.ends_with("/knowledge/plan.correct_electrolytes")),
        "{links:?}"
    );
    // Every key was answered: nothing is listed as not sent.
    assert!(!r.body.contains("no result was sent"), "{}", r.body);
    // A red flag is never outranked: red-flag cards come first.
    assert_eq!(cards[0]["source"]["topic"]["code"], "red-flag");
}

#[tokio::test]
async fn results_in_their_range_get_no_results_card() {
    let st = state();
    let mut p = full_prefetch();
    p["potassium"] = searchset(vec![observation("2823-3", 4.2, "mmol/L")]);
    let cards = cards(&post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await);
    assert!(!cards.is_empty());
    assert!(
        !cards.iter().any(|c| c["source"]["topic"]["code"] == "abnormal-results"),
        "{cards:?}"
    );
}

#[tokio::test]
async fn a_chart_without_leg_cramps_gets_no_card() {
    let st = state();
    let mut p = full_prefetch();
    p["conditions"] = searchset(vec![icd("I10")]);
    p["medications"] = searchset(vec![med("m2", "active", "furosemide 40 mg")]);
    let r = post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({ "cards": [] }));
}

#[tokio::test]
async fn quinine_alone_or_a_snomed_cramp_diagnosis_opens_the_chart_card() {
    let st = state();
    let mut p = full_prefetch();
    p["conditions"] = Value::Null;
    p["medications"] = searchset(vec![med("m1", "active", "quinine 300 mg at night")]);
    let c = cards(&post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await);
    assert!(c.iter().any(|c| c["source"]["topic"]["code"] == "quinine-safety"));

    let mut p = full_prefetch();
    p["conditions"] = searchset(vec![condition(
        "http://snomed.info/sct",
        "449918009",
        "Cramp in lower leg",
    )]);
    p["medications"] = Value::Null;
    let c = cards(&post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await);
    assert!(!c.is_empty());
    for card in &c {
        assert_card_conforms(card);
    }
}

#[tokio::test]
async fn an_ecgs_qtc_prefetched_as_a_panel_component_is_read_for_the_qt_red_flag_on_quinine() {
    let st = state();
    let discovery = get(&st, "/cds-services").await.json();
    let services = discovery["services"].as_array().unwrap();
    assert!(services.iter().all(|s| {
        s["prefetch"]["qtc"]
            .as_str()
            .is_some_and(|q| q.contains("http://loinc.org|8636-3"))
    }));

    let links = |c: &[Value]| -> Vec<String> {
        c.iter()
            .flat_map(|c| c["links"].as_array().cloned().unwrap_or_default())
            .filter_map(|l| l["url"].as_str().map(String::from))
            .collect()
    };
    let mut p = full_prefetch();
    p["medications"] = searchset(vec![med("m1", "active", "quinine 300 mg at night")]);
    p["potassium"] = Value::Null; // a low potassium is a QT risk of its own
    let without = cards(
        &post(
            &st,
            "/cds-services/cramp-patient-view",
            &request("patient-view", p.clone()),
        )
        .await,
    );
    assert!(
        !links(&without)
            .iter()
            .any(|u| u.ends_with("/knowledge/red_flag.qt_prolongation_risk"))
    );

    // A 12-lead EKG study whose QTc (8636-3) is a component.
    p["qtc"] = searchset(vec![
        json!({ "resourceType": "Observation", "id": "ecg", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "11524-6", "display": "EKG study" }] },
        "effectiveDateTime": "2026-11-20",
        "component": [{ "code": { "coding": [{ "system": "http://loinc.org", "code": "8636-3", "display": "QTc interval" }] },
                        "valueQuantity": { "value": 492, "unit": "ms", "system": "http://unitsofmeasure.org", "code": "ms" } }] }),
    ]);
    let with = cards(&post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await);
    for c in &with {
        assert_card_conforms(c);
    }
    assert!(
        links(&with)
            .iter()
            .any(|u| u.ends_with("/knowledge/red_flag.qt_prolongation_risk")),
        "{with:?}"
    );
}

#[tokio::test]
async fn partial_prefetch_lists_what_was_not_sent_and_null_means_no_data() {
    let st = state();
    let p = json!({
        "patient": patient("male", "1948-06-01"),
        "conditions": searchset(vec![icd("R25.2")]),
        "medications": null,
    });
    let r = post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await;
    let cards = cards(&r);
    assert!(!cards.is_empty());
    for c in &cards {
        assert_card_conforms(c);
        let detail = c["detail"].as_str().unwrap();
        assert!(detail.contains("**Data not available**"));
        assert!(
            detail.contains("Magnesium: no result was sent (prefetch key `magnesium` absent)"),
            "{detail}"
        );
        assert!(detail.contains("medications: the EHR reported no data"), "{detail}");
        // A man's chart lacks no pregnancy status (`unlisted_for_sex`).
        assert!(!detail.contains("Pregnancy status"), "{detail}");
    }
    // A woman's does.
    let p = json!({
        "patient": patient("female", "1988-06-01"),
        "conditions": searchset(vec![icd("R25.2")]),
        "medications": null,
    });
    let r = post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await;
    let hers = self::cards(&r);
    assert!(!hers.is_empty());
    for c in &hers {
        let detail = c["detail"].as_str().unwrap();
        assert!(
            detail.contains("Pregnancy status: no result was sent (prefetch key `pregnancyStatus` absent)"),
            "{detail}"
        );
    }
}

#[tokio::test]
async fn absent_required_keys_are_412_naming_them() {
    let st = state();
    let p = json!({ "patient": patient("male", "1948-06-01") });
    let r = post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(r.content_type, "application/problem+json");
    let b = r.json();
    assert_eq!(b["status"], 412);
    assert_eq!(b["missing_prefetch_keys"], json!(["conditions", "medications"]));
    assert!(b["detail"].as_str().unwrap().contains("`conditions`"));
    // No prefetch at all: all three.
    let mut req = request("patient-view", json!({}));
    req.as_object_mut().unwrap().remove("prefetch");
    let r = post(&st, "/cds-services/cramp-patient-view", &req).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        r.json()["missing_prefetch_keys"],
        json!(["patient", "conditions", "medications"])
    );
}

#[tokio::test]
async fn operation_outcomes_and_paging_are_reported_on_the_card() {
    let st = state();
    let mut p = full_prefetch();
    p["magnesium"] = json!({ "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": "timeout", "diagnostics": "lab system unavailable" }] });
    let mut conditions = searchset(vec![icd("G47.62")]);
    conditions["link"] = json!([{ "relation": "next", "url": "https://ehr.test/fhir/Condition?page=2" }]);
    p["conditions"] = conditions;
    let r = post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await;
    let cards = cards(&r);
    let detail = cards[0]["detail"].as_str().unwrap();
    assert!(detail.contains("lab system unavailable"), "{detail}");
    assert!(detail.contains("only the first page"), "{detail}");
}

#[tokio::test]
async fn malformed_requests_are_400_problem_json_naming_the_element() {
    let st = state();
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "the body is not JSON"),
        // A member of the wrong type is named by its path, in words (never serde's "struct …").
        ("[1, 2]".into(), "`request`: expected an object, got a list"),
        (json!({ "hook": "patient-view", "hookInstance": ["x"], "context": {} }).to_string(), "`hookInstance`: expected a string, got a list"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": [1] }).to_string(), "`context`: expected an object, got a list"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": { "userId": false, "patientId": "1" } }).to_string(),
            "`context.userId`: expected a string, got boolean `false`"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": { "userId": "Practitioner/1", "patientId": "1" },
            "prefetch": { "patient": { "resourceType": "Patient" }, "medications": null,
                "conditions": { "resourceType": "Bundle", "entry": [{}, [1]] } } }).to_string(),
            "`prefetch.conditions.entry[1]`: expected an object, got a list"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": { "userId": "Practitioner/1", "patientId": "1" },
            "prefetch": { "patient": { "resourceType": "Patient" }, "medications": null, "conditions": null,
                "potassium": { "resourceType": "Bundle", "entry": [{ "fullUrl": {} }] } } }).to_string(),
            "`prefetch.potassium.entry[0].fullUrl`: expected a string, got an object"),
        (json!({ "hookInstance": "x", "context": {} }).to_string(), "`hook`"),
        (json!({ "hook": "patient-view", "context": { "patientId": "1", "userId": "Practitioner/1" } }).to_string(), "`hookInstance`"),
        (json!({ "hook": "order-sign", "hookInstance": "x", "context": {} }).to_string(), "not answered by cramp-patient-view"),
        (json!({ "hook": "patient-view", "hookInstance": "x" }).to_string(), "`context`"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": { "userId": "Practitioner/1" } }).to_string(), "`context.patientId`"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": { "userId": "Practitioner/1", "patientId": "1" },
            "fhirAuthorization": { "access_token": "t", "token_type": "Bearer", "expires_in": 300, "scope": "patient/*.read", "subject": "cramp" } }).to_string(), "`fhirServer` is required"),
        (json!({ "hook": "patient-view", "hookInstance": "x", "context": { "userId": "Practitioner/1", "patientId": "1" },
            "prefetch": { "patient": { "gender": "male" }, "conditions": null, "medications": null } }).to_string(), "`prefetch.patient`"),
    ];
    for (body, says) in cases {
        let r = post_text(&st, "/cds-services/cramp-patient-view", &body).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.status);
        assert_eq!(r.content_type, "application/problem+json", "{body}");
        let detail = r.json()["detail"].as_str().unwrap().to_string();
        assert!(detail.contains(says), "{body}: {detail}");
        assert!(!detail.contains("struct "), "{detail}");
    }
    let r = post(
        &st,
        "/cds-services/no-such-service",
        &request("patient-view", full_prefetch()),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.content_type, "application/problem+json");
    let req = Request::post("/cds-services/cramp-patient-view")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&st, req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn card_uuids_are_stable_for_one_hook_instance_and_links_ignore_the_host_header() {
    let st = state();
    let body = request("patient-view", full_prefetch()).to_string();
    let a = post_text(&st, "/cds-services/cramp-patient-view", &body).await;
    let req = Request::post("/cds-services/cramp-patient-view")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "attacker.example")
        .body(Body::from(body))
        .unwrap();
    let b = send(&st, req).await;
    assert_eq!(a.body, b.body);
    assert!(!b.body.contains("attacker.example"));
    let uuids: Vec<String> = cards(&a)
        .iter()
        .map(|c| c["uuid"].as_str().unwrap().to_string())
        .collect();
    let mut unique = uuids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), uuids.len(), "card uuids are distinct");
}

// ---- order-select / order-sign ----------------------------------------------------------------

fn order_prefetch(conditions: Vec<Value>, gender: &str, birth: &str) -> Value {
    json!({ "patient": patient(gender, birth), "conditions": searchset(conditions), "medications": null })
}

#[tokio::test]
async fn a_drug_ordered_for_cramps_that_has_no_evidence_for_them_gets_an_evidence_card() {
    let st = state();
    for (drug, birth, says) in [
        ("gabapentin 300 mg", "1950-01-01", "no evidence"),
        ("cyclobenzaprine 5 mg", "1990-01-01", "not recommended routinely"),
    ] {
        let req = order_request(
            "order-sign",
            vec![med("d1", "draft", drug)],
            &[],
            order_prefetch(vec![icd("G47.62")], "female", birth),
        );
        let got = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(got.len(), 1, "{drug}: {got:?}");
        assert_card_conforms(&got[0]);
        assert_eq!(got[0]["indicator"], "info", "{drug}");
        assert!(got[0]["summary"].as_str().unwrap().contains(says), "{drug}: {got:?}");
        // Without cramps on the chart it is another clinician's decision: no card.
        let req = order_request(
            "order-sign",
            vec![med("d1", "draft", drug)],
            &[],
            order_prefetch(vec![icd("I10")], "female", birth),
        );
        assert!(
            cards(&post(&st, "/cds-services/cramp-order-review", &req).await).is_empty(),
            "{drug}"
        );
    }
}

#[tokio::test]
async fn an_intended_quinine_statement_is_read_on_the_chart_but_is_never_an_order_to_remove() {
    let st = state();
    let statement = json!({ "resourceType": "MedicationStatement", "id": "s1", "status": "intended",
        "medicationCodeableConcept": { "text": "quinine sulfate 300 mg" } });
    // Among the draft orders it is not an order: no card, no delete suggestion for it.
    let req = order_request(
        "order-sign",
        vec![statement.clone()],
        &[],
        order_prefetch(vec![icd("G47.62")], "female", "1950-01-01"),
    );
    assert!(cards(&post(&st, "/cds-services/cramp-order-review", &req).await).is_empty());
    // On the chart (prefetched statements), a pregnant patient planning quinine gets the red flag.
    let mut p = full_prefetch();
    p["patient"] = patient("female", "1995-01-01");
    p["conditions"] = searchset(vec![icd("G47.62"), icd("Z33.1")]);
    p["medications"] = Value::Null;
    p["medicationStatements"] = searchset(vec![statement]);
    let c = cards(&post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await);
    let links: Vec<String> = c
        .iter()
        .flat_map(|c| c["links"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| l["url"].as_str().map(String::from))
        .collect();
    assert!(
        links
            .iter()
            .any(|u| u.ends_with("/knowledge/red_flag.quinine_in_pregnancy")),
        "{c:?}"
    );
}

#[tokio::test]
async fn quinine_ordered_gets_a_critical_card_with_a_suggestion_to_remove_the_draft() {
    let st = state();
    for hook in ["order-select", "order-sign"] {
        let req = order_request(
            hook,
            vec![med("d1", "draft", "quinine sulfate 324 mg capsule")],
            &["MedicationRequest/d1"],
            order_prefetch(vec![icd("G47.62")], "female", "1950-01-01"),
        );
        let cards = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(cards.len(), 1, "{hook}: {cards:?}");
        let c = &cards[0];
        assert_card_conforms(c);
        assert_eq!(c["indicator"], "critical");
        assert!(c["summary"].as_str().unwrap().contains("quinine"));
        let detail = c["detail"].as_str().unwrap();
        assert!(
            detail.contains("R-FDA2010") && detail.contains("R-MHRA"),
            "FDA and MHRA cited"
        );
        assert_eq!(c["selectionBehavior"], "at-most-one");
        let s = &c["suggestions"][0];
        assert_eq!(s["isRecommended"], true);
        assert_eq!(s["actions"][0]["type"], "delete");
        assert_eq!(s["actions"][0]["resourceId"], "MedicationRequest/d1");
        assert!(c["overrideReasons"].as_array().is_some_and(|r| !r.is_empty()));
    }
}

#[tokio::test]
async fn each_order_hook_has_its_own_service_id_and_the_one_id_form_answers_both() {
    // A client that keeps one service per id (the CDS Hooks sandbox keys its services by
    // `{discovery URL}/{id}`) must find every hook: no id is listed twice.
    let st = state();
    let discovery = get(&st, "/cds-services").await.json();
    let mut ids: Vec<&str> = discovery["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let listed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), listed, "an id listed twice: {discovery}");
    let quinine = |hook: &str| {
        order_request(
            hook,
            vec![med("d1", "draft", "quinine sulfate 324 mg capsule")],
            &["MedicationRequest/d1"],
            order_prefetch(vec![icd("G47.62")], "female", "1950-01-01"),
        )
    };
    // Each listed order service answers its own hook with the critical quinine card, and says
    // which hook it answers when sent the other.
    for s in discovery["services"].as_array().unwrap() {
        let (hook, id) = (s["hook"].as_str().unwrap(), s["id"].as_str().unwrap());
        if hook == "patient-view" {
            continue;
        }
        let got = cards(&post(&st, &format!("/cds-services/{id}"), &quinine(hook)).await);
        assert_eq!(got.len(), 1, "{id}: {got:?}");
        assert_eq!(got[0]["indicator"], "critical", "{id}");
        let other = if hook == "order-select" {
            "order-sign"
        } else {
            "order-select"
        };
        let r = post(&st, &format!("/cds-services/{id}"), &quinine(other)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{id} with {other}");
        assert!(r.body.contains(&format!("it answers {hook}")), "{}", r.body);
        // Feedback is taken at every listed id.
        let feedback = json!({ "feedback": [{ "card": got[0]["uuid"], "outcome": "accepted",
            "acceptedSuggestions": [{ "id": got[0]["suggestions"][0]["uuid"] }],
            "outcomeTimestamp": "2026-12-07T10:00:00Z" }] });
        let r = post(&st, &format!("/cds-services/{id}/feedback"), &feedback).await;
        assert_eq!(r.status, StatusCode::OK, "{id}: {}", r.body);
    }
    // The one-id form (both hooks under one URL) gives the same cards.
    for hook in ["order-select", "order-sign"] {
        let listed = if hook == "order-select" {
            "cramp-order-select"
        } else {
            "cramp-order-sign"
        };
        let a = post(&st, &format!("/cds-services/{listed}"), &quinine(hook)).await;
        let b = post(&st, "/cds-services/cramp-order-review", &quinine(hook)).await;
        assert_eq!(a.body, b.body, "{hook}");
    }
}

#[tokio::test]
async fn a_qt_prolonging_drug_ordered_for_a_patient_on_quinine_gets_the_qt_red_flag_card() {
    let st = state();
    let mut prefetch = order_prefetch(vec![icd("G47.62")], "female", "1950-01-01");
    prefetch["medications"] = searchset(vec![med("m1", "active", "quinine sulfate 300 mg")]);
    for hook in ["order-select", "order-sign"] {
        let req = order_request(
            hook,
            vec![med("d1", "draft", "clarithromycin 500 mg")],
            &["MedicationRequest/d1"],
            prefetch.clone(),
        );
        let got = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(got.len(), 1, "{hook}: {got:?}");
        let c = &got[0];
        assert_card_conforms(c);
        assert_eq!(c["indicator"], "warning", "a `soon` red flag");
        assert!(
            c["links"].as_array().unwrap().iter().any(|l| l["url"]
                .as_str()
                .unwrap()
                .ends_with("/knowledge/red_flag.qt_prolongation_risk")),
            "{c:?}"
        );
        let detail = c["detail"].as_str().unwrap();
        assert!(
            detail.contains("clarithromycin 500 mg (MedicationRequest/d1)"),
            "{detail}"
        );
        assert!(detail.contains("quinine sulfate 300 mg"), "{detail}");
        // The prescriber decides: removing the draft is offered, not recommended.
        assert_eq!(c["suggestions"][0]["isRecommended"], false);
        assert_eq!(c["suggestions"][0]["actions"][0]["resourceId"], "MedicationRequest/d1");
    }
    // Without quinine on the chart the order raises nothing.
    let req = order_request(
        "order-sign",
        vec![med("d1", "draft", "clarithromycin 500 mg")],
        &[],
        order_prefetch(vec![icd("G47.62")], "female", "1950-01-01"),
    );
    assert!(cards(&post(&st, "/cds-services/cramp-order-review", &req).await).is_empty());
    // A flag the chart already has is the patient-view card's, not the order's.
    let mut both = prefetch.clone();
    both["medications"] = searchset(vec![
        med("m1", "active", "quinine sulfate 300 mg"),
        med("m2", "active", "citalopram 20 mg"),
    ]);
    let req = order_request(
        "order-sign",
        vec![med("d1", "draft", "clarithromycin 500 mg")],
        &[],
        both,
    );
    assert!(cards(&post(&st, "/cds-services/cramp-order-review", &req).await).is_empty());
}

#[tokio::test]
async fn an_order_card_shows_the_patient_data_its_decision_read() {
    // Baclofen in cirrhosis with a raised creatinine and no eGFR: an option on the condition that
    // the eGFR is 30 or more, shown beside the data it read.
    let st = state();
    // A condition coded without a display or text is shown by its code alone.
    let bare = json!({ "resourceType": "Condition",
        "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10" }] } });
    let mut prefetch = order_prefetch(vec![icd("K74.60"), icd("G47.62"), bare], "male", "1968-01-01");
    // A medicine coded without a display or text is shown by the drug its code names.
    let coded = json!({ "resourceType": "MedicationRequest", "id": "m2", "status": "active", "intent": "order",
        "medicationCodeableConcept": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "4603" }] } });
    prefetch["medications"] = searchset(vec![med("m1", "active", "spironolactone 100 mg"), coded]);
    prefetch["creatinine"] = searchset(vec![observation("2160-0", 250.0, "umol/L")]);
    let req = order_request(
        "order-select",
        vec![med("d1", "draft", "baclofen 10 mg tablet")],
        &["MedicationRequest/d1"],
        prefetch,
    );
    let cards = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_card_conforms(&cards[0]);
    assert_eq!(cards[0]["indicator"], "info");
    let detail = cards[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("option.baclofen_cirrhosis") && detail.contains("eGFR"),
        "{detail}"
    );
    for shown in [
        "baclofen 10 mg tablet",
        "K74.60",
        "Creatinine 250 umol/L",
        "spironolactone 100 mg",
        "Furosemide (RxNorm 4603)",
        ": I10\n",
    ] {
        assert!(detail.contains(shown), "{shown} missing from: {detail}");
    }
    assert!(!detail.contains(":  I10"), "{detail}");
}

#[tokio::test]
async fn quinine_by_rxnorm_code_in_a_contained_medication_is_recognised() {
    let st = state();
    let draft = json!({ "resourceType": "MedicationRequest", "id": "d9", "status": "draft", "intent": "order",
        "contained": [{ "resourceType": "Medication", "id": "q", "code": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "9071" }] } }],
        "medicationReference": { "reference": "#q" } });
    let req = order_request(
        "order-sign",
        vec![draft],
        &[],
        order_prefetch(vec![], "male", "1960-01-01"),
    );
    let cards = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["indicator"], "critical");
}

#[tokio::test]
async fn order_select_looks_only_at_the_selected_orders() {
    let st = state();
    let req = order_request(
        "order-select",
        vec![
            med("d1", "draft", "quinine 300 mg"),
            med("d2", "draft", "amoxicillin 500 mg"),
        ],
        &["MedicationRequest/d2"],
        order_prefetch(vec![], "male", "1960-01-01"),
    );
    // amoxicillin for a patient without cramps: nothing to say; quinine was not selected.
    assert_eq!(
        cards(&post(&st, "/cds-services/cramp-order-review", &req).await),
        Vec::<Value>::new()
    );
}

#[tokio::test]
async fn magnesium_gets_an_evidence_card_and_baclofen_a_warning_outside_cirrhosis() {
    let st = state();
    let sign = |drug: &str, conditions: Vec<Value>| {
        order_request(
            "order-sign",
            vec![med("d1", "draft", drug)],
            &[],
            order_prefetch(conditions, "male", "1958-01-01"),
        )
    };
    let c = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign("magnesium oxide 400 mg", vec![icd("G47.62")]),
        )
        .await,
    );
    assert_eq!(c.len(), 1);
    assert_card_conforms(&c[0]);
    assert_eq!(c[0]["indicator"], "info");
    assert!(c[0]["detail"].as_str().unwrap().contains("R-CochMg2020"));

    // With a documented hypomagnesaemia, magnesium is the deficiency option: an info card that
    // links to it.
    let c = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign("magnesium oxide 400 mg", vec![icd("G47.62"), icd("E83.42")]),
        )
        .await,
    );
    assert_eq!(c.len(), 1);
    assert_card_conforms(&c[0]);
    assert_eq!(c[0]["indicator"], "info");
    assert!(
        c[0]["links"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/knowledge/option.magnesium_deficiency"),
        "{}",
        c[0]
    );

    let c = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign("baclofen 10 mg", vec![icd("G47.62")]),
        )
        .await,
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["indicator"], "warning");
    assert!(
        c[0]["links"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/knowledge/avoid.baclofen_no_indication")
    );

    // Pregnancy (Z33.1) or encephalopathy: the contraindication entry, at its own severity.
    for cond in ["Z33.1", "K76.82"] {
        let c = cards(
            &post(
                &st,
                "/cds-services/cramp-order-review",
                &sign("baclofen 10 mg", vec![icd("K74.60"), icd(cond)]),
            )
            .await,
        );
        assert_eq!(c.len(), 1, "{cond}");
        assert!(
            c[0]["links"][0]["url"]
                .as_str()
                .unwrap()
                .ends_with("/knowledge/avoid.baclofen_contraindicated"),
            "{cond}"
        );
        assert_ne!(c[0]["indicator"], "info", "{cond}");
    }

    // In cirrhosis without a contraindication baclofen is an option: an info card with its condition.
    let c = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign("baclofen 10 mg", vec![icd("K74.60")]),
        )
        .await,
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["indicator"], "info");
    assert!(c[0].get("suggestions").is_none());
}

#[tokio::test]
async fn magnesium_on_dialysis_and_a_muscle_relaxant_in_pregnancy_get_warnings() {
    let st = state();
    let sign = |drug: &str, conditions: Vec<Value>, gender: &str| {
        order_request(
            "order-sign",
            vec![med("d1", "draft", drug)],
            &[],
            order_prefetch(conditions, gender, "1990-01-01"),
        )
    };
    for (drug, conditions, gender, entry) in [
        (
            "magnesium oxide 400 mg",
            vec![icd("N18.6"), icd("Z99.2")],
            "male",
            "avoid.magnesium_dialysis",
        ),
        (
            "cyclobenzaprine 5 mg",
            vec![icd("Z33.1"), icd("G47.62")],
            "female",
            "avoid.muscle_relaxants_pregnancy",
        ),
    ] {
        let c = cards(&post(&st, "/cds-services/cramp-order-review", &sign(drug, conditions, gender)).await);
        assert_eq!(c.len(), 1, "{drug}");
        assert_card_conforms(&c[0]);
        assert_eq!(c[0]["indicator"], "warning", "{drug}");
        let url = c[0]["links"][0]["url"].as_str().unwrap();
        assert!(url.ends_with(&format!("/knowledge/{entry}")), "{drug}: {url}");
    }
}

#[tokio::test]
async fn baclofen_is_not_offered_on_a_cirrhosis_that_is_only_provisional() {
    let st = state();
    let sign = |verification: &str| {
        let mut cirrhosis = icd("K74.60");
        cirrhosis["verificationStatus"] = json!({ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": verification }] });
        let mut prefetch = order_prefetch(vec![cirrhosis, icd("G47.62")], "male", "1968-01-01");
        prefetch["egfr"] = searchset(vec![observation("33914-3", 70.0, "mL/min/1.73m2")]);
        order_request(
            "order-sign",
            vec![med("d1", "draft", "baclofen 10 mg tablet")],
            &[],
            prefetch,
        )
    };
    let links = |cards: &[Value]| -> Vec<String> {
        cards
            .iter()
            .flat_map(|c| c["links"].as_array().cloned().unwrap_or_default())
            .filter_map(|l| l["url"].as_str().map(String::from))
            .collect()
    };
    let confirmed = cards(&post(&st, "/cds-services/cramp-order-review", &sign("confirmed")).await);
    assert!(
        links(&confirmed)
            .iter()
            .any(|u| u.ends_with("/knowledge/option.baclofen_cirrhosis")),
        "{confirmed:?}"
    );
    let provisional = cards(&post(&st, "/cds-services/cramp-order-review", &sign("provisional")).await);
    let urls = links(&provisional);
    assert!(
        urls.iter()
            .all(|u| !u.ends_with("/knowledge/option.baclofen_cirrhosis")),
        "{provisional:?}"
    );
    assert!(
        urls.iter()
            .any(|u| u.ends_with("/knowledge/avoid.baclofen_until_cirrhosis_confirmed")),
        "{urls:?}"
    );
}

#[tokio::test]
async fn a_pregnancy_recorded_as_a_us_core_pregnancy_status_observation_is_read_as_pregnancy() {
    let st = state();
    let status = |snomed: &str, text: &str| {
        json!({ "resourceType": "Observation", "id": "preg", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "82810-3", "display": "Pregnancy status" }] },
            "effectiveDateTime": "2026-11-20",
            "valueCodeableConcept": { "coding": [{ "system": "http://snomed.info/sct", "code": snomed, "display": text }] } })
    };
    let sign = |observation: Value| {
        let mut prefetch = order_prefetch(vec![icd("G47.62")], "female", "1990-01-01");
        prefetch["pregnancyStatus"] = searchset(vec![observation]);
        order_request(
            "order-sign",
            vec![med("d1", "draft", "cyclobenzaprine 5 mg")],
            &[],
            prefetch,
        )
    };
    let pregnant = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign(status("77386006", "Pregnant")),
        )
        .await,
    );
    assert_eq!(pregnant.len(), 1, "{pregnant:?}");
    assert_card_conforms(&pregnant[0]);
    let url = pregnant[0]["links"][0]["url"].as_str().unwrap();
    assert!(url.ends_with("/knowledge/avoid.muscle_relaxants_pregnancy"), "{url}");
    // "Not pregnant" reaches no gate: no pregnancy warning.
    let not = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign(status("60001007", "Not pregnant")),
        )
        .await,
    );
    assert!(
        not.iter()
            .all(|c| !c.to_string().contains("avoid.muscle_relaxants_pregnancy")),
        "{not:?}"
    );
}

#[tokio::test]
async fn a_pregnancy_condition_that_began_more_than_45_weeks_ago_is_not_a_pregnancy_now() {
    // Problem lists keep pregnancy codes "active" for years; one that began longer ago than a
    // pregnancy lasts is not read as current (pregnancy is then unknown), and said so.
    let st = state();
    let sign = |onset: &str| {
        let mut pregnancy = icd("Z33.1");
        pregnancy["onsetDateTime"] = json!(onset);
        order_request(
            "order-sign",
            vec![med("d1", "draft", "cyclobenzaprine 5 mg")],
            &[],
            order_prefetch(vec![icd("G47.62"), pregnancy], "female", "1990-01-01"),
        )
    };
    let pregnancy_card = |cards: &[Value]| {
        cards
            .iter()
            .any(|c| c.to_string().contains("/knowledge/avoid.muscle_relaxants_pregnancy"))
    };
    let recent = cards(&post(&st, "/cds-services/cramp-order-review", &sign("2026-06-01")).await);
    assert!(pregnancy_card(&recent), "{recent:?}");
    let old = cards(&post(&st, "/cds-services/cramp-order-review", &sign("2023-02-01")).await);
    assert!(!pregnancy_card(&old), "{old:?}");
}

#[tokio::test]
async fn without_leg_cramps_only_quinine_magnesium_and_baclofen_orders_get_a_card_unless_the_order_is_for_cramps() {
    // Diltiazem for atrial fibrillation beside a beta-blocker, a muscle relaxant in pregnancy: not
    // cramp questions for a patient without cramps. Quinine, magnesium and baclofen: reviewed for all.
    let st = state();
    let sign = |drug: &str, conditions: Vec<Value>, meds: Vec<Value>, gender: &str| {
        let mut p = order_prefetch(conditions, gender, "1960-01-01");
        p["medications"] = searchset(meds);
        order_request("order-sign", vec![med("d1", "draft", drug)], &[], p)
    };
    for (drug, conditions, meds, gender) in [
        (
            "diltiazem 120 mg",
            vec![icd("I48.0")],
            vec![med("m1", "active", "bisoprolol 5 mg")],
            "male",
        ),
        ("cyclobenzaprine 5 mg", vec![icd("Z33.1")], vec![], "female"),
    ] {
        let c = cards(
            &post(
                &st,
                "/cds-services/cramp-order-review",
                &sign(drug, conditions, meds, gender),
            )
            .await,
        );
        assert!(c.is_empty(), "{drug}: {c:?}");
    }
    for drug in ["quinine sulfate 300 mg", "magnesium oxide 400 mg", "baclofen 10 mg"] {
        let c = cards(
            &post(
                &st,
                "/cds-services/cramp-order-review",
                &sign(drug, vec![icd("G35")], vec![], "male"),
            )
            .await,
        );
        assert_eq!(c.len(), 1, "{drug}");
        assert_card_conforms(&c[0]);
        let summary = c[0]["summary"].as_str().unwrap();
        assert!(summary.contains("for leg cramps"), "{drug}: {summary}");
    }
    // An order whose own reason is leg cramps is a cramp question, whatever the problem list says.
    for (reason, expected) in [
        (json!({ "text": "nocturnal leg cramps" }), 1),
        (
            json!({ "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R25.2" }] }),
            1,
        ),
        (json!({ "text": "atrial fibrillation" }), 0),
    ] {
        let mut req = sign(
            "diltiazem 120 mg",
            vec![icd("I48.0")],
            vec![med("m1", "active", "bisoprolol 5 mg")],
            "male",
        );
        req["context"]["draftOrders"]["entry"][0]["resource"]["reasonCode"] = json!([reason]);
        let c = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(c.len(), expected, "{reason}: {c:?}");
    }
    // With cramps, the diltiazem order beside a beta-blocker is warned about (a.2's interacting drugs).
    let c = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &sign(
                "diltiazem 120 mg",
                vec![icd("G47.62")],
                vec![med("m1", "active", "bisoprolol 5 mg")],
                "male",
            ),
        )
        .await,
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["indicator"], "warning");
    assert!(c[0]["summary"].as_str().unwrap().contains("with leg cramps"));
}

#[tokio::test]
async fn an_order_for_another_stated_indication_keeps_only_its_safety_cards() {
    // The order's own reasonCode says what it is for. Baclofen for the spasticity of multiple
    // sclerosis, magnesium for a deficiency, gabapentin for neuropathic pain: no card about their use
    // for cramps. Quinine, a contraindication, a hyperkalaemia risk and a drug that causes cramps
    // stay; a reason that may be cramps ("spasms", M62.83-) keeps every card.
    let st = state();
    let text = |t: &str| json!({ "text": t });
    let coded = |code: &str| json!({ "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code }] });
    let ask = |drug: &str, reason: Value, conditions: Vec<Value>, meds: Vec<Value>| {
        let mut p = order_prefetch(conditions, "female", "1960-01-01");
        p["medications"] = searchset(meds);
        let mut req = order_request("order-sign", vec![med("d1", "draft", drug)], &[], p);
        req["context"]["draftOrders"]["entry"][0]["resource"]["reasonCode"] = json!([reason]);
        req
    };
    let spironolactone = || vec![med("m1", "active", "spironolactone 25 mg")];
    for (drug, reason, conditions, meds, expected) in [
        // No card: only the drug's use for cramps was in question.
        ("baclofen 10 mg", text("spasticity"), vec![icd("G35")], vec![], None),
        (
            "magnesium oxide 400 mg",
            coded("E83.42"),
            vec![icd("G47.62")],
            vec![],
            None,
        ),
        (
            "gabapentin 300 mg",
            text("painful diabetic neuropathy"),
            vec![icd("G47.62")],
            vec![],
            None,
        ),
        // Safety stays, whatever the order is for.
        (
            "quinine sulfate 300 mg",
            text("malaria"),
            vec![],
            vec![],
            Some("critical"),
        ),
        (
            "baclofen 10 mg",
            text("spasticity"),
            vec![icd("G35"), icd("K74.60"), icd("N18.4")],
            vec![],
            Some("critical"),
        ),
        (
            "potassium chloride 600 mg",
            coded("E87.6"),
            vec![icd("G47.62")],
            spironolactone(),
            Some("warning"),
        ),
        (
            "hydrochlorothiazide 25 mg",
            text("hypertension"),
            vec![icd("G47.62")],
            vec![],
            Some("info"),
        ),
        // A reason that may be cramps is read as cramps.
        (
            "baclofen 10 mg",
            text("night-time calf spasms"),
            vec![],
            vec![],
            Some("warning"),
        ),
        ("baclofen 10 mg", coded("M62.838"), vec![], vec![], Some("warning")),
        ("magnesium oxide 400 mg", text("cramping"), vec![], vec![], Some("info")),
        // Restless legs are in scope too (the service's RLS pathway); Parkinson's disease is not.
        (
            "pregabalin 75 mg",
            text("restless legs syndrome"),
            vec![icd("G47.62")],
            vec![],
            Some("info"),
        ),
        ("pregabalin 75 mg", coded("G20"), vec![icd("G47.62")], vec![], None),
    ] {
        let got = cards(
            &post(
                &st,
                "/cds-services/cramp-order-review",
                &ask(drug, reason.clone(), conditions, meds),
            )
            .await,
        );
        assert_eq!(
            got.len(),
            usize::from(expected.is_some()),
            "{drug} for {reason}: {got:?}"
        );
        if let Some(indicator) = expected {
            assert_card_conforms(&got[0]);
            assert_eq!(got[0]["indicator"], indicator, "{drug} for {reason}");
        }
    }
    // The reason may be a Condition of the chart the order references (reasonReference): read as
    // that condition when the chart holds it, an unknown reason (every card kept) when it does not.
    for (reference, expected) in [
        ("Condition/G35", 0),
        ("https://ehr.example/fhir/Condition/G35", 0),
        ("Condition/not-in-this-chart", 1),
    ] {
        let mut req = ask("baclofen 10 mg", text("spasticity"), vec![icd("G35")], vec![]);
        let order = &mut req["context"]["draftOrders"]["entry"][0]["resource"];
        order.as_object_mut().unwrap().remove("reasonCode");
        order["reasonReference"] = json!([{ "reference": reference }]);
        let got = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(got.len(), expected, "{reference}: {got:?}");
    }
    // A reference with its version, a Condition contained in the order ("#r1"), and a Condition sent
    // with the draft orders under its urn:uuid (a transaction's reason) are read as that condition.
    // A contained reason that may be cramps keeps the cards; a local reference to nothing contained
    // is an unknown reason.
    let spasticity = json!({ "resourceType": "Condition", "id": "r1",
        "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G35" }] } });
    let night_spasms = json!({ "resourceType": "Condition", "id": "r1", "code": { "text": "night-time calf spasms" } });
    for (reference, contained, bundled, expected) in [
        ("Condition/G35/_history/3", None, None, 0),
        ("#r1", Some(spasticity.clone()), None, 0),
        ("#r1", Some(night_spasms), None, 1),
        ("#r2", Some(spasticity.clone()), None, 1),
        (
            "urn:uuid:0d3b7c3e-5f0e-4a86-9d3c-2f1c8b6a7e11",
            None,
            Some(spasticity),
            0,
        ),
    ] {
        let mut req = ask("baclofen 10 mg", text("x"), vec![icd("G35")], vec![]);
        let drafts = &mut req["context"]["draftOrders"];
        let order = &mut drafts["entry"][0]["resource"];
        order.as_object_mut().unwrap().remove("reasonCode");
        order["reasonReference"] = json!([{ "reference": reference }]);
        if let Some(c) = contained {
            order["contained"] = json!([c]);
        }
        if let Some(c) = bundled {
            drafts["entry"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "fullUrl": reference, "resource": c }));
            // Only a condition the order names: the chart has no MS here.
            req["prefetch"]["conditions"] = searchset(vec![]);
        }
        let got = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(got.len(), expected, "{reference}: {got:?}");
    }
    // A malformed reason (a string, one object instead of a list) does not drop the order: quinine
    // keeps its critical card, and a single reasonReference object is still read.
    for reason in [json!("malaria"), json!({ "text": "malaria" })] {
        let mut req = ask("quinine sulfate 300 mg", text("x"), vec![], vec![]);
        req["context"]["draftOrders"]["entry"][0]["resource"]["reasonCode"] = reason.clone();
        let got = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
        assert_eq!(got.len(), 1, "{reason}: {got:?}");
        assert_eq!(got[0]["indicator"], "critical", "{reason}");
    }
    let mut req = ask("baclofen 10 mg", text("x"), vec![icd("G35")], vec![]);
    let order = &mut req["context"]["draftOrders"]["entry"][0]["resource"];
    order.as_object_mut().unwrap().remove("reasonCode");
    order["reasonReference"] = json!({ "reference": "Condition/G35" });
    assert!(cards(&post(&st, "/cds-services/cramp-order-review", &req).await).is_empty());
    // Resources written with resourceType first, as EHRs write them, are read in one pass: the
    // chart's Condition keeps its id there too, for the order's reasonReference to name.
    let raw = r#"{"hook":"order-sign","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context":{"userId":"Practitioner/x","patientId":"p1","draftOrders":{"resourceType":"Bundle","type":"collection",
          "entry":[{"resource":{"resourceType":"MedicationRequest","id":"d1","status":"draft","intent":"order",
            "medicationCodeableConcept":{"text":"baclofen 10 mg"},"reasonReference":[{"reference":"Condition/ms"}]}}]}},
        "prefetch":{"patient":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1960-01-01"},
          "conditions":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Condition","id":"ms",
            "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
            "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"G35"}]}}}]},
          "medications":{"resourceType":"Bundle","type":"searchset","entry":[]}}}"#;
    assert!(cards(&post_text(&st, "/cds-services/cramp-order-review", raw).await).is_empty());
    // Its removal is offered, not recommended: the order was written for something else.
    let got = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &ask("quinine sulfate 300 mg", text("malaria"), vec![], vec![]),
        )
        .await,
    );
    assert_eq!(got[0]["suggestions"][0]["isRecommended"], false, "{got:?}");
    // The contraindication card of an order for something else does not call it a cramp treatment.
    let got = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &ask(
                "baclofen 10 mg",
                text("spasticity"),
                vec![icd("G35"), icd("N18.4")],
                vec![],
            ),
        )
        .await,
    );
    let summary = got[0]["summary"].as_str().unwrap();
    assert!(
        summary.contains("whatever the indication") && !summary.contains("cramps"),
        "{summary}"
    );
}

#[tokio::test]
async fn magnesium_ordered_in_pregnancy_gets_an_evidence_card_only_for_a_patient_with_cramps() {
    let st = state();
    let req = |conditions| {
        order_request(
            "order-select",
            vec![med("d1", "draft", "magnesium citrate 200 mg")],
            &["MedicationRequest/d1"],
            order_prefetch(conditions, "female", "1996-01-01"),
        )
    };
    let c = cards(
        &post(
            &st,
            "/cds-services/cramp-order-review",
            &req(vec![icd("Z33.1"), icd("G47.62")]),
        )
        .await,
    );
    assert_eq!(c.len(), 1, "{c:?}");
    assert_card_conforms(&c[0]);
    assert_eq!(c[0]["indicator"], "info");
    assert!(c[0]["summary"].as_str().unwrap().contains("pregnancy"));
    assert!(
        c[0].get("suggestions").is_none(),
        "nothing to remove: the order is not advised against"
    );
    let url = c[0]["links"][0]["url"].as_str().unwrap();
    assert!(url.ends_with("/knowledge/considering.magnesium_pregnancy"), "{url}");
    // Without cramps (magnesium in pregnancy has other uses), no card.
    let none = cards(&post(&st, "/cds-services/cramp-order-review", &req(vec![icd("Z33.1")])).await);
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test]
async fn baclofen_with_egfr_below_30_is_not_offered() {
    let st = state();
    let mut p = order_prefetch(vec![icd("K74.60")], "male", "1958-01-01");
    p["egfr"] = searchset(vec![observation("98979-8", 22.0, "mL/min/{1.73_m2}")]);
    let req = order_request("order-sign", vec![med("d1", "draft", "baclofen 10 mg")], &[], p);
    let c = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
    assert_eq!(c.len(), 1);
    assert!(
        c[0]["links"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/knowledge/avoid.baclofen_contraindicated")
    );
}

#[tokio::test]
async fn a_cramp_inducing_drug_gets_an_info_card_only_for_a_patient_with_cramps() {
    let st = state();
    let req = |conditions| {
        order_request(
            "order-sign",
            vec![med("d1", "draft", "atorvastatin 20 mg")],
            &[],
            order_prefetch(conditions, "female", "1955-01-01"),
        )
    };
    let c = cards(&post(&st, "/cds-services/cramp-order-review", &req(vec![icd("G47.62")])).await);
    assert_eq!(c.len(), 1);
    assert_card_conforms(&c[0]);
    assert_eq!(c[0]["indicator"], "info");
    assert!(c[0]["summary"].as_str().unwrap().starts_with("Atorvastatin"));
    let c = cards(&post(&st, "/cds-services/cramp-order-review", &req(vec![icd("I10")])).await);
    assert!(c.is_empty());
}

// ---- the published examples -------------------------------------------------------------------

fn example(name: &str) -> Value {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cds-hooks")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn the_specifications_example_requests_get_the_answers_the_specification_requires() {
    let st = state();
    // The 2.0.1 patient-view example: our required keys are not prefetched and its fhirServer is
    // not one this instance may read (none by default), so 412 naming them.
    let r = post(
        &st,
        "/cds-services/cramp-patient-view",
        &example("spec-patient-view-request.json"),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert_eq!(
        r.json()["missing_prefetch_keys"],
        json!(["patient", "conditions", "medications"])
    );
    assert!(
        !r.body.contains("some-opaque-fhir-access-token"),
        "the token is never echoed"
    );
    // The example with an `extension` has no patientId: patient-view requires one.
    let r = post(
        &st,
        "/cds-services/cramp-patient-view",
        &example("spec-request-with-extension.json"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The same request with our prefetch is answered; the extension is tolerated.
    let mut req = example("spec-patient-view-request.json");
    req["prefetch"] = full_prefetch();
    req["extension"] = example("spec-request-with-extension.json")["extension"].clone();
    let c = cards(&post(&st, "/cds-services/cramp-patient-view", &req).await);
    assert!(!c.is_empty());
}

#[tokio::test]
async fn the_hook_librarys_example_contexts_are_answered() {
    let st = state();
    for (file, hook, service) in [
        ("library-patient-view-1.json", "patient-view", "cramp-patient-view"),
        ("library-patient-view-2.json", "patient-view", "cramp-patient-view"),
        ("library-order-select-1.json", "order-select", "cramp-order-review"),
        ("library-order-select-2.json", "order-select", "cramp-order-review"),
        ("library-order-select-3.json", "order-select", "cramp-order-review"),
        ("library-order-sign-1.json", "order-sign", "cramp-order-review"),
        ("library-order-sign-2.json", "order-sign", "cramp-order-review"),
        ("library-order-sign-3.json", "order-sign", "cramp-order-review"),
    ] {
        let ex = example(file);
        let prefetch = json!({ "patient": patient("male", "1925-12-23"), "conditions": null, "medications": null });
        let req = json!({ "hook": hook, "hookInstance": format!("example-{file}"), "context": ex["context"], "prefetch": prefetch });
        let r = post(&st, &format!("/cds-services/{service}"), &req).await;
        // None of the examples' patients has cramps, and none of their orders is a cramp drug
        // with a rule for a patient without cramps: no cards, and never an error.
        assert_eq!(r.status, StatusCode::OK, "{file}: {}", r.body);
        assert_eq!(r.json(), json!({ "cards": [] }), "{file}");
    }
}

// ---- feedback ---------------------------------------------------------------------------------

#[tokio::test]
async fn feedback_is_validated_idempotent_and_tied_to_the_rule_of_the_card() {
    let st = state();
    for name in [
        "spec-feedback-accepted.json",
        "spec-feedback-overridden.json",
        "spec-feedback-override-reason.json",
    ] {
        for _ in 0..2 {
            let r = post(&st, "/cds-services/cramp-patient-view/feedback", &example(name)).await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
            assert!(r.body.is_empty());
        }
    }
    assert_eq!(st.feedback().len(), 3, "each piece kept once");
    assert!(
        st.feedback().iter().all(|f| f.rule.is_none()),
        "cards this instance never showed"
    );
    assert!(
        st.feedback()
            .iter()
            .all(|f| !format!("{f:?}").contains("A comment entered")),
        "no free text kept"
    );

    // Feedback on a card we showed is tied to its rule.
    let req = order_request(
        "order-sign",
        vec![med("d1", "draft", "quinine 300 mg")],
        &[],
        order_prefetch(vec![], "male", "1960-01-01"),
    );
    let c = cards(&post(&st, "/cds-services/cramp-order-review", &req).await);
    let fb = json!({ "feedback": [{ "card": c[0]["uuid"], "outcome": "overridden",
        "overrideReason": { "reason": { "code": "other-indication", "system": format!("{BASE}/fhir/CodeSystem/cramp-override-reason") } },
        "outcomeTimestamp": "2026-11-23T10:05:31Z" }] });
    let r = post(&st, "/cds-services/cramp-order-review/feedback", &fb).await;
    assert_eq!(r.status, StatusCode::OK);
    let kept = st.feedback().pop().unwrap();
    assert_eq!(kept.rule.as_deref(), Some("avoid.quinine"));
    assert_eq!(kept.override_reason.as_deref(), Some("other-indication"));

    for (bad, says) in [
        (json!({}), "`feedback`"),
        (
            json!({ "feedback": [{ "card": "x", "outcome": "ignored", "outcomeTimestamp": "2026-11-23T10:05:31Z" }] }),
            "ignored",
        ),
        (
            json!({ "feedback": [{ "card": "x", "outcome": "accepted", "outcomeTimestamp": "2026-11-23T10:05:31Z" }] }),
            "acceptedSuggestions",
        ),
        (
            json!({ "feedback": [{ "card": "x", "outcome": "overridden", "outcomeTimestamp": "yesterday" }] }),
            "RFC 3339",
        ),
        (
            json!({ "feedback": [{ "outcome": "overridden", "outcomeTimestamp": "2026-11-23T10:05:31Z" }] }),
            "feedback[0].card",
        ),
    ] {
        let r = post(&st, "/cds-services/cramp-order-review/feedback", &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.content_type, "application/problem+json");
        assert!(r.json()["detail"].as_str().unwrap().contains(says), "{bad}: {}", r.body);
    }
    let r = post(
        &st,
        "/cds-services/nope/feedback",
        &example("spec-feedback-overridden.json"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

// ---- CORS -------------------------------------------------------------------------------------

#[tokio::test]
async fn browser_clients_get_cors_on_the_hook_routes() {
    let st = state();
    let pre = Request::builder()
        .method(Method::OPTIONS)
        .uri("/cds-services/cramp-patient-view")
        .header(header::ORIGIN, "https://sandbox.cds-hooks.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .body(Body::empty())
        .unwrap();
    let r = send(&st, pre).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let allowed = r.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    let req = Request::get("/cds-services")
        .header(header::ORIGIN, "https://sandbox.cds-hooks.org")
        .body(Body::empty())
        .unwrap();
    let r = send(&st, req).await;
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    // A configured list allows only its origins.
    let st = AppState::new(
        kb().clone(),
        Config {
            cors_origins: vec!["https://ehr.test".into()],
            ..config()
        },
    );
    let req = |origin: &str| {
        Request::get("/cds-services")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&st, req("https://ehr.test")).await.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://ehr.test"
    );
    assert!(
        send(&st, req("https://other.test"))
            .await
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

// ---- the FHIR resources ---------------------------------------------------------------------

#[tokio::test]
async fn the_questionnaire_capability_statement_and_code_systems_are_served_as_fhir() {
    let st = state();
    let r = get(&st, "/fhir/metadata").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/fhir+json");
    let cs = r.json();
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    assert_eq!(cs["date"], "2026-11-23");

    let r = get(&st, "/fhir/Questionnaire/cramp-assessment").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/fhir+json");
    let q = r.json();
    assert_eq!(q["url"], format!("{BASE}/fhir/Questionnaire/cramp-assessment"));
    assert_eq!(q["version"], kb().kb_version);
    // Every item's linkId is a case field, and every case field is an item.
    let mut link_ids = Vec::new();
    for group in q["item"].as_array().unwrap() {
        for item in group["item"].as_array().unwrap() {
            link_ids.push(item["linkId"].as_str().unwrap().to_string());
            assert!(item["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
    }
    let mut fields: Vec<String> = cramp_core::case::form_fields().into_iter().map(|(p, _)| p).collect();
    fields.sort();
    link_ids.sort();
    assert_eq!(link_ids, fields);

    for id in ["cramp-card-topic", "cramp-override-reason"] {
        let r = get(&st, &format!("/fhir/CodeSystem/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["url"], format!("{BASE}/fhir/CodeSystem/{id}"));
    }
    let r = get(&st, "/fhir/PlanDefinition/cramp-nocturnal-leg-cramps").await;
    assert_eq!(r.status, StatusCode::OK);
    let plan = r.json();
    assert_eq!(plan["version"], kb().kb_version);
    assert_eq!(plan["status"], "draft", "no clinical sign-off yet");
    let first_definition = plan["action"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["action"].as_array().unwrap().iter())
        .find_map(|a| a["definitionCanonical"].as_str())
        .unwrap()
        .to_string();
    let path = first_definition.strip_prefix(BASE).unwrap();
    assert_eq!(get(&st, path).await.json()["url"], first_definition);
    for missing in [
        "/fhir/Questionnaire/other",
        "/fhir/CodeSystem/other",
        "/fhir/PlanDefinition/other",
        "/fhir/ActivityDefinition/other",
    ] {
        let r = get(&st, missing).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["resourceType"], "OperationOutcome");
    }
}

#[tokio::test]
async fn an_answered_questionnaire_opens_the_chart_card_and_is_read_like_a_case() {
    let st = state();
    let mut p = full_prefetch();
    p["conditions"] = Value::Null;
    p["medications"] = Value::Null;
    p["questionnaireResponse"] = searchset(vec![json!({
        "resourceType": "QuestionnaireResponse", "id": "qr1", "status": "completed",
        "questionnaire": format!("{BASE}/fhir/Questionnaire/cramp-assessment"), "authored": "2026-11-20",
        "item": [
            { "linkId": "symptoms.feels_like", "answer": [{ "valueCoding": { "code": "painful_cramp" } }] },
            { "linkId": "symptoms.calf_swelling", "answer": [{ "valueCoding": { "code": "one_leg" } }] },
            { "linkId": "symptoms.calf_warm_or_red", "answer": [{ "valueBoolean": true }] }
        ]
    })]);
    let cards = cards(&post(&st, "/cds-services/cramp-patient-view", &request("patient-view", p)).await);
    // A swollen, warm calf on one side: the DVT red flag, first and critical-or-warning.
    let first = &cards[0];
    assert_eq!(first["source"]["topic"]["code"], "red-flag");
    assert!(
        first["links"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("red_flag.possible_dvt")
    );
    assert_ne!(first["indicator"], "info");
}

// ---- client authentication --------------------------------------------------------------------

#[tokio::test]
async fn with_trusted_issuers_every_hook_route_needs_a_jwt_for_its_own_url() {
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cramp-cds/tests/keys");
    let jwks: Value = serde_json::from_str(&std::fs::read_to_string(keys.join("jwks.json")).unwrap()).unwrap();
    let auth = cramp_cds::auth::Auth::from_json(
        &json!({ "issuers": [{ "iss": "https://ehr.test/", "jwks": jwks }] }).to_string(),
    )
    .unwrap();
    let st = AppState::new(
        kb().clone(),
        Config {
            auth: Some(Arc::new(auth)),
            ..config()
        },
    );
    let pem = std::fs::read_to_string(keys.join("es384-private.pem")).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = |aud: &str, jti: &str| {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES384);
        h.kid = Some("test-es384".into());
        let claims = json!({ "iss": "https://ehr.test/", "aud": aud, "exp": now + 300, "iat": now, "jti": jti });
        jsonwebtoken::encode(
            &h,
            &claims,
            &jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    };
    // No token: 401 problem+json with a Bearer challenge.
    let r = get(&st, "/cds-services").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.headers[header::WWW_AUTHENTICATE], "Bearer");
    // A token for this URL: 200; the same token again: 401 (jti replay).
    let t = token(&format!("{BASE}/cds-services"), "a1");
    let req = |t: &str| {
        Request::get("/cds-services")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&st, req(&t)).await.status, StatusCode::OK);
    assert_eq!(send(&st, req(&t)).await.status, StatusCode::UNAUTHORIZED);
    // A token for another endpoint of the service is refused here.
    let t = token(&format!("{BASE}/cds-services/cramp-patient-view"), "a2");
    assert_eq!(send(&st, req(&t)).await.status, StatusCode::UNAUTHORIZED);
    // The hook itself, with a token for it.
    let t = token(&format!("{BASE}/cds-services/cramp-patient-view"), "a3");
    let req = Request::post("/cds-services/cramp-patient-view")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .body(Body::from(request("patient-view", full_prefetch()).to_string()))
        .unwrap();
    assert_eq!(send(&st, req).await.status, StatusCode::OK);
    // The rest of the server is not behind CDS client authentication.
    assert_eq!(get(&st, "/healthz").await.status, StatusCode::OK);
    // A browser's preflight is answered without a token.
    let pre = Request::builder()
        .method(Method::OPTIONS)
        .uri("/cds-services")
        .header(header::ORIGIN, "https://sandbox.test")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&st, pre).await.status, StatusCode::OK);
}

// ---- reading the client's FHIR server ---------------------------------------------------------

/// A FHIR server on loopback that answers the service's queries for patient p1 and records the
/// Authorization header of each read.
async fn mock_fhir_server() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::extract::RawQuery;
    use axum::routing::get as route_get;
    let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let answer = move |path: &'static str| {
        let record = record.clone();
        move |headers: axum::http::HeaderMap, RawQuery(query): RawQuery| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get(header::AUTHORIZATION)
                    .map(|v| v.to_str().unwrap().to_string());
                record.lock().unwrap().push(auth.unwrap_or_default());
                let q = query.unwrap_or_default();
                let body = match path {
                    "patient" => patient("female", "1950-03-02"),
                    "conditions" => searchset(vec![icd("G47.62")]),
                    "medications" if q.contains("patient=p1") => searchset(vec![med("m1", "active", "quinine 300 mg")]),
                    "observations" if q.contains("2823-3") => searchset(vec![observation("2823-3", 3.1, "mmol/L")]),
                    _ => searchset(vec![]),
                };
                ([(header::CONTENT_TYPE, "application/fhir+json")], body.to_string())
            }
        }
    };
    let router = axum::Router::new()
        .route("/fhir/Patient/p1", route_get(answer("patient")))
        .route("/fhir/Condition", route_get(answer("conditions")))
        .route("/fhir/MedicationRequest", route_get(answer("medications")))
        .route("/fhir/MedicationStatement", route_get(answer("statements")))
        .route("/fhir/QuestionnaireResponse", route_get(answer("qr")))
        .route("/fhir/Observation", route_get(answer("observations")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/fhir"), seen)
}

fn with_fhir_server(server: &str) -> Value {
    json!({ "hook": "patient-view", "hookInstance": "fetch-1", "fhirServer": server,
        "fhirAuthorization": { "access_token": "secret-token", "token_type": "Bearer", "expires_in": 300,
            "scope": "patient/*.read", "subject": "cramp" },
        "context": { "userId": "Practitioner/1", "patientId": "p1" } })
}

#[tokio::test]
async fn an_allowed_fhir_server_is_read_with_the_clients_token_when_prefetch_is_missing() {
    let (server, seen) = mock_fhir_server().await;
    let st = AppState::new(
        kb().clone(),
        Config {
            fhir_server_allow: vec![server.clone()],
            allow_insecure_fhir: true,
            ..config()
        },
    );
    let r = post(&st, "/cds-services/cramp-patient-view", &with_fhir_server(&server)).await;
    let cards = cards(&r);
    assert!(
        cards.iter().any(|c| c["source"]["topic"]["code"] == "quinine-safety"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("secret-token"));
    // Every key was read, each with the client's token; nothing is "not sent".
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), cramp_fhir::hooks::prefetch_templates(kb(), BASE).len());
    assert!(seen.iter().all(|a| a == "Bearer secret-token"), "{seen:?}");
    assert!(!r.body.contains("no result was sent"));
}

#[tokio::test]
async fn a_fhir_server_not_allowed_or_not_https_is_never_read() {
    let (server, seen) = mock_fhir_server().await;
    // Not in the allowlist (the default is none): 412 saying why.
    let st = state();
    let r = post(&st, "/cds-services/cramp-patient-view", &with_fhir_server(&server)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert!(r.json()["detail"].as_str().unwrap().contains("--fhir-server-allow"));
    // Allowed, but plain http without --allow-insecure-fhir.
    let st = AppState::new(
        kb().clone(),
        Config {
            fhir_server_allow: vec![server.clone()],
            ..config()
        },
    );
    let r = post(&st, "/cds-services/cramp-patient-view", &with_fhir_server(&server)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert!(r.json()["detail"].as_str().unwrap().contains("not https"));
    // A server that only shares a prefix with an allowed one.
    let st = AppState::new(
        kb().clone(),
        Config {
            fhir_server_allow: vec![format!("{server}-other")],
            allow_insecure_fhir: true,
            ..config()
        },
    );
    let r = post(&st, "/cds-services/cramp-patient-view", &with_fhir_server(&server)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert!(seen.lock().unwrap().is_empty(), "the server was never contacted");
}
