//! The diary API of SPEC §7, every call, in-process against SQLite (a fresh file per test) and
//! PostgreSQL when `CRAMP_TEST_POSTGRES_URL` names one (scripts/test starts a throwaway cluster;
//! under `CI=true` its absence is a failure): isolation, shares, idempotency, validation, exports,
//! the trial, rate limits, and the CDS feedback kept in storage.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use cramp_core::knowledge::{KnowledgeBase, KnowledgeFile};
use cramp_server::{AppState, Config, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower::ServiceExt;

fn kb() -> KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        let files: Vec<KnowledgeFile> = cramp_wire::knowledge_dir::files(&root).unwrap();
        KnowledgeBase::load(&files).unwrap()
    })
    .clone()
}

/// One server per database: SQLite always, PostgreSQL when configured.
struct Server {
    state: Arc<AppState>,
    _dir: Option<tempfile::TempDir>,
}

async fn servers_with(config: Config) -> Vec<Server> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("diary.db").display());
    let sqlite = cramp_store::Store::open(&url).await.unwrap();
    let mut out = vec![Server {
        state: AppState::with_store(kb(), config.clone(), sqlite),
        _dir: Some(dir),
    }];
    match std::env::var("CRAMP_TEST_POSTGRES_URL") {
        Ok(pg) if !pg.is_empty() => out.push(Server {
            state: AppState::with_store(kb(), config, cramp_store::Store::open(&pg).await.unwrap()),
            _dir: None,
        }),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but CRAMP_TEST_POSTGRES_URL is not set: the diary API cannot be tested on PostgreSQL")
        }
        _ => eprintln!("note: CRAMP_TEST_POSTGRES_URL not set; the diary API is tested on SQLite only"),
    }
    out
}

async fn servers() -> Vec<Server> {
    servers_with(Config::default()).await
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap())
    }
}

async fn send(s: &Server, req: Request<Body>) -> Answer {
    let res: Response = app(s.state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    Answer { status, headers, body }
}

fn req(method: &str, uri: &str, token: Option<&str>, body: Option<&str>) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        r = r.header(header::CONTENT_TYPE, "application/json");
    }
    r.body(Body::from(body.unwrap_or("").to_string())).unwrap()
}

/// A new diary: (id, token).
async fn diary(s: &Server) -> (String, String) {
    let a = send(s, req("POST", "/api/v1/diaries", None, None)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let v = a.json();
    (
        v["diary_id"].as_str().unwrap().into(),
        v["token"].as_str().unwrap().into(),
    )
}

fn episode(at: &str, pain: u8) -> String {
    json!({"started_at": at, "leg": "left", "muscle": "calf", "duration_min": 2, "pain": pain,
           "woke_from_sleep": true, "helped": ["stretching"]})
    .to_string()
}

fn night(date: &str, stretched: bool, cramps: u32) -> String {
    json!({"date": date, "stretched": stretched, "sleep_quality": 6, "cramps": cramps}).to_string()
}

fn assert_problem(a: &Answer, status: StatusCode, says: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.content_type(), "application/problem+json", "{}", a.body);
    let v = a.json();
    assert_eq!(v["status"], status.as_u16());
    assert!(
        v["detail"].as_str().unwrap().contains(says),
        "{:?} does not say {says:?}",
        v["detail"]
    );
}

#[tokio::test]
async fn a_diary_is_created_with_a_token_shown_once() {
    for s in servers().await {
        let a = send(&s, req("POST", "/api/v1/diaries", None, Some("{}"))).await;
        assert_eq!(a.status, StatusCode::CREATED);
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
        let v = a.json();
        let token = v["token"].as_str().unwrap();
        assert_eq!(token.len(), 43, "256 bits, base64url");
        let id = v["diary_id"].as_str().unwrap();
        // Only the hash is stored.
        let row = s.state.store().unwrap().diary(id).await.unwrap().unwrap();
        assert_ne!(row.token_hash, token);
        assert_eq!(row.token_hash.len(), 64);
        assert_problem(
            &send(&s, req("POST", "/api/v1/diaries", None, Some(r#"{"name":"x"}"#))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "takes no fields",
        );
    }
}

#[tokio::test]
async fn episodes_are_logged_and_listed_newest_first_with_a_cursor() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let path = format!("/api/v1/diaries/{id}/episodes");
        let mut ids = Vec::new();
        for (i, at) in [
            "2026-01-01T03:00:00Z",
            "2026-01-03T03:00:00+02:00",
            "2026-01-02T03:00:00Z",
        ]
        .iter()
        .enumerate()
        {
            let a = send(&s, req("POST", &path, Some(&token), Some(&episode(at, 5 + i as u8)))).await;
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
            let v = a.json();
            assert_eq!(v["started_at"], *at);
            assert!(v.get("advice").is_none(), "no warning sign, no advice");
            ids.push(v["id"].as_str().unwrap().to_string());
        }
        let a = send(&s, req("GET", &format!("{path}?limit=2"), Some(&token), None)).await;
        assert_eq!(a.status, StatusCode::OK);
        let v = a.json();
        let got: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(got, [ids[1].as_str(), ids[2].as_str()]);
        let cursor = v["next_cursor"].as_str().unwrap();
        let a = send(
            &s,
            req("GET", &format!("{path}?limit=2&cursor={cursor}"), Some(&token), None),
        )
        .await;
        let v = a.json();
        assert_eq!(v["items"][0]["id"], ids[0].as_str());
        assert_eq!(v["next_cursor"], Value::Null);
        // The default page has everything.
        assert_eq!(
            send(&s, req("GET", &path, Some(&token), None)).await.json()["items"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        for bad in ["limit=0", "limit=1001", "limit=x", "cursor=zzz", "sort=asc"] {
            let a = send(&s, req("GET", &format!("{path}?{bad}"), Some(&token), None)).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.body);
        }
    }
}

#[tokio::test]
async fn warning_signs_get_advice_from_the_red_flag_entries() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let mut body: Value = serde_json::from_str(&episode("2026-01-01T03:00:00Z", 6)).unwrap();
        body["warning_signs"] = json!(["calf_swollen_one_side", "unusual_bleeding_or_bruising"]);
        let a = send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/episodes"),
                Some(&token),
                Some(&body.to_string()),
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let advice = &a.json()["advice"];
        let kb = kb();
        let dvt = kb.entry("red_flag.possible_dvt").unwrap();
        let quinine = kb.entry("red_flag.quinine_toxicity").unwrap();
        // The most urgent first: quinine toxicity is an emergency.
        assert_eq!(advice["urgency"], "emergency");
        let text = advice["text"].as_str().unwrap();
        assert!(
            text.starts_with(&quinine.patient) && text.contains(&dvt.patient),
            "{text}"
        );
        let sources: Vec<&str> = advice["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        for src in dvt.sources.iter().chain(&quinine.sources) {
            assert!(sources.contains(&src.as_str()), "{src} missing from {sources:?}");
        }
        assert_eq!(
            advice["entries"][0]["evidence_page"],
            "/knowledge/red_flag.quinine_toxicity"
        );

        let mut weak: Value = serde_json::from_str(&episode("2026-01-01T04:00:00Z", 3)).unwrap();
        weak["warning_signs"] = json!(["new_weakness"]);
        let a = send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/episodes"),
                Some(&token),
                Some(&weak.to_string()),
            ),
        )
        .await;
        let v = a.json();
        assert_eq!(v["advice"]["entries"][0]["id"], "red_flag.neurological_deficit");
        assert_eq!(
            v["advice"]["text"],
            kb.entry("red_flag.neurological_deficit").unwrap().patient.as_str()
        );
    }
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_safe() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let path = format!("/api/v1/diaries/{id}/episodes");
        let keyed = |body: String| {
            Request::post(&path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header("Idempotency-Key", "3f1c-retry-1")
                .body(Body::from(body))
                .unwrap()
        };
        let first = send(&s, keyed(episode("2026-01-01T03:00:00Z", 5))).await;
        assert_eq!(first.status, StatusCode::CREATED);
        // The same body written differently is the same request.
        let same: Value = serde_json::from_str(&episode("2026-01-01T03:00:00Z", 5)).unwrap();
        let again = send(&s, keyed(serde_json::to_string_pretty(&same).unwrap())).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.json()["id"], first.json()["id"]);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        let other = send(&s, keyed(episode("2026-01-01T03:00:00Z", 9))).await;
        assert_problem(&other, StatusCode::UNPROCESSABLE_ENTITY, "different body");
        let list = send(&s, req("GET", &path, Some(&token), None)).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "nothing stored twice");
        let bad = Request::post(&path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "")
            .body(Body::from(episode("2026-01-01T03:00:00Z", 5)))
            .unwrap();
        assert_eq!(send(&s, bad).await.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_night_is_one_per_date_201_then_200() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let path = format!("/api/v1/diaries/{id}/nights");
        let a = send(
            &s,
            req("POST", &path, Some(&token), Some(&night("2026-01-01", false, 2))),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let a = send(
            &s,
            req("POST", &path, Some(&token), Some(&night("2026-01-01", true, 0))),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        send(
            &s,
            req("POST", &path, Some(&token), Some(&night("2026-01-02", true, 1))),
        )
        .await;
        let v = send(&s, req("GET", &format!("{path}?limit=1"), Some(&token), None))
            .await
            .json();
        assert_eq!(v["items"][0]["date"], "2026-01-02");
        let v = send(
            &s,
            req(
                "GET",
                &format!("{path}?cursor={}", v["next_cursor"].as_str().unwrap()),
                Some(&token),
                None,
            ),
        )
        .await
        .json();
        assert_eq!(v["items"][0], {
            let mut n: Value = serde_json::from_str(&night("2026-01-01", true, 0)).unwrap();
            n["recorded_at"] = v["items"][0]["recorded_at"].clone();
            n
        });
    }
}

#[tokio::test]
async fn bad_bodies_are_400_or_422_or_415_with_problem_json() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let ep = format!("/api/v1/diaries/{id}/episodes");
        let nights = format!("/api/v1/diaries/{id}/nights");
        assert_problem(
            &send(&s, req("POST", &ep, Some(&token), Some("{oops"))).await,
            StatusCode::BAD_REQUEST,
            "not JSON",
        );
        assert_problem(
            &send(&s, req("POST", &ep, Some(&token), Some(r#"{"leg":"left"}"#))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "`started_at` is required",
        );
        assert_problem(
            &send(
                &s,
                req(
                    "POST",
                    &nights,
                    Some(&token),
                    Some(r#"{"date":"2026-13-01","stretched":true,"sleep_quality":1,"cramps":0}"#),
                ),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "`date`",
        );
        assert_problem(
            &send(
                &s,
                req(
                    "POST",
                    &nights,
                    Some(&token),
                    Some(r#"{"date":"2026-01-01","stretched":true,"sleep_quality":11,"cramps":0}"#),
                ),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "`sleep_quality` is 11",
        );
        let plain = Request::post(&ep)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(episode("2026-01-01T03:00:00Z", 5)))
            .unwrap();
        assert_problem(
            &send(&s, plain).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/json",
        );
        let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(2 * 1024 * 1024));
        assert_eq!(
            send(&s, req("POST", &ep, Some(&token), Some(&huge))).await.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        // Nothing was stored by any of them.
        assert_eq!(
            send(&s, req("GET", &ep, Some(&token), None)).await.json()["items"],
            json!([])
        );
    }
}

#[tokio::test]
async fn tokens_isolate_diaries_401_and_404() {
    for s in servers().await {
        let (a_id, a_token) = diary(&s).await;
        let (b_id, b_token) = diary(&s).await;
        let path = format!("/api/v1/diaries/{a_id}/episodes");
        send(
            &s,
            req("POST", &path, Some(&a_token), Some(&episode("2026-01-01T03:00:00Z", 5))),
        )
        .await;
        let none = send(&s, req("GET", &path, None, None)).await;
        assert_problem(&none, StatusCode::UNAUTHORIZED, "Authorization: Bearer");
        assert_eq!(none.headers[header::WWW_AUTHENTICATE], "Bearer");
        assert_problem(
            &send(&s, req("GET", &path, Some("not-a-token"), None)).await,
            StatusCode::UNAUTHORIZED,
            "not valid",
        );
        // Another diary's token: 404, and it writes nothing there.
        assert_problem(
            &send(&s, req("GET", &path, Some(&b_token), None)).await,
            StatusCode::NOT_FOUND,
            "no such diary",
        );
        let a = send(
            &s,
            req("POST", &path, Some(&b_token), Some(&episode("2026-01-02T03:00:00Z", 5))),
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(
            send(&s, req("GET", &path, Some(&a_token), None)).await.json()["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            send(
                &s,
                req("GET", &format!("/api/v1/diaries/{b_id}/episodes"), Some(&b_token), None)
            )
            .await
            .json()["items"],
            json!([])
        );
        // Every route of diary A refuses B's token.
        for (method, p) in [
            ("GET", "nights"),
            ("GET", "trial"),
            ("GET", "export?format=csv"),
            ("GET", "summary"),
            ("GET", "chart"),
            ("GET", "shares"),
            ("POST", "shares"),
        ] {
            let a = send(
                &s,
                req(method, &format!("/api/v1/diaries/{a_id}/{p}"), Some(&b_token), None),
            )
            .await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{method} {p}");
        }
        assert_eq!(
            send(
                &s,
                req("DELETE", &format!("/api/v1/diaries/{a_id}"), Some(&b_token), None)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_share_reads_but_never_writes_and_is_revoked_at_once() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/nights"),
                Some(&token),
                Some(&night("2026-01-01", false, 2)),
            ),
        )
        .await;
        let a = send(
            &s,
            req("POST", &format!("/api/v1/diaries/{id}/shares"), Some(&token), None),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let share = a.json();
        let (share_id, share_token) = (share["share_id"].as_str().unwrap(), share["token"].as_str().unwrap());
        let expires = time::OffsetDateTime::parse(
            share["expires_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let days = (expires - time::OffsetDateTime::now_utc()).whole_hours();
        assert!((29 * 24..=30 * 24).contains(&days), "30 days by default: {days} h");
        for p in [
            "episodes",
            "nights",
            "trial",
            "export?format=json",
            "summary",
            "chart",
            "shares",
        ] {
            let a = send(
                &s,
                req("GET", &format!("/api/v1/diaries/{id}/{p}"), Some(share_token), None),
            )
            .await;
            assert_eq!(a.status, StatusCode::OK, "GET {p} with a share token: {}", a.body);
        }
        for (method, p, body) in [
            ("POST", "episodes", Some(episode("2026-01-01T03:00:00Z", 5))),
            ("POST", "nights", Some(night("2026-01-02", true, 0))),
            ("POST", "shares", None),
        ] {
            let a = send(
                &s,
                req(
                    method,
                    &format!("/api/v1/diaries/{id}/{p}"),
                    Some(share_token),
                    body.as_deref(),
                ),
            )
            .await;
            assert_problem(&a, StatusCode::FORBIDDEN, "only read");
        }
        assert_eq!(
            send(
                &s,
                req("DELETE", &format!("/api/v1/diaries/{id}"), Some(share_token), None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let list = send(
            &s,
            req("GET", &format!("/api/v1/diaries/{id}/shares"), Some(&token), None),
        )
        .await
        .json();
        assert_eq!(list["items"][0]["share_id"], share_id);
        assert_eq!(list["items"][0]["status"], "active");
        assert!(
            list["items"][0].get("token").is_none(),
            "a listed share never shows its token"
        );
        let a = send(
            &s,
            req(
                "DELETE",
                &format!("/api/v1/diaries/{id}/shares/{share_id}"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT);
        let a = send(
            &s,
            req("GET", &format!("/api/v1/diaries/{id}/nights"), Some(share_token), None),
        )
        .await;
        assert_problem(&a, StatusCode::UNAUTHORIZED, "revoked");
        let list = send(
            &s,
            req("GET", &format!("/api/v1/diaries/{id}/shares"), Some(&token), None),
        )
        .await
        .json();
        assert_eq!(list["items"][0]["status"], "revoked");
        let a = send(
            &s,
            req(
                "DELETE",
                &format!("/api/v1/diaries/{id}/shares/nope"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let a = send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/shares"),
                Some(&token),
                Some(r#"{"expires_in_days": 400}"#),
            ),
        )
        .await;
        assert_problem(&a, StatusCode::UNPROCESSABLE_ENTITY, "1 to 365");
    }
}

#[tokio::test]
async fn deleting_a_diary_removes_everything_and_later_calls_get_404() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/episodes"),
                Some(&token),
                Some(&episode("2026-01-01T03:00:00Z", 5)),
            ),
        )
        .await;
        let share = send(
            &s,
            req("POST", &format!("/api/v1/diaries/{id}/shares"), Some(&token), None),
        )
        .await
        .json();
        let a = send(&s, req("DELETE", &format!("/api/v1/diaries/{id}"), Some(&token), None)).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT);
        for (method, p) in [
            ("GET", "episodes"),
            ("GET", "nights"),
            ("GET", "trial"),
            ("POST", "shares"),
        ] {
            let a = send(
                &s,
                req(method, &format!("/api/v1/diaries/{id}/{p}"), Some(&token), None),
            )
            .await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{method} {p}");
        }
        let a = send(
            &s,
            req(
                "GET",
                &format!("/api/v1/diaries/{id}/episodes"),
                share["token"].as_str(),
                None,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(
            send(&s, req("DELETE", &format!("/api/v1/diaries/{id}"), Some(&token), None))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let store = s.state.store().unwrap();
        assert!(store.all_episodes(&id).await.unwrap().is_empty());
        assert!(store.shares(&id).await.unwrap().is_empty());
    }
}

/// Two weeks of baseline, six of stretching with fewer cramps: `improved`, with SPEC §7's shape.
#[tokio::test]
async fn the_trial_reads_the_nightly_check_ins() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let path = format!("/api/v1/diaries/{id}/nights");
        let start = time::macros::date!(2026 - 01 - 01);
        for i in 0..56 {
            let date = (start + time::Duration::days(i)).to_string();
            let (stretched, cramps) = if i < 14 {
                (false, 2 + (i % 2) as u32)
            } else {
                (i % 7 != 0 || i == 14, (i % 2) as u32)
            };
            if i == 20 {
                continue; // a missing night stays missing
            }
            let a = send(
                &s,
                req("POST", &path, Some(&token), Some(&night(&date, stretched, cramps))),
            )
            .await;
            assert_eq!(a.status, StatusCode::CREATED);
        }
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/episodes"),
                Some(&token),
                Some(&episode("2026-01-03T03:00:00+01:00", 8)),
            ),
        )
        .await;
        let t = send(
            &s,
            req("GET", &format!("/api/v1/diaries/{id}/trial"), Some(&token), None),
        )
        .await
        .json();
        assert_eq!(t["verdict"], "improved", "{t}");
        assert_eq!(t["baseline"]["nights"], 14);
        assert_eq!(t["stretching"]["nights"], 41, "42 dates, one missing");
        assert_eq!(t["baseline"]["mean_pain"], 8.0);
        assert_eq!(t["stretching"]["mean_pain"], Value::Null);
        assert_eq!(t["effect"]["measure"], "mean_difference");
        assert_eq!(t["effect"]["method"], "welch_t");
        assert!(t["effect"]["ci_high"].as_f64().unwrap() < 0.0);
        assert_eq!(t["published_effect"]["source"], "R-Hall2012");
        assert_eq!(t["published_effect"]["estimate"], -1.2);
        assert!(t["adherence"].as_f64().unwrap() > 0.8);
    }
}

#[tokio::test]
async fn exports_carry_everything_in_csv_json_and_fhir() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let mut body: Value = serde_json::from_str(&episode("2026-01-01T03:00:00Z", 5)).unwrap();
        body["helped"] = json!(["massage", "heat"]);
        body["warning_signs"] = json!(["calf_warm_or_red"]);
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/episodes"),
                Some(&token),
                Some(&body.to_string()),
            ),
        )
        .await;
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/nights"),
                Some(&token),
                Some(&night("2026-01-01", true, 1)),
            ),
        )
        .await;

        let csv = send(
            &s,
            req(
                "GET",
                &format!("/api/v1/diaries/{id}/export?format=csv"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
        assert!(
            csv.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("cramp-diary.csv")
        );
        let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines[0].starts_with("record_type,"));
        assert!(
            lines[1].starts_with("episode,")
                && lines[1].contains("massage;heat")
                && lines[1].contains("calf_warm_or_red")
        );
        assert!(lines[2].starts_with("night,"));

        let j = send(
            &s,
            req(
                "GET",
                &format!("/api/v1/diaries/{id}/export?format=json"),
                Some(&token),
                None,
            ),
        )
        .await
        .json();
        assert_eq!(j["episodes"][0]["warning_signs"], json!(["calf_warm_or_red"]));
        assert_eq!(j["nights"][0]["date"], "2026-01-01");
        assert_eq!(
            send(
                &s,
                req("GET", &format!("/api/v1/diaries/{id}/export"), Some(&token), None)
            )
            .await
            .json()["nights"],
            j["nights"]
        );

        let f = send(
            &s,
            req(
                "GET",
                &format!("/api/v1/diaries/{id}/export?format=fhir"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(f.content_type(), "application/fhir+json");
        let b = f.json();
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "collection");
        let ep = &b["entry"][0]["resource"];
        assert_eq!(ep["resourceType"], "Observation");
        assert_eq!(ep["effectiveDateTime"], "2026-01-01T03:00:00Z");
        assert_eq!(ep["component"][0]["code"]["coding"][0]["system"], "http://loinc.org");
        assert_eq!(b["entry"][1]["resource"]["component"][0]["valueInteger"], 1);
        assert!(b.to_string().contains("/fhir/CodeSystem/cramp-diary"));

        assert_eq!(
            send(
                &s,
                req(
                    "GET",
                    &format!("/api/v1/diaries/{id}/export?format=xml"),
                    Some(&token),
                    None
                )
            )
            .await
            .status,
            StatusCode::BAD_REQUEST
        );
    }
}

#[tokio::test]
async fn the_summary_and_the_chart_are_rendered() {
    for s in servers().await {
        let (id, token) = diary(&s).await;
        let mut body: Value = serde_json::from_str(&episode("2026-01-02T03:00:00Z", 7)).unwrap();
        body["warning_signs"] = json!(["new_weakness"]);
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/episodes"),
                Some(&token),
                Some(&body.to_string()),
            ),
        )
        .await;
        send(
            &s,
            req(
                "POST",
                &format!("/api/v1/diaries/{id}/nights"),
                Some(&token),
                Some(&night("2026-01-01", false, 3)),
            ),
        )
        .await;
        let a = send(
            &s,
            req("GET", &format!("/api/v1/diaries/{id}/summary"), Some(&token), None),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.content_type(), "text/html; charset=utf-8");
        let warning = a.body.find("Warning signs reported").expect("warning signs shown");
        let trial = a.body.find("Stretching trial").unwrap();
        assert!(warning < trial, "a red flag comes before everything else");
        assert!(a.body.contains("symptoms.worst_pain") && a.body.contains("symptoms.weakness"));
        assert!(a.body.contains("<svg") && a.body.contains("<table class=\"diary-table\">"));
        assert!(a.body.contains("does not replace"));
        let c = send(
            &s,
            req("GET", &format!("/api/v1/diaries/{id}/chart"), Some(&token), None),
        )
        .await;
        assert_eq!(c.content_type(), "image/svg+xml");
        assert!(
            c.body.contains("<rect") && c.body.contains("<circle") && c.body.contains("<title id=\"chart-title\">")
        );
    }
}

#[tokio::test]
async fn failed_authentication_and_diary_creation_are_rate_limited_per_address() {
    let config = Config {
        auth_failures: (3, Duration::from_secs(60)),
        diary_creations: (2, Duration::from_secs(60)),
        client_ip_header: Some("x-forwarded-for".into()),
        ..Config::default()
    };
    for s in servers_with(config).await {
        let from = |r: Request<Body>, ip: &str| {
            let (mut parts, body) = r.into_parts();
            parts.headers.insert("x-forwarded-for", ip.parse().unwrap());
            Request::from_parts(parts, body)
        };
        let (id, token) = diary(&s).await;
        let path = format!("/api/v1/diaries/{id}/nights");
        for _ in 0..3 {
            let a = send(&s, from(req("GET", &path, Some("wrong"), None), "203.0.113.7")).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        }
        let a = send(&s, from(req("GET", &path, Some(&token), None), "203.0.113.7")).await;
        assert_problem(&a, StatusCode::TOO_MANY_REQUESTS, "failed authentications");
        assert!(a.headers.contains_key(header::RETRY_AFTER));
        // Another address is not affected, and neither is assessment.
        assert_eq!(
            send(&s, from(req("GET", &path, Some(&token), None), "203.0.113.8"))
                .await
                .status,
            StatusCode::OK
        );
        let assess = Request::post("/api/v1/assess")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", "203.0.113.7")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(send(&s, assess).await.status, StatusCode::OK);
        // Diary creation: the first diary above came from no forwarded address.
        for _ in 0..2 {
            assert_eq!(
                send(&s, from(req("POST", "/api/v1/diaries", None, None), "198.51.100.1"))
                    .await
                    .status,
                StatusCode::CREATED
            );
        }
        let a = send(&s, from(req("POST", "/api/v1/diaries", None, None), "198.51.100.1")).await;
        assert_problem(&a, StatusCode::TOO_MANY_REQUESTS, "new diaries");
    }
}

#[tokio::test]
async fn cds_feedback_is_kept_in_storage_once() {
    for s in servers().await {
        let card = format!("card-{}", uuid_like());
        let body = json!({"feedback": [{"card": card, "outcome": "overridden",
            "overrideReason": {"reason": {"code": "patient-declined", "system": "x"}, "userComment": "free text never kept"},
            "outcomeTimestamp": "2026-11-23T10:00:00Z"}]})
        .to_string();
        for _ in 0..2 {
            let a = send(
                &s,
                req("POST", "/cds-services/cramp-patient-view/feedback", None, Some(&body)),
            )
            .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        }
        let kept: Vec<_> = s
            .state
            .store()
            .unwrap()
            .feedback()
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.card == card)
            .collect();
        assert_eq!(kept.len(), 1, "idempotent");
        assert_eq!(kept[0].outcome, "overridden");
        assert!(format!("{kept:?}").contains("patient-declined"));
        assert!(!format!("{kept:?}").contains("free text"));
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
