//! # cramp-server
//!
//! The HTTP edge: `app(state)` is the whole router, so tests call it in-process with `oneshot`
//! and `serve` only binds it. The only crate with axum or HTTP concerns.
//!
//! Routes: `POST /api/v1/assess[?audience=…]`, `GET /api/v1/ask?q=…[&audience=…]`, `GET /healthz`, `GET /openapi.json`. Every error is
//! `application/problem+json`; a request body is limited (1 MiB by default; 413) and a request has a
//! deadline. Logs never contain health data: a request is logged (at debug level, off by default)
//! by method, route and status only.

mod cds;
mod diary;
mod openapi;
mod pages;
pub mod problem;
mod ratelimit;
mod summary;

pub use cds::Kept as KeptFeedback;
pub use problem::Problem;

use axum::Router;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cramp_core::vocab::Audience;
use cramp_core::{AssessOptions, KnowledgeBase};
use cramp_wire::{WireCache, assess_json};
use std::sync::Arc;
use std::time::Duration;

/// Server settings (flags and `CRAMP_…` variables are turned into this once, by the binary).
#[derive(Debug, Clone)]
pub struct Config {
    /// Serve draft entries too: a staging setting, never a per-request parameter.
    pub include_unreviewed: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Deadline for one request, body included.
    pub request_timeout: Duration,
    /// The public base URL (`--public-url`): the base of every link in a card and of every
    /// canonical URL. The Host header is never used for it.
    pub public_url: String,
    /// A fixed "today" (tests, reproducible runs); `None` is the real date.
    pub today: Option<time::Date>,
    /// Origins allowed to call the CDS Hooks routes from a browser (`*` for any).
    pub cors_origins: Vec<String>,
    /// CDS client authentication (`--trusted-issuers`): when set, every CDS Hooks route needs a
    /// JWT from a trusted issuer; when `None`, the routes are open (loopback, private networks).
    pub auth: Option<Arc<cramp_cds::auth::Auth>>,
    /// FHIR servers (URL prefixes) this service may read when a hook's prefetch lacks data; none
    /// by default. Only `https`, unless `allow_insecure_fhir`.
    pub fhir_server_allow: Vec<String>,
    /// Allow plain `http` FHIR servers (loopback tests only).
    pub allow_insecure_fhir: bool,
    /// Deadline for all reads of a FHIR server for one hook call.
    pub fhir_timeout: Duration,
    /// Days a diary share lasts unless the patient asks otherwise (SPEC §7: 30).
    pub share_days: u32,
    /// The header a trusted reverse proxy puts the client's address in (e.g. `X-Forwarded-For`);
    /// `None`: the connection's peer address. Only for the diary's rate limits.
    pub client_ip_header: Option<String>,
    /// Failed diary authentications allowed per client address and window.
    pub auth_failures: (u32, Duration),
    /// Diaries one client address may create per window.
    pub diary_creations: (u32, Duration),
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include_unreviewed: false,
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            public_url: "http://127.0.0.1:8080".into(),
            today: None,
            cors_origins: vec!["*".into()],
            auth: None,
            fhir_server_allow: Vec::new(),
            allow_insecure_fhir: false,
            fhir_timeout: Duration::from_secs(2),
            share_days: 30,
            client_ip_header: None,
            // Generous for a clinic or a household behind one address; a 256-bit token cannot be
            // guessed anyway, the limits only keep floods and scans out of the database.
            auth_failures: (100, Duration::from_secs(600)),
            diary_creations: (100, Duration::from_secs(3600)),
        }
    }
}

/// The diary's rate limits (per client address).
pub struct Limits {
    auth_failures: ratelimit::Limiter,
    diary_creation: ratelimit::Limiter,
}

/// What every request reads: the knowledge base, its pre-serialised JSON, the OpenAPI document.
pub struct AppState {
    pub kb: KnowledgeBase,
    pub cache: WireCache,
    pub config: Config,
    openapi: String,
    health: String,
    pages: pages::Pages,
    cds: cds::CdsState,
    searcher: cramp_core::search::Searcher,
    /// The diary's storage and the CDS feedback's; `None` only in tests of other routes (the diary
    /// routes then answer 503, and feedback is kept in memory).
    store: Option<cramp_store::Store>,
    limits: Limits,
}

impl AppState {
    /// The state with storage: what `cramp serve` runs.
    pub fn with_store(kb: KnowledgeBase, config: Config, store: cramp_store::Store) -> Arc<AppState> {
        Self::build(kb, config, Some(store))
    }

    /// The state without storage (tests of the routes that need none).
    pub fn new(kb: KnowledgeBase, config: Config) -> Arc<AppState> {
        Self::build(kb, config, None)
    }

    fn build(kb: KnowledgeBase, config: Config, store: Option<cramp_store::Store>) -> Arc<AppState> {
        let cache = WireCache::new(&kb);
        let openapi = openapi::document(&kb.kb_version).to_string();
        let health = serde_json::json!({ "status": "ok", "kb_version": kb.kb_version, "engine_version": cramp_core::ENGINE_VERSION }).to_string();
        let pages = pages::Pages::render(&kb);
        let started = config.today.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
        let cds = cds::CdsState::new(&kb, &config, started);
        let searcher = cramp_core::search::Searcher::new(&kb);
        let limits = Limits {
            auth_failures: ratelimit::Limiter::new(config.auth_failures.0, config.auth_failures.1),
            diary_creation: ratelimit::Limiter::new(config.diary_creations.0, config.diary_creations.1),
        };
        Arc::new(AppState {
            store,
            limits,
            searcher,
            kb,
            cache,
            config,
            openapi,
            health,
            pages,
            cds,
        })
    }

    /// The CDS Hooks feedback received so far, when the state has no store (kept in memory).
    pub fn feedback(&self) -> Vec<KeptFeedback> {
        self.cds.feedback.all()
    }

    /// The storage, when the state has one.
    pub fn store(&self) -> Option<&cramp_store::Store> {
        self.store.as_ref()
    }
}

fn json(body: impl Into<axum::body::Body>) -> Response {
    let mut res = Response::new(body.into());
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

async fn healthz(State(st): State<Arc<AppState>>) -> Response {
    json(st.health.clone())
}

async fn openapi_json(State(st): State<Arc<AppState>>) -> Response {
    json(st.openapi.clone())
}

/// One `audience` value; anything but clinician or patient is the caller's mistake.
fn parse_audience(value: &str) -> Result<Audience, Problem> {
    Audience::parse(value).ok_or_else(|| {
        Problem::new(
            &problem::BAD_QUERY,
            format!("`audience`: {value:?} is not allowed; use clinician or patient"),
        )
    })
}

/// `?audience=clinician|patient`; any other parameter or value is the caller's mistake.
fn audience(query: Option<&str>) -> Result<Audience, Problem> {
    let mut audience = Audience::Clinician;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "audience" => audience = parse_audience(value)?,
            other => {
                return Err(Problem::new(
                    &problem::BAD_QUERY,
                    format!("unknown query parameter `{other}`; the only one is `audience` (clinician or patient)"),
                ));
            }
        }
    }
    Ok(audience)
}

/// The body as UTF-8 text, within the body limit (413 beyond it). A compressed body (any
/// `Content-Encoding` but `identity`) is refused with 415, as RFC 9110 §15.5.16 asks of a server
/// that does not decode it: read as it came, gzip was reported as text that is not UTF-8.
async fn read_body(st: &AppState, headers: &HeaderMap, body: axum::body::Body) -> Result<String, Problem> {
    if let Some(coding) = headers.get(header::CONTENT_ENCODING)
        && !coding.to_str().is_ok_and(|c| {
            c.split(',')
                .map(str::trim)
                .all(|c| c.is_empty() || c.eq_ignore_ascii_case("identity"))
        })
    {
        return Err(Problem::new(
            &problem::UNSUPPORTED_CONTENT_ENCODING,
            format!(
                "`Content-Encoding: {}` is not accepted; send the body uncompressed",
                String::from_utf8_lossy(coding.as_bytes())
            ),
        ));
    }
    let limit = st.config.body_limit;
    let too_large = || {
        Problem::new(
            &problem::TOO_LARGE,
            format!("the body is larger than {limit} bytes; send one case or entry per request"),
        )
    };
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
    {
        return Err(too_large());
    }
    let bytes = to_bytes(body, limit).await.map_err(|_| too_large())?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
        Problem::new(
            &problem::INVALID_JSON,
            format!(
                "the body is not UTF-8 (byte {}); send UTF-8 JSON",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(text)
}

fn is_json(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m == "application/json")
}

/// The request's media type, lowercased, without its parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

async fn assess(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, Problem> {
    // The request taken apart rather than extracted piece by piece: no copy of the header map.
    let (parts, body) = req.into_parts();
    let headers = &parts.headers;
    let audience = audience(parts.uri.query())?;
    // A case is JSON; a FHIR Bundle, accepted in its place, may come as FHIR's own JSON media type.
    if !media_type(headers).is_some_and(|m| m == "application/json" || m == "application/fhir+json") {
        return Err(Problem::new(
            &problem::UNSUPPORTED_MEDIA_TYPE,
            "send the case as JSON with `Content-Type: application/json` (a FHIR Bundle may also come as `application/fhir+json`)",
        ));
    }
    let text = read_body(&st, headers, body).await?;
    let opts = AssessOptions {
        include_unreviewed: st.config.include_unreviewed,
    };
    match assess_json(&st.kb, &st.cache, &text, audience, opts) {
        Ok(out) => Ok(json(out)),
        Err(e) if e.is_syntax() => Err(Problem::new(&problem::INVALID_JSON, e.to_string())),
        Err(e) => Err(Problem::new(&problem::INVALID_CASE, e.to_string())),
    }
}

/// `GET /api/v1/ask?q=…[&audience=…]` (SPEC §6): approved statements that answer, or
/// `answered: false`. A question with no answer is not an error; a missing or empty `q` is.
async fn ask(
    State(st): State<Arc<AppState>>,
    query: Result<axum::extract::Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let bad = |detail: String| Problem::new(&problem::BAD_QUERY, detail);
    let axum::extract::Query(pairs) = query.map_err(|e| bad(format!("the query string does not parse: {e}")))?;
    let (mut q, mut audience) = (None, Audience::Clinician);
    for (key, value) in pairs {
        match key.as_str() {
            "q" if q.is_none() => q = Some(value),
            "q" => return Err(bad("`q` is given twice; ask one question per request".into())),
            "audience" => audience = parse_audience(&value)?,
            other => {
                return Err(bad(format!(
                    "unknown query parameter `{other}`; use `q` (the question) and optionally `audience`"
                )));
            }
        }
    }
    let q = q.ok_or_else(|| bad("`q` is missing; ask with ?q=does+magnesium+help".into()))?;
    let question = cramp_wire::ask::check_question(&q).map_err(|e| bad(format!("`q`: {e}")))?;
    let out = cramp_wire::ask::answer(&st.kb, &st.searcher, question, audience);
    let body = serde_json::to_vec(&out).map_err(|e| Problem::new(&problem::INTERNAL, e.to_string()))?;
    Ok(json(body))
}

async fn index(State(st): State<Arc<AppState>>) -> Response {
    pages::html(st.pages.index.clone())
}

async fn diary_page(State(st): State<Arc<AppState>>) -> Response {
    pages::html(st.pages.diary.clone())
}

async fn diary_js() -> Response {
    pages::asset(pages::DIARY_JS, "text/javascript; charset=utf-8")
}

async fn about(State(st): State<Arc<AppState>>) -> Response {
    pages::html(st.pages.about.clone())
}

async fn knowledge_index(State(st): State<Arc<AppState>>) -> Response {
    pages::html(st.pages.knowledge_index.clone())
}

async fn problems_index(State(st): State<Arc<AppState>>) -> Response {
    pages::html(st.pages.problems_index.clone())
}

async fn problem_page(
    State(st): State<Arc<AppState>>,
    axum::extract::Path(slug): axum::extract::Path<String>,
) -> Result<Response, Problem> {
    page_or_not_found(
        st.pages.problems.get(slug.as_str()),
        format!("no problem type {slug:?}; see /problems/ for the list"),
    )
}

async fn knowledge_page(
    State(st): State<Arc<AppState>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, Problem> {
    page_or_not_found(
        st.pages.knowledge.get(&id),
        format!("no entry or source {id:?}; see /knowledge/ for the list"),
    )
}

/// A rendered page, or a 404 problem that says where the list is.
fn page_or_not_found(page: Option<&String>, detail: String) -> Result<Response, Problem> {
    page.map(|p| pages::html(p.clone()))
        .ok_or_else(|| Problem::new(&problem::NOT_FOUND, detail))
}

async fn app_js() -> Response {
    pages::asset(pages::APP_JS, "text/javascript; charset=utf-8")
}

async fn style_css() -> Response {
    pages::asset(pages::STYLE_CSS, "text/css; charset=utf-8")
}

async fn not_found(uri: axum::http::Uri) -> Problem {
    Problem::new(
        &problem::NOT_FOUND,
        format!("no such route: {}; see /openapi.json", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> Problem {
    Problem::new(
        &problem::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}; see /openapi.json", uri.path()),
    )
}

/// The request deadline, and a log line without health data (method, path, status, latency).
async fn deadline_and_log(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let res = match tokio::time::timeout(st.config.request_timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => Problem::new(
            &problem::TIMEOUT,
            "the request took too long; send the whole body promptly",
        )
        .into_response(),
    };
    tracing::debug!(%method, %path, status = res.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    res
}

/// The whole application.
pub fn app(state: Arc<AppState>) -> Router {
    // CDS Hooks clients may be browser apps (the CDS Hooks sandbox): CORS on those routes only.
    let cors = cors(&state.config.cors_origins);
    let hooks = Router::new()
        .route("/cds-services", get(cds::discovery).options(preflight))
        .route("/cds-services/{id}", post(cds::service).options(preflight))
        .route("/cds-services/{id}/feedback", post(cds::feedback).options(preflight))
        .route_layer(middleware::from_fn_with_state(state.clone(), cds::authenticate))
        .layer(cors);
    Router::new()
        .merge(hooks)
        .route("/fhir/metadata", get(cds::metadata))
        .route("/fhir/Questionnaire/{id}", get(cds::questionnaire))
        .route("/fhir/CodeSystem/{id}", get(cds::code_system))
        .route("/fhir/PlanDefinition/{id}", get(cds::plan_definition))
        .route("/fhir/ActivityDefinition/{id}", get(cds::activity_definition))
        .route("/api/v1/assess", post(assess))
        .route("/api/v1/ask", get(ask))
        .route("/api/v1/diaries", post(diary::create))
        .route("/api/v1/diaries/{id}", axum::routing::delete(diary::delete))
        .route(
            "/api/v1/diaries/{id}/episodes",
            post(diary::add_episode).get(diary::list_episodes),
        )
        .route(
            "/api/v1/diaries/{id}/nights",
            post(diary::put_night).get(diary::list_nights),
        )
        .route("/api/v1/diaries/{id}/trial", get(diary::get_trial))
        .route("/api/v1/diaries/{id}/export", get(diary::export))
        .route("/api/v1/diaries/{id}/summary", get(diary::summary))
        .route("/api/v1/diaries/{id}/chart", get(diary::chart))
        .route(
            "/api/v1/diaries/{id}/shares",
            post(diary::create_share).get(diary::list_shares),
        )
        .route(
            "/api/v1/diaries/{id}/shares/{share_id}",
            axum::routing::delete(diary::revoke_share),
        )
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_json))
        .route("/", get(index))
        .route("/about", get(about))
        .route("/diary", get(diary_page))
        .route("/assets/diary.js", get(diary_js))
        .route("/knowledge/", get(knowledge_index))
        .route("/knowledge", get(knowledge_index))
        .route("/knowledge/{id}", get(knowledge_page))
        .route("/problems/", get(problems_index))
        .route("/problems", get(problems_index))
        .route("/problems/{slug}", get(problem_page))
        .route("/assets/app.js", get(app_js))
        .route("/assets/style.css", get(style_css))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), deadline_and_log))
        .with_state(state)
}

/// A CORS preflight the CORS layer did not answer (no `Origin`): nothing to allow.
async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// Waits for Ctrl-C or SIGTERM, for graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Serves the application on a bound listener until shutdown.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    // The peer address reaches the handlers for the diary's per-address rate limits.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}
