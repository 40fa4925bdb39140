//! The CDS Hooks 2.0.1 routes and the FHIR resources the service publishes. The hook logic is
//! `cramp_cds`; this module is the HTTP edge around it: status codes, problem bodies, CORS, and
//! the feedback kept in storage (in memory when the state has no store: tests of other routes).

use crate::{AppState, Problem, is_json, json, problem, read_body};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cramp_cds::HookError;
use cramp_cds::feedback::Feedback;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Cards shown recently (uuid → service and rule), so that feedback can be tied to its rule;
/// and the feedback received, each piece once. In memory: lost on restart.
#[derive(Default)]
pub struct FeedbackStore {
    inner: Mutex<FeedbackInner>,
}

#[derive(Default)]
struct FeedbackInner {
    cards: HashMap<String, String>,
    seen: HashSet<(String, Feedback)>,
    kept: Vec<Kept>,
}

/// One piece of feedback as kept: no free text, no patient identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub service: String,
    pub card: String,
    /// The knowledge id of the card, when the card was shown by this instance.
    pub rule: Option<String>,
    pub outcome: &'static str,
    pub override_reason: Option<String>,
    pub outcome_timestamp: String,
}

/// The most card uuids remembered; beyond it the memory starts again (feedback for a forgotten
/// card is still kept, without its rule).
const CARDS_REMEMBERED: usize = 100_000;

impl FeedbackStore {
    fn remember(&self, cards: Vec<(String, String)>) {
        if cards.is_empty() {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.cards.len() + cards.len() > CARDS_REMEMBERED {
            inner.cards.clear();
        }
        inner.cards.extend(cards);
    }

    /// Keeps each new piece of feedback once; returns how many were new.
    fn keep(&self, service: &str, items: Vec<Feedback>) -> usize {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut new = 0;
        for f in items {
            if !inner.seen.insert((service.to_string(), f.clone())) {
                continue;
            }
            let rule = inner.cards.get(&f.card).cloned();
            inner.kept.push(Kept {
                service: service.to_string(),
                card: f.card,
                rule,
                outcome: f.outcome.as_str(),
                override_reason: f.override_reason,
                outcome_timestamp: f.outcome_timestamp,
            });
            new += 1;
        }
        new
    }

    /// The rule of a card this instance showed, if it still remembers it.
    fn rule_of(&self, card: &str) -> Option<String> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cards
            .get(card)
            .cloned()
    }

    /// Every piece of feedback kept, oldest first.
    pub fn all(&self) -> Vec<Kept> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).kept.clone()
    }
}

fn problem(e: HookError) -> Response {
    let mut p = Problem::new(e.kind, e.detail);
    if !e.missing_keys.is_empty() {
        p = p.extension("missing_prefetch_keys", serde_json::json!(e.missing_keys));
    }
    p.into_response()
}

/// CDS client authentication, when configured: a JWT whose `aud` is this endpoint's public URL
/// (the configured base and the request's path: never the Host header). 401 otherwise.
pub async fn authenticate(State(st): State<Arc<AppState>>, req: Request, next: axum::middleware::Next) -> Response {
    let Some(auth) = &st.config.auth else {
        return next.run(req).await;
    };
    if req.method() == axum::http::Method::OPTIONS {
        return next.run(req).await;
    }
    let aud = format!("{}{}", st.config.public_url.trim_end_matches('/'), req.uri().path());
    let header = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match auth.verify(header, &aud, now) {
        Ok(()) => next.run(req).await,
        // A 401 problem carries `WWW-Authenticate: Bearer` (`Problem`).
        Err(e) => Problem::new(&problem::UNAUTHORIZED, e.0).into_response(),
    }
}

pub async fn discovery(State(st): State<Arc<AppState>>) -> Response {
    json(st.cds.discovery.clone())
}

fn not_json() -> Problem {
    Problem::new(
        &problem::UNSUPPORTED_MEDIA_TYPE,
        "send the hook request as JSON with `Content-Type: application/json`",
    )
}

/// What a call to a service or its feedback endpoint must pass before its body is read: a known
/// service id (404), a JSON body (415) within the limit (413).
async fn service_body(st: &AppState, id: &str, req: Request) -> Result<String, Problem> {
    if cramp_cds::hooks_of(id).is_none() {
        return Err(Problem::new(
            &problem::NOT_FOUND,
            format!("no CDS service {id:?}; see /cds-services"),
        ));
    }
    let (parts, body) = req.into_parts();
    if !is_json(&parts.headers) {
        return Err(not_json());
    }
    read_body(st, &parts.headers, body).await
}

pub async fn service(State(st): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    let text = match service_body(&st, &id, req).await {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    let request = match cramp_cds::read_request(&id, &text) {
        Ok(r) => r,
        Err(e) => return problem(e),
    };
    let env = cramp_cds::Env {
        base_url: &st.config.public_url,
        prepared: &st.cds.prepared,
        today: st
            .config
            .today
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date()),
        include_unreviewed: st.config.include_unreviewed,
    };
    // Keys the client did not prefetch: read them from its FHIR server when that is allowed.
    let templates = &st.cds.prepared.templates;
    let is_absent = |t: &&cramp_fhir::hooks::Template| request.is_absent(&t.key);
    let mut fetched = Vec::new();
    let mut refusal = None;
    if templates.iter().any(|t| is_absent(&t)) {
        match request.fhir_server.as_deref() {
            None => refusal = Some("the request names no fhirServer".to_string()),
            Some(server) => match st.cds.fetcher.refusal(server) {
                Some(why) => refusal = Some(why),
                None => {
                    let absent = templates
                        .iter()
                        .filter(is_absent)
                        .map(|t| (t.key.clone(), t.query.clone()))
                        .collect();
                    fetched = st
                        .cds
                        .fetcher
                        .fetch(server, request.access_token.as_deref(), &request.patient_id, absent)
                        .await
                }
            },
        }
    }
    match cramp_cds::evaluate(&st.kb, request, &fetched, &env) {
        Ok(answer) => {
            st.cds.feedback.remember(answer.cards);
            json(answer.body)
        }
        Err(mut e) => {
            if e.kind == &problem::PREFETCH_MISSING
                && let Some(why) = refusal
            {
                e.detail.push_str(&format!(" ({why})"));
            }
            problem(e)
        }
    }
}

pub async fn feedback(State(st): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    let text = match service_body(&st, &id, req).await {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    match cramp_cds::feedback::read(&text) {
        Ok(items) => {
            match &st.store {
                // Persisted (issue 6): the card, its rule, the outcome, the override reason's code
                // and the time; the same feedback twice is kept once (idempotent).
                Some(store) => {
                    let received_at = cramp_wire::diary::utc_text(time::OffsetDateTime::now_utc());
                    for f in items {
                        let row = cramp_store::FeedbackRow {
                            service: id.clone(),
                            rule_id: st.cds.feedback.rule_of(&f.card),
                            card: f.card,
                            outcome: f.outcome.as_str().to_string(),
                            override_reason: f.override_reason,
                            outcome_timestamp: f.outcome_timestamp,
                            received_at: received_at.clone(),
                        };
                        if let Err(e) = store.add_feedback(&row).await {
                            tracing::error!(error = %e, "feedback could not be stored");
                            return Problem::new(
                                &problem::STORAGE_UNAVAILABLE,
                                "the feedback could not be stored; send it again",
                            )
                            .into_response();
                        }
                    }
                }
                None => {
                    st.cds.feedback.keep(&id, items);
                }
            }
            // 200 with an empty body, as the specification's example.
            StatusCode::OK.into_response()
        }
        Err(e) => problem(e),
    }
}

fn fhir(body: String) -> Response {
    let mut res = Response::new(body.into());
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/fhir+json"));
    res
}

fn fhir_not_found(what: &str) -> Response {
    let body = cramp_fhir::resources::not_found(&format!("{what} is not published here; see /fhir/metadata"));
    let mut res = (StatusCode::NOT_FOUND, body.to_string()).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/fhir+json"));
    res
}

pub async fn metadata(State(st): State<Arc<AppState>>) -> Response {
    fhir(st.cds.capability.clone())
}

pub async fn questionnaire(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    if id == cramp_fhir::QUESTIONNAIRE_ID {
        fhir(st.cds.questionnaire.clone())
    } else {
        fhir_not_found(&format!("Questionnaire/{id}"))
    }
}

pub async fn plan_definition(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match &st.cds.plan {
        Some(body) if id == cramp_fhir::resources::PLAN_ID => fhir(body.clone()),
        _ => fhir_not_found(&format!("PlanDefinition/{id}")),
    }
}

pub async fn activity_definition(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match st.cds.activities.iter().find(|(a, _)| *a == id) {
        Some((_, body)) => fhir(body.clone()),
        None => fhir_not_found(&format!("ActivityDefinition/{id}")),
    }
}

pub async fn code_system(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match st.cds.code_systems.iter().find(|(cs, _)| *cs == id) {
        Some((_, body)) => fhir(body.clone()),
        None => fhir_not_found(&format!("CodeSystem/{id}")),
    }
}

/// What the CDS and FHIR routes serve, rendered once at start.
pub struct CdsState {
    pub discovery: String,
    pub questionnaire: String,
    pub capability: String,
    pub code_systems: Vec<(&'static str, String)>,
    /// The knowledge base's PlanDefinition and its ActivityDefinitions (by id).
    pub plan: Option<String>,
    pub activities: Vec<(String, String)>,
    pub feedback: FeedbackStore,
    pub fetcher: Fetcher,
    pub prepared: cramp_cds::Prepared,
}

impl CdsState {
    pub fn new(kb: &cramp_core::KnowledgeBase, config: &crate::Config, started: time::Date) -> CdsState {
        let base = config.public_url.as_str();
        let date = started.to_string();
        let prepared = cramp_cds::Prepared::new(kb, base);
        let (plan, activities) = cramp_fhir::resources::definitions(kb, base);
        let plan = plan.map(|p| p.to_string());
        let activities = activities.into_iter().map(|(id, r)| (id, r.to_string())).collect();
        CdsState {
            plan,
            activities,
            discovery: cramp_cds::discovery(&prepared).to_string(),
            questionnaire: cramp_fhir::resources::questionnaire(kb, base).to_string(),
            capability: cramp_fhir::resources::capability_statement(kb, base, cramp_core::ENGINE_VERSION, &date)
                .to_string(),
            code_systems: cramp_fhir::resources::CODE_SYSTEMS
                .iter()
                .filter_map(|(id, _, _)| cramp_fhir::resources::code_system(kb, base, id).map(|v| (*id, v.to_string())))
                .collect(),
            feedback: FeedbackStore::default(),
            fetcher: Fetcher::new(config),
            prepared,
        }
    }
}

/// Reads a CDS client's FHIR server for prefetch keys the request lacks: only a server that
/// matches the allowlist, only over https (unless allowed for loopback tests), with the client's
/// bearer token (never logged or kept), all reads of one call within one deadline.
pub struct Fetcher {
    client: Option<reqwest::Client>,
    allow: Vec<String>,
    insecure: bool,
    timeout: std::time::Duration,
}

impl Fetcher {
    fn new(config: &crate::Config) -> Fetcher {
        let client = if config.fhir_server_allow.is_empty() {
            None
        } else {
            // The process-wide rustls provider: ring (see Cargo.toml). Installing twice is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .timeout(config.fhir_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .ok()
        };
        Fetcher {
            client,
            allow: config.fhir_server_allow.clone(),
            insecure: config.allow_insecure_fhir,
            timeout: config.fhir_timeout,
        }
    }

    /// Why `server` may not be read, or `None` when it may.
    fn refusal(&self, server: &str) -> Option<String> {
        if self.client.is_none() {
            return Some("no FHIR server is allowed (--fhir-server-allow)".into());
        }
        if !(server.starts_with("https://") || (self.insecure && server.starts_with("http://"))) {
            return Some(format!(
                "the FHIR server {server} is not https (plain http needs --allow-insecure-fhir)"
            ));
        }
        let s = server.trim_end_matches('/');
        let allowed = self.allow.iter().any(|a| {
            let a = a.trim_end_matches('/');
            s == a || s.starts_with(&format!("{a}/"))
        });
        (!allowed).then(|| format!("the FHIR server {server} is not in --fhir-server-allow"))
    }

    /// Reads each `(key, query)` for `patient`; keys that fail are left out.
    async fn fetch(
        &self,
        server: &str,
        token: Option<&str>,
        patient: &str,
        queries: Vec<(String, String)>,
    ) -> Vec<(String, Box<serde_json::value::RawValue>)> {
        let Some(client) = &self.client else { return Vec::new() };
        let base = server.trim_end_matches('/');
        let id = percent_encode(patient);
        let mut set = tokio::task::JoinSet::new();
        for (key, query) in queries {
            let url = format!("{base}/{}", query.replace("{{context.patientId}}", &id));
            let mut req = client.get(url).header(header::ACCEPT, "application/fhir+json");
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            set.spawn(async move {
                let res = req.send().await.ok().filter(|r| r.status().is_success())?;
                let bytes = res.bytes().await.ok()?;
                let text = String::from_utf8(bytes.to_vec()).ok()?;
                serde_json::value::RawValue::from_string(text).ok().map(|v| (key, v))
            });
        }
        let mut out = Vec::new();
        let deadline = tokio::time::sleep(self.timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = set.join_next() => match next {
                    Some(Ok(Some(v))) => out.push(v),
                    Some(_) => {}
                    None => break,
                },
                _ = &mut deadline => {
                    set.abort_all();
                    break;
                }
            }
        }
        out
    }
}

/// A FHIR id in a URL: unreserved characters as they are, everything else percent-encoded.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
