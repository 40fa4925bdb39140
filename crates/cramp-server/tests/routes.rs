//! Every route in-process (no socket): valid, invalid, oversized, wrong content type, unknown route.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use cramp_server::{AppState, Config, app};
use http_body_util::BodyExt;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn state(config: Config) -> Arc<AppState> {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    let kb = KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        let files: Vec<KnowledgeFile> = cramp_wire::knowledge_dir::files(&root).unwrap();
        KnowledgeBase::load(&files).unwrap()
    });
    AppState::new(kb.clone(), config)
}

async fn call(req: Request<Body>) -> (StatusCode, String, String) {
    call_with(Config::default(), req).await
}

async fn call_with(config: Config, req: Request<Body>) -> (StatusCode, String, String) {
    let res = app(state(config)).oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, ct, body)
}

fn post(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

const CASE: &str = r#"{"patient": {"age": 67, "sex": "female"}, "symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false}, "medications": [{"name": "hydrochlorothiazide"}]}"#;

#[tokio::test]
async fn assess_answers_the_spec_4_assessment() {
    let (status, ct, body) = call(post("/api/v1/assess", CASE)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["audience"], "clinician");
    assert_eq!(v["classification"]["most_likely"]["code"], "G47.62");
    assert_eq!(v["medication_review"][0]["atc"], "C03AA03");
}

#[tokio::test]
async fn the_patient_audience_carries_the_same_decisions() {
    let (_, _, c) = call(post("/api/v1/assess", CASE)).await;
    let (status, _, p) = call(post("/api/v1/assess?audience=patient", CASE)).await;
    assert_eq!(status, StatusCode::OK);
    let (c, p): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&c).unwrap(), serde_json::from_str(&p).unwrap());
    assert_eq!(p["audience"], "patient");
    assert_eq!(c["plan"].as_array().unwrap().len(), p["plan"].as_array().unwrap().len());
    assert_ne!(c["plan"][0]["text"], p["plan"][0]["text"]);
}

#[tokio::test]
async fn the_api_gives_the_same_json_as_the_cli_library_path() {
    let (_, _, body) = call(post("/api/v1/assess", CASE)).await;
    let kb = &state(Config::default()).kb;
    let case = cramp_wire::parse_case(CASE).unwrap();
    let a = cramp_core::assess(kb, &case, Default::default());
    let plain = serde_json::to_value(cramp_wire::to_wire(&a, cramp_core::vocab::Audience::Clinician, None)).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap(), plain);
}

#[tokio::test]
async fn invalid_json_is_400_problem_json_with_line_and_column() {
    let (status, ct, body) = call(post("/api/v1/assess", "{\"patient\": ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(ct, "application/problem+json");
    assert!(body.contains("line 1, column"), "{body}");
}

#[tokio::test]
async fn an_invalid_case_is_422_with_the_same_message_as_the_cli() {
    let (status, ct, body) = call(post("/api/v1/assess", r#"{"patient": {"age": 300}}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ct, "application/problem+json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["detail"],
        "`patient.age`: 300 is outside 0–130; send the age in years, 0–130"
    );
    assert_eq!(v["status"], 422);
}

#[tokio::test]
async fn a_boolean_where_a_code_belongs_is_422_naming_the_field_not_400_blaming_the_json() {
    let (status, ct, body) = call(post("/api/v1/assess", r#"{"symptoms": {"calf_swelling": true}}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(ct, "application/problem+json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let detail = v["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("`symptoms.calf_swelling`: expected one of: none, one_leg, both_legs"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let req = Request::post("/api/v1/assess")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(CASE))
        .unwrap();
    let (status, ct, _) = call(req).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(ct, "application/problem+json");
}

#[tokio::test]
async fn a_fhir_bundle_may_come_as_fhir_json_and_a_compressed_body_is_415_naming_its_encoding() {
    // FHIR's own JSON media type: the Bundle is read as a case is.
    let bundle = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "gender": "female", "birthDate": "1958-04-02"}},
        {"resource": {"resourceType": "Condition", "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.62"}]}}}]}"#;
    let req = Request::post("/api/v1/assess")
        .header(header::CONTENT_TYPE, "application/fhir+json; fhirVersion=4.0")
        .body(Body::from(bundle))
        .unwrap();
    let (status, ct, body) = call(req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ct, "application/json");
    // Sent compressed, the body used to be read as text that is not UTF-8 (400): the encoding is
    // not accepted, and the answer says so. `identity`, or an empty value, is no encoding.
    for (coding, expected) in [
        ("gzip", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("br", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("identity", StatusCode::OK),
        ("", StatusCode::OK),
    ] {
        let req = Request::post("/api/v1/assess")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, coding)
            .body(Body::from(CASE))
            .unwrap();
        let (status, ct, body) = call(req).await;
        assert_eq!(status, expected, "{coding}: {body}");
        if expected != StatusCode::OK {
            assert_eq!(ct, "application/problem+json");
            let detail = serde_json::from_str::<serde_json::Value>(&body).unwrap()["detail"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(
                detail.contains(&format!("Content-Encoding: {coding}")) && detail.contains("uncompressed"),
                "{detail}"
            );
        }
    }
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let big = format!(
        "{{\"medications\": [{}]}}",
        vec![r#"{"name": "furosemide"}"#; 60_000].join(",")
    );
    assert!(big.len() > 1024 * 1024);
    let (status, ct, _) = call(post("/api/v1/assess", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(ct, "application/problem+json");
    let small = Config {
        body_limit: 100,
        ..Config::default()
    };
    let (status, _, _) = call_with(small, post("/api/v1/assess", CASE)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_bad_audience_or_unknown_query_parameter_is_400() {
    let (status, _, body) = call(post("/api/v1/assess?audience=robot", CASE)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("clinician or patient"));
    let (status, _, _) = call(post("/api/v1/assess?include_unreviewed=true", CASE)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unknown_route_is_404_and_a_wrong_method_405_both_problem_json() {
    let (status, ct, _) = call(Request::get("/api/v1/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ct, "application/problem+json");
    let (status, ct, _) = call(Request::get("/api/v1/assess").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(ct, "application/problem+json");
}

#[tokio::test]
async fn healthz_reports_status_and_versions() {
    let (status, ct, body) = call(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ok");
    assert!(v["kb_version"].as_str().unwrap().contains('+'));
}

#[tokio::test]
async fn openapi_describes_the_routes_with_the_code_s_own_enumerations() {
    let (status, _, body) = call(Request::get("/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["openapi"], "3.1.0");
    assert!(v["paths"]["/api/v1/assess"]["post"].is_object());
    let urgencies =
        &v["components"]["schemas"]["Assessment"]["properties"]["red_flags"]["items"]["properties"]["urgency"]["enum"];
    assert_eq!(
        urgencies,
        &serde_json::json!(["routine", "soon", "urgent", "emergency"])
    );
    let relieved = &v["components"]["schemas"]["Case"]["properties"]["symptoms"]["properties"]["relieved_by"]["enum"];
    assert_eq!(relieved.as_array().unwrap().len(), 6);
    let signs = &v["components"]["schemas"]["NewEpisode"]["properties"]["warning_signs"]["items"]["enum"];
    assert_eq!(
        signs.as_array().unwrap().len(),
        cramp_core::diary::WarningSign::ALL.len()
    );
    assert_eq!(
        v["paths"]["/api/v1/diaries/{id}/episodes"]["post"]["security"][0]["diaryToken"],
        serde_json::json!([])
    );
    // Every route the router serves is described, read from the router's own source (the HTML
    // pages and their assets are for people, not in the API description).
    let router = include_str!("../src/lib.rs");
    let routes: Vec<&str> = router
        .split(".route(")
        .skip(1)
        .filter_map(|r| r.trim_start().strip_prefix('"')?.split('"').next())
        .collect();
    assert!(routes.len() > 25, "{routes:?}");
    let pages = [
        "/",
        "/about",
        "/diary",
        "/knowledge",
        "/knowledge/",
        "/knowledge/{id}",
        "/problems",
        "/problems/",
        "/problems/{slug}",
    ];
    for path in routes {
        if pages.contains(&path) || path.starts_with("/assets/") {
            continue;
        }
        assert!(
            v["paths"][path].is_object(),
            "{path} is served but not in /openapi.json"
        );
    }
}

/// A request body that never arrives: a client that stalls.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }
}

#[tokio::test]
async fn a_stalled_request_gets_a_408_problem() {
    let slow = Config {
        request_timeout: std::time::Duration::from_millis(50),
        ..Config::default()
    };
    let req = Request::post("/api/v1/assess")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::new(Stalled))
        .unwrap();
    let (status, ct, _) = call_with(slow, req).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(ct, "application/problem+json");
}

#[tokio::test]
async fn a_fhir_bundle_is_accepted_where_a_case_is() {
    let bundle = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/fhir-bundle-cirrhosis.json"
    ))
    .unwrap();
    let (status, ct, body) = call(post("/api/v1/assess", &bundle)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ct, "application/json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["classification"]["most_likely"]["code"], "G47.62");
    let reviewed: Vec<_> = v["medication_review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["atc"].as_str().unwrap())
        .collect();
    assert_eq!(
        reviewed,
        ["C03CA01", "C03DA01"],
        "furosemide by RxNorm, spironolactone from a contained Medication"
    );
    let k = v["lab_findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["loinc"] == "2823-3")
        .unwrap();
    assert_eq!(
        (k["value"].as_f64(), k["interpretation"].as_str()),
        (Some(3.2), Some("low")),
        "the latest potassium"
    );
}

#[tokio::test]
async fn a_fhir_resource_that_is_not_a_bundle_is_422_naming_resource_type() {
    let (status, ct, body) = call(post("/api/v1/assess", r#"{"resourceType": "Patient", "id": "p1"}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ct, "application/problem+json");
    assert!(body.contains("resourceType") && body.contains("Bundle"), "{body}");
    // A Bundle whose entry is not an object: the entry is named, in words.
    for (bundle, says) in [
        (
            r#"{"resourceType": "Bundle", "entry": [{}, [1]]}"#,
            "`Bundle.entry[1]`: expected an object, got a list",
        ),
        (
            r#"{"resourceType": "Bundle", "entry": [{"fullUrl": 7}]}"#,
            "`Bundle.entry[0].fullUrl`: expected a string, got integer `7`",
        ),
        (
            r#"{"resourceType": "Bundle", "entry": {"resource": {}}}"#,
            "`Bundle.entry`: expected a list, got an object",
        ),
    ] {
        let (status, _, body) = call(post("/api/v1/assess", bundle)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bundle}");
        assert!(body.contains(says), "{bundle}: {body}");
        assert!(!body.contains("struct "), "{body}");
    }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn ask_answers_from_approved_statements_with_their_sources() {
    let (status, ct, body) = call(get("/api/v1/ask?q=does+magnesium+help%3F&audience=patient")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["question"], "does magnesium help?");
    assert_eq!(v["audience"], "patient");
    assert_eq!(v["answered"], true);
    let statements = v["statements"].as_array().unwrap();
    assert!(!statements.is_empty());
    let cited: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for s in statements {
        assert_eq!(s["review_status"], "approved");
        assert!(s["evidence_page"].as_str().unwrap().starts_with("/knowledge/"));
        for id in s["sources"].as_array().unwrap() {
            assert!(cited.contains(&id.as_str().unwrap()), "{id} is not in sources");
        }
    }
    // The evidence page each statement links to exists.
    let page = statements[0]["evidence_page"].as_str().unwrap().to_string();
    let (status, _, _) = call(get(&page)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

#[tokio::test]
async fn ask_says_plainly_when_the_knowledge_base_has_no_answer() {
    let (status, _, body) = call(get("/api/v1/ask?q=what+is+the+capital+of+france")).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["answered"], false);
    assert_eq!(v["statements"], serde_json::json!([]));
    assert!(v.get("warning_sign").is_none(), "only a refused warning sign says so");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("not in the cramp knowledge base")
    );
    // A warning sign whose statement is in review is refused too, but not calmly: it may need care
    // quickly (the patient is told to contact a doctor today, or emergency services).
    let (_, _, body) = call(get(
        "/api/v1/ask?q=I+lost+control+of+my+bladder+and+my+legs+cramp&audience=patient",
    ))
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["answered"], false);
    assert_eq!(v["warning_sign"], true);
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("needs medical care quickly") && message.contains("emergency services"),
        "{message}"
    );
}

#[tokio::test]
async fn ask_without_a_usable_question_is_400_problem_json_naming_the_parameter() {
    let long = format!("/api/v1/ask?q={}", "a".repeat(cramp_wire::ask::QUESTION_MAX + 1));
    for (uri, needle) in [
        ("/api/v1/ask", "`q` is missing"),
        ("/api/v1/ask?q=", "`q`: the question is empty"),
        ("/api/v1/ask?q=%20%20", "`q`: the question is empty"),
        ("/api/v1/ask?q=x&audience=doctor", "`audience`"),
        ("/api/v1/ask?q=x&lang=fr", "unknown query parameter `lang`"),
        ("/api/v1/ask?q=a&q=b", "given twice"),
        (long.as_str(), "at most"),
    ] {
        let (status, ct, body) = call(get(uri)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(ct, "application/problem+json", "{uri}");
        assert!(body.contains(needle), "{uri}: {body}");
    }
    let (status, ct, _) = call(post("/api/v1/ask", "{}")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(ct, "application/problem+json");
}

#[tokio::test]
async fn the_diary_page_carries_its_words_from_the_knowledge_base() {
    let (status, ct, body) = call(Request::get("/diary").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"), "{ct}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let kb = KnowledgeBase::load(&cramp_wire::knowledge_dir::files(&root).unwrap()).unwrap();
    let start = body
        .find(r#"<script type="application/json" id="diary-words">"#)
        .unwrap();
    let json = &body[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let words: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(words["verdicts"]["improved"], kb.diary.verdicts.improved.as_str());
    assert_eq!(
        words["advice_headings"]["urgent"],
        kb.diary.advice_headings[&cramp_core::vocab::Urgency::Urgent].as_str()
    );
    for label in kb.diary.labels.values() {
        assert!(body.contains(label.as_str()), "warning sign {label:?} on the page");
    }
}

#[tokio::test]
async fn the_about_page_says_what_is_kept_and_where_integrators_start() {
    let (status, ct, body) = call(Request::get("/about").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"), "{ct}");
    // It used to say "Nothing is stored", written before the diary and the CDS feedback existed.
    assert!(!body.contains("Nothing is stored"));
    for said in [
        "What is kept",
        "never stored",
        "only as a hash",
        "no patient identifier",
        "never contain health data",
        r#"href="/openapi.json""#,
        r#"href="/cds-services""#,
    ] {
        assert!(body.contains(said), "{said}");
    }
    // Its figures are the knowledge base's own.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let kb = KnowledgeBase::load(&cramp_wire::knowledge_dir::files(&root).unwrap()).unwrap();
    assert!(
        body.contains(&format!("holds {} statements", kb.entries.len())),
        "entries"
    );
}

#[tokio::test]
async fn a_source_s_kind_and_a_review_status_are_shown_in_words_and_the_web_page_carries_the_words() {
    // The JSON keeps SPEC §4's codes (`rct`); people reading a citation get words.
    let (status, _, body) = call(get("/knowledge/R-Hall2012")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("randomised controlled trial, 2012"), "{body}");
    let (_, _, body) = call(get("/knowledge/R-FDA2010")).await;
    assert!(body.contains("regulator&#39;s notice, 2010"), "{body}");
    assert!(!body.contains("regulator_notice"));
    // The page's script reads the words of both voices from a JSON element, one per source kind.
    let (status, _, body) = call(get("/")).await;
    assert_eq!(status, StatusCode::OK);
    let json = body
        .split_once(r#"<script type="application/json" id="page-words">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .expect("the page words");
    let words: serde_json::Value = serde_json::from_str(json).unwrap();
    for kind in cramp_core::vocab::SourceKind::ALL {
        for voice in ["clinician", "patient"] {
            let w = words["source_kinds"][voice][kind.as_str()].as_str().unwrap();
            assert!(!w.is_empty() && !w.contains('_'), "{voice} {}: {w}", kind.as_str());
        }
    }
    assert_eq!(words["source_kinds"]["patient"]["rct"], "randomised trial");
    // A review status reads as words too; the index's cells carry their column's name for phones.
    let (_, _, body) = call(get("/knowledge/conflict.hydration")).await;
    assert!(body.contains("Review status: <strong>in review</strong>"), "{body}");
    let (_, _, body) = call(get("/knowledge/")).await;
    assert!(body.contains(r#"<td data-label="Status">in review</td>"#));
    assert!(!body.contains("in_review"));
}

#[tokio::test]
async fn the_evidence_index_groups_every_statement_once_under_its_kind() {
    let (status, _, body) = call(get("/knowledge/")).await;
    assert_eq!(status, StatusCode::OK);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let kb = KnowledgeBase::load(&cramp_wire::knowledge_dir::files(&root).unwrap()).unwrap();
    // Each entry's row appears once, under the heading of its kind, warning signs first.
    for e in &kb.entries {
        let row = format!(r#"<tr><td><a href="/knowledge/{0}">{0}</a></td>"#, e.id);
        assert_eq!(body.matches(&row).count(), 1, "{}", e.id);
    }
    let at = |s: &str| body.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(at(r#"<h3 id="red_flag">Red flags</h3>"#) < at(r#"<h3 id="plan">Plan</h3>"#));
    assert!(
        at(r#"<h3 id="red_flag">"#) < at("red_flag.possible_dvt")
            && at("red_flag.possible_dvt") < at(r#"<h3 id="referral">"#)
    );
    assert!(body.contains(r##"<a href="#red_flag">Red flags</a>"##));
    assert!(!body.contains("Other statements"), "every prefix has its group");
    // Sources with their kind in words.
    assert!(body.contains("(randomised controlled trial, 2012)"));
}

#[tokio::test]
async fn every_problem_type_used_in_the_sources_has_a_page_that_its_type_leads_to() {
    // The catalogue (`cramp_wire::problem`) declares each type once, as a static named after its
    // slug; `TYPES` lists every one, and every one is answered with somewhere (read from the
    // sources: a type nothing uses, or one left out of `TYPES`, fails here).
    let catalogue = include_str!("../../cramp-wire/src/problem.rs");
    let declared: Vec<&str> = catalogue
        .split("pub static ")
        .skip(1)
        .filter_map(|part| part.split_once(": ProblemType ="))
        .map(|(name, _)| name)
        .collect();
    let sources = [
        include_str!("../src/lib.rs"),
        include_str!("../src/cds.rs"),
        include_str!("../src/diary.rs"),
        include_str!("../../cramp-cds/src/lib.rs"),
        include_str!("../../cramp-cds/src/feedback.rs"),
        include_str!("../../cramp-wire/src/diary.rs"),
    ];
    assert!(declared.len() >= 20, "{declared:?}");
    assert_eq!(
        declared.len(),
        cramp_server::problem::TYPES.len(),
        "a declared type is missing from TYPES"
    );
    let mut slugs: Vec<&str> = cramp_server::problem::TYPES.iter().map(|t| t.slug).collect();
    for (name, t) in declared.iter().zip(cramp_server::problem::TYPES) {
        assert_eq!(
            *name,
            t.slug.to_uppercase().replace('-', "_"),
            "TYPES follows the declarations, each named after its slug"
        );
        assert!(
            sources.iter().any(|src| src.contains(&format!("problem::{name}"))),
            "problem type {name} is declared but nothing answers with it"
        );
        let status = cramp_server::problem::status_code(t);
        assert_eq!(status.as_u16(), t.status, "{}: not an HTTP status", t.slug);
        assert!(status.is_client_error() || status.is_server_error(), "{}", t.slug);
    }
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(
        slugs.len(),
        cramp_server::problem::TYPES.len(),
        "two types share a slug"
    );
    // Each page answers, with its title and status; the index lists them all.
    for t in cramp_server::problem::TYPES {
        let (status, ct, body) = call(get(&format!("/problems/{}", t.slug))).await;
        assert_eq!(status, StatusCode::OK, "{}", t.slug);
        assert!(ct.starts_with("text/html"));
        assert!(body.contains(&format!("<h1>{}</h1>", t.title)), "{}", t.slug);
        assert!(body.contains(&t.status.to_string()));
    }
    let (status, _, index) = call(get("/problems/")).await;
    assert_eq!(status, StatusCode::OK);
    for t in cramp_server::problem::TYPES {
        assert!(index.contains(&format!("href=\"/problems/{}\"", t.slug)), "{}", t.slug);
    }
    // A problem's `type` leads to its page: a caller's mistake, then the page it names.
    let (status, _, bad) = call(post("/api/v1/assess", r#"{"patient": {"age": 300}}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&bad).unwrap();
    assert_eq!(v["type"], "/problems/invalid-case");
    let (status, _, page) = call(get(v["type"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Invalid case"));
    let (status, _, _) = call(get("/problems/no-such-type")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
