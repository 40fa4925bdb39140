//! The diary API (SPEC §7): diaries, episodes, nightly check-ins, the n-of-1 trial, exports, the
//! doctor-visit summary, read-only shares and deletion.
//!
//! Credentials: a diary's token (and each share's) is 256 random bits from the operating system,
//! shown once; only its SHA-256 is stored and compared in constant time. The caller's diary id in
//! the path picks the stored hashes to compare with; a token that matches no credential of that
//! diary but belongs to another diary gets 404 (the diary is not theirs), anything else 401. Failed
//! authentication and diary creation are rate-limited per client address. Nothing here logs a
//! token, a diary id or a diary's content.

use crate::{AppState, Problem, is_json, problem, read_body};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cramp_store::{DiaryRow, Keyed, NightWrite, ShareRow, Store, StoredEpisode};
use cramp_wire::diary::{self as wire, DiaryError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

/// Idempotency keys are kept at least this long (issue 6: ≥ 24 h); older ones are dropped when the
/// diary next writes with a key.
const KEYS_KEPT: time::Duration = time::Duration::hours(48);
const LIST_DEFAULT: u32 = 100;
const LIST_MAX: u32 = 1000;
const KEY_MAX: usize = 255;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn now_text() -> String {
    wire::utc_text(now())
}

/// 32 bytes from the operating system's CSPRNG, base64url (43 characters).
fn new_token() -> Result<String, Problem> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn hash_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn internal(detail: String) -> Problem {
    tracing::error!(%detail, "diary: internal error");
    Problem::new(&problem::INTERNAL, "the diary could not be read or written; try again")
}

fn db(e: cramp_store::StoreError) -> Problem {
    internal(e.to_string())
}

fn store(st: &AppState) -> Result<&Store, Problem> {
    st.store
        .as_ref()
        .ok_or_else(|| Problem::new(&problem::NO_STORAGE, "this server was started without diary storage"))
}

fn invalid(e: DiaryError) -> Problem {
    Problem::new(e.kind, e.detail)
}

fn with_status(status: StatusCode, body: Vec<u8>, content_type: &'static str) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Health data: never kept by a shared cache or the browser's disk cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn json_status(status: StatusCode, v: &Value) -> Response {
    with_status(status, v.to_string().into_bytes(), "application/json")
}

/// The client's address: the connection's peer, or the configured proxy header's last address
/// (the one the trusted proxy added) when `--client-ip-header` is set.
fn client_ip(st: &AppState, headers: &HeaderMap, req_addr: Option<SocketAddr>) -> IpAddr {
    if let Some(name) = &st.config.client_ip_header
        && let Some(ip) = headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return ip;
    }
    req_addr.map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip())
}

fn too_many(seconds: u64, what: &str) -> Problem {
    Problem::new(
        &problem::RATE_LIMITED,
        format!("too many {what} from this address; try again in {seconds} s"),
    )
    .retry_after(seconds)
}

fn unauthorized(detail: &str) -> Problem {
    Problem::new(&problem::UNAUTHORIZED, detail)
}

fn not_found_diary() -> Problem {
    Problem::new(&problem::NOT_FOUND, "no such diary (it may have been deleted)")
}

/// The request's parts every diary call needs.
struct Call {
    method: Method,
    headers: HeaderMap,
    query: Option<String>,
    ip: IpAddr,
}

/// The request's parts, and its body apart (a body is not `Sync`, so it is not held across the
/// authentication's awaits).
fn call(st: &AppState, req: Request) -> (Call, axum::body::Body) {
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let (parts, body) = req.into_parts();
    let ip = client_ip(st, &parts.headers, addr);
    (
        Call {
            method: parts.method,
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers,
            ip,
        },
        body,
    )
}

/// Authenticates a call for a diary: its own token, or a share token for a `GET`.
async fn authorize(st: &AppState, c: &Call, diary_id: &str) -> Result<(), Problem> {
    if let Some(wait) = st.limits.auth_failures.blocked(c.ip) {
        return Err(too_many(wait, "failed authentications"));
    }
    let fail = |p: Problem| {
        st.limits.auth_failures.hit(c.ip);
        p
    };
    let token = c
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            fail(unauthorized(
                "send `Authorization: Bearer <token>` with the diary's token (or a share token for reading)",
            ))
        })?;
    let hash = hash_hex(token.as_bytes());
    let store = store(st)?;
    let Some(diary) = store.diary(diary_id).await.map_err(db)? else {
        return Err(fail(not_found_diary()));
    };
    if same(&hash, &diary.token_hash) {
        return Ok(());
    }
    let at = now_text();
    for s in store.shares(diary_id).await.map_err(db)? {
        if same(&hash, &s.token_hash) {
            if s.revoked_at.is_some() || s.expires_at <= at {
                return Err(fail(unauthorized("this share has been revoked or has expired")));
            }
            if c.method != Method::GET {
                return Err(Problem::new(
                    &problem::FORBIDDEN,
                    "a share token can only read the diary; changes need the diary's own token",
                ));
            }
            return Ok(());
        }
    }
    if store.token_hash_known(&hash).await.map_err(db)? {
        return Err(fail(not_found_diary()));
    }
    Err(fail(unauthorized("the token is not valid for this diary")))
}

fn need_json(headers: &HeaderMap) -> Result<(), Problem> {
    if is_json(headers) {
        Ok(())
    } else {
        Err(Problem::new(
            &problem::UNSUPPORTED_MEDIA_TYPE,
            "send the entry as JSON with `Content-Type: application/json`",
        ))
    }
}

fn bad_query(detail: String) -> Problem {
    Problem::new(&problem::BAD_QUERY, detail)
}

fn query_pairs(q: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q.unwrap_or(""))
        .map_err(|e| bad_query(format!("the query string does not parse: {e}")))?;
    for (k, _) in &pairs {
        if !allowed.contains(&k.as_str()) {
            return Err(bad_query(format!(
                "unknown query parameter `{k}`; use {}",
                allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(pairs)
}

/// A reading call: its query parameters (only `allowed` ones; checked first), once the caller may
/// read the diary.
async fn reader(st: &AppState, id: &str, req: Request, allowed: &[&str]) -> Result<Vec<(String, String)>, Problem> {
    let (c, _) = call(st, req);
    let pairs = query_pairs(c.query.as_deref(), allowed)?;
    authorize(st, &c, id).await?;
    Ok(pairs)
}

const PAGE_PARAMETERS: &[&str] = &["limit", "cursor"];

/// `?limit=&cursor=` of a list: the limit and the cursor's parts (`kind` is the list's own tag,
/// so a cursor of one list is refused by the other).
fn page(pairs: Vec<(String, String)>, kind: &str) -> Result<(u32, Option<Vec<String>>), Problem> {
    let mut limit = LIST_DEFAULT;
    let mut cursor = None;
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=LIST_MAX).contains(n))
                    .ok_or_else(|| bad_query(format!("`limit`: {v:?} must be a whole number from 1 to {LIST_MAX}")))?;
            }
            _ => {
                let parts = decode_cursor(&v)?;
                if parts.first().map(String::as_str) != Some(kind) {
                    return Err(bad_cursor());
                }
                cursor = Some(parts[1..].to_vec());
            }
        }
    }
    Ok((limit, cursor))
}

fn bad_cursor() -> Problem {
    bad_query("`cursor` is not one this list gave; use the `next_cursor` of the previous page".into())
}

fn encode_cursor(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("\n"))
}

fn decode_cursor(c: &str) -> Result<Vec<String>, Problem> {
    let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    Ok(text.split('\n').map(str::to_string).collect())
}

/// A page of a list: `rows` were fetched with one more than `limit`, so a row beyond it means
/// there is a next page, which starts after the last row shown.
fn page_out<T>(mut rows: Vec<T>, limit: u32, cursor: impl Fn(&T) -> String, item: impl Fn(&T) -> Value) -> Response {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(&cursor) } else { None };
    let items: Vec<Value> = rows.iter().map(item).collect();
    json_status(StatusCode::OK, &json!({ "items": items, "next_cursor": next }))
}

// ---- the calls ---------------------------------------------------------------------------------

/// `POST /api/v1/diaries`: an empty body or `{}`.
pub async fn create(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, Problem> {
    let (c, body) = call(&st, req);
    if let Some(wait) = st.limits.diary_creation.hit(c.ip) {
        return Err(too_many(wait, "new diaries"));
    }
    let text = read_body(&st, &c.headers, body).await?;
    wire::parse_new_diary(&text).map_err(invalid)?;
    let store = store(&st)?;
    let id = uuid::Uuid::new_v4().to_string();
    let token = new_token()?;
    store
        .create_diary(&DiaryRow {
            id: id.clone(),
            token_hash: hash_hex(token.as_bytes()),
            created_at: now_text(),
        })
        .await
        .map_err(db)?;
    let mut res = json_status(StatusCode::CREATED, &json!({ "diary_id": id, "token": token }));
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/diaries/{id}")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// `DELETE /api/v1/diaries/{id}`.
pub async fn delete(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (c, _) = call(&st, req);
    authorize(&st, &c, &id).await?;
    store(&st)?.delete_diary(&id).await.map_err(db)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/diaries/{id}/episodes` (with an optional `Idempotency-Key`).
pub async fn add_episode(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (c, body) = call(&st, req);
    authorize(&st, &c, &id).await?;
    need_json(&c.headers)?;
    let key = match c.headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= KEY_MAX)
                .ok_or_else(|| {
                    Problem::new(
                        &problem::BAD_IDEMPOTENCY_KEY,
                        format!("`Idempotency-Key` must be 1 to {KEY_MAX} visible ASCII characters, e.g. a UUID"),
                    )
                })?
                .to_string(),
        ),
    };
    let text = read_body(&st, &c.headers, body).await?;
    let new = wire::parse_episode(&text).map_err(invalid)?;
    let recorded = now_text();
    let episode_id = uuid::Uuid::new_v4().to_string();
    let mut body = wire::episode_json(&episode_id, &new.episode, &recorded);
    if let Some(a) = cramp_core::diary::advice(&st.kb, &new.episode.warning_signs) {
        body["advice"] = wire::advice_json(&st.kb, &a);
    }
    let response = body.to_string();
    let body_hash = hash_hex(new.canonical.as_bytes());
    let stored = StoredEpisode {
        id: episode_id,
        started_utc: new.started_utc,
        local_date: new.local_date,
        created_at: recorded,
        episode: new.episode,
    };
    let forget = wire::utc_text(now() - KEYS_KEPT);
    let keyed = key
        .as_deref()
        .map(|k| (k, body_hash.as_str(), 201u16, response.as_str()));
    match store(&st)?
        .add_episode(&id, &stored, keyed, &forget)
        .await
        .map_err(db)?
    {
        Keyed::Stored => Ok(with_status(
            StatusCode::CREATED,
            response.into_bytes(),
            "application/json",
        )),
        Keyed::Replay {
            same_body: true,
            status,
            response,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
            let mut res = with_status(status, response.into_bytes(), "application/json");
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(res)
        }
        Keyed::Replay { same_body: false, .. } => Err(Problem::new(
            &problem::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was already used with a different body; use a new key for a new episode",
        )),
    }
}

/// `GET /api/v1/diaries/{id}/episodes`.
pub async fn list_episodes(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (limit, cursor) = page(reader(&st, &id, req, PAGE_PARAMETERS).await?, "e")?;
    let after = match cursor.as_deref() {
        None => None,
        Some([utc, eid]) => Some((utc.as_str(), eid.as_str())),
        Some(_) => return Err(bad_cursor()),
    };
    let rows = store(&st)?.episodes(&id, after, limit + 1).await.map_err(db)?;
    Ok(page_out(
        rows,
        limit,
        |r| encode_cursor(&["e", &r.started_utc, &r.id]),
        |r| wire::episode_json(&r.id, &r.episode, &r.created_at),
    ))
}

/// `POST /api/v1/diaries/{id}/nights`: 201 new, 200 replacing that date's check-in.
pub async fn put_night(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (c, body) = call(&st, req);
    authorize(&st, &c, &id).await?;
    need_json(&c.headers)?;
    let text = read_body(&st, &c.headers, body).await?;
    let night = wire::parse_night(&text).map_err(invalid)?;
    let recorded = now_text();
    let status = match store(&st)?.put_night(&id, &night, &recorded).await.map_err(db)? {
        NightWrite::Created => StatusCode::CREATED,
        NightWrite::Replaced => StatusCode::OK,
    };
    Ok(json_status(status, &wire::night_json(&night, &recorded)))
}

/// `GET /api/v1/diaries/{id}/nights`.
pub async fn list_nights(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (limit, cursor) = page(reader(&st, &id, req, PAGE_PARAMETERS).await?, "n")?;
    let after = match cursor.as_deref() {
        None => None,
        Some([date]) => Some(date.as_str()),
        Some(_) => return Err(bad_cursor()),
    };
    let rows = store(&st)?.nights(&id, after, limit + 1).await.map_err(db)?;
    Ok(page_out(
        rows,
        limit,
        |r| encode_cursor(&["n", &r.night.date]),
        |r| wire::night_json(&r.night, &r.updated_at),
    ))
}

/// Everything in a diary, oldest first.
pub(crate) struct Contents {
    pub episodes: Vec<StoredEpisode>,
    pub nights: Vec<cramp_store::StoredNight>,
}

async fn contents(st: &AppState, id: &str) -> Result<Contents, Problem> {
    let store = store(st)?;
    Ok(Contents {
        episodes: store.all_episodes(id).await.map_err(db)?,
        nights: store.all_nights(id).await.map_err(db)?,
    })
}

pub(crate) fn trial<'kb>(st: &'kb AppState, d: &Contents) -> cramp_core::trial::Trial<'kb> {
    let (nights, pains) = wire::trial_inputs(
        d.nights.iter().map(|n| &n.night),
        d.episodes.iter().map(|e| (e.local_date.as_str(), e.episode.pain)),
    );
    cramp_core::trial::evaluate(&st.kb.trial, &nights, &pains)
}

/// `GET /api/v1/diaries/{id}/trial`.
pub async fn get_trial(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    reader(&st, &id, req, &[]).await?;
    let d = contents(&st, &id).await?;
    Ok(json_status(StatusCode::OK, &wire::trial_json(&st.kb, &trial(&st, &d))))
}

/// `GET /api/v1/diaries/{id}/export?format=csv|json|fhir` (json by default).
pub async fn export(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (c, _) = call(&st, req);
    let mut format = "json".to_string();
    for (_, v) in query_pairs(c.query.as_deref(), &["format"])? {
        format = v;
    }
    if !["csv", "json", "fhir"].contains(&format.as_str()) {
        return Err(bad_query(format!(
            "`format`: {format:?} is not allowed; use csv, json or fhir"
        )));
    }
    authorize(&st, &c, &id).await?;
    let d = contents(&st, &id).await?;
    let generated = now_text();
    let (body, content_type, ext) = match format.as_str() {
        "csv" => (
            wire::export_csv(
                d.episodes.iter().map(|e| (e.id.as_str(), &e.episode, e.created_at.as_str())),
                d.nights.iter().map(|n| (&n.night, n.updated_at.as_str())),
            )
            .map_err(|e| internal(e.to_string()))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        "fhir" => (
            cramp_fhir::diary::diary_bundle(
                &st.kb,
                &st.config.public_url,
                d.episodes.iter().map(|e| (e.id.as_str(), &e.episode)),
                d.nights.iter().map(|n| &n.night),
                &generated,
            )
            .to_string()
            .into_bytes(),
            "application/fhir+json",
            "fhir.json",
        ),
        _ => (
            json!({
                "diary_id": id,
                "exported_at": generated,
                "kb_version": st.kb.kb_version,
                "episodes": d.episodes.iter().map(|e| wire::episode_json(&e.id, &e.episode, &e.created_at)).collect::<Vec<_>>(),
                "nights": d.nights.iter().map(|n| wire::night_json(&n.night, &n.updated_at)).collect::<Vec<_>>(),
            })
            .to_string()
            .into_bytes(),
            "application/json",
            "json",
        ),
    };
    let mut res = with_status(StatusCode::OK, body, content_type);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"cramp-diary.{ext}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// `GET /api/v1/diaries/{id}/summary`: the printable doctor-visit summary (HTML).
pub async fn summary(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    reader(&st, &id, req, &[]).await?;
    let d = contents(&st, &id).await?;
    let t = trial(&st, &d);
    let html = crate::summary::render(&st.kb, &d, &t, &now_text());
    Ok(with_status(
        StatusCode::OK,
        html.into_bytes(),
        "text/html; charset=utf-8",
    ))
}

/// `GET /api/v1/diaries/{id}/chart`: cramps per night, pain and stretching as SVG.
pub async fn chart(State(st): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Result<Response, Problem> {
    reader(&st, &id, req, &[]).await?;
    let d = contents(&st, &id).await?;
    let svg = crate::summary::chart_svg(&d);
    Ok(with_status(StatusCode::OK, svg.into_bytes(), "image/svg+xml"))
}

fn share_json(s: &ShareRow, at: &str) -> Value {
    let state = if s.revoked_at.is_some() {
        "revoked"
    } else if s.expires_at.as_str() <= at {
        "expired"
    } else {
        "active"
    };
    json!({
        "share_id": s.id,
        "created_at": s.created_at,
        "expires_at": s.expires_at,
        "revoked_at": s.revoked_at,
        "status": state,
    })
}

/// `POST /api/v1/diaries/{id}/shares`: an empty body or `{"expires_in_days": n}`.
pub async fn create_share(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    let (c, body) = call(&st, req);
    authorize(&st, &c, &id).await?;
    let text = read_body(&st, &c.headers, body).await?;
    if !text.trim().is_empty() {
        need_json(&c.headers)?;
    }
    let days = wire::parse_share(&text, st.config.share_days).map_err(invalid)?;
    let token = new_token()?;
    let at = now();
    let row = ShareRow {
        id: uuid::Uuid::new_v4().to_string(),
        diary_id: id.clone(),
        token_hash: hash_hex(token.as_bytes()),
        created_at: wire::utc_text(at),
        expires_at: wire::utc_text(at + time::Duration::days(i64::from(days))),
        revoked_at: None,
    };
    store(&st)?.create_share(&row).await.map_err(db)?;
    Ok(json_status(
        StatusCode::CREATED,
        &json!({ "share_id": row.id, "token": token, "expires_at": row.expires_at }),
    ))
}

/// `GET /api/v1/diaries/{id}/shares`.
pub async fn list_shares(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Problem> {
    reader(&st, &id, req, &[]).await?;
    let at = now_text();
    let items: Vec<Value> = store(&st)?
        .shares(&id)
        .await
        .map_err(db)?
        .iter()
        .map(|s| share_json(s, &at))
        .collect();
    Ok(json_status(StatusCode::OK, &json!({ "items": items })))
}

/// `DELETE /api/v1/diaries/{id}/shares/{share_id}`.
pub async fn revoke_share(
    State(st): State<Arc<AppState>>,
    Path((id, share_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, Problem> {
    let (c, _) = call(&st, req);
    authorize(&st, &c, &id).await?;
    if store(&st)?
        .revoke_share(&id, &share_id, &now_text())
        .await
        .map_err(db)?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(Problem::new(
            &problem::NOT_FOUND,
            "this diary has no such share; see GET …/shares",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_distinct_and_hashes_hex() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, b);
        let h = hash_hex(a.as_bytes());
        assert_eq!(h.len(), 64);
        assert!(same(&h, &hash_hex(a.as_bytes())) && !same(&h, &hash_hex(b.as_bytes())));
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = encode_cursor(&["e", "2026-01-01T00:00:00.000000000Z", "id"]);
        assert_eq!(
            decode_cursor(&c).unwrap(),
            ["e", "2026-01-01T00:00:00.000000000Z", "id"]
        );
        assert!(decode_cursor("%%%").is_err());
    }
}
